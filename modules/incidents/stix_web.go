package incidents

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"

	"entente.example/entente/core"
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

func (m *Module) stixAll(w http.ResponseWriter, r *http.Request) {
	incs, err := m.svc.Export(r.Context())
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

// Export returns every incident the actor may see, with its attributions
// and responses, oldest first: the STIX export of the list. The rows are
// read under the same filter as List (access.IncidentFilter), and their
// attributions and responses through a join on it, three queries in all.
func (s *Service) Export(ctx context.Context) ([]Incident, error) {
	a := core.ActorFrom(ctx)
	f, args := access.IncidentFilter(access.IncidentReaders(a, s.fed.Host()))
	var out []Incident
	if err := s.db.R().Select(ctx, &out, `SELECT `+prefixed+` FROM inc_incidents i WHERE `+f+` ORDER BY i.id`, args...); err != nil {
		return nil, core.Wrap("incidents: export", err)
	}
	at := map[string]int{}
	for k := range out {
		if err := out[k].decode(); err != nil {
			return nil, err
		}
		at[out[k].ID] = k
	}
	var attrs []Attribution
	if err := s.db.R().Select(ctx, &attrs, `SELECT a.id, a.incident_id, a.origin_id, a.by_name, a.by_category, a.by_country, a.at, a.basis, a.to_name,
		a.to_country, a.confidence, a.note, a.sources FROM inc_attributions a JOIN inc_incidents i ON i.id = a.incident_id WHERE `+f+` ORDER BY a.at, a.id`, args...); err != nil {
		return nil, core.Wrap("incidents: export", err)
	}
	for _, x := range attrs {
		x.At = x.At.UTC()
		if err := json.Unmarshal([]byte(x.SourcesJSON), &x.Sources); err != nil {
			return nil, fmt.Errorf("incidents: attribution sources: %w", err)
		}
		if k, ok := at[x.IncidentID]; ok {
			out[k].Attributions = append(out[k].Attributions, x)
		}
	}
	var resps []Response
	if err := s.db.R().Select(ctx, &resps, `SELECT r.id, r.incident_id, r.origin_id, r.kind, r.by_name, r.by_country, r.at, r.description, r.sources
		FROM inc_responses r JOIN inc_incidents i ON i.id = r.incident_id WHERE `+f+` ORDER BY r.at, r.id`, args...); err != nil {
		return nil, core.Wrap("incidents: export", err)
	}
	for _, x := range resps {
		x.At = x.At.UTC()
		if err := json.Unmarshal([]byte(x.SourcesJSON), &x.Sources); err != nil {
			return nil, fmt.Errorf("incidents: response sources: %w", err)
		}
		if k, ok := at[x.IncidentID]; ok {
			out[k].Responses = append(out[k].Responses, x)
		}
	}
	return out, nil
}
