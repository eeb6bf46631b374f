package intel

import (
	"net/http"
	"slices"
	"strings"

	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
)

// taxiiEndpoint is one endpoint of TAXII 2.1 §3.1 and a method it takes.
type taxiiEndpoint struct {
	method, path string
	handle       func(*Module) http.HandlerFunc
}

// taxiiEndpoints are the only TAXII resources this server has. Every path
// ends in {$}: a pattern ending in "/" would otherwise match every longer
// path beneath it, so that DELETE …/objects/ID/versions/ deleted the object
// and GET /taxii2/no-such-root/ answered discovery.
var taxiiEndpoints = []taxiiEndpoint{
	{"GET", "/taxii2/{$}", func(m *Module) http.HandlerFunc { return m.discovery }},
	{"GET", "/taxii2/api/{$}", func(m *Module) http.HandlerFunc { return m.apiRoot }},
	{"GET", "/taxii2/api/status/{id}/{$}", func(m *Module) http.HandlerFunc { return m.status }},
	{"GET", "/taxii2/api/collections/{$}", func(m *Module) http.HandlerFunc { return m.collections }},
	{"GET", "/taxii2/api/collections/{cid}/{$}", func(m *Module) http.HandlerFunc { return m.collection }},
	{"GET", "/taxii2/api/collections/{cid}/objects/{$}", func(m *Module) http.HandlerFunc { return m.getObjects }},
	{"POST", "/taxii2/api/collections/{cid}/objects/{$}", func(m *Module) http.HandlerFunc { return m.postObjects }},
	{"GET", "/taxii2/api/collections/{cid}/objects/{oid}/{$}", func(m *Module) http.HandlerFunc { return m.getObject }},
	{"DELETE", "/taxii2/api/collections/{cid}/objects/{oid}/{$}", func(m *Module) http.HandlerFunc { return m.deleteObject }},
	{"GET", "/taxii2/api/collections/{cid}/objects/{oid}/versions/{$}", func(m *Module) http.HandlerFunc { return m.versions }},
	{"GET", "/taxii2/api/collections/{cid}/manifest/{$}", func(m *Module) http.HandlerFunc { return m.manifest }},
}

func (m *Module) taxiiRoutes() []web.Route {
	r := func(p string, h http.HandlerFunc) web.Route {
		return web.Route{Pattern: p, Action: access.IntelTAXII, Handler: m.taxii(h), Errors: m.taxiiError}
	}
	var out []web.Route
	for _, e := range taxiiEndpoints {
		rt := r(e.method+" "+e.path, e.handle(m))
		if e.method == http.MethodPost {
			rt.MaxBody = maxPost
		}
		out = append(out, rt)
	}
	// Everything else under /taxii2/ is TAXII's too: a path that is no
	// endpoint is a 404 and a method an endpoint does not take a 405, both
	// as TAXII errors rather than the node's HTML pages.
	return append(out, r("/taxii2/", m.noEndpoint))
}

// noEndpoint answers a request no endpoint took.
func (m *Module) noEndpoint(w http.ResponseWriter, r *http.Request) {
	allow := taxiiAllow(r.URL.Path)
	if len(allow) == 0 {
		m.taxiiMsg(w, r, http.StatusNotFound, "err.intel.taxii_no_endpoint")
		return
	}
	w.Header().Set("Allow", strings.Join(allow, ", "))
	m.taxiiMsg(w, r, http.StatusMethodNotAllowed, "err.intel.taxii_method")
}

// taxiiAllow lists the methods the endpoint at path takes, none if path is
// no endpoint. GET implies HEAD, as in ServeMux.
func taxiiAllow(path string) []string {
	var out []string
	for _, e := range taxiiEndpoints {
		if !taxiiMatch(strings.TrimSuffix(e.path, "{$}"), path) {
			continue
		}
		out = append(out, e.method)
		if e.method == http.MethodGet {
			out = append(out, http.MethodHead)
		}
	}
	slices.Sort(out)
	return out
}

// taxiiMatch reports whether path fits pattern, where a {name} segment
// stands for any one non-empty segment.
func taxiiMatch(pattern, path string) bool {
	ps, xs := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(ps) != len(xs) {
		return false
	}
	for i, p := range ps {
		if strings.HasPrefix(p, "{") {
			if xs[i] == "" {
				return false
			}
		} else if p != xs[i] {
			return false
		}
	}
	return true
}
