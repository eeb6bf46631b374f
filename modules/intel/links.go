package intel

import (
	"context"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/links"
)

// Links: the objects an incident's chain names, and the form on an
// object's page that links it to an incident.

// LinkRef is the reference to an object: its kind is its STIX type, so that a
// chain says "indicator" or "report". The id is the STIX id, the same on
// every node that holds the object, so a reference from a peer's incident
// finds the copy this node synced, whatever node it names.
func LinkRef(o Stored) core.Ref { return core.Ref{Module: "intel", Kind: o.Type, ID: o.ID} }

// LinkItems resolves references to objects for the actor in ctx, in one
// query that carries access.IntelFilter: an object the actor's
// organisations may not read is left out, as is one this node does not
// hold.
func (s *Service) LinkItems(ctx context.Context, refs []core.Ref) ([]links.Item, error) {
	orgs := s.Readers(core.ActorFrom(ctx))
	if len(orgs) == 0 || len(refs) == 0 {
		return nil, nil
	}
	ids := make([]string, 0, len(refs))
	for _, r := range refs {
		ids = append(ids, r.ID)
	}
	where, args := access.IntelFilter(orgs)
	var rows []Stored
	err := s.db.R().Select(ctx, &rows, `SELECT `+storedColumns+` FROM intel_objects o WHERE o.latest = 1 AND o.stix_id IN (`+placeholders(len(ids))+`) AND `+where+` ORDER BY o.stix_id, o.collection_id`,
		append(anys(ids), args...)...)
	if err != nil {
		return nil, core.Wrap("intel: link items", err)
	}
	seen := map[string]Stored{}
	for _, o := range rows {
		if _, ok := seen[o.ID]; !ok {
			seen[o.ID] = o
		}
	}
	var out []links.Item
	for _, r := range refs {
		o, ok := seen[r.ID]
		if !ok || r.Kind != o.Type {
			continue
		}
		title := o.Name
		if title == "" {
			title = o.ID
		}
		kind := "links.kind.intel"
		if o.Type == "indicator" || o.Type == "report" {
			kind = "links.kind." + o.Type
		}
		at, _ := time.Parse(stampLayout, o.DateAdded)
		out = append(out, links.Item{Ref: r, Title: title, Kind: kind, At: at, URL: "/intel/c/" + o.Collection + "/o/" + o.ID, TLP: o.TLP})
	}
	return out, nil
}

// UseLinks gives the module's pages the linked chain, for the "link to an
// incident" form.
func (m *Module) UseLinks(l *links.Service) { m.links = l }
