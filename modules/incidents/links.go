package incidents

import (
	"context"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/links"
)

// Links: an incident as a record others link to (an indicator, a request,
// a norm it implicates), resolved here with IncidentFilter so that a chain
// on another record's page, or on a norm's, shows an incident only to
// those who may see it; and the incidents a person may link a record to.

// LinkRef is the reference to an incident: its id and node where it is
// owned, the same on every node that holds a copy.
func (s *Service) LinkRef(inc Incident) core.Ref {
	node := inc.Node
	if node == s.Host() {
		node = ""
	}
	return core.Ref{Module: "incidents", Kind: "incident", ID: inc.OriginID, Node: node}
}

// LinkItems resolves references to incidents for the actor in ctx, in one
// query that carries access.IncidentFilter. A peer's incident this node
// holds no copy of is left out, as is one the actor may not see.
func (s *Service) LinkItems(ctx context.Context, refs []core.Ref) ([]links.Item, error) {
	if len(refs) == 0 {
		return nil, nil
	}
	f, fargs := access.IncidentFilter(access.IncidentReaders(core.ActorFrom(ctx), s.Host()))
	var rows []struct {
		ID       string    `db:"id"`
		OriginID string    `db:"origin_id"`
		Node     string    `db:"node"`
		Name     string    `db:"name"`
		TLP      core.TLP  `db:"tlp"`
		Start    time.Time `db:"start_at"`
	}
	if err := s.db.R().Select(ctx, &rows, `SELECT i.id, i.origin_id, i.node, i.name, i.tlp, i.start_at FROM inc_incidents i
		WHERE i.origin_id IN (`+links.Marks(len(refs))+`) AND (`+f+`) ORDER BY i.id`, append(links.IDs(refs), fargs...)...); err != nil {
		return nil, core.Wrap("incidents: link items", err)
	}
	want := map[core.Ref]bool{}
	for _, r := range refs {
		want[r] = true
	}
	var out []links.Item
	for _, row := range rows {
		ref := s.LinkRef(Incident{OriginID: row.OriginID, Node: row.Node})
		if want[ref] {
			want[ref] = false
			out = append(out, links.Item{Ref: ref, Title: row.Name, Kind: "links.kind.incident", At: row.Start, URL: "/incidents/" + row.ID, TLP: row.TLP})
		}
	}
	return out, nil
}

// LinkTargets lists the incidents the actor in ctx may link a record to:
// the latest 200 they may see (the list's own filter).
func (s *Service) LinkTargets(ctx context.Context) ([]links.Item, error) {
	list, _, err := s.List(ctx, Filter{Page: core.Page{Limit: 200}})
	if err != nil {
		return nil, err
	}
	out := make([]links.Item, 0, len(list))
	for _, inc := range list {
		out = append(out, links.Item{Ref: s.LinkRef(inc), Title: inc.Name, Kind: "links.kind.incident", At: inc.Start, URL: "/incidents/" + inc.ID, TLP: inc.TLP})
	}
	return out, nil
}

// Writes reports whether the actor in ctx writes the incident ref of this
// node: one of its organisation's people with a role that writes
// incidents. They may remove a link another organisation made to it, since
// its chain goes to its peers under its organisation's name (links.Owner). A peer's incident (a copy) is written by nobody here.
func (s *Service) Writes(ctx context.Context, ref core.Ref) bool {
	if ref.Module != "incidents" || ref.Kind != "incident" || ref.Node != "" {
		return false
	}
	var orgs []string
	if err := s.db.R().Select(ctx, &orgs, `SELECT org_id FROM inc_incidents WHERE node = ? AND origin_id = ? AND org_id <> ''`, s.Host(), ref.ID); err != nil || len(orgs) == 0 {
		return false
	}
	return access.Can(core.ActorFrom(ctx), access.IncidentsWrite, access.Resource{OrgID: orgs[0]})
}
