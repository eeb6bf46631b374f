package publicdiplomacy_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"entente.example/entente/core"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/auth"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/federation/fedtest"
	"entente.example/entente/internal/jobs"
	"entente.example/entente/internal/ledger"
	"entente.example/entente/internal/netguard"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/internal/web"
	"entente.example/entente/modules/directory"
	"entente.example/entente/modules/publicdiplomacy"
	webfiles "entente.example/entente/web"
)

// node is one Entente node's public diplomacy on a real HTTP server on
// loopback (fedtest's, which also gives it organisations, people and the
// node's signing key): its ActivityPub routes answer as a running node's
// do. It is the one set-up of this package's tests.
type node struct {
	*fedtest.Served
	Svc   *publicdiplomacy.Service
	Web   *web.Server
	Clock *storetest.Clock
	Told  *told
}

// told records the e-mails the service asked for.
type told struct{ kinds []notify.Kind }

func (t *told) NotifyOrg(ctx context.Context, tx *store.Tx, orgID string, roles []core.Role, k notify.Kind, path string, args notify.Args) error {
	t.kinds = append(t.kinds, k)
	return nil
}

// nodeConfig is what a test may change of its node: when its clock starts,
// the client it reaches other servers with, who is told of e-mails.
type nodeConfig struct {
	now    time.Time
	http   *http.Client
	notify publicdiplomacy.Notifier
}

type nodeOption func(*nodeConfig)

func withClock(t time.Time) nodeOption                   { return func(c *nodeConfig) { c.now = t } }
func withHTTP(h *http.Client) nodeOption                 { return func(c *nodeConfig) { c.http = h } }
func withNotifier(n publicdiplomacy.Notifier) nodeOption { return func(c *nodeConfig) { c.notify = n } }

func newNode(t testing.TB, e storetest.Engine, opts ...nodeOption) *node {
	t.Helper()
	c := nodeConfig{now: time.Now(), http: netguard.Client(true)}
	for _, o := range opts {
		o(&c)
	}
	clock := storetest.NewClock(c.now)
	db := storetest.Open(t, e, clock, auth.Migrations(), audit.Migrations(), jobs.Migrations(), ledger.Migrations(), federation.Migrations(), directory.Migrations(), publicdiplomacy.Migrations())
	s := fedtest.Serve(t, db)
	n := &node{Served: s, Clock: clock, Told: &told{}}
	if c.notify == nil {
		c.notify = n.Told
	}
	n.Svc = publicdiplomacy.NewService(db, publicdiplomacy.Options{BaseURL: func() string { return s.URL }, HTTP: c.http, Insecure: true, Notify: c.notify, Signer: s.Fed})
	w, err := web.New(web.Deps{DB: db, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Registry: prometheus.NewRegistry()}, webfiles.Files)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Mount([]web.Module{publicdiplomacy.NewModule(n.Svc, w)}); err != nil {
		t.Fatal(err)
	}
	n.Web = w
	s.Mux.Handle("/", w)
	return n
}

// Account creates an account for the organisation as its admin.
func (n *node) Account(t testing.TB, org, username string) publicdiplomacy.Account {
	t.Helper()
	acc, err := n.Svc.CreateAccount(n.As("Admin", org, core.RoleAdmin), publicdiplomacy.AccountInput{Org: org, Username: username, DisplayName: "The " + username, Language: "en"})
	if err != nil {
		t.Fatal(err)
	}
	return acc
}

// Deliver runs the node's delivery until nothing is due.
func (n *node) Deliver(t testing.TB) {
	t.Helper()
	if err := n.Svc.DeliverNow(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// Exchange delivers on every node until none has anything due: what one
// receives may make it send (an Accept for a Follow).
func Exchange(t testing.TB, nodes ...*node) {
	t.Helper()
	for range 4 {
		for _, n := range nodes {
			n.Deliver(t)
		}
	}
}

// Follower makes an actor on another instance (its inbox at inbox) a
// follower of the account, as an accepted Follow would.
func (n *node) Follower(t testing.TB, accountID, actor, inbox string) {
	t.Helper()
	u, err := url.Parse(actor)
	if err != nil {
		t.Fatal(err)
	}
	err = n.DB.WithTx(context.Background(), func(tx *store.Tx) error {
		if _, err := tx.Exec(context.Background(), `INSERT INTO pd_actors (uri, host, username, inbox, fetched_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (uri) DO NOTHING`,
			actor, u.Host, "reader", inbox, tx.Now); err != nil {
			return err
		}
		_, err := tx.Exec(context.Background(), `INSERT INTO pd_followers (account_id, actor, host, follow_id, state, created_at) VALUES (?, ?, ?, ?, 'accepted', ?)`,
			accountID, actor, u.Host, actor+"#follow", tx.Now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Publish drafts a post in the given languages as an officer, has an
// admin approve it, and publishes what is due.
func (n *node) Publish(t testing.TB, org string, acc publicdiplomacy.Account, at *time.Time, ts ...publicdiplomacy.Translation) []publicdiplomacy.Post {
	t.Helper()
	g, err := n.Svc.CreateDraft(n.As("Officer", org, core.RoleOfficer), publicdiplomacy.Draft{AccountID: acc.ID, ScheduledAt: at, Translations: ts})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.Svc.Submit(n.As("Officer", org, core.RoleOfficer), g[0].GroupID); err != nil {
		t.Fatal(err)
	}
	if g, err = n.Svc.Approve(n.As("Admin", org, core.RoleAdmin), g[0].GroupID); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Svc.PublishDue(context.Background()); err != nil {
		t.Fatal(err)
	}
	return g
}

// inboxServer is an instance that accepts what it is sent and counts it
// by activity type.
type inboxServer struct {
	*httptest.Server
	mu  sync.Mutex
	got map[string]int
	hit chan string
}

func newInboxServer(t testing.TB) *inboxServer {
	t.Helper()
	s := &inboxServer{got: map[string]int{}, hit: make(chan string, 100)}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var act struct {
			Type string `json:"type"`
		}
		_ = json.NewDecoder(r.Body).Decode(&act)
		s.mu.Lock()
		s.got[act.Type]++
		s.mu.Unlock()
		select {
		case s.hit <- act.Type:
		default:
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *inboxServer) count(kind string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.got[kind]
}
