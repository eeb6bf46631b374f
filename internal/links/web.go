package links

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
)

// Module is the links' HTTP surface: the two form posts that every
// record's "link to an incident" form and every chain's "unlink" button
// send. The pages that show links are the modules' own.
type Module struct {
	svc *Service
	web *web.Server
}

// NewModule returns the links' routes.
func NewModule(s *Service, w *web.Server) *Module { return &Module{svc: s, web: w} }

// Name names the module.
func (m *Module) Name() string { return "links" }

// Routes lists the routes.
func (m *Module) Routes() []web.Route {
	return []web.Route{
		{Pattern: "POST /links", Action: access.LinkWrite, Handler: m.link},
		{Pattern: "POST /links/remove", Action: access.LinkWrite, Handler: m.unlink},
	}
}

func (m *Module) link(w http.ResponseWriter, r *http.Request) {
	m.post(w, r, m.svc.Link, "flash.linked")
}
func (m *Module) unlink(w http.ResponseWriter, r *http.Request) {
	m.post(w, r, m.svc.Unlink, "flash.unlinked")
}

func (m *Module) post(w http.ResponseWriter, r *http.Request, do func(ctx context.Context, from, to core.Ref) error, flash string) {
	_ = r.ParseForm()
	p, err := ParsePost(r.PostForm)
	if err == nil {
		err = do(r.Context(), p.From, p.To)
	}
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, p.Back, flash)
}

// Post is a link form as posted: the two records and the page to return
// to.
type Post struct {
	From, To core.Ref
	Back     string
}

// ParsePost reads a link form: from and to are references as
// core.Ref.String writes them, back a path on this node (anything else
// returns to the home page, so the form is no open redirect).
func ParsePost(v url.Values) (Post, error) {
	var p Post
	var err error
	if p.From, err = core.ParseRef(v.Get("from")); err != nil {
		return p, &core.Error{Kind: core.KindInvalid, Op: "links: form", Message: "err.link_ref", Fields: core.Problems{"from": "err.link_ref"}}
	}
	if p.To, err = core.ParseRef(v.Get("to")); err != nil {
		return p, &core.Error{Kind: core.KindInvalid, Op: "links: form", Message: "err.link_ref", Fields: core.Problems{"to": "err.link_ref"}}
	}
	p.Back = localPath(v.Get("back"))
	return p, nil
}

// localPath keeps a path on this node: one slash, no scheme, no host, no
// backslash (which browsers read as a slash).
func localPath(s string) string {
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.ContainsAny(s, "\\\r\n\t") || len(s) > 2000 {
		return "/"
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return s
}
