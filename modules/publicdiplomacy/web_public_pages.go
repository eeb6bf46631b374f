package publicdiplomacy

import (
	"html/template"
	"net/http"
	"regexp"
	"strconv"
	"strings"

	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
)

// The public pages, for anyone and without a script: the node's verified
// accounts by organisation and their signed list, an account's profile
// with its posts, a post with its other languages and its public
// conversation (conversation.go), a hashtag's posts, and the images the
// fediverse fetches. Each page's head carries its sharing preview
// (web_public_meta.go). An account's profile and a post's page
// share their address with the ActivityPub documents (web_public.go).

// publicPageRoutes are the other public pages: the verified accounts, the
// signed list. Media and hashtags are under /social/{name}/{id} too
// (/social/media/{id}, /social/tags/{tag}): "media" and "tags" are not
// usernames, and a pattern of their own would overlap the actors'
// collections (/social/{name}/outbox) without being more specific.
func (m *Module) publicPageRoutes() []web.Route {
	return []web.Route{
		{Pattern: "GET /social", Action: access.PDPublic, Handler: m.socialList},
		{Pattern: "GET /social/verified.json", Action: access.PDPublic, Handler: m.verifiedJSON},
	}
}

// orgAccounts are one organisation's accounts.
type orgAccounts struct {
	Name, Handle string
	Accounts     []Account
}

type socialView struct {
	web.Page
	Orgs   []orgAccounts
	Host   string
	Runner NodeRunner
}

func (m *Module) socialList(w http.ResponseWriter, r *http.Request) {
	accs, err := m.svc.Accounts(r.Context())
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	v := socialView{Page: m.web.Page(r, "title.pd_social"), Host: m.svc.Host()}
	v.Nav = "social"
	v.Runner = m.svc.Runner(r.Context(), v.Lang)
	for _, a := range accs {
		if n := len(v.Orgs); n == 0 || v.Orgs[n-1].Handle != a.Org {
			v.Orgs = append(v.Orgs, orgAccounts{Name: a.OrgName, Handle: a.Org})
		}
		v.Orgs[len(v.Orgs)-1].Accounts = append(v.Orgs[len(v.Orgs)-1].Accounts, a)
	}
	m.web.Render(w, r, http.StatusOK, "pd_social", v)
}

// verifiedJSON serves the list of accounts signed by the node.
func (m *Module) verifiedJSON(w http.ResponseWriter, r *http.Request) {
	b, err := m.svc.SignedAccounts(r.Context())
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Write(b)
}

// publicPost is a post as the public pages show it: its HTML, as the
// fediverse receives it, and its address.
type publicPost struct {
	Post
	HTML template.HTML
	URL  string // its page, on this node
}

func (m *Module) publicPosts(r *http.Request, posts []Post) []publicPost {
	out := make([]publicPost, len(posts))
	for i, p := range posts {
		out[i] = publicPost{Post: p, HTML: m.postHTML(r, p), URL: "/social/" + p.Username + "/" + p.ID}
	}
	return out
}

// postHTML is a post's text as HTML: built by the service from plain text,
// every part escaped, so it is safe as it is.
func (m *Module) postHTML(r *http.Request, p Post) template.HTML {
	hrefs := map[string]string{}
	for _, mn := range m.svc.knownMentions(r.Context(), p.Content) {
		hrefs[strings.ToLower(mn.Acct)] = mn.URL
	}
	return template.HTML(m.svc.render(p.Content, hrefs).HTML)
}

type profileView struct {
	web.Page
	Acc        Account
	Handle     string
	URL        string
	Bio        template.HTML
	Fields     []profileField
	Posts      []publicPost
	Total      int
	Prev, Next int // neighbouring pages, 0 for none
	Meta       pageMeta
}

// profileField is a profile field with its value as a link marked
// rel="me" when it is one.
type profileField struct {
	Field
	HTML template.HTML
	Link string // the href, for <link rel="me">
}

var fieldLinkRE = regexp.MustCompile(`^<a href="([^"]+)"`)

// profilePage is an account's public profile.
func (m *Module) profilePage(w http.ResponseWriter, r *http.Request, acc Account) {
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	v := profileView{Page: m.web.Page(r, "title.pd_profile", acc.DisplayName), Acc: acc, Handle: m.svc.Handle(acc.Username),
		URL: m.svc.ActorURL(acc.Username), Bio: template.HTML(textHTML(acc.Summary))}
	v.Nav = "social"
	v.Meta = m.profileMeta(acc, page)
	for _, f := range acc.Fields {
		h := fieldHTML(f.Value)
		pf := profileField{Field: f, HTML: template.HTML(h)}
		if mt := fieldLinkRE.FindStringSubmatch(h); mt != nil {
			pf.Link = f.Value
		}
		v.Fields = append(v.Fields, pf)
	}
	var err error
	if v.Total, err = m.svc.countPublic(r.Context(), acc.ID); err != nil {
		m.web.Error(w, r, err)
		return
	}
	posts, err := m.svc.PublicPosts(r.Context(), acc.ID, "", (page-1)*pageSize, pageSize)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	v.Posts = m.publicPosts(r, posts)
	if page > 1 {
		v.Prev = page - 1
	}
	if page*pageSize < v.Total {
		v.Next = page + 1
	}
	m.web.Render(w, r, http.StatusOK, "pd_social_profile", v)
}

type postView struct {
	web.Page
	Acc      Account
	Handle   string
	P        publicPost
	Siblings []Post
	Replies  []publicReply
	More     bool // more replies than the page shows
	Meta     pageMeta
}

// publicReply is a public reply on a post's page, its text as escaped
// paragraphs, with the account's answers as they were published.
type publicReply struct {
	PublicReply
	HTML     template.HTML
	Answered []publicPost
}

// LangName names a language in the page's language.
func (v postView) LangName(code string) string { return langName(code, v.Lang) }

// postPage is a published post's public page.
func (m *Module) postPage(w http.ResponseWriter, r *http.Request, acc Account, p Post) {
	v := postView{Page: m.web.Page(r, "title.pd_post_public", acc.DisplayName), Acc: acc, Handle: m.svc.Handle(acc.Username)}
	v.Nav = "social"
	v.P = m.publicPosts(r, []Post{p})[0]
	var err error
	if v.Siblings, err = m.svc.PublicSiblings(r.Context(), p); err != nil {
		m.web.Error(w, r, err)
		return
	}
	v.Meta = m.postMeta(acc, p, v.Siblings)
	replies, more, err := m.svc.PublicConversation(r.Context(), p)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	v.More = more
	for _, rp := range replies {
		v.Replies = append(v.Replies, publicReply{PublicReply: rp, HTML: template.HTML(textHTML(rp.Text)), Answered: m.publicPosts(r, rp.Answers)})
	}
	m.web.Render(w, r, http.StatusOK, "pd_social_post", v)
}

// publicMedia serves an image of a published post, as the type read from
// its bytes when it was stored.
func (m *Module) publicMedia(w http.ResponseWriter, r *http.Request) {
	f, err := m.svc.PublicMedia(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	// The node keeps its resources to itself (same-origin); a post's
	// image is the exception, for the web clients of other instances
	// (Mastodon's, Elk, Phanpy) show it from here in their own pages.
	w.Header().Set("Cross-Origin-Resource-Policy", "cross-origin")
	serveImage(w, f, "public, max-age=3600")
}

var tagRE = regexp.MustCompile(`^[\p{L}\p{N}_]{1,100}$`)

type tagView struct {
	web.Page
	Tag        string
	Posts      []publicPost
	Prev, Next int
}

// tagPage lists the public posts with a hashtag, newest first.
func (m *Module) tagPage(w http.ResponseWriter, r *http.Request) {
	tag := strings.ToLower(r.PathValue("id"))
	if !tagRE.MatchString(tag) {
		m.web.Error(w, r, errNotFound)
		return
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	// One more than a page, to know whether there is a next.
	posts, err := m.svc.PublicPosts(r.Context(), "", tag, (page-1)*pageSize, pageSize+1)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	// The store matches the text; a longer tag that starts alike is not
	// this one.
	// The title is the tag as the newest post writes it (#ASEAN, not
	// #asean), or as asked when no post has it.
	shown := r.PathValue("id")
	kept := posts[:0]
	for _, p := range posts {
		for _, h := range m.svc.render(p.Content, nil).Hashtags {
			if strings.EqualFold(h, tag) {
				if len(kept) == 0 {
					shown = h
				}
				kept = append(kept, p)
				break
			}
		}
	}
	more := len(posts) > pageSize
	posts = kept
	v := tagView{Page: m.web.Page(r, "title.pd_tag", shown), Tag: shown}
	v.Nav = "social"
	if more {
		v.Next = page + 1
	}
	if len(posts) > pageSize {
		posts = posts[:pageSize]
	}
	if page > 1 {
		v.Prev = page - 1
	}
	v.Posts = m.publicPosts(r, posts)
	m.web.Render(w, r, http.StatusOK, "pd_social_tag", v)
}
