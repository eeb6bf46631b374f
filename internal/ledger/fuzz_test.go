package ledger

import (
	"crypto/ed25519"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"
)

// FuzzOpenCheckpoint: any bytes handed over as a checkpoint are either
// refused or parse to a checkpoint whose body round-trips.
func FuzzOpenCheckpoint(f *testing.F) {
	seed := ed25519.NewKeyFromSeed(make([]byte, 32))
	signer := ed25519Signer{name: "node.example", key: seed}
	vkey, _ := note.NewEd25519VerifierKey("node.example", seed.Public().(ed25519.PublicKey))
	var root [32]byte
	good, _ := note.Sign(&note.Note{Text: Body("node.example", 42, root)}, signer)
	f.Add(good)
	f.Add([]byte("node.example\n42\nAAAA\n\n— node.example AAAA\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, b []byte) {
		cp, err := OpenCheckpoint(b, vkey)
		if err != nil {
			return
		}
		// Anything accepted must be exactly a note over a canonical body
		// that was signed with the key.
		want, _ := note.Sign(&note.Note{Text: Body("node.example", cp.Size, cp.Root)}, signer)
		if string(want) != string(b) && !strings.HasPrefix(string(b), Body("node.example", cp.Size, cp.Root)) {
			t.Fatalf("accepted a checkpoint that is not the signed body: %q", b)
		}
	})
}

// FuzzVerifyInclusion: random proofs never verify a forged entry and never
// crash the verifier.
func FuzzVerifyInclusion(f *testing.F) {
	f.Add(int64(3), int64(1), []byte("abc"), 2)
	f.Fuzz(func(t *testing.T, size, index int64, noise []byte, n int) {
		if n < 0 || n > 70 {
			return
		}
		hs := make([]string, n)
		for i := range hs {
			hs[i] = string(noise)
		}
		cp := Checkpoint{Size: size}
		// The root is all zeros and the proof is noise: nothing may verify
		// (that would be a SHA-256 preimage).
		if err := VerifyInclusion(cp, index, KindReceived, Digest(noise), Proof{Index: index, Size: size, Hashes: hs}); err == nil && size > 0 {
			t.Fatalf("noise verified: size %d index %d", size, index)
		}
	})
}

func TestParseBody(t *testing.T) {
	for _, bad := range []string{"", "origin\n", "origin\n-1\nAAAA\n", "origin\n01\n" + Body("x", 1, [32]byte{})[4:], "\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"} {
		if _, _, _, err := ParseBody(bad); err == nil {
			t.Errorf("ParseBody(%q) accepted", bad)
		}
	}
	o, s, r, err := ParseBody(Body("node.example", 7, [32]byte{1}))
	if err != nil || o != "node.example" || s != 7 || r[0] != 1 {
		t.Fatalf("round trip: %q %d %v %v", o, s, r, err)
	}
}

// FuzzVerifyConsistency: noise never proves two checkpoints consistent.
func FuzzVerifyConsistency(f *testing.F) {
	f.Add(int64(3), int64(7), []byte("x"), 3)
	f.Fuzz(func(t *testing.T, old, size int64, noise []byte, n int) {
		if n < 0 || n > 70 || old <= 0 || old >= size {
			return
		}
		hs := make([]string, n)
		for i := range hs {
			hs[i] = string(noise)
		}
		a, b := Checkpoint{Size: old}, Checkpoint{Size: size}
		b.Root[0] = 1
		if err := VerifyConsistency(a, b, Proof{Old: old, Size: size, Hashes: hs}); err == nil {
			t.Fatalf("noise proved %d ⊂ %d", old, size)
		}
	})
}
