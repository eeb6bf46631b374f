package humanitarian

import (
	"context"

	"entente.example/entente/core"
	"entente.example/entente/internal/web"
)

// Attention implements web.AttentionSource: what waits for the person in
// each part of the module.
func (m *Module) Attention(ctx context.Context, a core.Actor) ([]web.Attention, error) {
	var out []web.Attention
	for _, part := range []func(context.Context, core.Actor) ([]web.Attention, error){m.reportAttention, m.fundingAttention} {
		items, err := part(ctx, a)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
	}
	return out, nil
}

// reportAttention lists, for each active emergency the person
// coordinates, the reports waiting for verification.
func (m *Module) reportAttention(ctx context.Context, a core.Actor) ([]web.Attention, error) {
	if len(a.Memberships) == 0 {
		return nil, nil
	}
	ctx = core.WithActor(ctx, a)
	list, err := m.svc.Emergencies(ctx)
	if err != nil {
		return nil, err
	}
	var out []web.Attention
	for _, e := range list {
		if !e.Open() || !m.svc.Coordinates(ctx, e) {
			continue
		}
		var n int
		if err := m.svc.db.R().Get(ctx, &n, `SELECT COUNT(*) FROM hum_reports WHERE emergency_id = ? AND status = ?`, e.ID, ReportNew); err != nil {
			return nil, err
		}
		if n > 0 {
			out = append(out, web.Attention{Key: "attn.hum_reports_waiting", Args: []any{e.Title, n}, Link: "/humanitarian/emergencies/" + e.ID + "/reports?status=new"})
		}
	}
	return out, nil
}
