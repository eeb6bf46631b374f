package incidents

import (
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
)

// apiRoutes are incidents as JSON: the same service calls as the pages,
// the same rules (openapi.json describes them).
func (m *Module) apiRoutes() []web.Route {
	return []web.Route{
		{Pattern: "GET /api/v1/incidents", Action: access.IncidentsRead, Handler: m.apiList},
		{Pattern: "POST /api/v1/incidents", Action: access.IncidentsWrite, Handler: m.apiCreate},
		{Pattern: "GET /api/v1/incidents/{id}", Action: access.IncidentsRead, Handler: m.apiGet},
		{Pattern: "PUT /api/v1/incidents/{id}", Action: access.IncidentsWrite, Handler: m.apiUpdate},
		{Pattern: "POST /api/v1/incidents/{id}/attributions", Action: access.IncidentsWrite, Handler: m.apiAttribution},
		{Pattern: "POST /api/v1/incidents/{id}/responses", Action: access.IncidentsWrite, Handler: m.apiResponse},
	}
}

// FilterFromQuery reads a list's filters from a query (the API's and the
// exports'), refusing a value outside its vocabulary or a date that is
// not one, by field.
func FilterFromQuery(q url.Values) (Filter, error) {
	f := Filter{Type: q.Get("type"), Sector: q.Get("sector"), Initiator: q.Get("initiator"), Words: q.Get("q")}
	p := core.Problems{}
	for _, c := range []struct {
		name, v string
		vocab   []string
	}{{"type", f.Type, Types}, {"sector", f.Sector, Sectors}, {"initiator", f.Initiator, InitiatorCategories}} {
		if c.v != "" && !slices.Contains(c.vocab, c.v) {
			p.Add(c.name, "err.inc_vocab")
		}
	}
	if s := q.Get("from"); s != "" {
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			p.Add("from", "err.date")
		}
		f.From = t
	}
	if s := q.Get("to"); s != "" {
		t, err := time.Parse("2006-01-02", s)
		if err != nil {
			p.Add("to", "err.date")
		}
		f.To = t.AddDate(0, 0, 1) // the whole day
	}
	if len(strings.TrimSpace(f.Words)) > maxName {
		p.Add("q", "err.too_long")
	}
	return f, p.Err("incidents: filter")
}

func (m *Module) apiList(w http.ResponseWriter, r *http.Request) {
	f, err := FilterFromQuery(r.URL.Query())
	if err == nil {
		f.Page, err = web.PageFromQuery(r)
	}
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	items, next, err := m.svc.List(r.Context(), f)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	if items == nil {
		items = []Incident{}
	}
	m.web.JSON(w, http.StatusOK, web.List[Incident]{Items: items, NextCursor: next})
}

// apiInput is an incident as a client writes it, with the organisation
// that records it (on create).
type apiInput struct {
	Org string `json:"org"`
	Incident
}

func (m *Module) apiCreate(w http.ResponseWriter, r *http.Request) {
	var in apiInput
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	inc, err := m.svc.Create(r.Context(), in.Org, in.Incident)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/incidents/"+inc.ID)
	m.web.JSON(w, http.StatusCreated, inc)
}

func (m *Module) apiGet(w http.ResponseWriter, r *http.Request) {
	inc, err := m.svc.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, inc)
}

func (m *Module) apiUpdate(w http.ResponseWriter, r *http.Request) {
	var in Incident
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	inc, err := m.svc.Update(r.Context(), r.PathValue("id"), in)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, inc)
}

func (m *Module) apiAttribution(w http.ResponseWriter, r *http.Request) {
	var in Attribution
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	a, err := m.svc.AddAttribution(r.Context(), r.PathValue("id"), in)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusCreated, a)
}

func (m *Module) apiResponse(w http.ResponseWriter, r *http.Request) {
	var in Response
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	resp, err := m.svc.AddResponse(r.Context(), r.PathValue("id"), in)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusCreated, resp)
}
