package dialogue

import (
	"context"

	"entente.example/entente/core"
	"entente.example/entente/internal/web"
)

// Attention implements web.AttentionSource: contributions held for a
// moderator, and a summary the rapporteur owes (the dialogue closed
// without one, or the host returned it).
func (m *Module) Attention(ctx context.Context, a core.Actor) ([]web.Attention, error) {
	list, err := m.svc.List(ctx)
	if err != nil {
		return nil, err
	}
	var out []web.Attention
	for _, it := range list {
		v, err := m.svc.Get(ctx, it.ID)
		if err != nil {
			continue
		}
		if v.Held > 0 {
			out = append(out, web.Attention{Key: "attn.dlg_held", Args: []any{v.Held, v.D.Title}, Link: "/dialogue/" + v.D.ID + "#held"})
		}
		if len(v.Seat.Reports) > 0 {
			switch {
			case v.D.Summary.Status == SummaryReturned:
				out = append(out, web.Attention{Key: "attn.dlg_summary_returned", Args: []any{v.D.Title}, Link: "/dialogue/" + v.D.ID + "/summary"})
			case v.D.Status == StatusClosed && v.D.Summary.Status == SummaryNone:
				out = append(out, web.Attention{Key: "attn.dlg_summary_due", Args: []any{v.D.Title}, Link: "/dialogue/" + v.D.ID + "/summary"})
			}
		}
	}
	return out, nil
}
