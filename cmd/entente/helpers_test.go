package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"entente.example/entente/internal/config"
	"entente.example/entente/internal/store/storetest"
)

// syncBuffer is a bytes.Buffer safe to write from the program and read from
// the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testNode is the whole program started through run on port 0.
type testNode struct {
	URL    string
	Data   string
	DB     string
	Stdout *syncBuffer
	Stderr *syncBuffer
	stop   func() int
}

var servingRE = regexp.MustCompile(`serving on (http://\S+)`)

func envFrom(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// startNode runs `entente serve` on a free port with a fresh data directory
// and the given database (empty: SQLite in the data directory), and stops it
// when the test ends, failing unless it exits cleanly.
func startNode(t *testing.T, dataDir, db string, extra ...string) *testNode {
	t.Helper()
	if dataDir == "" {
		dataDir = t.TempDir()
	}
	n := &testNode{Data: dataDir, DB: db, Stdout: &syncBuffer{}, Stderr: &syncBuffer{}}
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data", dataDir, "--log-level", "warn"}, extra...)
	if db != "" {
		args = append(args, "--db", db)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- run(ctx, args, envFrom(nil), strings.NewReader(""), n.Stdout, n.Stderr) }()
	deadline := time.Now().Add(20 * time.Second)
	for {
		if m := servingRE.FindStringSubmatch(n.Stdout.String()); m != nil {
			n.URL = m[1]
			break
		}
		select {
		case code := <-done:
			cancel()
			t.Fatalf("node exited with %d before serving:\n%s\n%s", code, n.Stdout, n.Stderr)
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("node did not start:\n%s\n%s", n.Stdout, n.Stderr)
		}
		time.Sleep(10 * time.Millisecond)
	}
	stopped := false
	n.stop = func() int {
		if stopped {
			return 0
		}
		stopped = true
		cancel()
		select {
		case code := <-done:
			return code
		case <-time.After(20 * time.Second):
			t.Fatal("node did not stop within 20 s of SIGTERM")
			return -1
		}
	}
	t.Cleanup(func() {
		if code := n.stop(); code != 0 {
			t.Errorf("node exited with %d:\n%s", code, n.Stderr)
		}
	})
	return n
}

var setupRE = regexp.MustCompile(`/setup\?token=([a-z0-9]+)`)

// setupToken returns the one-time setup token the node printed.
func (n *testNode) setupToken(t *testing.T) string {
	t.Helper()
	m := setupRE.FindStringSubmatch(n.Stdout.String())
	if m == nil {
		t.Fatalf("no setup link printed:\n%s", n.Stdout)
	}
	return m[1]
}

// client is a browser-like HTTP client with cookies and no redirects
// followed, so tests see each 303.
type client struct {
	t    testing.TB
	base string
	http *http.Client
	lang string
}

func newClient(t testing.TB, base string) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: base, http: &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type response struct {
	*http.Response
	Body string
}

func (c *client) do(req *http.Request) response {
	c.t.Helper()
	if c.lang != "" {
		req.Header.Set("Accept-Language", c.lang)
	}
	res, err := c.http.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	var r io.Reader = res.Body
	if res.Header.Get("Content-Encoding") == "gzip" {
		gz, err := gzip.NewReader(res.Body)
		if err != nil {
			c.t.Fatalf("gzip: %v", err)
		}
		r = gz
	}
	b, err := io.ReadAll(r)
	if err != nil {
		c.t.Fatalf("read body: %v", err)
	}
	return response{Response: res, Body: string(b)}
}

func (c *client) get(path string) response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.base+path, nil)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8") // as a browser navigates
	return c.do(req)
}

func (c *client) post(path string, form url.Values) response {
	c.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	// What a browser sends for a form on the same page.
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	return c.do(req)
}

// api calls the JSON API with a bearer token.
func (c *client) api(method, path, token string, body any) response {
	c.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, c.base+path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return c.do(req)
}

func wantStatus(t testing.TB, r response, want int) {
	t.Helper()
	if r.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d\n%s", r.Request.Method, r.Request.URL.Path, r.StatusCode, want, r.Body)
	}
}

func wantContains(t testing.TB, r response, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(r.Body, s) {
			t.Fatalf("%s %s: body lacks %q:\n%s", r.Request.Method, r.Request.URL.Path, s, r.Body)
		}
	}
}

func decode[T any](t *testing.T, r response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(r.Body), &v); err != nil {
		t.Fatalf("decode %s: %v\n%s", r.Request.URL.Path, err, r.Body)
	}
	return v
}

// engines returns the --db values to run whole-node tests on: SQLite (empty:
// the default file) and PostgreSQL when configured.
func engines(t *testing.T) map[string]func(t *testing.T) string {
	m := map[string]func(t *testing.T) string{"sqlite": func(*testing.T) string { return "" }}
	if pg := storetest.PostgresURL(t); pg != "" {
		m["postgres"] = func(t *testing.T) string { return storetest.FreshSchema(t, pg) }
	}
	return m
}

// setupAdmin completes first-run setup and returns the signed-in client.
func setupAdmin(t *testing.T, n *testNode) *client {
	t.Helper()
	c := newClient(t, n.URL)
	tok := n.setupToken(t)
	r := c.get("/setup?token=" + tok)
	wantStatus(t, r, 200)
	r = c.post("/setup", url.Values{"token": {tok}, "name": {"Ada Admin"}, "email": {"ada@node.test"}, "password": {"correct horse battery"}})
	wantStatus(t, r, 303)
	return c
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func newJSONRequest(u, token string, body []byte) (*http.Request, error) {
	req, err := http.NewRequest(http.MethodPost, u, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	return req, nil
}

// startDemoWorld starts the three nodes of the multi-node demo on free
// ports, each with its part of the demo world (every account with the
// password pw), peered and verified as the demo peers them.
func startDemoWorld(t *testing.T, pw string) []*node {
	t.Helper()
	ctx := context.Background()
	e := env{getenv: envFrom(nil), stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard}
	var nodes []*node
	for _, spec := range demoNodes {
		cfg := config.Defaults()
		cfg.Addr = net.JoinHostPort("127.0.0.1", "0")
		cfg.DataDir = filepath.Join(t.TempDir(), spec.name)
		cfg.AllowPrivatePeers = true
		cfg.LogLevel = "error"
		if err := cfg.Validate(); err != nil {
			t.Fatal(err)
		}
		n, err := e.build(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(n.close)
		if _, err := loadDemoOrgs(ctx, n, pw, spec.orgs); err != nil {
			t.Fatal(err)
		}
		stop := n.start(ctx)
		t.Cleanup(func() { stop() })
		nodes = append(nodes, n)
	}
	if err := peerAll(ctx, nodes); err != nil {
		t.Fatal(err)
	}
	return nodes
}
