package cybercrime

import (
	_ "embed"
	"net/http"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
)

//go:embed openapi.json
var openapi []byte

// OpenAPI implements web.OpenAPISource.
func (m *Module) OpenAPI() []byte { return openapi }

// apiRoutes are the requests as JSON, for case-management systems: the
// same service calls as the pages, the same rules.
func (m *Module) apiRoutes() []web.Route {
	return []web.Route{
		{Pattern: "GET /api/v1/cybercrime/requests", Action: access.CybercrimeRead, Handler: m.apiList},
		{Pattern: "POST /api/v1/cybercrime/requests", Action: access.CybercrimeDraft, Handler: m.apiCreate},
		{Pattern: "GET /api/v1/cybercrime/requests/{id}", Action: access.CybercrimeRead, Handler: m.apiGet},
		{Pattern: "PUT /api/v1/cybercrime/requests/{id}", Action: access.CybercrimeDraft, Handler: m.apiUpdate},
		{Pattern: "POST /api/v1/cybercrime/requests/{id}/steps", Action: access.CybercrimeAct, Handler: m.apiStep},
		{Pattern: "GET /api/v1/cybercrime/bases", Action: access.CybercrimeDraft, Handler: m.apiBases},
	}
}

// apiRequest is a request with the steps the caller may take on it now.
type apiRequest struct {
	Request
	Actions []Action `json:"actions"`
}

func (m *Module) apiList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	page, err := web.PageFromQuery(r)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	f := Filter{Box: q.Get("box"), State: State(q.Get("state")), Kind: Kind(q.Get("kind")), Page: page}
	p := core.Problems{}
	if f.Box != "" && f.Box != "in" && f.Box != "out" {
		p.Add("box", "err.cyb_box")
	}
	if f.Kind != "" && !f.Kind.Valid() {
		p.Add("kind", "err.cyb_kind")
	}
	if err := p.Err("cybercrime: list"); err != nil {
		m.web.Error(w, r, err)
		return
	}
	items, next, err := m.svc.Requests(r.Context(), f)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	if items == nil {
		items = []Request{}
	}
	m.web.JSON(w, http.StatusOK, web.List[Request]{Items: items, NextCursor: next})
}

func (m *Module) apiCreate(w http.ResponseWriter, r *http.Request) {
	var in Input
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	req, err := m.svc.Create(r.Context(), in)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/cybercrime/requests/"+req.ID)
	m.web.JSON(w, http.StatusCreated, apiRequest{Request: req, Actions: m.svc.Actions(r.Context(), req)})
}

func (m *Module) apiGet(w http.ResponseWriter, r *http.Request) {
	req, err := m.svc.Request(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, apiRequest{Request: req, Actions: m.svc.Actions(r.Context(), req)})
}

func (m *Module) apiUpdate(w http.ResponseWriter, r *http.Request) {
	var in Input
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	req, err := m.svc.UpdateDraft(r.Context(), r.PathValue("id"), in)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, apiRequest{Request: req, Actions: m.svc.Actions(r.Context(), req)})
}

func (m *Module) apiStep(w http.ResponseWriter, r *http.Request) {
	var st Step
	if err := web.DecodeJSON(r, &st); err != nil {
		m.web.Error(w, r, err)
		return
	}
	req, err := m.svc.Act(r.Context(), r.PathValue("id"), st)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, apiRequest{Request: req, Actions: m.svc.Actions(r.Context(), req)})
}

// apiBasesAnswer is the legal-basis options for a request between two
// states, allowed ones first, each refusal said in the caller's language.
type apiBasesAnswer struct {
	From    string      `json:"from"`
	To      string      `json:"to"`
	Kind    Kind        `json:"kind"`
	Options []basisView `json:"options"`
}

func (m *Module) apiBases(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	from, to := strings.ToUpper(strings.TrimSpace(q.Get("from"))), strings.ToUpper(strings.TrimSpace(q.Get("to")))
	k := Kind(q.Get("kind"))
	b, err := m.svc.Bases(r.Context(), from, to, k)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, apiBasesAnswer{From: from, To: to, Kind: k, Options: basisViews(m.web.Catalog(), web.Lang(r.Context()), b)})
}
