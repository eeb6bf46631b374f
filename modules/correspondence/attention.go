package correspondence

import (
	"context"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
)

// maxAttention bounds the messages listed on the home page; the inbox has
// the rest.
const maxAttention = 10

// Attention implements web.AttentionSource: messages whose sender asked for
// an acknowledgment that the actor's organisation has not given.
func (m *Module) Attention(ctx context.Context, a core.Actor) ([]web.Attention, error) {
	ms, err := m.svc.ToAcknowledge(ctx)
	if err != nil {
		return nil, err
	}
	var out []web.Attention
	for _, msg := range ms {
		out = append(out, web.Attention{Key: "attn.ack", Args: []any{msg.Subject, msg.From}, Link: "/mail/" + msg.ID, Due: msg.AckBy})
	}
	return out, nil
}

// ToAcknowledge lists the received messages that ask for an acknowledgment
// which none of the actor's organisations able to give it has given, the
// soonest due first. Each is read through the same rules as the inbox, so a
// message for named people only is listed for them only.
func (s *Service) ToAcknowledge(ctx context.Context) ([]Message, error) {
	orgs := access.Orgs(core.ActorFrom(ctx), access.MessageAck)
	if len(orgs) == 0 {
		return nil, nil
	}
	args := make([]any, len(orgs))
	for i, o := range orgs {
		args[i] = o
	}
	var ids []string
	if err := s.db.R().Select(ctx, &ids, `SELECT m.id FROM messages m JOIN message_recipients r ON r.message_id = m.id
		WHERE m.ack_by IS NOT NULL AND r.acked_at IS NULL AND r.to_org_id IN (`+strings.TrimSuffix(strings.Repeat("?,", len(orgs)), ",")+`)
		ORDER BY m.ack_by, m.id LIMIT 50`, args...); err != nil {
		return nil, core.Wrap("correspondence: to acknowledge", err)
	}
	var out []Message
	for _, id := range ids {
		if len(out) == maxAttention {
			break
		}
		if len(out) > 0 && out[len(out)-1].ID == id {
			continue // addressed to two of the actor's organisations
		}
		msg, err := s.Read(ctx, id, false)
		if core.KindOf(err) == core.KindNotFound || core.KindOf(err) == core.KindForbidden {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, msg)
	}
	return out, nil
}
