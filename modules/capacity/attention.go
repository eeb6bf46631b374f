package capacity

import (
	"context"
	"strings"

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
	var ids []any
	a := core.ActorFrom(ctx)
	for _, m := range a.Memberships {
		if access.Check(a, access.CapacityWrite, access.Resource{OrgID: m.Org.ID}) == nil {
			ids = append(ids, m.Org.ID)
		}
	}
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
// the reader's organisations to decide.
func (m *Module) Attention(ctx context.Context, a core.Actor) ([]web.Attention, error) {
	ws, err := m.svc.Waiting(core.WithActor(ctx, a))
	if err != nil {
		return nil, err
	}
	out := make([]web.Attention, 0, len(ws))
	for _, w := range ws {
		out = append(out, web.Attention{Key: "attn.cap_proposal", Args: []any{w.OfferTitle, w.Proposer, w.NeedTitle}, Link: "/capacity/needs/" + w.NeedID + "#proposals"})
	}
	return out, nil
}
