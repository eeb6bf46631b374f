package capacity

import (
	"context"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
)

// Waiting is a proposal that waits for the decision of an organisation the
// actor writes for: the need and the offer, by title.
type Waiting struct {
	NeedID     string `db:"need_id"`
	NeedTitle  string `db:"need_title"`
	OfferTitle string `db:"offer_title"`
	Proposer   string `db:"proposer"`
}

// Waiting lists the proposals that wait for the actor's organisations to
// accept or decline them, oldest first.
func (s *Service) Waiting(ctx context.Context) ([]Waiting, error) {
	ids := writerIDs(core.ActorFrom(ctx))
	if len(ids) == 0 {
		return nil, nil
	}
	var out []Waiting
	err := s.db.R().Select(ctx, &out, `SELECT n.id AS need_id, n.title AS need_title, o.title AS offer_title, p.proposer
		FROM cap_proposals p JOIN cap_needs n ON n.id = p.need_id JOIN cap_offers o ON o.id = p.offer_id
		WHERE p.status = 'proposed' AND n.status = 'open' AND n.origin = '' AND n.org_id IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")+`)
		ORDER BY p.created_at, p.id LIMIT 50`, ids...)
	return out, core.Wrap("capacity: waiting", err)
}

// Attention implements web.AttentionSource: the proposals that wait for
// the reader's organisations to decide, and their offers accepted lately.
func (m *Module) Attention(ctx context.Context, a core.Actor) ([]web.Attention, error) {
	ws, err := m.svc.Waiting(core.WithActor(ctx, a))
	if err != nil {
		return nil, err
	}
	out := make([]web.Attention, 0, len(ws))
	for _, w := range ws {
		out = append(out, web.Attention{Key: "attn.cap_proposal", Args: []any{w.OfferTitle, w.Proposer, w.NeedTitle}, Link: "/capacity/needs/" + w.NeedID + "#proposals"})
	}
	taken, err := m.svc.Taken(core.WithActor(ctx, a))
	if err != nil {
		return nil, err
	}
	for _, x := range taken {
		out = append(out, web.Attention{Key: "attn.cap_accepted", Args: []any{x.OfferTitle, x.NeedTitle}, Link: "/capacity/projects/" + x.ProjectID})
	}
	return out, nil
}

// Taken is an offer of an organisation the actor writes for that a state
// accepted lately: the donor has a project to start.
type Taken struct {
	NeedTitle  string    `db:"need_title"`
	OfferTitle string    `db:"offer_title"`
	ProjectID  string    `db:"project_id"`
	DecidedAt  time.Time `db:"decided_at"`
}

// takenFor is how long an accepted offer stays under "Needs your
// attention" on the donor's side.
const takenFor = 14 * 24 * time.Hour

// Taken lists the actor's organisations' offers accepted in the last two
// weeks, newest first.
func (s *Service) Taken(ctx context.Context) ([]Taken, error) {
	ids := writerIDs(core.ActorFrom(ctx))
	if len(ids) == 0 {
		return nil, nil
	}
	var out []Taken
	err := s.db.R().Select(ctx, &out, `SELECT n.title AS need_title, o.title AS offer_title, p.project_id, p.decided_at
		FROM cap_proposals p JOIN cap_needs n ON n.id = p.need_id JOIN cap_offers o ON o.id = p.offer_id
		WHERE p.status = 'accepted' AND p.origin = '' AND p.decided_at > ? AND p.org_id IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ")+`)
		ORDER BY p.decided_at DESC LIMIT 20`, append([]any{s.db.Clock().Now().Add(-takenFor)}, ids...)...)
	return out, core.Wrap("capacity: taken", err)
}

// writerIDs are the organisations the actor writes capacity records for.
func writerIDs(a core.Actor) []any {
	var ids []any
	for _, m := range a.Memberships {
		if access.Check(a, access.CapacityWrite, access.Resource{OrgID: m.Org.ID}) == nil {
			ids = append(ids, m.Org.ID)
		}
	}
	return ids
}
