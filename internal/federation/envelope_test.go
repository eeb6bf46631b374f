package federation

import (
	"crypto/ecdh"
	"crypto/ed25519"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"entente.example/entente/core"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	p := filepath.Join("testdata", name)
	if *update {
		os.WriteFile(p, got, 0o644)
	}
	want, err := os.ReadFile(p)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if string(want) != string(got) {
		t.Errorf("%s changed:\n got %s\nwant %s", name, got, want)
	}
}

// Fixed keys and times make the wire formats reproducible for golden files.
func fixedKeys(t *testing.T) (ed25519.PrivateKey, *ecdh.PrivateKey) {
	sk := ed25519.NewKeyFromSeed(make([]byte, 32))
	hk, err := ecdh.X25519().NewPrivateKey(append(make([]byte, 31), 1))
	if err != nil {
		t.Fatal(err)
	}
	return sk, hk
}

func TestWireFormatsAreStable(t *testing.T) {
	sk, hk := fixedKeys(t)
	created := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	d := Descriptor{Name: "node-a.example", Operator: "kemlu", Country: "ID", BaseURL: "https://node-a.example",
		Inbox: "https://node-a.example/federation/v1/inbox", Directory: "https://node-a.example/federation/v1/directory", Ledger: "https://node-a.example/ledger/",
		SigningKey: sk.Public().(ed25519.PublicKey), HPKEKey: hk.PublicKey().Bytes(), LedgerKey: "node-a.example+00000000+AQ", Software: "entente test", Created: created}
	b, err := signJSON("descriptor", d, sk)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "descriptor.json", b)
	if got, err := OpenDescriptor(b); err != nil || got.Host() != "node-a.example" {
		t.Fatalf("descriptor round trip: %+v %v", got, err)
	}
	r := Receipt{Envelope: "01KB0000000000000000000000", Digest: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Received: created, Index: 41, Node: "node-b.example", Kind: "received"}
	rb, _ := signJSON("receipt", r, sk)
	golden(t, "receipt.json", rb)
	if got, err := OpenReceipt(rb, sk.Public().(ed25519.PublicKey)); err != nil || got != r {
		t.Fatalf("receipt round trip: %+v %v", got, err)
	}
	// A descriptor signature is not a receipt signature.
	if _, err := OpenReceipt(b, sk.Public().(ed25519.PublicKey)); err == nil {
		t.Fatal("a descriptor opened as a receipt")
	}
	// The envelope's clear part is stable; the sealed part is random by design.
	env := Envelope{ID: "01KB0000000000000000000000", Type: "correspondence.message", From: "kemlu@node-a.example", To: "csa-sg@node-b.example", Created: created, TLP: core.TLPAmber}
	if err := env.Seal(hk.PublicKey(), []byte(`{"subject":"Consultation"}`)); err != nil {
		t.Fatal(err)
	}
	sealed := env.Sealed
	env.Sealed = []byte("sealed payload goes here, base64 in JSON")
	eb, _ := json.Marshal(env)
	golden(t, "envelope.json", eb)
	env.Sealed = sealed
	if p, err := env.Open(hk); err != nil || string(p) != `{"subject":"Consultation"}` {
		t.Fatalf("open: %q %v", p, err)
	}
	// Changing any clear field breaks the seal.
	env.To = "mofa-jp@node-b.example"
	if _, err := env.Open(hk); err == nil {
		t.Fatal("an envelope readdressed in transit still opened")
	}
}

// FuzzDecodeEnvelope: any bytes from a peer are refused with a reason or
// decode to an envelope that passes the checks.
func FuzzDecodeEnvelope(f *testing.F) {
	f.Add([]byte(`{"id":"01KB0000000000000000000000","type":"correspondence.message","from":"kemlu@a.example","to":"csa-sg@b.example","created":"2026-11-25T09:00:00Z","tlp":"AMBER","sealed":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="}`))
	f.Add([]byte(`{"id":"x"}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`{"tlp":"RED","from":"@","to":"a@"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := DecodeEnvelope(b)
		if err != nil {
			return
		}
		if !core.ValidID(e.ID) || e.Type == "" || len(e.Sealed) < 32 {
			t.Fatalf("accepted %q", b)
		}
		if _, _, ok := Address(e.From); !ok {
			t.Fatalf("accepted from %q", e.From)
		}
	})
}

// BenchmarkDecodeEnvelope: the strict decoding of an envelope of 1 KiB (the
// duplicate-key, NUL and UTF-8 check included), on the inbox's hot path.
func BenchmarkDecodeEnvelope(b *testing.B) {
	_, hk := fixedKeys(&testing.T{})
	env := Envelope{ID: "01KB0000000000000000000000", Type: "correspondence.message", From: "kemlu@node-a.example", To: "csa-sg@node-b.example", Created: time.Now().UTC(), TLP: core.TLPAmber}
	if err := env.Seal(hk.PublicKey(), make([]byte, envelopePayload)); err != nil {
		b.Fatal(err)
	}
	raw, _ := json.Marshal(env)
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if _, err := DecodeEnvelope(raw); err != nil {
			b.Fatal(err)
		}
	}
}

// envelopePayload is the payload size of BenchmarkDecodeEnvelope: about a
// letter's.
const envelopePayload = 1 << 10
