package ap

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestClientGetSigned(t *testing.T) {
	k := mustKeys(t)
	doc := `{"id":"x"}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := Verify(r.Context(), r, nil, time.Now(), keyFunc(&k[0].PublicKey)); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		if !AcceptsActivity(r.Header.Get("Accept")) || r.Header.Get("User-Agent") != "Entente/test" {
			http.Error(w, "accept", http.StatusNotAcceptable)
			return
		}
		w.Header().Set("Content-Type", ContentType)
		switch r.URL.Path {
		case "/big":
			_, _ = io.WriteString(w, strings.Repeat(" ", MaxDocument+1))
		case "/gone":
			w.WriteHeader(http.StatusGone)
		default:
			_, _ = io.WriteString(w, doc)
		}
	}))
	defer srv.Close()
	c := &Client{HTTP: srv.Client(), UserAgent: "Entente/test"}
	b, err := c.Get(context.Background(), srv.URL+"/users/bob", testKeyID, k[0])
	if err != nil || string(b) != doc {
		t.Fatalf("Get = %q, %v", b, err)
	}
	if _, err := c.Get(context.Background(), srv.URL+"/users/bob", testKeyID, k[1]); !isStatus(err, 401) {
		t.Errorf("wrong key: %v", err)
	}
	if _, err := c.Get(context.Background(), srv.URL+"/big", testKeyID, k[0]); !errors.Is(err, ErrTooLarge) {
		t.Errorf("big: %v", err)
	}
	if _, err := c.Get(context.Background(), srv.URL+"/gone", testKeyID, k[0]); !isStatus(err, 410) {
		t.Errorf("gone: %v", err)
	}
	if _, err := c.Get(context.Background(), "file:///etc/passwd", testKeyID, k[0]); err == nil {
		t.Error("file URL fetched")
	}
}

func isStatus(err error, code int) bool {
	var se *StatusError
	return errors.As(err, &se) && se.Status == code
}

// TestClientGetRetriesWithoutQuery plays a server that signs and checks
// (request-target) without the query string: the first attempt gets 401,
// the retry signs the bare path.
func TestClientGetRetriesWithoutQuery(t *testing.T) {
	k := mustKeys(t)
	var attempts atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		attempts.Add(1)
		h, err := signatureHeader(r)
		if err != nil {
			http.Error(w, "unsigned", http.StatusUnauthorized)
			return
		}
		p, err := parseSignature(h)
		if err != nil || verifySigned(r, p, r.URL.EscapedPath(), &k[0].PublicKey) != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		_, _ = io.WriteString(w, `{"page":2}`)
	}))
	defer srv.Close()
	c := &Client{HTTP: srv.Client()}
	b, err := c.Get(context.Background(), srv.URL+"/users/bob/outbox?page=2", testKeyID, k[0])
	if err != nil || string(b) != `{"page":2}` || attempts.Load() != 2 {
		t.Fatalf("Get = %q, %v after %d attempts", b, err, attempts.Load())
	}
	attempts.Store(0)
	if _, err := c.Get(context.Background(), srv.URL+"/users/bob/outbox?page=2", testKeyID, k[1]); !isStatus(err, 401) || attempts.Load() != 2 {
		t.Errorf("wrong key: %v after %d attempts (want one retry only)", err, attempts.Load())
	}
}

func TestClientPost(t *testing.T) {
	k := mustKeys(t)
	now := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := readLimited(r.Body)
		if _, err := Verify(r.Context(), r, body, now, keyFunc(&k[0].PublicKey)); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		if !AcceptsActivity(r.Header.Get("Content-Type")) {
			w.WriteHeader(http.StatusNotAcceptable)
			return
		}
		switch r.URL.Path {
		case "/slow":
			w.Header().Set("Retry-After", "120")
			w.WriteHeader(http.StatusTooManyRequests)
		case "/down":
			w.Header().Set("Retry-After", now.Add(time.Hour).Format(http.TimeFormat))
			w.WriteHeader(http.StatusServiceUnavailable)
		case "/bad":
			w.WriteHeader(http.StatusBadRequest)
		default:
			w.WriteHeader(http.StatusAccepted)
		}
	}))
	defer srv.Close()
	c := &Client{HTTP: srv.Client(), Now: func() time.Time { return now }}
	for _, tc := range []struct {
		path   string
		status int
		retry  time.Duration
		err    bool
	}{
		{"/inbox", 202, 0, false},
		{"/slow", 429, 2 * time.Minute, false},
		{"/down", 503, time.Hour, false},
		{"/bad", 400, 0, false},
	} {
		status, retry, err := c.Post(context.Background(), srv.URL+tc.path, testActivity, testKeyID, k[0])
		if status != tc.status || retry != tc.retry || (err != nil) != tc.err {
			t.Errorf("%s: %d %v %v", tc.path, status, retry, err)
		}
	}
	if status, _, err := c.Post(context.Background(), "http://127.0.0.1:1/inbox", testActivity, testKeyID, k[0]); err == nil || status != 0 {
		t.Errorf("a closed port answered %d", status)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	for h, want := range map[string]time.Duration{
		"":                              0,
		"30":                            30 * time.Second,
		"-5":                            0,
		"99999999999999":                7 * 24 * time.Hour,
		"Wed, 04 Mar 2026 10:05:00 GMT": 5 * time.Minute,
		"Wed, 04 Mar 2026 09:00:00 GMT": 0,
		"soon":                          0,
	} {
		if got := retryAfter(h, now); got != want {
			t.Errorf("retryAfter(%q) = %v, want %v", h, got, want)
		}
	}
}

func TestFinger(t *testing.T) {
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := strings.TrimPrefix(srv.URL, "http://")
		if r.URL.Path == "/moved" {
			r.URL.Path = "/.well-known/webfinger"
		} else if r.URL.Path != "/.well-known/webfinger" {
			http.NotFound(w, r)
			return
		}
		self := func(user string) string { return srv.URL + "/users/" + user }
		res := r.URL.Query().Get("resource")
		var subject, href string
		switch res {
		case "acct:alice@" + host:
			subject, href = res, self("alice")
		case "acct:Alice@" + host: // case differs: the canonical spelling answers
			subject, href = "acct:alice@"+host, self("alice")
		case "acct:redirected@" + host:
			http.Redirect(w, r, "/moved?resource="+strings.Replace(res, "redirected", "alice", 1), http.StatusMovedPermanently)
			return
		case "acct:impostor@" + host: // claims to be alice, pointing at mallory
			subject, href = "acct:alice@"+host, self("mallory")
		case "acct:elsewhere@" + host: // claims an account on a host that cannot confirm
			subject, href = "acct:alice@unreachable.invalid", self("alice")
		case "acct:noself@" + host:
			subject = res
		default:
			http.NotFound(w, r)
			return
		}
		links := `[{"rel":"http://webfinger.net/rel/profile-page","type":"text/html","href":"` + srv.URL + `/@x"}`
		if href != "" {
			links += `,{"rel":"self","type":"application/activity+json","href":"` + href + `"}`
		}
		w.Header().Set("Content-Type", "application/jrd+json")
		fmt.Fprintf(w, `{"subject":%q,"links":%s]}`, subject, links)
	}))
	defer srv.Close()
	host := strings.TrimPrefix(srv.URL, "http://")
	c := &Client{HTTP: srv.Client(), Insecure: true}
	for _, acct := range []string{"alice@" + host, "@alice@" + host, "acct:alice@" + host, "Alice@" + host, "redirected@" + host} {
		id, err := c.Finger(context.Background(), acct)
		if err != nil || id != srv.URL+"/users/alice" {
			t.Errorf("Finger(%q) = %q, %v", acct, id, err)
		}
	}
	for _, acct := range []string{"impostor@" + host, "elsewhere@" + host, "noself@" + host, "nobody@" + host,
		"alice", "@" + host, "alice@", "alice@host/path", "a/b@" + host, "alice@user:pw@" + host} {
		if id, err := c.Finger(context.Background(), acct); err == nil {
			t.Errorf("Finger(%q) = %q, want an error", acct, id)
		}
	}
	if _, err := (&Client{HTTP: srv.Client()}).Finger(context.Background(), "alice@"+host); err == nil {
		t.Error("https to a plain-http server succeeded")
	}
}
