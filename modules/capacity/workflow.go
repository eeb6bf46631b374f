package capacity

import (
	"context"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store"
)

// The Clearing House workflow: a donor proposes one of its offers for an
// open need it can see, here or on a peer; the need's state accepts one
// proposal, which creates the project (the state owns it, the donor funds
// and implements it), closes the need and declines the others; or it
// declines one. Across nodes each step is a signed envelope
// (federation.go).

// Propose puts the offer forward for the need. The actor must write for
// the offer's organisation and see the need, which must be open. A need
// on a peer gets the proposal as a signed envelope; it waits there for
// the state's answer.
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
		// Take the need's row first (when it is this node's): a decision
		// or a closing at the same time sees this proposal, or this one
		// sees the need decided.
		if _, err := tx.Exec(ctx, `UPDATE cap_needs SET rev = rev WHERE id = ? AND origin = ''`, needID); err != nil {
			return core.Wrap("capacity: propose", err)
		}
		n, err := s.getNeed(ctx, tx.Conn, needID)
		if err != nil {
			return err
		}
		o, err := s.getOffer(ctx, tx.Conn, offerID)
		if err != nil {
			return err
		}
		if o.Origin != "" {
			return core.Problems{"offer": "err.cap_offer_not_yours"}.Err("capacity: propose")
		}
		if err := access.Check(a, access.CapacityWrite, access.Resource{OrgID: o.OrgID}); err != nil {
			return err
		}
		if n.Status != NeedOpen {
			return core.E(core.KindConflict, "capacity: propose", "err.cap_need_not_open")
		}
		if n.Origin != "" && s.fed == nil {
			return core.E(core.KindConflict, "capacity: propose", "err.cap_need_not_open")
		}
		p = Proposal{ID: federation.NewHostedID(tx.Now, s.node.Host()), NeedID: n.ID, OfferID: o.ID, OrgID: o.OrgID, Proposer: o.Owner, Note: note,
			Status: Proposed, CreatedAt: tx.Now, OfferTitle: o.Title}
		if n.Origin != "" {
			// The need's node reads the offer as it is now; later changes
			// follow as copies (publish counts the proposal).
			sent := o
			sent.SharedWith = onHost(o.SharedWith, n.Origin)
			if p.Statement, err = s.signedStatement(TypeProposal, proposalMsg{ID: p.ID, Need: n.ID, Offer: sent, Note: note, Proposer: o.Owner}); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO cap_proposals (id, need_id, offer_id, org_id, proposer, note, status, created_at, statement) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			p.ID, p.NeedID, p.OfferID, p.OrgID, p.Proposer, p.Note, p.Status, p.CreatedAt, p.Statement); err != nil {
			if core.KindOf(err) == core.KindConflict {
				return core.E(core.KindConflict, "capacity: propose", "err.cap_proposed_already")
			}
			return core.Wrap("capacity: propose", err)
		}
		if n.Origin != "" {
			from, _, _ := federation.Address(o.Owner)
			if err := s.sendStatement(ctx, tx, TypeProposal, from, n.Owner, p.Statement); err != nil {
				return err
			}
		} else if err := s.tell(ctx, tx, n.OrgID, notify.CapacityProposal, "/capacity/needs/"+n.ID+"#proposals",
			notify.Args{"need": n.Title, "offer": o.Title, "from": o.Owner}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "capacity.propose", "cap_need", n.ID, o.OrgID, o.Title)
	})
	return p, err
}

const proposalCols = `p.id, p.need_id, p.offer_id, p.org_id, p.proposer, p.note, p.status, p.project_id, p.created_at, p.decided_at,
	p.origin, p.reason, p.statement, p.decision_statement, o.title AS offer_title`

// Proposals lists the proposals for a need the actor sees: all of them to
// the need's own organisation, and to others only their own.
func (s *Service) Proposals(ctx context.Context, n Need) ([]Proposal, error) {
	a := core.ActorFrom(ctx)
	q := `SELECT ` + proposalCols + ` FROM cap_proposals p JOIN cap_offers o ON o.id = p.offer_id WHERE p.need_id = ?`
	args := []any{n.ID}
	if n.OrgID == "" || access.Check(a, access.CapacityRead, access.Resource{OrgID: n.OrgID}) != nil {
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
// organisation. Accepting creates the project, marks the need matched and
// declines the other open proposals; each donor is told, on its own node
// when it is on a peer.
func (s *Service) Decide(ctx context.Context, needID, proposalID string, accept bool) (Proposal, error) {
	a := core.ActorFrom(ctx)
	if err := access.Check(a, access.CapacityWrite, access.Resource{}); err != nil {
		return Proposal{}, err
	}
	var p Proposal
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		// Take the need's row first: two decisions at once, or a
		// proposal arriving meanwhile, wait for this one.
		if _, err := tx.Exec(ctx, `UPDATE cap_needs SET rev = rev WHERE id = ? AND origin = ''`, needID); err != nil {
			return core.Wrap("capacity: decide", err)
		}
		n, err := s.getNeed(ctx, tx.Conn, needID)
		if err != nil {
			return err
		}
		if n.Origin != "" || n.OrgID == "" {
			return core.E(core.KindForbidden, "capacity: decide", "err.forbidden")
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
		if !accept {
			if err := s.answer(ctx, tx, n, &p, Declined, "", ""); err != nil {
				return err
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
		proj.ID, proj.OrgID, proj.Owner, proj.CreatedAt, proj.UpdatedAt = federation.NewHostedID(tx.Now, s.node.Host()), n.OrgID, n.Owner, tx.Now, tx.Now
		if err := saveProject(ctx, tx, proj, true); err != nil {
			return err
		}
		if err := s.publish(ctx, tx, kindProject, proj.ID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE cap_needs SET status = ?, project_id = ?, updated_at = ? WHERE id = ?`, NeedMatched, proj.ID, tx.Now, n.ID); err != nil {
			return core.Wrap("capacity: accept", err)
		}
		if err := s.answer(ctx, tx, n, &p, Accepted, "", proj.ID); err != nil {
			return err
		}
		if err := s.declineOthers(ctx, tx, n, p.ID, ReasonMatched); err != nil {
			return err
		}
		if err := s.publish(ctx, tx, kindNeed, n.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "capacity.accept", "cap_need", n.ID, n.OrgID, proj.ID)
	})
	return p, err
}

// declineOthers declines every open proposal for the need but keep, for
// reason. The caller holds the need's row.
func (s *Service) declineOthers(ctx context.Context, tx *store.Tx, n Need, keep, reason string) error {
	var open []Proposal
	if err := tx.Select(ctx, &open, `SELECT `+proposalCols+` FROM cap_proposals p JOIN cap_offers o ON o.id = p.offer_id WHERE p.need_id = ? AND p.status = ? AND p.id <> ? ORDER BY p.id`,
		n.ID, Proposed, keep); err != nil {
		return core.Wrap("capacity: decline others", err)
	}
	for i := range open {
		if err := s.answer(ctx, tx, n, &open[i], Declined, reason, ""); err != nil {
			return err
		}
	}
	return nil
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

// OfferProposal is a proposal of an offer, with its need's title.
type OfferProposal struct {
	Proposal
	NeedTitle string `db:"need_title" json:"need_title"`
}

// OfferProposals lists what became of an offer's proposals, newest first,
// to the people of the offer's organisation (anyone else gets none).
func (s *Service) OfferProposals(ctx context.Context, o Offer) ([]OfferProposal, error) {
	a := core.ActorFrom(ctx)
	if o.OrgID == "" || access.Check(a, access.CapacityRead, access.Resource{OrgID: o.OrgID}) != nil {
		return nil, nil
	}
	var out []OfferProposal
	err := s.db.R().Select(ctx, &out, `SELECT `+proposalCols+`, n.title AS need_title FROM cap_proposals p JOIN cap_offers o ON o.id = p.offer_id
		JOIN cap_needs n ON n.id = p.need_id WHERE p.offer_id = ? ORDER BY p.id DESC LIMIT 200`, o.ID)
	return out, core.Wrap("capacity: offer proposals", err)
}
