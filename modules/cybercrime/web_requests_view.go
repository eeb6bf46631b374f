package cybercrime

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"

	"entente.example/entente/internal/web"
)

// clockLine is the clock that matters now for a request, said in words
// (Key with Args already in the reader's language), and whether it has run
// out.
type clockLine struct {
	Key     string
	Args    []any
	Overdue bool
}

// clocks words a request's clock in one language at one moment.
type clocks struct {
	c    web.Catalog
	lang string
	now  time.Time
}

func (m *Module) clocks(lang string, now time.Time) clocks {
	return clocks{c: m.web.Catalog(), lang: lang, now: now}
}

// of picks the clock a reader needs: while the other side has not
// acknowledged, the time to acknowledge; once it has, the time to execute;
// once data is preserved, until when. A request that waits on nobody has
// none.
func (k clocks) of(r Request) clockLine {
	at := func(t *time.Time) string { return web.HumanTime(k.lang, t) }
	left := func(t *time.Time) string { return k.c.Until(k.lang, k.now, *t) }
	line := func(key string, t *time.Time) clockLine {
		if k.now.After(*t) {
			return clockLine{Key: key + "_over", Args: []any{at(t), left(t)}, Overdue: true}
		}
		return clockLine{Key: key, Args: []any{at(t), left(t)}}
	}
	switch {
	case r.Purged:
		return clockLine{}
	case r.State == StatePreserved && r.PreservedUntil != nil:
		return line("cyb.clock.preserved", r.PreservedUntil)
	case (r.State == StateSent || r.State == StateReceived) && r.RespondBy != nil:
		return line("cyb.clock.ack", r.RespondBy)
	case (r.State == StateAcknowledged || r.State == StatePartly) && r.ExecuteBy != nil:
		return line("cyb.clock.execute", r.ExecuteBy)
	case r.State == StateAcknowledged && r.Kind == KindPreservation:
		return clockLine{Key: "cyb.clock.preserve"}
	case r.State == StateDraft:
		return clockLine{Key: "cyb.clock.draft"}
	case r.State == StateApproved:
		return clockLine{Key: "cyb.clock.approved"}
	}
	return clockLine{}
}

// words says a request's parts in a language.
type words struct {
	c    web.Catalog
	lang string
}

// title names a request: its kind and the other side.
func (w words) title(r Request, other string) string {
	return w.c.T(w.lang, "cyb.title", w.c.T(w.lang, "cyb.kind."+string(r.Kind)), other)
}

// ask says in one sentence what the request asks of whom.
func (w words) ask(r Request, to string) string {
	return w.c.T(w.lang, "cyb.ask."+string(r.Kind), to)
}

// longMonths are the full month names of formal documents.
var longMonths = map[string][12]string{
	"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
	"id": {"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"},
}

// longDay renders a day as a formal document dates it: "14 February 2027".
func longDay(lang string, v any) string {
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		t = x
	case Date:
		t = x.Time
	case *time.Time:
		if x == nil {
			return ""
		}
		t = *x
	default:
		return ""
	}
	if t.IsZero() {
		return ""
	}
	names, ok := longMonths[lang]
	if !ok {
		names = longMonths["en"]
	}
	t = t.UTC()
	return fmt.Sprintf("%d %s %d", t.Day(), names[t.Month()-1], t.Year())
}

// reasonWords says why an instrument is not a basis (or the condition on
// it), with the instruments to use instead: "Indonesia is not a Party to
// the Budapest Convention: use the ASEAN MLA Treaty or the UN Convention".
func reasonWords(c web.Catalog, lang string, ins []Instrument, r Reason) string {
	s := c.T(lang, r.Key, r.Args(lang, ins, strings.ToLower(c.T(lang, "cyb.kind."+string(r.Kind))))...)
	// The messages are clauses ("the %s does not provide for…"); on its
	// own line the reason is a sentence.
	if rs := []rune(s); len(rs) > 0 {
		s = string(unicode.ToUpper(rs[0])) + string(rs[1:])
	}
	alts := r.AlternativeNames(lang, ins)
	if r.Key == ReasonRestriction || len(alts) == 0 {
		return s
	}
	return s + ": " + c.T(lang, "cyb.basis.use") + " " + strings.Join(alts, " "+c.T(lang, "cyb.basis.or")+" ")
}

// basisView is one legal-basis option as the form and the API say it.
type basisView struct {
	ID         string   `json:"instrument"`
	Name       string   `json:"name"`
	Article    string   `json:"article,omitempty"`
	Network    string   `json:"network,omitempty"`
	Allowed    bool     `json:"allowed"`
	Reason     string   `json:"reason,omitempty"`
	Warnings   []string `json:"warnings,omitempty"`
	Grounds    []ground `json:"grounds,omitempty"`
	Unverified []Fact   `json:"unverified,omitempty"`
	// Facts name the unverified facts in words, each with the place on the
	// instrument's page where an administrator confirms it.
	Facts []factView `json:"-"`
}

type factView struct{ Label, Href string }

// factViews names an option's unverified facts from their keys (FactKey):
// "whether Indonesia is bound by the ASEAN MLA Treaty".
func factViews(c web.Catalog, lang string, in Instrument, facts []Fact) []factView {
	page := "/cybercrime/instruments/" + url.PathEscape(in.ID)
	name := in.Name(lang)
	out := make([]factView, 0, len(facts))
	for _, f := range facts {
		parts := strings.SplitN(f.Key, ":", 3)
		item := ""
		if len(parts) == 3 {
			item = parts[2]
		}
		v := factView{Label: c.T(lang, "cyb.fact.label.other", name), Href: page}
		switch parts[0] {
		case "status":
			v = factView{Label: c.T(lang, "cyb.fact.label.status", name), Href: page + "#status"}
		case "kind":
			v = factView{Label: c.T(lang, "cyb.fact.label.kind", name, strings.ToLower(c.T(lang, "cyb.kind."+item))), Href: page + "#kinds"}
		case "party":
			v = factView{Label: c.T(lang, "cyb.fact.label.party", name, CountryName(item, lang)), Href: page + "#parties"}
		case "reservation":
			country := ""
			for _, r := range in.Reservations {
				if r.ID == item {
					country = CountryName(r.Country, lang)
				}
			}
			v = factView{Label: c.T(lang, "cyb.fact.label.reservation", name, country), Href: page + "#reservations"}
		}
		out = append(out, v)
	}
	return out
}

type ground struct {
	Code string `json:"code"`
	Text string `json:"text"`
}

func basisViews(c web.Catalog, lang string, b BasisChoice) []basisView {
	out := make([]basisView, 0, len(b.Options))
	for _, o := range b.Options {
		v := basisView{ID: o.Instrument.ID, Name: o.Instrument.Name(lang), Article: o.Article, Network: o.Network, Allowed: o.Allowed, Unverified: o.Unverified}
		if v.Article == "—" {
			v.Article = "" // no treaty, no article
		}
		if o.Reason != nil {
			v.Reason = reasonWords(c, lang, b.Instruments, *o.Reason)
		}
		for _, wr := range o.Warnings {
			v.Warnings = append(v.Warnings, reasonWords(c, lang, b.Instruments, wr))
		}
		for _, g := range o.Grounds {
			v.Grounds = append(v.Grounds, ground{Code: g, Text: c.T(lang, "cyb.ground."+g)})
		}
		v.Facts = factViews(c, lang, o.Instrument, o.Unverified)
		out = append(out, v)
	}
	return out
}
