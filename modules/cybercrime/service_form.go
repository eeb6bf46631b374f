package cybercrime

import (
	"context"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/federation"
)

// Sender is an organisation of this node the actor may draft requests for.
type Sender struct {
	ID      string `db:"id" json:"-"`
	Handle  string `db:"handle" json:"handle"`
	NameEN  string `db:"name_en" json:"name_en"`
	NameID  string `db:"name_id" json:"name_id"`
	Country string `db:"country" json:"country"`
	Kind    string `db:"kind" json:"kind"`
}

// Name returns the organisation's name in lang.
func (o Sender) Name(lang string) string {
	if lang == "id" && o.NameID != "" {
		return o.NameID
	}
	return o.NameEN
}

// Senders lists the actor's organisations it may draft requests for, for
// the form's "from" field.
func (s *Service) Senders(ctx context.Context) ([]Sender, error) {
	a := core.ActorFrom(ctx)
	var out []Sender
	for _, m := range a.Memberships {
		if access.Check(a, access.CybercrimeDraft, access.Resource{OrgID: m.Org.ID}) != nil {
			continue
		}
		var o Sender
		if err := s.db.R().Get(ctx, &o, `SELECT id, handle, name_en, name_id, country, kind FROM organisations WHERE id = ?`, m.Org.ID); err != nil {
			return nil, core.Wrap("cybercrime: senders", err)
		}
		out = append(out, o)
	}
	return out, nil
}

// instrumentLister is the Legal that can list its instruments: ListLegal's
// function or the node's Instruments.
type instrumentLister interface {
	List(ctx context.Context) ([]Instrument, error)
}

// Instruments returns the instruments the legal-basis check uses: the
// node's effective ones when the service was given them, else as shipped.
func (s *Service) Instruments(ctx context.Context) ([]Instrument, error) {
	switch l := s.legal.(type) {
	case ListLegal:
		return l.List(ctx)
	case instrumentLister:
		return l.List(ctx)
	}
	return Shipped()
}

// BasisChoice is the legal-basis options for a request the actor is
// drafting, with the instruments to name them by.
type BasisChoice struct {
	Options     []BasisOption
	Instruments []Instrument
}

// Bases considers every instrument as the basis of a request of kind k
// between the two states today, for the form and the API. Anyone who may
// draft a request may ask: it says nothing about any request.
func (s *Service) Bases(ctx context.Context, from, to string, k Kind) (BasisChoice, error) {
	a := core.ActorFrom(ctx)
	if err := access.Check(a, access.CybercrimeDraft, access.Resource{}); err != nil {
		return BasisChoice{}, err
	}
	p := core.Problems{}
	if !k.Valid() {
		p.Add("kind", "err.required")
	}
	if !validCountry(from) {
		p.Add("from", "err.cyb_country")
	}
	if !validCountry(to) {
		p.Add("to", "err.cyb_country")
	}
	if err := p.Err("cybercrime: bases"); err != nil {
		return BasisChoice{}, err
	}
	ins, err := s.Instruments(ctx)
	if err != nil {
		return BasisChoice{}, core.Wrap("cybercrime: bases", err)
	}
	return BasisChoice{Options: Bases(ins, from, to, k, s.db.Clock().Now()), Instruments: ins}, nil
}

func validCountry(c string) bool {
	if len(c) != 2 {
		return false
	}
	for _, r := range c {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

// Preservations lists the actor's organisation's preservation requests to
// an address, for the "follows" field of a request that comes after one.
func (s *Service) Preservations(ctx context.Context, fromHandle, to string) ([]Request, error) {
	a := core.ActorFrom(ctx)
	var orgID string
	for _, m := range a.Memberships {
		if m.Org.Handle == fromHandle {
			orgID = m.Org.ID
		}
	}
	if orgID == "" || access.Check(a, access.CybercrimeDraft, access.Resource{OrgID: orgID}) != nil {
		return nil, nil
	}
	var out []Request
	if err := s.db.R().Select(ctx, &out, `SELECT `+requestColumns+` FROM cyb_requests WHERE org_id = ? AND direction = 'out' AND kind = ? AND to_addr = ? AND purged = ?
		ORDER BY id DESC LIMIT 50`, orgID, string(KindPreservation), to, false); err != nil {
		return nil, core.Wrap("cybercrime: preservations", err)
	}
	for i := range out {
		if err := out[i].decode(); err != nil {
			return nil, core.Wrap("cybercrime: preservations", err)
		}
	}
	return out, nil
}

// Chain is the requests linked to one: the preservation it follows, and
// the requests that follow it, as this node holds them and the actor may
// read them.
type Chain struct {
	Follows  *Request
	Followed []Request
}

// Chain finds the requests linked to r on this node.
func (s *Service) Chain(ctx context.Context, r Request) (Chain, error) {
	var c Chain
	var rows []Request
	q := `SELECT ` + requestColumns + ` FROM cyb_requests WHERE org_id = ? AND from_addr = ? AND `
	if r.Follows != "" {
		if err := s.db.R().Select(ctx, &rows, q+`origin_id = ?`, r.OrgID, r.From, r.Follows); err != nil {
			return c, core.Wrap("cybercrime: chain", err)
		}
		if len(rows) > 0 {
			c.Follows = &rows[0]
		}
	}
	rows = nil
	if err := s.db.R().Select(ctx, &rows, q+`follows = ? ORDER BY id`, r.OrgID, r.From, r.OriginID); err != nil {
		return c, core.Wrap("cybercrime: chain", err)
	}
	c.Followed = rows
	return c, nil
}

// RequestReceipt is what the other node's signed receipt for a request or
// a step proves, checked now.
type RequestReceipt struct {
	federation.ReceiptCheck
	Request    Request
	EnvelopeID string
}

// CheckReceipt checks the receipt the other node gave for the request
// (event "") or for one of this node's steps. Whoever may read the request
// may see it.
func (s *Service) CheckReceipt(ctx context.Context, id, event string) (RequestReceipt, error) {
	r, err := s.Request(ctx, id)
	if err != nil {
		return RequestReceipt{}, err
	}
	raw, env := "", ""
	if event == "" && r.Direction == "out" {
		raw, env = r.Receipt, r.EnvelopeID
	}
	for _, e := range r.Events {
		if event != "" && e.ID == event {
			raw, env = e.Receipt, e.EnvelopeID
		}
	}
	if raw == "" {
		return RequestReceipt{}, errOp("receipt", core.KindNotFound, "err.not_found")
	}
	_, host, _ := federation.Address(r.other())
	return RequestReceipt{ReceiptCheck: s.fed.CheckReceipt(ctx, raw, env, host), Request: r, EnvelopeID: env}, nil
}

// Now is the service's clock, for pages that say how long is left.
func (s *Service) Now() time.Time { return s.db.Clock().Now() }

// Grounds are the refusal grounds the request's article permits under its
// basis, for the refusal form's choice.
func (s *Service) Grounds(r Request) []string { return s.legal.Grounds(r.Kind, r.Basis) }

// Named finds the organisations at the addresses in the directory, for
// pages that name them rather than show their addresses; an address the
// directory does not know is left out.
func (s *Service) Named(ctx context.Context, addrs ...string) map[string]Counterpart {
	out := map[string]Counterpart{}
	cs, err := s.Counterparts(ctx)
	if err != nil {
		return out // the pages fall back on the addresses
	}
	for _, c := range cs {
		for _, a := range addrs {
			if c.Addr == a {
				out[a] = c
			}
		}
	}
	return out
}
