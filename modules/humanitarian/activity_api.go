package humanitarian

import (
	"bytes"
	"io"
	"net/http"
	"strconv"

	"entente.example/entente/core"
	"entente.example/entente/internal/web"
)

// activityJSON is an activity as a client sends it.
type activityJSON struct {
	Org         string `json:"org"` // the organisation's handle, on creation
	Role        string `json:"role"`
	Partner     string `json:"partner"`
	PartnerRole string `json:"partner_role"`
	Sector      string `json:"sector"`
	Activity    string `json:"activity"`
	Place       string `json:"place"` // a P-code or a place's name
	StartOn     string `json:"start_on"`
	EndOn       string `json:"end_on"`
	Status      string `json:"status"`
	Targeted    People `json:"targeted"`
	Reached     People `json:"reached"`
}

func (in activityJSON) activity() Activity {
	return Activity{Role: in.Role, Partner: in.Partner, PartnerRole: in.PartnerRole, Sector: in.Sector, Activity: in.Activity,
		Place: in.Place, StartOn: in.StartOn, EndOn: in.EndOn, Status: in.Status, Targeted: in.Targeted, Reached: in.Reached}
}

func (m *Module) apiActivities(w http.ResponseWriter, r *http.Request) {
	e, err := m.svc.Emergency(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	list, err := m.svc.Activities(r.Context(), e, activityFilter(r))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, list)
}

func (m *Module) apiCreateActivity(w http.ResponseWriter, r *http.Request) {
	var in activityJSON
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	a, err := m.svc.CreateActivity(r.Context(), r.PathValue("id"), in.Org, in.activity())
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusCreated, a)
}

func (m *Module) apiActivity(w http.ResponseWriter, r *http.Request) {
	a, err := m.svc.Activity(r.Context(), r.PathValue("aid"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, a)
}

func (m *Module) apiUpdateActivity(w http.ResponseWriter, r *http.Request) {
	var in activityJSON
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	a, err := m.svc.UpdateActivity(r.Context(), r.PathValue("aid"), in.activity())
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, a)
}

func (m *Module) apiDeleteActivity(w http.ResponseWriter, r *http.Request) {
	if _, err := m.svc.DeleteActivity(r.Context(), r.PathValue("aid")); err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (m *Module) apiActivityMatrix(w http.ResponseWriter, r *http.Request) {
	e, err := m.svc.Emergency(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	level, _ := strconv.Atoi(r.URL.Query().Get("level"))
	mx, err := m.svc.ActivityMatrix(r.Context(), e, level)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, mx)
}

func (m *Module) apiActivityGaps(w http.ResponseWriter, r *http.Request) {
	e, err := m.svc.Emergency(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	level, _ := strconv.Atoi(r.URL.Query().Get("level"))
	gaps, err := m.svc.ActivityGaps(r.Context(), e, level)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	if gaps == nil {
		gaps = []Gap{}
	}
	m.web.JSON(w, http.StatusOK, gaps)
}

// problemJSON is an import problem with its reason in the reader's
// language.
type problemJSON struct {
	ImportProblem
	Message string `json:"message"`
}

// importRefusal is the answer to a refused import: the API's error, and
// every problem found.
type importRefusal struct {
	Error    web.APIErrorBody `json:"error"`
	Imported int              `json:"imported"`
	Problems []problemJSON    `json:"problems"`
}

// apiImportActivities imports an HXL 3W sent as text/csv for the
// organisation named by ?org=handle; all rows or none.
func (m *Module) apiImportActivities(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, ImportMaxBytes+1))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	res, err := m.svc.ImportActivities(r.Context(), r.PathValue("id"), r.URL.Query().Get("org"), bytes.NewReader(body))
	if err == nil {
		m.web.JSON(w, http.StatusOK, res)
		return
	}
	if len(res.Problems) == 0 {
		m.web.Error(w, r, err)
		return
	}
	lang := web.Lang(r.Context())
	cat := m.web.Catalog()
	out := importRefusal{Error: web.APIErrorBody{Kind: core.KindInvalid, Message: cat.T(lang, "err.hum_3w_import_refused"),
		RequestID: core.RequestFrom(r.Context()).ID}, Problems: make([]problemJSON, len(res.Problems))}
	for i, p := range res.Problems {
		col := columnName(p.Column, p.Tag)
		if col == "" {
			col = cat.T(lang, "hum.3w.whole_file")
		}
		out.Problems[i] = problemJSON{ImportProblem: p, Message: cat.T(lang, "hum.3w.problem", p.Row, col, cat.T(lang, p.Code))}
	}
	m.web.JSON(w, http.StatusUnprocessableEntity, out)
}
