package capacity

import (
	"context"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/store"
)

// The Clearing House workflow on one node: a donor proposes one of its
// offers for an open need it can see; the need's state accepts one
// proposal, which creates the project (the state owns it, the donor funds
// and implements it) and closes the need to other proposals; or it
// declines one.

// Propose puts the offer forward for the need. The actor must write for
// the offer's organisation and see the need, which must be open.
func (s *Service) Propose(ctx context.Context, needID, offerID, note string) (Proposal, error) {
	a := core.ActorFrom(ctx)
	if err := access.Check(a, access.CapacityWrite, access.Resource{}); err != nil {
		return Proposal{}, err
	}
	note = strings.TrimSpace(note)
	pr := core.Problems{}
	text(pr, "note", note, maxText, false)
	if err := pr.Err("capacity: propose"); err != nil {
		return Proposal{}, err
	}
	var p Proposal
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		n, err := s.getNeed(ctx, tx.Conn, needID)
		if err != nil {
			return err
		}
		o, err := s.getOffer(ctx, tx.Conn, offerID)
		if err != nil {
			return err
		}
		if err := access.Check(a, access.CapacityWrite, access.Resource{OrgID: o.OrgID}); err != nil {
			return err
		}
		if n.Status != NeedOpen {
			return core.E(core.KindConflict, "capacity: propose", "err.cap_need_not_open")
		}
		p = Proposal{ID: core.NewID(tx.Now), NeedID: n.ID, OfferID: o.ID, OrgID: o.OrgID, Proposer: o.Owner, Note: note, Status: Proposed,
			CreatedAt: tx.Now, OfferTitle: o.Title}
		if _, err := tx.Exec(ctx, `INSERT INTO cap_proposals (id, need_id, offer_id, org_id, proposer, note, status, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			p.ID, p.NeedID, p.OfferID, p.OrgID, p.Proposer, p.Note, p.Status, p.CreatedAt); err != nil {
			if core.KindOf(err) == core.KindConflict {
				return core.E(core.KindConflict, "capacity: propose", "err.cap_proposed_already")
			}
			return core.Wrap("capacity: propose", err)
		}
		return audit.Record(ctx, tx, "capacity.propose", "cap_need", n.ID, o.OrgID, o.Title)
	})
	return p, err
}

const proposalCols = `p.id, p.need_id, p.offer_id, p.org_id, p.proposer, p.note, p.status, p.project_id, p.created_at, p.decided_at, o.title AS offer_title`

// Proposals lists the proposals for a need the actor sees: all of them to
// the need's own organisation, and to others only their own.
func (s *Service) Proposals(ctx context.Context, n Need) ([]Proposal, error) {
	a := core.ActorFrom(ctx)
	q := `SELECT ` + proposalCols + ` FROM cap_proposals p JOIN cap_offers o ON o.id = p.offer_id WHERE p.need_id = ?`
	args := []any{n.ID}
	if _, ok := a.RoleIn(n.OrgID); !ok {
		ids, _ := access.CapacityReaders(a, s.node.Host())
		if len(ids) == 0 {
			return []Proposal{}, nil
		}
		q += ` AND p.org_id IN (` + strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ") + `)`
		for _, id := range ids {
			args = append(args, id)
		}
	}
	var out []Proposal
	if err := s.db.R().Select(ctx, &out, q+` ORDER BY p.id`, args...); err != nil {
		return nil, core.Wrap("capacity: proposals", err)
	}
	for i := range out {
		out[i].CreatedAt = out[i].CreatedAt.UTC()
	}
	return out, nil
}

// Decide accepts or declines a proposal for a need of the actor's
// organisation. Accepting creates the project and marks the need matched.
func (s *Service) Decide(ctx context.Context, needID, proposalID string, accept bool) (Proposal, error) {
	a := core.ActorFrom(ctx)
	if err := access.Check(a, access.CapacityWrite, access.Resource{}); err != nil {
		return Proposal{}, err
	}
	var p Proposal
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		n, err := s.getNeed(ctx, tx.Conn, needID)
		if err != nil {
			return err
		}
		if err := access.Check(a, access.CapacityWrite, access.Resource{OrgID: n.OrgID}); err != nil {
			return err
		}
		if err := tx.Get(ctx, &p, `SELECT `+proposalCols+` FROM cap_proposals p JOIN cap_offers o ON o.id = p.offer_id WHERE p.id = ? AND p.need_id = ?`, proposalID, n.ID); err != nil {
			return core.Wrap("capacity: decide", err)
		}
		if p.Status != Proposed || n.Status != NeedOpen {
			return core.E(core.KindConflict, "capacity: decide", "err.cap_decided")
		}
		now := tx.Now
		p.DecidedAt = &now
		if !accept {
			p.Status = Declined
			if _, err := tx.Exec(ctx, `UPDATE cap_proposals SET status = ?, decided_at = ? WHERE id = ?`, p.Status, now, p.ID); err != nil {
				return core.Wrap("capacity: decline", err)
			}
			return audit.Record(ctx, tx, "capacity.decline", "cap_need", n.ID, n.OrgID, p.OfferTitle)
		}
		var o offerRow
		if err := tx.Get(ctx, &o, `SELECT `+offerCols+` FROM cap_offers o WHERE o.id = ?`, p.OfferID); err != nil {
			return core.Wrap("capacity: accept", err)
		}
		offer, err := o.offer()
		if err != nil {
			return err
		}
		proj := projectFrom(n, offer)
		proj.ID, proj.OrgID, proj.Owner, proj.CreatedAt, proj.UpdatedAt = core.NewID(now), n.OrgID, n.Owner, now, now
		if _, err := tx.Exec(ctx, `INSERT INTO cap_projects (id, org_id, owner, title, summary, themes, topics, funders, implementers, countries, regions,
			budget, currency, start_on, end_on, status, outputs, contact, visibility, shared_with, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			proj.ID, proj.OrgID, proj.Owner, proj.Title, proj.Summary, list(proj.Themes), list(proj.Topics), list(proj.Funders), list(proj.Implementers),
			list(proj.Countries), list(proj.Regions), proj.Budget, proj.Currency, proj.Start, proj.End, string(proj.Status), list(proj.Outputs), proj.Contact,
			proj.Visibility, list(proj.SharedWith), now, now); err != nil {
			return core.Wrap("capacity: accept", err)
		}
		if err := s.share(ctx, tx, proj); err != nil {
			return err
		}
		p.Status, p.ProjectID = Accepted, proj.ID
		if _, err := tx.Exec(ctx, `UPDATE cap_proposals SET status = ?, decided_at = ?, project_id = ? WHERE id = ?`, p.Status, now, p.ProjectID, p.ID); err != nil {
			return core.Wrap("capacity: accept", err)
		}
		// The status check makes two acceptances at once one acceptance.
		nrows, err := tx.Exec(ctx, `UPDATE cap_needs SET status = ?, project_id = ?, updated_at = ? WHERE id = ? AND status = ?`, NeedMatched, proj.ID, now, n.ID, NeedOpen)
		if err != nil {
			return core.Wrap("capacity: accept", err)
		}
		if nrows != 1 {
			return core.E(core.KindConflict, "capacity: accept", "err.cap_decided")
		}
		return audit.Record(ctx, tx, "capacity.accept", "cap_need", n.ID, n.OrgID, proj.ID)
	})
	return p, err
}

// projectFrom is the project an accepted proposal makes: the need's
// subject, country and time frame, the offer's organisation as funder and
// implementer, seen by whoever saw the need and by the donor.
func projectFrom(n Need, o Offer) Project {
	p := Project{Title: n.Title, Summary: n.Description, Themes: n.Themes, Topics: n.Topics, Funders: []string{o.Owner}, Implementers: []string{o.Owner},
		Countries: []string{n.Country}, Regions: []string{}, Outputs: []string{}, Start: n.From, End: n.To, Status: Planned, Visibility: n.Visibility,
		SharedWith: append([]string{}, n.SharedWith...)}
	if o.BudgetMax > 0 {
		p.Budget, p.Currency = o.BudgetMax, o.Currency
	}
	if p.Visibility == Shared && !contains(p.SharedWith, o.Owner) {
		p.SharedWith = append(p.SharedWith, o.Owner)
	}
	return p
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}
