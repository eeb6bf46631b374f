package publicdiplomacy_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"entente.example/entente/core"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/auth"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/jobs"
	"entente.example/entente/internal/ledger"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/internal/web"
	"entente.example/entente/modules/directory"
	"entente.example/entente/modules/publicdiplomacy"
	webfiles "entente.example/entente/web"
)

// monEnv is a node's media monitoring: the service on a fresh database,
// with its clock stopped on 7 December 2026, its HTTP client for feeds,
// and a mailbox that renders every e-mail with the real catalogue.
type monEnv struct {
	DB    *store.DB
	Svc   *publicdiplomacy.Service
	Mod   *publicdiplomacy.Module
	Web   *web.Server
	Clock *storetest.Clock
	Mail  *monMailbox
	orgs  map[string]core.Membership
}

// monNow is the tests' "now": the fixtures' items are from the days before.
var monNow = time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)

func newMonEnv(t testing.TB, e storetest.Engine, client *http.Client) *monEnv {
	t.Helper()
	clock := storetest.NewClock(monNow)
	db := storetest.Open(t, e, clock, auth.Migrations(), audit.Migrations(), jobs.Migrations(), ledger.Migrations(), federation.Migrations(), directory.Migrations(), publicdiplomacy.Migrations())
	w, err := web.New(web.Deps{DB: db, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Registry: prometheus.NewRegistry()}, webfiles.Files)
	if err != nil {
		t.Fatal(err)
	}
	cat, err := web.LoadCatalog(webfiles.Files)
	if err != nil {
		t.Fatal(err)
	}
	env := &monEnv{DB: db, Clock: clock, Web: w, Mail: &monMailbox{cat: cat}, orgs: map[string]core.Membership{}}
	env.Svc = publicdiplomacy.NewService(db, publicdiplomacy.Options{BaseURL: func() string { return "https://kemlu.example" }, HTTP: client, Notify: env.Mail})
	env.Mod = publicdiplomacy.NewModule(env.Svc, w)
	return env
}

// Org adds an organisation.
func (env *monEnv) Org(t testing.TB, handle, name string) string {
	t.Helper()
	var id string
	err := env.DB.WithTx(context.Background(), func(tx *store.Tx) error {
		id = core.NewID(tx.Now)
		_, err := tx.Exec(context.Background(), `INSERT INTO organisations (id, handle, kind, country, name_en, name_id, created_at, updated_at) VALUES (?, ?, ?, 'ID', ?, ?, ?, ?)`,
			id, handle, string(core.OrgStateMinistry), name, name+" (id)", tx.Now, tx.Now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	env.orgs[handle] = core.Membership{Org: core.OrgRef{ID: id, Handle: handle}, Kind: core.OrgStateMinistry}
	return id
}

// As is a person of the organisation in role.
func (env *monEnv) As(name, handle string, role core.Role) context.Context {
	m := env.orgs[handle]
	m.Role = role
	return core.WithRequest(core.WithActor(context.Background(), core.Actor{UserID: "u-" + name, Name: name, Memberships: []core.Membership{m}}), core.RequestInfo{ID: "test"})
}

// Poll runs the poller as its job does and returns how many feeds it
// fetched.
func (env *monEnv) Poll(t testing.TB) int {
	t.Helper()
	n, err := env.Svc.PollFeeds(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func mustFeed(t testing.TB, env *monEnv, ctx context.Context, url string) publicdiplomacy.Feed {
	t.Helper()
	f, err := env.Svc.AddFeed(ctx, publicdiplomacy.FeedInput{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func mustKeywords(t testing.TB, env *monEnv, ctx context.Context, words ...string) {
	t.Helper()
	for _, w := range words {
		lang, word, _ := strings.Cut(w, ":")
		if _, err := env.Svc.AddKeyword(ctx, publicdiplomacy.KeywordInput{Word: word, Language: lang}); err != nil {
			t.Fatal(err)
		}
	}
}

func feedFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "feeds", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// feedServer serves feeds on loopback and counts what it is asked.
type feedServer struct {
	*httptest.Server
	mu     sync.Mutex
	routes map[string]http.HandlerFunc
	hits   map[string]int
	heads  map[string]http.Header // the last request's headers, by path
}

func newFeedServer(t testing.TB) *feedServer {
	fs := &feedServer{routes: map[string]http.HandlerFunc{}, hits: map[string]int{}, heads: map[string]http.Header{}}
	fs.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fs.mu.Lock()
		fs.hits[r.URL.Path]++
		fs.heads[r.URL.Path] = r.Header.Clone()
		h := fs.routes[r.URL.Path]
		fs.mu.Unlock()
		if h == nil {
			http.NotFound(w, r)
			return
		}
		h(w, r)
	}))
	t.Cleanup(fs.Close)
	return fs
}

// Serve sets what a path answers.
func (fs *feedServer) Serve(path string, h http.HandlerFunc) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.routes[path] = h
}

func (fs *feedServer) Hits(path string) int {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.hits[path]
}

func (fs *feedServer) Header(path, name string) string {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return fs.heads[path].Get(name)
}

// monMail is an e-mail as notify.People would render it.
type monMail struct {
	org   string
	kind  string
	roles []core.Role
	path  string
	text  map[string]string // by language: subject, a blank line, body
}

type monMailbox struct {
	cat  web.Catalog
	mu   sync.Mutex
	sent []monMail
}

func (m *monMailbox) NotifyOrg(_ context.Context, _ *store.Tx, orgID string, roles []core.Role, k notify.Kind, path string, args notify.Args) error {
	r := monMail{org: orgID, kind: k.Name, roles: roles, path: path, text: map[string]string{}}
	for _, lang := range []string{"en", "id"} {
		subject, body, err := notify.Render(m.cat, lang, k, "https://kemlu.example"+path, args)
		if err != nil {
			return err
		}
		r.text[lang] = subject + "\n\n" + body
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, r)
	return nil
}

func (m *monMailbox) take() []monMail {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := m.sent
	m.sent = nil
	return out
}

func monFields(err error) map[string]string {
	if ce := core.AsError(err); ce != nil && ce.Fields != nil {
		return ce.Fields
	}
	return map[string]string{}
}
