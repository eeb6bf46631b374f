// Package keys creates and loads the node's long-term keys: an Ed25519 key that
// signs everything the node says (receipts, checkpoints, federation requests)
// and an X25519 key pair to which peers seal envelopes with HPKE. Key files are
// created readable by the owner only, and refused if anyone else can read them.
package keys

import (
	"crypto/ecdh"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base32"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Node holds the node's keys.
type Node struct {
	Signing ed25519.PrivateKey
	HPKE    *ecdh.PrivateKey // X25519, used with DHKEM(X25519) in crypto/hpke
}

const (
	signingFile = "node-signing.pem"
	hpkeFile    = "node-hpke.pem"
)

// LoadOrCreate reads the keys from dir/keys, creating them on first start.
func LoadOrCreate(dir string) (*Node, bool, error) {
	kd := filepath.Join(dir, "keys")
	if err := os.MkdirAll(kd, 0o700); err != nil {
		return nil, false, fmt.Errorf("keys: create %s: %w", kd, err)
	}
	created := false
	sp := filepath.Join(kd, signingFile)
	if _, err := os.Stat(sp); errors.Is(err, fs.ErrNotExist) {
		_, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, false, fmt.Errorf("keys: generate signing key: %w", err)
		}
		if err := writePEM(sp, priv); err != nil {
			return nil, false, err
		}
		created = true
	}
	hp := filepath.Join(kd, hpkeFile)
	if _, err := os.Stat(hp); errors.Is(err, fs.ErrNotExist) {
		priv, err := ecdh.X25519().GenerateKey(rand.Reader)
		if err != nil {
			return nil, false, fmt.Errorf("keys: generate HPKE key: %w", err)
		}
		if err := writePEM(hp, priv); err != nil {
			return nil, false, err
		}
		created = true
	}
	sk, err := readPEM(sp)
	if err != nil {
		return nil, false, err
	}
	signing, ok := sk.(ed25519.PrivateKey)
	if !ok {
		return nil, false, fmt.Errorf("keys: %s: not an Ed25519 key", sp)
	}
	hk, err := readPEM(hp)
	if err != nil {
		return nil, false, err
	}
	hpke, ok := hk.(*ecdh.PrivateKey)
	if !ok || hpke.Curve() != ecdh.X25519() {
		return nil, false, fmt.Errorf("keys: %s: not an X25519 key", hp)
	}
	return &Node{Signing: signing, HPKE: hpke}, created, nil
}

func writePEM(path string, key any) error {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return fmt.Errorf("keys: encode %s: %w", path, err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("keys: create %s: %w", path, err)
	}
	if err := pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		f.Close()
		return fmt.Errorf("keys: write %s: %w", path, err)
	}
	return f.Close()
}

func readPEM(path string) (any, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	if st.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("keys: %s is readable by others (mode %v); run chmod 600 on it", path, st.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("keys: %w", err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil || blk.Type != "PRIVATE KEY" {
		return nil, fmt.Errorf("keys: %s: not a PEM private key", path)
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("keys: %s: %w", path, err)
	}
	return k, nil
}

// Fingerprint returns a short form of a public key that people can read to each
// other over the phone: SHA-256, base32, in groups of four.
func Fingerprint(pub []byte) string {
	h := sha256.Sum256(pub)
	return inFours(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(h[:15]))
}

// inFours spaces s in groups of four characters, easier to read aloud.
func inFours(s string) string {
	var groups []string
	for i := 0; i < len(s); i += 4 {
		groups = append(groups, s[i:min(i+4, len(s))])
	}
	return strings.Join(groups, " ")
}

// ReplaceSigning installs a new signing key, keeping the old file as
// node-signing-retired-<time>.pem.
func ReplaceSigning(dir string, key ed25519.PrivateKey, now time.Time) error {
	kd := filepath.Join(dir, "keys")
	cur := filepath.Join(kd, signingFile)
	retired := filepath.Join(kd, "node-signing-retired-"+now.UTC().Format("20060102T150405.000000000")+".pem")
	tmp := filepath.Join(kd, signingFile+".new")
	os.Remove(tmp)
	if err := writePEM(tmp, key); err != nil {
		return err
	}
	// Link, then replace: at every moment node-signing.pem holds a key (the
	// old one until the atomic rename), so a crash never leaves the node to
	// create an unannounced one.
	if err := os.Link(cur, retired); err != nil {
		return fmt.Errorf("keys: keep the old key: %w", err)
	}
	return os.Rename(tmp, cur)
}
