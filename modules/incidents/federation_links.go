package incidents

import (
	"context"

	"entente.example/entente/core"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/links"
	"entente.example/entente/internal/store"
)

// An incident's chain travels with it: each incident envelope carries the
// references linked to the incident on its owner's node, each naming the
// node that holds the record, and a node holding a copy makes them the
// copy's links, in the transaction that stores the copy. A link changes
// the incident: adding or removing one raises the incident's version, so
// the chain goes to peers by the same path, in the same order and with
// the same "newer versions only" rule as every other change, and a link
// removed on the owner is removed on every copy with the next version.
// What a peer's viewer sees of the chain stays the resolvers' decision on
// that peer: a record the peer holds no copy of is neither shown nor
// counted.

// LinkStore is what the module needs of the linked chain to share it.
type LinkStore interface {
	Shared(ctx context.Context, tx *store.Tx, ref core.Ref) ([]core.Ref, error)
	ReplaceShared(ctx context.Context, tx *store.Tx, from string, ref core.Ref, refs []core.Ref) error
}

// UseLinks makes the service send an incident's chain with it and keep
// the chains of copies; without it, envelopes carry no links and copies
// keep none.
func (s *Service) UseLinks(l LinkStore) { s.links = l }

// sharedWire is an incident envelope's payload: the incident at a version
// and the references linked to it on its owner's node.
type sharedWire struct {
	Incident
	Links []core.Ref `json:"links,omitempty"`
}

// sharedLinks are the references an envelope of inc carries.
func (s *Service) sharedLinks(ctx context.Context, tx *store.Tx, inc Incident) ([]core.Ref, error) {
	if s.links == nil {
		return nil, nil
	}
	return s.links.Shared(ctx, tx, s.LinkRef(inc))
}

// ParseShared reads an incident envelope's payload: the incident as
// ParseIncident checks it, and its links, at most links.MaxShared, each a
// reference core.ParseRef reads back unchanged, naming its node (the
// owner names the node of every record, its own included), once each, and
// none the incident itself.
func ParseShared(b []byte) (Incident, []core.Ref, error) {
	var w sharedWire
	if err := strictJSON(b, &w); err != nil {
		return Incident{}, nil, malformed("incident")
	}
	inc, err := checkIncident(w.Incident)
	if err != nil {
		return Incident{}, nil, err
	}
	if err := checkLinks(inc, w.Links); err != nil {
		return Incident{}, nil, err
	}
	return inc, w.Links, nil
}

func checkLinks(inc Incident, refs []core.Ref) error {
	if len(refs) > links.MaxShared {
		return malformed("links: too many")
	}
	self := core.Ref{Module: "incidents", Kind: "incident", ID: inc.OriginID, Node: inc.Node}
	seen := make(map[core.Ref]bool, len(refs))
	for _, r := range refs {
		if r.Node == "" || !links.Valid(r) || r == self || seen[r] {
			return malformed("link")
		}
		seen[r] = true
	}
	return nil
}

// keepLinks makes refs the links of this node's copy of inc (a newer
// version from its owner, just stored).
func (s *Service) keepLinks(ctx context.Context, tx *store.Tx, inc Incident, refs []core.Ref) error {
	if s.links == nil {
		return nil
	}
	return s.links.ReplaceShared(ctx, tx, inc.Node, s.LinkRef(inc), refs)
}

// Relinked is the linked chain's hook: when a link to an incident this node
// owns is made or removed, the incident's version goes up and travels to
// its peers with its new chain. A link to a peer's copy changes nothing
// there: the copy's version is its owner's.
func (s *Service) Relinked(ctx context.Context, tx *store.Tx, a, b core.Ref) error {
	for _, r := range []core.Ref{a, b} {
		if r.Module != "incidents" || r.Kind != "incident" || r.Node != "" {
			continue
		}
		var ids []string
		if err := tx.Select(ctx, &ids, `SELECT id FROM inc_incidents WHERE node = ? AND origin_id = ? AND org_id <> ''`, s.Host(), r.ID); err != nil {
			return core.Wrap("incidents: relinked", err)
		}
		if len(ids) == 0 {
			continue
		}
		cur, err := getIncident(ctx, tx.Conn, ids[0])
		if err != nil {
			return err
		}
		old := cur
		cur.Version, cur.UpdatedAt = cur.Version+1, tx.Now
		if err := updateIncident(ctx, tx, &cur); err != nil {
			return err
		}
		if err := loadChildren(ctx, tx.Conn, &cur); err != nil {
			return err
		}
		if err := s.stored(ctx, tx, cur, &old); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, "incidents.relinked", "inc_incident", cur.ID, cur.OrgID, "v"+itoa(cur.Version)); err != nil {
			return err
		}
	}
	return nil
}
