package capacity

import (
	"math/bits"
	"slices"
	"sync"
	"time"
)

// Matching ranks offers against a need. Three things are required of an
// offer: a theme in common with the need, the need's country among the
// places it serves (the country, a region holding it, or anywhere when it
// names none), and a time frame that overlaps the need's (an open end
// overlaps everything). Among those, points, each with its reason:
//
//	topics in common      up to 40 (40 × shared ÷ the need's topics)
//	only a theme shared   15, when no topic is
//	the country named     25; a region holding it 15; anywhere 5
//	a language in common  10
//	the time frame        10 × the share of the need's frame covered (10 if the need's is open)
//	past projects         5 a project of the offerer's in a shared theme, at most 10;
//	                      5 a project in the need's country, at most 10
//
// Ties go to the offer with the smaller id, so the ranking is the same
// every time for the same input.
const (
	pointsTopics      = 40
	pointsTheme       = 15
	pointsCountry     = 25
	pointsRegion      = 15
	pointsAnywhere    = 5
	pointsLanguage    = 10
	pointsTiming      = 10
	pointsPastEach    = 5
	pointsPastMaximum = 10
)

// Reason is one thing that brought an offer and a need together. Code
// names it (topics, theme, country, region, anywhere, language, timing,
// past_theme, past_country); Items are the topics, themes, countries,
// regions or languages concerned; N counts past projects or days.
type Reason struct {
	Code   string   `json:"code"`
	Points int      `json:"points"`
	Items  []string `json:"items,omitempty"`
	N      int      `json:"n,omitempty"`
}

// Suggestion is an offer ranked for a need.
type Suggestion struct {
	Offer   *Offer   `json:"offer"`
	Score   int      `json:"score"`
	Reasons []Reason `json:"reasons"`
}

// History is the past projects each organisation (by address) took part in
// as owner, funder or implementer, counted by theme and by country.
type History struct {
	theme   map[string]map[string]int
	country map[string]map[string]int
}

// PastWork counts who did what where in projects.
func PastWork(projects []Project) History {
	h := History{theme: map[string]map[string]int{}, country: map[string]map[string]int{}}
	for _, p := range projects {
		if p.Status == Cancelled {
			continue
		}
		who := []string{p.Owner}
		for _, x := range append(slices.Clone(p.Funders), p.Implementers...) {
			if validAddr(x) && !slices.Contains(who, x) {
				who = append(who, x)
			}
		}
		for _, w := range who {
			for _, t := range p.Themes {
				add(h.theme, w, t)
			}
			for _, c := range p.Countries {
				add(h.country, w, c)
			}
		}
	}
	return h
}

func add(m map[string]map[string]int, k1, k2 string) {
	if m[k1] == nil {
		m[k1] = map[string]int{}
	}
	m[k1][k2]++
}

// indexed is an offer with what matching compares made ready once: sets
// as bits, dates as days, the offerer's history looked up.
type indexed struct {
	o                       *Offer
	from, to                int // days since 1970; open ends are minDay and maxDay
	themes, topics, regions uint64
	langs                   uint64
	pastTheme, pastCountry  map[string]int
}

const (
	minDay = -1 << 30
	maxDay = 1 << 30
)

// Matcher holds offers indexed by theme and place, so a need is compared
// only with the offers that share a theme and serve its country — not
// with every offer.
type Matcher struct {
	offers []indexed
	// by theme, then by place (a country code, a region id, or "*" for
	// offers open to anywhere): indices into offers.
	index   map[string]map[string][]int32
	history History
	// languages are numbered as the offers name them, for their sets;
	// past 64 the rest have no bit and match nothing.
	lang map[string]uint
	seen sync.Pool // *[]bool as long as offers, all false between uses
}

// NewMatcher indexes offers. The offers are not copied: the suggestions
// point to them.
func NewMatcher(offers []Offer, h History) *Matcher {
	m := &Matcher{offers: make([]indexed, len(offers)), index: map[string]map[string][]int32{}, history: h, lang: map[string]uint{}}
	m.seen.New = func() any { b := make([]bool, len(offers)); return &b }
	for i := range offers {
		o := &offers[i]
		for _, l := range o.Languages {
			if _, ok := m.lang[l]; !ok && len(m.lang) < 64 {
				m.lang[l] = uint(len(m.lang))
			}
		}
		m.offers[i] = indexed{o: o, from: day(o.From, minDay), to: day(o.To, maxDay), themes: Themes.themeSet(o.Themes), topics: Themes.topicSet(o.Topics), regions: Themes.regionSet(o.Regions), langs: set(m.lang, o.Languages),
			pastTheme: h.theme[o.Owner], pastCountry: h.country[o.Owner]}
		places := append(slices.Clone(o.Countries), o.Regions...)
		if len(places) == 0 {
			places = []string{"*"}
		}
		for _, t := range o.Themes {
			if m.index[t] == nil {
				m.index[t] = map[string][]int32{}
			}
			for _, pl := range places {
				m.index[t][pl] = append(m.index[t][pl], int32(i))
			}
		}
	}
	return m
}

func day(s string, open int) int {
	if s == "" {
		return open
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return open
	}
	return int(t.Unix() / 86400)
}

// Match ranks the offers for n, best first, at most limit of them (all
// when limit ≤ 0). Every candidate is scored in numbers only; the reasons,
// which allocate, are written for the ones kept.
func (m *Matcher) Match(n Need, limit int) []Suggestion {
	cand := m.candidates(n)
	q := m.prepare(n)
	type ranked struct {
		score int
		i     int32
	}
	better := func(a, b ranked) bool {
		return a.score > b.score || a.score == b.score && m.offers[a.i].o.ID < m.offers[b.i].o.ID
	}
	var top []ranked
	for _, i := range cand {
		x := &m.offers[i]
		if x.to < q.from || q.to < x.from {
			continue
		}
		r := ranked{m.points(q, x, nil), i}
		if limit > 0 && len(top) == limit && !better(r, top[limit-1]) {
			continue
		}
		// Insertion keeps top sorted; with a limit it stays short.
		at, _ := slices.BinarySearchFunc(top, r, func(a, b ranked) int {
			if better(a, b) {
				return -1
			}
			return 1
		})
		top = slices.Insert(top, at, r)
		if limit > 0 && len(top) > limit {
			top = top[:limit]
		}
	}
	out := make([]Suggestion, len(top))
	for k, r := range top {
		s := Suggestion{Offer: m.offers[r.i].o}
		s.Score = m.points(q, &m.offers[r.i], &s.Reasons)
		out[k] = s
	}
	return out
}

// query is a need made ready for comparing.
type query struct {
	n              *Need
	from, to       int
	themes, topics uint64
	regions        uint64 // the regions holding its country
	langs          uint64
}

func (m *Matcher) prepare(n Need) query {
	return query{n: &n, from: day(n.From, minDay), to: day(n.To, maxDay), themes: Themes.themeSet(n.Themes), topics: Themes.topicSet(n.Topics),
		regions: Themes.regionSet(Themes.RegionsOf(n.Country)), langs: set(m.lang, n.Languages)}
}

// candidates are the offers that share a theme with n and serve its
// country, each once, in index order.
func (m *Matcher) candidates(n Need) []int32 {
	places := append([]string{n.Country, "*"}, Themes.RegionsOf(n.Country)...)
	seenp := m.seen.Get().(*[]bool)
	seen := *seenp
	var cand []int32
	for _, t := range n.Themes {
		for _, pl := range places {
			for _, i := range m.index[t][pl] {
				if !seen[i] {
					seen[i] = true
					cand = append(cand, i)
				}
			}
		}
	}
	for _, i := range cand {
		seen[i] = false
	}
	m.seen.Put(seenp)
	return cand
}

// points scores an offer that passed the required checks; with reasons
// set, it writes them too. One function for both, so the numbers ranked
// are the numbers explained.
func (m *Matcher) points(q query, x *indexed, reasons *[]Reason) int {
	n, o := q.n, x.o
	total := 0
	reason := func(pts int, r func() Reason) {
		total += pts
		if reasons != nil {
			rr := r()
			rr.Points = pts
			*reasons = append(*reasons, rr)
		}
	}
	if shared := bits.OnesCount64(q.topics & x.topics); shared > 0 {
		reason(pointsTopics*shared/len(n.Topics), func() Reason { return Reason{Code: "topics", Items: common(n.Topics, o.Topics), N: len(n.Topics)} })
	} else {
		reason(pointsTheme, func() Reason { return Reason{Code: "theme", Items: common(n.Themes, o.Themes)} })
	}
	switch {
	case slices.Contains(o.Countries, n.Country):
		reason(pointsCountry, func() Reason { return Reason{Code: "country", Items: []string{n.Country}} })
	case q.regions&x.regions != 0:
		reason(pointsRegion, func() Reason { return Reason{Code: "region", Items: common(Themes.RegionsOf(n.Country), o.Regions)} })
	default:
		reason(pointsAnywhere, func() Reason { return Reason{Code: "anywhere"} })
	}
	if q.langs&x.langs != 0 {
		reason(pointsLanguage, func() Reason { return Reason{Code: "language", Items: common(n.Languages, o.Languages)} })
	}
	// The share of the need's frame the offer covers (an offer's open end
	// covers to that side); a need with an open end has no frame to
	// measure, only the overlap already required.
	pts, days := pointsTiming, 0
	if q.from != minDay && q.to != maxDay {
		days = min(q.to, x.to) - max(q.from, x.from) + 1
		pts = pointsTiming * days / (q.to - q.from + 1)
	}
	reason(pts, func() Reason { return Reason{Code: "timing", N: days} })
	if x.pastTheme != nil {
		count := 0
		for _, t := range n.Themes {
			if b, ok := Themes.themeBit[t]; ok && x.themes&(1<<b) != 0 {
				count += x.pastTheme[t]
			}
		}
		if count > 0 {
			reason(min(count*pointsPastEach, pointsPastMaximum), func() Reason {
				var themes []string
				for _, t := range n.Themes {
					if x.pastTheme[t] > 0 && slices.Contains(o.Themes, t) {
						themes = append(themes, t)
					}
				}
				return Reason{Code: "past_theme", Items: themes, N: count}
			})
		}
	}
	if c := x.pastCountry[n.Country]; c > 0 {
		reason(min(c*pointsPastEach, pointsPastMaximum), func() Reason { return Reason{Code: "past_country", Items: []string{n.Country}, N: c} })
	}
	return total
}

// common returns the entries of a also in b, in a's order.
func common(a, b []string) []string {
	var out []string
	for _, x := range a {
		if slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}
