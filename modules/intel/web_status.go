package intel

import (
	"net/http"
	"slices"

	"entente.example/entente/core"
	"entente.example/entente/internal/web"
)

type statusView struct {
	web.Page
	S     Status
	Names map[string]link // what was accepted, by name and page
}

// Name names an accepted or refused object for the status page.
func (v statusView) Name(id string) link { return refLink(id, v.Names) }

func (m *Module) statusPage(w http.ResponseWriter, r *http.Request) {
	st, err := m.svc.Status(r.Context(), m.svc.Writers(core.ActorFrom(r.Context())), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	ids := make([]string, 0, len(st.Successes)+len(st.Failures))
	for _, d := range append(slices.Clone(st.Successes), st.Failures...) {
		ids = append(ids, d.ID)
	}
	names, err := m.names(r.Context(), m.svc.Readers(core.ActorFrom(r.Context())), ids)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	v := statusView{Page: m.web.Page(r, "title.intel_status"), S: st, Names: names}
	v.Nav = "intel"
	// The status lines are English for TAXII clients; the page says them in
	// the reader's language.
	for _, ds := range [][]StatusDetail{v.S.Successes, v.S.Failures} {
		for i := range ds {
			ds[i].Message = reasonIn(m.web.Catalog(), v.Lang, ds[i].Message)
		}
	}
	m.web.Render(w, r, http.StatusOK, "intel/status", v)
}
