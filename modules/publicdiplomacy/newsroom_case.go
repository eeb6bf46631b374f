package publicdiplomacy

import (
	"net/http"

	"entente.example/entente/core"
)

// A message that answers a disinformation case names the case by its
// title, links to it, and offers the link of its public fact-check to
// put in the text.

// answeredCase is the case a message answers, as the newsroom's pages
// show it.
type answeredCase struct {
	ID, Title string
	// FactCheck is the case's public page; Published says whether it is
	// there yet.
	FactCheck string
	Published bool
}

// caseOf is the case of id as the reader may see it; nil when there is
// none, or it is not theirs to see (the page then shows the bare id).
func (m *Module) caseOf(r *http.Request, id string) *answeredCase {
	if id == "" || !core.ValidID(id) {
		return nil
	}
	c, err := m.svc.Case(r.Context(), id)
	if err != nil {
		return nil
	}
	return &answeredCase{ID: c.ID, Title: c.Title, FactCheck: m.svc.CaseURL(c.ID), Published: c.State == CasePublished}
}
