package links

import (
	"context"

	"entente.example/entente/core"
	"entente.example/entente/internal/store"
)

// Copies: a record shared with peers (an incident) carries the references
// linked to it on its owner's node, and a node holding a copy keeps them
// as the copy's links, so that the chain travels with the record. Which of
// them a viewer sees is still each resolver's decision on the node that
// shows the chain: a reference to a record the node does not hold resolves
// to nothing, and is neither shown nor counted.

// MaxShared bounds the references one shared record carries: a chain is
// tens of records, and a peer's envelope is refused beyond this.
const MaxShared = 1000

// OnChange adds a hook called in the transaction that links or unlinks a
// pair (both ends as stored, this node's records without a node): the
// owner of a shared record learns that its chain changed.
func (s *Service) OnChange(h func(ctx context.Context, tx *store.Tx, a, b core.Ref) error) {
	s.changed = append(s.changed, h)
}

// Shared returns the references linked to ref, as a peer is to read
// them: each with the node that holds the record (this node's host for
// records here), sorted, once each.
func (s *Service) Shared(ctx context.Context, tx *store.Tx, ref core.Ref) ([]core.Ref, error) {
	refs, err := of(ctx, tx.Conn, s.local(ref))
	if err != nil {
		return nil, err
	}
	seen := map[core.Ref]bool{}
	out := make([]core.Ref, 0, len(refs))
	for _, r := range refs {
		if r.Node == "" {
			r.Node = s.host()
		}
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	sortRefs(out)
	return out, nil
}

// ReplaceShared makes refs the links of ref that came from node from (the
// owner of the record ref names): the links it sent before and no longer
// sends go, the new ones come; links made on this node stay. The caller
// has checked the references (Valid) and that from owns ref.
func (s *Service) ReplaceShared(ctx context.Context, tx *store.Tx, from string, ref core.Ref, refs []core.Ref) error {
	ref = s.local(ref)
	if _, err := tx.Exec(ctx, `DELETE FROM links WHERE origin = ? AND ((a_module = ? AND a_kind = ? AND a_id = ? AND a_node = ?) OR (b_module = ? AND b_kind = ? AND b_id = ? AND b_node = ?))`,
		from, ref.Module, ref.Kind, ref.ID, ref.Node, ref.Module, ref.Kind, ref.ID, ref.Node); err != nil {
		return core.Wrap("links: replace", err)
	}
	for _, r := range refs {
		a, b := ref, s.local(r)
		if a == b {
			continue
		}
		if b.String() < a.String() {
			a, b = b, a
		}
		if _, err := tx.Exec(ctx, `INSERT INTO links (id, a_module, a_kind, a_id, a_node, b_module, b_kind, b_id, b_node, created_by_name, created_at, origin)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			core.NewID(tx.Now), a.Module, a.Kind, a.ID, a.Node, b.Module, b.Kind, b.ID, b.Node, from, tx.Now, from); err != nil {
			return core.Wrap("links: replace", err)
		}
	}
	return nil
}

// Valid reports whether a reference is one core.ParseRef reads back
// unchanged: what a peer's reference must be before it is stored.
func Valid(r core.Ref) bool { return valid(r) }
