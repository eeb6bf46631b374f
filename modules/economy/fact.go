package economy

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/internal/store"
)

// A fact is confirmed on this node by a person who may correct the
// agreement, who checked it against a source (the shipped one or a page
// they name): ConfirmFact records who, when and where. A correction that
// changes a fact drops its confirmation, and one that only restates
// "verified": true confirms nothing: a fact is verified here only with a
// person and a day behind it.

// Stop is one step of a party's timeline, with the key that names it as a
// fact (ConfirmFact).
type Stop struct {
	Step
	Key string
}

// Timeline is the party's statuses, oldest first, each with its fact key.
func (p Party) Timeline() []Stop {
	out := make([]Stop, len(p.History))
	for i, s := range p.History {
		out[i] = Stop{Step: s, Key: "party:" + p.Country + ":" + strconv.Itoa(i+1)}
	}
	return out
}

// Key names the provision as a fact (ConfirmFact).
func (p Provision) Key() string { return "provision:" + p.ID }

// ConfirmFact records that the actor checked the agreement's fact (a
// provision's key or a party's step's, see Key and Timeline) against
// source, an http(s) page; "" keeps the fact's own source. Only those who
// may correct the agreement confirm its facts.
func (s *Service) ConfirmFact(ctx context.Context, agreementID, fact, source string) (Agreement, error) {
	actor := core.ActorFrom(ctx)
	p := core.Problems{}
	source = strings.TrimSpace(source)
	if k := core.CheckText(source); k != "" {
		p.Add("source", k)
	} else if source != "" && checkSource(source) != nil {
		p.Add("source", "err.url")
	}
	if err := p.Err("economy: confirm fact"); err != nil {
		return Agreement{}, err
	}
	var a Agreement
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		var found bool
		var err error
		if a, found, err = s.lockAgreement(ctx, tx, agreementID); err != nil {
			return err
		}
		if !found {
			return errNoAgreement
		}
		if !CanCorrect(actor, a) {
			return core.E(core.KindForbidden, "economy", "err.forbidden")
		}
		f := a.fact(fact)
		if f == nil {
			p.Add("fact", "err.choice")
			return p.Err("economy: confirm fact")
		}
		if source != "" {
			f.Source = source
		}
		at := tx.Now
		f.Verified, f.ConfirmedBy, f.ConfirmedAt = true, actor.Name, &at
		if f.ConfirmedBy == "" {
			f.ConfirmedBy = actor.UserID
		}
		a.Corrected = a.Corrected || s.isShipped(a.ID)
		return s.write(ctx, tx, a, "economy.fact.confirm", fmt.Sprintf("%s against %s", fact, f.Source))
	})
	return a, core.Wrap("economy: confirm fact", err)
}

// fact returns the agreement's fact named by key, to change in place; nil
// when there is none.
func (a *Agreement) fact(key string) *Fact {
	kind, rest, _ := strings.Cut(key, ":")
	switch kind {
	case "provision":
		for i := range a.Provisions {
			if a.Provisions[i].ID == rest {
				return &a.Provisions[i].Fact
			}
		}
	case "party":
		country, n, _ := strings.Cut(rest, ":")
		i, err := strconv.Atoi(n)
		for j := range a.Parties {
			if p := &a.Parties[j]; p.Country == country && err == nil && i >= 1 && i <= len(p.History) {
				return &p.History[i-1].Fact
			}
		}
	}
	return nil
}

// keepConfirmations carries each fact's confirmation from old into a when
// the fact is unchanged, and clears it otherwise (see the comment at the
// top of this file).
func keepConfirmations(a *Agreement, old Agreement) {
	keep := func(f *Fact, was *Fact) {
		if was != nil && was.Verified && was.ConfirmedAt != nil && was.Source == f.Source && was.Note == f.Note {
			f.Verified, f.ConfirmedBy, f.ConfirmedAt = true, was.ConfirmedBy, was.ConfirmedAt
			return
		}
		f.Verified, f.ConfirmedBy, f.ConfirmedAt = false, "", nil
	}
	for i := range a.Provisions {
		p := &a.Provisions[i]
		var was *Fact
		if o, ok := old.Provision(p.ID); ok && o.Module == p.Module && o.Topic == p.Topic && o.Title == p.Title && o.TitleID == p.TitleID && o.Summary == p.Summary && o.SummaryID == p.SummaryID {
			was = &o.Fact
		}
		keep(&p.Fact, was)
	}
	for i := range a.Parties {
		p := &a.Parties[i]
		o, _ := old.Party(p.Country)
		for j := range p.History {
			var was *Fact
			if j < len(o.History) && o.History[j].Status == p.History[j].Status && o.History[j].On == p.History[j].On {
				was = &o.History[j].Fact
			}
			keep(&p.History[j].Fact, was)
		}
	}
}
