package economy

import (
	"net/http"

	"entente.example/entente/internal/web"
)

// agreementPost is the body of POST /api/v1/economy/agreements: the
// organisation that adds the agreement (its id; "" for the node, which
// only its administrator may) and the agreement.
type agreementPost struct {
	Org       string    `json:"org"`
	Agreement Agreement `json:"agreement"`
}

func (m *Module) apiAddAgreement(w http.ResponseWriter, r *http.Request) {
	var in agreementPost
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	a, err := m.svc.AddAgreement(r.Context(), in.Org, in.Agreement)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/economy/agreements/"+a.ID)
	m.web.JSON(w, http.StatusCreated, a)
}

func (m *Module) apiCorrectAgreement(w http.ResponseWriter, r *http.Request) {
	var a Agreement
	if err := web.DecodeJSON(r, &a); err != nil {
		m.web.Error(w, r, err)
		return
	}
	a, err := m.svc.CorrectAgreement(r.Context(), r.PathValue("id"), a)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, a)
}

// confirmation is the body of a fact's confirmation.
type confirmation struct {
	Fact   string `json:"fact"`
	Source string `json:"source"`
}

func (m *Module) apiConfirm(w http.ResponseWriter, r *http.Request) {
	var in confirmation
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	a, err := m.svc.ConfirmFact(r.Context(), r.PathValue("id"), in.Fact, in.Source)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, a)
}

func (m *Module) apiHistory(w http.ResponseWriter, r *http.Request) {
	h, err := m.svc.History(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, h)
}
