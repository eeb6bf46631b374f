package intel

import (
	"context"
	"embed"
	"regexp"
	"slices"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/jobs"
	"entente.example/entente/internal/store"
)

//go:embed schema/*.sql
var schemaFS embed.FS

// Migrations returns the module's schema.
func Migrations() store.Migrations { return store.Embedded("intel", schemaFS) }

// Service is the use cases of threat intelligence.
type Service struct {
	db   *store.DB
	fed  *federation.Service
	jobs *jobs.Queue
}

// NewService returns the service and registers its federation endpoint's
// jobs (the subscriptions' pulls).
func NewService(db *store.DB, fed *federation.Service, q *jobs.Queue) *Service {
	s := &Service{db: db, fed: fed, jobs: q}
	s.registerSync()
	return s
}

func errOp(op string, kind core.Kind, msg string) error {
	return &core.Error{Kind: kind, Op: "intel: " + op, Message: msg}
}

// Host is this node's name, the part after @ in local organisations'
// addresses.
func (s *Service) Host() string { return s.fed.Host() }

// Readers returns the addresses of the organisations a reads for.
func (s *Service) Readers(a core.Actor) []string {
	return access.IntelOrgs(a, access.IntelRead, s.Host())
}

// Writers returns the addresses of the organisations a writes for.
func (s *Service) Writers(a core.Actor) []string {
	return access.IntelOrgs(a, access.IntelWrite, s.Host())
}

// Collection is a TAXII collection, with the rights of whoever asked.
type Collection struct {
	ID          string   `db:"id" json:"id"`
	Alias       string   `db:"alias" json:"alias"`
	Title       string   `db:"title" json:"title"`
	Description string   `db:"description" json:"description"`
	DefaultTLP  core.TLP `db:"default_tlp" json:"default_tlp"`
	Count       int64    `db:"-" json:"-"`
	CanRead     bool     `db:"can_read" json:"can_read"`
	CanWrite    bool     `db:"can_write" json:"can_write"`
	// Declassify: a later version from this reader may lower the TLP.
	Declassify bool `db:"can_declassify" json:"-"`
}

// NewCollection is what an administrator gives to create a collection.
type NewCollection struct {
	// ID is the collection's TAXII id; empty for a new one. A CERT moving
	// from another TAXII server gives the id it had, so that its clients'
	// collection URLs keep working.
	ID          string
	Alias       string
	Title       string
	Description string
	DefaultTLP  core.TLP
}

// CreateCollection creates a collection; only node administrators may.
func (s *Service) CreateCollection(ctx context.Context, a core.Actor, n NewCollection) (Collection, error) {
	if err := access.Check(a, access.IntelAdmin, access.Resource{}); err != nil {
		return Collection{}, err
	}
	p := core.Problems{}
	n.Alias = strings.TrimSpace(strings.ToLower(n.Alias))
	n.Title = strings.TrimSpace(n.Title)
	if !validAlias(n.Alias) {
		p.Add("alias", "err.intel.alias")
	}
	if n.Title == "" || len(n.Title) > 200 {
		p.Add("title", "err.required")
	}
	if !n.DefaultTLP.Valid() {
		p.Add("default_tlp", "err.intel.tlp")
	}
	n.ID = strings.ToLower(strings.TrimSpace(n.ID))
	if n.ID != "" && !uuidRE.MatchString(n.ID) {
		p.Add("id", "err.intel.collection_id")
	}
	if err := p.Err("intel: create collection"); err != nil {
		return Collection{}, err
	}
	if n.ID == "" {
		n.ID = newUUID()
	}
	c := Collection{ID: n.ID, Alias: n.Alias, Title: n.Title, Description: strings.TrimSpace(n.Description), DefaultTLP: n.DefaultTLP}
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		// A collection is found by id or by alias (CollectionFor), so
		// neither may name another collection in either way.
		var clash []struct {
			ID    string `db:"id"`
			Alias string `db:"alias"`
		}
		if err := tx.Select(ctx, &clash, `SELECT id, alias FROM intel_collections WHERE id IN (?, ?) OR alias IN (?, ?)`, c.ID, c.Alias, c.ID, c.Alias); err != nil {
			return err
		}
		for _, x := range clash {
			if x.ID == c.ID || x.Alias == c.ID {
				return core.Problems{"id": "err.intel.collection_id_taken"}.Err("intel: create collection")
			}
		}
		if len(clash) > 0 {
			return core.Problems{"alias": "err.intel.alias_taken"}.Err("intel: create collection")
		}
		_, err := tx.Exec(ctx, `INSERT INTO intel_collections (id, alias, title, description, default_tlp, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			c.ID, c.Alias, c.Title, c.Description, c.DefaultTLP, tx.Now)
		if core.KindOf(err) == core.KindConflict {
			return core.Problems{"alias": "err.intel.alias_taken"}.Err("intel: create collection")
		}
		return err
	})
	return c, err
}

func validAlias(s string) bool {
	if len(s) < 2 || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// Right is one organisation's rights on a collection.
type Right struct {
	Org        string `db:"org" json:"org"`
	Read       bool   `db:"can_read" json:"can_read"`
	Write      bool   `db:"can_write" json:"can_write"`
	Declassify bool   `db:"can_declassify" json:"can_declassify"`
}

// SetRight gives an organisation (handle@host, here or on a peer) rights on
// a collection; no right at all removes it.
func (s *Service) SetRight(ctx context.Context, a core.Actor, collection string, r Right) error {
	if err := access.Check(a, access.IntelAdmin, access.Resource{}); err != nil {
		return err
	}
	r.Org = strings.TrimSpace(r.Org)
	if _, _, ok := federation.Address(r.Org); !ok {
		return core.Problems{"org": "err.address"}.Err("intel: set right")
	}
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		if _, err := s.collection(ctx, tx.Conn, collection); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM intel_rights WHERE collection_id = ? AND org = ?`, collection, r.Org); err != nil {
			return err
		}
		if !r.Read && !r.Write {
			return nil
		}
		_, err := tx.Exec(ctx, `INSERT INTO intel_rights (collection_id, org, can_read, can_write, can_declassify) VALUES (?, ?, ?, ?, ?)`,
			collection, r.Org, b2i(r.Read), b2i(r.Write), b2i(r.Declassify))
		return err
	})
}

// Rights lists a collection's rights, for its administrators.
func (s *Service) Rights(ctx context.Context, a core.Actor, collection string) ([]Right, error) {
	if err := access.Check(a, access.IntelAdmin, access.Resource{}); err != nil {
		return nil, err
	}
	var out []Right
	err := s.db.R().Select(ctx, &out, `SELECT org, can_read = 1 AS can_read, can_write = 1 AS can_write, can_declassify = 1 AS can_declassify FROM intel_rights WHERE collection_id = ? ORDER BY org`, collection)
	return out, err
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (s *Service) collection(ctx context.Context, c store.Conn, id string) (Collection, error) {
	var col Collection
	err := c.Get(ctx, &col, `SELECT id, alias, title, description, default_tlp, 0 = 1 AS can_read, 0 = 1 AS can_write, 0 = 1 AS can_declassify FROM intel_collections WHERE id = ? OR alias = ?`, id, id)
	if core.KindOf(err) == core.KindNotFound {
		return col, errOp("collection", core.KindNotFound, "err.not_found")
	}
	return col, err
}

// rightsSQL sums the rights of several organisations on collections.
const rightsSQL = `SELECT c.id, c.alias, c.title, c.description, c.default_tlp,
	COALESCE(MAX(r.can_read), 0) = 1 AS can_read, COALESCE(MAX(r.can_write), 0) = 1 AS can_write, COALESCE(MAX(r.can_declassify), 0) = 1 AS can_declassify
	FROM intel_collections c LEFT JOIN intel_rights r ON r.collection_id = c.id AND r.org IN (%s)`

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// CollectionFor returns a collection (by id or alias) with the rights the
// organisations orgs have on it, in one query. Without any right it is not
// found: a collection one may not use does not exist for one.
func (s *Service) CollectionFor(ctx context.Context, orgs []string, id string) (Collection, error) {
	var c Collection
	if len(orgs) == 0 {
		return c, errOp("collection", core.KindNotFound, "err.not_found")
	}
	args := append(anys(orgs), id, id)
	err := s.db.R().Get(ctx, &c, strings.Replace(rightsSQL, "%s", placeholders(len(orgs)), 1)+` WHERE c.id = ? OR c.alias = ? GROUP BY c.id, c.alias, c.title, c.description, c.default_tlp`, args...)
	if err == nil && !c.CanRead && !c.CanWrite {
		err = errOp("collection", core.KindNotFound, "err.not_found")
	}
	if core.KindOf(err) == core.KindNotFound {
		return c, errOp("collection", core.KindNotFound, "err.not_found")
	}
	return c, err
}

// Collections lists the collections the organisations may read or write.
func (s *Service) Collections(ctx context.Context, orgs []string) ([]Collection, error) {
	if len(orgs) == 0 {
		return nil, nil
	}
	var out []Collection
	err := s.db.R().Select(ctx, &out, strings.Replace(rightsSQL, "%s", placeholders(len(orgs)), 1)+
		` GROUP BY c.id, c.alias, c.title, c.description, c.default_tlp HAVING COALESCE(MAX(r.can_read), 0) = 1 OR COALESCE(MAX(r.can_write), 0) = 1 ORDER BY c.title`, anys(orgs)...)
	return out, err
}

// AllCollections lists every collection, for administrators.
func (s *Service) AllCollections(ctx context.Context, a core.Actor) ([]Collection, error) {
	if err := access.Check(a, access.IntelAdmin, access.Resource{}); err != nil {
		return nil, err
	}
	var out []Collection
	err := s.db.R().Select(ctx, &out, `SELECT id, alias, title, description, default_tlp, 1 = 1 AS can_read, 1 = 1 AS can_write, 0 = 1 AS can_declassify FROM intel_collections ORDER BY title`)
	return out, err
}

// Group is a sharing group: a marking definition objects name to reach
// exactly its members.
type Group struct {
	ID        string    `db:"id" json:"id"`
	Name      string    `db:"name" json:"name"`
	Owner     string    `db:"owner_org" json:"owner"`
	CreatedAt time.Time `db:"created_at" json:"created_at"`
	Members   []string  `db:"-" json:"members"`
}

// CreateGroup creates a sharing group owned by one of the actor's
// organisations, with its members (addresses, here or on peers).
func (s *Service) CreateGroup(ctx context.Context, a core.Actor, owner, name string, members []string) (Group, error) {
	p := core.Problems{}
	if !slices.Contains(access.IntelOrgs(a, access.IntelGroups, s.Host()), owner) {
		p.Add("owner", "err.intel.owner")
	}
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 200 {
		p.Add("name", "err.required")
	}
	var clean []string
	for _, m := range members {
		m = strings.TrimSpace(m)
		if m == "" {
			continue
		}
		if _, _, ok := federation.Address(m); !ok {
			p.Add("members", "err.address")
			continue
		}
		if !slices.Contains(clean, m) {
			clean = append(clean, m)
		}
	}
	if err := p.Err("intel: create group"); err != nil {
		return Group{}, err
	}
	g := Group{ID: NewSTIXID("marking-definition"), Name: name, Owner: owner, Members: clean}
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		g.CreatedAt = tx.Now
		if _, err := tx.Exec(ctx, `INSERT INTO intel_groups (id, name, owner_org, created_at) VALUES (?, ?, ?, ?)`, g.ID, g.Name, g.Owner, tx.Now); err != nil {
			return err
		}
		for _, m := range clean {
			if _, err := tx.Exec(ctx, `INSERT INTO intel_group_members (group_id, org) VALUES (?, ?)`, g.ID, m); err != nil {
				return err
			}
		}
		return nil
	})
	return g, err
}

// Groups lists the sharing groups an organisation of the actor owns or
// belongs to, with their members.
func (s *Service) Groups(ctx context.Context, orgs []string) ([]Group, error) {
	if len(orgs) == 0 {
		return nil, nil
	}
	ph := placeholders(len(orgs))
	var out []Group
	err := s.db.R().Select(ctx, &out, `SELECT id, name, owner_org, created_at FROM intel_groups WHERE owner_org IN (`+ph+`)
		OR id IN (SELECT group_id FROM intel_group_members WHERE org IN (`+ph+`)) ORDER BY name`, append(anys(orgs), anys(orgs)...)...)
	if err != nil || len(out) == 0 {
		return out, err
	}
	ids := make([]string, len(out))
	for i, g := range out {
		ids[i] = g.ID
	}
	var ms []struct {
		Group string `db:"group_id"`
		Org   string `db:"org"`
	}
	if err := s.db.R().Select(ctx, &ms, `SELECT group_id, org FROM intel_group_members WHERE group_id IN (`+placeholders(len(ids))+`) ORDER BY org`, anys(ids)...); err != nil {
		return nil, err
	}
	for i := range out {
		for _, m := range ms {
			if m.Group == out[i].ID {
				out[i].Members = append(out[i].Members, m.Org)
			}
		}
	}
	return out, nil
}

// newUUID is a random UUID, for TAXII's collection and status ids.
// uuidRE is the form of a collection's id: an RFC 9562 UUID in lower case.
var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func newUUID() string {
	id := NewSTIXID("x")
	return strings.TrimPrefix(id, "x--")
}
