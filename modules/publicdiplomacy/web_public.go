package publicdiplomacy

import (
	"net/http"

	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
)

// publicRoutes are the addresses that are both an ActivityPub document and
// a page: an account's id is its profile, a post's id is its page. A
// fediverse server asking for activity+json gets the document; a browser
// gets the page (web_public_pages.go).
func (m *Module) publicRoutes() []web.Route {
	return append([]web.Route{
		{Pattern: "GET /social/{name}", Action: access.PDPublic, Handler: m.actor},
		{Pattern: "GET /social/{name}/{id}", Action: access.PDPublic, Handler: m.post},
	}, m.publicPageRoutes()...)
}

func (m *Module) actor(w http.ResponseWriter, r *http.Request) {
	acc, err := m.svc.AccountByUsername(r.Context(), r.PathValue("name"))
	if wantsAP(r) {
		if err != nil {
			m.apError(w, errNotFound)
			return
		}
		m.actorDoc(w, r, acc)
		return
	}
	if err != nil {
		m.web.Error(w, r, errNotFound)
		return
	}
	w.Header().Set("Vary", "Accept")
	m.profilePage(w, r, acc)
}

func (m *Module) post(w http.ResponseWriter, r *http.Request) {
	// Images and hashtags share the pattern (web_public_pages.go).
	switch r.PathValue("name") {
	case "media":
		m.publicMedia(w, r)
		return
	case "tags":
		m.tagPage(w, r)
		return
	}
	acc, err := m.svc.AccountByUsername(r.Context(), r.PathValue("name"))
	var p Post
	if err == nil {
		p, err = m.svc.PublicPost(r.Context(), acc.Username, r.PathValue("id"))
	}
	if wantsAP(r) {
		if err != nil {
			m.apError(w, errNotFound)
			return
		}
		m.noteDoc(w, r, acc, p)
		return
	}
	if err != nil {
		m.web.Error(w, r, errNotFound)
		return
	}
	w.Header().Set("Vary", "Accept")
	m.postPage(w, r, acc, p)
}
