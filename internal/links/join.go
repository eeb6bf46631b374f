package links

import (
	"context"

	"entente.example/entente/core"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/store"
)

// Kinds resolves a module's references by their kind, each kind by its own
// resolver: a module whose records are kept by several services (an
// incident by one, a joint statement by another) registers one Kinds. A
// reference of a kind nobody named is left out.
type Kinds map[string]Resolver

// Resolve implements Resolver.
func (k Kinds) Resolve(ctx context.Context, refs []core.Ref) ([]Item, error) {
	byKind := map[string][]core.Ref{}
	for _, r := range refs {
		byKind[r.Kind] = append(byKind[r.Kind], r)
	}
	var out []Item
	for kind, rs := range byKind {
		res, ok := k[kind]
		if !ok {
			continue
		}
		items, err := res.Resolve(ctx, rs)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
	}
	return out, nil
}

// Join links two records in tx because one of them says it belongs with the
// other (a statement names its incident): the module that owns the record
// decided, so no person is checked, and the link is made on the node that
// holds both. Joining a pair already linked changes nothing; a new link
// tells the change hooks, as Link does.
func (s *Service) Join(ctx context.Context, tx *store.Tx, a, b core.Ref) error {
	if !valid(a) || !valid(b) {
		return errRef
	}
	a, b = s.local(a), s.local(b)
	if a == b {
		return errSelf
	}
	if b.String() < a.String() {
		a, b = b, a
	}
	// The person whose action joined them, when there is one (an envelope
	// from a peer has none).
	actor := core.ActorFrom(ctx)
	id := core.NewID(tx.Now)
	n, err := tx.Exec(ctx, `INSERT INTO links (id, a_module, a_kind, a_id, a_node, b_module, b_kind, b_id, b_node, created_by, created_by_name, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		id, a.Module, a.Kind, a.ID, a.Node, b.Module, b.Kind, b.ID, b.Node, actor.UserID, actor.Name, tx.Now)
	if err != nil || n == 0 {
		return core.Wrap("links: join", err)
	}
	if err := s.tell(ctx, tx, a, b); err != nil {
		return err
	}
	return audit.Record(ctx, tx, "links.join", "link", id, "", a.String()+" "+b.String())
}
