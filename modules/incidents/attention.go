package incidents

import (
	"context"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/links"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/web"
)

// What incidents ask of people: on the home page, a shared incident that
// arrived from a peer lately (for those whose organisation may read it)
// and an incident of one's own organisation nobody has started to
// investigate; by e-mail, a shared incident when it first arrives.

const (
	// SharedFresh is how long an incident that arrived from a peer stays
	// on its readers' home page.
	SharedFresh = 7 * 24 * time.Hour
	// NewTooLong is how long an incident may stay 'new' in investigation
	// before its organisation's writers are reminded of it.
	NewTooLong = 3 * 24 * time.Hour
)

// Notifier e-mails the people of an organisation of this node who hold one
// of roles (notify.People).
type Notifier interface {
	NotifyOrg(ctx context.Context, tx *store.Tx, orgID string, roles []core.Role, k notify.Kind, path string, args notify.Args) error
}

// UseNotifier makes the service e-mail readers of incidents that arrive.
func (s *Service) UseNotifier(n Notifier) { s.notify = n }

// readerRoles are the roles that read incidents, as access decides it.
func readerRoles() []core.Role {
	var out []core.Role
	for _, r := range core.Roles {
		a := core.Actor{UserID: "u", Memberships: []core.Membership{{Org: core.OrgRef{ID: "o"}, Role: r}}}
		if access.Check(a, access.IncidentsRead, access.Resource{OrgID: "o"}) == nil {
			out = append(out, r)
		}
	}
	return out
}

// mailable reports whether an incident's label lets an e-mail name it:
// TLP:RED and TLP:AMBER+STRICT stay off mail servers the sharing did not
// choose, so their e-mail only says that something arrived.
func mailable(t core.TLP) bool { return t != core.TLPRed && t != core.TLPAmberStrict }

// arrived is called in the transaction that stores the first copy of a
// peer's incident: it marks when it arrived and e-mails the incident
// readers of each organisation here that may see it. An incident for the
// public is no one's in particular: it is on the home page, not mailed.
func (s *Service) arrived(ctx context.Context, tx *store.Tx, inc Incident) error {
	if _, err := tx.Exec(ctx, `UPDATE inc_incidents SET received_at = ? WHERE id = ?`, tx.Now, inc.ID); err != nil {
		return core.Wrap("incidents: arrived", err)
	}
	if s.notify == nil || inc.Audience == AudiencePublic {
		return nil
	}
	var orgs []struct {
		ID     string `db:"id"`
		Handle string `db:"handle"`
	}
	if err := tx.Select(ctx, &orgs, `SELECT id, handle FROM organisations ORDER BY handle`); err != nil {
		return core.Wrap("incidents: arrived", err)
	}
	kind, args := notify.IncidentSharedQuiet, notify.Args{}
	if mailable(inc.TLP) {
		kind, args = notify.IncidentShared, notify.Args{"from": inc.Node, "name": inc.Name, "tlp": "TLP:" + string(inc.TLP)}
	}
	roles := readerRoles()
	for _, o := range orgs {
		// The organisation sees the copy by the one rule every reading
		// of incidents goes through.
		f, fargs := access.IncidentFilter([]string{o.ID}, []string{o.Handle + "@" + s.Host()})
		var n int
		if err := tx.Get(ctx, &n, `SELECT COUNT(*) FROM inc_incidents i WHERE i.id = ? AND (`+f+`)`, append([]any{inc.ID}, fargs...)...); err != nil {
			return core.Wrap("incidents: arrived", err)
		}
		if n == 0 {
			continue
		}
		if err := s.notify.NotifyOrg(ctx, tx, o.ID, roles, kind, "/incidents/"+inc.ID, args); err != nil {
			return err
		}
	}
	return nil
}

// Waiting is what incidents ask of the actor in ctx: the peers' incidents
// that arrived in the last SharedFresh that the actor's organisations may
// read (newest first), and the incidents of the organisations they write
// for still 'new' after NewTooLong (oldest first).
func (s *Service) Waiting(ctx context.Context) (shared, stale []Incident, err error) {
	a := core.ActorFrom(ctx)
	now := s.Now()
	ids, addrs := access.IncidentReaders(a, s.Host())
	if len(ids) > 0 {
		f, fargs := access.IncidentFilter(ids, addrs)
		if err := s.db.R().Select(ctx, &shared, `SELECT `+prefixed+` FROM inc_incidents i WHERE i.org_id = '' AND i.received_at >= ? AND (`+f+`)
			ORDER BY i.received_at DESC, i.id DESC LIMIT 20`, append([]any{now.Add(-SharedFresh)}, fargs...)...); err != nil {
			return nil, nil, core.Wrap("incidents: waiting", err)
		}
	}
	if w := access.Orgs(a, access.IncidentsWrite); len(w) > 0 {
		args := []any{InvestigationNew, now.Add(-NewTooLong)}
		for _, o := range w {
			args = append(args, o)
		}
		if err := s.db.R().Select(ctx, &stale, `SELECT `+prefixed+` FROM inc_incidents i WHERE i.investigation = ? AND i.created_at < ? AND i.org_id IN (`+links.Marks(len(w))+`)
			ORDER BY i.created_at, i.id LIMIT 20`, args...); err != nil {
			return nil, nil, core.Wrap("incidents: waiting", err)
		}
	}
	return shared, stale, nil
}

// InvestigationNew is the investigation status of an incident nobody has
// started to investigate.
const InvestigationNew = "new"

// Attention implements web.AttentionSource.
func (m *Module) Attention(ctx context.Context, a core.Actor) ([]web.Attention, error) {
	shared, stale, err := m.svc.Waiting(core.WithActor(ctx, a))
	if err != nil {
		return nil, err
	}
	var out []web.Attention
	for _, i := range shared {
		out = append(out, web.Attention{Key: "attn.inc_shared", Args: []any{i.Node, i.Name}, Link: "/incidents/" + i.ID})
	}
	for _, i := range stale {
		out = append(out, web.Attention{Key: "attn.inc_new", Args: []any{i.Name}, Link: "/incidents/" + i.ID})
	}
	return out, nil
}

var _ web.AttentionSource = (*Module)(nil)
