package incidents

import (
	"net/http"
	"strings"

	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
)

// stixRoutes are the STIX 2.1 files: one incident (open like its page: the
// service shows it only to whom may see it) and every incident the reader
// may see, and the same for programs under /api/v1.
func (m *Module) stixRoutes() []web.Route {
	return []web.Route{
		{Pattern: "GET /incidents/{id}/stix.json", Action: access.IncidentsPublic, Handler: m.stixOne},
		{Pattern: "GET /incidents/export.stix.json", Action: access.IncidentsRead, Handler: m.stixAll},
		{Pattern: "GET /api/v1/incidents/{id}/stix", Action: access.IncidentsPublic, Handler: m.stixOne},
		{Pattern: "GET /api/v1/incidents/stix", Action: access.IncidentsRead, Handler: m.stixAll},
	}
}

func (m *Module) stixOne(w http.ResponseWriter, r *http.Request) {
	inc, err := m.svc.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.writeBundle(w, r, []Incident{inc}, "incident-"+inc.ID+".stix.json")
}

// stixAll exports what the list's CSV and JSON export: the incidents the
// reader may see that the list's filters select (Records, up to its
// bound), newest first.
func (m *Module) stixAll(w http.ResponseWriter, r *http.Request) {
	f, err := FilterFromQuery(r.URL.Query())
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	incs, err := m.svc.Records(r.Context(), f)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.writeBundle(w, r, incs, "incidents-"+m.svc.Now().Format("2006-01-02")+".stix.json")
}

// writeBundle answers with a bundle; a page's link downloads it as a file,
// a program reads it as JSON.
func (m *Module) writeBundle(w http.ResponseWriter, r *http.Request, incs []Incident, name string) {
	b, err := STIXBundle(incs)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/stix+json;version=2.1")
	if !strings.HasPrefix(r.URL.Path, "/api/") {
		w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	}
	_, _ = w.Write(b)
}
