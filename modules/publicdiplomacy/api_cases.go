package publicdiplomacy

import (
	"net/http"

	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
)

// caseAPIRoutes are disinformation cases as JSON: the same service calls
// and rules as the pages (openapi_cases.json describes them). The public
// database's JSON is /factchecks.json.
func (m *Module) caseAPIRoutes() []web.Route {
	return []web.Route{
		{Pattern: "GET /api/v1/publicdiplomacy/cases", Action: access.PDRead, Handler: m.apiCases},
		{Pattern: "POST /api/v1/publicdiplomacy/cases", Action: access.PDWrite, Handler: m.apiCaseCreate},
		{Pattern: "GET /api/v1/publicdiplomacy/cases/{id}", Action: access.PDRead, Handler: m.apiCase},
		{Pattern: "PUT /api/v1/publicdiplomacy/cases/{id}", Action: access.PDWrite, Handler: m.apiCaseUpdate},
		{Pattern: "POST /api/v1/publicdiplomacy/cases/{id}/submit", Action: access.PDWrite, Handler: m.apiCaseStep("submit")},
		{Pattern: "POST /api/v1/publicdiplomacy/cases/{id}/return", Action: access.PDApprove, Handler: m.apiCaseStep("return")},
		{Pattern: "POST /api/v1/publicdiplomacy/cases/{id}/publish", Action: access.PDApprove, Handler: m.apiCaseStep("publish")},
		{Pattern: "POST /api/v1/publicdiplomacy/cases/{id}/withdraw", Action: access.PDApprove, Handler: m.apiCaseStep("withdraw")},
	}
}

func (m *Module) apiCases(w http.ResponseWriter, r *http.Request) {
	f, err := ParseCaseFilter(r.URL.Query())
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	cases, next, err := m.svc.Cases(r.Context(), f)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	if cases == nil {
		cases = []Case{}
	}
	m.web.JSON(w, http.StatusOK, web.List[Case]{Items: cases, NextCursor: next})
}

func (m *Module) apiCaseCreate(w http.ResponseWriter, r *http.Request) {
	var in CaseInput
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	c, err := m.svc.CreateCase(r.Context(), in)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/publicdiplomacy/cases/"+c.ID)
	m.web.JSON(w, http.StatusCreated, c)
}

func (m *Module) apiCase(w http.ResponseWriter, r *http.Request) {
	c, err := m.svc.Case(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, c)
}

func (m *Module) apiCaseUpdate(w http.ResponseWriter, r *http.Request) {
	var in CaseInput
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	c, err := m.svc.EditCase(r.Context(), r.PathValue("id"), in)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, c)
}

// caseStepInput is a review step: the version the caller saw (0: the
// current one) and, to withdraw, why.
type caseStepInput struct {
	Version int    `json:"version"`
	Reason  string `json:"reason"`
}

func (m *Module) apiCaseStep(step string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var in caseStepInput
		if r.ContentLength != 0 {
			if err := web.DecodeJSON(r, &in); err != nil {
				m.web.Error(w, r, err)
				return
			}
		}
		id := r.PathValue("id")
		var c Case
		var err error
		switch step {
		case "submit":
			c, err = m.svc.SubmitCase(r.Context(), id, in.Version)
		case "return":
			c, err = m.svc.ReturnCase(r.Context(), id, in.Version)
		case "publish":
			c, err = m.svc.PublishCase(r.Context(), id, in.Version)
		case "withdraw":
			c, err = m.svc.WithdrawCase(r.Context(), id, in.Version, in.Reason)
		}
		if err != nil {
			m.web.Error(w, r, err)
			return
		}
		m.web.JSON(w, http.StatusOK, c)
	}
}
