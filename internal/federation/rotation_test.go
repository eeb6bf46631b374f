package federation

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"entente.example/entente/internal/keys"
	"entente.example/entente/internal/ledger"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
)

// rotate gives node n a new signing key, announced by the old one when
// announce is true, and restarts its federation service with it.
func rotate(t *testing.T, n *testNode, announce bool) {
	t.Helper()
	_, nk, _ := ed25519.GenerateKey(rand.Reader)
	var rots []json.RawMessage
	if announce {
		st, err := signJSON("rotation", Rotation{Old: n.key.Public().(ed25519.PublicKey), New: nk.Public().(ed25519.PublicKey), At: time.Now()}, n.key)
		if err != nil {
			t.Fatal(err)
		}
		rots = append(n.svc.opt.Rotations, st)
	}
	host := n.svc.Host()
	l, err := ledger.New(n.db, host, nk)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := New(n.db, l, &keys.Node{Signing: nk, HPKE: n.svc.keys.HPKE}, slog.New(slog.NewTextHandler(io.Discard, nil)),
		Options{BaseURL: n.srv.URL, Name: host, AllowPrivate: true, Horizon: time.Hour, PerPeer: 2, RequestTimeout: 2 * time.Second, Rotations: rots})
	if err != nil {
		t.Fatal(err)
	}
	svc.Handle("test", n.rec)
	n.svc, n.log, n.key = svc, l, nk
}

func TestKeyRotation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		a, b := newNode(t, e, time.Hour), newNode(t, e, time.Hour)
		peerUp(t, a, b)
		peerUp(t, b, a)
		first := send(t, a, b, "before")
		drain(t, a, 5*time.Second)
		firstKey := b.key

		// b rotates twice, each announced: a follows the chain and stays verified.
		rotate(t, b, true)
		rotate(t, b, true)
		p, _ := a.svc.PeerByHost(ctx, b.svc.Host())
		if err := a.svc.RefreshPeer(ctx, p); err != nil {
			t.Fatal(err)
		}
		p, _ = a.svc.PeerByHost(ctx, b.svc.Host())
		if p.Status != PeerVerified || p.Fingerprint() != b.svc.Fingerprint() {
			t.Fatalf("after an announced rotation: %s, %s (b is %s)", p.Status, p.Fingerprint(), b.svc.Fingerprint())
		}
		second := send(t, a, b, "after")
		drain(t, a, 5*time.Second)
		ds, _ := a.svc.Deliveries(ctx, []string{first, second})
		if ds[second].State != "delivered" {
			t.Fatalf("delivery after rotation: %+v", ds[second])
		}
		// The receipt from before the rotation still verifies with a key the
		// descriptor's chain names.
		d, _ := OpenDescriptor(b.svc.Descriptor())
		if _, err := OpenReceiptOf([]byte(ds[first].Receipt), d); err != nil || len(RetiredKeys(d)) != 2 {
			t.Fatalf("old receipt with %d retired keys: %v", len(RetiredKeys(d)), err)
		}

		// b's ledger checkpoint is signed with its current key at once, so a
		// can keep witnessing it.
		if _, err := b.log.Sign(ctx); err != nil {
			t.Fatal(err)
		}
		if err := a.svc.Witness(ctx); err != nil {
			t.Fatalf("witnessing after rotation: %v", err)
		}
		// A receipt signed with a retired key after its retirement (a leaked
		// key at work) is not b's word.
		retired := RetiredKeys(d)
		late, _ := signJSON("receipt", Receipt{Envelope: second, Digest: "00", Received: time.Now().Add(time.Hour), Node: b.svc.Host(), Kind: "received"}, firstKey)
		if len(retired) == 0 || !bytes.Equal(retired[len(retired)-1].Key, firstKey.Public().(ed25519.PublicKey)) {
			t.Fatal("the first key is not among the retired ones")
		}
		if _, err := OpenReceiptOf(late, d); err == nil {
			t.Fatal("a receipt signed with a retired key after its retirement was accepted")
		}

		// A key nobody announced is not taken on trust.
		rotate(t, b, false)
		if err := a.svc.RefreshPeer(ctx, p); err != nil {
			t.Fatal(err)
		}
		p, _ = a.svc.PeerByHost(ctx, b.svc.Host())
		if p.Status != PeerPending {
			t.Fatalf("unannounced key: status %s", p.Status)
		}
		if err := a.db.WithTx(ctx, func(tx *store.Tx) error {
			_, err := a.svc.Send(ctx, tx, Outgoing{Type: "test.note", From: "kemlu", To: "csa-sg@" + b.svc.Host(), Payload: 1, TLP: "GREEN"})
			return err
		}); err == nil {
			t.Fatal("sent to a peer whose new key nobody verified")
		}
	})
}
