package federation

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/ledger"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
)

// countingBody is a large request body that counts what is read of it.
type countingBody struct {
	left int
	read atomic.Int64
}

func (c *countingBody) Read(p []byte) (int, error) {
	if c.left == 0 {
		return 0, io.EOF
	}
	n := min(len(p), c.left)
	for i := range p[:n] {
		p[i] = 'x'
	}
	c.left -= n
	c.read.Add(int64(n))
	return n, nil
}

func (c *countingBody) Close() error { return nil }

// TestInboxReadsNoBodyBeforeTheSignature: whoever cannot show a verified
// peer's signature over the headers gets no byte of an 8 MiB body read.
func TestInboxReadsNoBodyBeforeTheSignature(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		a, b, c := newNode(t, e, time.Hour), newNode(t, e, time.Hour), newNode(t, e, time.Hour)
		peerUp(t, b, a)
		if _, err := b.svc.AddPeer(admin, c.srv.URL); err != nil { // pending
			t.Fatal(err)
		}
		target := b.srv.URL + "/federation/v1/inbox"
		big := bytes.Repeat([]byte("x"), MaxBatch)
		_, other, _ := ed25519.GenerateKey(rand.Reader)
		for name, tc := range map[string]struct {
			keyid string
			key   ed25519.PrivateKey
			sign  bool
			kind  core.Kind
		}{
			"unsigned":         {"", nil, false, core.KindUnauthenticated},
			"unknown signer":   {"nobody.example", a.key, true, core.KindForbidden},
			"pending peer":     {c.svc.Host(), c.key, true, core.KindForbidden},
			"forged signature": {a.svc.Host(), other, true, core.KindUnauthenticated},
		} {
			body := &countingBody{left: MaxBatch}
			req := httptest.NewRequest("POST", target, body)
			if tc.sign {
				if err := Sign(req, big, target, tc.key, SignParams{KeyID: tc.keyid, Alg: true}); err != nil {
					t.Fatal(err)
				}
			}
			_, err := b.svc.Receive(context.Background(), httptest.NewRecorder(), req)
			if core.KindOf(err) != tc.kind || body.read.Load() != 0 {
				t.Errorf("%s: %v (%s), %d bytes of the body read; want %s and none read", name, err, Refusal(err), body.read.Load(), tc.kind)
			}
		}
		// The same body from the verified peer is read, and held to its digest.
		body := &countingBody{left: MaxBatch}
		req := httptest.NewRequest("POST", target, body)
		Sign(req, big, target, a.key, SignParams{KeyID: a.svc.Host(), Alg: true})
		if _, err := b.svc.Receive(context.Background(), httptest.NewRecorder(), req); body.read.Load() != MaxBatch || !strings.Contains(Refusal(err), "envelope") {
			t.Fatalf("verified peer: %v (%s), %d bytes read", err, Refusal(err), body.read.Load())
		}
	})
}

// TestInboxBoundsBodiesPerPeer: a verified peer cannot make the node hold
// more than PeerBodies bodies at once.
func TestInboxBoundsBodiesPerPeer(t *testing.T) {
	e := storetest.Engines(t)[0]
	a, b := newNode(t, e, time.Hour), newNode(t, e, time.Hour)
	peerUp(t, b, a)
	var releases []func()
	for i := 0; i < b.svc.opt.PeerBodies; i++ {
		release, ok := b.svc.bodySlot(a.svc.Host())
		if !ok {
			t.Fatalf("slot %d refused", i)
		}
		releases = append(releases, release)
	}
	target := b.srv.URL + "/federation/v1/inbox"
	body := &countingBody{left: 1 << 20}
	req := httptest.NewRequest("POST", target, body)
	Sign(req, make([]byte, 1<<20), target, a.key, SignParams{KeyID: a.svc.Host(), Alg: true})
	if _, err := b.svc.Receive(context.Background(), nil, req); core.KindOf(err) != core.KindRateLimited || body.read.Load() != 0 {
		t.Fatalf("over the per-peer bound: %v, %d bytes read", err, body.read.Load())
	}
	for _, r := range releases {
		r()
	}
	if _, ok := b.svc.bodySlot(a.svc.Host()); !ok {
		t.Fatal("slots not given back")
	}
}

// TestInboxCutsOffSlowBodies: a signed request whose body trickles is cut
// off at BodyTimeout, not at the server's read timeout.
func TestInboxCutsOffSlowBodies(t *testing.T) {
	e := storetest.Engines(t)[0]
	a, b := newNode(t, e, time.Hour), newNode(t, e, time.Hour)
	peerUp(t, b, a)
	b.svc.opt.BodyTimeout = 300 * time.Millisecond
	target := b.srv.URL + "/federation/v1/inbox"
	full := bytes.Repeat([]byte("x"), 1000)
	req, _ := http.NewRequest("POST", target, nil)
	Sign(req, full, target, a.key, SignParams{KeyID: a.svc.Host(), Alg: true})
	conn, err := net.Dial("tcp", strings.TrimPrefix(b.srv.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /federation/v1/inbox HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n", req.URL.Host, len(full))
	for _, h := range []string{"Content-Digest", "Signature-Input", "Signature"} {
		fmt.Fprintf(conn, "%s: %s\r\n", h, req.Header.Get(h))
	}
	fmt.Fprint(conn, "\r\n")
	start := time.Now()
	done := make(chan string)
	go func() {
		b, _ := io.ReadAll(conn) // the answer, then the server closes
		done <- string(b)
	}()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	giveUp := time.After(5 * time.Second)
	for {
		select {
		case answer := <-done:
			if took := time.Since(start); took > 3*time.Second || !strings.Contains(answer, "reading the body") {
				t.Fatalf("after %s: %q", took, answer)
			}
			return
		case <-tick.C:
			conn.Write([]byte("x")) // one byte every 50 ms: 50 s for the body
		case <-giveUp:
			t.Fatal("a slow body held the connection for 5 s")
		}
	}
}

// raceModule writes a row per envelope under a unique key, slowly, like a
// module recording a message for a recipient: two deliveries of one envelope
// at once both pass the inbox check, and the second meets the first's row.
type raceModule struct{}

func (raceModule) Receive(ctx context.Context, tx *store.Tx, env Envelope, _ []byte) error {
	time.Sleep(10 * time.Millisecond)
	_, err := tx.Exec(ctx, `INSERT INTO race_rows (envelope_id) VALUES (?)`, env.ID)
	return core.Wrap("race: receive", err)
}

// TestSameEnvelopeToTwoReplicasAtOnce: two replicas of a node (two services
// on one database) receiving the same envelope at once both answer with the
// one receipt; the loser's unique violation is the duplicate it is, not a
// refusal that would mark a delivered envelope undelivered, and no SQL text
// goes to the peer.
func TestSameEnvelopeToTwoReplicasAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		a, b := newNode(t, e, time.Hour), newNode(t, e, time.Hour)
		peerUp(t, a, b)
		peerUp(t, b, a)
		if _, err := b.db.Raw().Exec(`CREATE TABLE race_rows (envelope_id TEXT PRIMARY KEY)`); err != nil {
			t.Fatal(err)
		}
		replica := func() *Service {
			l, err := ledger.New(b.db, b.svc.Host(), b.key)
			if err != nil {
				t.Fatal(err)
			}
			s, err := New(b.db, l, b.svc.keys, slog.New(slog.NewTextHandler(io.Discard, nil)), b.svc.opt)
			if err != nil {
				t.Fatal(err)
			}
			s.Handle("test", raceModule{})
			return s
		}
		replicas := []*Service{replica(), replica()}
		target := b.srv.URL + "/federation/v1/inbox"
		const rounds = 25
		for i := 0; i < rounds; i++ {
			id := send(t, a, b, i)
			var body []byte
			a.db.R().Get(context.Background(), &body, `SELECT body FROM outbox WHERE envelope_id = ?`, id)
			var wg sync.WaitGroup
			receipts := make([][]byte, 2)
			errs := make([]error, 2)
			for j, s := range replicas {
				wg.Add(1)
				go func() {
					defer wg.Done()
					req := httptest.NewRequest("POST", target, bytes.NewReader(body))
					Sign(req, body, target, a.key, SignParams{KeyID: a.svc.Host(), Alg: true})
					receipts[j], errs[j] = s.Receive(context.Background(), nil, req)
				}()
			}
			wg.Wait()
			for j, err := range errs {
				if err != nil {
					t.Fatalf("round %d, replica %d: %v (to the peer: %q)", i, j, err, Refusal(err))
				}
			}
			if !bytes.Equal(receipts[0], receipts[1]) {
				t.Fatalf("round %d: two receipts:\n%s\n%s", i, receipts[0], receipts[1])
			}
		}
		var n int
		b.db.R().Get(context.Background(), &n, `SELECT COUNT(*) FROM race_rows`)
		if n != rounds {
			t.Fatalf("%d rows for %d envelopes", n, rounds)
		}
	})
}

// nullModule breaks a NOT NULL constraint: this node's own bug.
type nullModule struct{}

func (nullModule) Receive(ctx context.Context, tx *store.Tx, env Envelope, _ []byte) error {
	_, err := tx.Exec(ctx, `INSERT INTO race_rows (envelope_id, note) VALUES (?, NULL)`, env.ID)
	return core.Wrap("null: receive", err)
}

// TestStoreErrorsStayHome: what a module's database error says is logged,
// never sent to the peer, which is told to try again later.
func TestStoreErrorsStayHome(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		a, b := newNode(t, e, time.Hour), newNode(t, e, time.Hour)
		peerUp(t, a, b)
		peerUp(t, b, a)
		if _, err := b.db.Raw().Exec(`CREATE TABLE race_rows (envelope_id TEXT PRIMARY KEY, note TEXT NOT NULL)`); err != nil {
			t.Fatal(err)
		}
		b.svc.Handle("test", nullModule{})
		send(t, a, b, "x")
		var body []byte
		a.db.R().Get(context.Background(), &body, `SELECT body FROM outbox`)
		status, msg := rawPost(t, b, a.svc.Host(), a.key, body, body)
		if status != 500 || !strings.Contains(msg, "try again later") || strings.Contains(msg, "race_rows") || strings.Contains(strings.ToLower(msg), "null") {
			t.Fatalf("%d %q", status, msg)
		}
	})
}

// sealedTo builds an envelope from a to b with the given created and
// payload, sealed to b's key.
func sealedTo(t *testing.T, a, b *testNode, created time.Time, payload []byte) []byte {
	t.Helper()
	p, err := a.svc.PeerByHost(context.Background(), b.svc.Host())
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := ecdh.X25519().NewPublicKey(p.HPKEKey)
	env := Envelope{ID: core.NewID(time.Now()), Type: "test.note", From: "kemlu@" + a.svc.Host(), To: "csa-sg@" + b.svc.Host(), Created: created, TLP: core.TLPGreen}
	if err := env.Seal(pub, payload); err != nil {
		t.Fatal(err)
	}
	body, _ := json.Marshal(env)
	return body
}

// TestInboxRefusesWhatCouldMeanTwoThings: backdated and far-future
// envelopes, a key twice, NUL and bad UTF-8 (in the clear fields or the
// sealed payload) are refused for good, with the reason, on both engines.
func TestInboxRefusesWhatCouldMeanTwoThings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		a, b := newNode(t, e, time.Hour), newNode(t, e, time.Hour)
		peerUp(t, a, b)
		peerUp(t, b, a)
		now := time.Now().UTC()
		good := sealedTo(t, a, b, now, []byte(`{"n":1}`))
		for name, tc := range map[string]struct {
			body []byte
			want string
		}{
			"backdated by years": {sealedTo(t, a, b, now.AddDate(-3, 0, 0), []byte(`{}`)), "older than"},
			"far future":         {sealedTo(t, a, b, now.AddDate(1, 0, 0), []byte(`{}`)), "in the future"},
			"key twice":          {append([]byte(`{"tlp":"RED",`), good[1:]...), "tlp: key given twice"},
			"NUL in a field":     {bytes.Replace(good, []byte(`"type":"test.note"`), []byte(`"type":"test.no\u0000te"`), 1), "type: NUL character"},
			"bad UTF-8":          {bytes.Replace(good, []byte(`"kemlu@`), []byte("\"kem\xfflu@"), 1), "not valid UTF-8"},
			"NUL in the payload": {sealedTo(t, a, b, now, []byte(`{"subject":"a\u0000b"}`)), "payload: json: subject"},
			"key twice inside":   {sealedTo(t, a, b, now, []byte(`{"to":"x","to":"y"}`)), "payload: json: to"},
		} {
			if status, msg := rawPost(t, b, a.svc.Host(), a.key, tc.body, tc.body); status != 422 || !strings.Contains(msg, tc.want) {
				t.Errorf("%s: %d %q; want 422 with %q", name, status, msg, tc.want)
			}
		}
		if status, msg := rawPost(t, b, a.svc.Host(), a.key, good, good); status != 200 {
			t.Fatalf("the good one: %d %s", status, msg)
		}
		// Ten days late (retried by an administrator after an outage longer
		// than the retry horizon) is still taken.
		late := sealedTo(t, a, b, now.AddDate(0, 0, -10), []byte(`{}`))
		if status, msg := rawPost(t, b, a.svc.Host(), a.key, late, late); status != 200 {
			t.Fatalf("a late envelope: %d %s", status, msg)
		}
	})
}

// TestSignedStatementsWithAKeyTwice: a signature over a document with a key
// given twice proves nothing, for every kind of signed document.
func TestSignedStatementsWithAKeyTwice(t *testing.T) {
	sk, hk := fixedKeys(t)
	pub := sk.Public().(ed25519.PublicKey)
	// Signed honestly, over a body that a last-wins parser reads one way
	// and a first-wins parser the other.
	body := `{"envelope":"01KB0000000000000000000000","envelope":"01KB0000000000000000000001","digest":"00","received":"2026-11-25T09:00:00Z","index":1,"node":"b","kind":"received"}`
	sig := ed25519.Sign(sk, []byte("entente/receipt/v1\n"+body))
	doc, _ := json.Marshal(signed{Body: json.RawMessage(body), Signature: sig})
	if _, err := OpenReceipt(doc, pub); err == nil || !strings.Contains(err.Error(), "body.envelope: key given twice") {
		t.Fatalf("receipt with a key twice: %v", err)
	}
	if _, err := ReceiptNode(doc); err == nil {
		t.Fatal("ReceiptNode took a receipt with a key twice")
	}
	d := Descriptor{Name: "a", BaseURL: "https://a.example", SigningKey: pub, HPKEKey: hk.PublicKey().Bytes()}
	good, _ := signJSON("descriptor", d, sk)
	twice := bytes.Replace(good, []byte(`{"body":`), []byte(`{"signature":"AA==","body":`), 1)
	if _, err := OpenDescriptor(good); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenDescriptor(twice); err == nil || !strings.Contains(err.Error(), "key given twice") {
		t.Fatalf("descriptor with a key twice: %v", err)
	}
	if _, err := VerifyStatement("receipt", doc, pub); err == nil {
		t.Fatal("VerifyStatement took a statement with a key twice")
	}
}

// slowModule takes longer than the body timeout to apply an envelope.
type slowModule struct{ took time.Duration }

func (m slowModule) Receive(ctx context.Context, tx *store.Tx, env Envelope, _ []byte) error {
	time.Sleep(m.took)
	return ctx.Err()
}

// TestInboxBodyTimeoutEndsWithTheBody: the body timeout bounds the body's
// arrival, not the storing of its envelopes afterwards.
func TestInboxBodyTimeoutEndsWithTheBody(t *testing.T) {
	e := storetest.Engines(t)[0]
	a, b := newNode(t, e, time.Hour), newNode(t, e, time.Hour)
	peerUp(t, a, b)
	peerUp(t, b, a)
	b.svc.opt.BodyTimeout = 200 * time.Millisecond
	b.svc.Handle("test", slowModule{took: 600 * time.Millisecond})
	send(t, a, b, "slow")
	var body []byte
	a.db.R().Get(context.Background(), &body, `SELECT body FROM outbox`)
	if status, msg := rawPost(t, b, a.svc.Host(), a.key, body, body); status != 200 {
		t.Fatalf("%d %s", status, msg)
	}
}

// TestInboxHoldsTheSlotUntilStored: a peer's body counts against its bound
// until its envelopes are stored, not only while it arrives.
func TestInboxHoldsTheSlotUntilStored(t *testing.T) {
	e := storetest.Engines(t)[0]
	a, b := newNode(t, e, time.Hour), newNode(t, e, time.Hour)
	peerUp(t, a, b)
	peerUp(t, b, a)
	b.svc.opt.PeerBodies = 1
	b.svc.Handle("test", slowModule{took: 500 * time.Millisecond})
	send(t, a, b, 1)
	send(t, a, b, 2)
	var bodies [][]byte
	a.db.R().Select(context.Background(), &bodies, `SELECT body FROM outbox`)
	statuses := make([]int, len(bodies))
	var wg sync.WaitGroup
	for i, body := range bodies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(time.Duration(i) * 100 * time.Millisecond) // the first is being stored
			statuses[i], _ = rawPost(t, b, a.svc.Host(), a.key, body, body)
		}()
	}
	wg.Wait()
	if statuses[0] != 200 || statuses[1] != 429 {
		t.Fatalf("statuses %v; want 200 and 429", statuses)
	}
}

// contentModule keys what it stores by the payload, as a module keys a
// message by its origin.
type contentModule struct{}

func (contentModule) Receive(ctx context.Context, tx *store.Tx, _ Envelope, payload []byte) error {
	_, err := tx.Exec(ctx, `INSERT INTO race_rows (envelope_id) VALUES (?)`, string(payload))
	return core.Wrap("content: receive", err)
}

// TestSameContentInAnotherEnvelope: a module's unique violation for an
// envelope the inbox has not seen is refused as a conflict in words, not
// in SQL.
func TestSameContentInAnotherEnvelope(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		a, b := newNode(t, e, time.Hour), newNode(t, e, time.Hour)
		peerUp(t, a, b)
		peerUp(t, b, a)
		if _, err := b.db.Raw().Exec(`CREATE TABLE race_rows (envelope_id TEXT PRIMARY KEY)`); err != nil {
			t.Fatal(err)
		}
		b.svc.Handle("test", contentModule{})
		first := sealedTo(t, a, b, time.Now(), []byte(`"same"`))
		second := sealedTo(t, a, b, time.Now(), []byte(`"same"`))
		if status, msg := rawPost(t, b, a.svc.Host(), a.key, first, first); status != 200 {
			t.Fatalf("first: %d %s", status, msg)
		}
		status, msg := rawPost(t, b, a.svc.Host(), a.key, second, second)
		if status != 409 || !strings.Contains(msg, "already holds what the envelope carries") || strings.Contains(msg, "race_rows") || strings.Contains(msg, "UNIQUE") || strings.Contains(msg, "duplicate key") {
			t.Fatalf("second: %d %q", status, msg)
		}
	})
}
