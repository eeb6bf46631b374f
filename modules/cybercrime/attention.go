package cybercrime

import (
	"context"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
)

// Waiting lists the requests that wait on the actor: drafts to approve and
// approved requests to send (for approvers), requests to acknowledge and
// to execute (for the requested side), and preservations that end within
// RemindBefore or have ended (for both sides).
func (s *Service) Waiting(ctx context.Context) ([]Request, error) {
	a := core.ActorFrom(ctx)
	orgs := access.Orgs(a, access.CybercrimeRead)
	if len(orgs) == 0 {
		return nil, nil
	}
	approve := access.Orgs(a, access.CybercrimeApprove)
	now := s.db.Clock().Now()
	marks := func(n int) string { return strings.TrimSuffix(strings.Repeat("?,", n), ",") }
	var args []any
	for _, o := range orgs {
		args = append(args, o)
	}
	cond := []string{
		`direction = 'in' AND state IN ('sent', 'received', 'acknowledged', 'partly_executed')`,
		`state = 'preserved' AND preserved_until < ?`,
	}
	args = append(args, now.Add(RemindBefore))
	if len(approve) > 0 {
		cond = append(cond, `direction = 'out' AND state IN ('draft', 'approved') AND org_id IN (`+marks(len(approve))+`)`)
		for _, o := range approve {
			args = append(args, o)
		}
	}
	var out []Request
	err := s.db.R().Select(ctx, &out, `SELECT `+requestColumns+` FROM cyb_requests WHERE purged = FALSE AND org_id IN (`+marks(len(orgs))+`) AND (`+
		strings.Join(cond, " OR ")+`) ORDER BY id DESC LIMIT 50`, args...)
	return out, core.Wrap("cybercrime: waiting", err)
}

// Attention implements web.AttentionSource.
func (m *Module) Attention(ctx context.Context, a core.Actor) ([]web.Attention, error) {
	rs, err := m.svc.Waiting(ctx)
	if err != nil {
		return nil, err
	}
	now := m.svc.db.Clock().Now()
	var others []string
	for _, r := range rs {
		others = append(others, r.other())
	}
	// The other side by its name, in the reader's language, where the
	// directory knows it; its address otherwise.
	names := m.svc.Named(ctx, others...)
	lang := a.Lang
	var out []web.Attention
	for _, r := range rs {
		other := r.other()
		if c, ok := names[other]; ok {
			other = c.Name(lang)
		}
		at := web.Attention{Args: []any{other}, Link: "/cybercrime/requests/" + r.ID}
		var due *time.Time
		switch {
		case r.State == StateDraft:
			at.Key = "attn.cyb_approve"
		case r.State == StateApproved:
			at.Key = "attn.cyb_send"
		case r.State == StatePreserved && r.PreservedUntil != nil && !now.Before(*r.PreservedUntil):
			at.Key = "attn.cyb_preservation_over"
		case r.State == StatePreserved:
			at.Key, due = "attn.cyb_preservation", r.PreservedUntil
		case r.State == StateAcknowledged || r.State == StatePartly:
			at.Key, due = "attn.cyb_execute", r.ExecuteBy
		default:
			at.Key, due = "attn.cyb_incoming", r.RespondBy
		}
		at.Due = due
		out = append(out, at)
	}
	return out, nil
}

var _ web.AttentionSource = (*Module)(nil)
