package publicdiplomacy

import (
	"net/http"
	"strconv"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
)

// feedRoutes are media monitoring's pages and API: the items (newest
// first, with their filters and the two actions on each), the feeds with
// their state, and the keywords.
func (m *Module) feedRoutes() []web.Route {
	return append([]web.Route{
		{Pattern: "GET /monitoring", Action: access.PDRead, Handler: m.monitoring},
		{Pattern: "POST /monitoring/items/{id}/webcare", Action: access.PDWrite, Handler: m.itemToWebcare},
		{Pattern: "GET /monitoring/feeds", Action: access.PDRead, Handler: m.feedsPage},
		{Pattern: "POST /monitoring/feeds", Action: access.PDWrite, Handler: m.feedAdd},
		{Pattern: "POST /monitoring/feeds/{id}/pause", Action: access.PDWrite, Handler: m.feedPause(true)},
		{Pattern: "POST /monitoring/feeds/{id}/resume", Action: access.PDWrite, Handler: m.feedPause(false)},
		{Pattern: "POST /monitoring/feeds/{id}/fetch", Action: access.PDWrite, Handler: m.feedFetch},
		{Pattern: "POST /monitoring/feeds/{id}/delete", Action: access.PDWrite, Handler: m.feedRemove},
		{Pattern: "GET /monitoring/keywords", Action: access.PDRead, Handler: m.keywordsPage},
		{Pattern: "POST /monitoring/keywords", Action: access.PDWrite, Handler: m.keywordAdd},
		{Pattern: "POST /monitoring/keywords/{id}/delete", Action: access.PDWrite, Handler: m.keywordRemove},
	}, m.feedAPIRoutes()...)
}

// monitoringView is the list of items.
type monitoringView struct {
	web.Page
	Items    []FeedItem
	Feeds    []Feed
	Next     string
	Matched  bool
	FeedID   string
	Words    string
	Accounts []AccountRef // where an item may go in web-care
	Form     web.Form     // a refused "add to web-care", with its problem
	FormItem string
}

// MatchedQ is the matched-only filter as the query writes it.
func (v monitoringView) MatchedQ() string {
	if v.Matched {
		return "1"
	}
	return ""
}

// CanWrite reports whether the viewer acts on the organisation's items.
func (v monitoringView) CanWrite(orgID string) bool { return v.CanOrg(string(access.PDWrite), orgID) }

// AccountsOf are the accounts of an organisation.
func (v monitoringView) AccountsOf(orgID string) []AccountRef {
	var out []AccountRef
	for _, a := range v.Accounts {
		if a.OrgID == orgID {
			out = append(out, a)
		}
	}
	return out
}

func (m *Module) monitoring(w http.ResponseWriter, r *http.Request) {
	m.renderMonitoring(w, r, http.StatusOK, web.Form{}, "")
}

func (m *Module) renderMonitoring(w http.ResponseWriter, r *http.Request, status int, f web.Form, formItem string) {
	q := r.URL.Query()
	v := monitoringView{Page: m.web.Page(r, "title.pd_monitoring"), Matched: q.Get("matched") == "1", FeedID: q.Get("feed"), Words: q.Get("q"), Form: f, FormItem: formItem}
	v.Nav = "publicdiplomacy"
	page, err := web.PageFromQuery(r)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	ctx := r.Context()
	if v.Feeds, err = m.svc.Feeds(ctx); err == nil {
		v.Items, v.Next, err = m.svc.Items(ctx, ItemFilter{Matched: v.Matched, FeedID: v.FeedID, Words: v.Words, Page: page})
	}
	if err == nil {
		v.Accounts, err = m.svc.OrgAccounts(ctx)
	}
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, status, "pd_monitoring", v)
}

func (m *Module) itemToWebcare(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	it, err := m.svc.ItemToWebcare(r.Context(), r.PathValue("id"), f.Get("account"))
	if err != nil {
		if f.Take(err) {
			m.renderMonitoring(w, r, web.FormStatus(err), f, r.PathValue("id"))
			return
		}
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/webcare/"+it.ID, "flash.pd_feed_to_webcare")
}

// feedsView is the list of feeds with the form to add one.
type feedsView struct {
	web.Page
	Feeds []Feed
	Orgs  []core.OrgRef // where the viewer may add a feed
	Form  web.Form
	// Intervals are the choices of how often a feed is fetched.
	Intervals []Interval
}

// ManyOrgs reports whether the viewer reads for several organisations, so
// that each feed is shown with its own.
func (v feedsView) ManyOrgs() bool { return len(v.Orgs) > 1 }

// CanWrite reports whether the viewer manages the organisation's feeds.
func (v feedsView) CanWrite(orgID string) bool { return v.CanOrg(string(access.PDWrite), orgID) }

func (m *Module) feedsPage(w http.ResponseWriter, r *http.Request) {
	m.renderFeeds(w, r, http.StatusOK, web.Form{Values: map[string][]string{"interval_minutes": {strconv.Itoa(DefaultInterval)}}, Problems: core.Problems{}})
}

func (m *Module) renderFeeds(w http.ResponseWriter, r *http.Request, status int, f web.Form) {
	v := feedsView{Page: m.web.Page(r, "title.pd_feeds"), Form: f, Orgs: orgsFor(core.ActorFrom(r.Context()), access.PDWrite)}
	for _, n := range []int{5, 15, 30, 60, 180, 360, 1440} {
		v.Intervals = append(v.Intervals, intervalOf(n))
	}
	v.Nav = "publicdiplomacy"
	var err error
	if v.Feeds, err = m.svc.Feeds(r.Context()); err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, status, "pd_feeds", v)
}

func (m *Module) feedAdd(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	in := FeedInput{Org: f.Get("org"), URL: f.Get("url"), Title: f.Get("title"), Language: f.Get("language")}
	if s := strings.TrimSpace(f.Get("interval_minutes")); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			n = -1
		}
		in.IntervalMinutes = n
	}
	if _, err := m.svc.AddFeed(r.Context(), in); err != nil {
		if f.Take(err) {
			m.renderFeeds(w, r, web.FormStatus(err), f)
			return
		}
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/monitoring/feeds", "flash.pd_feed_added")
}

func (m *Module) feedPause(pause bool) http.HandlerFunc {
	flash := map[bool]string{true: "flash.pd_feed_paused", false: "flash.pd_feed_resumed"}[pause]
	return func(w http.ResponseWriter, r *http.Request) {
		if _, err := m.svc.ChangeFeed(r.Context(), r.PathValue("id"), FeedChange{Paused: &pause}); err != nil {
			m.web.Error(w, r, err)
			return
		}
		m.web.Redirect(w, r, "/monitoring/feeds", flash)
	}
}

func (m *Module) feedFetch(w http.ResponseWriter, r *http.Request) {
	if _, err := m.svc.FetchSoon(r.Context(), r.PathValue("id")); err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/monitoring/feeds", "flash.pd_feed_fetch_soon")
}

func (m *Module) feedRemove(w http.ResponseWriter, r *http.Request) {
	if err := m.svc.RemoveFeed(r.Context(), r.PathValue("id")); err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/monitoring/feeds", "flash.pd_feed_removed")
}

// keywordsView is the organisation's keywords with the form to add one.
type keywordsView struct {
	web.Page
	Keywords  []Keyword
	Orgs      []core.OrgRef
	Form      web.Form
	Languages []string
}

// ManyOrgs reports whether the viewer writes for several organisations.
func (v keywordsView) ManyOrgs() bool { return len(v.Orgs) > 1 }

// CanWrite reports whether the viewer manages the organisation's keywords.
func (v keywordsView) CanWrite(orgID string) bool { return v.CanOrg(string(access.PDWrite), orgID) }

// In lists the keywords of one language.
func (v keywordsView) In(lang string) []Keyword {
	var out []Keyword
	for _, k := range v.Keywords {
		if k.Language == lang {
			out = append(out, k)
		}
	}
	return out
}

func (m *Module) keywordsPage(w http.ResponseWriter, r *http.Request) {
	lang := web.Lang(r.Context())
	if lang != KeywordLanguageID {
		lang = KeywordLanguageEN
	}
	m.renderKeywords(w, r, http.StatusOK, web.Form{Values: map[string][]string{"language": {lang}}, Problems: core.Problems{}})
}

func (m *Module) renderKeywords(w http.ResponseWriter, r *http.Request, status int, f web.Form) {
	v := keywordsView{Page: m.web.Page(r, "title.pd_keywords"), Form: f, Orgs: orgsFor(core.ActorFrom(r.Context()), access.PDWrite), Languages: KeywordLanguages}
	v.Nav = "publicdiplomacy"
	var err error
	if v.Keywords, err = m.svc.Keywords(r.Context()); err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, status, "pd_monitoring_keywords", v)
}

func (m *Module) keywordAdd(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	if _, err := m.svc.AddKeyword(r.Context(), KeywordInput{Org: f.Get("org"), Word: f.Get("word"), Language: f.Get("language")}); err != nil {
		if f.Take(err) {
			m.renderKeywords(w, r, web.FormStatus(err), f)
			return
		}
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/monitoring/keywords", "flash.pd_keyword_added")
}

func (m *Module) keywordRemove(w http.ResponseWriter, r *http.Request) {
	if err := m.svc.RemoveKeyword(r.Context(), r.PathValue("id")); err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/monitoring/keywords", "flash.pd_keyword_removed")
}
