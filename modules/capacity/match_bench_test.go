package capacity

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// world makes n needs and n offers, the same every run: offers name one or
// two themes and their topics, half of them countries, a third regions and
// the rest anywhere; needs are in countries of the regions.
func world(n int) ([]Need, []Offer) {
	r := rand.New(rand.NewPCG(18, 2026))
	var countries []string
	for _, rg := range Themes.Regions {
		countries = append(countries, rg.Countries...)
	}
	langs := []string{"en", "fr", "es", "pt", "id", "ja", "ar", "ru"}
	pick := func(from []string, k int) []string {
		var out []string
		for range k {
			out = append(out, from[r.IntN(len(from))])
		}
		return clean(out, false)
	}
	dates := func() (string, string) {
		y, m := 2026+r.IntN(4), 1+r.IntN(12)
		return fmt.Sprintf("%d-%02d-01", y, m), fmt.Sprintf("%d-%02d-28", y+1+r.IntN(2), m)
	}
	theme := func() (themes, topics []string) {
		for range 1 + r.IntN(2) {
			th := Themes.Themes[r.IntN(len(Themes.Themes))]
			themes = append(themes, th.ID)
			topics = append(topics, th.Topics[r.IntN(len(th.Topics))].ID)
		}
		return clean(themes, false), clean(topics, false)
	}
	needs, offers := make([]Need, n), make([]Offer, n)
	for i := range needs {
		th, tp := theme()
		f, t := dates()
		needs[i] = Need{ID: fmt.Sprintf("n%05d", i), Themes: th, Topics: tp, Country: countries[r.IntN(len(countries))], Languages: pick(langs, 1+r.IntN(2)), From: f, To: t}
	}
	var regions []string
	for _, rg := range Themes.Regions {
		regions = append(regions, rg.ID)
	}
	for i := range offers {
		th, tp := theme()
		f, t := dates()
		o := Offer{ID: fmt.Sprintf("o%05d", i), Owner: fmt.Sprintf("donor%03d@node.test", r.IntN(300)), Themes: th, Topics: tp, Languages: pick(langs, 1+r.IntN(3)), From: f, To: t}
		switch x := r.IntN(6); {
		case x < 3:
			o.Countries = pick(countries, 1+r.IntN(5))
		case x < 5:
			o.Regions = pick(regions, 1+r.IntN(2))
		}
		offers[i] = o
	}
	return needs, offers
}

// BenchmarkMatch10kNeeds10kOffers indexes 10,000 offers and ranks them
// for each of 10,000 needs (the ten best kept): one op is the whole run.
// candidates/need is how many offers each need was compared with, against
// the 10,000 a full comparison would take.
func BenchmarkMatch10kNeeds10kOffers(b *testing.B) {
	needs, offers := world(10000)
	var projects []Project
	for i, o := range offers[:3000] {
		projects = append(projects, Project{Owner: o.Owner, Themes: o.Themes, Countries: []string{needs[i].Country}, Status: Completed})
	}
	h := PastWork(projects)
	var cands, kept int
	m := NewMatcher(offers, h)
	for _, n := range needs {
		cands += len(m.candidates(n))
	}
	b.ReportAllocs()
	for b.Loop() {
		m := NewMatcher(offers, h)
		kept = 0
		for _, n := range needs {
			kept += len(m.Match(n, 10))
		}
	}
	b.ReportMetric(float64(cands)/float64(len(needs)), "candidates/need")
	b.ReportMetric(float64(kept)/float64(len(needs)), "suggestions/need")
}
