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
	lang := web.Lang(ctx)
	org := m.orgNamer(ctx, lang)
	for _, f := range flows {
		out = append(out, web.Attention{Key: "attn.hum_fund_confirm", Args: []any{org(f.Donor), f.Currency + " " + FormatMoneyIn(lang, f.Amount), f.RefTitle},
			Link: "/humanitarian/flows/" + f.ID + "#confirm"})
	}
	return out, nil
}
