package norms

import (
	"context"
	"slices"

	"entente.example/entente/core"
	"entente.example/entente/internal/links"
	"entente.example/entente/internal/web"
)

// Links: a norm as a record others link to (an incident implicating norm
// (f)), and the norm's page listing what implicates it through those typed
// links, as far as the reader may see: the norms module resolves norms and
// never reads incidents.

// Chain finds the records linked to a reference that the actor in ctx may
// see (links.Service.Chain).
type Chain interface {
	Chain(ctx context.Context, ref core.Ref) ([]links.Item, error)
}

// UseChain names where the norm's page finds the records that implicate
// the norm.
func (s *Service) UseChain(c Chain) { s.chain = c }

// NormRef is the reference to a norm of the framework, by its code.
func NormRef(code string) core.Ref { return core.Ref{Module: "norms", Kind: "norm", ID: code} }

// implicating lists the incidents linked to the norm that the actor may see,
// newest first, in the shape of the page's other links.
func (s *Service) implicating(ctx context.Context, code string) ([]Link, error) {
	if s.chain == nil {
		return nil, nil
	}
	items, err := s.chain.Chain(ctx, NormRef(code))
	if err != nil {
		return nil, err
	}
	var out []Link
	for _, it := range items {
		if it.Ref.Module != "incidents" {
			continue
		}
		out = append(out, Link{ID: it.Ref.String(), Norm: code, Kind: "incident", Ref: it.Ref.String(), Title: it.Title, URL: it.URL, TLP: it.TLP, CreatedAt: it.At})
	}
	slices.Reverse(out)
	return out, nil
}

// LinkItems resolves references to norms: the framework is public, so
// every norm it holds is anyone's, titled in the reader's language, and the
// same on every node (a peer's reference to norm (f) is this node's (f)).
func (s *Service) LinkItems(ctx context.Context, refs []core.Ref) ([]links.Item, error) {
	lang := web.Lang(ctx)
	var out []links.Item
	for _, r := range refs {
		n, ok := s.fw.Norm(r.ID)
		if !ok || r.Kind != "norm" {
			continue
		}
		out = append(out, links.Item{Ref: r, Title: n.Label() + " " + n.Title(lang), Kind: "links.kind.norm", URL: "/norms/" + n.Code})
	}
	return out, nil
}
