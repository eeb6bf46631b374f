package capacity

import (
	"context"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/links"
)

// Links: a need or a project as a record others link to (a commitment in a
// digital-economy agreement that the need helps meet, a forum where the
// project was announced), resolved here with the capacity filter so that a
// chain shows a need or project only to those who may see it. A peer's
// copy keeps its node's id, which carries that node's tag, so a reference
// names no node and means the same record on every node that holds it.

// NeedRef is the reference to a need.
func NeedRef(id string) core.Ref { return core.Ref{Module: "capacity", Kind: "need", ID: id} }

// ProjectRef is the reference to a project.
func ProjectRef(id string) core.Ref { return core.Ref{Module: "capacity", Kind: "project", ID: id} }

type linkRow struct {
	ID    string    `db:"id"`
	Title string    `db:"title"`
	At    time.Time `db:"created_at"`
}

// NeedLinkItems resolves references to needs for the actor in ctx, in one
// query that carries the needs' visibility filter.
func (s *Service) NeedLinkItems(ctx context.Context, refs []core.Ref) ([]links.Item, error) {
	fs, args := s.needFilter(ctx)
	return s.linkItems(ctx, refs, `SELECT n.id, n.title, n.created_at FROM cap_needs n WHERE n.id IN (`+links.Marks(len(refs))+`) AND (`+fs+`) ORDER BY n.id`,
		args, NeedRef, "links.kind.cap_need", "/capacity/needs/")
}

// ProjectLinkItems resolves references to projects for the actor in ctx,
// in one query that carries access.CapacityFilter.
func (s *Service) ProjectLinkItems(ctx context.Context, refs []core.Ref) ([]links.Item, error) {
	fs, args := access.CapacityFilter(access.CapacityReaders(core.ActorFrom(ctx), s.node.Host()))
	return s.linkItems(ctx, refs, `SELECT p.id, p.title, p.created_at FROM cap_projects p WHERE p.id IN (`+links.Marks(len(refs))+`) AND (`+fs+`) ORDER BY p.id`,
		args, ProjectRef, "links.kind.cap_project", "/capacity/projects/")
}

func (s *Service) linkItems(ctx context.Context, refs []core.Ref, q string, fargs []any, ref func(string) core.Ref, kind, url string) ([]links.Item, error) {
	if len(refs) == 0 {
		return nil, nil
	}
	var rows []linkRow
	if err := s.db.R().Select(ctx, &rows, q, append(links.IDs(refs), fargs...)...); err != nil {
		return nil, core.Wrap("capacity: link items", err)
	}
	want := map[core.Ref]bool{}
	for _, r := range refs {
		want[r] = true
	}
	var out []links.Item
	for _, row := range rows {
		if r := ref(row.ID); want[r] {
			want[r] = false
			out = append(out, links.Item{Ref: r, Title: row.Title, Kind: kind, At: row.At.UTC(), URL: url + row.ID})
		}
	}
	return out, nil
}
