// Package links joins records of different modules into one chain: an
// incident to the indicators, requests, messages, statements and norms
// that belong with it. A link is a pair of typed references (core.Ref); it
// says nothing about the records themselves. What a person sees of a chain
// is decided by the modules that own the records: each registers a Resolver
// that turns references into items, returning only the ones the person in
// the context may see, so a record they may not see is neither shown nor
// counted. This package never imports a module: modules/all registers them.
package links

import (
	"cmp"
	"context"
	"embed"
	"net/http"
	"slices"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/store"
)

//go:embed schema/*.sql
var schemaFS embed.FS

// Migrations returns the links' schema.
func Migrations() store.Migrations { return store.Embedded("links", schemaFS) }

// Item is a linked record as one viewer may see it: what the chain's
// timeline shows.
type Item struct {
	Ref   core.Ref
	Title string
	// Kind is a catalogue key naming the kind of record, in words.
	Kind string
	// At is when the record happened (created, sent, published), for the
	// timeline.
	At time.Time
	// URL is the record's page on this node.
	URL string
	// TLP is the record's label, when it has one.
	TLP core.TLP
	// Removable says the viewer may unlink it (MarkRemovable); pages offer
	// "unlink" only then.
	Removable bool
}

// Resolver turns references to a module's records into items. It returns
// only the items the actor in ctx may see, by the module's own rules, in
// one query for the whole batch; a reference to a record that is missing,
// not held on this node, or not for this actor is simply left out, and is
// never an error.
type Resolver interface {
	Resolve(ctx context.Context, refs []core.Ref) ([]Item, error)
}

// ResolverFunc is a function that resolves, as a Resolver: a module
// offers a method, and modules/all registers it.
type ResolverFunc func(ctx context.Context, refs []core.Ref) ([]Item, error)

// Resolve calls f.
func (f ResolverFunc) Resolve(ctx context.Context, refs []core.Ref) ([]Item, error) {
	return f(ctx, refs)
}

// Targets lists the records the actor in ctx may link others to (the
// incidents they may see), for the "link to an incident" form.
type Targets interface {
	Targets(ctx context.Context) ([]Item, error)
}

// Service keeps the links and resolves them through the modules.
type Service struct {
	db        *store.DB
	host      func() string
	resolvers map[string]Resolver
	targets   Targets
	// owners answer whether the actor writes a record, by module:kind
	// (owner.go).
	owners map[string]Owner
	// changed are told of every link made or removed, in its transaction
	// (copies.go).
	changed []func(ctx context.Context, tx *store.Tx, a, b core.Ref) error
}

// NewService returns the service. host names this node, so that a
// reference to a record here written with its node is the same reference
// as one written without.
func NewService(db *store.DB, host func() string) *Service {
	return &Service{db: db, host: host, resolvers: map[string]Resolver{}, owners: map[string]Owner{}}
}

// Register makes r the resolver of the module's references. It is called
// while the program is wired, before it serves.
func (s *Service) Register(module string, r Resolver) { s.resolvers[module] = r }

// UseTargets names where the "link to" form finds what it offers.
func (s *Service) UseTargets(t Targets) { s.targets = t }

// local writes a reference to a record of this node without its node.
func (s *Service) local(r core.Ref) core.Ref {
	if r.Node != "" && s.host != nil && r.Node == s.host() {
		r.Node = ""
	}
	return r
}

var (
	errRef    = &core.Error{Kind: core.KindInvalid, Op: "links", Message: "err.link_ref"}
	errSelf   = &core.Error{Kind: core.KindInvalid, Op: "links", Message: "err.link_self"}
	errUnseen = &core.Error{Kind: core.KindNotFound, Op: "links", Message: "err.link_unseen"}
)

// valid reports whether a reference is one ParseRef would read back.
func valid(r core.Ref) bool {
	p, err := core.ParseRef(r.String())
	return err == nil && p == r
}

// ends checks a pair about to be linked or unlinked: both well formed,
// distinct, and both seen by the actor, who must be one who links. It
// returns the pair in its stored order.
func (s *Service) ends(ctx context.Context, from, to core.Ref) (core.Ref, core.Ref, error) {
	if err := access.Check(core.ActorFrom(ctx), access.LinkWrite, access.Resource{}); err != nil {
		return from, to, err
	}
	if !valid(from) || !valid(to) {
		return from, to, errRef
	}
	from, to = s.local(from), s.local(to)
	if from == to {
		return from, to, errSelf
	}
	// Nobody links, or unlinks, what they may not see: the answer is the
	// same for a record that does not exist, so the form is no oracle.
	seen, err := s.Resolve(ctx, []core.Ref{from, to})
	if err != nil {
		return from, to, err
	}
	if len(seen) != 2 {
		return from, to, errUnseen
	}
	if to.String() < from.String() {
		from, to = to, from
	}
	return from, to, nil
}

// Link joins two records. The actor must see both: the people working on
// a record (Polri's investigator on its request) bring it to an incident
// of another organisation that they see, and that organisation's writers
// may remove what they bring (Unlink). Linking a pair twice is one link.
// The link is recorded as made for the actor's organisations in which they
// link: any of them may have been the one they acted for.
func (s *Service) Link(ctx context.Context, from, to core.Ref) error {
	a, b, err := s.ends(ctx, from, to)
	if err != nil {
		return err
	}
	actor := core.ActorFrom(ctx)
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		id := core.NewID(tx.Now)
		n, err := tx.Exec(ctx, `INSERT INTO links (id, a_module, a_kind, a_id, a_node, b_module, b_kind, b_id, b_node, created_by, created_by_name, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			id, a.Module, a.Kind, a.ID, a.Node, b.Module, b.Kind, b.ID, b.Node, actor.UserID, actor.Name, tx.Now)
		if err != nil || n == 0 {
			return core.Wrap("links: link", err)
		}
		for _, org := range access.Orgs(actor, access.LinkWrite) {
			if _, err := tx.Exec(ctx, `INSERT INTO link_orgs (link_id, org_id) VALUES (?, ?)`, id, org); err != nil {
				return core.Wrap("links: link", err)
			}
		}
		if err := s.tell(ctx, tx, a, b); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "links.link", "link", id, "", a.String()+" "+b.String())
	})
}

// Unlink separates two records. The actor must see both; a link a person
// made is removed only by the people of the organisations it was made for,
// or by a writer of a record at either end owned by their organisation
// (mayUnlink).
func (s *Service) Unlink(ctx context.Context, from, to core.Ref) error {
	a, b, err := s.ends(ctx, from, to)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		var ids []string
		if err := tx.Select(ctx, &ids, `SELECT id FROM links WHERE a_module = ? AND a_kind = ? AND a_id = ? AND a_node = ? AND b_module = ? AND b_kind = ? AND b_id = ? AND b_node = ?`,
			a.Module, a.Kind, a.ID, a.Node, b.Module, b.Kind, b.ID, b.Node); err != nil || len(ids) == 0 {
			return core.Wrap("links: unlink", err)
		}
		if err := s.mayUnlink(ctx, tx.Conn, ids[0], a, b); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM link_orgs WHERE link_id = ?`, ids[0]); err != nil {
			return core.Wrap("links: unlink", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM links WHERE id = ?`, ids[0]); err != nil {
			return core.Wrap("links: unlink", err)
		}
		if err := s.tell(ctx, tx, a, b); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "links.unlink", "link", ids[0], "", a.String()+" "+b.String())
	})
}

// tell runs the change hooks for the pair a, b.
func (s *Service) tell(ctx context.Context, tx *store.Tx, a, b core.Ref) error {
	for _, h := range s.changed {
		if err := h(ctx, tx, a, b); err != nil {
			return err
		}
	}
	return nil
}

// Of returns every reference linked to ref, seen or not by anyone: callers
// show them only through Resolve (Chain does both).
func (s *Service) Of(ctx context.Context, ref core.Ref) ([]core.Ref, error) {
	return of(ctx, s.db.R(), s.local(ref))
}

func of(ctx context.Context, q store.Conn, ref core.Ref) ([]core.Ref, error) {
	var rows []struct {
		Module string `db:"module"`
		Kind   string `db:"kind"`
		ID     string `db:"id"`
		Node   string `db:"node"`
	}
	err := q.Select(ctx, &rows, `SELECT b_module AS module, b_kind AS kind, b_id AS id, b_node AS node FROM links
			WHERE a_module = ? AND a_kind = ? AND a_id = ? AND a_node = ?
		UNION ALL
		SELECT a_module, a_kind, a_id, a_node FROM links
			WHERE b_module = ? AND b_kind = ? AND b_id = ? AND b_node = ?`,
		ref.Module, ref.Kind, ref.ID, ref.Node, ref.Module, ref.Kind, ref.ID, ref.Node)
	if err != nil {
		return nil, core.Wrap("links: of", err)
	}
	out := make([]core.Ref, 0, len(rows))
	for _, r := range rows {
		out = append(out, core.Ref{Module: r.Module, Kind: r.Kind, ID: r.ID, Node: r.Node})
	}
	return out, nil
}

// Resolve turns references into the items the actor in ctx may see, asking
// each module once for all of its references, oldest first (undated ones
// last). References of
// a module nobody registered are left out.
func (s *Service) Resolve(ctx context.Context, refs []core.Ref) ([]Item, error) {
	byModule := map[string][]core.Ref{}
	want := map[core.Ref]bool{}
	for _, r := range refs {
		r = s.local(r)
		if want[r] {
			continue
		}
		want[r] = true
		byModule[r.Module] = append(byModule[r.Module], r)
	}
	var out []Item
	for m, rs := range byModule {
		res, ok := s.resolvers[m]
		if !ok {
			continue
		}
		items, err := res.Resolve(ctx, rs)
		if err != nil {
			return nil, core.Wrap("links: resolve "+m, err)
		}
		// A resolver answers for what it was asked, once each.
		for _, it := range items {
			if want[it.Ref] {
				want[it.Ref] = false
				out = append(out, it)
			}
		}
	}
	// Records without a date (a norm) close the timeline rather than open
	// it.
	slices.SortFunc(out, func(a, b Item) int {
		return cmp.Or(cmp.Compare(boolInt(a.At.IsZero()), boolInt(b.At.IsZero())), a.At.Compare(b.At), cmp.Compare(a.Title, b.Title), cmp.Compare(a.Ref.String(), b.Ref.String()))
	})
	return out, nil
}

func sortRefs(refs []core.Ref) {
	slices.SortFunc(refs, func(a, b core.Ref) int { return cmp.Compare(a.String(), b.String()) })
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Chain returns the records linked to ref that the actor in ctx may see,
// as a timeline (oldest first). Its length is the count the viewer is
// told: what they may not see is not counted.
func (s *Service) Chain(ctx context.Context, ref core.Ref) ([]Item, error) {
	refs, err := s.Of(ctx, ref)
	if err != nil || len(refs) == 0 {
		return nil, err
	}
	return s.Resolve(ctx, refs)
}

// Form is what a record's page shows to link it to an incident: the
// records it is linked to, and what it may be linked to.
type Form struct {
	Ref     string // the record's reference, as the form posts it
	Back    string // the page to come back to
	Linked  []Item
	Choices []Item
	// Can says the viewer may link: without it the page shows the links
	// only.
	Can bool
}

// FormFor builds the form for the record ref, shown on the page back.
func (s *Service) FormFor(ctx context.Context, ref core.Ref, back string) (Form, error) {
	f := Form{Ref: s.local(ref).String(), Back: back}
	var err error
	if f.Linked, err = s.Chain(ctx, ref); err == nil {
		err = s.MarkRemovable(ctx, ref, f.Linked)
	}
	if err != nil {
		return f, err
	}
	f.Can = access.Can(core.ActorFrom(ctx), access.LinkWrite, access.Resource{})
	if !f.Can || s.targets == nil {
		return f, nil
	}
	all, err := s.targets.Targets(ctx)
	if err != nil {
		return f, core.Wrap("links: targets", err)
	}
	for _, t := range all {
		if !slices.ContainsFunc(f.Linked, func(l Item) bool { return l.Ref == s.local(t.Ref) }) {
			f.Choices = append(f.Choices, t)
		}
	}
	return f, nil
}

// NodeOf is the node part of a reference to a record first written by the
// organisation at addr (handle@host): empty when that is this node (self).
// Records that travel between nodes (requests, messages) are referred to
// by the id and node where they were written, so that each node finds its
// own copy.
func NodeOf(addr, self string) string {
	_, host, ok := strings.Cut(addr, "@")
	if !ok || host == self {
		return ""
	}
	return host
}

// Marks is n SQL placeholders, for an IN list.
func Marks(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

// IDs are the references' ids, as SQL arguments.
func IDs(refs []core.Ref) []any {
	out := make([]any, len(refs))
	for i, r := range refs {
		out[i] = r.ID
	}
	return out
}

// Page builds the form for the record ref on the page r shows, or nothing
// when the node has no linked chain (s is nil): a module's page calls it
// without knowing whether links are wired.
func (s *Service) Page(r *http.Request, ref core.Ref) (*Form, error) {
	if s == nil {
		return nil, nil
	}
	f, err := s.FormFor(r.Context(), ref, r.URL.Path)
	return &f, err
}
