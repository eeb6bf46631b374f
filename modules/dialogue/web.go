package dialogue

import (
	"context"
	"net/http"
	"strconv"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/web"
)

// AddressBook offers the organisations a host can invite; the directory
// implements it.
type AddressBook interface {
	Addresses(ctx context.Context, q string) ([]federation.RemoteOrg, error)
}

// Module is the dialogues' slice of the product.
type Module struct {
	svc  *Service
	web  *web.Server
	book AddressBook
}

// NewModule returns the module.
func NewModule(svc *Service, w *web.Server) *Module { return &Module{svc: svc, web: w} }

// UseAddressBook makes the invitation form offer the address book.
func (m *Module) UseAddressBook(b AddressBook) { m.book = b }

// Name implements web.Module.
func (m *Module) Name() string { return "dialogue" }

// Routes implements web.Module. Routes ask only that someone is signed in
// (or may open a dialogue somewhere); the service decides by the
// dialogue's parties and the policy, and to anyone not taking part a
// dialogue does not exist.
func (m *Module) Routes() []web.Route {
	const d = "/dialogue/{id}"
	in := access.SignedIn
	return []web.Route{
		{Pattern: "GET /dialogue", Action: in, Handler: m.index},
		{Pattern: "POST /dialogue", Action: access.DialogueCreate, Handler: m.create},
		{Pattern: "GET /dialogue/search", Action: in, Handler: m.search},
		{Pattern: "GET " + d, Action: in, Handler: m.page},
		{Pattern: "POST " + d + "/parties", Action: access.DialogueRun, Handler: m.parties},
		{Pattern: "POST " + d + "/sessions", Action: access.DialogueRun, Handler: m.sessions},
		{Pattern: "POST " + d + "/sessions/{sid}", Action: access.DialogueRun, Handler: m.session},
		{Pattern: "POST " + d + "/status", Action: access.DialogueRun, Handler: m.status},
		{Pattern: "POST " + d + "/contributions", Action: access.DialogueContribute, Handler: m.contribute},
		{Pattern: "GET " + d + "/contributions/{cid}", Action: in, Handler: m.contribution},
		{Pattern: "POST " + d + "/contributions/{cid}/moderation", Action: access.DialogueModerate, Handler: m.moderate},
		{Pattern: "GET " + d + "/summary", Action: in, Handler: m.summary},
		{Pattern: "POST " + d + "/summary", Action: access.DialogueReport, Handler: m.saveSummary},
		{Pattern: "POST " + d + "/summary/return", Action: access.DialogueModerate, Handler: m.returnSummary},
		{Pattern: "GET " + d + "/export.md", Action: in, Handler: m.exportMarkdown},
		{Pattern: "GET " + d + "/export.json", Action: in, Handler: m.exportJSON},
		{Pattern: "GET " + d + "/summary.md", Action: in, Handler: m.summaryMarkdown},

		{Pattern: "GET /api/v1/dialogues", Action: in, Handler: m.apiList},
		{Pattern: "POST /api/v1/dialogues", Action: access.DialogueCreate, Handler: m.apiCreate},
		{Pattern: "GET /api/v1/dialogues/{id}", Action: in, Handler: m.apiGet},
		{Pattern: "POST /api/v1/dialogues/{id}/parties", Action: access.DialogueRun, Handler: m.apiParty},
		{Pattern: "POST /api/v1/dialogues/{id}/sessions", Action: access.DialogueRun, Handler: m.apiSession},
		{Pattern: "POST /api/v1/dialogues/{id}/sessions/{sid}", Action: access.DialogueRun, Handler: m.apiSessionState},
		{Pattern: "POST /api/v1/dialogues/{id}/status", Action: access.DialogueRun, Handler: m.apiStatus},
		{Pattern: "GET /api/v1/dialogues/{id}/contributions", Action: in, Handler: m.apiContributions},
		{Pattern: "POST /api/v1/dialogues/{id}/contributions", Action: access.DialogueContribute, Handler: m.apiContribute},
		{Pattern: "POST /api/v1/dialogues/{id}/contributions/{cid}/moderation", Action: access.DialogueModerate, Handler: m.apiModerate},
		{Pattern: "PUT /api/v1/dialogues/{id}/summary", Action: access.DialogueReport, Handler: m.apiSummary},
		{Pattern: "POST /api/v1/dialogues/{id}/summary/return", Action: access.DialogueModerate, Handler: m.apiReturnSummary},
		{Pattern: "GET /api/v1/dialogues/{id}/export", Action: in, Handler: m.apiExport},
	}
}

type indexView struct {
	web.Page
	List  []Item
	Orgs  []core.OrgRef // where the actor may open a dialogue
	Rules []Rule
	Form  web.Form
}

func (m *Module) indexView(r *http.Request) (indexView, error) {
	v := indexView{Page: m.web.Page(r, "title.dialogue"), Rules: Rules}
	v.Nav = "dialogue"
	a := core.ActorFrom(r.Context())
	for _, ms := range a.Memberships {
		if access.Check(a, access.DialogueCreate, access.Resource{OrgID: ms.Org.ID}) == nil {
			v.Orgs = append(v.Orgs, ms.Org)
		}
	}
	var err error
	v.List, err = m.svc.List(r.Context())
	return v, err
}

func (m *Module) index(w http.ResponseWriter, r *http.Request) {
	v, err := m.indexView(r)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "dialogue/index", v)
}

func (m *Module) create(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	d, err := m.svc.Create(r.Context(), Input{Host: f.Get("host"), Title: f.Get("title"), Purpose: f.Get("purpose"), Rule: Rule(f.Get("rule")),
		Lang: f.Get("lang"), Premoderated: f.Get("premoderated") == "on"})
	if err != nil {
		v, verr := m.indexView(r)
		if verr == nil && f.Take(err) {
			v.Form = f
			m.web.Render(w, r, web.FormStatus(err), "dialogue/index", v)
			return
		}
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/dialogue/"+d.ID, "flash.dlg_created")
}

type pageView struct {
	web.Page
	View
	Thread
	Session     string // the session shown, "" for all
	Roles       []Role
	Book        []federation.RemoteOrg
	Form        web.Form // contribution
	PartyForm   web.Form
	SessionForm web.Form
}

func (m *Module) pageView(r *http.Request) (pageView, error) {
	v, err := m.svc.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return pageView{}, err
	}
	pv := pageView{Page: m.web.Page(r, "title.dialogue_one", v.D.Title), View: v, Roles: Roles, Session: r.URL.Query().Get("session")}
	pv.Nav = "dialogue"
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	if pv.Thread, err = m.svc.Threads(r.Context(), v, pv.Session, after); err != nil {
		return pv, err
	}
	if m.book != nil && len(v.Seat.Runs) > 0 && v.Hosted {
		pv.Book, _ = m.book.Addresses(r.Context(), "")
	}
	return pv, nil
}

func (m *Module) page(w http.ResponseWriter, r *http.Request) {
	v, err := m.pageView(r)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "dialogue/dialogue", v)
}

// pageError re-renders the dialogue page with a rejected form.
func (m *Module) pageError(w http.ResponseWriter, r *http.Request, f web.Form, err error, set func(*pageView, web.Form)) {
	v, verr := m.pageView(r)
	if verr == nil && f.Take(err) {
		set(&v, f)
		m.web.Render(w, r, web.FormStatus(err), "dialogue/dialogue", v)
		return
	}
	m.web.Error(w, r, err)
}

func (m *Module) parties(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	id := r.PathValue("id")
	var err error
	if f.Get("remove") != "" {
		err = m.svc.RemoveParty(r.Context(), id, f.Get("remove"), Role(f.Get("role")))
	} else {
		err = m.svc.AddParty(r.Context(), id, f.Get("addr"), Role(f.Get("role")))
	}
	if err != nil {
		m.pageError(w, r, f, err, func(v *pageView, f web.Form) { v.PartyForm = f })
		return
	}
	m.web.Redirect(w, r, "/dialogue/"+id+"#participants", "flash.saved")
}

func (m *Module) sessions(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	id := r.PathValue("id")
	if _, err := m.svc.AddSession(r.Context(), id, SessionInput{Title: f.Get("session_title"), Agenda: f.Get("agenda"), Starts: f.Get("starts")}); err != nil {
		if e := core.AsError(err); e != nil && e.Fields != nil {
			if k, ok := e.Fields["title"]; ok {
				delete(e.Fields, "title")
				e.Fields["session_title"] = k
			}
		}
		m.pageError(w, r, f, err, func(v *pageView, f web.Form) { v.SessionForm = f })
		return
	}
	m.web.Redirect(w, r, "/dialogue/"+id+"#sessions", "flash.saved")
}

func (m *Module) session(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := m.svc.SetSession(r.Context(), id, r.PathValue("sid"), r.FormValue("closed") == "true"); err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/dialogue/"+id+"#sessions", "flash.saved")
}

func (m *Module) status(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := m.svc.SetStatus(r.Context(), id, r.FormValue("status")); err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/dialogue/"+id, "flash.saved")
}

func (m *Module) contribute(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	id := r.PathValue("id")
	err := m.svc.Contribute(r.Context(), id, ContributionInput{By: f.Get("by"), Session: f.Get("session"), Parent: f.Get("parent"), Body: f.Get("body"), Lang: f.Get("lang")})
	if err != nil {
		m.pageError(w, r, f, err, func(v *pageView, f web.Form) { v.Form = f })
		return
	}
	flash := "flash.dlg_contributed"
	if v, err := m.svc.Get(r.Context(), id); err == nil && !v.Hosted {
		flash = "flash.dlg_sent"
	}
	m.web.Redirect(w, r, "/dialogue/"+id+"#contribute", flash)
}

// contributionView is one contribution, with the moderators' forms.
type contributionView struct {
	web.Page
	View
	C    Contribution
	Mod  bool
	Form web.Form
}

func (m *Module) contributionView(r *http.Request) (contributionView, error) {
	v, err := m.svc.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return contributionView{}, err
	}
	c, err := m.svc.One(r.Context(), v, r.PathValue("cid"))
	if err != nil {
		return contributionView{}, err
	}
	cv := contributionView{Page: m.web.Page(r, "title.dialogue_contribution", c.Seq), View: v, C: c, Mod: v.Hosted && v.Seat.Moderator()}
	cv.Nav = "dialogue"
	return cv, nil
}

func (m *Module) contribution(w http.ResponseWriter, r *http.Request) {
	v, err := m.contributionView(r)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "dialogue/contribution", v)
}

func (m *Module) moderate(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	id, cid := r.PathValue("id"), r.PathValue("cid")
	if err := m.svc.Moderate(r.Context(), id, cid, f.Get("action"), f.Get("reason")); err != nil {
		v, verr := m.contributionView(r)
		if verr == nil && f.Take(err) {
			v.Form = f
			m.web.Render(w, r, web.FormStatus(err), "dialogue/contribution", v)
			return
		}
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/dialogue/"+id+"#c-"+cid, "flash.saved")
}

type summaryView struct {
	web.Page
	View
	Draft      Draft
	Form       web.Form
	Named      []string // contributors the published summary names (moderators only)
	ReturnForm web.Form
}

func (m *Module) summaryView(r *http.Request) (summaryView, error) {
	v, err := m.svc.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return summaryView{}, err
	}
	sv := summaryView{Page: m.web.Page(r, "title.dialogue_summary", v.D.Title), View: v}
	sv.Nav = "dialogue"
	if len(v.Seat.Reports) > 0 {
		if sv.Draft, err = m.svc.Draft(r.Context(), v.D.ID); err != nil {
			return sv, err
		}
	}
	sv.Named, err = m.svc.ContributorsNamed(r.Context(), v)
	return sv, err
}

func (m *Module) summary(w http.ResponseWriter, r *http.Request) {
	v, err := m.summaryView(r)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "dialogue/summary", v)
}

func (m *Module) saveSummary(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	id := r.PathValue("id")
	publish := f.Get("publish") != ""
	if err := m.svc.SaveSummary(r.Context(), id, SummaryInput{Text: f.Get("text"), Lang: f.Get("lang"), Publish: publish}); err != nil {
		v, verr := m.summaryView(r)
		if verr == nil && f.Take(err) {
			v.Form = f
			m.web.Render(w, r, web.FormStatus(err), "dialogue/summary", v)
			return
		}
		m.web.Error(w, r, err)
		return
	}
	flash := "flash.saved"
	if publish {
		flash = "flash.dlg_summary_sent"
	}
	m.web.Redirect(w, r, "/dialogue/"+id+"/summary", flash)
}

func (m *Module) returnSummary(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	id := r.PathValue("id")
	if err := m.svc.ReturnSummary(r.Context(), id, f.Get("note")); err != nil {
		v, verr := m.summaryView(r)
		if verr == nil && f.Take(err) {
			v.ReturnForm = f
			m.web.Render(w, r, web.FormStatus(err), "dialogue/summary", v)
			return
		}
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/dialogue/"+id+"/summary", "flash.dlg_summary_returned")
}

// tr is the catalogue in the reader's language, for the exports.
func (m *Module) tr(r *http.Request) func(string, ...any) string {
	lang := m.web.Page(r, "").Lang
	return func(k string, args ...any) string { return m.web.Catalog().T(lang, k, args...) }
}

func (m *Module) exportMarkdown(w http.ResponseWriter, r *http.Request) {
	x, err := m.svc.Export(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	download(w, "text/markdown; charset=utf-8", "dialogue-"+x.ID+".md")
	_, _ = w.Write([]byte(x.Markdown(m.tr(r))))
}

func (m *Module) summaryMarkdown(w http.ResponseWriter, r *http.Request) {
	x, err := m.svc.Export(r.Context(), r.PathValue("id"))
	if err == nil && x.Summary == nil {
		err = errNotFound
	}
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	download(w, "text/markdown; charset=utf-8", "summary-"+x.ID+".md")
	_, _ = w.Write([]byte(x.SummaryMarkdown(m.tr(r))))
}

func (m *Module) exportJSON(w http.ResponseWriter, r *http.Request) {
	x, err := m.svc.Export(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Disposition", `attachment; filename="dialogue-`+x.ID+`.json"`)
	m.web.JSON(w, http.StatusOK, x)
}

func download(w http.ResponseWriter, ctype, name string) {
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
}
