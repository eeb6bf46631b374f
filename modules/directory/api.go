package directory

import (
	_ "embed"
	"net/http"

	"entente.example/entente/core"
	"entente.example/entente/internal/web"
)

//go:embed openapi.json
var openapi []byte

// OpenAPI implements web.OpenAPISource.
func (m *Module) OpenAPI() []byte { return openapi }

func (m *Module) apiOrgList(w http.ResponseWriter, r *http.Request) {
	page, err := web.PageFromQuery(r)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	q := r.URL.Query()
	orgs, next, err := m.svc.Orgs(r.Context(), OrgFilter{Q: q.Get("q"), Kind: core.OrgKind(q.Get("kind")), Country: q.Get("country")}, page)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	if orgs == nil {
		orgs = []Organisation{}
	}
	m.web.JSON(w, http.StatusOK, web.List[Organisation]{Items: orgs, NextCursor: next})
}

func (m *Module) apiOrgCreate(w http.ResponseWriter, r *http.Request) {
	var in OrgInput
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	o, err := m.svc.CreateOrg(r.Context(), in)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/organisations/"+o.Handle)
	m.web.JSON(w, http.StatusCreated, o)
}

func (m *Module) apiOrgShow(w http.ResponseWriter, r *http.Request) {
	o, err := m.svc.Org(r.Context(), r.PathValue("handle"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, o)
}

// apiOrgUpdate applies a merge patch: fields left out keep their value.
func (m *Module) apiOrgUpdate(w http.ResponseWriter, r *http.Request) {
	o, err := m.svc.Org(r.Context(), r.PathValue("handle"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	in := OrgInput{Handle: o.Handle, Kind: o.Kind, Country: o.Country, NameEN: o.NameEN, NameID: o.NameID, Acronym: o.Acronym, Website: o.Website, Description: o.Description}
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	if in.Handle != o.Handle {
		m.web.Error(w, r, core.Problems{"handle": "err.handle_fixed"}.Err("directory: update organisation"))
		return
	}
	o, err = m.svc.UpdateOrg(r.Context(), o.Handle, in)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, o)
}

func (m *Module) apiOrgMembers(w http.ResponseWriter, r *http.Request) {
	o, err := m.svc.Org(r.Context(), r.PathValue("handle"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	ms, err := m.svc.Members(r.Context(), o.ID)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	if ms == nil {
		ms = []Member{}
	}
	m.web.JSON(w, http.StatusOK, web.List[Member]{Items: ms})
}

func (m *Module) apiPersonList(w http.ResponseWriter, r *http.Request) {
	page, err := web.PageFromQuery(r)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	q := r.URL.Query()
	ps, next, err := m.svc.People(r.Context(), PersonFilter{Q: q.Get("q"), OrgHandle: q.Get("org"), Role: core.Role(q.Get("role"))}, page)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	for i := range ps {
		if ps[i].Roles == nil {
			ps[i].Roles = []PersonRole{}
		}
	}
	if ps == nil {
		ps = []Person{}
	}
	m.web.JSON(w, http.StatusOK, web.List[Person]{Items: ps, NextCursor: next})
}

func (m *Module) apiPersonCreate(w http.ResponseWriter, r *http.Request) {
	var in PersonInput
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	cp, err := m.svc.CreatePerson(r.Context(), in)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/people/"+cp.Person.ID)
	m.web.JSON(w, http.StatusCreated, cp)
}

func (m *Module) apiPersonShow(w http.ResponseWriter, r *http.Request) {
	p, err := m.svc.Person(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	if p.Roles == nil {
		p.Roles = []PersonRole{}
	}
	m.web.JSON(w, http.StatusOK, p)
}
