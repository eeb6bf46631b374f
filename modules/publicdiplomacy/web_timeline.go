package publicdiplomacy

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
)

// timelineRoutes are the reading page: what the accounts an organisation's
// accounts follow have posted, with a reply (sent at once, as a web-care
// answer is) and a boost on each post.
func (m *Module) timelineRoutes() []web.Route {
	return []web.Route{
		{Pattern: "GET /webcare/timeline", Action: access.PDRead, Handler: m.timeline},
		{Pattern: "POST /webcare/timeline/{id}/reply", Action: access.PDWrite, Handler: m.timelineReply},
		{Pattern: "POST /webcare/timeline/{id}/boost", Action: access.PDApprove, Handler: m.timelineBoost},
	}
}

// timelineView is one account's reading, with the choice of account.
type timelineView struct {
	web.Page
	Accounts  []Account // the reader's organisations' accounts
	R         Reading
	Filter    web.Form // the account and page asked for, with their problems
	Reply     web.Form // a refused reply as it was sent…
	ReplyTo   string   // …to this item
	Languages []string
	Host      string
	PageN     int
	CanWrite  bool // may reply from the account
	CanBoost  bool // may boost from it
}

// readingExcerpt is how much of a post the page shows; the rest is on the
// author's instance, so that a page of long posts stays light.
const readingExcerpt = 700

// Excerpt is the start of a post's text.
func (v timelineView) Excerpt(s string) string {
	if r := []rune(s); len(r) > readingExcerpt {
		return string(r[:readingExcerpt-1]) + "…"
	}
	return s
}

// Cut reports whether Excerpt shortened the text.
func (v timelineView) Cut(s string) bool { return len([]rune(s)) > readingExcerpt }

// Field is the id of a reply form's field: the form of a refused reply
// has the plain names, which its error summary links to; every other
// post's form has ids of its own.
func (v timelineView) Field(itemID, name string) string {
	if itemID == v.ReplyTo {
		return name
	}
	return name + "-" + itemID
}

// ReplyForm is the reply form of a post: as it was sent if it was refused,
// else empty, in the post's language when the node writes it.
func (v timelineView) ReplyForm(it Item) web.Form {
	if it.ID == v.ReplyTo {
		return v.Reply
	}
	lang := it.Language
	if !validLanguage(lang) {
		lang = v.R.Account.Language
	}
	return web.Form{Values: url.Values{"language": {lang}}, Problems: core.Problems{}}
}

// PageURL is the same account's reading on another page.
func (v timelineView) PageURL(page int) template.URL { return readingURL(v.R.Account.ID, page, "") }

// Prev and Next are the pages before and after this one.
func (v timelineView) Prev() int { return v.PageN - 1 }
func (v timelineView) Next() int { return v.PageN + 1 }

func readingURL(accountID string, page int, item string) template.URL {
	q := url.Values{}
	if accountID != "" {
		q.Set("account", accountID)
	}
	if page > 1 {
		q.Set("page", strconv.Itoa(page))
	}
	u := "/webcare/timeline"
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	if item != "" {
		u += "#item-" + item
	}
	return template.URL(u)
}

// timelinePage builds the page for an account ("" the organisation's
// main one) and a page ("" the first); its status is 422 when they were
// refused.
func (m *Module) timelinePage(r *http.Request, accountID, page string) (timelineView, int, error) {
	ctx := r.Context()
	v := timelineView{Page: m.web.Page(r, "title.pd_timeline"), Languages: Languages, Host: m.svc.Host(), PageN: 1,
		Filter: web.Form{Values: url.Values{"account": {accountID}, "page": {page}}, Problems: core.Problems{}}}
	v.Nav = "webcare"
	var err error
	if v.Accounts, err = m.svc.MyAccounts(ctx, access.PDRead); err != nil || len(v.Accounts) == 0 {
		return v, http.StatusOK, err
	}
	if accountID == "" {
		accountID = mainAccount(v.Accounts).ID
	}
	if page != "" {
		if v.PageN, err = strconv.Atoi(page); err != nil {
			v.PageN = -1 // refused by the service, naming the field
		}
	}
	v.R, err = m.svc.Reading(ctx, accountID, v.PageN)
	if err != nil {
		if !v.Filter.Take(err) {
			return v, 0, err
		}
		v.PageN = 1
		return v, web.FormStatus(err), nil
	}
	v.CanWrite = may(ctx, access.PDWrite, v.R.Account.OrgID) == nil
	v.CanBoost = may(ctx, access.PDApprove, v.R.Account.OrgID) == nil
	return v, http.StatusOK, nil
}

func (m *Module) timeline(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v, status, err := m.timelinePage(r, q.Get("account"), q.Get("page"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, status, "pd_timeline", v)
}

// timelineReply answers a post from the account it arrived for; a refused
// reply comes back in its post's form with what was typed.
func (m *Module) timelineReply(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	form := web.NewForm(r)
	p, err := m.svc.Answer(r.Context(), id, Translation{Language: form.Get("language"), Content: form.Get("content"), Warning: form.Get("warning")})
	page, _ := strconv.Atoi(form.Get("page"))
	if err == nil {
		m.web.Redirect(w, r, string(readingURL(p.AccountID, page, id)), "flash.pd_reply_sent")
		return
	}
	if !form.Take(err) {
		m.web.Error(w, r, err)
		return
	}
	answerFields(form.Problems)
	v, _, verr := m.timelinePage(r, form.Get("account"), form.Get("page"))
	if verr != nil {
		m.web.Error(w, r, verr)
		return
	}
	v.Reply, v.ReplyTo = form, id
	m.web.Render(w, r, web.FormStatus(err), "pd_timeline", v)
}

func (m *Module) timelineBoost(w http.ResponseWriter, r *http.Request) {
	it, err := m.svc.BoostItem(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	page, _ := strconv.Atoi(r.PostFormValue("page"))
	m.web.Redirect(w, r, string(readingURL(it.AccountID, page, it.ID)), "flash.pd_boosted")
}
