package publicdiplomacy_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/internal/web"
	"entente.example/entente/modules/publicdiplomacy"
	webfiles "entente.example/entente/web"
)

// monEnv is a node's media monitoring: the tests' node with its clock
// stopped on 7 December 2026, its HTTP client for feeds, and a mailbox that
// renders every e-mail with the real catalogue.
type monEnv struct {
	*node
	Mod  *publicdiplomacy.Module
	Mail *monMailbox
}

// monNow is the tests' "now": the fixtures' items are from the days before.
var monNow = time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)

func newMonEnv(t testing.TB, e storetest.Engine, client *http.Client) *monEnv {
	t.Helper()
	cat, err := web.LoadCatalog(webfiles.Files)
	if err != nil {
		t.Fatal(err)
	}
	mail := &monMailbox{cat: cat}
	n := newNode(t, e, withClock(monNow), withHTTP(client), withNotifier(mail))
	return &monEnv{node: n, Mod: publicdiplomacy.NewModule(n.Svc, n.Web), Mail: mail}
}

// Org adds a ministry of Indonesia, with a name in each language (the
// digest names it in the reader's).
func (env *monEnv) Org(t testing.TB, handle, name string) string {
	t.Helper()
	id := env.node.Org(t, handle, core.OrgStateMinistry, "ID", name)
	err := env.DB.WithTx(context.Background(), func(tx *store.Tx) error {
		_, err := tx.Exec(context.Background(), `UPDATE organisations SET name_id = ? WHERE id = ?`, name+" (id)", id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
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
