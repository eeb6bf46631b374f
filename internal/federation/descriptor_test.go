package federation

import (
	"context"
	"crypto/ecdh"
	"crypto/rand"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"entente.example/entente/internal/keys"
	"entente.example/entente/internal/store/storetest"
)

// TestDescriptorCreatedIsWhenItsContentChanged: a node's descriptor is dated
// when what it says last changed, the same after a restart, later after a
// change; never 1970.
func TestDescriptorCreatedIsWhenItsContentChanged(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		a := newNode(t, e, time.Hour)
		restart := func(opt Options, k *keys.Node) Descriptor {
			t.Helper()
			s, err := New(a.db, a.log, k, slog.New(slog.NewTextHandler(io.Discard, nil)), opt)
			if err != nil {
				t.Fatal(err)
			}
			d, err := OpenDescriptor(s.Descriptor())
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
		d0, err := OpenDescriptor(a.svc.Descriptor())
		if err != nil {
			t.Fatal(err)
		}
		if time.Since(d0.Created) > time.Minute {
			t.Fatalf("created %s", d0.Created)
		}
		time.Sleep(1100 * time.Millisecond)
		if d := restart(a.svc.opt, a.svc.keys); !d.Created.Equal(d0.Created) {
			t.Fatalf("after a restart with the same content: created %s, was %s", d.Created, d0.Created)
		}
		hk, _ := ecdh.X25519().GenerateKey(rand.Reader)
		d2 := restart(a.svc.opt, &keys.Node{Signing: a.key, HPKE: hk})
		if !d2.Created.After(d0.Created) {
			t.Fatalf("after a new encryption key: created %s, was %s", d2.Created, d0.Created)
		}
		if d := restart(a.svc.opt, &keys.Node{Signing: a.key, HPKE: hk}); !d.Created.Equal(d2.Created) {
			t.Fatalf("the same again: created %s, was %s", d.Created, d2.Created)
		}
	})
}

// TestOlderDescriptorIsRefused: a peer that holds a descriptor refuses an
// older one (a replay), on refresh and when added again, and takes a newer.
func TestOlderDescriptorIsRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		a, b := newNode(t, e, time.Hour), newNode(t, e, time.Hour)
		peerUp(t, b, a)
		ctx := context.Background()
		current, _ := OpenDescriptor(a.svc.Descriptor())
		serve := func(created time.Time) []byte {
			d := current
			hk, _ := ecdh.X25519().GenerateKey(rand.Reader)
			d.HPKEKey, d.Created = hk.PublicKey().Bytes(), created
			raw, err := signJSON("descriptor", d, a.key)
			if err != nil {
				t.Fatal(err)
			}
			a.svc.descMu.Lock()
			a.svc.desc = raw
			a.svc.descMu.Unlock()
			return d.HPKEKey
		}
		peer := func() Peer {
			p, err := b.svc.PeerByHost(ctx, a.svc.Host())
			if err != nil {
				t.Fatal(err)
			}
			return p
		}
		// Older, signed by the right key, with another encryption key.
		serve(current.Created.Add(-24 * time.Hour))
		if err := b.svc.RefreshPeer(ctx, peer()); err == nil || !strings.Contains(err.Error(), "older than the one held") {
			t.Fatalf("refresh with an older descriptor: %v", err)
		}
		if string(peer().HPKEKey) != string(current.HPKEKey) {
			t.Fatal("an older descriptor changed the peer's encryption key")
		}
		if _, err := b.svc.AddPeer(admin, a.srv.URL); err == nil || !strings.Contains(err.Error(), "older than the one held") {
			t.Fatalf("adding again with an older descriptor: %v", err)
		}
		// Newer: taken.
		newer := serve(current.Created.Add(time.Hour))
		if err := b.svc.RefreshPeer(ctx, peer()); err != nil {
			t.Fatal(err)
		}
		if string(peer().HPKEKey) != string(newer) {
			t.Fatal("the newer descriptor's encryption key was not taken")
		}
		// Then the current one (older than the newer now held) is refused.
		a.svc.descMu.Lock()
		a.svc.desc = nil
		a.svc.descMu.Unlock()
		if err := b.svc.RefreshPeer(ctx, peer()); err == nil || !strings.Contains(err.Error(), "older than the one held") {
			t.Fatalf("going back: %v", err)
		}
	})
}
