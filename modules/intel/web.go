package intel

import (
	"bytes"
	"cmp"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/links"
	"entente.example/entente/internal/web"
)

// Module is threat intelligence's slice of the product.
type Module struct {
	svc   *Service
	web   *web.Server
	links *links.Service // "link to an incident" (links.go); nil: none
}

// NewModule returns the module.
func NewModule(svc *Service, w *web.Server) *Module { return &Module{svc: svc, web: w} }

// Name implements web.Module.
func (m *Module) Name() string { return "intel" }

// maxUpload bounds a bundle or MISP event uploaded from a page.
const maxUpload = 64 << 20

// Routes implements web.Module.
func (m *Module) Routes() []web.Route {
	rs := []web.Route{
		{Pattern: "GET /intel", Action: access.IntelRead, Handler: m.search},
		{Pattern: "GET /intel/export.json", Action: access.IntelRead, Handler: m.exportJSON},
		{Pattern: "GET /intel/export.csv", Action: access.IntelRead, Handler: m.exportCSV},
		{Pattern: "GET /intel/c/{cid}/o/{oid}", Action: access.IntelRead, Handler: m.object},
		{Pattern: "POST /intel/c/{cid}/o/{oid}/sightings", Action: access.IntelWrite, Handler: m.sight},
		{Pattern: "GET /intel/new", Action: access.IntelWrite, Handler: m.newForm},
		{Pattern: "POST /intel/indicators", Action: access.IntelWrite, Handler: m.createIndicator},
		{Pattern: "POST /intel/reports", Action: access.IntelWrite, Handler: m.createReport},
		{Pattern: "GET /intel/upload", Action: access.IntelWrite, Handler: m.uploadForm},
		{Pattern: "POST /intel/upload", Action: access.IntelWrite, Handler: m.upload, MaxBody: maxUpload},
		{Pattern: "GET /intel/status/{id}", Action: access.IntelWrite, Handler: m.statusPage},
		{Pattern: "GET /intel/groups", Action: access.IntelRead, Handler: m.groups},
		{Pattern: "POST /intel/groups", Action: access.IntelGroups, Handler: m.createGroup},
		{Pattern: "GET /admin/intel", Action: access.IntelAdmin, Handler: m.admin},
		{Pattern: "POST /admin/intel/collections", Action: access.IntelAdmin, Handler: m.adminCollection},
		{Pattern: "POST /admin/intel/rights", Action: access.IntelAdmin, Handler: m.adminRight},
		{Pattern: "POST /admin/intel/subscriptions", Action: access.IntelAdmin, Handler: m.adminSubscribe},
		{Pattern: "POST /admin/intel/subscriptions/{id}/sync", Action: access.IntelAdmin, Handler: m.adminSync},

		{Pattern: "GET /api/v1/intel/objects", Action: access.IntelRead, Handler: m.apiObjects},
		{Pattern: "GET /api/v1/intel/collections", Action: access.IntelRead, Handler: m.apiCollections},
		{Pattern: "POST /api/v1/intel/collections", Action: access.IntelAdmin, Handler: m.apiCreateCollection},
		{Pattern: "PUT /api/v1/intel/collections/{cid}/rights", Action: access.IntelAdmin, Handler: m.apiSetRight},
		{Pattern: "POST /api/v1/intel/groups", Action: access.IntelGroups, Handler: m.apiCreateGroup},
		{Pattern: "GET /api/v1/intel/subscriptions", Action: access.IntelAdmin, Handler: m.apiSubscriptions},
		{Pattern: "POST /api/v1/intel/subscriptions", Action: access.IntelAdmin, Handler: m.apiSubscribe},
		{Pattern: "POST /api/v1/intel/subscriptions/{id}/sync", Action: access.IntelAdmin, Handler: m.apiSync},

		{Pattern: "GET /federation/v1/intel/{cid}/objects", Action: access.PeerRequest, Handler: m.peerPull},
	}
	return append(rs, m.taxiiRoutes()...)
}

// filterOf reads the search form.
func filterOf(v url.Values) Query {
	q := Query{Text: strings.TrimSpace(v.Get("q")), Label: strings.TrimSpace(v.Get("label")), Sector: v.Get("sector"),
		TLP: core.TLP(strings.ToUpper(v.Get("tlp"))), Before: v.Get("before"), Limit: 50}
	if t := v.Get("type"); t != "" {
		q.Types = []string{t}
	} else if v.Get("all") == "" {
		q.NotTypes = linkTypes
	}
	if d := v.Get("since"); d != "" {
		if t, err := time.Parse("2006-01-02", d); err == nil {
			q.AddedAfter = stamp(t)
		}
	}
	if o := v.Get("origin"); o != "" {
		q.Origin = o
	}
	if !q.TLP.Valid() {
		q.TLP = ""
	}
	return q
}

type searchView struct {
	web.Page
	Q           url.Values
	Objects     []objectRow
	More        bool
	Next        string
	Collections []Collection
	Types       []string
	Sectors     []string
	TLPs        []core.TLP
	CanWrite    bool
}

// linkTypes link other objects or name their authors: a search leaves them
// out unless asked (a type filter, or "all"), and pages show them by name.
var linkTypes = []string{"sighting", "relationship", "identity", "opinion", "marking-definition"}

var browseTypes = []string{"indicator", "malware", "intrusion-set", "threat-actor", "campaign", "attack-pattern", "report", "sighting", "opinion", "relationship", "identity", "vulnerability", "infrastructure", "tool", "course-of-action", "note", "observed-data"}

func (m *Module) search(w http.ResponseWriter, r *http.Request) {
	a := core.ActorFrom(r.Context())
	orgs := m.svc.Readers(a)
	q := filterOf(r.URL.Query())
	rows, more, err := m.svc.Objects(r.Context(), orgs, q)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	cs, err := m.svc.Collections(r.Context(), orgs)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	named, err := m.rowsOf(r.Context(), orgs, rows, m.web.Catalog().Has)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	v := searchView{Page: m.web.Page(r, "title.intel"), Q: r.URL.Query(), Objects: named, More: more, Collections: cs,
		Types: browseTypes, Sectors: Sectors, TLPs: core.TLPs, CanWrite: len(m.svc.Writers(a)) > 0}
	v.Nav = "intel"
	if more {
		nq := r.URL.Query()
		nq.Set("before", rows[len(rows)-1].DateAdded)
		v.Next = "/intel?" + nq.Encode()
	}
	m.web.Render(w, r, http.StatusOK, "intel/search", v)
}

type objectView struct {
	web.Page
	O          Stored
	Head       objectRow // how the object is named
	Props      []prop    // what it says, by type
	Markings   []link    // its TLP and sharing groups, by name
	Pretty     string
	Versions   []Stored
	Related    []objectRow
	Sightings  []objectRow
	Opinions   []objectRow
	Collection Collection
	WriteOrgs  []string
	Form       web.Form
	Links      *links.Form
}

func (m *Module) objectView(r *http.Request) (objectView, error) {
	a := core.ActorFrom(r.Context())
	orgs := m.svc.Readers(a)
	c, err := m.svc.CollectionFor(r.Context(), orgs, r.PathValue("cid"))
	if err != nil {
		return objectView{}, err
	}
	oid := r.PathValue("oid")
	q := Query{Collection: c.ID, IDs: []string{oid}, Versions: []string{"all"}, Limit: 100}
	vs, _, err := m.svc.Objects(r.Context(), orgs, q)
	if err != nil {
		return objectView{}, err
	}
	if len(vs) == 0 {
		return objectView{}, errOp("object", core.KindNotFound, "err.not_found")
	}
	cur := vs[len(vs)-1]
	if want := r.URL.Query().Get("version"); want != "" {
		for _, v := range vs {
			if v.Version == want {
				cur = v
			}
		}
	} else {
		for _, v := range vs {
			if v.Latest {
				cur = v
			}
		}
	}
	has := m.web.Catalog().Has
	refs := refsOf(cur.Raw)
	var marks []string
	var mo struct {
		Markings []string `json:"object_marking_refs"`
	}
	if json.Unmarshal([]byte(cur.Raw), &mo) == nil {
		marks = mo.Markings
	}
	if cur.Group != "" && !slices.Contains(marks, cur.Group) {
		marks = append(marks, cur.Group)
	}
	names, err := m.names(r.Context(), orgs, append(slices.Clone(refs), marks...))
	if err != nil {
		return objectView{}, err
	}
	var raw map[string]any
	_ = json.Unmarshal([]byte(cur.Raw), &raw)
	head := rowOf(cur, raw, names, has)
	title := cur.Name
	switch {
	case title != "":
	case head.Rel != nil:
		title = head.Rel.Source.Text + " → " + head.Rel.Target.Text
	case head.Of != nil:
		title = head.Of.Text
	default:
		title = cmp.Or(head.Short(), head.Untitled())
	}
	v := objectView{Page: m.web.Page(r, "title.intel_object", title), O: cur, Head: head, Props: propsOf(cur.Raw, has, names),
		Versions: vs, Collection: c, WriteOrgs: m.svc.Writers(a)}
	v.Nav = "intel"
	for _, id := range marks {
		l := refLink(id, names)
		// A sharing group defined on the node the object came from is
		// not known here: say whose it is rather than show its id.
		if _, known := names[id]; !known && cur.Origin != "" && strings.HasPrefix(id, "marking-definition--") {
			l = link{Text: m.web.Catalog().T(web.Lang(r.Context()), "intel.peer_group", cur.Origin)}
		}
		v.Markings = append(v.Markings, l)
	}
	var pretty bytes.Buffer
	if json.Indent(&pretty, []byte(cur.Raw), "", "  ") == nil {
		v.Pretty = pretty.String()
	}
	pointing, _, err := m.svc.Objects(r.Context(), orgs, Query{Collection: c.ID, RefTo: oid, Limit: 100})
	if err != nil {
		return v, err
	}
	rows, err := m.rowsOf(r.Context(), orgs, pointing, has)
	if err != nil {
		return v, err
	}
	for _, o := range rows {
		switch o.Type {
		case "sighting":
			v.Sightings = append(v.Sightings, o)
		case "opinion":
			v.Opinions = append(v.Opinions, o)
		default:
			v.Related = append(v.Related, o)
		}
	}
	return v, nil
}

func (m *Module) object(w http.ResponseWriter, r *http.Request) {
	v, err := m.objectView(r)
	if err == nil {
		v.Links, err = m.links.Page(r, LinkRef(v.O))
	}
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "intel/object", v)
}

func (m *Module) sight(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	a := core.ActorFrom(r.Context())
	orgs := m.svc.Writers(a)
	org := f.Get("org")
	if org == "" && len(orgs) > 0 {
		org = orgs[0]
	}
	c, err := m.svc.CollectionFor(r.Context(), m.svc.Readers(a), r.PathValue("cid"))
	if err == nil {
		_, err = m.svc.Sight(r.Context(), a, c.ID, org, r.PathValue("oid"), f.Get("kind") == "false-positive", strings.TrimSpace(f.Get("note")), Sharing{})
	}
	if err != nil {
		v, verr := m.objectView(r)
		if verr == nil && f.Take(err) {
			v.Form = f
			m.web.Render(w, r, web.FormStatus(err), "intel/object", v)
			return
		}
		m.web.Error(w, r, err)
		return
	}
	flash := "flash.intel_sighting"
	if f.Get("kind") == "false-positive" {
		flash = "flash.intel_false_positive"
	}
	m.web.Redirect(w, r, "/intel/c/"+url.PathEscape(r.PathValue("cid"))+"/o/"+url.PathEscape(r.PathValue("oid")), flash)
}

type newView struct {
	web.Page
	Kind        string
	Collections []Collection
	Orgs        []string
	Groups      []Group
	Sectors     []string
	TLPs        []core.TLP
	Form        web.Form
}

func (m *Module) newView(r *http.Request, kind string) (newView, error) {
	a := core.ActorFrom(r.Context())
	writers := m.svc.Writers(a)
	cs, err := m.svc.Collections(r.Context(), writers)
	if err != nil {
		return newView{}, err
	}
	var ws []Collection
	for _, c := range cs {
		if c.CanWrite {
			ws = append(ws, c)
		}
	}
	gs, err := m.svc.Groups(r.Context(), writers)
	if err != nil {
		return newView{}, err
	}
	if kind != "report" {
		kind = "indicator"
	}
	title := "title.intel_new_indicator"
	if kind == "report" {
		title = "title.intel_new_report"
	}
	v := newView{Page: m.web.Page(r, title), Kind: kind, Collections: ws, Orgs: writers, Groups: gs, Sectors: Sectors, TLPs: core.TLPs, Form: web.Form{Problems: core.Problems{}}}
	v.Nav = "intel"
	return v, nil
}

func (m *Module) newForm(w http.ResponseWriter, r *http.Request) {
	v, err := m.newView(r, r.URL.Query().Get("kind"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "intel/new", v)
}

func splitList(s string) []string {
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' }) {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func sharingOf(f web.Form) Sharing {
	return Sharing{TLP: core.TLP(f.Get("tlp")), Group: f.Get("group")}
}

func (m *Module) created(w http.ResponseWriter, r *http.Request, kind string, f web.Form, o Stored, err error) {
	if err != nil {
		v, verr := m.newView(r, kind)
		if verr == nil && f.Take(err) {
			v.Form = f
			m.web.Render(w, r, web.FormStatus(err), "intel/new", v)
			return
		}
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/intel/c/"+url.PathEscape(o.Collection)+"/o/"+url.PathEscape(o.ID), "flash.intel_created")
}

func (m *Module) createIndicator(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	o, err := m.svc.CreateIndicator(r.Context(), core.ActorFrom(r.Context()), NewIndicator{
		Collection: f.Get("collection"), Org: f.Get("org"), Name: f.Get("name"), Description: f.Get("description"),
		Pattern: f.Get("pattern"), PatternType: f.Get("pattern_type"), ValidFrom: f.Get("valid_from"),
		Types: f.Values["indicator_types"], Labels: splitList(f.Get("labels")), Sectors: f.Values["sectors"], Sharing: sharingOf(f)})
	m.created(w, r, "indicator", f, o, err)
}

func (m *Module) createReport(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	o, err := m.svc.CreateReport(r.Context(), core.ActorFrom(r.Context()), NewReport{
		Collection: f.Get("collection"), Org: f.Get("org"), Name: f.Get("name"), Description: f.Get("description"),
		Published: f.Get("published"), ObjectRefs: splitList(f.Get("object_refs")), Labels: splitList(f.Get("labels")),
		Sectors: f.Values["sectors"], Sharing: sharingOf(f)})
	m.created(w, r, "report", f, o, err)
}

func (m *Module) uploadForm(w http.ResponseWriter, r *http.Request) {
	v, err := m.newView(r, "indicator")
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	v.Title = "title.intel_upload"
	m.web.Render(w, r, http.StatusOK, "intel/upload", v)
}

// upload takes a STIX bundle (streamed into the store) or a MISP event
// (converted first) from a multipart form, and shows the per-object result.
func (m *Module) upload(w http.ResponseWriter, r *http.Request) {
	a := core.ActorFrom(r.Context())
	fail := func(err error) {
		v, verr := m.newView(r, "indicator")
		f := web.Form{Problems: core.Problems{}}
		if verr == nil && f.Take(err) {
			v.Title, v.Form = "title.intel_upload", f
			m.web.Render(w, r, web.FormStatus(err), "intel/upload", v)
			return
		}
		m.web.Error(w, r, err)
	}
	mr, err := r.MultipartReader()
	if err != nil {
		fail(core.Problems{"file": "err.intel.file"}.Err("intel: upload"))
		return
	}
	fields := map[string]string{}
	var st Status
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			fail(core.Problems{"file": "err.intel.file"}.Err("intel: upload"))
			return
		}
		if part.FormName() != "file" {
			b, _ := io.ReadAll(io.LimitReader(part, 4096))
			fields[part.FormName()] = string(b)
			continue
		}
		// The form's fields come before the file, so the collection and the
		// format are known when the file streams in.
		orgs := []string{fields["org"]}
		if fields["format"] == "misp" {
			objs, tlp, err := FromMISP(part, m.svc.db.Clock().Now())
			if err != nil {
				fail(core.Problems{"file": "err.intel.misp"}.Err("intel: upload: " + err.Error()))
				return
			}
			objs = withTLP(objs, core.TLP(strings.ToUpper(tlp)))
			if st, err = m.svc.PostObjects(r.Context(), intersect(orgs, m.svc.Writers(a)), fields["collection"], objs); err != nil {
				fail(err)
				return
			}
		} else {
			st, err = m.svc.Post(r.Context(), intersect(orgs, m.svc.Writers(a)), fields["collection"], part)
		}
		if err != nil {
			fail(err)
			return
		}
		break
	}
	if st.ID == "" {
		fail(core.Problems{"file": "err.intel.file"}.Err("intel: upload"))
		return
	}
	m.web.Redirect(w, r, "/intel/status/"+st.ID, "")
}

func intersect(a, b []string) []string {
	var out []string
	for _, x := range a {
		for _, y := range b {
			if x == y && x != "" {
				out = append(out, x)
			}
		}
	}
	return out
}

// withTLP adds the event's TLP marking to converted MISP objects.
func withTLP(objs []json.RawMessage, tlp core.TLP) []json.RawMessage {
	if !tlp.Valid() {
		return objs
	}
	out := make([]json.RawMessage, 0, len(objs))
	for _, o := range objs {
		var m map[string]any
		if json.Unmarshal(o, &m) != nil {
			out = append(out, o)
			continue
		}
		m["object_marking_refs"] = []string{TLPMarking(tlp)}
		b, err := json.Marshal(m)
		if err != nil {
			out = append(out, o)
			continue
		}
		out = append(out, b)
	}
	return out
}

// exportRows runs the search of the request for an export, newest first,
// up to MaxPage objects.
func (m *Module) exportRows(r *http.Request) ([]Stored, error) {
	q := filterOf(r.URL.Query())
	q.Limit = MaxPage
	rows, _, err := m.svc.Objects(r.Context(), m.svc.Readers(core.ActorFrom(r.Context())), q)
	return rows, err
}

func (m *Module) exportJSON(w http.ResponseWriter, r *http.Request) {
	rows, err := m.exportRows(r)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	var b bytes.Buffer
	b.WriteString(`{"type":"bundle","id":"` + NewSTIXID("bundle") + `","objects":[`)
	for i, o := range rows {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(o.Raw)
	}
	b.WriteString("]}")
	w.Header().Set("Content-Type", stixMedia)
	w.Header().Set("Content-Disposition", `attachment; filename="entente-intel.json"`)
	w.Write(b.Bytes())
}

func (m *Module) exportCSV(w http.ResponseWriter, r *http.Request) {
	rows, err := m.exportRows(r)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="entente-intel.csv"`)
	cw := csv.NewWriter(w)
	cw.Write([]string{"id", "type", "name", "version", "date_added", "tlp", "labels", "sectors", "pattern", "origin", "collection"})
	for _, o := range rows {
		cw.Write(csvRecord(o))
	}
	cw.Flush()
}

// csvRecord is an object's line of the CSV export. Every cell is made safe,
// not only those that look free-form: labels and sectors come from other
// organisations' objects too, and "=HYPERLINK(…)" is a valid label.
func csvRecord(o Stored) []string {
	var p struct {
		Pattern string `json:"pattern"`
	}
	_ = json.Unmarshal([]byte(o.Raw), &p)
	rec := []string{o.ID, o.Type, o.Name, showStamp(o.Version), o.DateAdded, "TLP:" + string(o.TLP),
		strings.Join(o.LabelList(), " "), strings.Join(o.SectorList(), " "), p.Pattern, o.Origin, o.Collection}
	for i := range rec {
		rec[i] = csvSafe(rec[i])
	}
	return rec
}

// csvSafe keeps a spreadsheet from running a cell as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func (m *Module) peerPull(w http.ResponseWriter, r *http.Request) {
	peer, err := m.svc.fed.VerifyRequest(r.Context(), r, nil)
	if err != nil {
		federation.PeerError(m.web, w, r, err)
		return
	}
	b, err := m.svc.ServePull(r.Context(), peer, r.PathValue("cid"), r.URL.Query())
	if err != nil {
		m.web.JSON(w, web.Status(core.KindOf(err)), web.APIError{Error: web.APIErrorBody{Kind: core.KindOf(err), Message: "refused"}})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(b)
}
