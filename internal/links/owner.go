package links

import (
	"context"
	"slices"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/store"
)

// Owners: some records belong to one organisation of this node, and a link
// to one of them changes what that organisation says (an incident's chain
// travels to its peers, under its name, with its next version). For those,
// the module that keeps them says who writes them, and a writer may remove
// a link another organisation made to them.

// Owner tells whether the actor in ctx writes the record ref, a record of
// this node (ref has no node): one of its owning organisation's people
// with a role that writes such records. A record it does not keep, or
// keeps only as a peer's copy, is written by nobody here.
type Owner interface {
	Writes(ctx context.Context, ref core.Ref) bool
}

// OwnerFunc is a function that answers as an Owner.
type OwnerFunc func(ctx context.Context, ref core.Ref) bool

// Writes calls f.
func (f OwnerFunc) Writes(ctx context.Context, ref core.Ref) bool { return f(ctx, ref) }

// Own makes o the owner of the module's records of that kind. It is
// called while the program is wired, before it serves.
func (s *Service) Own(module, kind string, o Owner) { s.owners[module+":"+kind] = o }

// guard returns the owner of ref when ref is a record of this node that
// has one: a peer's record (a copy) is not, since a link made here to it
// stays here.
func (s *Service) guard(r core.Ref) (Owner, bool) {
	if r.Node != "" {
		return nil, false
	}
	o, ok := s.owners[r.Module+":"+r.Kind]
	return o, ok
}

var errNotYours = &core.Error{Kind: core.KindForbidden, Op: "links", Message: "err.unlink_not_yours"}

// mayUnlink decides whether the actor in ctx may remove the link id
// between a and b, which they see. A link a person made (it has
// organisations in link_orgs) is removed by the people of those
// organisations who link, or by a writer of an owned record at either
// end. A link the system joined, a peer brought or that was made before
// links kept their organisations has none, and keeps the earlier rule:
// seeing both ends suffices. The refusal is forbidden, not not found: the
// actor sees both records and the link between them on the chain already.
func (s *Service) mayUnlink(ctx context.Context, q store.Conn, id string, a, b core.Ref) error {
	var orgs []string
	if err := q.Select(ctx, &orgs, `SELECT org_id FROM link_orgs WHERE link_id = ?`, id); err != nil {
		return core.Wrap("links: unlink", err)
	}
	if len(orgs) == 0 {
		return nil
	}
	for _, o := range access.Orgs(core.ActorFrom(ctx), access.LinkWrite) {
		if slices.Contains(orgs, o) {
			return nil
		}
	}
	for _, r := range []core.Ref{a, b} {
		if o, ok := s.guard(r); ok && o.Writes(ctx, r) {
			return nil
		}
	}
	return errNotYours
}

// MarkRemovable sets Removable on the items linked to ref that the actor
// in ctx may unlink, so a page offers "unlink" only where it would work.
func (s *Service) MarkRemovable(ctx context.Context, ref core.Ref, items []Item) error {
	if access.Check(core.ActorFrom(ctx), access.LinkWrite, access.Resource{}) != nil {
		return nil
	}
	from := s.local(ref)
	for i := range items {
		a, b := from, s.local(items[i].Ref)
		if b.String() < a.String() {
			a, b = b, a
		}
		var ids []string
		if err := s.db.R().Select(ctx, &ids, `SELECT id FROM links WHERE a_module = ? AND a_kind = ? AND a_id = ? AND a_node = ? AND b_module = ? AND b_kind = ? AND b_id = ? AND b_node = ?`,
			a.Module, a.Kind, a.ID, a.Node, b.Module, b.Kind, b.ID, b.Node); err != nil {
			return core.Wrap("links: removable", err)
		}
		items[i].Removable = len(ids) > 0 && s.mayUnlink(ctx, s.db.R(), ids[0], a, b) == nil
	}
	return nil
}
