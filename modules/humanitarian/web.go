package humanitarian

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/links"
	"entente.example/entente/internal/names"
	"entente.example/entente/internal/web"
)

// Module is humanitarian coordination's slice of the product.
type Module struct {
	svc   *Service
	web   *web.Server
	book  AddressBook    // organisations offered in "to" fields; nil: this node's only
	links *links.Service // an emergency's links (incidents); nil: none shown
	orgs  OrgDirectory   // names organisations; nil: their addresses are shown
}

// AddressBook offers the organisations of verified peers and of the
// person's networks.
type AddressBook interface {
	Addresses(ctx context.Context, q string) ([]federation.RemoteOrg, error)
}

// NewModule returns the module.
func NewModule(svc *Service, w *web.Server) *Module { return &Module{svc: svc, web: w} }

// UseAddressBook makes the forms offer the address book.
func (m *Module) UseAddressBook(b AddressBook) { m.book = b }

// UseLinks shows an emergency's links, such as the incidents that hit its
// hospitals and aid organisations.
func (m *Module) UseLinks(l *links.Service) { m.links = l }

// Name implements web.Module.
func (m *Module) Name() string { return "humanitarian" }

// Routes implements web.Module. An emergency's public face is open to
// anyone; the service decides what each reader sees of its reports.
// Each part of the module lists its own routes.
func (m *Module) Routes() []web.Route {
	var out []web.Route
	for _, part := range [][]web.Route{m.emergencyRoutes(), m.reportRoutes(), m.apiRoutes(), m.activityRoutes(), m.channelRoutes(), m.infoRoutes(), m.fundingRoutes()} {
		out = append(out, part...)
	}
	return out
}

func (m *Module) emergencyRoutes() []web.Route {
	pub, wr := access.HumPublic, access.HumWrite
	return []web.Route{
		{Pattern: "GET /humanitarian", Action: pub, Handler: m.index},
		{Pattern: "POST /humanitarian/emergencies", Action: wr, Handler: m.createEmergency},
		{Pattern: "GET /humanitarian/emergencies/{id}", Action: pub, Handler: m.emergency},
		{Pattern: "GET /humanitarian/emergencies/{id}/edit", Action: wr, Handler: m.editEmergency},
		{Pattern: "POST /humanitarian/emergencies/{id}", Action: wr, Handler: m.updateEmergency},
	}
}

// tabs are the parts of an emergency's pages, in the order the tab bar
// shows them; a part's tab shows once its page is routed.
var tabs = []struct{ Path, Key string }{
	{"", "hum.tab.overview"},
	{"/map", "hum.tab.map"},
	{"/reports", "hum.tab.reports"},
	{"/activities", "hum.tab.activities"},
	{"/funding", "hum.tab.funding"},
	{"/info", "hum.tab.info"},
	{"/report", "hum.tab.report"},
}

// Tab is one link of an emergency's tab bar.
type Tab struct {
	Href, Key string
	Current   bool
}

// view is what every page of the module shares.
type view struct {
	web.Page
	E     Emergency
	Tabs  []Tab
	Coord bool // the reader coordinates the emergency
	W     Words
}

func (m *Module) view(r *http.Request, title string, args ...any) view {
	v := view{Page: m.web.Page(r, title, args...)}
	v.Nav = "humanitarian"
	v.W = Words{lang: v.Lang, g: m.svc.places, org: m.orgNamer(r.Context(), v.Lang)}
	return v
}

// emergencyView is view for one emergency's page, with its tabs.
func (m *Module) emergencyView(r *http.Request, e Emergency, tab, title string, args ...any) view {
	v := m.view(r, title, args...)
	v.E, v.Coord = e, m.svc.Coordinates(r.Context(), e)
	routed := map[string]bool{}
	for _, rt := range m.Routes() {
		routed[rt.Pattern] = true
	}
	for _, t := range tabs {
		if t.Path != "" && !routed["GET /humanitarian/emergencies/{id}"+t.Path] {
			continue
		}
		v.Tabs = append(v.Tabs, Tab{Href: "/humanitarian/emergencies/" + e.ID + t.Path, Key: t.Key, Current: t.Path == tab})
	}
	return v
}

// Words names the module's vocabulary in the reader's language.
type Words struct {
	lang string
	g    *Gazetteer
	org  func(addr string) string
}

// Org names an organisation by its address (handle@host, or a handle of
// this node) in the reader's language: its address when the node does not
// know it.
func (w Words) Org(addr string) string {
	if w.org == nil {
		return addr
	}
	return w.org(addr)
}

// Country names a country.
func (w Words) Country(code string) string { return names.Country(code, w.lang) }

// Place names a P-code with its parents ("Palu Barat, Kota Palu, Sulawesi
// Tengah"), or gives the code back when the gazetteer does not know it.
func (w Words) Place(pcode string) string {
	if p := w.g.Path(pcode); p != "" {
		return p
	}
	return pcode
}

// PlaceName names a P-code alone.
func (w Words) PlaceName(pcode string) string {
	if p, ok := w.g.Get(pcode); ok {
		return p.Name
	}
	return pcode
}

// AtCentre reports whether a report's position is its area's centre: the
// reporter named a place, not a point, and the page says so.
func (w Words) AtCentre(r Report) bool {
	p, ok := w.g.Get(r.PCode)
	return ok && r.Located() && *r.Lat == p.Lat && *r.Lon == p.Lon
}

// Languages names languages, joined.
func (w Words) Languages(codes []string) string {
	var out []string
	for _, c := range codes {
		out = append(out, names.Language(c, w.lang))
	}
	return strings.Join(out, ", ")
}

type indexView struct {
	view
	Emergencies []Emergency
	Orgs        []core.OrgRef // where the viewer may open an emergency
	Form        web.Form
	Kinds       []string
	Languages   []string
	Places      []Place
}

func (m *Module) indexView(r *http.Request, f web.Form) (indexView, error) {
	v := indexView{view: m.view(r, "hum.title"), Form: f, Kinds: Kinds, Languages: Languages}
	var err error
	if v.Emergencies, err = m.svc.Emergencies(r.Context()); err != nil {
		return v, err
	}
	v.Orgs = Writable(v.Actor)
	if f.Values == nil {
		// Both languages of the node, ticked: the people affected read
		// one or the other.
		v.Form = web.Form{Values: map[string][]string{"languages": Languages, "country": {"ID"}}, Problems: core.Problems{}}
	}
	v.Places = m.svc.places.Places()
	return v, nil
}

func (m *Module) index(w http.ResponseWriter, r *http.Request) {
	v, err := m.indexView(r, web.Form{})
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "humanitarian/index", v)
}

// emergencyForm reads an emergency from a form.
func emergencyForm(f web.Form) Emergency {
	return Emergency{Title: f.Get("title"), Kind: f.Get("kind"), Glide: f.Get("glide"), Country: f.Get("country"),
		Areas: splitList(f.Get("areas")), StartedOn: f.Get("started_on"), EndedOn: f.Get("ended_on"),
		Languages: f.Values["languages"], Summary: f.Get("summary"), Status: f.Get("status"), SMSNumber: f.Get("sms_number")}
}

// splitList reads a list typed with commas, semicolons, spaces or lines.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' || r == '\r' || r == ' ' || r == '\t' })
}

func (m *Module) createEmergency(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	e, err := m.svc.CreateEmergency(r.Context(), f.Get("org"), emergencyForm(f))
	if err == nil {
		m.web.Redirect(w, r, "/humanitarian/emergencies/"+e.ID, "flash.hum_emergency_saved")
		return
	}
	if !f.Take(err) {
		m.web.Error(w, r, err)
		return
	}
	v, verr := m.indexView(r, f)
	if verr != nil {
		m.web.Error(w, r, verr)
		return
	}
	m.web.Render(w, r, http.StatusUnprocessableEntity, "humanitarian/index", v)
}

type emergencyPage struct {
	view
	Counts    map[string]int
	Latest    []Report
	Form      web.Form
	Edit      bool
	Kinds     []string
	Languages []string
	Places    []Place
	Links     *links.Form
}

func (m *Module) load(w http.ResponseWriter, r *http.Request) (Emergency, bool) {
	e, err := m.svc.Emergency(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return Emergency{}, false
	}
	return e, true
}

func (m *Module) emergencyPageView(r *http.Request, e Emergency, f web.Form, edit bool) (emergencyPage, error) {
	v := emergencyPage{view: m.emergencyView(r, e, "", "hum.emergency_title", e.Title), Form: f, Edit: edit, Kinds: Kinds, Languages: Languages, Places: m.svc.places.Places()}
	var err error
	if v.Counts, err = m.svc.ReportCounts(r.Context(), e); err != nil {
		return v, err
	}
	if v.Latest, err = m.svc.Reports(r.Context(), e, ReportFilter{Limit: 5, Status: ReportVerified}); err != nil {
		return v, err
	}
	// The incidents linked to an emergency are shown to whoever may see
	// them; only signed-in people get the form.
	if !v.Actor.Anonymous() {
		v.Links, err = m.links.Page(r, LinkRef(e))
	}
	return v, err
}

func (m *Module) emergency(w http.ResponseWriter, r *http.Request) {
	e, ok := m.load(w, r)
	if !ok {
		return
	}
	v, err := m.emergencyPageView(r, e, web.Form{}, false)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "humanitarian/emergency", v)
}

func (m *Module) editEmergency(w http.ResponseWriter, r *http.Request) {
	e, ok := m.load(w, r)
	if !ok {
		return
	}
	if !m.svc.Coordinates(r.Context(), e) {
		m.web.Error(w, r, core.E(core.KindForbidden, "humanitarian: edit emergency", "err.forbidden"))
		return
	}
	f := web.Form{Values: map[string][]string{"title": {e.Title}, "kind": {e.Kind}, "glide": {e.Glide}, "country": {e.Country},
		"areas": {strings.Join(e.Areas, ", ")}, "started_on": {e.StartedOn}, "ended_on": {e.EndedOn}, "languages": e.Languages,
		"summary": {e.Summary}, "status": {e.Status}, "sms_number": {e.SMSNumber}}, Problems: core.Problems{}}
	v, err := m.emergencyPageView(r, e, f, true)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "humanitarian/emergency", v)
}

func (m *Module) updateEmergency(w http.ResponseWriter, r *http.Request) {
	e, ok := m.load(w, r)
	if !ok {
		return
	}
	f := web.NewForm(r)
	in := emergencyForm(f)
	in.Coordinators = e.Coordinators
	_, err := m.svc.UpdateEmergency(r.Context(), e.ID, in)
	if err == nil {
		m.web.Redirect(w, r, "/humanitarian/emergencies/"+e.ID, "flash.hum_emergency_saved")
		return
	}
	if !f.Take(err) {
		m.web.Error(w, r, err)
		return
	}
	v, verr := m.emergencyPageView(r, e, f, true)
	if verr != nil {
		m.web.Error(w, r, verr)
		return
	}
	m.web.Render(w, r, http.StatusUnprocessableEntity, "humanitarian/emergency", v)
}

// Has reports whether a list holds a value, for check boxes.
func (v view) Has(list []string, s string) bool { return slices.Contains(list, s) }
