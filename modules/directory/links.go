package directory

import (
	"context"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/links"
)

// Links: the POC requests an incident's chain names, and the form on a
// request's page that links it to an incident.

// LinkRef is the reference to a request: its id and node where it was
// sent from, the same on both sides, so each node finds its own copy.
func (s *Networks) LinkRef(r Request) core.Ref {
	return core.Ref{Module: "directory", Kind: "poc_request", ID: r.OriginID, Node: links.NodeOf(r.From, s.fed.Host())}
}

// LinkItems resolves references to requests for the actor in ctx, in one
// query that reads only the rows of the organisations for which the actor
// reads requests: a request on the other side, or held on another node
// only, is left out.
func (s *Networks) LinkItems(ctx context.Context, refs []core.Ref) ([]links.Item, error) {
	orgs := access.Orgs(core.ActorFrom(ctx), access.PocRequestRead)
	if len(orgs) == 0 || len(refs) == 0 {
		return nil, nil
	}
	args := links.IDs(refs)
	for _, o := range orgs {
		args = append(args, o)
	}
	var rows []struct {
		ID       string    `db:"id"`
		OriginID string    `db:"origin_id"`
		From     string    `db:"from_addr"`
		Subject  string    `db:"subject"`
		TLP      core.TLP  `db:"tlp"`
		At       time.Time `db:"created_at"`
	}
	if err := s.db.R().Select(ctx, &rows, `SELECT id, origin_id, from_addr, subject, tlp, created_at FROM poc_requests
		WHERE origin_id IN (`+links.Marks(len(refs))+`) AND org_id IN (`+links.Marks(len(orgs))+`) ORDER BY id`, args...); err != nil {
		return nil, core.Wrap("directory: link items", err)
	}
	want := map[core.Ref]bool{}
	for _, r := range refs {
		want[r] = true
	}
	var out []links.Item
	for _, row := range rows {
		ref := core.Ref{Module: "directory", Kind: "poc_request", ID: row.OriginID, Node: links.NodeOf(row.From, s.fed.Host())}
		if want[ref] {
			want[ref] = false
			out = append(out, links.Item{Ref: ref, Title: row.Subject, Kind: "links.kind.poc_request", At: row.At, URL: "/requests/" + row.ID, TLP: row.TLP})
		}
	}
	return out, nil
}

// UseLinks gives the module's pages the linked chain, for the "link to an
// incident" form.
func (m *Module) UseLinks(l *links.Service) { m.links = l }
