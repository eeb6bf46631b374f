package web

import (
	"net/http/httptest"
	"net/netip"
	"testing"

	"entente.example/entente/core"
)

type fuzzTarget struct {
	Handle  string   `json:"handle"`
	Kind    string   `json:"kind"`
	Days    int      `json:"expires_in_days"`
	Scopes  []string `json:"scopes"`
	Enabled bool     `json:"enabled"`
}

// FuzzDecodeJSON: request bodies from anyone never crash the decoder, and
// every refusal is an invalid-kind error that names a field or says why.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{
		`{"handle":"kemlu","kind":"state_ministry"}`,
		`{"handle":1}`,
		`{"unknown":true}`,
		`{"scopes":["read","write"],"expires_in_days":30}`,
		`{} {}`,
		`[`,
		`null`,
		"\xff\xfe",
		`{"handle":"\u0000"}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var v fuzzTarget
		err := decodeJSONBytes(body, &v)
		if err == nil {
			return
		}
		ce := core.AsError(err)
		if ce == nil || ce.Kind != core.KindInvalid || ce.Message == "" {
			t.Fatalf("decode(%q) = %v; want an invalid error with a message", body, err)
		}
	})
}

// FuzzPickLang: any Accept-Language header yields one of our languages.
func FuzzPickLang(f *testing.F) {
	for _, s := range []string{"id-ID,id;q=0.9,en;q=0.8", "en-GB", "*", "", "fr;q=1.5", "zz-ZZ-x-private", ";;;,,,q="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Accept-Language", header)
		if l := pickLang(r, ""); l != "en" && l != "id" {
			t.Fatalf("pickLang(%q) = %q", header, l)
		}
	})
}

func TestPickLang(t *testing.T) {
	for header, want := range map[string]string{
		"id-ID,id;q=0.9,en;q=0.8": "id",
		"en-GB,en;q=0.9":          "en",
		"ms-MY,id;q=0.5":          "id",
		"fr-FR":                   "en",
		"":                        "en",
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Accept-Language", header)
		if got := pickLang(r, ""); got != want {
			t.Errorf("pickLang(%q) = %q, want %q", header, got, want)
		}
	}
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("Accept-Language", "id")
	if got := pickLang(r, "en"); got != "en" {
		t.Errorf("the person's own choice should win: got %q", got)
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/orgs/kemlu":          "/orgs/kemlu",
		"//evil.example":       "/",
		`/\evil.example`:       "/",
		"https://evil.example": "/",
		"":                     "/",
		"/a\r\nSet-Cookie: x":  "/",
		"/\t/evil.example":     "/",
		"/%09/evil.example":    "/%09/evil.example",
		"/orgs?q=a&kind=b":     "/orgs?q=a&kind=b",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestClientIPBehindTrustedProxy(t *testing.T) {
	s := &Server{Deps: Deps{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}}
	for _, tc := range []struct{ remote, xff, want string }{
		{"203.0.113.9:5000", "198.51.100.1", "203.0.113.9"},                  // untrusted peer: its header is ignored
		{"10.0.0.2:5000", "198.51.100.1", "198.51.100.1"},                    // behind our proxy
		{"10.0.0.2:5000", "6.6.6.6, 198.51.100.1, 10.0.0.3", "198.51.100.1"}, // a client-supplied first hop is ignored
		{"10.0.0.2:5000", "", "10.0.0.2"},
		{"10.0.0.2:5000", "not-an-ip", "10.0.0.2"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tc.remote
		if tc.xff != "" {
			r.Header.Set("X-Forwarded-For", tc.xff)
		}
		if got := s.clientIP(r); got != tc.want {
			t.Errorf("clientIP(%s, %q) = %s, want %s", tc.remote, tc.xff, got, tc.want)
		}
	}
}
