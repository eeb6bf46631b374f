package capacity

import (
	_ "embed"
	"net/http"

	"entente.example/entente/internal/web"
)

//go:embed openapi.json
var openapi []byte

// OpenAPI implements web.OpenAPISource.
func (m *Module) OpenAPI() []byte { return openapi }

func (m *Module) apiThemes(w http.ResponseWriter, r *http.Request) {
	m.web.JSON(w, http.StatusOK, Themes)
}

func (m *Module) apiProjects(w http.ResponseWriter, r *http.Request) {
	list, err := m.svc.List(r.Context(), filterOf(r))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, list)
}

// projectInput is a new project: the owning organisation's handle and the
// project.
type projectInput struct {
	Org string `json:"org"`
	Project
}

func (m *Module) apiCreateProject(w http.ResponseWriter, r *http.Request) {
	var in projectInput
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	p, err := m.svc.Create(r.Context(), in.Org, in.Project)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/capacity/projects/"+p.ID)
	m.web.JSON(w, http.StatusCreated, p)
}

func (m *Module) apiProject(w http.ResponseWriter, r *http.Request) {
	p, err := m.svc.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, p)
}

func (m *Module) apiNeeds(w http.ResponseWriter, r *http.Request) {
	list, err := m.svc.ListNeeds(r.Context(), r.URL.Query().Get("theme"), r.URL.Query().Get("country"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, list)
}

type needInput struct {
	Org string `json:"org"`
	Need
}

func (m *Module) apiPostNeed(w http.ResponseWriter, r *http.Request) {
	var in needInput
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	n, err := m.svc.PostNeed(r.Context(), in.Org, in.Need)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/capacity/needs/"+n.ID)
	m.web.JSON(w, http.StatusCreated, n)
}

// needJSON is a need with its suggested offers and the proposals the
// caller sees.
type needJSON struct {
	Need
	Suggestions []Suggestion `json:"suggestions"`
	Proposals   []Proposal   `json:"proposals"`
}

func (m *Module) apiNeed(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	n, err := m.svc.GetNeed(ctx, r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	out := needJSON{Need: n}
	if out.Suggestions, err = m.svc.Suggestions(ctx, n, 10); err == nil {
		out.Proposals, err = m.svc.Proposals(ctx, n)
	}
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	if out.Suggestions == nil {
		out.Suggestions = []Suggestion{}
	}
	if out.Proposals == nil {
		out.Proposals = []Proposal{}
	}
	m.web.JSON(w, http.StatusOK, out)
}

type proposalInput struct {
	Offer string `json:"offer"`
	Note  string `json:"note"`
}

func (m *Module) apiPropose(w http.ResponseWriter, r *http.Request) {
	var in proposalInput
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	p, err := m.svc.Propose(r.Context(), r.PathValue("id"), in.Offer, in.Note)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusCreated, p)
}

type decisionInput struct {
	Accept bool `json:"accept"`
}

func (m *Module) apiDecide(w http.ResponseWriter, r *http.Request) {
	var in decisionInput
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	p, err := m.svc.Decide(r.Context(), r.PathValue("id"), r.PathValue("pid"), in.Accept)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, p)
}

func (m *Module) apiOffers(w http.ResponseWriter, r *http.Request) {
	list, err := m.svc.ListOffers(r.Context())
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, list)
}

type offerInput struct {
	Org string `json:"org"`
	Offer
}

func (m *Module) apiPostOffer(w http.ResponseWriter, r *http.Request) {
	var in offerInput
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	o, err := m.svc.PostOffer(r.Context(), in.Org, in.Offer)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusCreated, o)
}
