package negotiation

import (
	_ "embed"
	"net/http"
	"strconv"

	"entente.example/entente/core"
	"entente.example/entente/internal/web"
)

//go:embed openapi.json
var openapi []byte

// OpenAPI implements web.OpenAPISource.
func (m *Module) OpenAPI() []byte { return openapi }

func (m *Module) apiList(w http.ResponseWriter, r *http.Request) {
	list, err := m.svc.Processes(r.Context())
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	if list == nil {
		list = []Summary{}
	}
	m.web.JSON(w, http.StatusOK, list)
}

func (m *Module) apiCreate(w http.ResponseWriter, r *http.Request) {
	var in ProcessInput
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	p, err := m.svc.Create(r.Context(), in)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/negotiation/"+p.ID)
	m.web.JSON(w, http.StatusCreated, p)
}

// processJSON is a process as the API gives it: the document, and the seat
// the caller holds in it.
type processJSON struct {
	*Process
	Seat Seat `json:"seat"`
}

func (m *Module) apiProcess(w http.ResponseWriter, r *http.Request) {
	v, err := m.svc.Process(r.Context(), r.PathValue("pid"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, processJSON{Process: v.P, Seat: v.Seat})
}

type partyJSON struct {
	Addr string `json:"addr"`
	Role string `json:"role"`
}

func (m *Module) apiParty(w http.ResponseWriter, r *http.Request) {
	var in partyJSON
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	if err := m.svc.AddParty(r.Context(), r.PathValue("pid"), in.Addr, in.Role); err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.apiProcess(w, r)
}

func (m *Module) apiText(w http.ResponseWriter, r *http.Request) {
	var in TextInput
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	t, err := m.svc.AddText(r.Context(), r.PathValue("pid"), in)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/negotiation/"+r.PathValue("pid")+"/texts/"+t.ID)
	m.web.JSON(w, http.StatusCreated, t)
}

func (m *Module) apiAct(w http.ResponseWriter, r *http.Request) {
	var in ActInput
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	act, err := m.svc.Do(r.Context(), r.PathValue("pid"), in)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	// Accepted: on another node's table the act is on its way.
	m.web.JSON(w, http.StatusAccepted, act)
}

func (m *Module) apiGetText(w http.ResponseWriter, r *http.Request) {
	_, t, err := m.svc.Text(r.Context(), r.PathValue("pid"), r.PathValue("tid"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, t)
}

func (m *Module) apiRevision(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 {
		m.web.Error(w, r, errNotFound)
		return
	}
	ps, err := m.svc.Revision(r.Context(), r.PathValue("pid"), r.PathValue("tid"), n)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, ps)
}

func (m *Module) apiCompare(w http.ResponseWriter, r *http.Request) {
	a, errA := strconv.Atoi(r.URL.Query().Get("a"))
	b, errB := strconv.Atoi(r.URL.Query().Get("b"))
	if errA != nil || errB != nil || a < 0 || b < 0 {
		m.web.Error(w, r, errOp("compare", core.KindInvalid, "err.form"))
		return
	}
	d, err := m.svc.CompareRevisions(r.Context(), r.PathValue("pid"), r.PathValue("tid"), a, b)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, d)
}

func (m *Module) apiParagraph(w http.ResponseWriter, r *http.Request) {
	var in ParagraphInput
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	if err := m.svc.EditParagraph(r.Context(), r.PathValue("pid"), r.PathValue("tid"), r.PathValue("para"), in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.apiGetText(w, r)
}

func (m *Module) apiDecide(w http.ResponseWriter, r *http.Request) {
	var in DecisionInput
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	if err := m.svc.Decide(r.Context(), r.PathValue("pid"), r.PathValue("tid"), r.PathValue("aid"), in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.apiGetText(w, r)
}

type revisionJSON struct {
	Note string `json:"note"`
}

func (m *Module) apiRevise(w http.ResponseWriter, r *http.Request) {
	var in revisionJSON
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	n, err := m.svc.IssueRevision(r.Context(), r.PathValue("pid"), r.PathValue("tid"), in.Note)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusCreated, map[string]int{"rev": n})
}

func (m *Module) apiSilence(w http.ResponseWriter, r *http.Request) {
	var in SilenceInput
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	if err := m.svc.Circulate(r.Context(), r.PathValue("pid"), r.PathValue("tid"), in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.apiGetText(w, r)
}
