package economy

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

func (m *Module) apiAgreements(w http.ResponseWriter, r *http.Request) {
	list, err := m.svc.Agreements(r.Context())
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, list)
}

func (m *Module) apiAgreement(w http.ResponseWriter, r *http.Request) {
	a, err := m.svc.Agreement(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, a)
}

// trackerJSON is the tracker without the agreements' whole documents: ids
// where the page shows names.
type trackerJSON struct {
	Agreements []string       `json:"agreements"`
	Topics     []topicJSON    `json:"topics"`
	Parties    []partyRowJSON `json:"parties"`
}

type topicJSON struct {
	Topic string              `json:"topic"`
	Cover map[string][]string `json:"covered_by"` // agreement → provision ids
}

type partyRowJSON struct {
	Country  string            `json:"country"`
	Statuses map[string]string `json:"statuses"` // agreement → status now
}

func (m *Module) apiTracker(w http.ResponseWriter, r *http.Request) {
	t, err := m.svc.Tracker(r.Context(), r.URL.Query()["a"]...)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	out := trackerJSON{Agreements: []string{}, Topics: []topicJSON{}, Parties: []partyRowJSON{}}
	for _, a := range t.Agreements {
		out.Agreements = append(out.Agreements, a.ID)
	}
	for _, row := range t.Rows {
		tj := topicJSON{Topic: row.Topic, Cover: map[string][]string{}}
		for _, c := range row.Cells {
			for _, p := range c.Provisions {
				tj.Cover[c.Agreement.ID] = append(tj.Cover[c.Agreement.ID], p.ID)
			}
		}
		out.Topics = append(out.Topics, tj)
	}
	for _, p := range t.Parties {
		pj := partyRowJSON{Country: p.Country, Statuses: map[string]string{}}
		for i, s := range p.Statuses {
			if s.Status != "" {
				pj.Statuses[t.Agreements[i].ID] = s.Status
			}
		}
		out.Parties = append(out.Parties, pj)
	}
	m.web.JSON(w, http.StatusOK, out)
}

func (m *Module) apiCommitments(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, _ := strconv.Atoi(q.Get("limit"))
	f := Filter{Country: q.Get("country"), Agreement: q.Get("agreement"), Overdue: q.Get("overdue") == "true", Page: pageOf(r), Limit: limit}
	list, more, err := m.svc.Commitments(r.Context(), f)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	if more {
		// The next page, as RFC 8288 writes it: the list stays a plain
		// array for the clients that read it.
		q.Set("page", strconv.Itoa(f.Page+1))
		w.Header().Set("Link", "</api/v1/economy/commitments?"+q.Encode()+`>; rel="next"`)
	}
	if list == nil {
		list = []Commitment{}
	}
	m.web.JSON(w, http.StatusOK, list)
}

func (m *Module) apiCommitment(w http.ResponseWriter, r *http.Request) {
	c, err := m.svc.Commitment(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, c)
}

func (m *Module) apiCreate(w http.ResponseWriter, r *http.Request) {
	var in CommitmentInput
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	c, err := m.svc.CreateCommitment(r.Context(), in)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/economy/commitments/"+c.ID)
	m.web.JSON(w, http.StatusCreated, c)
}

func (m *Module) apiUpdate(w http.ResponseWriter, r *http.Request) {
	var in CommitmentInput
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	c, err := m.svc.UpdateCommitment(r.Context(), r.PathValue("id"), in)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, c)
}
