// Package fedtest gives module tests a node's federation in one call: fresh
// signing and HPKE keys, a transparency log and a federation service over a
// test database. Modules that send envelopes or record in the ledger test
// against these real parts instead of each building them anew.
package fedtest

import (
	"crypto/ecdh"
	"crypto/ed25519"
	"crypto/rand"
	"io"
	"log/slog"
	"testing"

	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/keys"
	"entente.example/entente/internal/ledger"
	"entente.example/entente/internal/store"
)

// Node is one node's federation parts.
type Node struct {
	Keys   *keys.Node
	Ledger *ledger.Log
	Fed    *federation.Service
	Log    *slog.Logger
}

// New builds the federation of a node called host (its base URL is
// https://host) on db, which must carry the ledger and federation migrations.
func New(t testing.TB, db *store.DB, host string) *Node {
	t.Helper()
	return NewWith(t, db, host, nil, federation.Options{})
}

// NewWith is New with the node's keys (nil: fresh ones; a second node with
// the first one's keys is a replica of it) and options (an empty BaseURL is
// https://host).
func NewWith(t testing.TB, db *store.DB, host string, k *keys.Node, opt federation.Options) *Node {
	t.Helper()
	if k == nil {
		_, sk, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		hk, err := ecdh.X25519().GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		k = &keys.Node{Signing: sk, HPKE: hk}
	}
	if opt.BaseURL == "" {
		opt.BaseURL = "https://" + host
	}
	l, err := ledger.New(db, host, k.Signing)
	if err != nil {
		t.Fatalf("fedtest: ledger: %v", err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	fed, err := federation.New(db, l, k, log, opt)
	if err != nil {
		t.Fatalf("fedtest: federation: %v", err)
	}
	return &Node{Keys: k, Ledger: l, Fed: fed, Log: log}
}
