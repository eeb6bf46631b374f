package negotiation

import (
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/web"
)

// Module is the negotiating table's slice of the product.
type Module struct {
	svc  *Service
	web  *web.Server
	book AddressBook
}

// NewModule returns the module.
func NewModule(svc *Service, w *web.Server) *Module { return &Module{svc: svc, web: w} }

// Name implements web.Module.
func (m *Module) Name() string { return "negotiation" }

// Routes implements web.Module. Routes ask only that someone belongs to an
// organisation; the service decides by the process's seats and the policy.
func (m *Module) Routes() []web.Route {
	const t = "/negotiation/{pid}/texts/{tid}"
	read, act := access.NegotiationRead, access.SignedIn
	return []web.Route{
		{Pattern: "GET /negotiation", Action: access.SignedIn, Handler: m.index},
		{Pattern: "POST /negotiation", Action: access.NegotiationCreate, Handler: m.create},
		{Pattern: "GET /negotiation/{pid}", Action: access.SignedIn, Handler: m.process},
		{Pattern: "GET /negotiation/{pid}/signed", Action: read, Handler: m.signed},
		{Pattern: "POST /negotiation/{pid}/parties", Action: access.NegotiationChair, Handler: m.parties},
		{Pattern: "POST /negotiation/{pid}/texts", Action: access.NegotiationChair, Handler: m.addText},
		{Pattern: "POST /negotiation/{pid}/contributions", Action: act, Handler: m.contribute},
		{Pattern: "GET " + t, Action: read, Handler: m.text},
		{Pattern: "GET " + t + "/clean", Action: read, Handler: m.clean},
		{Pattern: "GET " + t + "/export.docx", Action: read, Handler: m.export("docx")},
		{Pattern: "GET " + t + "/export.odt", Action: read, Handler: m.export("odt")},
		{Pattern: "GET " + t + "/compare", Action: read, Handler: m.compare},
		{Pattern: "GET " + t + "/positions", Action: read, Handler: m.positions},
		{Pattern: "GET " + t + "/amend", Action: access.NegotiationAct, Handler: m.amendForm},
		{Pattern: "POST " + t + "/amendments", Action: access.NegotiationAct, Handler: m.amend},
		{Pattern: "GET " + t + "/amendments/{aid}", Action: read, Handler: m.amendment},
		{Pattern: "POST " + t + "/amendments/{aid}/decision", Action: access.NegotiationChair, Handler: m.decide},
		{Pattern: "POST " + t + "/positions", Action: access.NegotiationAct, Handler: m.position},
		{Pattern: "POST " + t + "/cosponsors", Action: access.NegotiationAct, Handler: m.cosponsor},
		{Pattern: "POST " + t + "/objections", Action: access.NegotiationObject, Handler: m.object},
		{Pattern: "GET " + t + "/paragraphs/{para}", Action: access.NegotiationChair, Handler: m.paragraphForm},
		{Pattern: "POST " + t + "/paragraphs/{para}", Action: access.NegotiationChair, Handler: m.editParagraph},
		{Pattern: "POST " + t + "/revisions", Action: access.NegotiationChair, Handler: m.revision},
		{Pattern: "POST " + t + "/silence", Action: access.NegotiationChair, Handler: m.silence},

		{Pattern: "GET /api/v1/negotiation", Action: access.SignedIn, Handler: m.apiList},
		{Pattern: "POST /api/v1/negotiation", Action: access.NegotiationCreate, Handler: m.apiCreate},
		{Pattern: "GET /api/v1/negotiation/{pid}", Action: access.SignedIn, Handler: m.apiProcess},
		{Pattern: "POST /api/v1/negotiation/{pid}/parties", Action: access.NegotiationChair, Handler: m.apiParty},
		{Pattern: "POST /api/v1/negotiation/{pid}/texts", Action: access.NegotiationChair, Handler: m.apiText},
		{Pattern: "POST /api/v1/negotiation/{pid}/acts", Action: access.SignedIn, Handler: m.apiAct},
		{Pattern: "GET /api/v1" + t, Action: read, Handler: m.apiGetText},
		{Pattern: "GET /api/v1" + t + "/revisions/{n}", Action: read, Handler: m.apiRevision},
		{Pattern: "GET /api/v1" + t + "/compare", Action: read, Handler: m.apiCompare},
		{Pattern: "PUT /api/v1" + t + "/paragraphs/{para}", Action: access.NegotiationChair, Handler: m.apiParagraph},
		{Pattern: "POST /api/v1" + t + "/amendments/{aid}/decision", Action: access.NegotiationChair, Handler: m.apiDecide},
		{Pattern: "POST /api/v1" + t + "/revisions", Action: access.NegotiationChair, Handler: m.apiRevise},
		{Pattern: "POST /api/v1" + t + "/silence", Action: access.NegotiationChair, Handler: m.apiSilence},
	}
}

type indexView struct {
	web.Page
	List []Summary
	Orgs []core.OrgRef // where the actor may open a process
	Form web.Form
	Book []federation.RemoteOrg // this node's organisations, for the chair
}

func (m *Module) indexView(r *http.Request) (indexView, error) {
	v := indexView{Page: m.web.Page(r, "title.negotiation")}
	v.Nav = "negotiation"
	a := core.ActorFrom(r.Context())
	for _, ms := range a.Memberships {
		if access.Check(a, access.NegotiationCreate, access.Resource{OrgID: ms.Org.ID}) == nil {
			v.Orgs = append(v.Orgs, ms.Org)
		}
	}
	if len(v.Orgs) > 0 {
		v.Book = m.localAddresses(r.Context())
	}
	var err error
	v.List, err = m.svc.Processes(r.Context())
	return v, err
}

func (m *Module) index(w http.ResponseWriter, r *http.Request) {
	v, err := m.indexView(r)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "negotiation/index", v)
}

func (m *Module) create(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	p, err := m.svc.Create(r.Context(), ProcessInput{Title: f.Get("title"), Forum: f.Get("forum"), Secretariat: f.Get("secretariat"), Chair: f.Get("chair"), Consultation: f.Get("consultation")})
	if err != nil {
		v, verr := m.indexView(r)
		if verr == nil && f.Take(err) {
			v.Form = f
			m.web.Render(w, r, web.FormStatus(err), "negotiation/index", v)
			return
		}
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/negotiation/"+p.ID, "flash.process_created")
}

type processView struct {
	web.Page
	View
	Form     web.Form
	TextForm web.Form
	Kinds    []string
	Book     []federation.RemoteOrg // the address book, for seating parties
}

func (m *Module) processView(r *http.Request) (processView, error) {
	v, err := m.svc.Process(r.Context(), r.PathValue("pid"))
	if err != nil {
		return processView{}, err
	}
	pv := processView{Page: m.web.Page(r, "title.process", v.P.Title), View: v, Kinds: TextKinds}
	pv.Nav = "negotiation"
	if m.book != nil && pv.Seat.Runs() && v.Hosted {
		pv.Book, _ = m.book.Addresses(r.Context(), "")
	}
	return pv, nil
}

func (m *Module) process(w http.ResponseWriter, r *http.Request) {
	v, err := m.processView(r)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "negotiation/process", v)
}

// formError re-renders the process page with a rejected form.
func (m *Module) processError(w http.ResponseWriter, r *http.Request, f web.Form, err error, text bool) {
	v, verr := m.processView(r)
	if verr == nil && f.Take(err) {
		if text {
			v.TextForm = f
		} else {
			v.Form = f
		}
		m.web.Render(w, r, web.FormStatus(err), "negotiation/process", v)
		return
	}
	m.web.Error(w, r, err)
}

func (m *Module) parties(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	pid := r.PathValue("pid")
	var err error
	if f.Get("remove") != "" {
		err = m.svc.RemoveParty(r.Context(), pid, f.Get("remove"), f.Get("role"))
	} else {
		err = m.svc.AddParty(r.Context(), pid, f.Get("addr"), f.Get("role"))
	}
	if err != nil {
		m.processError(w, r, f, err, false)
		return
	}
	m.web.Redirect(w, r, "/negotiation/"+pid+"#parties", "flash.saved")
}

func (m *Module) addText(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	pid := r.PathValue("pid")
	t, err := m.svc.AddText(r.Context(), pid, TextInput{Title: f.Get("title"), Kind: f.Get("kind"), Preamble: f.Get("preamble"), Operative: f.Get("operative")})
	if err != nil {
		m.processError(w, r, f, err, true)
		return
	}
	m.web.Redirect(w, r, "/negotiation/"+pid+"/texts/"+t.ID, "flash.text_created")
}

func (m *Module) contribute(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	pid := r.PathValue("pid")
	_, err := m.svc.Do(r.Context(), pid, ActInput{Kind: ActContribute, By: f.Get("by"), Title: f.Get("title"), Body: f.Get("body")})
	if err != nil {
		m.processError(w, r, f, err, false)
		return
	}
	m.web.Redirect(w, r, "/negotiation/"+pid+"#consultation", m.sentFlash(r, pid))
}

// sentFlash tells a delegation on another node that its act is on its way.
func (m *Module) sentFlash(r *http.Request, pid string) string {
	if v, err := m.svc.Process(r.Context(), pid); err == nil && !v.Hosted {
		return "flash.act_sent"
	}
	return "flash.saved"
}

func (m *Module) signed(w http.ResponseWriter, r *http.Request) {
	b, err := m.svc.Signed(r.Context(), r.PathValue("pid"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="negotiation-`+r.PathValue("pid")+`.signed.json"`)
	_, _ = w.Write(b)
}

// paraView is a paragraph ready to show: the work of rendering is done
// once here, not in the template.
type paraView struct {
	P          Paragraph
	Label      string
	Status     string
	Options    []template.HTML
	Amendments []amendView
	Mine       string // the viewer's delegation's stance
	Stances    map[string]int
}

type amendView struct {
	A        Amendment
	Label    string
	Diff     template.HTML
	Sum      Change
	Stances  map[string]int
	Mine     string
	Outdated bool
}

type textView struct {
	web.Page
	View
	T        *Text
	Paras    []paraView
	Counts   map[string]int
	Statuses []string
	Stances  []string
	Now      time.Time
	Form     web.Form
}

func (m *Module) textView(r *http.Request, title string) (textView, error) {
	v, t, err := m.svc.Text(r.Context(), r.PathValue("pid"), r.PathValue("tid"))
	if err != nil {
		return textView{}, err
	}
	tv := textView{Page: m.web.Page(r, title, t.Title), View: v, T: t, Counts: Counts(t.Paragraphs), Statuses: Statuses, Stances: Stances, Now: time.Now()}
	tv.Nav = "negotiation"
	return tv, nil
}

// build renders paragraphs, amendments and positions; full adds amendments
// and positions (the workspace), otherwise only the wording (clean text).
func (m *Module) build(tv *textView, full bool) {
	t := tv.T
	labels := Labels(t.Paragraphs)
	lang := tv.Lang
	del, ins := m.web.Catalog().T(lang, "neg.deleted"), m.web.Catalog().T(lang, "neg.inserted")
	me := tv.Seat.Delegate()
	stances := map[string]map[string]int{}
	mine := map[string]string{}
	if full {
		for _, p := range t.Positions {
			if stances[p.Target] == nil {
				stances[p.Target] = map[string]int{}
			}
			stances[p.Target][p.Stance]++
			if p.By == me {
				mine[p.Target] = p.Stance
			}
		}
	}
	byPara := map[string][]amendView{}
	if full {
		for _, a := range t.Amendments {
			av := amendView{A: a, Label: labels[a.Para], Stances: stances["a:"+a.ID], Mine: mine["a:"+a.ID]}
			ops := a.Ops()
			av.Diff, av.Sum = DiffHTML(ops, del, ins), Summarise(ops)
			if i := t.Para(a.Para); a.State == AmendProposed && i >= 0 {
				av.Outdated = a.Outdated(t.Paragraphs[i])
			}
			byPara[a.Para] = append(byPara[a.Para], av)
		}
	}
	tv.Paras = make([]paraView, len(t.Paragraphs))
	for i, p := range t.Paragraphs {
		pv := paraView{P: p, Label: labels[p.ID], Status: p.Status(), Amendments: byPara[p.ID], Mine: mine["p:"+p.ID], Stances: stances["p:"+p.ID]}
		for _, o := range p.Options {
			pv.Options = append(pv.Options, Marked(o))
		}
		tv.Paras[i] = pv
	}
}

// Ops is the amendment's word diff against the wording it was written for.
func (a Amendment) Ops() []Op {
	switch a.Kind {
	case AmendDelete:
		return Diff(a.Base, "")
	case AmendReplace:
		return Diff(a.Base, a.Proposed)
	}
	return Diff("", a.Proposed)
}

// OptionName labels an option: A, B, C…
func (v textView) OptionName(i int) string { return OptionLabel(i) }

// Party names a party.
func (v textView) Party(addr string) string { return v.P.Name(addr) }

// Clean reports whether the text could go under silence as it stands: an
// issued revision with every paragraph free of brackets and options.
func (v textView) Clean() bool {
	if v.T.Dirty || v.T.Rev() == 0 {
		return false
	}
	for _, p := range v.T.Paragraphs {
		if !p.Settled() {
			return false
		}
	}
	return true
}

// NextRev is the number the next revision will have.
func (v textView) NextRev() int { return v.T.Rev() + 1 }

// TargetLabel names a position's target: a paragraph's number or an
// amendment's id with its paragraph's number.
func (v textView) TargetLabel(target string) string {
	kind, id, _ := strings.Cut(target, ":")
	labels := Labels(v.T.Paragraphs)
	if kind == "p" {
		return labels[id]
	}
	if a, ok := v.T.Amendment(id); ok {
		return id + " (" + labels[a.Para] + ")"
	}
	return id
}

// Cosponsoring reports whether the viewer's delegation co-sponsors.
func (v textView) Cosponsoring() bool { return v.T.IsCosponsor(v.Seat.Delegate()) }

func (m *Module) text(w http.ResponseWriter, r *http.Request) {
	tv, err := m.textView(r, "title.text")
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.build(&tv, true)
	m.web.Render(w, r, http.StatusOK, "negotiation/text", tv)
}

// textError re-renders the workspace with a rejected form.
func (m *Module) textError(w http.ResponseWriter, r *http.Request, f web.Form, err error) {
	tv, verr := m.textView(r, "title.text")
	if verr == nil && f.Take(err) {
		m.build(&tv, true)
		tv.Form = f
		m.web.Render(w, r, web.FormStatus(err), "negotiation/text", tv)
		return
	}
	m.web.Error(w, r, err)
}

func (m *Module) clean(w http.ResponseWriter, r *http.Request) {
	tv, err := m.textView(r, "title.text")
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.build(&tv, false)
	m.web.Render(w, r, http.StatusOK, "negotiation/clean", tv)
}

type compareView struct {
	textView
	A, B  int
	Diffs []diffView
}

type diffView struct {
	ParaDiff
	HTML []template.HTML
}

// revisionParam reads a revision number (0 is the working text), or gives
// the default.
func revisionParam(s string, def, latest int) (int, bool) {
	if s == "" {
		return def, true
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n >= 0 && n <= latest
}

func (m *Module) compare(w http.ResponseWriter, r *http.Request) {
	tv, err := m.textView(r, "title.compare_revisions")
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	cv := compareView{textView: tv}
	// By default: the latest revision against the changes since, or, with
	// none, the latest against the one before.
	latest := tv.T.Rev()
	defA, defB := latest, 0
	if !tv.T.Dirty {
		defA, defB = max(latest-1, 0), latest
	}
	var okA, okB bool
	cv.A, okA = revisionParam(r.URL.Query().Get("a"), defA, latest)
	cv.B, okB = revisionParam(r.URL.Query().Get("b"), defB, latest)
	if !okA || !okB {
		m.web.Error(w, r, &core.Error{Kind: core.KindInvalid, Message: "err.form", Fields: core.Problems{"revision": "err.invalid"}})
		return
	}
	diffs, err := m.svc.CompareRevisions(r.Context(), r.PathValue("pid"), r.PathValue("tid"), cv.A, cv.B)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	del, ins := m.web.Catalog().T(tv.Lang, "neg.deleted"), m.web.Catalog().T(tv.Lang, "neg.inserted")
	for _, d := range diffs {
		dv := diffView{ParaDiff: d}
		for _, ops := range d.Options {
			dv.HTML = append(dv.HTML, DiffHTML(ops, del, ins))
		}
		cv.Diffs = append(cv.Diffs, dv)
	}
	m.web.Render(w, r, http.StatusOK, "negotiation/compare", cv)
}

// Revisions lists the revision numbers to choose from, newest first.
func (v compareView) Revisions() []int {
	var out []int
	for i := len(v.T.Revisions) - 1; i >= 0; i-- {
		out = append(out, v.T.Revisions[i].N)
	}
	return out
}

func (m *Module) positions(w http.ResponseWriter, r *http.Request) {
	tv, err := m.textView(r, "title.my_positions")
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.build(&tv, true)
	m.web.Render(w, r, http.StatusOK, "negotiation/positions", tv)
}

// deadlineLayout is what an <input type="datetime-local"> sends.
const deadlineLayout = "2006-01-02T15:04"
