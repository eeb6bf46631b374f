package economy

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/internal/links"
	"entente.example/entente/internal/web"
)

type agreementView struct {
	view
	A           Agreement
	Commitments []Commitment
	Page        int  // of commitments, from 0
	More        bool // another page of commitments follows
	Doc         string
	Edit        bool // the viewer corrects the agreement and confirms its facts
	Links       *links.Form
	Reference   string
	// Confirm is the fact whose confirmation was refused, with the form's
	// input and problem: its form is open on the page.
	Confirm string
	Form    web.Form
}

// Provisions lists the agreement's provisions in the module.
func (v agreementView) Provisions(module string) []Provision {
	var out []Provision
	for _, p := range v.A.Provisions {
		if p.Module == module {
			out = append(out, p)
		}
	}
	return out
}

// pageOf reads a page number ("?page=", from 0) that a person may have
// typed: anything else is the first page.
func pageOf(r *http.Request) int {
	n, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || n < 0 || n > 10000 {
		return 0
	}
	return n
}

func (m *Module) agreementPage(w http.ResponseWriter, r *http.Request, confirm string, f web.Form, status int) {
	ctx := r.Context()
	a, err := m.svc.Agreement(ctx, r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	v := agreementView{view: m.view(r, "eco.title.agreement", a.Short), A: a, Reference: AgreementRef(a).String(), Page: pageOf(r), Confirm: confirm, Form: f}
	if m.links != nil {
		lf, err := m.links.FormFor(ctx, AgreementRef(a), "/economy/agreements/"+a.ID)
		if err != nil {
			m.web.Error(w, r, err)
			return
		}
		v.Links = &lf
	}
	if v.Commitments, v.More, err = m.svc.Commitments(ctx, Filter{Agreement: a.ID, Page: v.Page}); err != nil {
		m.web.Error(w, r, err)
		return
	}
	v.Edit = CanCorrect(v.Actor, a)
	if v.Edit {
		a.Local, a.OrgID, a.Corrected = false, "", false
		b, _ := json.MarshalIndent(a, "", " ")
		v.Doc = string(b)
	}
	m.web.Render(w, r, status, "economy/agreement", v)
}

func (m *Module) agreement(w http.ResponseWriter, r *http.Request) {
	m.agreementPage(w, r, "", web.Form{}, http.StatusOK)
}

// confirm records that the viewer checked one fact against its source.
func (m *Module) confirm(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	id, fact := r.PathValue("id"), f.Get("fact")
	if _, err := m.svc.ConfirmFact(r.Context(), id, fact, f.Get("source")); err != nil {
		if e := core.AsError(err); e != nil && e.Fields != nil {
			m.agreementPage(w, r, fact, web.Form{Values: f.Values, Problems: e.Fields, Message: "err.form"}, web.FormStatus(err))
			return
		}
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/economy/agreements/"+id+"#"+factAnchor(fact), "flash.eco_fact_confirmed")
}

// factAnchor is the id of a fact's element on the agreement page: a
// provision's own id (the tracker links to it), "f-party-ID-1" for a
// party's step.
func factAnchor(key string) string {
	if id, ok := strings.CutPrefix(key, "provision:"); ok {
		return id
	}
	out := []byte("f-")
	for i := 0; i < len(key); i++ {
		c := key[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' {
			out = append(out, c)
		} else {
			out = append(out, '-')
		}
	}
	return string(out)
}

// Anchor is the id of a fact's element on the page.
func (agreementView) Anchor(key string) string { return factAnchor(key) }

// PrevPage and NextPage are the pages of commitments either side of this one.
func (v agreementView) PrevPage() int { return v.Page - 1 }

// NextPage is the page of commitments after this one.
func (v agreementView) NextPage() int { return v.Page + 1 }
