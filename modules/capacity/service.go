package capacity

import (
	"context"
	"slices"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/store"
)

// Node is what the service needs of the node: its host name, which makes an
// organisation's address (handle@host).
type Node interface {
	Host() string
}

// Service is the use cases of capacity building.
type Service struct {
	db     *store.DB
	node   Node
	fed    Fed      // nil: this node alone
	notify Notifier // nil: nobody is e-mailed
}

// NewService returns the service.
func NewService(db *store.DB, node Node) *Service { return &Service{db: db, node: node} }

// Writable lists the organisations for which the actor may write projects,
// needs and offers: the choices of a form's owner.
func Writable(a core.Actor) []core.OrgRef {
	var out []core.OrgRef
	for _, m := range a.Memberships {
		if access.Check(a, access.CapacityWrite, access.Resource{OrgID: m.Org.ID}) == nil {
			out = append(out, m.Org)
		}
	}
	return out
}

func writerOrg(a core.Actor, handle string) (core.OrgRef, bool) {
	for _, o := range Writable(a) {
		if o.Handle == handle {
			return o, true
		}
	}
	return core.OrgRef{}, false
}

// Create records a project owned by the actor's organisation org (its
// handle).
func (s *Service) Create(ctx context.Context, org string, p Project) (Project, error) {
	a := core.ActorFrom(ctx)
	if err := access.Check(a, access.CapacityWrite, access.Resource{}); err != nil {
		return Project{}, err
	}
	pr := p.Validate()
	o, ok := writerOrg(a, org)
	if !ok {
		pr.Add("org", "err.org_unknown")
	}
	if err := pr.Err("capacity: create project"); err != nil {
		return p, err
	}
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		p.ID, p.OrgID, p.Owner, p.Origin = federation.NewHostedID(tx.Now, s.node.Host()), o.ID, o.Handle+"@"+s.node.Host(), ""
		p.CreatedAt, p.UpdatedAt = tx.Now, tx.Now
		if err := saveProject(ctx, tx, p, true); err != nil {
			return err
		}
		if err := s.publish(ctx, tx, kindProject, p.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "capacity.project.create", "cap_project", p.ID, o.ID, p.Title)
	})
	return p, err
}

// Update changes a project its organisation owns.
func (s *Service) Update(ctx context.Context, id string, p Project) (Project, error) {
	a := core.ActorFrom(ctx)
	old, err := s.Get(ctx, id)
	if err != nil {
		return Project{}, err
	}
	// A peer's copy has no organisation here: nobody here changes it.
	if old.Origin != "" || old.OrgID == "" {
		return Project{}, core.E(core.KindForbidden, "capacity: update project", "err.forbidden")
	}
	if err := access.Check(a, access.CapacityWrite, access.Resource{OrgID: old.OrgID}); err != nil {
		return Project{}, err
	}
	if err := p.Validate().Err("capacity: update project"); err != nil {
		return p, err
	}
	p.ID, p.OrgID, p.Owner, p.Origin, p.CreatedAt = old.ID, old.OrgID, old.Owner, "", old.CreatedAt
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		p.UpdatedAt = tx.Now
		if err := saveProject(ctx, tx, p, false); err != nil {
			return err
		}
		if err := s.publish(ctx, tx, kindProject, p.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "capacity.project.update", "cap_project", p.ID, p.OrgID, p.Title)
	})
	return p, err
}

const projectCols = `p.id, p.org_id, p.owner, p.title, p.summary, p.themes, p.topics, p.funders, p.implementers, p.countries, p.regions,
	p.budget, p.currency, p.start_on, p.end_on, p.status, p.outputs, p.contact, p.visibility, p.shared_with, p.origin, p.rev, p.created_at, p.updated_at`

// Get returns a project the actor may see; any other is not found.
func (s *Service) Get(ctx context.Context, id string) (Project, error) {
	fs, args := access.CapacityFilter(access.CapacityReaders(core.ActorFrom(ctx), s.node.Host()))
	var r row
	if err := s.db.R().Get(ctx, &r, `SELECT `+projectCols+` FROM cap_projects p WHERE p.id = ? AND (`+fs+`)`, append([]any{id}, args...)...); err != nil {
		return Project{}, core.Wrap("capacity: get project", err)
	}
	return r.project()
}

// Filter narrows a list of projects. Zero fields match everything.
type Filter struct {
	Theme   string
	Country string
	Status  Status
	Before  string // a page: the projects listed after this id (newest first)
	Limit   int    // at most this many (500 when 0)
}

// List returns the projects the actor may see, newest first, narrowed by f.
// Values outside the vocabulary match nothing rather than everything, so a
// mistyped filter is visible as an empty list.
func (s *Service) List(ctx context.Context, f Filter) ([]Project, error) {
	fs, args := access.CapacityFilter(access.CapacityReaders(core.ActorFrom(ctx), s.node.Host()))
	where := []string{"(" + fs + ")"}
	// Checked against the vocabulary before they go into a LIKE: they hold
	// no wildcard, and JSON quotes them.
	if f.Theme != "" {
		if _, ok := Themes.Theme(f.Theme); !ok {
			return []Project{}, nil
		}
		where, args = append(where, `p.themes LIKE ?`), append(args, `%"`+f.Theme+`"%`)
	}
	if c := strings.ToUpper(f.Country); c != "" {
		if len(c) != 2 || strings.Trim(c, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != "" {
			return []Project{}, nil
		}
		where, args = append(where, `p.countries LIKE ?`), append(args, `%"`+c+`"%`)
	}
	if f.Status != "" {
		if !slices.Contains(Statuses, f.Status) {
			return []Project{}, nil
		}
		where, args = append(where, `p.status = ?`), append(args, string(f.Status))
	}
	if f.Before != "" {
		where, args = append(where, `p.id < ?`), append(args, f.Before)
	}
	var rows []row
	if err := s.db.R().Select(ctx, &rows, `SELECT `+projectCols+` FROM cap_projects p WHERE `+strings.Join(where, " AND ")+` ORDER BY p.id DESC LIMIT `+limit(f.Limit), args...); err != nil {
		return nil, core.Wrap("capacity: list projects", err)
	}
	out := make([]Project, 0, len(rows))
	for _, r := range rows {
		p, err := r.project()
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}
