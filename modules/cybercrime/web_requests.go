package cybercrime

import (
	"net/http"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/links"
	"entente.example/entente/internal/web"
)

// requestRoutes are the pages of requests for cooperation: the in and out
// boxes, the form (two steps without script: who, what and to whom; then
// the legal basis and the kind's fields), a request with its thread and
// the steps its reader may take, the formal request for printing, and the
// other node's signed receipts.
func (m *Module) requestRoutes() []web.Route {
	return []web.Route{
		{Pattern: "GET /cybercrime/{$}", Action: access.CybercrimeRead, Handler: m.requestList},
		{Pattern: "GET /cybercrime/requests", Action: access.CybercrimeRead, Handler: m.requestList},
		{Pattern: "GET /cybercrime/requests/new", Action: access.CybercrimeDraft, Handler: m.requestNew},
		{Pattern: "POST /cybercrime/requests", Action: access.CybercrimeDraft, Handler: m.requestCreate},
		{Pattern: "GET /cybercrime/requests/{id}", Action: access.CybercrimeRead, Handler: m.requestShow},
		{Pattern: "GET /cybercrime/requests/{id}/edit", Action: access.CybercrimeDraft, Handler: m.requestEdit},
		{Pattern: "POST /cybercrime/requests/{id}/edit", Action: access.CybercrimeDraft, Handler: m.requestUpdate},
		{Pattern: "POST /cybercrime/requests/{id}/steps", Action: access.CybercrimeAct, Handler: m.requestStep},
		{Pattern: "GET /cybercrime/requests/{id}/print", Action: access.CybercrimeRead, Handler: m.requestPrint},
		{Pattern: "GET /cybercrime/requests/{id}/receipt", Action: access.CybercrimeRead, Handler: m.requestReceipt},
		{Pattern: "GET /cybercrime/requests/{id}/receipt.json", Action: access.CybercrimeRead, Handler: m.requestReceiptDownload},
	}
}

type requestListView struct {
	web.Page
	Requests []Request
	Next     string
	Box      string
	State    string
	Kind     string
	States   []State
	Kinds    []Kind
	Now      time.Time
	clocks   clocks
	names    map[string]Counterpart
}

// Clock says the clock that matters now for a row.
func (v requestListView) Clock(r Request) clockLine { return v.clocks.of(r) }

// Other names the other side of a row: its organisation's name and
// country where the directory knows them, else its address.
func (v requestListView) Other(r Request) string {
	if c, ok := v.names[r.other()]; ok {
		if c.Country != "" {
			return c.Name(v.Lang) + " · " + CountryName(c.Country, v.Lang)
		}
		return c.Name(v.Lang)
	}
	return r.other()
}

func (m *Module) requestList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v := requestListView{Page: m.web.Page(r, "title.cyb_requests"), Box: q.Get("box"), State: q.Get("state"), Kind: q.Get("kind"),
		States: States, Kinds: Kinds, Now: m.svc.Now()}
	v.Nav = "cybercrime"
	v.clocks = m.clocks(v.Lang, v.Now)
	page, err := web.PageFromQuery(r)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	f := Filter{Box: v.Box, State: State(v.State), Kind: Kind(v.Kind), Page: page}
	if v.Kind != "" && !f.Kind.Valid() {
		f.Kind, v.Kind = "", ""
	}
	if v.Requests, v.Next, err = m.svc.Requests(r.Context(), f); err != nil {
		m.web.Error(w, r, err)
		return
	}
	var others []string
	for _, q := range v.Requests {
		others = append(others, q.other())
	}
	v.names = m.svc.Named(r.Context(), others...)
	m.web.Render(w, r, http.StatusOK, "cybercrime/requests", v)
}

// requestView is one request as its reader sees it.
type requestView struct {
	web.Page
	Links   *links.Form
	R       Request
	Actions []Action
	Grounds []string
	Chain   Chain
	Basis   Instrument
	Article string
	Form    web.Form
	Now     time.Time
	// Failed is the action whose form came back with problems.
	Failed string
	// Evidence is the request's files and their custody (web_evidence.go).
	Evidence EvidenceSection
	// Counterpart names the other side; FromName and ToName name the two
	// organisations (their addresses when the directory does not know them).
	Counterpart      string
	FromName, ToName string
	clocks           clocks
	words            words
}

// Clock says the clock that matters now.
func (v requestView) Clock() clockLine { return v.clocks.of(v.R) }

// Fields are the request's fields that hold something, in the kind's
// order.
func (v requestView) Fields() []Field {
	var out []Field
	for _, f := range FormFields(v.R.Kind) {
		if v.R.Fields[f.Name] != "" {
			out = append(out, f)
		}
	}
	return out
}

// LangName names a language code (ISO 639) in the reader's language: the
// language a request is written in, and its translation's.
func (v requestView) LangName(code string) string { return languageName(code, v.Lang) }

// Mine reports whether an event was this node's side's step.
func (v requestView) Mine(e Event) bool { return e.ByAddr == v.R.mine() }

// Day renders a day for a formal document.
func (v requestView) Day(t any) string { return longDay(v.Lang, t) }

// Country names a state in the page's language.
func (v requestView) Country(code string) string { return CountryName(code, v.Lang) }

// Ask says, in one sentence, what the request asks.
func (v requestView) Ask() string { return v.words.ask(v.R, v.ToName) }

func (m *Module) requestPage(r *http.Request, title string) (requestView, error) {
	req, err := m.svc.Request(r.Context(), r.PathValue("id"))
	if err != nil {
		return requestView{}, err
	}
	v := requestView{Page: m.web.Page(r, title), R: req, Now: m.svc.Now()}
	v.Nav = "cybercrime"
	v.clocks = m.clocks(v.Lang, v.Now)
	v.words = words{c: m.web.Catalog(), lang: v.Lang}
	names := m.svc.Named(r.Context(), req.From, req.To)
	v.FromName, v.ToName = req.From, req.To
	if c, ok := names[req.From]; ok {
		v.FromName = c.Name(v.Lang)
	}
	if c, ok := names[req.To]; ok {
		v.ToName = c.Name(v.Lang)
	}
	v.Counterpart = v.ToName
	if req.Direction == "in" {
		v.Counterpart = v.FromName
	}
	v.TitleArgs = []any{v.words.title(req, v.Counterpart)}
	v.Actions = m.svc.Actions(r.Context(), req)
	v.Grounds = m.svc.Grounds(req)
	if v.Chain, err = m.svc.Chain(r.Context(), req); err != nil {
		return requestView{}, err
	}
	if v.Evidence, err = m.evidenceSection(r, req, web.Form{}); err != nil {
		return requestView{}, err
	}
	if ins, err := m.svc.Instruments(r.Context()); err == nil {
		for _, in := range ins {
			if in.ID == req.Basis {
				v.Basis = in
				if rule, ok := in.Rule(req.Kind); ok && rule.Article != "—" {
					v.Article = rule.Article // no treaty has no article
				}
			}
		}
	}
	if v.Basis.ID == "" {
		v.Basis = Instrument{ID: req.Basis, NameEN: req.Basis}
	}
	return v, nil
}

func (m *Module) requestShow(w http.ResponseWriter, r *http.Request) {
	v, err := m.requestPage(r, "title.cyb_request")
	if err == nil {
		v.Links, err = m.links.Page(r, m.svc.LinkRef(v.R))
	}
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "cybercrime/request", v)
}

// stepFromForm reads an action's form; a day that is not a day is a
// problem of the "until" field.
func stepFromForm(f web.Form) (Step, core.Problems) {
	p := core.Problems{}
	st := Step{Action: Action(f.Get("action")), Note: f.Get("note"), Ground: f.Get("ground")}
	if s := strings.TrimSpace(f.Get("until")); s != "" {
		d, err := time.ParseInLocation("2006-01-02", s, time.UTC)
		if err != nil {
			p.Add("until", "err.date")
		} else {
			// Preserved until a day means to its end.
			end := d.Add(24*time.Hour - time.Minute)
			st.Until = &end
		}
	}
	return st, p
}

func (m *Module) requestStep(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	st, p := stepFromForm(f)
	err := p.Err("cybercrime: step")
	if err == nil {
		_, err = m.svc.Act(r.Context(), r.PathValue("id"), st)
	}
	// "Approve and send" is the usual case for a central authority: one
	// press, two steps, each recorded as itself.
	if err == nil && st.Action == ActApprove && f.Get("and_send") == "yes" {
		st = Step{Action: ActSend}
		_, err = m.svc.Act(r.Context(), r.PathValue("id"), st)
	}
	if err != nil {
		v, verr := m.requestPage(r, "title.cyb_request")
		if verr == nil && f.Take(err) {
			v.Form, v.Failed = f, string(st.Action)
			m.web.Render(w, r, web.FormStatus(err), "cybercrime/request", v)
			return
		}
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/cybercrime/requests/"+r.PathValue("id"), stepFlash[st.Action])
}

// stepFlash is the notice after each step, saying what follows from it.
var stepFlash = map[Action]string{
	ActApprove: "flash.cyb_step_approve", ActSend: "flash.cyb_step_send", ActAcknowledge: "flash.cyb_step_acknowledge",
	ActPreserve: "flash.cyb_step_preserve", ActExtend: "flash.cyb_step_extend", ActPartly: "flash.cyb_step_partly",
	ActExecute: "flash.cyb_step_execute", ActRefuse: "flash.cyb_step_refuse", ActWithdraw: "flash.cyb_step_withdraw",
	ActClose: "flash.cyb_step_close", ActNote: "flash.cyb_step_note",
}

// printLang is the language of the formal request: the request's own when
// the catalogues have it, else English.
func printLang(l string) string {
	if l == "id" {
		return "id"
	}
	return "en"
}

// requestPrint is the formal request as states send it on paper: in the
// request's language, whatever the reader's.
func (m *Module) requestPrint(w http.ResponseWriter, r *http.Request) {
	req, err := m.svc.readable(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	r = r.WithContext(web.WithLang(r.Context(), printLang(req.Language)))
	v, err := m.requestPage(r, "title.cyb_print")
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "cybercrime/request_print", v)
}

// FromHandle is the requesting organisation's handle, for the link that
// drafts the request that follows a preservation.
func (v requestView) FromHandle() string {
	h, _, _ := strings.Cut(v.R.From, "@")
	return h
}
