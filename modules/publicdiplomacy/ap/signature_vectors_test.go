package ap

import (
	"context"
	"crypto/rsa"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// The test key and request of draft-cavage-http-signatures-12, Appendix C.
const (
	draftPublicKey = `-----BEGIN PUBLIC KEY-----
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDCFENGw33yGihy92pDjZQhl0C3
6rPJj+CvfSC8+q28hxA161QFNUd13wuCTUcq0Qd2qsBe/2hFyc2DCJJg0h1L78+6
Z4UMR7EOcpfdUE9Hf3m/hs+FUR45uBJeDK1HSFHD8bHKD6kv8FPGfJTotc+2xjJw
oYi+1hqp1fIekaxsyQIDAQAB
-----END PUBLIC KEY-----
`
	draftPrivateKey = `-----BEGIN RSA PRIVATE KEY-----
MIICXgIBAAKBgQDCFENGw33yGihy92pDjZQhl0C36rPJj+CvfSC8+q28hxA161QF
NUd13wuCTUcq0Qd2qsBe/2hFyc2DCJJg0h1L78+6Z4UMR7EOcpfdUE9Hf3m/hs+F
UR45uBJeDK1HSFHD8bHKD6kv8FPGfJTotc+2xjJwoYi+1hqp1fIekaxsyQIDAQAB
AoGBAJR8ZkCUvx5kzv+utdl7T5MnordT1TvoXXJGXK7ZZ+UuvMNUCdN2QPc4sBiA
QWvLw1cSKt5DsKZ8UETpYPy8pPYnnDEz2dDYiaew9+xEpubyeW2oH4Zx71wqBtOK
kqwrXa/pzdpiucRRjk6vE6YY7EBBs/g7uanVpGibOVAEsqH1AkEA7DkjVH28WDUg
f1nqvfn2Kj6CT7nIcE3jGJsZZ7zlZmBmHFDONMLUrXR/Zm3pR5m0tCmBqa5RK95u
412jt1dPIwJBANJT3v8pnkth48bQo/fKel6uEYyboRtA5/uHuHkZ6FQF7OUkGogc
mSJluOdc5t6hI1VsLn0QZEjQZMEOWr+wKSMCQQCC4kXJEsHAve77oP6HtG/IiEn7
kpyUXRNvFsDE0czpJJBvL/aRFUJxuRK91jhjC68sA7NsKMGg5OXb5I5Jj36xAkEA
gIT7aFOYBFwGgQAQkWNKLvySgKbAZRTeLBacpHMuQdl1DfdntvAyqpAZ0lY0RKmW
G6aFKaqQfOXKCyWoUiVknQJAXrlgySFci/2ueKlIE1QqIiLSZ8V8OlpFLRnb1pzI
7U1yQXnTAEFYM560yJlzUpOb1V4cScGd365tiSMvxLOvTA==
-----END RSA PRIVATE KEY-----
`
	draftBody   = `{"hello": "world"}`
	draftDigest = "SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE="
	draftDate   = "Sun, 05 Jan 2014 21:31:40 GMT"

	draftDefaultSig = `keyId="Test",algorithm="rsa-sha256",signature="SjWJWbWN7i0wzBvtPl8rbASWz5xQW6mcJmn+ibttBqtifLN7Sazz6m79cNfwwb8DMJ5cou1s7uEGKKCs+FLEEaDV5lp7q25WqS+lavg7T8hc0GppauB6hbgEKTwblDHYGEtbGmtdHgVCk9SuS13F0hZ8FD0k/5OxEPXe5WozsbM="`
	draftBasicSig   = `keyId="Test",algorithm="rsa-sha256",headers="(request-target) host date",signature="qdx+H7PHHDZgy4y/Ahn9Tny9V3GP6YgBPyUXMmoxWtLbHpUnXS2mg2+SbrQDMCJypxBLSPQR2aAjn7ndmw2iicw3HMbe8VfEdKFYRqzic+efkb3nndiv/x1xSHDJWeSWkx3ButlYSuBskLu6kd9Fswtemr3lgdDEmn04swr2Os0="`
	// The All Headers Test as printed lists (created) and (expires) with
	// rsa-sha256, which the draft's own section 2.3 says MUST be an error,
	// and its signature value is over the signing string it prints, which
	// leaves them out. So the value is checked over the printed headers.
	draftAllSigValue   = `vSdrb+dS3EceC9bcwHSo4MlyKS59iFIrhgYkz8+oVLEEzmYZZvRs8rgOp+63LEM3v+MFHB32NfpB2bEKBIvB1q52LaEUHFv120V01IL+TAD48XaERZFukWgHoBTLMhYS2Gb51gWxpeIq8knRmPnYePbF5MOkR0Zkly4zKH7s1dE=`
	draftAllPrinted    = `keyId="Test",algorithm="rsa-sha256", created=1402170695, expires=1402170699, headers="(request-target) (created) (expires) host date content-type digest content-length", signature="` + draftAllSigValue + `"`
	draftAllSigned     = `keyId="Test",algorithm="rsa-sha256",headers="(request-target) host date content-type digest content-length",signature="` + draftAllSigValue + `"`
	draftAllSigningStr = "(request-target): post /foo?param=value&pet=dog\nhost: example.com\ndate: Sun, 05 Jan 2014 21:31:40 GMT\ncontent-type: application/json\ndigest: SHA-256=X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=\ncontent-length: 18"
)

var draftNow = time.Date(2014, 1, 5, 21, 31, 40, 0, time.UTC)

// draftRequest is the Appendix C request as a server receives it.
func draftRequest(t testing.TB) *http.Request {
	t.Helper()
	r := httptest.NewRequest("POST", "/foo?param=value&pet=dog", strings.NewReader(draftBody))
	r.Host = "example.com"
	r.Header.Set("Date", draftDate)
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Digest", draftDigest)
	r.Header.Set("Content-Length", "18")
	return r
}

func mustDraftKey(t testing.TB) *rsa.PublicKey {
	t.Helper()
	k, err := ParsePublicKeyPEM(draftPublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestDraftAppendixC(t *testing.T) {
	pub := mustDraftKey(t)
	priv, err := ParsePrivateKeyPEM(draftPrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	if !priv.PublicKey.Equal(pub) {
		t.Fatal("the draft's private and public keys differ")
	}
	for _, tc := range []struct {
		name, header, auth string
		wantString         string
	}{
		{name: "Default Test", header: draftDefaultSig, wantString: "date: " + draftDate},
		{name: "Default Test (Authorization)", auth: "Signature " + draftDefaultSig, wantString: "date: " + draftDate},
		{name: "Basic Test", auth: "Signature " + draftBasicSig,
			wantString: "(request-target): post /foo?param=value&pet=dog\nhost: example.com\ndate: " + draftDate},
		{name: "All Headers Test", header: draftAllSigned, wantString: draftAllSigningStr},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := draftRequest(t)
			if tc.header != "" {
				r.Header.Set("Signature", tc.header)
			} else {
				r.Header.Set("Authorization", tc.auth)
			}
			h, err := signatureHeader(r)
			if err != nil {
				t.Fatal(err)
			}
			p, err := parseSignature(h)
			if err != nil {
				t.Fatal(err)
			}
			s, err := signingString(r, p, requestTarget(r))
			if err != nil {
				t.Fatal(err)
			}
			if s != tc.wantString {
				t.Errorf("signing string\n%s\nwant\n%s", s, tc.wantString)
			}
			if err := verifySigned(r, p, requestTarget(r), pub); err != nil {
				t.Fatalf("the draft's signature does not verify: %v", err)
			}
			if err := checkDigest(r, []byte(draftBody)); err != nil {
				t.Errorf("the draft's Digest: %v", err)
			}
			// Verify adds Mastodon's policy: the Default and Basic tests do
			// not sign the digest of a POST, so they are refused; the All
			// Headers Test passes it.
			_, err = Verify(context.Background(), r, []byte(draftBody), draftNow, func(context.Context, string) (*rsa.PublicKey, error) { return pub, nil })
			if tc.name == "All Headers Test" {
				if err != nil {
					t.Errorf("Verify: %v", err)
				}
			} else if !errors.Is(err, ErrBadSignature) {
				t.Errorf("Verify of a POST whose digest is unsigned: %v, want ErrBadSignature", err)
			}
		})
	}
	t.Run("All Headers Test as printed", func(t *testing.T) {
		r := draftRequest(t)
		r.Header.Set("Signature", draftAllPrinted)
		p, err := parseSignature(draftAllPrinted)
		if err != nil {
			t.Fatal(err)
		}
		if !p.hasCreated || p.created != 1402170695 || p.expires != 1402170699 {
			t.Errorf("created/expires not read: %+v", p)
		}
		if err := verifySigned(r, p, requestTarget(r), pub); !errors.Is(err, ErrBadSignature) {
			t.Errorf("(created) under rsa-sha256 must be an error (draft section 2.3): %v", err)
		}
	})
	t.Run("signing reproduces the Basic Test", func(t *testing.T) {
		r := draftRequest(t)
		r.URL.Host = "example.com"
		if err := sign(r, nil, "Test", priv, draftNow, "/foo?param=value&pet=dog", "rsa-sha256", []string{"(request-target)", "host", "date"}); err != nil {
			t.Fatal(err)
		}
		p, _ := parseSignature(r.Header.Get("Signature"))
		want, _ := parseSignature(draftBasicSig)
		if p.signature != want.signature {
			t.Errorf("signature %s\nwant %s", p.signature, want.signature)
		}
	})
}
