package ap

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	testKeyOnce  sync.Once
	testKeys     [2]*rsa.PrivateKey
	testKeysPEM  [2]string
	testNow      = time.Date(2026, 3, 4, 10, 20, 30, 0, time.UTC)
	testActivity = []byte(`{"@context":"https://www.w3.org/ns/activitystreams","id":"https://social.example/users/alice/statuses/1/activity","type":"Create","actor":"https://social.example/users/alice","object":"https://social.example/users/alice/statuses/1"}`)
)

const testKeyID = "https://social.example/users/alice#main-key"

// mustKeys returns two 2048-bit keys, made once per test binary.
func mustKeys(t testing.TB) [2]*rsa.PrivateKey {
	t.Helper()
	testKeyOnce.Do(func() {
		for i := range testKeys {
			k, _, pub, err := NewKey()
			if err != nil {
				panic(err)
			}
			testKeys[i], testKeysPEM[i] = k, pub
		}
	})
	return testKeys
}

func keyFunc(pub *rsa.PublicKey) func(context.Context, string) (*rsa.PublicKey, error) {
	return func(_ context.Context, id string) (*rsa.PublicKey, error) {
		if id != testKeyID {
			return nil, fmt.Errorf("unknown key %q", id)
		}
		return pub, nil
	}
}

// inbound makes the request a server would receive for what a client signed.
func inbound(t testing.TB, method, target string, body []byte, sign func(r *http.Request)) *http.Request {
	t.Helper()
	out := httptest.NewRequest(method, "https://mastodon.example"+target, bytes.NewReader(body))
	sign(out)
	in := httptest.NewRequest(method, target, bytes.NewReader(body))
	in.Host = "mastodon.example"
	in.Header = out.Header.Clone()
	return in
}

func mastodonSigned(t testing.TB, key *rsa.PrivateKey, method, target string, body []byte, now time.Time) *http.Request {
	return inbound(t, method, target, body, func(r *http.Request) {
		if err := Sign(r, body, testKeyID, key, now); err != nil {
			t.Fatal(err)
		}
	})
}

// gotosocialSigned signs as GoToSocial does: algorithm="hs2019" over the
// same headers Mastodon signs.
func gotosocialSigned(t testing.TB, key *rsa.PrivateKey, method, target string, body []byte, now time.Time) *http.Request {
	return inbound(t, method, target, body, func(r *http.Request) {
		h := []string{"(request-target)", "host", "date"}
		if method == http.MethodPost {
			h = append(h, "digest")
		}
		if err := sign(r, body, testKeyID, key, now, r.URL.RequestURI(), "hs2019", h); err != nil {
			t.Fatal(err)
		}
	})
}

func TestVerifyAcceptsMastodonAndGoToSocial(t *testing.T) {
	k := mustKeys(t)
	for _, tc := range []struct {
		name string
		r    *http.Request
		body []byte
	}{
		{"Mastodon POST", mastodonSigned(t, k[0], "POST", "/users/bob/inbox", testActivity, testNow), testActivity},
		{"Mastodon GET", mastodonSigned(t, k[0], "GET", "/users/bob/outbox?page=true", nil, testNow), nil},
		{"GoToSocial POST", gotosocialSigned(t, k[0], "POST", "/users/bob/inbox", testActivity, testNow), testActivity},
		{"GoToSocial GET", gotosocialSigned(t, k[0], "GET", "/users/bob", nil, testNow), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			id, err := Verify(context.Background(), tc.r, tc.body, testNow.Add(30*time.Second), keyFunc(&k[0].PublicKey))
			if err != nil || id != testKeyID {
				t.Fatalf("Verify = %q, %v", id, err)
			}
		})
	}
}

// resign replaces the Signature with one over p's headers, written with
// the given parameter text before the signature (tests of odd senders).
func resign(t testing.TB, r *http.Request, key *rsa.PrivateKey, p sigParams, params string) {
	t.Helper()
	s, err := signingString(r, p, requestTarget(r))
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.Sum256([]byte(s))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, h[:])
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Signature", params+`,signature="`+base64.StdEncoding.EncodeToString(sig)+`"`)
}

func TestVerifyRefuses(t *testing.T) {
	k := mustKeys(t)
	post := func() *http.Request {
		return mastodonSigned(t, k[0], "POST", "/users/bob/inbox", testActivity, testNow)
	}
	get := func() *http.Request { return mastodonSigned(t, k[0], "GET", "/users/bob", nil, testNow) }
	other := []byte(strings.Replace(string(testActivity), "statuses/1", "statuses/2", -1))
	for _, tc := range []struct {
		name string
		r    func() *http.Request
		body []byte
		now  time.Time
		key  *rsa.PublicKey
		want error
	}{
		{name: "unsigned", r: func() *http.Request { r := post(); r.Header.Del("Signature"); return r }, want: ErrNoSignature},
		{name: "body changed after the digest", r: post, body: other, want: ErrBadDigest},
		{name: "digest changed with the body", r: func() *http.Request {
			r := post()
			sum := sha256.Sum256(other)
			r.Header.Set("Digest", "SHA-256="+base64.StdEncoding.EncodeToString(sum[:]))
			return r
		}, body: other, want: ErrBadSignature},
		{name: "no digest header", r: func() *http.Request { r := post(); r.Header.Del("Digest"); return r }, want: ErrBadDigest},
		{name: "digest of another algorithm only", r: func() *http.Request {
			r := post()
			r.Header.Set("Digest", "MD5=Sd/dVLAcvNLSq16eXua5uQ==")
			return r
		}, want: ErrBadDigest},
		{name: "date two hours old", r: post, now: testNow.Add(2 * time.Hour), want: ErrExpired},
		{name: "date two hours ahead", r: post, now: testNow.Add(-2 * time.Hour), want: ErrExpired},
		{name: "date changed", r: func() *http.Request {
			r := post()
			r.Header.Set("Date", testNow.Add(time.Minute).Format(http.TimeFormat))
			return r
		}, want: ErrBadSignature},
		{name: "host not signed", r: func() *http.Request {
			r := post()
			resign(t, r, k[0], sigParams{headers: []string{"(request-target)", "date", "digest"}}, `keyId="`+testKeyID+`",algorithm="rsa-sha256",headers="(request-target) date digest"`)
			return r
		}, want: ErrBadSignature},
		{name: "digest not signed on POST", r: func() *http.Request {
			r := post()
			resign(t, r, k[0], sigParams{headers: []string{"(request-target)", "host", "date"}}, `keyId="`+testKeyID+`",algorithm="rsa-sha256",headers="(request-target) host date"`)
			return r
		}, want: ErrBadSignature},
		{name: "date not signed", r: func() *http.Request {
			r := get()
			resign(t, r, k[0], sigParams{headers: []string{"(request-target)", "host"}}, `keyId="`+testKeyID+`",headers="(request-target) host"`)
			return r
		}, want: ErrBadSignature},
		{name: "target not signed on GET", r: func() *http.Request {
			r := get()
			resign(t, r, k[0], sigParams{headers: []string{"host", "date"}}, `keyId="`+testKeyID+`",headers="host date"`)
			return r
		}, want: ErrBadSignature},
		{name: "signed header absent", r: func() *http.Request {
			r := get()
			r.Header.Set("X-Extra", "1")
			resign(t, r, k[0], sigParams{headers: []string{"(request-target)", "host", "date", "x-extra"}}, `keyId="`+testKeyID+`",headers="(request-target) host date x-extra"`)
			r.Header.Del("X-Extra")
			return r
		}, want: ErrBadSignature},
		{name: "signature bit flipped", r: func() *http.Request {
			r := post()
			p, _ := parseSignature(r.Header.Get("Signature"))
			raw, _ := base64.StdEncoding.DecodeString(p.signature)
			raw[len(raw)/2] ^= 0x10
			r.Header.Set("Signature", strings.Replace(r.Header.Get("Signature"), p.signature, base64.StdEncoding.EncodeToString(raw), 1))
			return r
		}, want: ErrBadSignature},
		{name: "wrong key", r: post, key: &k[1].PublicKey, want: ErrBadSignature},
		{name: "path changed", r: func() *http.Request {
			r := post()
			r.RequestURI = "/users/carol/inbox"
			return r
		}, want: ErrBadSignature},
		{name: "hmac-sha256", r: func() *http.Request {
			r := post()
			r.Header.Set("Signature", strings.Replace(r.Header.Get("Signature"), "rsa-sha256", "hmac-sha256", 1))
			return r
		}, want: ErrBadSignature},
		{name: "ed25519", r: func() *http.Request {
			r := post()
			r.Header.Set("Signature", strings.Replace(r.Header.Get("Signature"), "rsa-sha256", "ed25519", 1))
			return r
		}, want: ErrBadSignature},
		{name: "keyId twice", r: func() *http.Request {
			r := post()
			r.Header.Set("Signature", `keyId="https://evil.example/actor#main-key",`+r.Header.Get("Signature"))
			return r
		}, want: ErrBadSignature},
		{name: "headers twice", r: func() *http.Request {
			r := post()
			r.Header.Set("Signature", r.Header.Get("Signature")+`,headers="date"`)
			return r
		}, want: ErrBadSignature},
		{name: "two Signature headers", r: func() *http.Request {
			r := post()
			r.Header.Add("Signature", r.Header.Get("Signature"))
			return r
		}, want: ErrBadSignature},
		{name: "(created) under rsa-sha256", r: func() *http.Request {
			r := post()
			created := fmt.Sprint(testNow.Unix())
			r.Header.Set("Signature", `keyId="`+testKeyID+`",algorithm="rsa-sha256",created=`+created+`,headers="(request-target) host (created) digest",signature="AAAA"`)
			return r
		}, want: ErrBadSignature},
		{name: "expired by its expires", r: func() *http.Request {
			r := post()
			p := sigParams{algorithm: "hs2019", headers: []string{"(request-target)", "host", "(created)", "(expires)", "digest"},
				created: testNow.Unix(), expires: float64(testNow.Unix() + 10), hasCreated: true, hasExpires: true}
			resign(t, r, k[0], p, fmt.Sprintf(`keyId="%s",algorithm="hs2019",created=%d,expires=%d,headers="(request-target) host (created) (expires) digest"`, testKeyID, p.created, int64(p.expires)))
			return r
		}, now: testNow.Add(time.Minute), want: ErrExpired},
		{name: "key not found", r: func() *http.Request {
			r := post()
			r.Header.Set("Signature", strings.Replace(r.Header.Get("Signature"), testKeyID, "https://social.example/other#main-key", 1))
			return r
		}, want: ErrBadSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body := testActivity
			if tc.body != nil {
				body = tc.body
			}
			now := testNow
			if !tc.now.IsZero() {
				now = tc.now
			}
			key := &k[0].PublicKey
			if tc.key != nil {
				key = tc.key
			}
			r := tc.r()
			if r.Method == "GET" {
				body = nil
			}
			id, err := Verify(context.Background(), r, body, now, keyFunc(key))
			if !errors.Is(err, tc.want) {
				t.Fatalf("Verify = %q, %v; want %v", id, err, tc.want)
			}
			// The keyId comes back with a failure (for a refetch after a
			// rotation) once the header could be read.
			if tc.want == ErrBadSignature && tc.key != nil && id != testKeyID {
				t.Errorf("keyId %q not returned with the failure", id)
			}
		})
	}
}

func TestVerifyAcceptsOtherShapes(t *testing.T) {
	k := mustKeys(t)
	t.Run("hs2019 with (created), no date", func(t *testing.T) {
		r := mastodonSigned(t, k[0], "POST", "/inbox", testActivity, testNow)
		r.Header.Del("Date")
		p := sigParams{algorithm: "hs2019", headers: []string{"(request-target)", "host", "(created)", "digest"}, created: testNow.Unix(), hasCreated: true}
		resign(t, r, k[0], p, fmt.Sprintf(`keyId="%s", algorithm="hs2019", created=%d, headers="(request-target) host (created) digest"`, testKeyID, p.created))
		if _, err := Verify(context.Background(), r, testActivity, testNow, keyFunc(&k[0].PublicKey)); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("SHA-512 digest", func(t *testing.T) {
		r := mastodonSigned(t, k[0], "POST", "/inbox", testActivity, testNow)
		sum := sha512.Sum512(testActivity)
		r.Header.Set("Digest", "SHA-512="+base64.StdEncoding.EncodeToString(sum[:]))
		resign(t, r, k[0], sigParams{headers: []string{"(request-target)", "host", "date", "digest"}}, `keyId="`+testKeyID+`",algorithm="rsa-sha256",headers="(request-target) host date digest"`)
		if _, err := Verify(context.Background(), r, testActivity, testNow, keyFunc(&k[0].PublicKey)); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("Authorization header", func(t *testing.T) {
		r := mastodonSigned(t, k[0], "GET", "/users/bob", nil, testNow)
		r.Header.Set("Authorization", "Signature "+r.Header.Get("Signature"))
		r.Header.Del("Signature")
		if _, err := Verify(context.Background(), r, nil, testNow, keyFunc(&k[0].PublicKey)); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("date 59 minutes old", func(t *testing.T) {
		r := mastodonSigned(t, k[0], "POST", "/inbox", testActivity, testNow)
		if _, err := Verify(context.Background(), r, testActivity, testNow.Add(59*time.Minute), keyFunc(&k[0].PublicKey)); err != nil {
			t.Fatal(err)
		}
	})
}

func TestSignVerifyOverHTTP(t *testing.T) {
	k := mustKeys(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := readLimited(r.Body)
		id, err := Verify(r.Context(), r, body, time.Now(), keyFunc(&k[0].PublicKey))
		switch {
		case errors.Is(err, ErrBadDigest):
			w.WriteHeader(http.StatusBadRequest)
		case err != nil:
			http.Error(w, err.Error(), http.StatusUnauthorized)
		default:
			w.Header().Set("X-Key", id)
			w.WriteHeader(http.StatusAccepted)
		}
	}))
	defer srv.Close()
	for _, method := range []string{"GET", "POST"} {
		var body []byte
		if method == "POST" {
			body = testActivity
		}
		r, err := http.NewRequest(method, srv.URL+"/users/bob/inbox?x=%2Fy", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if err := Sign(r, body, testKeyID, k[0], time.Now()); err != nil {
			t.Fatal(err)
		}
		resp, err := srv.Client().Do(r)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted || resp.Header.Get("X-Key") != testKeyID {
			t.Errorf("%s: status %d", method, resp.StatusCode)
		}
	}
}
