package incidents

import (
	"context"
	"mime"
	"net/http"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/links"
	"entente.example/entente/internal/web"
)

// StatementsModule is the pages of joint attribution statements: its own
// web.Module, so that it is wired beside the incident records' without
// either waiting on the other.
type StatementsModule struct {
	svc *Statements
	web *web.Server
}

// NewStatementsModule returns the module.
func NewStatementsModule(svc *Statements, w *web.Server) *StatementsModule {
	return &StatementsModule{svc: svc, web: w}
}

// Name implements web.Module.
func (m *StatementsModule) Name() string { return "statements" }

// Routes implements web.Module. A published statement, its list and its
// bundle are public; the service lets the parties alone see the rest.
func (m *StatementsModule) Routes() []web.Route {
	return append(m.apiRoutes(), []web.Route{
		{Pattern: "GET /statements/{$}", Action: access.StatementPublic, Handler: m.list},
		{Pattern: "GET /statements/new", Action: access.StatementDraft, Handler: m.newForm},
		{Pattern: "POST /statements/new", Action: access.StatementDraft, Handler: m.create},
		{Pattern: "GET /statements/{id}", Action: access.StatementPublic, Handler: m.show},
		{Pattern: "GET /statements/{id}/bundle.json", Action: access.StatementPublic, Handler: m.bundle},
		{Pattern: "POST /statements/{id}/open", Action: access.StatementDraft, Handler: m.step(m.svc.Open, "flash.stmt_opened")},
		{Pattern: "POST /statements/{id}/publish", Action: access.StatementDraft, Handler: m.step(m.svc.Publish, "flash.stmt_published")},
		{Pattern: "POST /statements/{id}/retract", Action: access.StatementDraft, Handler: m.step(m.svc.Retract, "flash.stmt_retracted")},
		{Pattern: "POST /statements/{id}/sign", Action: access.StatementSign, Handler: m.answer(m.svc.Sign, "flash.stmt_signed")},
		{Pattern: "POST /statements/{id}/decline", Action: access.StatementSign, Handler: m.answer(m.svc.Decline, "flash.stmt_declined")},
		{Pattern: "POST /statements/{id}/withdraw", Action: access.StatementSign, Handler: m.answer(m.svc.Withdraw, "flash.stmt_withdrawn")},
	}...)
}

type statementListView struct {
	web.Page
	Mine      []StatementRow
	Published []StatementRow
}

func (m *StatementsModule) list(w http.ResponseWriter, r *http.Request) {
	mine, pub, err := m.svc.List(r.Context())
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "incidents/statements", statementListView{Page: m.page(r, "title.statements"), Mine: mine, Published: pub})
}

func (m *StatementsModule) page(r *http.Request, title string, args ...any) web.Page {
	p := m.web.Page(r, title, args...)
	p.Nav = "incidents"
	return p
}

type statementFormView struct {
	web.Page
	Form       web.Form
	From       []localOrg
	Invitable  []Invitable
	Invited    map[string]bool
	PublishNow string // the earliest set time the form offers, as datetime-local
	// Incidents are those the author may name, chosen rather than typed.
	Incidents []links.Item
}

func (m *StatementsModule) formView(r *http.Request, f web.Form) (statementFormView, error) {
	from, err := m.svc.Initiators(r.Context())
	if err != nil {
		return statementFormView{}, err
	}
	inv, err := m.svc.Invitable(r.Context())
	if err != nil {
		return statementFormView{}, err
	}
	incs, err := m.svc.IncidentChoices(r.Context())
	if err != nil {
		return statementFormView{}, err
	}
	v := statementFormView{Page: m.page(r, "title.statement_new"), Form: f, From: from, Invitable: inv, Invited: map[string]bool{},
		PublishNow: m.svc.db.Clock().Now().UTC().Add(time.Hour).Format("2006-01-02T15:04"), Incidents: incs}
	for _, a := range f.Values["invited"] {
		v.Invited[a] = true
	}
	return v, nil
}

func (m *StatementsModule) newForm(w http.ResponseWriter, r *http.Request) {
	f := web.Form{Values: map[string][]string{"language": {"en"}, "publish_mode": {PublishByInitiator}}, Problems: core.Problems{}}
	v, err := m.formView(r, f)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "incidents/statement_form", v)
}

func (m *StatementsModule) create(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	in := StatementInput{From: f.Get("from"), Title: f.Get("title"), Body: f.Get("body"), Language: strings.TrimSpace(f.Get("language")),
		TrLanguage: strings.TrimSpace(f.Get("tr_language")), TrTitle: f.Get("tr_title"), TrBody: f.Get("tr_body"), Actor: f.Get("actor"),
		Incident: f.Get("incident"), Invited: f.Values["invited"], PublishMode: f.Get("publish_mode")}
	var err error
	if in.PublishMode == PublishAt {
		// The form's time is UTC, as the label says: statements are
		// published for states in several time zones at once.
		t, perr := time.Parse("2006-01-02T15:04", f.Get("publish_at"))
		if perr != nil {
			err = core.Problems{"publish_at": "err.datetime"}.Err("statements: draft")
		} else {
			in.PublishAt = &t
		}
	}
	var st Statement
	if err == nil {
		st, err = m.svc.Draft(r.Context(), in)
	}
	if err != nil {
		if !f.Take(err) {
			m.web.Error(w, r, err)
			return
		}
		v, verr := m.formView(r, f)
		if verr != nil {
			m.web.Error(w, r, verr)
			return
		}
		m.web.Render(w, r, web.FormStatus(err), "incidents/statement_form", v)
		return
	}
	m.web.Redirect(w, r, "/statements/"+st.ID, "flash.stmt_drafted")
}

type statementView struct {
	web.Page
	S        Statement
	Text     Text
	Proofs   []SignerProof
	Mine     []Signer // this node's invited organisations the viewer signs for
	Initiate bool     // the viewer may open, publish or withdraw it
	Signed   int
	Form     web.Form
	Now      time.Time
	Bundle   string // the bundle's download name
	// Incident is the incident the statement names, when the reader may
	// see it here (HasIncident).
	Incident    Incident
	HasIncident bool
}

func (m *StatementsModule) view(r *http.Request) (statementView, error) {
	st, err := m.svc.Statement(r.Context(), r.PathValue("id"))
	if err != nil {
		return statementView{}, err
	}
	a := core.ActorFrom(r.Context())
	v := statementView{Page: m.page(r, "title.statement", st.Title), S: st, Text: st.text(), Proofs: m.svc.Proofs(r.Context(), st),
		Now: m.svc.db.Clock().Now(), Bundle: "statement-" + st.ID + ".json"}
	v.Incident, v.HasIncident = m.svc.IncidentOf(r.Context(), st)
	v.Initiate = st.Local() && access.Can(a, access.StatementDraft, access.Resource{OrgID: st.OrgID})
	for _, g := range st.Invitees() {
		if g.OrgID != "" && access.Can(a, access.StatementSign, access.Resource{OrgID: g.OrgID}) {
			v.Mine = append(v.Mine, g)
		}
	}
	for _, p := range v.Proofs {
		if p.State == SignerSigned {
			v.Signed++
		}
	}
	return v, nil
}

func (m *StatementsModule) show(w http.ResponseWriter, r *http.Request) {
	v, err := m.view(r)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "incidents/statement", v)
}

func (m *StatementsModule) bundle(w http.ResponseWriter, r *http.Request) {
	st, err := m.svc.Statement(r.Context(), r.PathValue("id"))
	if err == nil && (st.State != StatementPublished || st.Bundle == "") {
		err = errStmtNotFound
	}
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": "statement-" + st.ID + ".json"}))
	w.Write([]byte(st.Bundle))
}

// step runs an initiator's action and comes back to the statement, or
// shows the page again with why not.
func (m *StatementsModule) step(do func(context.Context, string) (Statement, error), flash string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if _, err := do(r.Context(), r.PathValue("id")); err != nil {
			m.failed(w, r, err)
			return
		}
		m.web.Redirect(w, r, "/statements/"+r.PathValue("id"), flash)
	}
}

// answer runs an invited organisation's action (for the organisation the
// form names, when the viewer may sign for several).
func (m *StatementsModule) answer(do func(context.Context, string, string) (Statement, error), flash string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f := web.NewForm(r)
		if _, err := do(r.Context(), r.PathValue("id"), f.Get("signer")); err != nil {
			m.failed(w, r, err)
			return
		}
		m.web.Redirect(w, r, "/statements/"+r.PathValue("id"), flash)
	}
}

func (m *StatementsModule) failed(w http.ResponseWriter, r *http.Request, err error) {
	f := web.Form{Problems: core.Problems{}}
	if !f.Take(err) {
		m.web.Error(w, r, err)
		return
	}
	v, verr := m.view(r)
	if verr != nil {
		m.web.Error(w, r, verr)
		return
	}
	v.Form = f
	m.web.Render(w, r, web.FormStatus(err), "incidents/statement", v)
}

// Attention implements web.AttentionSource: the invitations to co-sign
// that wait on the viewer's organisations.
func (m *StatementsModule) Attention(ctx context.Context, a core.Actor) ([]web.Attention, error) {
	rows, err := m.svc.Waiting(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]web.Attention, 0, len(rows))
	for _, r := range rows {
		out = append(out, web.Attention{Key: "attn.stmt_invited", Args: []any{r.InitiatorName, r.Title}, Link: "/statements/" + r.ID})
	}
	return out, nil
}

var _ web.AttentionSource = (*StatementsModule)(nil)

// UseStatements makes an incident's page list the statements that name it.
func (m *Module) UseStatements(s *Statements) { m.stmts = s }

// statementsOf lists the statements that name inc, for its page.
func (m *Module) statementsOf(r *http.Request, inc Incident) ([]IncidentStatement, error) {
	if m.stmts == nil {
		return nil, nil
	}
	return m.stmts.ForIncident(r.Context(), inc)
}
