package norms

import (
	_ "embed"
	"net/http"

	"entente.example/entente/internal/web"
)

//go:embed openapi.json
var openapi []byte

// OpenAPI implements web.OpenAPISource.
func (m *Module) OpenAPI() []byte { return openapi }

func (m *Module) apiFramework(w http.ResponseWriter, r *http.Request) {
	m.web.JSON(w, http.StatusOK, m.svc.Framework())
}

// reportList is the API's list of reports.
type reportList struct {
	Published []Report `json:"published"`
	InWork    []Report `json:"in_progress"`
}

func (m *Module) apiReports(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	pub, mine, err := m.svc.Reports(r.Context(), ReportFilter{Norm: q.Get("norm"), Q: q.Get("q"), Country: q.Get("country")})
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	if pub == nil {
		pub = []Report{}
	}
	if mine == nil {
		mine = []Report{}
	}
	m.web.JSON(w, http.StatusOK, reportList{Published: pub, InWork: mine})
}

func (m *Module) apiCreate(w http.ResponseWriter, r *http.Request) {
	var in ReportInput
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	rep, err := m.svc.Create(r.Context(), in)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/reports/"+rep.ID)
	m.web.JSON(w, http.StatusCreated, rep)
}

func (m *Module) apiReport(w http.ResponseWriter, r *http.Request) {
	rep, err := m.svc.Report(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, rep)
}

func (m *Module) apiSave(w http.ResponseWriter, r *http.Request) {
	var a Answer
	if err := web.DecodeJSON(r, &a); err != nil {
		m.web.Error(w, r, err)
		return
	}
	if err := m.svc.SaveAnswer(r.Context(), r.PathValue("id"), a); err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (m *Module) apiTransition(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Action string `json:"action"`
	}
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	rep, err := m.svc.Transition(r.Context(), r.PathValue("id"), in.Action)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, rep)
}

func (m *Module) apiVersions(w http.ResponseWriter, r *http.Request) {
	vs, err := m.svc.Versions(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, struct {
		Versions []Report `json:"versions"`
	}{append([]Report{}, vs...)})
}

func (m *Module) apiNewVersion(w http.ResponseWriter, r *http.Request) {
	rep, err := m.svc.NewVersion(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/reports/"+rep.ID)
	m.web.JSON(w, http.StatusCreated, rep)
}

func (m *Module) apiWithdraw(w http.ResponseWriter, r *http.Request) {
	rep, err := m.svc.Withdraw(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, rep)
}
