package fedtest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/store"
)

// Served is a node on a real HTTP server on loopback: its descriptor, its
// inbox and its directory answer as a running node's do, and its outbox
// delivers while the test runs (once Start is called). Modules register
// their envelope handlers (and any routes on Mux) before Start.
type Served struct {
	*Node
	DB   *store.DB
	Mux  *http.ServeMux
	URL  string
	Host string
	orgs map[string]core.Membership // by handle, role unset
	// held makes the inbox answer 503, as a node that is down does: what
	// peers send it waits in their outboxes until Release.
	held atomic.Bool
}

// Hold makes the node's inbox unavailable, so that envelopes sent to it
// cross those it sends.
func (s *Served) Hold() { s.held.Store(true) }

// Release opens the inbox again and asks every peer to retry what waits
// for it now, rather than after its back-off. It returns once every peer's
// queue for this node is empty: a delivery that failed while held may
// record its failure after the retry and push the envelope back by
// minutes, so a single retry is not enough.
func (s *Served) Release(t testing.TB, peers ...*Served) {
	t.Helper()
	s.held.Store(false)
	for _, p := range peers {
		peer, err := p.Fed.PeerByHost(Root, s.Host)
		if err != nil {
			t.Fatal(err)
		}
		last := time.Time{}
		Eventually(t, "the envelopes held for "+s.Host, func() bool {
			q, err := p.Fed.Queues(Root)
			if err != nil {
				t.Fatal(err)
			}
			if st := q[peer.ID]; st.Queued == 0 && st.Undelivered == 0 {
				return true
			}
			if time.Since(last) > 500*time.Millisecond {
				last = time.Now()
				if _, err := p.Fed.Retry(Root, peer.ID); err != nil {
					t.Fatal(err)
				}
			}
			return false
		})
	}
}

// Root is a node administrator's context, for peering.
var Root = core.WithRequest(core.WithActor(context.Background(), core.Actor{UserID: "root", Name: "root", NodeAdmin: true}), core.RequestInfo{ID: "test"})

// orgDir answers peers with the node's organisations, as the directory does.
type orgDir struct{ db *store.DB }

func (d orgDir) PublicOrgs(ctx context.Context) ([]federation.OrgInfo, error) {
	var out []federation.OrgInfo
	err := d.db.R().Select(ctx, &out, `SELECT handle, kind, country, name_en, name_id FROM organisations ORDER BY handle`)
	return out, err
}

// Serve starts a node on db, which must carry the platform's migrations
// and the directory's (organisations).
func Serve(t testing.TB, db *store.DB) *Served {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")
	n := NewWith(t, db, host, nil, federation.Options{BaseURL: srv.URL, Name: host, AllowPrivate: true, RequestTimeout: 5 * time.Second})
	n.Fed.UseDirectory(orgDir{db})
	s := &Served{Node: n, DB: db, Mux: mux, URL: srv.URL, Host: host, orgs: map[string]core.Membership{}}
	nodesOf.add(t, s)
	mux.HandleFunc("GET /.well-known/entente", func(w http.ResponseWriter, r *http.Request) { w.Write(n.Fed.Descriptor()) })
	mux.HandleFunc("POST /federation/v1/inbox", func(w http.ResponseWriter, r *http.Request) {
		if s.held.Load() {
			http.Error(w, "held by the test", http.StatusServiceUnavailable)
			return
		}
		receipt, err := n.Fed.Receive(r.Context(), w, r)
		if err != nil {
			code := map[core.Kind]int{core.KindForbidden: 403, core.KindUnauthenticated: 401, core.KindInvalid: 422, core.KindConflict: 409, core.KindNotFound: 404}[core.KindOf(err)]
			if code == 0 {
				code = 500
			}
			http.Error(w, err.Error(), code)
			return
		}
		w.Write(receipt)
	})
	mux.HandleFunc("GET /federation/v1/directory", func(w http.ResponseWriter, r *http.Request) {
		b, err := n.Fed.DirectoryFor(r.Context(), r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		w.Write(b)
	})
	return s
}

// Start delivers the outbox until the test ends. Call it once every
// module has registered its handlers.
func (s *Served) Start(t testing.TB) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Fed.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

// Org adds an organisation to the node and returns its id.
func (s *Served) Org(t testing.TB, handle string, kind core.OrgKind, country, name string) string {
	t.Helper()
	var id string
	err := s.DB.WithTx(context.Background(), func(tx *store.Tx) error {
		id = core.NewID(tx.Now)
		_, err := tx.Exec(context.Background(), `INSERT INTO organisations (id, handle, kind, country, name_en, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			id, handle, string(kind), country, name, tx.Now, tx.Now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	s.orgs[handle] = core.Membership{Org: core.OrgRef{ID: id, Handle: handle}, Kind: kind}
	return id
}

// As is the context of a person holding role in the organisation handle
// (added with Org).
func (s *Served) As(name, handle string, role core.Role) context.Context {
	m := s.orgs[handle]
	m.Role = role
	return core.WithRequest(core.WithActor(context.Background(), core.Actor{UserID: "u-" + name + "-" + s.Host, Name: name, Memberships: []core.Membership{m}}), core.RequestInfo{ID: "test"})
}

// Addr is the address of one of the node's organisations.
func (s *Served) Addr(handle string) string { return handle + "@" + s.Host }

// Peer makes every pair of the nodes verified peers of each other that
// know each other's organisations.
func Peer(t testing.TB, nodes ...*Served) {
	t.Helper()
	for _, a := range nodes {
		for _, b := range nodes {
			if a == b {
				continue
			}
			p, err := a.Fed.AddPeer(Root, b.URL)
			if err != nil {
				t.Fatal(err)
			}
			if err := a.Fed.SetPeerStatus(Root, p.ID, federation.PeerVerified); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, n := range nodes {
		if err := n.Fed.RefreshDirectories(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
}

// Eventually waits up to 60 seconds for ok, for what crosses nodes: a
// loaded machine (CI runs packages side by side) is slow, not wrong.
func Eventually(t testing.TB, what string, ok func() bool) {
	t.Helper()
	nudged := time.Now()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if ok() {
			return
		}
		// A delivery that failed on a loaded machine (a timeout, a busy
		// database) waits seconds to minutes before its next attempt: ask
		// the test's nodes to try what is still queued now.
		if time.Since(nudged) > 3*time.Second {
			nudged = time.Now()
			for _, n := range nodesOf.get(t) {
				_ = n.Fed.Nudge(Root)
			}
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// nodesOf are the nodes each test served, for Eventually to nudge.
var nodesOf = &registry{m: map[testing.TB][]*Served{}}

type registry struct {
	mu sync.Mutex
	m  map[testing.TB][]*Served
}

func (r *registry) add(t testing.TB, s *Served) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m[t] == nil {
		t.Cleanup(func() {
			r.mu.Lock()
			defer r.mu.Unlock()
			delete(r.m, t)
		})
	}
	r.m[t] = append(r.m[t], s)
}

func (r *registry) get(t testing.TB) []*Served {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*Served(nil), r.m[t]...)
}
