package publicdiplomacy

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
	"entente.example/entente/modules/publicdiplomacy/ap"
)

// apRoutes are what other instances read and send: WebFinger, NodeInfo,
// actors (also their public profile pages, by content negotiation), posts,
// collections and inboxes. Errors are JSON with a plain message, as
// fediverse servers write them.
func (m *Module) apRoutes() []web.Route {
	apErr := func(w http.ResponseWriter, r *http.Request, err error) { m.apError(w, err) }
	return []web.Route{
		{Pattern: "GET /.well-known/webfinger", Action: access.Public, Handler: m.webfinger, Errors: apErr},
		{Pattern: "GET /.well-known/nodeinfo", Action: access.Public, Handler: m.nodeinfoLinks, Errors: apErr},
		{Pattern: "GET /nodeinfo/2.1", Action: access.Public, Handler: m.nodeinfo, Errors: apErr},
		{Pattern: "GET /social/{name}/outbox", Action: access.Public, Handler: m.outbox, Errors: apErr},
		{Pattern: "GET /social/{name}/{id}/activity", Action: access.Public, Handler: m.createActivity, Errors: apErr},
		{Pattern: "GET /social/{name}/followers", Action: access.Public, Handler: m.followers, Errors: apErr},
		{Pattern: "GET /social/{name}/following", Action: access.Public, Handler: m.following, Errors: apErr},
		{Pattern: "POST /social/{name}/inbox", Action: access.Public, Handler: m.inbox, Errors: apErr, MaxBody: ap.MaxDocument + 1},
		{Pattern: "POST /social/inbox", Action: access.Public, Handler: m.inbox, Errors: apErr, MaxBody: ap.MaxDocument + 1},
	}
}

// apError answers a fediverse server.
func (m *Module) apError(w http.ResponseWriter, err error) {
	status := web.Status(core.KindOf(err))
	if status == http.StatusUnprocessableEntity {
		status = http.StatusBadRequest // what fediverse servers send and read as "do not retry"
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		status = http.StatusRequestEntityTooLarge
	}
	if status == 0 || core.KindOf(err) == core.KindInternal || core.AsError(err) == nil {
		m.web.Log.Error("publicdiplomacy: activitypub", "err", err)
		status = http.StatusInternalServerError
	}
	msg := http.StatusText(status)
	if ce := core.AsError(err); ce != nil && ce.Message != "" && status < 500 {
		msg = m.web.Catalog().T("en", ce.Message)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

// writeAP writes an ActivityPub document.
func writeAP(w http.ResponseWriter, v any) {
	// Content is HTML; written as it is, as Mastodon writes it, not as
	// \u003c escapes (valid either way, but people read these too).
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	w.Header().Set("Content-Type", ap.ContentType+"; charset=utf-8")
	w.Header().Set("Vary", "Accept")
	w.Header().Set("Cache-Control", "public, max-age=60")
	w.Write(b)
}

func (m *Module) webfinger(w http.ResponseWriter, r *http.Request) {
	res := r.URL.Query().Get("resource")
	acct := strings.TrimPrefix(res, "acct:")
	var user string
	switch {
	case strings.HasPrefix(res, "acct:"):
		u, host, ok := strings.Cut(strings.TrimPrefix(acct, "@"), "@")
		if !ok || !strings.EqualFold(host, m.svc.Host()) {
			m.apError(w, errNotFound)
			return
		}
		user = u
	case strings.HasPrefix(res, m.svc.base()+"/social/"):
		user = strings.TrimPrefix(res, m.svc.base()+"/social/")
	default:
		m.apError(w, &core.Error{Kind: core.KindInvalid, Message: "err.pd_resource"})
		return
	}
	acc, err := m.svc.AccountByUsername(r.Context(), strings.ToLower(user))
	if err != nil {
		m.apError(w, errNotFound)
		return
	}
	u := m.svc.ActorURL(acc.Username)
	doc := ap.WebFinger{Subject: "acct:" + m.svc.Handle(acc.Username), Aliases: []string{u},
		Links: []ap.Link{{Rel: "http://webfinger.net/rel/profile-page", Type: "text/html", Href: u}, {Rel: "self", Type: ap.ContentType, Href: u}}}
	b, _ := json.Marshal(doc)
	w.Header().Set("Content-Type", "application/jrd+json; charset=utf-8")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Write(b)
}

func (m *Module) nodeinfoLinks(w http.ResponseWriter, r *http.Request) {
	m.web.JSON(w, http.StatusOK, map[string]any{"links": []map[string]string{{"rel": "http://nodeinfo.diaspora.software/ns/schema/2.1", "href": m.svc.base() + "/nodeinfo/2.1"}}})
}

func (m *Module) nodeinfo(w http.ResponseWriter, r *http.Request) {
	n, posts, err := m.svc.Counts(r.Context())
	if err != nil {
		m.apError(w, err)
		return
	}
	w.Header().Set("Content-Type", `application/json; profile="http://nodeinfo.diaspora.software/ns/schema/2.1#"`)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"version": "2.1", "software": map[string]string{"name": "entente", "version": m.web.Version, "homepage": m.svc.base() + "/"},
		"protocols": []string{"activitypub"}, "services": map[string][]string{"inbound": {}, "outbound": {}}, "openRegistrations": false,
		"usage": map[string]any{"users": map[string]int{"total": n}, "localPosts": posts}, "metadata": map[string]any{"nodeName": m.web.NodeName},
	})
}

// wantsAP reports whether a request asks for the ActivityPub document
// rather than the page.
func wantsAP(r *http.Request) bool { return ap.AcceptsActivity(r.Header.Get("Accept")) }

func (m *Module) actorDoc(w http.ResponseWriter, r *http.Request, acc Account) {
	writeAP(w, m.svc.actorDoc(acc))
}

func (m *Module) noteDoc(w http.ResponseWriter, r *http.Request, acc Account, p Post) {
	n, _ := m.svc.note(acc, p, m.svc.knownMentions(r.Context(), p.Content))
	writeAP(w, n)
}

// createActivity is the Create that published a post, at the id the
// activity was sent with, for a server that was not among the followers
// and looks it up; the Note inside is the post as it is now.
func (m *Module) createActivity(w http.ResponseWriter, r *http.Request) {
	acc, err := m.svc.AccountByUsername(r.Context(), r.PathValue("name"))
	var p Post
	if err == nil {
		p, err = m.svc.PublicPost(r.Context(), acc.Username, r.PathValue("id"))
	}
	if err != nil {
		m.apError(w, errNotFound)
		return
	}
	n, _ := m.svc.note(acc, p, m.svc.knownMentions(r.Context(), p.Content))
	writeAP(w, ap.Activity{ID: n.ID + "/activity", Type: "Create", Actor: n.AttributedTo, Object: n, To: n.To, Cc: n.Cc, Published: n.Published})
}

const pageSize = 20

func (m *Module) outbox(w http.ResponseWriter, r *http.Request) {
	acc, err := m.svc.AccountByUsername(r.Context(), r.PathValue("name"))
	if err != nil {
		m.apError(w, errNotFound)
		return
	}
	u := m.svc.ActorURL(acc.Username) + "/outbox"
	total, err := m.svc.countPublic(r.Context(), acc.ID)
	if err != nil {
		m.apError(w, err)
		return
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	if page <= 0 {
		writeAP(w, ap.OrderedCollection{ID: u, TotalItems: total, First: u + "?page=1", Last: u + "?page=" + strconv.Itoa(max(1, (total+pageSize-1)/pageSize))})
		return
	}
	posts, err := m.svc.PublicPosts(r.Context(), acc.ID, "", (page-1)*pageSize, pageSize)
	if err != nil {
		m.apError(w, err)
		return
	}
	cp := ap.CollectionPage{ID: u + "?page=" + strconv.Itoa(page), PartOf: u, TotalItems: total}
	if page*pageSize < total {
		cp.Next = u + "?page=" + strconv.Itoa(page+1)
	}
	if page > 1 {
		cp.Prev = u + "?page=" + strconv.Itoa(page-1)
	}
	for _, p := range posts {
		n, _ := m.svc.note(acc, p, m.svc.knownMentions(r.Context(), p.Content))
		cp.OrderedItems = append(cp.OrderedItems, ap.Activity{ID: n.ID + "/activity", Type: "Create", Actor: n.AttributedTo, Object: n, To: n.To, Cc: n.Cc, Published: n.Published})
	}
	writeAP(w, cp)
}

// followers and following show their counts, not who: an embassy's
// followers are private people.
func (m *Module) followers(w http.ResponseWriter, r *http.Request) { m.collection(w, r, "followers") }
func (m *Module) following(w http.ResponseWriter, r *http.Request) { m.collection(w, r, "following") }

func (m *Module) collection(w http.ResponseWriter, r *http.Request, which string) {
	acc, err := m.svc.AccountByUsername(r.Context(), r.PathValue("name"))
	if err != nil {
		m.apError(w, errNotFound)
		return
	}
	n := acc.Followers
	if which == "following" {
		if n, err = m.svc.countFollowing(r.Context(), acc.ID); err != nil {
			m.apError(w, err)
			return
		}
	}
	writeAP(w, ap.OrderedCollection{ID: m.svc.ActorURL(acc.Username) + "/" + which, TotalItems: n})
}

func (m *Module) inbox(w http.ResponseWriter, r *http.Request) {
	if ct := r.Header.Get("Content-Type"); !ap.AcceptsActivity(ct) && !strings.HasPrefix(ct, "application/json") {
		http.Error(w, `{"error":"Not Acceptable"}`, http.StatusNotAcceptable)
		return
	}
	if err := m.svc.Receive(r.Context(), r, r.PathValue("name")); err != nil {
		m.apError(w, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}
