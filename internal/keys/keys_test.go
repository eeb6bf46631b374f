package keys

import (
	"crypto/ed25519"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestKeysAreCreatedOnceAndKeptPrivate(t *testing.T) {
	dir := t.TempDir()
	k1, created, err := LoadOrCreate(dir)
	if err != nil || !created {
		t.Fatalf("first: %v %v", created, err)
	}
	k2, created, err := LoadOrCreate(dir)
	if err != nil || created || !k1.Signing.Equal(k2.Signing) || !k1.HPKE.Equal(k2.HPKE) {
		t.Fatalf("second load differs or recreated: %v %v", created, err)
	}
	for _, f := range []string{signingFile, hpkeFile} {
		st, _ := os.Stat(filepath.Join(dir, "keys", f))
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v", f, st.Mode().Perm())
		}
	}
	os.Chmod(filepath.Join(dir, "keys", signingFile), 0o644)
	if _, _, err := LoadOrCreate(dir); err == nil || !strings.Contains(err.Error(), "readable by others") {
		t.Fatalf("world-readable key accepted: %v", err)
	}
	fp := Fingerprint(k1.Signing.Public().(ed25519.PublicKey))
	if len(strings.Fields(fp)) != 6 || fp != Fingerprint(k2.Signing.Public().(ed25519.PublicKey)) {
		t.Fatalf("fingerprint %q", fp)
	}
}
