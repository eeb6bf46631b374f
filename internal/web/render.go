package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"entente.example/entente/internal/names"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
)

// Page is what every view carries: who is looking, in which language, and the
// bits of the layout.
type Page struct {
	Lang      string
	Title     string // message key
	TitleArgs []any
	Actor     core.Actor
	Nav       string // which menu entry is current
	Flash     string // message key of a one-time notice
	RequestID string
	Path      string // this page's URI, for the language switch to come back to
	NodeName  string
	HTMX      bool
}

// Can reports whether the viewer may perform the action somewhere, for showing
// or hiding links; the server checks again on use.
func (p Page) Can(action string) bool {
	return access.Can(p.Actor, access.Action(action), access.Resource{})
}

// CanOrg reports whether the viewer may perform the action on an organisation.
func (p Page) CanOrg(action, orgID string) bool {
	return access.Can(p.Actor, access.Action(action), access.Resource{OrgID: orgID})
}

// OtherLang is the language the switch offers.
func (p Page) OtherLang() string {
	if p.Lang == "id" {
		return "en"
	}
	return "id"
}

// Page builds the common part of a view for the request.
func (s *Server) Page(r *http.Request, title string, args ...any) Page {
	p := Page{
		Lang:      Lang(r.Context()),
		Title:     title,
		TitleArgs: args,
		Actor:     core.ActorFrom(r.Context()),
		RequestID: core.RequestFrom(r.Context()).ID,
		Path:      r.URL.RequestURI(),
		NodeName:  s.NodeName,
		HTMX:      r.Header.Get("HX-Request") == "true",
	}
	if c, err := r.Cookie("flash"); err == nil && strings.HasPrefix(c.Value, "flash.") && s.catalog.Has(c.Value) {
		p.Flash = c.Value
	}
	return p
}

// Flash sets a one-time notice (a message key) shown on the next page.
func (s *Server) Flash(w http.ResponseWriter, key string) {
	http.SetCookie(w, &http.Cookie{Name: "flash", Value: key, Path: "/", MaxAge: 30, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.Secure})
}

// Redirect answers a successful form post: 303 to the next page, with a notice.
func (s *Server) Redirect(w http.ResponseWriter, r *http.Request, to, flash string) {
	if flash != "" {
		s.Flash(w, flash)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// Form is a submitted form with its problems, so a rejected form comes back
// with what the person typed and one message per field.
type Form struct {
	Values   url.Values
	Problems core.Problems
	Message  string            // message key for the whole form
	Labels   map[string]string // field → message key naming it, when not field.<name>
}

// NewForm reads the posted form.
func NewForm(r *http.Request) Form {
	_ = r.ParseForm()
	return Form{Values: r.PostForm, Problems: core.Problems{}}
}

// Get returns a submitted value.
func (f Form) Get(k string) string {
	if f.Values == nil {
		return ""
	}
	return f.Values.Get(k)
}

// Err returns the message key of a field's problem.
func (f Form) Err(k string) string { return f.Problems[k] }

// Take moves the field problems of an invalid or conflicting error into the
// form and reports whether it did; other errors are for Server.Error.
func (f *Form) Take(err error) bool {
	ce := core.AsError(err)
	if ce == nil {
		return false
	}
	switch ce.Kind {
	case core.KindInvalid, core.KindConflict, core.KindRateLimited, core.KindUnauthenticated:
	default:
		return false
	}
	if f.Problems == nil {
		f.Problems = core.Problems{}
	}
	for k, v := range ce.Fields {
		f.Problems[k] = v
	}
	f.Message = ce.Message
	return true
}

// FormStatus is the status to re-render a rejected form with.
func FormStatus(err error) int { return Status(core.KindOf(err)) }

type pageTemplate = template.Template

// assets fingerprints static files so they can be cached forever.
type assets struct {
	byName map[string]string // "app.css" → "app.1a2b3c4d.css"
	files  map[string]string // "app.1a2b3c4d.css" → "static/app.css"
}

func loadAssets(files fs.FS) (*assets, error) {
	a := &assets{byName: map[string]string{}, files: map[string]string{}}
	err := fs.WalkDir(files, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(files, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		name := strings.TrimPrefix(p, "static/")
		ext := path.Ext(name)
		fp := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:4]) + ext
		a.byName[name] = fp
		a.files[fp] = p
		return nil
	})
	return a, err
}

func (s *Server) funcs(lang string) template.FuncMap {
	return template.FuncMap{
		"t": func(key string, args ...any) string {
			// A view's argument list (Page.TitleArgs, Attention.Args) arrives as
			// one []any; spread it.
			if len(args) == 1 {
				if list, ok := args[0].([]any); ok {
					args = list
				}
			}
			return s.catalog.T(lang, key, args...)
		},
		// labels names fields of a form by message keys for its error
		// summary: {{template "formerror" (labels .Form "title" "field.process_title")}}.
		"labels": withLabels,
		// note renders a delivery note, saying a peer's refusal in words.
		"note": func(note string) string { return s.catalog.Note(lang, note) },
		"asset": func(name string) (string, error) {
			fp, ok := s.assets.byName[name]
			if !ok {
				return "", fmt.Errorf("no asset %q", name)
			}
			return "/static/" + fp, nil
		},
		// date renders a moment for people (HumanTime): every page shows
		// times through it. dateptr is the same, kept for older templates.
		"date":     func(v any) string { return HumanTime(lang, v) },
		"dateptr":  func(v any) string { return HumanTime(lang, v) },
		"datetime": MachineTime,
		// linkify shows text from elsewhere (a post from another
		// instance) with its web addresses as links that pass no referrer
		// and no ranking; everything else is escaped.
		"linkify": Linkify,
		// langname names a language (an ISO 639 code) in the reader's
		// language: "Bahasa Indonesia", "Inggris".
		"langname": func(code string) string { return names.Language(code, lang) },
		// has reports whether the catalogue has a message, for values that
		// are translated when a message exists (STIX vocabularies).
		"has": s.catalog.Has,
		// maxbody is the node's limit on a form, said on the forms that
		// take long texts so that nobody learns it from a refusal.
		"maxbody": func() string { return HumanBytes(s.MaxBody) },
		// safeURL marks a URL the server built itself (the QR code's data: URL)
		// as safe; never use it on anything a person typed.
		"safeURL": func(s string) template.URL { return template.URL(s) },
		"list":    func(v ...string) []string { return v },
		// letter names the i-th of a list as negotiators do: A, B, C…
		"letter": func(i int) string { return string(rune('A' + i%26)) },
		// dur renders a response time for people: seconds, minutes, hours.
		"dur": func(d time.Duration) string { return s.catalog.Duration(lang, d) },
		// until renders the time left before t (or past it), for deadline
		// clocks.
		"until": func(now, t time.Time) string { return s.catalog.Until(lang, now, t) },
		"dict": func(kv ...any) (map[string]any, error) {
			if len(kv)%2 != 0 {
				return nil, fmt.Errorf("dict: odd arguments")
			}
			m := map[string]any{}
			for i := 0; i < len(kv); i += 2 {
				k, ok := kv[i].(string)
				if !ok {
					return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
				}
				m[k] = kv[i+1]
			}
			return m, nil
		},
		// query builds a query string from pairs; it is a URL fragment the
		// template must not escape again (that would turn = and & into %3d
		// and %26).
		"query": func(kv ...string) template.URL {
			v := url.Values{}
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i+1] != "" {
					v.Set(kv[i], kv[i+1])
				}
			}
			return template.URL(v.Encode())
		},
	}
}

// parseTemplates parses the layout and partials with every page, once per
// language, at start-up. A file named *.partial.html is a partial a module
// shares between its pages, not a page (embed skips names starting with _).
func (s *Server) parseTemplates() (map[string]map[string]*pageTemplate, error) {
	var pages []string
	partials := []string{"templates/layout.html", "templates/partials.html"}
	err := fs.WalkDir(s.files, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		switch {
		case strings.HasSuffix(p, ".partial.html"):
			partials = append(partials, p)
		case p != "templates/layout.html" && p != "templates/partials.html":
			pages = append(pages, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	out := map[string]map[string]*pageTemplate{}
	for _, lang := range Langs {
		base, err := template.New("").Funcs(s.funcs(lang)).ParseFS(s.files, partials...)
		if err != nil {
			return nil, fmt.Errorf("web: layout: %w", err)
		}
		out[lang] = map[string]*pageTemplate{}
		for _, p := range pages {
			t, err := template.Must(base.Clone()).ParseFS(s.files, p)
			if err != nil {
				return nil, fmt.Errorf("web: template %s: %w", p, err)
			}
			name := strings.TrimSuffix(strings.TrimPrefix(p, "templates/"), ".html")
			out[lang][name] = t
		}
	}
	return out, nil
}

// Render writes a page. It renders into a buffer first, so a template error
// gives a clean error page rather than half a page. htmx requests that ask for
// a fragment get the page's "partial" template when it has one.
func (s *Server) Render(w http.ResponseWriter, r *http.Request, status int, name string, view any) {
	lang := Lang(r.Context())
	t, ok := s.pages[lang][name]
	if !ok {
		s.Log.Error("web: no template", "name", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	entry := "layout"
	if r.Header.Get("HX-Request") == "true" && r.Header.Get("HX-Target") != "" && t.Lookup("partial") != nil {
		entry = "partial"
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, entry, view); err != nil {
		s.Log.Error("web: render", "name", name, "err", err, "request_id", core.RequestFrom(r.Context()).ID)
		if name != "error" {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
	}
	// A notice is shown once: the page that shows it clears it.
	if _, err := r.Cookie("flash"); err == nil {
		http.SetCookie(w, &http.Cookie{Name: "flash", Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.Secure})
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Language", lang)
	w.Header().Add("Vary", "HX-Request, Accept-Language, Cookie")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// serveFavicon answers the /favicon.ico that browsers ask for on every
// site, whatever the page links to.
func (s *Server) serveFavicon(w http.ResponseWriter, r *http.Request) {
	b, err := fs.ReadFile(s.files, "static/favicon.ico")
	if err != nil {
		s.Error(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=86400")
	w.Header().Set("Content-Type", "image/x-icon")
	http.ServeContent(w, r, "favicon.ico", time.Time{}, bytes.NewReader(b))
}

// serveStatic serves fingerprinted assets with a year's cache.
func (s *Server) serveStatic(w http.ResponseWriter, r *http.Request) {
	p, ok := s.assets.files[r.PathValue("file")]
	if !ok {
		s.notFound.ServeHTTP(w, r)
		return
	}
	b, err := fs.ReadFile(s.files, p)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	http.ServeContent(w, r, path.Base(p), time.Time{}, bytes.NewReader(b))
}
