package correspondence_test

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/auth"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/federation/fedtest"
	"entente.example/entente/internal/jobs"
	"entente.example/entente/internal/ledger"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/correspondence"
	"entente.example/entente/modules/directory"
)

// ackWorld is a node with one organisation, kemlu, and its officer.
func ackWorld(t *testing.T, e storetest.Engine) (*store.DB, *correspondence.Service, context.Context) {
	t.Helper()
	ctx := context.Background()
	db := storetest.Open(t, e, nil, auth.Migrations(), audit.Migrations(), jobs.Migrations(), ledger.Migrations(), federation.Migrations(), directory.Migrations(), correspondence.Migrations())
	fed := fedtest.New(t, db, "node.test").Fed
	org, user := core.NewID(time.Now()), core.NewID(time.Now())
	err := db.WithTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO organisations (id, handle, kind, country, name_en, created_at, updated_at) VALUES (?, 'kemlu', 'state_ministry', 'ID', 'Kemlu', ?, ?)`, org, tx.Now, tx.Now); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO users (id, email, name, created_at) VALUES (?, 'sari@x.test', 'Sari', ?)`, user, tx.Now); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO memberships (user_id, org_id, role, created_at) VALUES (?, ?, 'officer', ?)`, user, org, tx.Now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	officer := core.WithActor(ctx, core.Actor{UserID: user, Name: "Sari", Memberships: []core.Membership{{Org: core.OrgRef{ID: org, Handle: "kemlu"}, Role: core.RoleOfficer}}})
	return db, correspondence.NewService(db, fed, nil), officer
}

// TestAcknowledgmentFromAPeerStandsOnce: the first acknowledgment of a
// message a peer's organisation received is the one on record; the peer
// sending another (a retry, or to move its time) changes nothing and is
// taken as done, not refused.
func TestAcknowledgmentFromAPeerStandsOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		db, svc, kemlu := ackWorld(t, e)
		// A verified peer, and a message from kemlu to one of its organisations.
		hk, _ := ecdh.X25519().GenerateKey(rand.Reader)
		err := db.WithTx(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO peers (id, host, base_url, signing_key, hpke_key, ledger_key, descriptor, status, added_at, updated_at) VALUES (?, 'peer.test', 'https://peer.test', ?, ?, '', '{}', 'verified', ?, ?)`,
				core.NewID(tx.Now), make([]byte, 32), hk.PublicKey().Bytes(), tx.Now, tx.Now)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		m, err := svc.Send(kemlu, correspondence.Compose{From: "kemlu", To: []string{"csa-sg@peer.test"}, Subject: "Consultation", Body: "Dear colleagues", TLP: core.TLPGreen})
		if err != nil {
			t.Fatal(err)
		}
		ack := func(by string, at time.Time) error {
			payload, _ := json.Marshal(map[string]any{"origin_id": m.ID, "by": by, "at": at})
			env := federation.Envelope{ID: core.NewID(time.Now()), Type: correspondence.TypeAck, From: "csa-sg@peer.test", To: "kemlu@node.test", Created: time.Now(), TLP: core.TLPGreen}
			return db.WithTx(ctx, func(tx *store.Tx) error { return svc.Receive(ctx, tx, env, payload) })
		}
		first := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
		if err := ack("Lim", first); err != nil {
			t.Fatal(err)
		}
		if err := ack("Tan", first.AddDate(0, 0, -30)); err != nil {
			t.Fatalf("a second acknowledgment is refused: %v", err)
		}
		var r struct {
			At time.Time `db:"acked_at"`
			By string    `db:"acked_by"`
		}
		if err := db.R().Get(ctx, &r, `SELECT acked_at, acked_by FROM message_recipients WHERE message_id = ?`, m.ID); err != nil {
			t.Fatal(err)
		}
		if !r.At.Equal(first) || r.By != "Lim" {
			t.Fatalf("acknowledgment on record: %s by %s; want the first, %s by Lim", r.At, r.By, first)
		}
		// An acknowledgment of a message the peer never got is still refused.
		bad, _ := json.Marshal(map[string]any{"origin_id": core.NewID(time.Now()), "by": "x", "at": first})
		env := federation.Envelope{ID: core.NewID(time.Now()), Type: correspondence.TypeAck, From: "csa-sg@peer.test", To: "kemlu@node.test", Created: time.Now(), TLP: core.TLPGreen}
		if err := db.WithTx(ctx, func(tx *store.Tx) error { return svc.Receive(ctx, tx, env, bad) }); core.KindOf(err) != core.KindNotFound {
			t.Fatalf("acknowledging an unknown message: %v", err)
		}
	})
}

// TestMessageToTwoReplicasAtOnce: a peer delivering one message envelope to
// two replicas of this node (two services on one database) at once gets the
// same receipt from both. On PostgreSQL the second replica meets the first's
// recipient row (message_recipients_pkey); that is the duplicate it is, not
// a refusal, which the peer would take as final.
func TestMessageToTwoReplicasAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		db := storetest.Open(t, e, nil, auth.Migrations(), audit.Migrations(), jobs.Migrations(), ledger.Migrations(), federation.Migrations(), directory.Migrations(), correspondence.Migrations())
		// Two replicas: the same node's keys, two services on one database.
		first := fedtest.New(t, db, "node.test")
		var replicas []*federation.Service
		for _, n := range []*fedtest.Node{first, fedtest.NewWith(t, db, "node.test", first.Keys, federation.Options{})} {
			correspondence.NewService(db, n.Fed, nil)
			replicas = append(replicas, n.Fed)
		}
		peerPub, peerKey, _ := ed25519.GenerateKey(rand.Reader)
		peerHPKE, _ := ecdh.X25519().GenerateKey(rand.Reader)
		err := db.WithTx(ctx, func(tx *store.Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO organisations (id, handle, kind, country, name_en, created_at, updated_at) VALUES (?, 'kemlu', 'state_ministry', 'ID', 'Kemlu', ?, ?)`, core.NewID(tx.Now), tx.Now, tx.Now); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO peers (id, host, base_url, signing_key, hpke_key, ledger_key, descriptor, status, added_at, updated_at) VALUES (?, 'peer.test', 'https://peer.test', ?, ?, '', '{}', 'verified', ?, ?)`,
				core.NewID(tx.Now), []byte(peerPub), peerHPKE.PublicKey().Bytes(), tx.Now, tx.Now)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		const target = "https://node.test/federation/v1/inbox"
		for i := 0; i < 30; i++ {
			now := time.Now().UTC()
			payload, _ := json.Marshal(map[string]any{"origin_id": core.NewID(now), "thread_id": core.NewID(now), "author": "Lim", "subject": "Consultation", "body": "Dear colleagues", "created": now, "to": []string{"kemlu@node.test"}})
			env := federation.Envelope{ID: core.NewID(now), Type: correspondence.TypeMessage, From: "csa-sg@peer.test", To: "kemlu@node.test", Created: now, TLP: core.TLPGreen}
			if err := env.Seal(first.Keys.HPKE.PublicKey(), payload); err != nil {
				t.Fatal(err)
			}
			body, _ := json.Marshal(env)
			receipts, errs := make([][]byte, 2), make([]error, 2)
			var wg sync.WaitGroup
			for j, fed := range replicas {
				wg.Add(1)
				go func() {
					defer wg.Done()
					req := httptest.NewRequest("POST", target, bytes.NewReader(body))
					federation.Sign(req, body, target, peerKey, federation.SignParams{KeyID: "peer.test", Alg: true})
					receipts[j], errs[j] = fed.Receive(ctx, nil, req)
				}()
			}
			wg.Wait()
			for j, err := range errs {
				if err != nil {
					t.Fatalf("round %d, replica %d: %v (to the peer: %q)", i, j, err, federation.Refusal(err))
				}
			}
			if !bytes.Equal(receipts[0], receipts[1]) {
				t.Fatalf("round %d: two receipts", i)
			}
		}
		var n int
		db.R().Get(ctx, &n, `SELECT COUNT(*) FROM message_recipients`)
		if n != 30 {
			t.Fatalf("%d recipient rows for 30 messages", n)
		}
	})
}
