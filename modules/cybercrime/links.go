package cybercrime

import (
	"context"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/links"
)

// Links: the requests an incident's chain names, and the form on a
// request's page that links it to an incident.

// LinkRef is the reference to a request: its id and node where it was
// written, the same on both sides, so each node finds its own copy.
func (s *Service) LinkRef(r Request) core.Ref {
	return core.Ref{Module: "cybercrime", Kind: "request", ID: r.OriginID, Node: links.NodeOf(r.From, s.fed.Host())}
}

// LinkItems resolves references to requests for the actor in ctx, in one
// query that reads only the rows of the organisations whose requests the
// actor works on (investigators, central authorities, admins): the same
// rule as a request's page, so a chain never shows a request its page
// would refuse.
func (s *Service) LinkItems(ctx context.Context, refs []core.Ref) ([]links.Item, error) {
	orgs := access.Orgs(core.ActorFrom(ctx), access.CybercrimeRead)
	if len(orgs) == 0 || len(refs) == 0 {
		return nil, nil
	}
	args := links.IDs(refs)
	for _, o := range orgs {
		args = append(args, o)
	}
	var rows []struct {
		ID        string    `db:"id"`
		OriginID  string    `db:"origin_id"`
		From      string    `db:"from_addr"`
		To        string    `db:"to_addr"`
		Reference string    `db:"reference"`
		At        time.Time `db:"created_at"`
	}
	if err := s.db.R().Select(ctx, &rows, `SELECT id, origin_id, from_addr, to_addr, reference, created_at FROM cyb_requests
		WHERE origin_id IN (`+links.Marks(len(refs))+`) AND org_id IN (`+links.Marks(len(orgs))+`) ORDER BY id`, args...); err != nil {
		return nil, core.Wrap("cybercrime: link items", err)
	}
	want := map[core.Ref]bool{}
	for _, r := range refs {
		want[r] = true
	}
	var out []links.Item
	for _, row := range rows {
		ref := core.Ref{Module: "cybercrime", Kind: "request", ID: row.OriginID, Node: links.NodeOf(row.From, s.fed.Host())}
		if !want[ref] {
			continue
		}
		want[ref] = false
		title := row.From + " → " + row.To
		if row.Reference != "" {
			title = row.Reference + " (" + title + ")"
		}
		out = append(out, links.Item{Ref: ref, Title: title, Kind: "links.kind.cyb_request", At: row.At, URL: "/cybercrime/requests/" + row.ID})
	}
	return out, nil
}

// UseLinks gives the module's pages the linked chain, for the "link to an
// incident" form.
func (m *Module) UseLinks(l *links.Service) { m.links = l }
