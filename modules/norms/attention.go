package norms

import (
	"context"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/web"
)

// Notifier e-mails the people of an organisation; notify.People implements
// it.
type Notifier interface {
	NotifyOrg(ctx context.Context, tx *store.Tx, orgID string, roles []core.Role, k notify.Kind, path string, args notify.Args) error
}

// UseNotifier sets how the focal point is told that a report waits for
// approval; without one, nobody is e-mailed.
func (s *Service) UseNotifier(n Notifier) { s.notify = n }

// tellApprovers e-mails the people who may approve r (its organisation's
// focal points) that it was submitted, in the submitting transaction.
func (s *Service) tellApprovers(ctx context.Context, tx *store.Tx, r Report, by string) error {
	if s.notify == nil {
		return nil
	}
	return s.notify.NotifyOrg(ctx, tx, r.OrgID, []core.Role{core.RoleAdmin}, notify.ReportReview, "/reports/"+r.ID, notify.Args{"title": r.Title, "by": by})
}

// Waiting lists the reports of the actor's organisations that wait on the
// actor: in review where the actor approves, approved where the actor
// publishes.
func (s *Service) Waiting(ctx context.Context) ([]Report, error) {
	a := core.ActorFrom(ctx)
	approve, publish := access.Orgs(a, access.ReportApprove), access.Orgs(a, access.ReportPublish)
	var where []string
	var args []any
	for status, orgs := range map[string][]string{StatusInReview: approve, StatusApproved: publish} {
		if len(orgs) == 0 {
			continue
		}
		where = append(where, "(status = ? AND org_id IN ("+strings.TrimSuffix(strings.Repeat("?,", len(orgs)), ",")+"))")
		args = append(args, status)
		for _, o := range orgs {
			args = append(args, o)
		}
	}
	if len(where) == 0 {
		return nil, nil
	}
	var out []Report
	err := s.db.R().Select(ctx, &out, `SELECT id, org_id, title, status FROM norm_reports WHERE `+strings.Join(where, " OR ")+` ORDER BY updated_at, id LIMIT 20`, args...)
	return out, core.Wrap("norms: waiting", err)
}

// Attention implements web.AttentionSource: national reports waiting for the
// focal point's approval or publication.
func (m *Module) Attention(ctx context.Context, a core.Actor) ([]web.Attention, error) {
	rs, err := m.svc.Waiting(ctx)
	if err != nil {
		return nil, err
	}
	var out []web.Attention
	for _, r := range rs {
		key := "attn.report_approve"
		if r.Status == StatusApproved {
			key = "attn.report_publish"
		}
		out = append(out, web.Attention{Key: key, Args: []any{r.Title}, Link: "/reports/" + r.ID})
	}
	return out, nil
}
