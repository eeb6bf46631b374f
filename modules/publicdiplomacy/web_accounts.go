package publicdiplomacy

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
)

// accountRoutes are the organisation's accounts as its press office keeps
// them: the list, the form an administrator creates or edits one with
// (name, biography, language, profile fields, whether followers are let
// in by hand), and whom an account follows, with the form to follow an
// account elsewhere by its address and to stop.
func (m *Module) accountRoutes() []web.Route {
	return []web.Route{
		{Pattern: "GET /newsroom/accounts", Action: access.PDRead, Handler: m.accountList},
		{Pattern: "GET /newsroom/accounts/new", Action: access.PDAccounts, Handler: m.accountNew},
		{Pattern: "POST /newsroom/accounts", Action: access.PDAccounts, Handler: m.accountCreate},
		{Pattern: "GET /newsroom/accounts/{id}/edit", Action: access.PDAccounts, Handler: m.accountEdit},
		{Pattern: "POST /newsroom/accounts/{id}/edit", Action: access.PDAccounts, Handler: m.accountUpdate},
		{Pattern: "GET /newsroom/accounts/{id}/following", Action: access.PDRead, Handler: m.accountFollowing},
		{Pattern: "POST /newsroom/accounts/{id}/follow", Action: access.PDApprove, Handler: m.accountFollow},
		{Pattern: "POST /newsroom/accounts/{id}/unfollow", Action: access.PDApprove, Handler: m.accountUnfollow},
	}
}

// fieldRows is how many profile fields the form offers: as many as an
// account may have.
const fieldRows = 4

type accountListView struct {
	web.Page
	Accounts []Account
	Host     string
	svc      *Service
}

// ActorURL is an account's public profile.
func (v accountListView) ActorURL(a Account) string { return v.svc.ActorURL(a.Username) }

// LangName names a language in the page's language.
func (v accountListView) LangName(code string) string { return langName(code, v.Lang) }

func (m *Module) accountList(w http.ResponseWriter, r *http.Request) {
	v := accountListView{Page: m.web.Page(r, "title.pd_accounts"), Host: m.svc.Host(), svc: m.svc}
	v.Nav = "newsroom"
	var err error
	if v.Accounts, err = m.svc.MyAccounts(r.Context(), access.PDRead); err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "pd_accounts", v)
}

type accountFormView struct {
	web.Page
	Form web.Form
	Edit *Account
	Orgs []core.OrgRef
	Host string
}

// Rows are the profile fields' row numbers.
func (v accountFormView) Rows() []int {
	out := make([]int, fieldRows)
	for i := range out {
		out[i] = i
	}
	return out
}

// Row is a profile field's input name: f0_name, f0_value…
func (v accountFormView) Row(i int, part string) string { return "f" + strconv.Itoa(i) + "_" + part }

// Num numbers a profile field's row for people, from one.
func (v accountFormView) Num(i int) int { return i + 1 }

// Languages are the languages an account may write in.
func (v accountFormView) Languages() []string { return Languages }

// LangName names a language in the page's language.
func (v accountFormView) LangName(code string) string { return langName(code, v.Lang) }

func (m *Module) accountNew(w http.ResponseWriter, r *http.Request) {
	f := web.Form{Values: url.Values{"language": {web.Lang(r.Context())}}, Problems: core.Problems{}}
	m.renderAccountForm(w, r, http.StatusOK, f, nil)
}

func (m *Module) renderAccountForm(w http.ResponseWriter, r *http.Request, status int, f web.Form, edit *Account) {
	title := "title.pd_account_new"
	var args []any
	if edit != nil {
		title, args = "title.pd_account_edit", []any{"@" + m.svc.Handle(edit.Username)}
	}
	v := accountFormView{Page: m.web.Page(r, title, args...), Form: f, Edit: edit, Orgs: m.svc.AccountOrgs(r.Context()), Host: m.svc.Host()}
	v.Nav = "newsroom"
	m.web.Render(w, r, status, "pd_account_form", v)
}

// accountInput reads the account form.
func accountInput(v url.Values) AccountInput {
	in := AccountInput{Org: v.Get("org"), Username: v.Get("username"), DisplayName: v.Get("display_name"), Summary: v.Get("summary"),
		Language: v.Get("language"), ManuallyApproves: v.Get("manually_approves") == "on"}
	for i := range fieldRows {
		k := "f" + strconv.Itoa(i) + "_"
		in.Fields = append(in.Fields, Field{Name: v.Get(k + "name"), Value: v.Get(k + "value")})
	}
	return in
}

// accountValues writes an account into the form's values.
func accountValues(a Account) url.Values {
	v := url.Values{"display_name": {a.DisplayName}, "summary": {a.Summary}, "language": {a.Language}}
	if a.ManuallyApproves {
		v.Set("manually_approves", "on")
	}
	for i, f := range a.Fields {
		k := "f" + strconv.Itoa(i) + "_"
		v.Set(k+"name", f.Name)
		v.Set(k+"value", f.Value)
	}
	return v
}

func (m *Module) accountCreate(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	acc, err := m.svc.CreateAccount(r.Context(), accountInput(f.Values))
	if err != nil {
		if !f.Take(err) {
			m.web.Error(w, r, err)
			return
		}
		m.renderAccountForm(w, r, web.FormStatus(err), f, nil)
		return
	}
	m.web.Redirect(w, r, "/newsroom/accounts/"+acc.ID+"/following", "flash.pd_account_created")
}

func (m *Module) accountEdit(w http.ResponseWriter, r *http.Request) {
	acc, err := m.svc.AccountFor(r.Context(), r.PathValue("id"), access.PDAccounts)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.renderAccountForm(w, r, http.StatusOK, web.Form{Values: accountValues(acc), Problems: core.Problems{}}, &acc)
}

func (m *Module) accountUpdate(w http.ResponseWriter, r *http.Request) {
	acc, err := m.svc.AccountFor(r.Context(), r.PathValue("id"), access.PDAccounts)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	f := web.NewForm(r)
	if _, err := m.svc.UpdateAccount(r.Context(), acc.ID, accountInput(f.Values)); err != nil {
		if !f.Take(err) {
			m.web.Error(w, r, err)
			return
		}
		m.renderAccountForm(w, r, web.FormStatus(err), f, &acc)
		return
	}
	m.web.Redirect(w, r, "/newsroom/accounts/"+acc.ID+"/following", "flash.pd_account_updated")
}

type followingView struct {
	web.Page
	Account   Account
	Following []Following
	Form      web.Form
	Handle    string
	URL       string
}

// Acct is a followed account's address, or its id when this node has not
// fetched it.
func (v followingView) Acct(f Following) string {
	if f.Username != "" && f.Host != "" {
		return f.Username + "@" + f.Host
	}
	return f.Actor
}

func (m *Module) accountFollowing(w http.ResponseWriter, r *http.Request) {
	m.renderFollowing(w, r, http.StatusOK, web.Form{Values: url.Values{}, Problems: core.Problems{}})
}

func (m *Module) renderFollowing(w http.ResponseWriter, r *http.Request, status int, f web.Form) {
	acc, err := m.svc.AccountFor(r.Context(), r.PathValue("id"), access.PDRead)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	v := followingView{Page: m.web.Page(r, "title.pd_account", "@"+m.svc.Handle(acc.Username)), Account: acc, Form: f,
		Handle: m.svc.Handle(acc.Username), URL: m.svc.ActorURL(acc.Username)}
	v.Nav = "newsroom"
	if v.Following, err = m.svc.Followings(r.Context(), acc.ID); err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, status, "pd_account", v)
}

func (m *Module) accountFollow(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	them, err := m.svc.Follow(r.Context(), r.PathValue("id"), f.Get("acct"))
	if err != nil {
		if !f.Take(err) {
			m.web.Error(w, r, err)
			return
		}
		m.renderFollowing(w, r, web.FormStatus(err), f)
		return
	}
	_ = them
	m.web.Redirect(w, r, "/newsroom/accounts/"+r.PathValue("id")+"/following", "flash.pd_follow_sent")
}

func (m *Module) accountUnfollow(w http.ResponseWriter, r *http.Request) {
	actor := strings.TrimSpace(r.PostFormValue("actor"))
	if err := m.svc.Unfollow(r.Context(), r.PathValue("id"), actor); err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/newsroom/accounts/"+r.PathValue("id")+"/following", "flash.pd_unfollowed")
}
