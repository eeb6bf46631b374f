package cybercrime

import (
	"fmt"
	"slices"
	"time"
)

// The reasons a basis is not offered (or is offered with a condition), as
// catalogue keys. Every message takes the same arguments (Reason.Args):
// %[1]s the state concerned, %[2]s the instrument, %[3]s the kind, %[4]s a
// day, %[5]s a reservation's text; each uses the ones it needs.
const (
	ReasonSameState         = "cyb.reason.same_state"
	ReasonKindNotAllowed    = "cyb.reason.kind_not_allowed"
	ReasonNotInForce        = "cyb.reason.not_in_force"
	ReasonRequestingNoParty = "cyb.reason.requesting_not_party"
	ReasonRequestedNoParty  = "cyb.reason.requested_not_party"
	ReasonProviderNoParty   = "cyb.reason.provider_not_party"
	ReasonNotBound          = "cyb.reason.not_bound"   // signed or ratified, not bound
	ReasonBoundLater        = "cyb.reason.bound_later" // bound, but after the day asked about
	ReasonReservation       = "cyb.reason.reservation"
	ReasonRestriction       = "cyb.reason.restriction"
)

// Reason says why an instrument is not a basis for a request, or what
// condition limits it, with what a page needs to say it in words.
type Reason struct {
	Key        string
	Country    string // ISO 3166-1 alpha-2, when the reason is about a state
	Instrument string // the instrument's id
	Kind       Kind
	Date       Date   // when a state is bound, or the instrument in force
	Text       string // a reservation's own words
	// Alternatives are the instruments under which the same request is
	// allowed, by id, so the page can say "use the ASEAN MLA Treaty".
	Alternatives []string
}

// Args are the message's arguments in lang: the state's name, the
// instrument's name, the kind's label (kindLabel, from the catalogue), the
// day and the reservation's text.
func (r Reason) Args(lang string, instruments []Instrument, kindLabel string) []any {
	return []any{CountryName(r.Country, lang), instrumentName(instruments, r.Instrument, lang), kindLabel, longDay(lang, r.Date), r.Text}
}

// AlternativeNames names the alternatives in lang.
func (r Reason) AlternativeNames(lang string, instruments []Instrument) []string {
	out := make([]string, 0, len(r.Alternatives))
	for _, id := range r.Alternatives {
		out = append(out, instrumentName(instruments, id, lang))
	}
	return out
}

func instrumentName(ins []Instrument, id, lang string) string {
	for _, in := range ins {
		if in.ID == id {
			return in.Name(lang)
		}
	}
	return id
}

// BasisOption is one instrument considered as the legal basis of a request:
// allowed or not, and why not.
type BasisOption struct {
	Instrument Instrument
	Kind       Kind
	Article    string // the article that provides for the kind
	Network    string // the 24/7 network urgent requests go through
	Allowed    bool
	Reason     *Reason  // why not, when not Allowed
	Warnings   []Reason // conditions that hold though it is allowed
	Grounds    []string // the refusal grounds the article permits
	// Unverified are the facts this answer rests on that nobody has
	// verified: the page says so beside the answer.
	Unverified []Fact
}

// Bases considers every instrument as the basis of a request of kind k from
// the state from to the state to on the day on (for a request to a
// provider, to is the provider's country). Allowed options come first, in
// the instruments' order; each refused one says why, and names the allowed
// ones as alternatives. It is pure: the caller passes the effective
// instruments (shipped and the node's changes).
func Bases(instruments []Instrument, from, to string, k Kind, on time.Time) []BasisOption {
	out := make([]BasisOption, 0, len(instruments))
	for _, in := range instruments {
		out = append(out, consider(in, from, to, k, on))
	}
	var allowed []string
	for _, o := range out {
		if o.Allowed {
			allowed = append(allowed, o.Instrument.ID)
		}
	}
	for i := range out {
		if out[i].Reason != nil {
			out[i].Reason.Alternatives = allowed
		}
	}
	slices.SortStableFunc(out, func(a, b BasisOption) int {
		switch {
		case a.Allowed == b.Allowed:
			return 0
		case a.Allowed:
			return -1
		}
		return 1
	})
	return out
}

// ForProvider is Bases for the kinds that go to a company (a registrar, a
// service provider): the requested side is the state where the provider
// is. Other kinds are refused: they go to a state's authority.
func ForProvider(instruments []Instrument, from, providerCountry string, k Kind, on time.Time) ([]BasisOption, error) {
	if !k.ToProvider() {
		return nil, fmt.Errorf("cybercrime: %s is not asked of a provider", k)
	}
	return Bases(instruments, from, providerCountry, k, on), nil
}

// Allowed returns the option for one instrument if it is allowed, for the
// request's own check when it is drafted and sent.
func Allowed(options []BasisOption, instrument string) (BasisOption, bool) {
	for _, o := range options {
		if o.Instrument.ID == instrument {
			return o, o.Allowed
		}
	}
	return BasisOption{}, false
}

// consider decides one instrument. The order of the checks is the order in
// which a lawyer would say no: what the instrument cannot do at all, then
// whether it is in force, then whether each state is bound, then what a
// state has reserved. Only the first reason is given: it is the one to fix.
func consider(in Instrument, from, to string, k Kind, on time.Time) BasisOption {
	o := BasisOption{Instrument: in, Kind: k, Network: in.Network}
	no := func(r Reason) BasisOption {
		r.Instrument, r.Kind = in.ID, k
		o.Reason = &r
		return o
	}
	note := func(f Fact) {
		if !f.Verified {
			o.Unverified = append(o.Unverified, f)
		}
	}
	if from == to {
		return no(Reason{Key: ReasonSameState, Country: from})
	}
	rule, ok := in.Rule(k)
	if !ok {
		return no(Reason{Key: ReasonKindNotAllowed})
	}
	o.Article, o.Grounds = rule.Article, Grounds(k, in)
	note(rule.Fact)
	note(in.Status.Fact)
	if !in.InForceOn(on) {
		return no(Reason{Key: ReasonNotInForce, Date: in.Status.Since})
	}
	if !in.AllStates {
		notParty := ReasonRequestedNoParty
		if k.ToProvider() {
			notParty = ReasonProviderNoParty
		}
		for _, side := range []struct{ country, key string }{{from, ReasonRequestingNoParty}, {to, notParty}} {
			p, ok := in.Party(side.country)
			if !ok {
				return no(Reason{Key: side.key, Country: side.country})
			}
			note(p.Fact)
			switch {
			case p.Bound.IsZero():
				return no(Reason{Key: ReasonNotBound, Country: side.country})
			case !p.Bound.reached(on):
				return no(Reason{Key: ReasonBoundLater, Country: side.country, Date: p.Bound})
			}
		}
	}
	// A reservation that removes a kind removes it for the state's own
	// requests too: a state that does not apply an article neither answers
	// nor sends under it. A restriction is the requested state's condition
	// on what it will do, so only the requested state's is said.
	for _, r := range in.Reservations {
		if !slices.Contains(r.Kinds, k) || !r.applies(on) || (r.Country != from && r.Country != to) {
			continue
		}
		switch {
		case r.Effect == EffectRemoves:
			note(r.Fact)
			return no(Reason{Key: ReasonReservation, Country: r.Country, Text: r.Text, Date: r.From})
		case r.Country == to:
			note(r.Fact)
			o.Warnings = append(o.Warnings, Reason{Key: ReasonRestriction, Country: r.Country, Instrument: in.ID, Kind: k, Text: r.Text, Date: r.From})
		}
	}
	o.Allowed = true
	return o
}

// Grounds are the refusal grounds the requested side may give for a request
// of kind k under the instrument, as keys under cyb.ground: the article's
// (Specs), unless the instrument has its own (a treaty's list for stored
// data), plus any it adds.
func Grounds(k Kind, in Instrument) []string {
	base := Specs[k].Grounds
	rule, ok := in.Rule(k)
	if ok && rule.Grounds != nil {
		base = rule.Grounds
	}
	out := slices.Clone(base)
	if ok {
		for _, g := range rule.GroundsAdd {
			if !slices.Contains(out, g) {
				out = append(out, g)
			}
		}
	}
	return out
}
