package correspondence

import (
	"context"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/links"
)

// Links: the messages an incident's chain names, and the form on a
// message's page that links it to an incident.

// LinkRef is the reference to a message: its id and node where it was
// written, the same on every side, so each node finds its own copy.
func (s *Service) LinkRef(ctx context.Context, m Message) (core.Ref, error) {
	var origin string
	if err := s.db.R().Get(ctx, &origin, `SELECT origin_id FROM messages WHERE id = ?`, m.ID); err != nil {
		return core.Ref{}, core.Wrap("correspondence: link ref", err)
	}
	return core.Ref{Module: "correspondence", Kind: "message", ID: origin, Node: links.NodeOf(m.From, s.fed.Host())}, nil
}

// LinkItems resolves references to messages for the actor in ctx, in one
// query that carries the reading rule of Read: a message of one of the
// actor's organisations (sent or received), and a TLP:RED one only for its
// author and the people it names.
func (s *Service) LinkItems(ctx context.Context, refs []core.Ref) ([]links.Item, error) {
	a := core.ActorFrom(ctx)
	orgs := orgIDs(a)
	if len(orgs) == 0 || len(refs) == 0 {
		return nil, nil
	}
	in := links.Marks(len(orgs))
	args := links.IDs(refs)
	args = append(append(args, orgs...), orgs...)
	args = append(args, a.UserID, a.UserID)
	var rows []struct {
		ID       string    `db:"id"`
		OriginID string    `db:"origin_id"`
		From     string    `db:"from_addr"`
		Subject  string    `db:"subject"`
		TLP      core.TLP  `db:"tlp"`
		At       time.Time `db:"created_at"`
	}
	if err := s.db.R().Select(ctx, &rows, `SELECT m.id, m.origin_id, m.from_addr, m.subject, m.tlp, m.created_at FROM messages m
		WHERE m.origin_id IN (`+links.Marks(len(refs))+`)
		AND ((m.from_org_id <> '' AND m.from_org_id IN (`+in+`)) OR EXISTS (SELECT 1 FROM message_recipients r WHERE r.message_id = m.id AND r.to_org_id <> '' AND r.to_org_id IN (`+in+`)))
		AND (m.tlp <> 'RED' OR (m.author_id <> '' AND m.author_id = ?) OR EXISTS (SELECT 1 FROM message_named n WHERE n.message_id = m.id AND n.user_id <> '' AND n.user_id = ?))
		ORDER BY m.id`, args...); err != nil {
		return nil, core.Wrap("correspondence: link items", err)
	}
	want := map[core.Ref]bool{}
	for _, r := range refs {
		want[r] = true
	}
	var out []links.Item
	for _, row := range rows {
		ref := core.Ref{Module: "correspondence", Kind: "message", ID: row.OriginID, Node: links.NodeOf(row.From, s.fed.Host())}
		if want[ref] {
			want[ref] = false
			out = append(out, links.Item{Ref: ref, Title: row.Subject, Kind: "links.kind.message", At: row.At, URL: "/mail/" + row.ID, TLP: row.TLP})
		}
	}
	return out, nil
}

// UseLinks gives the module's pages the linked chain, for the "link to an
// incident" form.
func (m *Module) UseLinks(l *links.Service) { m.links = l }
