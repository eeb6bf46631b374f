package economy

import (
	"context"
	"slices"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/links"
)

// Cell is what one agreement says on one topic: its provisions there, none
// when it does not cover it.
type Cell struct {
	Agreement  Agreement
	Provisions []Provision
}

// Row is a topic across every agreement.
type Row struct {
	Topic string
	Cells []Cell
}

// StatusRow is a country's status in every agreement ("" where it is not
// a party).
type StatusRow struct {
	Country  string
	Statuses []Step
}

// Tracker compares agreements topic by topic, and parties' statuses.
type Tracker struct {
	Agreements []Agreement
	Rows       []Row
	Parties    []StatusRow
}

// Tracker builds the comparison over every agreement, or over those named
// by ids.
func (s *Service) Tracker(ctx context.Context, ids ...string) (Tracker, error) {
	all, err := s.Agreements(ctx)
	if err != nil {
		return Tracker{}, err
	}
	var t Tracker
	for _, a := range all {
		if len(ids) == 0 || slices.Contains(ids, a.ID) {
			t.Agreements = append(t.Agreements, a)
		}
	}
	for _, topic := range Topics {
		row := Row{Topic: topic}
		for _, a := range t.Agreements {
			c := Cell{Agreement: a}
			for _, p := range a.Provisions {
				if p.Topic == topic {
					c.Provisions = append(c.Provisions, p)
				}
			}
			row.Cells = append(row.Cells, c)
		}
		t.Rows = append(t.Rows, row)
	}
	var countries []string
	for _, a := range t.Agreements {
		for _, p := range a.Parties {
			if !slices.Contains(countries, p.Country) {
				countries = append(countries, p.Country)
			}
		}
	}
	slices.Sort(countries)
	for _, c := range countries {
		r := StatusRow{Country: c}
		for _, a := range t.Agreements {
			p, _ := a.Party(c)
			r.Statuses = append(r.Statuses, p.Now())
		}
		t.Parties = append(t.Parties, r)
	}
	return t, nil
}

// Membership is a country's place in one agreement.
type Membership struct {
	Agreement Agreement
	Party     Party
}

// CountryView is what a country is party to and what it committed to.
type CountryView struct {
	Country     string
	Memberships []Membership
	Commitments []Commitment
	// Overdue are the commitments past their deadline, for the people
	// who keep them (Keeps) only.
	Overdue []Commitment
	// Keeps says the viewer writes commitments for this country (one of
	// their organisations represents it): the page offers the form.
	Keeps []string
	// Page is the page of commitments shown (from 0); More says another
	// follows.
	Page int
	More bool
}

// Country gathers a country's agreements, statuses and the commitments
// the actor may read (one page of them), with those overdue.
func (s *Service) Country(ctx context.Context, code string, page int) (CountryView, error) {
	v := CountryView{Country: code, Page: max(page, 0)}
	all, err := s.Agreements(ctx)
	if err != nil {
		return v, err
	}
	for _, a := range all {
		if p, ok := a.Party(code); ok {
			v.Memberships = append(v.Memberships, Membership{Agreement: a, Party: p})
		}
	}
	if v.Commitments, v.More, err = s.Commitments(ctx, Filter{Country: code, Page: v.Page}); err != nil {
		return v, err
	}
	for _, org := range access.Orgs(core.ActorFrom(ctx), access.EconomyCommit) {
		if c, err := s.countryOf(ctx, org); err == nil && c == code {
			v.Keeps = append(v.Keeps, org)
		}
	}
	// What needs attention is for the state's own people, who can act on
	// it; others see "overdue" beside the commitment. It is every overdue
	// one, whichever page of the list is shown.
	if len(v.Keeps) > 0 {
		if v.Overdue, _, err = s.Commitments(ctx, Filter{Country: code, Overdue: true}); err != nil {
			return v, err
		}
	}
	return v, nil
}

// LinkRef is the reference to a commitment, for internal/links.
func LinkRef(c Commitment) core.Ref {
	return core.Ref{Module: "economy", Kind: "commitment", ID: c.ID}
}

// AgreementRef is the reference to an agreement, for internal/links: an
// event (a forum on e-commerce) or a capacity project may be linked to it.
func AgreementRef(a Agreement) core.Ref {
	return core.Ref{Module: "economy", Kind: "agreement", ID: a.ID}
}

// AgreementLinkItems resolves references to agreements: facts about
// states, so anyone who may read the economy sees them.
func (s *Service) AgreementLinkItems(ctx context.Context, refs []core.Ref) ([]links.Item, error) {
	if access.Check(core.ActorFrom(ctx), access.EconomyRead, access.Resource{}) != nil {
		return nil, nil
	}
	all, err := s.Agreements(ctx)
	if err != nil {
		return nil, err
	}
	var out []links.Item
	for _, r := range refs {
		for _, a := range all {
			if r.Kind == "agreement" && r.Node == "" && r.ID == a.ID {
				out = append(out, links.Item{Ref: AgreementRef(a), Title: a.Short + " · " + a.NameEN, Kind: "links.kind.agreement", URL: "/economy/agreements/" + a.ID})
			}
		}
	}
	return out, nil
}

// LinkItems resolves references to commitments for the actor in ctx, in
// one query under access.CommitmentFilter: one they may not read is left
// out, as links.Resolver asks.
func (s *Service) LinkItems(ctx context.Context, refs []core.Ref) ([]links.Item, error) {
	var ids []any
	for _, r := range refs {
		if r.Module == "economy" && r.Kind == "commitment" && r.Node == "" {
			ids = append(ids, r.ID)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	cond, args := access.CommitmentFilter(core.ActorFrom(ctx))
	var rows []Commitment
	if err := s.db.R().Select(ctx, &rows, `SELECT `+commitmentColumns+` FROM eco_commitments c WHERE c.id IN (`+links.Marks(len(ids))+`) AND `+cond+` ORDER BY c.id`,
		append(ids, args...)...); err != nil {
		return nil, core.Wrap("economy: link items", err)
	}
	out := make([]links.Item, 0, len(rows))
	for _, c := range rows {
		out = append(out, links.Item{Ref: LinkRef(c), Title: c.What, Kind: "links.kind.commitment", At: c.CreatedAt, URL: "/economy/commitments/" + c.ID})
	}
	return out, nil
}

// deadlineTime is a commitment's deadline as a time, for the page's date
// function; zero when it has none.
func deadlineTime(c Commitment) time.Time {
	t, _ := time.Parse("2006-01-02", c.Deadline)
	return t
}
