package keys

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"
)

// TestParsePin reads a key in base64 or its fingerprint as an operator
// reads it out, in any case and spacing, and matches only that key.
func TestParsePin(t *testing.T) {
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	other, _, _ := ed25519.GenerateKey(rand.Reader)
	fp := Fingerprint(pub)
	for _, s := range []string{base64.StdEncoding.EncodeToString(pub), base64.RawURLEncoding.EncodeToString(pub), fp, strings.ToLower(fp), strings.ReplaceAll(fp, " ", ""), " " + fp + " "} {
		p, err := ParsePin(s)
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if !p.Matches(pub) || p.Matches(other) || p.Shown() != fp {
			t.Errorf("%q: matches its key %v, another %v; shown %q", s, p.Matches(pub), p.Matches(other), p.Shown())
		}
	}
	for _, s := range []string{"", "abc", fp[:len(fp)-1], strings.Replace(fp, fp[:1], "1", 1), base64.StdEncoding.EncodeToString(pub[:31])} {
		if _, err := ParsePin(s); err == nil {
			t.Errorf("%q: accepted", s)
		}
	}
}
