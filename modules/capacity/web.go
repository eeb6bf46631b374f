package capacity

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/links"
	"entente.example/entente/internal/web"
)

// Module is capacity building's slice of the product.
type Module struct {
	svc   *Service
	web   *web.Server
	book  AddressBook    // nil: forms offer no address book
	links *links.Service // nil: pages show no linked records
}

// UseLinks shows a need's and a project's linked records (the commitment
// in a digital-economy agreement it helps meet, an incident, a forum).
func (m *Module) UseLinks(l *links.Service) { m.links = l }

// linksFor is the linked-records section of a need's or project's page.
func (m *Module) linksFor(r *http.Request, ref core.Ref, back string) (*links.Form, error) {
	if m.links == nil {
		return nil, nil
	}
	f, err := m.links.FormFor(r.Context(), ref, back)
	return &f, err
}

// AddressBook offers the organisations a record can be shared with (this
// node's, verified peers', the reader's networks'); the directory
// implements it.
type AddressBook interface {
	Addresses(ctx context.Context, q string) ([]federation.RemoteOrg, error)
}

// UseAddressBook makes the forms offer the address book.
func (m *Module) UseAddressBook(b AddressBook) { m.book = b }

// NewModule returns the module.
func NewModule(svc *Service, w *web.Server) *Module { return &Module{svc: svc, web: w} }

// Name implements web.Module.
func (m *Module) Name() string { return "capacity" }

// Routes implements web.Module. Reading is open to anyone, signed in or
// not: the service shows each reader only what is public or shared with
// their organisations.
func (m *Module) Routes() []web.Route {
	pub, wr := access.CapacityPublic, access.CapacityWrite
	return []web.Route{
		{Pattern: "GET /capacity", Action: pub, Handler: m.projects},
		{Pattern: "GET /capacity/projects.csv", Action: pub, Handler: m.exportCSV},
		{Pattern: "GET /capacity/projects.json", Action: pub, Handler: m.exportJSON},
		{Pattern: "GET /capacity/projects.xml", Action: pub, Handler: m.exportIATI},
		{Pattern: "GET /capacity/projects/new", Action: wr, Handler: m.newProject},
		{Pattern: "POST /capacity/projects", Action: wr, Handler: m.createProject},
		{Pattern: "GET /capacity/projects/{id}", Action: pub, Handler: m.project},
		{Pattern: "GET /capacity/needs", Action: pub, Handler: m.needs},
		{Pattern: "POST /capacity/needs", Action: wr, Handler: m.postNeed},
		{Pattern: "GET /capacity/needs/{id}", Action: pub, Handler: m.need},
		{Pattern: "GET /capacity/needs/{id}/edit", Action: wr, Handler: m.editNeed},
		{Pattern: "POST /capacity/needs/{id}", Action: wr, Handler: m.updateNeed},
		{Pattern: "POST /capacity/needs/{id}/close", Action: wr, Handler: m.closeNeed},
		{Pattern: "POST /capacity/needs/{id}/proposals", Action: wr, Handler: m.propose},
		{Pattern: "POST /capacity/needs/{id}/proposals/{pid}", Action: wr, Handler: m.decide},
		{Pattern: "GET /capacity/offers", Action: pub, Handler: m.offers},
		{Pattern: "POST /capacity/offers", Action: wr, Handler: m.postOffer},
		{Pattern: "GET /capacity/offers/{id}", Action: pub, Handler: m.offer},
		{Pattern: "GET /capacity/offers/{id}/edit", Action: wr, Handler: m.editOffer},
		{Pattern: "POST /capacity/offers/{id}", Action: wr, Handler: m.updateOffer},

		{Pattern: "GET /api/v1/capacity/themes", Action: pub, Handler: m.apiThemes},
		{Pattern: "GET /api/v1/capacity/projects", Action: pub, Handler: m.apiProjects},
		{Pattern: "POST /api/v1/capacity/projects", Action: wr, Handler: m.apiCreateProject},
		{Pattern: "GET /api/v1/capacity/projects/{id}", Action: pub, Handler: m.apiProject},
		{Pattern: "GET /api/v1/capacity/needs", Action: pub, Handler: m.apiNeeds},
		{Pattern: "POST /api/v1/capacity/needs", Action: wr, Handler: m.apiPostNeed},
		{Pattern: "GET /api/v1/capacity/needs/{id}", Action: pub, Handler: m.apiNeed},
		{Pattern: "PUT /api/v1/capacity/needs/{id}", Action: wr, Handler: m.apiUpdateNeed},
		{Pattern: "POST /api/v1/capacity/needs/{id}/close", Action: wr, Handler: m.apiCloseNeed},
		{Pattern: "POST /api/v1/capacity/needs/{id}/proposals", Action: wr, Handler: m.apiPropose},
		{Pattern: "POST /api/v1/capacity/needs/{id}/proposals/{pid}", Action: wr, Handler: m.apiDecide},
		{Pattern: "GET /api/v1/capacity/offers", Action: pub, Handler: m.apiOffers},
		{Pattern: "POST /api/v1/capacity/offers", Action: wr, Handler: m.apiPostOffer},
		{Pattern: "GET /api/v1/capacity/offers/{id}", Action: pub, Handler: m.apiOffer},
		{Pattern: "PUT /api/v1/capacity/offers/{id}", Action: wr, Handler: m.apiUpdateOffer},
		{Pattern: "GET /api/v1/capacity/offers/{id}/needs", Action: access.CapacityRead, Handler: m.apiOfferNeeds},
	}
}

// base is what every capacity page has.
type base struct {
	web.Page
	W      Words
	Themes []Theme
	Orgs   []core.OrgRef          // where the viewer may write
	Book   []federation.RemoteOrg // what a writer may share with
}

func (m *Module) base(r *http.Request, title string, args ...any) base {
	p := m.web.Page(r, title, args...)
	p.Nav = "capacity"
	b := base{Page: p, W: Words{lang: p.Lang, cat: m.web.Catalog()}, Themes: Themes.Themes, Orgs: Writable(core.ActorFrom(r.Context()))}
	if len(b.Orgs) > 0 && m.book != nil {
		if book, err := m.book.Addresses(r.Context(), ""); err == nil {
			b.Book = book[:min(len(book), maxBook)]
		}
	}
	return b
}

// pageSize is how many needs or projects a list page shows.
const pageSize = 50

// nextPage is the link to the page after the record last, with the
// list's other filters kept.
func nextPage(r *http.Request, last string) string {
	q := r.URL.Query()
	q.Set("before", last)
	return r.URL.Path + "?" + q.Encode()
}

// maxBook is how many organisations a form offers to tick; any other
// address is typed into the field beside them.
const maxBook = 60

// sharedWith reads the addresses a form shares with: the ticked ones and
// those typed, one or several a field.
func sharedWith(f web.Form) []string {
	var out []string
	for _, v := range f.Values["shared_with"] {
		out = append(out, words(v)...)
	}
	return out
}

// Typed is what the form's free address field holds: the shared addresses
// the address book does not offer to tick.
func (b base) Typed(f web.Form) string {
	var out []string
	for _, a := range sharedWith(f) {
		if !slices.ContainsFunc(b.Book, func(o federation.RemoteOrg) bool { return o.Address() == a }) {
			out = append(out, a)
		}
	}
	return strings.Join(out, ", ")
}

func filterOf(r *http.Request) Filter {
	q := r.URL.Query()
	return Filter{Theme: q.Get("theme"), Country: q.Get("country"), Status: Status(q.Get("status"))}
}

type projectsView struct {
	base
	List     []Project
	Next     string // the next page's link, when there is one
	F        Filter
	Statuses []Status
	Query    string
}

func (m *Module) projects(w http.ResponseWriter, r *http.Request) {
	f := filterOf(r)
	f.Before, f.Limit = r.URL.Query().Get("before"), pageSize+1
	list, err := m.svc.List(r.Context(), f)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	v := projectsView{base: m.base(r, "title.capacity"), List: list, F: f, Statuses: Statuses, Query: r.URL.RawQuery}
	if len(list) > pageSize {
		v.List = list[:pageSize]
		v.Next = nextPage(r, v.List[pageSize-1].ID)
	}
	m.web.Render(w, r, http.StatusOK, "capacity/projects", v)
}

func (m *Module) export(w http.ResponseWriter, r *http.Request, ctype, name string, write func(*bytes.Buffer, []Project) error) {
	list, err := m.svc.List(r.Context(), filterOf(r))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	var b bytes.Buffer
	if err := write(&b, list); err != nil {
		m.web.Error(w, r, core.Wrap("capacity: export", err))
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Write(b.Bytes())
}

func (m *Module) exportCSV(w http.ResponseWriter, r *http.Request) {
	m.export(w, r, "text/csv; charset=utf-8", "capacity-projects.csv", func(b *bytes.Buffer, l []Project) error { return WriteCSV(b, l) })
}

func (m *Module) exportJSON(w http.ResponseWriter, r *http.Request) {
	m.export(w, r, "application/json", "capacity-projects.json", func(b *bytes.Buffer, l []Project) error { return WriteJSON(b, l) })
}

func (m *Module) exportIATI(w http.ResponseWriter, r *http.Request) {
	m.export(w, r, "application/xml", "capacity-projects-iati.xml", func(b *bytes.Buffer, l []Project) error {
		// A peer's project is its own node's to publish: IATI wants one
		// publisher per activity, and this node is not that one.
		own := slices.DeleteFunc(l, func(p Project) bool { return p.Origin != "" })
		return WriteIATI(b, Reporter{Name: m.web.NodeName}, own, m.svc.db.Clock().Now())
	})
}

type projectView struct {
	base
	P     Project
	Links *links.Form
}

func (m *Module) project(w http.ResponseWriter, r *http.Request) {
	p, err := m.svc.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	lf, err := m.linksFor(r, ProjectRef(p.ID), "/capacity/projects/"+p.ID)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "capacity/project", projectView{base: m.base(r, "title.capacity_project", p.Title), P: p, Links: lf})
}

type formView struct {
	base
	Form     web.Form
	Statuses []Status
	Regions  []Region
}

func (m *Module) newProject(w http.ResponseWriter, r *http.Request) {
	m.web.Render(w, r, http.StatusOK, "capacity/project_form", formView{base: m.base(r, "title.capacity_new"), Statuses: Statuses, Regions: Themes.Regions,
		Form: web.Form{Problems: core.Problems{}}})
}

// lines splits a textarea one entry a line; words splits a field on commas
// and spaces (country and language codes).
func lines(s string) []string { return strings.Split(strings.ReplaceAll(s, "\r", ""), "\n") }
func words(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == ';' || r == '\n' || r == '\r' || r == '\t' })
}

func amount(pr core.Problems, field, s string) int64 {
	s = strings.ReplaceAll(strings.TrimSpace(s), ",", "")
	if s == "" {
		return 0
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 {
		pr.Add(field, "err.number")
	}
	return v
}

func (m *Module) createProject(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	pr := core.Problems{}
	p := Project{Title: f.Get("title"), Summary: f.Get("summary"), Themes: f.Values["themes"], Topics: f.Values["topics"], Funders: lines(f.Get("funders")),
		Implementers: lines(f.Get("implementers")), Countries: words(f.Get("countries")), Regions: f.Values["regions"], Budget: amount(pr, "budget", f.Get("budget")),
		Currency: f.Get("currency"), Start: f.Get("start"), End: f.Get("end"), Status: Status(f.Get("status")), Outputs: lines(f.Get("outputs")),
		Contact: f.Get("contact"), Visibility: f.Get("visibility"), SharedWith: sharedWith(f)}
	var err error
	if err = pr.Err("capacity: create project"); err == nil {
		p, err = m.svc.Create(r.Context(), f.Get("org"), p)
	}
	if err != nil {
		if f.Take(err) {
			m.web.Render(w, r, web.FormStatus(err), "capacity/project_form", formView{base: m.base(r, "title.capacity_new"), Statuses: Statuses, Regions: Themes.Regions, Form: f})
			return
		}
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/capacity/projects/"+p.ID, "flash.saved")
}

// Checked says whether a form's field holds value, for checkboxes.
func (b base) Checked(f web.Form, field, value string) bool {
	for _, v := range f.Values[field] {
		if v == value {
			return true
		}
	}
	return false
}
