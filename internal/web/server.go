package web

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/auth"
	"entente.example/entente/internal/jobs"
	"entente.example/entente/internal/store"
)

// Route is one entry of a route table: a ServeMux pattern, the access action
// that guards it, and its handler.
type Route struct {
	Pattern string
	Action  access.Action
	Handler http.HandlerFunc
	// MaxBody overrides the node's body limit for this route (a federation
	// inbox takes batches larger than any form).
	MaxBody int64
	// Errors writes the route's refusals (body too large, access, token
	// scope) in its own protocol's format, such as TAXII's; nil means the
	// node's.
	Errors func(http.ResponseWriter, *http.Request, error)
}

// Module is a vertical slice of the product that adds its own routes.
type Module interface {
	Name() string
	Routes() []Route
}

// Attention is one thing a person should look at, shown on the home page.
type Attention struct {
	Key  string // message key
	Args []any
	Link string
	// Due is when the thing must be done by, if it has a deadline; the page
	// shows it in the reader's language and lists the soonest first.
	Due *time.Time
}

// AttentionSource is a module that contributes to the home page.
type AttentionSource interface {
	Attention(ctx context.Context, a core.Actor) ([]Attention, error)
}

// OpenAPISource is a module that describes its JSON API: a JSON object with
// "paths" and optionally "components".
type OpenAPISource interface {
	OpenAPI() []byte
}

// Deps are what the server needs from the rest of the program.
type Deps struct {
	DB         *store.DB
	Auth       *auth.Service
	Jobs       *jobs.Queue
	Log        *slog.Logger
	Registry   *prometheus.Registry
	Migrations []store.Migrations // for /readyz
	BaseURL    string
	Secure     bool // served over HTTPS: Secure, __Host- cookies and HSTS
	MaxBody    int64
	Version    string
	NodeName   string
	// TrustedProxies are reverse proxies whose X-Forwarded-For is believed.
	TrustedProxies []netip.Prefix
}

// Server is the node's HTTP handler.
type Server struct {
	Deps
	files    fs.FS
	catalog  Catalog
	pages    map[string]map[string]*pageTemplate // lang → page → template
	assets   *assets
	mux      *http.ServeMux
	routes   []Route
	modules  []Module
	openapi  []byte
	cop      *http.CrossOriginProtection
	metrics  *httpMetrics
	ready    atomic.Bool
	notFound http.Handler
}

// New builds the server: it parses every template and fingerprints every asset
// now, so a broken template fails the start rather than a request. Routes come
// with Mount, once the modules (which render through the server) exist.
func New(d Deps, files fs.FS) (*Server, error) {
	s := &Server{Deps: d, files: files, mux: http.NewServeMux()}
	if s.MaxBody <= 0 {
		s.MaxBody = 1 << 20
	}
	var err error
	if s.catalog, err = LoadCatalog(files); err != nil {
		return nil, err
	}
	if s.assets, err = loadAssets(files); err != nil {
		return nil, err
	}
	if s.pages, err = s.parseTemplates(); err != nil {
		return nil, err
	}
	s.cop = http.NewCrossOriginProtection()
	if d.BaseURL != "" {
		if err := s.cop.AddTrustedOrigin(d.BaseURL); err != nil {
			return nil, err
		}
	}
	s.cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.Error(w, r, &core.Error{Kind: core.KindForbidden, Message: "err.cross_origin"})
	}))
	s.metrics = newHTTPMetrics(d.Registry)
	s.notFound = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.Error(w, r, &core.Error{Kind: core.KindNotFound, Message: "err.page_not_found"})
	})
	return s, nil
}

// Mount registers the platform's routes and those of every module, and builds
// the OpenAPI document. It is called once.
func (s *Server) Mount(modules []Module) error {
	s.modules = modules
	for _, rt := range s.platformRoutes() {
		s.handle(rt)
	}
	for _, m := range modules {
		for _, rt := range m.Routes() {
			s.handle(rt)
		}
	}
	var err error
	s.openapi, err = s.buildOpenAPI()
	return err
}

// handle registers a route behind the access check of its action.
func (s *Server) handle(rt Route) {
	s.routes = append(s.routes, rt)
	act := rt.Action
	h := rt.Handler
	fail := rt.Errors
	if fail == nil {
		fail = s.Error
	}
	s.mux.HandleFunc(rt.Pattern, func(w http.ResponseWriter, r *http.Request) {
		if p, ok := r.Context().Value(patternKey{}).(*string); ok {
			*p = rt.Pattern
		}
		limit := rt.MaxBody
		if limit <= 0 {
			limit = s.MaxBody
		}
		if r.ContentLength > limit {
			if rt.Action == access.PeerRequest {
				// A peer's request is answered before a byte of its body
				// is read, signed or not: a browser's reason to read it
				// off does not hold for a program, and reading it would
				// let anyone hold the node for the drain's ten seconds.
				w.Header().Set("Connection", "close")
				fail(w, r, &core.Error{Kind: core.KindTooLarge, Message: "err.too_large", Err: &http.MaxBytesError{Limit: limit}})
				return
			}
			s.refuseTooLarge(w, r, limit, fail)
			return
		}
		if act == access.PeerRequest {
			// A peer's body is read by its handler only once the signature
			// over the headers has shown who sends it: whatever the media
			// type, nothing reads it before.
			r.Body = http.MaxBytesReader(w, r.Body, limit)
		} else if !s.limitBody(w, r, limit, fail) {
			return
		}
		if err := checkRequestText(r); err != nil {
			fail(w, r, err)
			return
		}
		a := core.ActorFrom(r.Context())
		if err := access.Check(a, act, access.Resource{}); err != nil {
			fail(w, r, err)
			return
		}
		// Whatever the action, a token changes nothing without the write scope.
		if a.TokenID != "" && r.Method != http.MethodGet && r.Method != http.MethodHead && !slices.Contains(a.Scopes, "write") {
			fail(w, r, &core.Error{Kind: core.KindForbidden, Message: "err.token_scope"})
			return
		}
		h(w, r)
	})
}

// Routes returns every registered route, for the policy and header tests.
func (s *Server) Routes() []Route { return s.routes }

// Catalog returns the message catalogue.
func (s *Server) Catalog() Catalog { return s.catalog }

// SetReady marks start-up as finished; /readyz answers 503 before.
func (s *Server) SetReady() { s.ready.Store(true) }

// ServeHTTP runs the middleware chain, then the route.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.chain(s.mux).ServeHTTP(w, r)
}

// HTTPServer returns an http.Server with timeouts that bound slow clients.
func (s *Server) HTTPServer(addr string) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.Log.Handler(), slog.LevelWarn),
	}
}

// isAPI reports whether a request is for the JSON API (errors as JSON).
func isAPI(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, "/api/") || strings.Contains(r.Header.Get("Accept"), "application/json") && !strings.Contains(r.Header.Get("Accept"), "text/html")
}
