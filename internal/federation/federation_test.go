package federation

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/tlog"

	"entente.example/entente/core"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/keys"
	"entente.example/entente/internal/ledger"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
)

// recorder is a module that keeps what it receives.
type recorder struct {
	mu          sync.Mutex
	got         []string
	undelivered []string
}

func (r *recorder) Receive(_ context.Context, _ *store.Tx, env Envelope, payload []byte) error {
	if string(payload) == `"refuse me"` {
		return &core.Error{Kind: core.KindInvalid, Message: "err.form", Err: errors.New("refused by the module")}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.got = append(r.got, string(payload))
	return nil
}

func (r *recorder) Undelivered(_ context.Context, _ *store.Tx, id, reason string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.undelivered = append(r.undelivered, id)
	return nil
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.got)
}

type testNode struct {
	forkFor string // a host this node lies to
	forked  []byte // the checkpoint it shows that host
	key     ed25519.PrivateKey
	svc     *Service
	db      *store.DB
	log     *ledger.Log
	rec     *recorder
	srv     *httptest.Server
}

// newNode starts a node's federation on a real HTTP server on loopback.
func newNodeTB(t testing.TB, e storetest.Engine) *testNode { return newNodeH(t, e, time.Hour) }

func newNode(t *testing.T, e storetest.Engine, horizon time.Duration) *testNode {
	return newNodeH(t, e, horizon)
}

func newNodeH(t testing.TB, e storetest.Engine, horizon time.Duration) *testNode {
	t.Helper()
	db := storetest.Open(t, e, nil, Migrations(), ledger.Migrations(), audit.Migrations())
	n := &testNode{db: db, rec: &recorder{}}
	mux := http.NewServeMux()
	n.srv = httptest.NewServer(mux)
	t.Cleanup(n.srv.Close)
	host := strings.TrimPrefix(n.srv.URL, "http://")
	_, sk, _ := ed25519.GenerateKey(rand.Reader)
	hk, _ := ecdh.X25519().GenerateKey(rand.Reader)
	var err error
	n.key = sk
	if n.log, err = ledger.New(db, host, sk); err != nil {
		t.Fatal(err)
	}
	logOut := io.Discard
	if os.Getenv("ENTENTE_TEST_LOG") != "" {
		logOut = os.Stderr
	}
	n.svc, err = New(db, n.log, &keys.Node{Signing: sk, HPKE: hk}, slog.New(slog.NewTextHandler(logOut, nil)),
		Options{BaseURL: n.srv.URL, Name: host, AllowPrivate: true, Horizon: horizon, PerPeer: 2, RequestTimeout: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	n.svc.Handle("test", n.rec)
	mux.HandleFunc("GET /.well-known/entente", func(w http.ResponseWriter, r *http.Request) { w.Write(n.svc.Descriptor()) })
	mux.HandleFunc("POST /federation/v1/inbox", func(w http.ResponseWriter, r *http.Request) {
		receipt, err := n.svc.Receive(r.Context(), w, r)
		if err != nil {
			http.Error(w, Refusal(err)+" "+err.Error(), map[core.Kind]int{core.KindForbidden: 403, core.KindUnauthenticated: 401, core.KindInvalid: 422, core.KindConflict: 409, core.KindRateLimited: 429, core.KindTooLarge: 413}[core.KindOf(err)]+500*boolInt(core.KindOf(err) == core.KindInternal))
			return
		}
		w.Write(receipt)
	})
	mux.HandleFunc("GET /ledger/checkpoint", func(w http.ResponseWriter, r *http.Request) {
		if n.forkFor != "" && strings.Contains(r.Header.Get("Signature-Input"), `keyid="`+n.forkFor+`"`) {
			w.Write(n.forked)
			return
		}
		cp, err := n.log.Latest(r.Context())
		if err != nil {
			http.Error(w, err.Error(), 404)
			return
		}
		w.Write(cp.Note)
	})
	mux.HandleFunc("GET /ledger/proof/consistency", func(w http.ResponseWriter, r *http.Request) {
		var old, size int64
		fmt.Sscan(r.URL.Query().Get("old"), &old)
		fmt.Sscan(r.URL.Query().Get("size"), &size)
		p, err := n.log.ProveConsistency(r.Context(), old, size)
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnprocessableEntity)
			return
		}
		json.NewEncoder(w).Encode(Proofize(0, size, p))
	})
	mux.HandleFunc("GET /federation/v1/witness", func(w http.ResponseWriter, r *http.Request) {
		b, err := n.svc.WitnessFor(r.Context(), r)
		if err != nil {
			http.Error(w, err.Error(), 404)
			return
		}
		w.Write(b)
	})
	mux.HandleFunc("GET /federation/v1/directory", func(w http.ResponseWriter, r *http.Request) {
		b, err := n.svc.DirectoryFor(r.Context(), r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		w.Write(b)
	})
	return n
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

var admin = core.WithRequest(core.WithActor(context.Background(), core.Actor{UserID: "root", Name: "Root", NodeAdmin: true}), core.RequestInfo{ID: "test"})

func peerUpTB(t testing.TB, a, b *testNode) Peer { return peerUp(t, a, b) }

func peerUp(t testing.TB, a, b *testNode) Peer {
	t.Helper()
	p, err := a.svc.AddPeer(admin, b.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	if p.Status != PeerPending || p.Fingerprint() != b.svc.Fingerprint() {
		t.Fatalf("added peer: %+v", p)
	}
	if err := a.svc.SetPeerStatus(admin, p.ID, PeerVerified); err != nil {
		t.Fatal(err)
	}
	return p
}

func send(t *testing.T, from, to *testNode, payload any) string {
	t.Helper()
	var id string
	err := from.db.WithTx(context.Background(), func(tx *store.Tx) error {
		var err error
		id, err = from.svc.Send(context.Background(), tx, Outgoing{Type: "test.note", From: "kemlu", To: "csa-sg@" + to.svc.Host(), TLP: core.TLPAmber, Payload: payload})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// drain runs the deliverer until nothing is queued or the deadline passes.
func drain(t *testing.T, n *testNode, within time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	done := make(chan struct{})
	go func() { n.svc.Run(ctx); close(done) }()
	for ctx.Err() == nil {
		var q int
		n.db.R().Get(context.Background(), &q, `SELECT COUNT(*) FROM outbox WHERE state = 'queued'`)
		if q == 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	<-done
}

func TestDeliveryWithReceipts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		a, b := newNode(t, e, time.Hour), newNode(t, e, time.Hour)
		peerUp(t, a, b)
		peerUp(t, b, a)
		var ids []string
		for i := 0; i < 20; i++ {
			ids = append(ids, send(t, a, b, map[string]int{"n": i}))
		}
		drain(t, a, 20*time.Second)
		if b.rec.count() != 20 {
			t.Fatalf("b received %d of 20", b.rec.count())
		}
		ds, _ := a.svc.Deliveries(context.Background(), ids)
		cp, err := b.log.Sign(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		bPeer, _ := a.svc.PeerByHost(context.Background(), b.svc.Host())
		for _, id := range ids {
			d := ds[id]
			if d.State != "delivered" || d.Receipt == "" {
				t.Fatalf("envelope %s: %+v", id, d)
			}
			// The receipt is signed by b, and what it says is in b's ledger.
			rc, err := OpenReceipt([]byte(d.Receipt), bPeer.SigningKey)
			if err != nil || rc.Envelope != id {
				t.Fatalf("receipt: %+v %v", rc, err)
			}
			p, err := b.log.ProveInclusion(context.Background(), rc.Index, cp.Size)
			if err != nil {
				t.Fatal(err)
			}
			proof := Proofize(rc.Index, cp.Size, p)
			if err := ledger.VerifyInclusion(cp, rc.Index, rc.Kind, rc.Digest, proof); err != nil {
				t.Fatalf("receipt %s not in b's ledger: %v", id, err)
			}
		}
		// The sender's own ledger holds what it sent and every receipt.
		var sent, receipts int
		a.db.R().Get(context.Background(), &sent, `SELECT COUNT(*) FROM ledger_entries WHERE kind = 'sent'`)
		a.db.R().Get(context.Background(), &receipts, `SELECT COUNT(*) FROM ledger_entries WHERE kind = 'receipt'`)
		if sent != 20 || receipts != 20 {
			t.Fatalf("a's ledger: %d sent, %d receipts", sent, receipts)
		}
	})
}

// Proofize turns a tlog proof into the wire form.
func Proofize(index, size int64, p []tlogHash) ledger.Proof {
	out := ledger.Proof{Index: index, Size: size}
	for _, h := range p {
		out.Hashes = append(out.Hashes, b64(h[:]))
	}
	return out
}

// rawPost sends body to b's inbox signed as a's host with key.
func rawPost(t *testing.T, b *testNode, keyid string, key ed25519.PrivateKey, body, signedBody []byte) (int, string) {
	t.Helper()
	target := b.srv.URL + "/federation/v1/inbox"
	req, _ := http.NewRequest("POST", target, bytes.NewReader(body))
	if err := Sign(req, signedBody, target, key, SignParams{KeyID: keyid, Alg: true}); err != nil {
		t.Fatal(err)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	msg, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(msg)
}

func TestInboxRefusals(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		a, b, c := newNode(t, e, time.Hour), newNode(t, e, time.Hour), newNode(t, e, time.Hour)
		peerUp(t, a, b)
		peerUp(t, b, a)
		peerUp(t, a, c)
		// c knows b, but b has not verified c.
		if _, err := c.svc.AddPeer(admin, b.srv.URL); err != nil {
			t.Fatal(err)
		}
		pc, _ := b.svc.AddPeer(admin, c.srv.URL)
		cPeerOnC, _ := c.svc.PeerByHost(context.Background(), b.svc.Host())
		c.svc.SetPeerStatus(admin, cPeerOnC.ID, PeerVerified)

		id := send(t, a, b, "hello")
		var body []byte
		a.db.R().Get(context.Background(), &body, `SELECT body FROM outbox WHERE envelope_id = ?`, id)
		aKey := a.svc.keys.Signing
		count := func() int {
			var n int
			b.db.R().Get(context.Background(), &n, `SELECT COUNT(*) FROM inbox`)
			return n
		}

		tampered := bytes.Replace(body, []byte(`"tlp":"AMBER"`), []byte(`"tlp":"GREEN"`), 1)
		for name, tc := range map[string]struct {
			keyid      string
			key        ed25519.PrivateKey
			body, sign []byte
			status     int
			want       string
		}{
			"tampered body":       {a.svc.Host(), aKey, tampered, body, 401, "does not match"},
			"tampered and signed": {a.svc.Host(), aKey, tampered, tampered, 422, "does not open"},
			"wrong signer":        {a.svc.Host(), c.svc.keys.Signing, body, body, 401, "does not verify"},
			"signer not from":     {c.svc.Host(), c.svc.keys.Signing, body, body, 403, "is pending, not verified"},
			"unknown signer":      {"nobody.example", aKey, body, body, 403, "unknown peer"},
		} {
			status, msg := rawPost(t, b, tc.keyid, tc.key, tc.body, tc.sign)
			if status != tc.status || !strings.Contains(msg, tc.want) {
				t.Errorf("%s: %d %q; want %d with %q", name, status, msg, tc.status, tc.want)
			}
		}
		if n := count(); n != 0 {
			t.Fatalf("refused envelopes were stored: %d", n)
		}
		// The good one, twice: one stored entry, the same receipt.
		s1, r1 := rawPost(t, b, a.svc.Host(), aKey, body, body)
		s2, r2 := rawPost(t, b, a.svc.Host(), aKey, body, body)
		if s1 != 200 || s2 != 200 || r1 != r2 || count() != 1 || b.rec.count() != 1 {
			t.Fatalf("replay: %d %d same=%v stored=%d applied=%d", s1, s2, r1 == r2, count(), b.rec.count())
		}
		// The same id with other content is refused.
		var env Envelope
		json.Unmarshal(body, &env)
		aPeer, _ := a.svc.PeerByHost(context.Background(), b.svc.Host())
		pub, _ := ecdh.X25519().NewPublicKey(aPeer.HPKEKey)
		env.Seal(pub, []byte(`"other"`))
		other, _ := json.Marshal(env)
		if s, msg := rawPost(t, b, a.svc.Host(), aKey, other, other); s != 409 {
			t.Fatalf("reused id: %d %s", s, msg)
		}
		// c, now verified by b but claiming to send for a's organisation.
		b.svc.SetPeerStatus(admin, pc.ID, PeerVerified)
		if s, msg := rawPost(t, b, c.svc.Host(), c.svc.keys.Signing, body, body); s != 403 || !strings.Contains(msg, "may not send for") {
			t.Fatalf("c sending for a: %d %s", s, msg)
		}
		// A module's refusal refuses the envelope and stores nothing.
		before := count()
		id2 := send(t, a, b, "refuse me")
		drain(t, a, 5*time.Second)
		ds, _ := a.svc.Deliveries(context.Background(), []string{id2})
		if ds[id2].State != "undelivered" || count() != before || len(a.rec.undelivered) != 1 {
			t.Fatalf("refused by the module: %+v, stored %d→%d", ds[id2], before, count())
		}
	})
}

func TestDeadPeerIsUndeliveredAndDoesNotSlowOthers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		a, b, c := newNode(t, e, 3*time.Second), newNode(t, e, time.Hour), newNode(t, e, time.Hour)
		peerUp(t, a, b)
		peerUp(t, b, a)
		peerUp(t, a, c)
		peerUp(t, c, a)
		// c stops answering: its server hangs every request.
		block := make(chan struct{})
		c.srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-block })
		defer close(block)
		for i := 0; i < 5; i++ {
			send(t, a, c, i)
		}
		start := time.Now()
		for i := 0; i < 10; i++ {
			send(t, a, b, i)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
		defer cancel()
		go a.svc.Run(ctx)
		for b.rec.count() < 10 && ctx.Err() == nil {
			time.Sleep(10 * time.Millisecond)
		}
		if b.rec.count() != 10 {
			t.Fatalf("b got %d of 10 while c hung", b.rec.count())
		}
		if d := time.Since(start); d > 3*time.Second {
			t.Fatalf("delivery to b took %v with c hanging", d)
		}
		// Past the horizon, c's envelopes are undelivered and the module told.
		for ctx.Err() == nil {
			var q int
			a.db.R().Get(context.Background(), &q, `SELECT COUNT(*) FROM outbox WHERE state = 'undelivered'`)
			if q == 5 {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if len(a.rec.undelivered) != 5 {
			t.Fatalf("undelivered notifications: %d of 5", len(a.rec.undelivered))
		}
	})
}

type tlogHash = tlog.Hash

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// TestForkIsDetected: a node that shows one peer a different history than it
// shows another is caught, and both signed checkpoints are kept.
func TestForkIsDetected(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		a, b, c := newNode(t, e, time.Hour), newNode(t, e, time.Hour), newNode(t, e, time.Hour)
		for _, pair := range [][2]*testNode{{a, b}, {b, a}, {a, c}, {c, a}, {b, c}, {c, b}} {
			peerUp(t, pair[0], pair[1])
		}
		// b has a history of 5 entries; honest so far.
		for i := 0; i < 5; i++ {
			send(t, a, b, i)
		}
		drain(t, a, 10*time.Second)
		for _, n := range []*testNode{a, b, c} {
			if _, err := n.log.Sign(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if err := a.svc.Witness(ctx); err != nil {
			t.Fatal(err)
		}
		if as, _ := a.svc.Alarms(ctx); len(as) != 0 {
			t.Fatalf("alarms on an honest log: %+v", as)
		}
		// Now b shows c a different tree of the same size.
		real, _ := b.log.Latest(ctx)
		fake := real.Root
		fake[0] ^= 0xff
		var err error
		b.forked, err = ledger.SignCheckpoint(b.svc.Host(), b.key, real.Size, fake)
		if err != nil {
			t.Fatal(err)
		}
		b.forkFor = c.svc.Host()
		c.svc.Witness(ctx) // c stores what b showed it
		if err := a.svc.Witness(ctx); err != nil {
			t.Fatal(err)
		}
		as, err := a.svc.Alarms(ctx)
		if err != nil || len(as) != 1 || as[0].PeerHost != b.svc.Host() {
			t.Fatalf("alarms: %+v %v", as, err)
		}
		// Both pieces of evidence are b's own signed checkpoints.
		for _, ev := range []string{as[0].EvidenceA, as[0].EvidenceB} {
			bPeer, _ := a.svc.PeerByHost(ctx, b.svc.Host())
			if _, err := ledger.OpenCheckpoint([]byte(ev), bPeer.LedgerKey); err != nil {
				t.Fatalf("evidence does not open with b's key: %v", err)
			}
		}
		if as[0].EvidenceA == as[0].EvidenceB {
			t.Fatal("the two checkpoints are the same")
		}
		// A log that rewrites its past is caught too: b now shows a another
		// tree of the size a already saw.
		other := real.Root
		other[1] ^= 0xff
		b.forked, _ = ledger.SignCheckpoint(b.svc.Host(), b.key, real.Size, other)
		b.forkFor = a.svc.Host()
		a.svc.Witness(ctx)
		if as, _ := a.svc.Alarms(ctx); len(as) != 2 || !strings.Contains(as[0].Detail, "does not extend") {
			t.Fatalf("rewritten history: %+v", as)
		}
	})
}

// TestUnprovenIsNotAFork: a peer that cannot produce a consistency proof
// (a proxy in the way, an outage) raises no alarm; the new checkpoint is not
// taken as seen until it is proven.
func TestUnprovenIsNotAFork(t *testing.T) {
	e := storetest.Engines(t)[0]
	ctx := context.Background()
	a, b := newNode(t, e, time.Hour), newNode(t, e, time.Hour)
	peerUp(t, a, b)
	peerUp(t, b, a)
	send(t, a, b, 1)
	drain(t, a, 5*time.Second)
	b.log.Sign(ctx)
	a.log.Sign(ctx)
	if err := a.svc.Witness(ctx); err != nil {
		t.Fatal(err)
	}
	// b grows but shows a size it cannot prove (a proxy eats the proof).
	real, _ := b.log.Latest(ctx)
	b.forked, _ = ledger.SignCheckpoint(b.svc.Host(), b.key, real.Size+5, real.Root)
	b.forkFor = a.svc.Host()
	if err := a.svc.Witness(ctx); err == nil {
		t.Fatal("an unprovable checkpoint was accepted")
	}
	if as, _ := a.svc.Alarms(ctx); len(as) != 0 {
		t.Fatalf("alarm without evidence: %+v", as)
	}
	var seen int64
	a.db.R().Get(ctx, &seen, `SELECT MAX(size) FROM peer_checkpoints`)
	if seen != real.Size {
		t.Fatalf("stored an unproven checkpoint of size %d", seen)
	}
}

// TestSendTellsAnUnverifiedPeer: a caller can tell "this peer is not
// verified" (send again later) from every other failure of Send, such as
// an envelope too large, which must not be skipped as if it were the first.
func TestSendTellsAnUnverifiedPeer(t *testing.T) {
	e := storetest.Engines(t)[0]
	a, b := newNode(t, e, time.Hour), newNode(t, e, time.Hour)
	try := func(to string, payload any) error {
		return a.db.WithTx(context.Background(), func(tx *store.Tx) error {
			_, err := a.svc.Send(context.Background(), tx, Outgoing{Type: "test.note", From: "kemlu", To: to, TLP: core.TLPGreen, Payload: payload})
			return err
		})
	}
	if err := try("csa-sg@"+b.svc.Host(), "hi"); !errors.Is(err, ErrPeerNotVerified) {
		t.Fatalf("to a node not peered: %v", err)
	}
	peerUp(t, a, b)
	err := try("csa-sg@"+b.svc.Host(), strings.Repeat("x", MaxEnvelope))
	if err == nil || errors.Is(err, ErrPeerNotVerified) {
		t.Fatalf("an envelope too large: %v", err)
	}
}
