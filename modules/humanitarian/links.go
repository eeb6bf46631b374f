package humanitarian

import (
	"context"

	"entente.example/entente/core"
	"entente.example/entente/internal/links"
)

// LinkRef is the reference to an emergency, for internal/links: a
// cyberattack on a hospital or an aid organisation in the emergency is an
// incident linked to it, by type, not by copying.
func LinkRef(e Emergency) core.Ref {
	return core.Ref{Module: "humanitarian", Kind: "emergency", ID: e.ID}
}

// LinkItems resolves references to emergencies. Emergencies are public,
// so anyone who sees the link sees what it points to.
func (s *Service) LinkItems(ctx context.Context, refs []core.Ref) ([]links.Item, error) {
	var out []links.Item
	for _, r := range refs {
		if r.Module != "humanitarian" || r.Kind != "emergency" || r.Node != "" {
			continue
		}
		e, err := s.Emergency(ctx, r.ID)
		if core.KindOf(err) == core.KindNotFound {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, links.Item{Ref: LinkRef(e), Title: e.Title, Kind: "links.kind.emergency", URL: "/humanitarian/emergencies/" + e.ID})
	}
	return out, nil
}
