package economy

import (
	"net/http"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/internal/links"
	"entente.example/entente/internal/names"
	"entente.example/entente/internal/web"
)

type countryView struct {
	view
	C    CountryView
	Form web.Form
	// Provisions are the choices of the commitment form: every provision
	// of the agreements the country is party to.
	Provisions []choice
	Statuses   []string
}

// OrgHandle names one of the viewer's organisations by its handle.
func (v countryView) OrgHandle(id string) string {
	for _, m := range v.Actor.Memberships {
		if m.Org.ID == id {
			return m.Org.Handle
		}
	}
	return id
}

type choice struct{ Agreement, Provision, Label string }

func (m *Module) countryPage(w http.ResponseWriter, r *http.Request, code string, f web.Form, status int) {
	code = strings.ToUpper(code)
	if !names.ValidCountry(code) {
		m.web.Error(w, r, errNoAgreement)
		return
	}
	c, err := m.svc.Country(r.Context(), code, pageOf(r))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	v := countryView{view: m.view(r, "eco.title.country", names.Country(code, m.web.Page(r, "").Lang)), C: c, Form: f, Statuses: Statuses}
	for _, ms := range c.Memberships {
		for _, p := range ms.Agreement.Provisions {
			v.Provisions = append(v.Provisions, choice{ms.Agreement.ID, p.ID, ms.Agreement.Short + " · " + p.Name(v.Lang)})
		}
	}
	m.web.Render(w, r, status, "economy/country", v)
}

func (m *Module) country(w http.ResponseWriter, r *http.Request) {
	m.countryPage(w, r, r.PathValue("code"), web.Form{}, http.StatusOK)
}

// commitmentInput reads the commitment form; "provision" is
// "agreement/provision", one choice.
func commitmentInput(f web.Form) CommitmentInput {
	ag, prov, _ := strings.Cut(f.Get("provision"), "/")
	return CommitmentInput{Org: f.Get("org"), Agreement: ag, Provision: prov, What: f.Get("what"), Deadline: f.Get("deadline"),
		Status: f.Get("status"), Notes: f.Get("notes"), Shared: f.Get("shared") == "on"}
}

func (m *Module) create(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	c, err := m.svc.CreateCommitment(r.Context(), commitmentInput(f))
	if err != nil {
		if e := core.AsError(err); e != nil && e.Fields != nil {
			if p, ok := e.Fields["agreement"]; ok && e.Fields["provision"] == "" {
				e.Fields["provision"] = p // the form's one choice is both
			}
			delete(e.Fields, "agreement")
			m.countryPage(w, r, f.Get("country"), web.Form{Values: f.Values, Problems: e.Fields, Message: "err.form"}, web.FormStatus(err))
			return
		}
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/economy/commitments/"+c.ID, "flash.eco_commitment_saved")
}

type commitmentView struct {
	view
	C         Commitment
	A         Agreement
	P         Provision
	Form      web.Form
	Edit      bool
	Links     *links.Form
	Statuses  []string
	History   []Change
	Reference string
	// Provisions are the choices of the edit form: the agreement's.
	Provisions []choice
}

func (m *Module) commitmentPage(w http.ResponseWriter, r *http.Request, f web.Form, status int) {
	ctx := r.Context()
	c, err := m.svc.Commitment(ctx, r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	v := commitmentView{view: m.view(r, "eco.title.commitment"), C: c, Form: f, Statuses: Statuses, Reference: LinkRef(c).String()}
	v.A, _ = m.svc.Agreement(ctx, c.AgreementID)
	v.P, _ = v.A.Provision(c.ProvisionID)
	v.Edit = CanWrite(v.Actor, c)
	if v.History, err = m.svc.History(ctx, c.ID); err != nil {
		m.web.Error(w, r, err)
		return
	}
	for _, p := range v.A.Provisions {
		v.Provisions = append(v.Provisions, choice{v.A.ID, p.ID, v.A.Short + " · " + p.Name(v.Lang)})
	}
	if f.Values == nil {
		v.Form.Values = map[string][]string{"provision": {c.AgreementID + "/" + c.ProvisionID}, "what": {c.What}, "deadline": {c.Deadline},
			"status": {c.Status}, "notes": {c.Notes}}
		if c.Shared {
			v.Form.Values["shared"] = []string{"on"}
		}
	}
	if m.links != nil {
		lf, err := m.links.FormFor(ctx, LinkRef(c), "/economy/commitments/"+c.ID)
		if err != nil {
			m.web.Error(w, r, err)
			return
		}
		v.Links = &lf
	}
	m.web.Render(w, r, status, "economy/commitment", v)
}

func (m *Module) commitment(w http.ResponseWriter, r *http.Request) {
	m.commitmentPage(w, r, web.Form{}, http.StatusOK)
}

func (m *Module) update(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	c, err := m.svc.UpdateCommitment(r.Context(), r.PathValue("id"), commitmentInput(f))
	if err != nil {
		if e := core.AsError(err); e != nil && e.Fields != nil {
			m.commitmentPage(w, r, web.Form{Values: f.Values, Problems: e.Fields, Message: "err.form"}, web.FormStatus(err))
			return
		}
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/economy/commitments/"+c.ID, "flash.eco_commitment_saved")
}

// ProvisionName names a provision of one of the country's agreements in
// the page's language ("ASEAN DEFA · Keamanan siber").
func (v countryView) ProvisionName(agreement, provision string) string {
	for _, ms := range v.C.Memberships {
		if ms.Agreement.ID == agreement {
			if p, ok := ms.Agreement.Provision(provision); ok {
				return ms.Agreement.Short + " · " + p.Name(v.Lang)
			}
		}
	}
	return agreement + " · " + provision
}

// PrevPage is the page of commitments before this one.
func (v countryView) PrevPage() int { return v.C.Page - 1 }

// NextPage is the page of commitments after this one.
func (v countryView) NextPage() int { return v.C.Page + 1 }
