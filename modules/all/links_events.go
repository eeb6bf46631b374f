package all

import (
	"context"

	"entente.example/entente/core"
	"entente.example/entente/internal/links"
	"entente.example/entente/modules/dialogue"
)

// eventLinks resolves references to events (events:event:ID): a forum on
// e-commerce or investment is linked to the agreement it is about, not
// copied into it. Each event comes through the events service's own Get,
// so a viewer sees only events its reading rule lets them see; one that
// is missing or not theirs is left out. It asks once per reference: a
// record has a handful of linked events, not hundreds.
func eventLinks(ev *dialogue.Events) links.ResolverFunc {
	return func(ctx context.Context, refs []core.Ref) ([]links.Item, error) {
		var out []links.Item
		for _, r := range refs {
			if r.Module != "events" || r.Kind != "event" || r.Node != "" {
				continue
			}
			e, err := ev.Get(ctx, r.ID)
			switch k := core.KindOf(err); {
			case err == nil:
			case k == core.KindNotFound || k == core.KindForbidden || k == core.KindUnauthenticated:
				continue
			default:
				return nil, err
			}
			out = append(out, links.Item{Ref: r, Title: e.Title, Kind: "links.kind.event", At: e.Start, URL: "/events/" + e.ID})
		}
		return out, nil
	}
}
