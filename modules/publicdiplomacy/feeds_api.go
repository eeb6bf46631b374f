package publicdiplomacy

import (
	"net/http"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
)

// feedAPIRoutes are media monitoring as JSON (openapi_feeds.json): the
// same service calls as the pages, under the same rules.
func (m *Module) feedAPIRoutes() []web.Route {
	const feeds, mon = "/api/v1/publicdiplomacy/feeds", "/api/v1/publicdiplomacy/monitoring"
	return []web.Route{
		{Pattern: "GET " + feeds, Action: access.PDRead, Handler: m.apiFeeds},
		{Pattern: "POST " + feeds, Action: access.PDWrite, Handler: m.apiFeedAdd},
		{Pattern: "GET " + feeds + "/{id}", Action: access.PDRead, Handler: m.apiFeed},
		{Pattern: "PATCH " + feeds + "/{id}", Action: access.PDWrite, Handler: m.apiFeedChange},
		{Pattern: "DELETE " + feeds + "/{id}", Action: access.PDWrite, Handler: m.apiFeedRemove},
		{Pattern: "POST " + feeds + "/{id}/fetch", Action: access.PDWrite, Handler: m.apiFeedFetch},
		{Pattern: "GET " + mon, Action: access.PDRead, Handler: m.apiItems},
		{Pattern: "GET " + mon + "/keywords", Action: access.PDRead, Handler: m.apiKeywords},
		{Pattern: "POST " + mon + "/keywords", Action: access.PDWrite, Handler: m.apiKeywordAdd},
		{Pattern: "DELETE " + mon + "/keywords/{id}", Action: access.PDWrite, Handler: m.apiKeywordRemove},
		{Pattern: "GET " + mon + "/items/{id}", Action: access.PDRead, Handler: m.apiItem},
		{Pattern: "POST " + mon + "/items/{id}/webcare", Action: access.PDWrite, Handler: m.apiItemToWebcare},
	}
}

func (m *Module) apiFeeds(w http.ResponseWriter, r *http.Request) {
	fs, err := m.svc.Feeds(r.Context())
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	if fs == nil {
		fs = []Feed{}
	}
	m.web.JSON(w, http.StatusOK, web.List[Feed]{Items: fs})
}

func (m *Module) apiFeedAdd(w http.ResponseWriter, r *http.Request) {
	var in FeedInput
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	f, err := m.svc.AddFeed(r.Context(), in)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusCreated, f)
}

func (m *Module) apiFeed(w http.ResponseWriter, r *http.Request) {
	f, err := m.svc.Feed(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, f)
}

func (m *Module) apiFeedChange(w http.ResponseWriter, r *http.Request) {
	var c FeedChange
	if err := web.DecodeJSON(r, &c); err != nil {
		m.web.Error(w, r, err)
		return
	}
	f, err := m.svc.ChangeFeed(r.Context(), r.PathValue("id"), c)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, f)
}

func (m *Module) apiFeedRemove(w http.ResponseWriter, r *http.Request) {
	if err := m.svc.RemoveFeed(r.Context(), r.PathValue("id")); err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (m *Module) apiFeedFetch(w http.ResponseWriter, r *http.Request) {
	f, err := m.svc.FetchSoon(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusAccepted, f)
}

func (m *Module) apiItems(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := ItemFilter{FeedID: q.Get("feed"), Words: q.Get("q")}
	switch q.Get("matched") {
	case "", "0", "false":
	case "1", "true":
		f.Matched = true
	default:
		m.web.Error(w, r, (core.Problems{"matched": "err.pd_boolean"}).Err("publicdiplomacy: items"))
		return
	}
	var err error
	if f.Page, err = web.PageFromQuery(r); err != nil {
		m.web.Error(w, r, err)
		return
	}
	items, next, err := m.svc.Items(r.Context(), f)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	if items == nil {
		items = []FeedItem{}
	}
	m.web.JSON(w, http.StatusOK, web.List[FeedItem]{Items: items, NextCursor: next})
}

func (m *Module) apiItem(w http.ResponseWriter, r *http.Request) {
	it, err := m.svc.FeedItem(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusOK, it)
}

func (m *Module) apiItemToWebcare(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Account string `json:"account"`
	}
	if r.ContentLength != 0 {
		if err := web.DecodeJSON(r, &in); err != nil {
			m.web.Error(w, r, err)
			return
		}
	}
	it, err := m.svc.ItemToWebcare(r.Context(), r.PathValue("id"), in.Account)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusCreated, it)
}

func (m *Module) apiKeywords(w http.ResponseWriter, r *http.Request) {
	ks, err := m.svc.Keywords(r.Context())
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	if ks == nil {
		ks = []Keyword{}
	}
	m.web.JSON(w, http.StatusOK, web.List[Keyword]{Items: ks})
}

func (m *Module) apiKeywordAdd(w http.ResponseWriter, r *http.Request) {
	var in KeywordInput
	if err := web.DecodeJSON(r, &in); err != nil {
		m.web.Error(w, r, err)
		return
	}
	k, err := m.svc.AddKeyword(r.Context(), in)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.JSON(w, http.StatusCreated, k)
}

func (m *Module) apiKeywordRemove(w http.ResponseWriter, r *http.Request) {
	if err := m.svc.RemoveKeyword(r.Context(), r.PathValue("id")); err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
