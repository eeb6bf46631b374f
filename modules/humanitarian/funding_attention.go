package humanitarian

import (
	"context"

	"entente.example/entente/core"
	"entente.example/entente/internal/web"
)

// fundingAttention lists the contributions reported to the reader's
// organisations that wait for their confirmation.
func (m *Module) fundingAttention(ctx context.Context, a core.Actor) ([]web.Attention, error) {
	flows, err := m.svc.WaitingFlows(ctx, a)
	if err != nil {
		return nil, err
	}
	out := make([]web.Attention, 0, len(flows))
	for _, f := range flows {
		out = append(out, web.Attention{Key: "attn.hum_fund_confirm", Args: []any{f.Donor, f.Currency + " " + FormatMoney(f.Amount), f.RefTitle},
			Link: "/humanitarian/flows/" + f.ID + "#confirm"})
	}
	return out, nil
}
