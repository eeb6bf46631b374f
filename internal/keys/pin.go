package keys

import (
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"strings"
)

// Pin is a node's key as someone checking a file got it from the node's
// operator: the key itself, or only its fingerprint, which operators read
// to each other over the phone. A fingerprint does not give the key, so it
// pins the key the file carries for that node instead of replacing it.
type Pin struct {
	Key         ed25519.PublicKey // nil when only a fingerprint was given
	Fingerprint string            // upper case, without spaces; "" when Key is given
}

// Pins are pins by host.
type Pins map[string]Pin

// PinKeys makes pins of whole keys, by host.
func PinKeys(keys map[string]ed25519.PublicKey) Pins {
	out := Pins{}
	for h, k := range keys {
		out[h] = Pin{Key: k}
	}
	return out
}

// fingerprintLen is the length of Fingerprint's text without its spaces:
// 15 bytes of SHA-256 in unpadded base32.
const fingerprintLen = 24

// ParsePin reads a base64 Ed25519 public key (any of the usual base64
// alphabets, padded or not) or a fingerprint as Fingerprint writes it,
// spaces optional, in either case. The two cannot be mistaken for each
// other: 32 bytes in base64 are 43 or 44 characters.
func ParsePin(s string) (Pin, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(s); err == nil && len(k) == ed25519.PublicKeySize {
			return Pin{Key: k}, nil
		}
	}
	fp := normalFingerprint(s)
	if len(fp) == fingerprintLen && strings.Trim(fp, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") == "" {
		return Pin{Fingerprint: fp}, nil
	}
	return Pin{}, errors.New("neither a base64 Ed25519 public key (32 bytes) nor a key fingerprint (24 letters and digits, as in G5WU DB42 …)")
}

// Matches reports whether key is the pinned one: the same key, or one
// with the pinned fingerprint.
func (p Pin) Matches(key ed25519.PublicKey) bool {
	if p.Key != nil {
		return p.Key.Equal(key)
	}
	return len(key) == ed25519.PublicKeySize && normalFingerprint(Fingerprint(key)) == p.Fingerprint
}

// Shown is the pin as people read it: the fingerprint, in its groups.
func (p Pin) Shown() string {
	if p.Key != nil {
		return Fingerprint(p.Key)
	}
	return inFours(p.Fingerprint)
}

func normalFingerprint(s string) string {
	return strings.ToUpper(strings.Join(strings.Fields(s), ""))
}
