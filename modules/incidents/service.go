package incidents

import (
	"context"
	"embed"
	"errors"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/store"
)

//go:embed schema/*.sql
var schemaFS embed.FS

// Migrations returns the module's schema.
func Migrations() store.Migrations { return store.Embedded("incidents", schemaFS) }

// Fed is what the module needs of federation.
type Fed interface {
	Host() string
	Send(ctx context.Context, tx *store.Tx, o federation.Outgoing) (string, error)
	RemoteOrgs(ctx context.Context) ([]federation.RemoteOrg, error)
	Handle(prefix string, h federation.Handler)
}

// Service is the use cases of incident records.
type Service struct {
	db  *store.DB
	fed Fed
	// changed are told, in the transaction, of every incident this node
	// creates, updates or takes from a peer (other files of the module
	// hook here: the linked chain, statements).
	changed []func(ctx context.Context, tx *store.Tx, inc Incident) error
	links   LinkStore // the chain that travels with incidents (federation_links.go)
	notify  Notifier  // e-mails of incidents that arrive (attention.go)
}

// NewService returns the service and registers it for the module's
// envelopes.
func NewService(db *store.DB, f Fed) *Service {
	s := &Service{db: db, fed: f}
	f.Handle("incidents", s)
	return s
}

// OnChange adds a hook called in the transaction that stores an incident.
func (s *Service) OnChange(h func(ctx context.Context, tx *store.Tx, inc Incident) error) {
	s.changed = append(s.changed, h)
}

// Host is this node's host.
func (s *Service) Host() string { return s.fed.Host() }

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.db.Clock().Now() }

var errNotFound = &core.Error{Kind: core.KindNotFound, Op: "incidents", Message: "err.not_found"}

// Writable lists the organisations (handle and id) for which the actor may
// write incidents: the choices of the form's owner.
func Writable(a core.Actor) []core.OrgRef {
	var out []core.OrgRef
	for _, m := range a.Memberships {
		if access.Check(a, access.IncidentsWrite, access.Resource{OrgID: m.Org.ID}) == nil {
			out = append(out, m.Org)
		}
	}
	return out
}

// writerOrg finds the organisation with this handle among the actor's
// writable ones.
func writerOrg(a core.Actor, handle string) (core.OrgRef, bool) {
	for _, o := range Writable(a) {
		if o.Handle == handle {
			return o, true
		}
	}
	return core.OrgRef{}, false
}

// Create records a new incident owned by the actor's organisation org (its
// handle) and shares it with the peers its audience reaches.
func (s *Service) Create(ctx context.Context, org string, in Incident) (Incident, error) {
	a := core.ActorFrom(ctx)
	if err := access.Check(a, access.IncidentsWrite, access.Resource{}); err != nil {
		return Incident{}, err
	}
	p := in.Validate()
	o, ok := writerOrg(a, org)
	if !ok {
		p.Add("org", "err.org_unknown")
	}
	s.checkRefs(ctx, &in, p)
	if err := p.Err("incidents: create"); err != nil {
		return in, err
	}
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		in.ID = core.NewID(tx.Now)
		in.OriginID, in.Node, in.OrgID, in.Owner = in.ID, s.fed.Host(), o.ID, o.Handle+"@"+s.fed.Host()
		in.Version, in.CreatedAt, in.UpdatedAt = 1, tx.Now, tx.Now
		in.Attributions, in.Responses = nil, nil
		if err := insertIncident(ctx, tx, &in); err != nil {
			return err
		}
		if err := s.stored(ctx, tx, in, nil); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "incidents.create", "inc_incident", in.ID, o.ID, in.Name)
	})
	return in, err
}

// Update changes an incident its organisation owns. in.Version is the
// version the writer saw: an incident changed since is a conflict, not
// overwritten. The version goes up by one and travels to the peers; peers
// that may no longer see it are told to drop their copy.
func (s *Service) Update(ctx context.Context, id string, in Incident) (Incident, error) {
	a := core.ActorFrom(ctx)
	old, err := s.Get(ctx, id)
	if err != nil {
		return Incident{}, err
	}
	if err := s.mayWrite(a, old); err != nil {
		return Incident{}, err
	}
	p := in.Validate()
	s.checkRefs(ctx, &in, p)
	if err := p.Err("incidents: update"); err != nil {
		return in, err
	}
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		cur, err := getIncident(ctx, tx.Conn, id)
		if err != nil {
			return err
		}
		if in.Version != 0 && in.Version != cur.Version {
			return &core.Error{Kind: core.KindConflict, Op: "incidents: update", Message: "err.inc_changed"}
		}
		in.ID, in.OriginID, in.Node, in.OrgID, in.Owner = cur.ID, cur.OriginID, cur.Node, cur.OrgID, cur.Owner
		in.Version, in.CreatedAt, in.UpdatedAt = cur.Version+1, cur.CreatedAt, tx.Now
		if err := updateIncident(ctx, tx, &in); err != nil {
			return err
		}
		if err := loadChildren(ctx, tx.Conn, &in); err != nil {
			return err
		}
		if err := s.stored(ctx, tx, in, &cur); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "incidents.update", "inc_incident", in.ID, in.OrgID, in.Name)
	})
	return in, err
}

// mayWrite allows the owning organisation's writers, on the owning node.
func (s *Service) mayWrite(a core.Actor, inc Incident) error {
	if inc.Copy() {
		return &core.Error{Kind: core.KindForbidden, Op: "incidents: write", Message: "err.inc_copy"}
	}
	return access.Check(a, access.IncidentsWrite, access.Resource{OrgID: inc.OrgID})
}

// CanWrite reports whether the actor may change the incident (edit it, add
// attributions and responses): for the pages' forms.
func (s *Service) CanWrite(ctx context.Context, inc Incident) bool {
	return s.mayWrite(core.ActorFrom(ctx), inc) == nil
}

// stored is what follows every local write: the audience rows, the
// hooks, and the envelopes to peers (old is the incident before, nil for a
// new one).
func (s *Service) stored(ctx context.Context, tx *store.Tx, inc Incident, old *Incident) error {
	if err := setAudience(ctx, tx, inc); err != nil {
		return err
	}
	for _, h := range s.changed {
		if err := h(ctx, tx, inc); err != nil {
			return err
		}
	}
	return s.share(ctx, tx, inc)
}

// checkRefs checks the audience's references: addresses for named
// organisations, a network this node knows for a network.
func (s *Service) checkRefs(ctx context.Context, in *Incident, p core.Problems) {
	var refs []string
	for _, r := range in.AudienceRefs {
		r = strings.TrimSpace(r)
		if r != "" && !containsStr(refs, r) {
			refs = append(refs, r)
		}
	}
	in.AudienceRefs = refs
	switch in.Audience {
	case AudienceNamed:
		for _, r := range refs {
			if _, _, ok := federation.Address(r); !ok || len(r) > 300 {
				p.AddEntry("audience_refs", "err.inc_address", r)
			}
		}
	case AudienceNetwork:
		for _, r := range refs {
			var n int
			if err := s.db.R().Get(ctx, &n, `SELECT COUNT(*) FROM poc_networks WHERE id = ?`, r); err != nil || n == 0 {
				p.AddEntry("audience_refs", "err.inc_network", r)
			}
		}
	default:
		in.AudienceRefs = nil
	}
	if len(in.AudienceRefs) > maxList {
		p.Add("audience_refs", "err.too_long")
	}
}

func containsStr(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// Get returns an incident the actor may see; one it may not see is not
// found, as if it did not exist.
func (s *Service) Get(ctx context.Context, id string) (Incident, error) {
	return s.getWhere(ctx, `i.id = ?`, id)
}

// GetByOrigin returns the incident (node, originID) as the actor may see
// it here: the owner's record on its node, or this node's copy.
func (s *Service) GetByOrigin(ctx context.Context, node, originID string) (Incident, error) {
	if node == "" {
		node = s.fed.Host()
	}
	return s.getWhere(ctx, `i.node = ? AND i.origin_id = ?`, node, originID)
}

func (s *Service) getWhere(ctx context.Context, cond string, args ...any) (Incident, error) {
	a := core.ActorFrom(ctx)
	f, fargs := access.IncidentFilter(access.IncidentReaders(a, s.fed.Host()))
	var inc Incident
	err := s.db.R().Get(ctx, &inc, `SELECT `+prefixed+` FROM inc_incidents i WHERE `+cond+` AND (`+f+`)`, append(args, fargs...)...)
	if core.KindOf(err) == core.KindNotFound {
		return Incident{}, errNotFound
	}
	if err != nil {
		return Incident{}, core.Wrap("incidents: get", err)
	}
	if err := inc.decode(); err != nil {
		return Incident{}, err
	}
	return inc, core.Wrap("incidents: get", loadChildren(ctx, s.db.R(), &inc))
}

// Filter narrows a list of incidents.
type Filter struct {
	Type      string
	Sector    string
	Initiator string // an initiator category
	From, To  time.Time
	Words     string
	Page      core.Page
}

// List returns the incidents the actor may see, newest recorded first,
// and the cursor of the next page ("" at the end).
func (s *Service) List(ctx context.Context, f Filter) ([]Incident, string, error) {
	a := core.ActorFrom(ctx)
	fs, args := access.IncidentFilter(access.IncidentReaders(a, s.fed.Host()))
	where := []string{"(" + fs + ")"}
	// Vocabulary values are checked before they go into a LIKE: they hold
	// no wildcard a reader could abuse, and JSON quotes them.
	if f.Type != "" && containsStr(Types, f.Type) {
		where, args = append(where, `i.types LIKE ?`), append(args, `%"`+f.Type+`"%`)
	}
	if f.Sector != "" && containsStr(Sectors, f.Sector) {
		where, args = append(where, `i.receivers LIKE ?`), append(args, `%"sector":"`+f.Sector+`"%`)
	}
	if f.Initiator != "" && containsStr(InitiatorCategories, f.Initiator) {
		where, args = append(where, `i.initiator LIKE ?`), append(args, `%"category":"`+f.Initiator+`"%`)
	}
	if !f.From.IsZero() {
		where, args = append(where, `i.start_at >= ?`), append(args, f.From.UTC())
	}
	if !f.To.IsZero() {
		where, args = append(where, `i.start_at < ?`), append(args, f.To.UTC())
	}
	if w := strings.ToLower(strings.TrimSpace(f.Words)); w != "" {
		for _, word := range strings.Fields(w) {
			like := "%" + likeEscape(word) + "%"
			where, args = append(where, `(LOWER(i.name) LIKE ? ESCAPE '\' OR LOWER(i.description) LIKE ? ESCAPE '\')`), append(args, like, like)
		}
	}
	page := f.Page.Normalize(50, 200)
	if page.Cursor != "" {
		where, args = append(where, `i.id < ?`), append(args, page.Cursor)
	}
	args = append(args, page.Limit+1)
	var out []Incident
	if err := s.db.R().Select(ctx, &out, `SELECT `+prefixed+` FROM inc_incidents i WHERE `+strings.Join(where, " AND ")+` ORDER BY i.id DESC LIMIT ?`, args...); err != nil {
		return nil, "", core.Wrap("incidents: list", err)
	}
	for i := range out {
		if err := out[i].decode(); err != nil {
			return nil, "", err
		}
	}
	next := ""
	if len(out) > page.Limit {
		out = out[:page.Limit]
		next = out[len(out)-1].ID
	}
	return out, next, nil
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// malformed is a peer's envelope this node refuses.
func malformed(what string) error {
	return &core.Error{Kind: core.KindInvalid, Op: "incidents: receive", Message: "err.form", Err: errors.New("malformed " + what)}
}
