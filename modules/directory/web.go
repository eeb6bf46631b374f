package directory

import (
	"net/http"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/links"
	"entente.example/entente/internal/web"
)

// Module is the directory's slice of the product.
type Module struct {
	svc   *Service
	nets  *Networks
	web   *web.Server
	links *links.Service // "link to an incident" (links.go); nil: none
}

// NewModule returns the module.
func NewModule(svc *Service, nets *Networks, w *web.Server) *Module {
	return &Module{svc: svc, nets: nets, web: w}
}

// Name implements web.Module.
func (m *Module) Name() string { return "directory" }

// Service returns the module's service (main hands it to auth as RoleLoader).
func (m *Module) Service() *Service { return m.svc }

// Routes implements web.Module: the directory's route table.
func (m *Module) Routes() []web.Route {
	rs := []web.Route{
		{Pattern: "GET /orgs", Action: access.DirectoryRead, Handler: m.orgList},
		{Pattern: "GET /orgs/new", Action: access.OrgCreate, Handler: m.orgNew},
		{Pattern: "POST /orgs", Action: access.OrgCreate, Handler: m.orgCreate},
		{Pattern: "GET /orgs/{handle}", Action: access.DirectoryRead, Handler: m.orgShow},
		{Pattern: "GET /orgs/{handle}/edit", Action: access.OrgManage, Handler: m.orgEdit},
		{Pattern: "POST /orgs/{handle}/edit", Action: access.OrgManage, Handler: m.orgUpdate},
		{Pattern: "POST /orgs/{handle}/members", Action: access.OrgStaff, Handler: m.memberAdd},
		{Pattern: "POST /orgs/{handle}/members/{user}/remove", Action: access.OrgStaff, Handler: m.memberRemove},
		{Pattern: "GET /people", Action: access.DirectoryRead, Handler: m.personList},
		{Pattern: "GET /people/new", Action: access.PersonCreate, Handler: m.personNew},
		{Pattern: "POST /people", Action: access.PersonCreate, Handler: m.personCreate},
		{Pattern: "GET /people/{id}", Action: access.DirectoryRead, Handler: m.personShow},

		{Pattern: "GET /api/v1/organisations", Action: access.DirectoryRead, Handler: m.apiOrgList},
		{Pattern: "POST /api/v1/organisations", Action: access.OrgCreate, Handler: m.apiOrgCreate},
		{Pattern: "GET /api/v1/organisations/{handle}", Action: access.DirectoryRead, Handler: m.apiOrgShow},
		{Pattern: "PATCH /api/v1/organisations/{handle}", Action: access.OrgManage, Handler: m.apiOrgUpdate},
		{Pattern: "GET /api/v1/organisations/{handle}/members", Action: access.DirectoryRead, Handler: m.apiOrgMembers},
		{Pattern: "GET /api/v1/people", Action: access.DirectoryRead, Handler: m.apiPersonList},
		{Pattern: "POST /api/v1/people", Action: access.PersonCreate, Handler: m.apiPersonCreate},
		{Pattern: "GET /api/v1/people/{id}", Action: access.DirectoryRead, Handler: m.apiPersonShow},
	}
	rs = append(rs, m.networkRoutes()...)
	rs = append(rs, m.requestRoutes()...)
	rs = append(rs, m.pingActionRoutes()...)
	rs = append(rs, m.addressRoutes()...)
	return append(rs, m.apiNetworkRoutes()...)
}

type orgListView struct {
	web.Page
	Orgs    []Organisation
	Next    string
	Q       string
	Kind    string
	Country string
	Kinds   []core.OrgKind
	Form    web.Form
	Peers   []Addressee // peers' organisations matching the filter, on the first page
}

func (m *Module) orgList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := orgListView{Page: m.web.Page(r, "title.orgs"), Q: q.Get("q"), Kind: q.Get("kind"), Country: q.Get("country"), Kinds: core.OrgKinds}
	v.Nav = "orgs"
	page, err := web.PageFromQuery(r)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	v.Orgs, v.Next, err = m.svc.Orgs(r.Context(), OrgFilter{Q: v.Q, Kind: core.OrgKind(v.Kind), Country: v.Country}, page)
	if err != nil {
		if v.Form.Take(err) {
			m.web.Render(w, r, web.FormStatus(err), "directory/orgs", v)
			return
		}
		m.web.Error(w, r, err)
		return
	}
	if page.Cursor == "" {
		if v.Peers, err = m.peerOrgs(r.Context(), v.Q, core.OrgKind(v.Kind), v.Country); err != nil {
			m.web.Error(w, r, err)
			return
		}
	}
	m.web.Render(w, r, http.StatusOK, "directory/orgs", v)
}

type orgFormView struct {
	web.Page
	Org   Organisation // empty when creating
	Form  web.Form
	Kinds []core.OrgKind
}

func (m *Module) orgNew(w http.ResponseWriter, r *http.Request) {
	v := orgFormView{Page: m.web.Page(r, "title.org_new"), Kinds: core.OrgKinds}
	v.Nav = "orgs"
	m.web.Render(w, r, http.StatusOK, "directory/org_form", v)
}

func orgInputFromForm(f web.Form) OrgInput {
	return OrgInput{Handle: f.Get("handle"), Kind: core.OrgKind(f.Get("kind")), Country: f.Get("country"), NameEN: f.Get("name_en"), NameID: f.Get("name_id"),
		Acronym: f.Get("acronym"), Website: f.Get("website"), Description: f.Get("description")}
}

func (m *Module) orgCreate(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	o, err := m.svc.CreateOrg(r.Context(), orgInputFromForm(f))
	if err != nil {
		v := orgFormView{Page: m.web.Page(r, "title.org_new"), Form: f, Kinds: core.OrgKinds}
		v.Nav = "orgs"
		if v.Form.Take(err) {
			m.web.Render(w, r, web.FormStatus(err), "directory/org_form", v)
			return
		}
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/orgs/"+o.Handle, "flash.org_created")
}

type orgView struct {
	web.Page
	Org        Organisation
	Members    []Member
	MemberForm web.Form
	Roles      []core.Role
	CanStaff   bool // may add and remove members (not a node administrator once it has an admin)
}

func (m *Module) orgShowView(r *http.Request) (orgView, error) {
	o, err := m.svc.Org(r.Context(), r.PathValue("handle"))
	if err != nil {
		return orgView{}, err
	}
	v := orgView{Page: m.web.Page(r, "title.org", o.Name(web.Lang(r.Context()))), Org: o, Roles: core.Roles}
	v.Nav = "orgs"
	v.CanStaff = m.svc.CanStaff(r.Context(), o.ID)
	v.Members, err = m.svc.Members(r.Context(), o.ID)
	return v, err
}

func (m *Module) orgShow(w http.ResponseWriter, r *http.Request) {
	v, err := m.orgShowView(r)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "directory/org", v)
}

func (m *Module) orgEdit(w http.ResponseWriter, r *http.Request) {
	o, err := m.svc.Org(r.Context(), r.PathValue("handle"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	if err := access.Check(core.ActorFrom(r.Context()), access.OrgManage, access.Resource{OrgID: o.ID}); err != nil {
		m.web.Error(w, r, err)
		return
	}
	v := orgFormView{Page: m.web.Page(r, "title.org_edit", o.Name(web.Lang(r.Context()))), Org: o, Kinds: core.OrgKinds}
	v.Nav = "orgs"
	v.Form = web.Form{Values: map[string][]string{
		"handle": {o.Handle}, "kind": {string(o.Kind)}, "country": {o.Country}, "name_en": {o.NameEN}, "name_id": {o.NameID},
		"acronym": {o.Acronym}, "website": {o.Website}, "description": {o.Description},
	}}
	m.web.Render(w, r, http.StatusOK, "directory/org_form", v)
}

func (m *Module) orgUpdate(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	o, err := m.svc.UpdateOrg(r.Context(), r.PathValue("handle"), orgInputFromForm(f))
	if err != nil {
		cur, gerr := m.svc.Org(r.Context(), r.PathValue("handle"))
		v := orgFormView{Page: m.web.Page(r, "title.org_edit", cur.Name(web.Lang(r.Context()))), Org: cur, Form: f, Kinds: core.OrgKinds}
		v.Nav = "orgs"
		if gerr == nil && v.Form.Take(err) {
			m.web.Render(w, r, web.FormStatus(err), "directory/org_form", v)
			return
		}
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/orgs/"+o.Handle, "flash.org_updated")
}

func (m *Module) memberAdd(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	err := m.svc.AddMember(r.Context(), r.PathValue("handle"), f.Get("email"), core.Role(f.Get("role")))
	if err != nil {
		v, verr := m.orgShowView(r)
		if verr == nil && f.Take(err) {
			v.MemberForm = f
			m.web.Render(w, r, web.FormStatus(err), "directory/org", v)
			return
		}
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/orgs/"+r.PathValue("handle"), "flash.member_saved")
}

func (m *Module) memberRemove(w http.ResponseWriter, r *http.Request) {
	if err := m.svc.RemoveMember(r.Context(), r.PathValue("handle"), r.PathValue("user")); err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/orgs/"+r.PathValue("handle"), "flash.member_removed")
}

type personListView struct {
	web.Page
	People []Person
	Next   string
	Q      string
	Org    string
	Role   string
	Roles  []core.Role
}

func (m *Module) personList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := personListView{Page: m.web.Page(r, "title.people"), Q: q.Get("q"), Org: q.Get("org"), Role: q.Get("role"), Roles: core.Roles}
	v.Nav = "people"
	page, err := web.PageFromQuery(r)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	v.People, v.Next, err = m.svc.People(r.Context(), PersonFilter{Q: v.Q, OrgHandle: v.Org, Role: core.Role(v.Role)}, page)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "directory/people", v)
}

type personFormView struct {
	web.Page
	Form       web.Form
	Roles      []core.Role
	Orgs       []core.OrgRef // organisations the actor may add people to
	InviteLink string
	Created    *Person
}

func (m *Module) personFormView(r *http.Request) personFormView {
	v := personFormView{Page: m.web.Page(r, "title.person_new"), Roles: core.Roles}
	v.Nav = "people"
	a := core.ActorFrom(r.Context())
	if a.NodeAdmin {
		orgs, _, err := m.svc.Orgs(r.Context(), OrgFilter{}, core.Page{Limit: 200})
		if err == nil {
			for _, o := range orgs {
				v.Orgs = append(v.Orgs, core.OrgRef{ID: o.ID, Handle: o.Handle})
			}
		}
	} else {
		for _, ms := range a.Memberships {
			if ms.Role == core.RoleAdmin {
				v.Orgs = append(v.Orgs, ms.Org)
			}
		}
	}
	return v
}

func (m *Module) personNew(w http.ResponseWriter, r *http.Request) {
	v := m.personFormView(r)
	v.Form = web.Form{Values: map[string][]string{"org_handle": {r.URL.Query().Get("org")}, "role": {string(core.RoleMember)}}}
	m.web.Render(w, r, http.StatusOK, "directory/person_form", v)
}

func (m *Module) personCreate(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	cp, err := m.svc.CreatePerson(r.Context(), PersonInput{Name: f.Get("name"), Email: f.Get("email"), Title: f.Get("title"),
		OrgHandle: f.Get("org_handle"), Role: core.Role(f.Get("role")), Lang: f.Get("lang")})
	v := m.personFormView(r)
	if err != nil {
		v.Form = f
		if v.Form.Take(err) {
			m.web.Render(w, r, web.FormStatus(err), "directory/person_form", v)
			return
		}
		m.web.Error(w, r, err)
		return
	}
	// The link is shown once, here, so the administrator can hand it over if
	// the e-mail does not arrive.
	v.InviteLink, v.Created = cp.InviteLink, &cp.Person
	v.Flash = "flash.person_created"
	v.Form = web.Form{Values: map[string][]string{"org_handle": {f.Get("org_handle")}, "role": {string(core.RoleMember)}}}
	m.web.Render(w, r, http.StatusCreated, "directory/person_form", v)
}

type personView struct {
	web.Page
	Person Person
}

func (m *Module) personShow(w http.ResponseWriter, r *http.Request) {
	p, err := m.svc.Person(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	v := personView{Page: m.web.Page(r, "title.person", p.Name), Person: p}
	v.Nav = "people"
	m.web.Render(w, r, http.StatusOK, "directory/person", v)
}
