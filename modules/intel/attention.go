package intel

import (
	"context"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
)

// Attention implements web.AttentionSource: subscriptions whose last pull
// from a peer failed, for the node administrators who run them. A working
// subscription is silent, so a failing one would otherwise go unseen until
// someone misses an indicator.
func (m *Module) Attention(ctx context.Context, a core.Actor) ([]web.Attention, error) {
	if access.Check(a, access.IntelAdmin, access.Resource{}) != nil {
		return nil, nil
	}
	subs, err := m.svc.Subscriptions(ctx)
	if err != nil {
		return nil, err
	}
	var out []web.Attention
	for _, s := range subs {
		if s.LastError != "" {
			out = append(out, web.Attention{Key: "attn.intel_sync_failed", Args: []any{s.Remote, s.PeerHost}, Link: "/admin/intel"})
		}
	}
	return out, nil
}
