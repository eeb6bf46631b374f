package federation

import (
	"crypto/ed25519"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dunglas/httpsfv"
	"golang.org/x/time/rate"
)

// The key, request and expected signature of RFC 9421 Appendix B.1.4, B.2 and
// B.2.6 ("Signing a Request Using ed25519").
const (
	rfcPrivateKey = `-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIJ+DYvh6SEqVTm50DFtMDoQikTmiCqirVv9mWG9qfSnF
-----END PRIVATE KEY-----`
	rfcPublicKey = `-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAJrQLj5P/89iXES9+vFgrIy29clF9CC/oPPsw3c5D0bs=
-----END PUBLIC KEY-----`
	rfcBase = `"date": Tue, 20 Apr 2021 02:07:55 GMT
"@method": POST
"@path": /foo
"@authority": example.com
"content-type": application/json
"content-length": 18
"@signature-params": ("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"`
	rfcSignatureInput = `sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"`
	rfcSignature      = `sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:`
	rfcBody           = `{"hello": "world"}`
)

func rfcKeys(t *testing.T) (ed25519.PrivateKey, ed25519.PublicKey) {
	b, _ := pem.Decode([]byte(rfcPrivateKey))
	k, err := x509.ParsePKCS8PrivateKey(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := pem.Decode([]byte(rfcPublicKey))
	pk, err := x509.ParsePKIXPublicKey(p.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return k.(ed25519.PrivateKey), pk.(ed25519.PublicKey)
}

func rfcRequest() *http.Request {
	r, _ := http.NewRequest("POST", "https://example.com/foo?param=Value&Pet=dog", strings.NewReader(rfcBody))
	r.Host = "example.com"
	r.Header.Set("Date", "Tue, 20 Apr 2021 02:07:55 GMT")
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Content-Digest", "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:")
	r.Header.Set("Content-Length", "18")
	return r
}

var rfcComponents = []string{"date", "@method", "@path", "@authority", "content-type", "content-length"}

// TestRFC9421B26 signs the RFC's request with the RFC's key and must produce
// the RFC's signature base, Signature-Input and Signature byte for byte; and
// it must verify the RFC's signature.
func TestRFC9421B26(t *testing.T) {
	priv, pub := rfcKeys(t)
	r := rfcRequest()
	created := time.Unix(1618884473, 0)
	err := Sign(r, []byte(rfcBody), "https://example.com/foo?param=Value&Pet=dog", priv, SignParams{Label: "sig-b26", KeyID: "test-key-ed25519", Created: created, Components: rfcComponents})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Header.Get("Signature-Input"); got != rfcSignatureInput {
		t.Errorf("Signature-Input:\n got %s\nwant %s", got, rfcSignatureInput)
	}
	if got := r.Header.Get("Signature"); got != rfcSignature {
		t.Errorf("Signature:\n got %s\nwant %s", got, rfcSignature)
	}
	// The base, rebuilt from the RFC's own headers.
	in, _ := httpsfv.UnmarshalDictionary([]string{rfcSignatureInput})
	m, _ := in.Get("sig-b26")
	base, err := signatureBase(rfcRequest(), m.(httpsfv.InnerList), "https://example.com/foo?param=Value&Pet=dog")
	if err != nil || base != rfcBase {
		t.Fatalf("signature base:\n%s\n%v", base, err)
	}
	// Verify the RFC's own headers.
	r2 := rfcRequest()
	r2.Header.Set("Signature-Input", rfcSignatureInput)
	r2.Header.Set("Signature", rfcSignature)
	v, err := Verify(r2, []byte(rfcBody), "https://example.com/foo?param=Value&Pet=dog", VerifyOptions{
		Now: created.Add(time.Minute), MaxSkew: 5 * time.Minute,
		Key: func(kid string) (ed25519.PublicKey, error) {
			if kid != "test-key-ed25519" {
				return nil, errors.New("unknown key")
			}
			return pub, nil
		},
	})
	if err != nil || v.KeyID != "test-key-ed25519" {
		t.Fatalf("verify RFC example: %+v %v", v, err)
	}
}

func TestVerifyRefusals(t *testing.T) {
	priv, pub := rfcKeys(t)
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	body := []byte(`{"id":"x"}`)
	target := "https://node-b.example/federation/v1/inbox"
	signed := func() *http.Request {
		r, _ := http.NewRequest("POST", target, nil)
		if err := Sign(r, body, target, priv, SignParams{KeyID: "node-a.example", Created: now, Alg: true}); err != nil {
			t.Fatal(err)
		}
		return r
	}
	opts := VerifyOptions{Required: RequiredComponents, Now: now, MaxSkew: 5 * time.Minute, Key: func(string) (ed25519.PublicKey, error) { return pub, nil }}
	if _, err := Verify(signed(), body, target, opts); err != nil {
		t.Fatalf("good request refused: %v", err)
	}
	for name, tc := range map[string]struct {
		mutate func(*http.Request) ([]byte, string, VerifyOptions)
		want   string
	}{
		"tampered body": {func(r *http.Request) ([]byte, string, VerifyOptions) {
			return []byte(`{"id":"y"}`), target, opts
		}, "does not match"},
		"other target": {func(r *http.Request) ([]byte, string, VerifyOptions) {
			return body, "https://node-c.example/federation/v1/inbox", opts
		}, "does not verify"},
		"old signature": {func(r *http.Request) ([]byte, string, VerifyOptions) {
			o := opts
			o.Now = now.Add(time.Hour)
			return body, target, o
		}, "outside the accepted window"},
		"unsigned": {func(r *http.Request) ([]byte, string, VerifyOptions) {
			r.Header.Del("Signature")
			return body, target, opts
		}, "not signed"},
		"required header not covered": {func(r *http.Request) ([]byte, string, VerifyOptions) {
			o := opts
			o.Required = append(o.Required, "content-type")
			return body, target, o
		}, "not covered"},
		"digest not covered": {func(r *http.Request) ([]byte, string, VerifyOptions) {
			r.Header.Del("Signature-Input")
			r.Header.Del("Signature")
			Sign(r, body, target, priv, SignParams{KeyID: "node-a.example", Created: now, Components: []string{"@method", "@target-uri"}})
			return []byte("anything at all"), target, opts
		}, `"content-digest" is not covered`},
		"other algorithm": {func(r *http.Request) ([]byte, string, VerifyOptions) {
			r.Header.Set("Signature-Input", strings.Replace(r.Header.Get("Signature-Input"), `alg="ed25519"`, `alg="hmac-sha256"`, 1))
			return body, target, opts
		}, "is not accepted"},
		"unknown signer": {func(r *http.Request) ([]byte, string, VerifyOptions) {
			o := opts
			o.Key = func(string) (ed25519.PublicKey, error) { return nil, errors.New("unknown peer") }
			return body, target, o
		}, "unknown peer"},
		"wrong key": {func(r *http.Request) ([]byte, string, VerifyOptions) {
			other, _, _ := ed25519.GenerateKey(nil)
			o := opts
			o.Key = func(string) (ed25519.PublicKey, error) { return other, nil }
			return body, target, o
		}, "does not verify"},
		"garbage header": {func(r *http.Request) ([]byte, string, VerifyOptions) {
			r.Header.Set("Signature-Input", `sig1=("@method"`)
			return body, target, opts
		}, "Signature-Input"},
	} {
		r := signed()
		b, tu, o := tc.mutate(r)
		_, err := Verify(r, b, tu, o)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v; want an error with %q", name, err, tc.want)
		}
	}
}

// FuzzVerify: hostile signature headers never crash the verifier and never
// verify without the key's signature.
func FuzzVerify(f *testing.F) {
	f.Add(rfcSignatureInput, rfcSignature, rfcBody)
	f.Add(`sig1=("@method" "@target-uri" "content-digest");created=1;keyid="a";alg="ed25519"`, `sig1=:AAAA:`, "")
	f.Add(`a=();created=-1`, `a=?1`, "x")
	_, pub := rfcKeys(&testing.T{})
	f.Fuzz(func(t *testing.T, input, sig, body string) {
		r := rfcRequest()
		r.Header.Set("Signature-Input", input)
		r.Header.Set("Signature", sig)
		v, err := Verify(r, []byte(body), "https://example.com/foo?param=Value&Pet=dog", VerifyOptions{
			Now: time.Unix(1618884473, 0), Key: func(string) (ed25519.PublicKey, error) { return pub, nil }})
		if err == nil && (input != rfcSignatureInput || sig != rfcSignature) {
			// Only re-serialisations of the RFC's own signature may verify.
			if v.KeyID != "test-key-ed25519" {
				t.Fatalf("verified a forged signature: %q %q", input, sig)
			}
		}
	})
}

func TestAddressLimiterBoundsUnverifiedRequests(t *testing.T) {
	s := &Service{addrLimiters: map[string]*rate.Limiter{}}
	allowed := 0
	for i := 0; i < 1500; i++ {
		if s.addrLimiter("198.51.100.7").Allow() {
			allowed++
		}
	}
	if allowed < 1000 || allowed > 1100 {
		t.Fatalf("%d of 1,500 immediate requests allowed; want the burst of 1,000 (plus what refills)", allowed)
	}
	if !s.addrLimiter("203.0.113.1").Allow() {
		t.Fatal("another address is limited too")
	}
}
