package main

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	webfiles "entente.example/entente/web"
)

// TestOpenAPIDescribesEveryRoute fails when an /api/ route is missing from the
// OpenAPI document, or the document describes a route that does not exist.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	n, base, _ := demoNode(t)
	r := newClient(t, base).get("/api/v1/openapi.json")
	wantStatus(t, r, 200)
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal([]byte(r.Body), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.OpenAPI != "3.1.0" {
		t.Fatalf("openapi = %q", doc.OpenAPI)
	}
	// CI lints the document with an independent OpenAPI linter (.ci/run).
	if out := os.Getenv("ENTENTE_OPENAPI_OUT"); out != "" {
		if err := os.WriteFile(out, []byte(r.Body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	described := map[string]bool{}
	for p, ops := range doc.Paths {
		for m := range ops {
			described[strings.ToUpper(m)+" "+p] = true
		}
	}
	routes := map[string]bool{}
	for _, rt := range n.srv.Routes() {
		if strings.Contains(rt.Pattern, " /api/") {
			routes[rt.Pattern] = true
			if !described[rt.Pattern] {
				t.Errorf("route %q is missing from the OpenAPI document", rt.Pattern)
			}
		}
	}
	for d := range described {
		if !routes[d] {
			t.Errorf("the OpenAPI document describes %q, which is not a route", d)
		}
	}
	// Every $ref points at a schema that exists.
	refs := regexp.MustCompile(`"\$ref":\s*"#/components/schemas/([A-Za-z]+)"`).FindAllStringSubmatch(r.Body, -1)
	for _, m := range refs {
		if !strings.Contains(r.Body, `"`+m[1]+`": {`) {
			t.Errorf("$ref to missing schema %s", m[1])
		}
	}
}

// TestPagesAreLight measures every page a node administrator and an
// anonymous visitor can GET: the first HTML must fit 14 KB compressed, and the
// first load with every asset 100 KB.
func TestPagesAreLight(t *testing.T) {
	n, base, pw := demoNode(t)
	for _, role := range []string{"anonymous", "node-admin", "org-admin"} {
		c := login(t, base, roleLogins[role], pw)
		for _, pat := range sortedRoutes(n) {
			method, path := concretePath(pat)
			if method != "GET" || strings.HasPrefix(path, "/static/") || strings.HasPrefix(path, "/api/") || strings.HasSuffix(path, "/export") || path == "/metrics" {
				continue
			}
			req, _ := http.NewRequest("GET", base+path, nil)
			req.Header.Set("Accept-Encoding", "gzip")
			res, err := c.http.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
				continue
			}
			if res.Header.Get("Content-Encoding") != "gzip" {
				t.Errorf("GET %s as %s: not compressed", path, role)
			}
			if len(raw) > 14*1024 {
				t.Errorf("GET %s as %s: %d bytes compressed, over 14 KB", path, role, len(raw))
			}
		}
	}
	// First load of the heaviest common page: HTML plus every asset it links.
	c := login(t, base, roleLogins["node-admin"], pw)
	total := 0
	page := c.get("/orgs")
	total += gzipSize(t, []byte(page.Body))
	for _, m := range regexp.MustCompile(`(?:href|src)="(/static/[^"]+)"`).FindAllStringSubmatch(page.Body, -1) {
		total += gzipSize(t, []byte(c.get(m[1]).Body))
	}
	if total > 100*1024 {
		t.Errorf("first load of /orgs is %d bytes compressed, over 100 KB", total)
	}
	t.Logf("first load of /orgs: %d bytes compressed", total)
}

func gzipSize(t *testing.T, b []byte) int {
	var cw countWriter
	zw, _ := gzip.NewWriterLevel(&cw, gzip.DefaultCompression)
	zw.Write(b)
	zw.Close()
	return int(cw)
}

type countWriter int

func (c *countWriter) Write(p []byte) (int, error) { *c += countWriter(len(p)); return len(p), nil }

// TestTranslationsAreComplete fails when a message exists in one language and
// not the other, or when a template or Go file uses a key that exists in none.
func TestTranslationsAreComplete(t *testing.T) {
	n, _, _ := demoNode(t)
	cat := n.srv.Catalog()
	if missing := cat.Missing(); len(missing) > 0 {
		t.Errorf("messages missing a translation:\n  %s", strings.Join(missing, "\n  "))
	}
	used := map[string]bool{}
	keyRE := regexp.MustCompile(`\bt "([a-z_]+\.[a-z0-9_.]+)"`)
	fs.WalkDir(webfiles.Files, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := fs.ReadFile(webfiles.Files, p)
		for _, m := range keyRE.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = true
		}
		return nil
	})
	// Message keys in Go code: errors, notices, titles, mail.
	goKeyRE := regexp.MustCompile(`"((?:err|flash|attn|title|mail)\.[a-z0-9_.]+)"`)
	for _, dir := range []string{"../../internal", "../../modules", "."} {
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return err
			}
			b, _ := os.ReadFile(p)
			for _, m := range goKeyRE.FindAllStringSubmatch(string(b), -1) {
				used[m[1]] = true
			}
			return nil
		})
	}
	// Keys built at run time from closed sets.
	for _, prefix := range []string{"kind.", "role.", "jobs."} {
		found := false
		for k := range cat["en"] {
			found = found || strings.HasPrefix(k, prefix)
		}
		if !found {
			t.Errorf("no messages with prefix %s", prefix)
		}
	}
	var missing []string
	for k := range used {
		if !cat.Has(k) {
			missing = append(missing, k)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("templates use keys with no message: %v", missing)
	}
}
