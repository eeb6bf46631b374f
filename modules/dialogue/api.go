package dialogue

import (
	_ "embed"
	"net/http"
	"strconv"

	"entente.example/entente/internal/web"
)

//go:embed openapi.json
var openapi []byte

// OpenAPI implements web.OpenAPISource.
func (m *Module) OpenAPI() []byte { return openapi }

func (m *Module) apiList(w http.ResponseWriter, r *http.Request) {
	list, err := m.svc.List(r.Context())
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	if list == nil {
		list = []Item{}
	}
	m.web.JSON(w, http.StatusOK, list)
}

func (m *Module) apiCreate(w http.ResponseWriter, r *http.Request) {
	var in Input
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	d, err := m.svc.Create(r.Context(), in)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/dialogues/"+d.ID)
	m.web.JSON(w, http.StatusCreated, d)
}

// dialogueJSON is a dialogue as the API gives it: the document (its
// participants only to participants, which every caller who gets it is),
// and what the caller may do in it.
type dialogueJSON struct {
	*Dialogue
	Seat       Seat `json:"seat"`
	Hosted     bool `json:"hosted"`
	Identities bool `json:"identities"`
	Held       int  `json:"held,omitempty"`
}

func (m *Module) apiGet(w http.ResponseWriter, r *http.Request) {
	v, err := m.svc.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, dialogueJSON{Dialogue: v.D, Seat: v.Seat, Hosted: v.Hosted, Identities: v.Identities, Held: v.Held})
}

type partyInput struct {
	Addr   string `json:"addr"`
	Role   Role   `json:"role"`
	Remove bool   `json:"remove"`
}

func (m *Module) apiParty(w http.ResponseWriter, r *http.Request) {
	var in partyInput
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	var err error
	if in.Remove {
		err = m.svc.RemoveParty(r.Context(), r.PathValue("id"), in.Addr, in.Role)
	} else {
		err = m.svc.AddParty(r.Context(), r.PathValue("id"), in.Addr, in.Role)
	}
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.apiGet(w, r)
}

func (m *Module) apiSession(w http.ResponseWriter, r *http.Request) {
	var in SessionInput
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	s, err := m.svc.AddSession(r.Context(), r.PathValue("id"), in)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusCreated, s)
}

type sessionState struct {
	Closed bool `json:"closed"`
}

func (m *Module) apiSessionState(w http.ResponseWriter, r *http.Request) {
	var in sessionState
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	if err := m.svc.SetSession(r.Context(), r.PathValue("id"), r.PathValue("sid"), in.Closed); err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.apiGet(w, r)
}

type statusInput struct {
	Status string `json:"status"`
}

func (m *Module) apiStatus(w http.ResponseWriter, r *http.Request) {
	var in statusInput
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	if err := m.svc.SetStatus(r.Context(), r.PathValue("id"), in.Status); err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.apiGet(w, r)
}

// threadJSON is a page of threads.
type threadJSON struct {
	Threads []Contribution `json:"threads"`
	Pending []Pending      `json:"pending,omitempty"`
	Next    string         `json:"next,omitempty"` // the after= of the next page
}

func (m *Module) apiContributions(w http.ResponseWriter, r *http.Request) {
	v, err := m.svc.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	q := r.URL.Query()
	after, _ := strconv.ParseInt(q.Get("after"), 10, 64)
	t, err := m.svc.Threads(r.Context(), v, q.Get("session"), after)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	out := threadJSON{Threads: t.Threads, Pending: t.Pending}
	if out.Threads == nil {
		out.Threads = []Contribution{}
	}
	if t.Next > 0 {
		out.Next = strconv.FormatInt(t.Next, 10)
	}
	m.web.JSON(w, http.StatusOK, out)
}

func (m *Module) apiContribute(w http.ResponseWriter, r *http.Request) {
	var in ContributionInput
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	if err := m.svc.Contribute(r.Context(), r.PathValue("id"), in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

type moderationInput struct {
	Action string `json:"action"`
	Reason string `json:"reason"`
}

func (m *Module) apiModerate(w http.ResponseWriter, r *http.Request) {
	var in moderationInput
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	if err := m.svc.Moderate(r.Context(), r.PathValue("id"), r.PathValue("cid"), in.Action, in.Reason); err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (m *Module) apiSummary(w http.ResponseWriter, r *http.Request) {
	var in SummaryInput
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	if err := m.svc.SaveSummary(r.Context(), r.PathValue("id"), in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type returnInput struct {
	Note string `json:"note"`
}

func (m *Module) apiReturnSummary(w http.ResponseWriter, r *http.Request) {
	var in returnInput
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	if err := m.svc.ReturnSummary(r.Context(), r.PathValue("id"), in.Note); err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (m *Module) apiExport(w http.ResponseWriter, r *http.Request) {
	x, err := m.svc.Export(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, x)
}
