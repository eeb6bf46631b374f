package incidents

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
)

// incidentRoutes are the pages of incidents: the list with its filters,
// the form (new and edit), and an incident with its attributions and
// responses and the forms to add them. A public incident's page is open
// without signing in; the service shows only what the reader may see.
func (m *Module) incidentRoutes() []web.Route {
	return []web.Route{
		{Pattern: "GET /incidents", Action: access.IncidentsRead, Handler: m.list},
		{Pattern: "GET /incidents/new", Action: access.IncidentsWrite, Handler: m.newForm},
		{Pattern: "POST /incidents", Action: access.IncidentsWrite, Handler: m.create},
		{Pattern: "GET /incidents/{id}", Action: access.IncidentsPublic, Handler: m.show},
		{Pattern: "GET /incidents/{id}/edit", Action: access.IncidentsWrite, Handler: m.editForm},
		{Pattern: "POST /incidents/{id}/edit", Action: access.IncidentsWrite, Handler: m.update},
		{Pattern: "POST /incidents/{id}/attributions", Action: access.IncidentsWrite, Handler: m.addAttribution},
		{Pattern: "POST /incidents/{id}/responses", Action: access.IncidentsWrite, Handler: m.addResponse},
	}
}

type listView struct {
	web.Page
	Incidents                         []Incident
	Next                              string
	Type, Sector, Initiator, From, To string
	Words                             string
}

// Vocab exposes the vocabularies to the filters.
func (v listView) Vocab() vocab { return vocabs }

// Query is the list's filters as a query string, with a cursor.
func (v listView) Query(cursor string) map[string]string {
	return map[string]string{"type": v.Type, "sector": v.Sector, "initiator": v.Initiator, "from": v.From, "to": v.To, "q": v.Words, "cursor": cursor}
}

func (m *Module) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := listView{Page: m.web.Page(r, "title.inc_list"), Type: q.Get("type"), Sector: q.Get("sector"), Initiator: q.Get("initiator"),
		From: q.Get("from"), To: q.Get("to"), Words: q.Get("q")}
	v.Nav = "incidents"
	page, err := web.PageFromQuery(r)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	f := Filter{Type: v.Type, Sector: v.Sector, Initiator: v.Initiator, Words: v.Words, Page: page}
	// A date that is not one is dropped from the filter, and from the form.
	if t, err := time.Parse("2006-01-02", v.From); err == nil {
		f.From = t
	} else {
		v.From = ""
	}
	if t, err := time.Parse("2006-01-02", v.To); err == nil {
		f.To = t.AddDate(0, 0, 1)
	} else {
		v.To = ""
	}
	if v.Incidents, v.Next, err = m.svc.List(r.Context(), f); err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "incidents/incidents", v)
}

// showView is one incident as its reader sees it.
type showView struct {
	web.Page
	I        Incident
	CanWrite bool
	// AttrForm and RespForm are the two forms of the page, with their
	// problems when one came back.
	AttrForm, RespForm web.Form
	Today              string
	// Chain is the linked chain (web_chain.go), rendered by
	// incidents/chain.partial.html.
	Chain ChainView
	// Statements are the joint statements that name the incident, as
	// far as the reader may see them (statements.partial.html).
	Statements []IncidentStatement
	names      map[string]string // the audience's organisations and networks by reference
}

// AudienceName names an organisation or a network of the audience, as
// this node knows it; else its address or id.
func (v showView) AudienceName(ref string) string {
	if n := v.names[ref]; n != "" {
		return n
	}
	return ref
}

// Vocab exposes the vocabularies to the page's forms.
func (v showView) Vocab() vocab { return vocabs }

// Country names a country in the page's language.
func (v showView) Country(code string) string { return CountryName(code, v.Lang) }

// Legal reports whether a response kind is a legal one.
func (v showView) Legal(kind string) bool { return Legal(kind) }

// Delay is the time from the start to the first attribution as a message
// key and its number: days from two days on, hours before (a research
// figure, not a stopwatch).
func (v showView) Delay() delay {
	d, _ := v.I.TimeToAttribution()
	if d >= 48*time.Hour {
		return delay{"inc.days", int(d / (24 * time.Hour))}
	}
	return delay{"inc.hours", int(max(d, 0) / time.Hour)}
}

type delay struct {
	Key string
	N   int
}

// Link reports whether a source is a web address, to show it as a link.
func (v showView) Link(s string) bool {
	return strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://")
}

// OwnerHandle is the owning organisation's handle.
func (v showView) OwnerHandle() string { h, _, _ := strings.Cut(v.I.Owner, "@"); return h }

func (m *Module) show(w http.ResponseWriter, r *http.Request) {
	m.renderShow(w, r, http.StatusOK, web.Form{}, web.Form{})
}

func (m *Module) renderShow(w http.ResponseWriter, r *http.Request, status int, attr, resp web.Form) {
	inc, err := m.svc.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	v := showView{Page: m.web.Page(r, "title.inc_show", inc.Name), I: inc, CanWrite: m.svc.CanWrite(r.Context(), inc), AttrForm: attr, RespForm: resp,
		Today: m.svc.Now().Format("2006-01-02")}
	v.Nav = "incidents"
	if len(inc.AudienceRefs) > 0 {
		orgs, nets, err := m.svc.AudienceChoices(r.Context())
		if err != nil {
			m.web.Error(w, r, err)
			return
		}
		v.names = map[string]string{}
		for _, c := range append(orgs, nets...) {
			v.names[c.Value] = c.Name
		}
	}
	if v.Chain, err = m.chain(r, inc); err != nil {
		m.web.Error(w, r, err)
		return
	}
	if v.Statements, err = m.statementsOf(r, inc); err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, status, "incidents/incident", v)
}

func (m *Module) formView(r *http.Request, title string, f web.Form, edit *Incident, args ...any) (formView, error) {
	v := formView{Page: m.web.Page(r, title, args...), Form: f, Edit: edit, Orgs: Writable(core.ActorFrom(r.Context()))}
	v.Nav = "incidents"
	var err error
	v.Choices, v.Networks, err = m.svc.AudienceChoices(r.Context())
	for k := range rowCount(f.Values) {
		v.Rows = append(v.Rows, k)
	}
	return v, err
}

func (m *Module) newForm(w http.ResponseWriter, r *http.Request) {
	f := web.Form{Values: map[string][]string{"tlp": {"AMBER"}, "audience": {AudienceOrg}, "determination": {"suspected"}, "investigation": {"open"}}, Problems: core.Problems{}}
	v, err := m.formView(r, "title.inc_new", f, nil)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "incidents/incident_form", v)
}

// moreRows answers the form's "add a row" button: the same form, with
// what was typed and one more receiver row.
func (m *Module) moreRows(w http.ResponseWriter, r *http.Request, f web.Form, title string, edit *Incident, args ...any) bool {
	if f.Get("add_row") == "" {
		return false
	}
	f.Values.Set("rows", strconv.Itoa(rowCount(f.Values)+1))
	v, err := m.formView(r, title, f, edit, args...)
	if err != nil {
		m.web.Error(w, r, err)
		return true
	}
	m.web.Render(w, r, http.StatusOK, "incidents/incident_form", v)
	return true
}

func (m *Module) create(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	if m.moreRows(w, r, f, "title.inc_new", nil) {
		return
	}
	in, p := ParseForm(f.Values)
	inc, err := m.svc.Create(r.Context(), f.Get("org"), in)
	if err == nil && len(p) > 0 {
		err = p.Err("incidents: form") // not reached: Validate refuses a missing date
	}
	if err != nil {
		m.formBack(w, r, f, p, err, "title.inc_new", nil)
		return
	}
	m.web.Redirect(w, r, "/incidents/"+inc.ID, "flash.inc_created")
}

// formBack shows the form again with what was typed and its problems.
func (m *Module) formBack(w http.ResponseWriter, r *http.Request, f web.Form, p core.Problems, err error, title string, edit *Incident, args ...any) {
	if !f.Take(err) {
		m.web.Error(w, r, err)
		return
	}
	for k, v := range p {
		f.Problems[k] = v
	}
	v, verr := m.formView(r, title, f, edit, args...)
	if verr != nil {
		m.web.Error(w, r, verr)
		return
	}
	m.web.Render(w, r, web.FormStatus(err), "incidents/incident_form", v)
}

func (m *Module) editable(w http.ResponseWriter, r *http.Request) (Incident, bool) {
	inc, err := m.svc.Get(r.Context(), r.PathValue("id"))
	if err == nil && !m.svc.CanWrite(r.Context(), inc) {
		err = &core.Error{Kind: core.KindForbidden, Op: "incidents: edit", Message: "err.inc_copy"}
	}
	if err != nil {
		m.web.Error(w, r, err)
		return inc, false
	}
	return inc, true
}

func (m *Module) editForm(w http.ResponseWriter, r *http.Request) {
	inc, ok := m.editable(w, r)
	if !ok {
		return
	}
	v, err := m.formView(r, "title.inc_edit", web.Form{Values: formValues(inc), Problems: core.Problems{}}, &inc, inc.Name)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "incidents/incident_form", v)
}

func (m *Module) update(w http.ResponseWriter, r *http.Request) {
	inc, ok := m.editable(w, r)
	if !ok {
		return
	}
	f := web.NewForm(r)
	if m.moreRows(w, r, f, "title.inc_edit", &inc, inc.Name) {
		return
	}
	in, p := ParseForm(f.Values)
	if _, err := m.svc.Update(r.Context(), inc.ID, in); err != nil {
		m.formBack(w, r, f, p, err, "title.inc_edit", &inc, inc.Name)
		return
	}
	m.web.Redirect(w, r, "/incidents/"+inc.ID, "flash.inc_updated")
}

func formTime(v string) time.Time {
	t, _ := time.Parse("2006-01-02", strings.TrimSpace(v))
	return t
}

func (m *Module) addAttribution(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	a := Attribution{By: f.Get("by"), ByCategory: f.Get("by_category"), ByCountry: f.Get("by_country"), At: formTime(f.Get("at")), Basis: f.Get("basis"),
		To: f.Get("to"), ToCountry: f.Get("to_country"), Confidence: f.Get("confidence"), Note: f.Get("note"), Sources: lines(f.Get("sources"))}
	if _, err := m.svc.AddAttribution(r.Context(), r.PathValue("id"), a); err != nil {
		if !f.Take(err) {
			m.web.Error(w, r, err)
			return
		}
		m.renderShow(w, r, web.FormStatus(err), f, web.Form{})
		return
	}
	m.web.Redirect(w, r, "/incidents/"+r.PathValue("id")+"#attributions", "flash.inc_attribution")
}

func (m *Module) addResponse(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	// The response form's fields carry r_ (the attribution form on the
	// same page has fields of the same names).
	resp := Response{Kind: f.Get("r_kind"), By: f.Get("r_by"), ByCountry: f.Get("r_by_country"), At: formTime(f.Get("r_at")), Description: f.Get("r_description"),
		Sources: lines(f.Get("r_sources"))}
	if _, err := m.svc.AddResponse(r.Context(), r.PathValue("id"), resp); err != nil {
		if !f.Take(err) {
			m.web.Error(w, r, err)
			return
		}
		prefixed := core.Problems{}
		for k, p := range f.Problems {
			prefixed["r_"+k] = p
		}
		f.Problems = prefixed
		m.renderShow(w, r, web.FormStatus(err), web.Form{}, f)
		return
	}
	m.web.Redirect(w, r, "/incidents/"+r.PathValue("id")+"#responses", "flash.inc_response")
}
