package cybercrime

import (
	"context"
	"slices"

	"entente.example/entente/core"
)

// Counterpart is an organisation a request may go to, as the directory
// knows it: a state's authority (or a provider) on this node, on a verified
// peer, or in one of the actor's networks.
type Counterpart struct {
	Addr    string
	NameEN  string
	NameID  string
	Country string
	Kind    string // an organisation kind (core.OrgKind)
	// Network is the 24/7 network the counterpart is a point of contact
	// of, if any ("budapest-247"): the first place to route an urgent
	// request.
	Network string
	Local   bool
}

// Name returns the counterpart's name in lang.
func (c Counterpart) Name(lang string) string {
	if lang == "id" && c.NameID != "" {
		return c.NameID
	}
	return c.NameEN
}

// Directory is what the module needs of the points-of-contact directory:
// the organisations the actor can address, with the 24/7 network each is
// in. The directory module implements it (wired in modules/all); no module
// imports another.
type Directory interface {
	Counterparts(ctx context.Context) ([]Counterpart, error)
}

// Networks247 are the slugs of the 24/7 networks, in the order they are
// preferred: the Budapest Convention's (art. 35, also used by its Second
// Protocol's emergency articles), then the UN Convention's.
var Networks247 = []string{"budapest-247", "un-cybercrime-247"}

// Counterparts lists where a request may go, for the form: the 24/7
// networks' points of contact first. Without a directory, none.
func (s *Service) Counterparts(ctx context.Context) ([]Counterpart, error) {
	if s.dir == nil {
		return nil, nil
	}
	cs, err := s.dir.Counterparts(ctx)
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(cs, func(a, b Counterpart) int {
		switch {
		case a.Network != "" && b.Network == "":
			return -1
		case a.Network == "" && b.Network != "":
			return 1
		}
		return 0
	})
	return cs, nil
}

// toProblem says why a request of kind k from a body of the state
// fromCountry may not go to an organisation of the kind and country given,
// as a message key, or "" when it may. An invalid k is any kind: the form's
// first step, before the kind is chosen. A request between two bodies of
// one state is not international cooperation, and only states' bodies and
// companies answer requests: a university or an NGO is neither.
func toProblem(k Kind, toKind, toCountry, fromCountry string) string {
	company := toKind == string(core.OrgCompany)
	switch {
	case toCountry == "":
		return "err.cyb_to_country"
	case toCountry == fromCountry:
		return "err.cyb_to_same_state"
	case !company && !core.OrgKind(toKind).State():
		return "err.cyb_to_neither"
	case k.Valid() && !k.Reaches(company) && k.ToProvider():
		return "err.cyb_to_provider"
	case k.Valid() && !k.Reaches(company):
		return "err.cyb_to_authority"
	}
	return ""
}

// UseDirectory sets where counterparts are found.
func (s *Service) UseDirectory(d Directory) { s.dir = d }
