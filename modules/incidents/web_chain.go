package incidents

import (
	"net/http"
	"slices"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/links"
)

// The incident page's linked chain: the records linked to the incident
// (indicators, POC and cybercrime requests, messages, statements, norms)
// as one timeline, each only if the viewer may see it, with the norms the
// incident may still be said to implicate. web/templates/incidents/
// chain.partial.html renders it.

// ChainView is what the chain's part of an incident page shows.
type ChainView struct {
	Ref   string       // the incident's reference, as the forms post it
	Back  string       // the incident's page, to come back to
	Items []links.Item // the timeline, oldest first; its length is the count shown
	// Norms are the norms of the framework not linked yet, for the
	// "implicates" form.
	Norms []links.Item
	Can   bool // the viewer may link and unlink
}

// UseLinks gives the module the linked chain.
func (m *Module) UseLinks(l *links.Service) { m.links = l }

// normCodes are the eleven norms of the UN framework, (a) to (k).
var normCodes = []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"}

// chain returns inc's chain as the viewer of r may see it.
func (m *Module) chain(r *http.Request, inc Incident) (ChainView, error) {
	ctx := r.Context()
	ref := m.svc.LinkRef(inc)
	// Back to the incident's page, whichever of its forms was posted.
	v := ChainView{Ref: ref.String(), Back: "/incidents/" + inc.ID}
	if m.links == nil {
		return v, nil
	}
	var err error
	if v.Items, err = m.links.Chain(ctx, ref); err == nil {
		err = m.links.MarkRemovable(ctx, ref, v.Items)
	}
	if err != nil {
		return v, err
	}
	v.Can = access.Can(core.ActorFrom(ctx), access.LinkWrite, access.Resource{})
	if !v.Can {
		return v, nil
	}
	refs := make([]core.Ref, 0, len(normCodes))
	for _, c := range normCodes {
		refs = append(refs, core.Ref{Module: "norms", Kind: "norm", ID: c})
	}
	all, err := m.links.Resolve(ctx, refs)
	if err != nil {
		return v, err
	}
	for _, n := range all {
		if !slices.ContainsFunc(v.Items, func(it links.Item) bool { return it.Ref == n.Ref }) {
			v.Norms = append(v.Norms, n)
		}
	}
	// Resolve orders by date; norms have none, so by their letter.
	slices.SortFunc(v.Norms, func(a, b links.Item) int { return strings.Compare(a.Ref.ID, b.Ref.ID) })
	return v, nil
}
