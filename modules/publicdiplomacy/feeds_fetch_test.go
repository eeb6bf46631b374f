package publicdiplomacy_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/netguard"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/publicdiplomacy"
)

// TestFeedFetchRefusesPrivateAddresses polls through the client a node
// has when it does not allow private addresses: a feed on 127.0.0.1, on
// the cloud metadata address and on ::1 fails with the refusal on the
// feed's page and never reaches the server, and so does a public
// address that redirects to one.
func TestFeedFetchRefusesPrivateAddresses(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		fs := newFeedServer(t)
		fs.Serve("/feed", func(w http.ResponseWriter, r *http.Request) { w.Write(feedFixture(t, "rss.xml")) })
		guarded := netguard.Client(false)
		// news.example stands for a public server: it is answered here,
		// with a redirect to the loopback server; everything else goes out
		// through the guarded transport.
		public := &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
			if r.URL.Host == "news.example" {
				h := http.Header{"Location": {fs.URL + "/feed"}}
				return &http.Response{StatusCode: http.StatusFound, Header: h, Body: http.NoBody, Request: r}, nil
			}
			return guarded.Transport.RoundTrip(r)
		}), CheckRedirect: guarded.CheckRedirect, Timeout: guarded.Timeout}
		env := newMonEnv(t, e, public)
		env.Org(t, "kemlu", "Ministry of Foreign Affairs")
		bima := env.As("Bima", "kemlu", core.RoleOfficer)
		port := fs.URL[strings.LastIndexByte(fs.URL, ':'):]
		var feeds []publicdiplomacy.Feed
		for _, u := range []string{fs.URL + "/feed", "http://169.254.169.254/latest/meta-data/", "http://[::1]" + port + "/feed", "http://news.example/rss"} {
			feeds = append(feeds, mustFeed(t, env, bima, u))
		}
		if n := env.Poll(t); n != len(feeds) {
			t.Fatalf("fetched %d", n)
		}
		for _, f := range feeds {
			f, _ = env.Svc.Feed(bima, f.ID)
			if f.Status != publicdiplomacy.FeedError || f.LastError != "pd.mon.fail.private" || !strings.Contains(f.ErrorDetail, "private or local address") || f.Items != 0 {
				t.Errorf("%s: %s %q %q, %d items", f.URL, f.Status, f.LastError, f.ErrorDetail, f.Items)
			}
		}
		if n := fs.Hits("/feed"); n != 0 {
			t.Errorf("the private server was asked %d times", n)
		}
	})
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestFeedFailuresBackOff: a failing feed waits twice as long after each
// failure (or as long as a 503 asks), says why on its page, comes back to
// its interval when it answers again, and is paused when the server says it
// is gone; bodies that are too large, redirect loops, other schemes and web
// pages are failures of their own.
func TestFeedFailuresBackOff(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		env := newMonEnv(t, e, netguard.Client(true))
		env.Org(t, "kemlu", "Ministry of Foreign Affairs")
		bima := env.As("Bima", "kemlu", core.RoleOfficer)
		fs := newFeedServer(t)
		answer := func(w http.ResponseWriter, r *http.Request) { http.Error(w, "down", http.StatusInternalServerError) }
		fs.Serve("/flaky", func(w http.ResponseWriter, r *http.Request) { answer(w, r) })
		f := mustFeed(t, env, bima, fs.URL+"/flaky")
		check := func(step string, status string, failures int, errKey string, next time.Duration) {
			t.Helper()
			got, err := env.Svc.Feed(bima, f.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Status != status || got.Failures != failures || got.LastError != errKey || !got.NextFetchAt.Equal(env.Clock.Now().Add(next)) {
				t.Errorf("%s: %s, %d failures, %q (%q), next in %v; want %s, %d, %q, %v", step, got.Status, got.Failures, got.LastError, got.ErrorDetail,
					got.NextFetchAt.Sub(env.Clock.Now()), status, failures, errKey, next)
			}
		}
		env.Poll(t)
		check("first failure", publicdiplomacy.FeedError, 1, "pd.mon.fail.status", 30*time.Minute)
		if g, _ := env.Svc.Feed(bima, f.ID); g.ErrorDetail != "500 Internal Server Error" {
			t.Errorf("detail %q", g.ErrorDetail)
		}
		env.Clock.Advance(29 * time.Minute)
		if n := env.Poll(t); n != 0 {
			t.Fatal("fetched while backing off")
		}
		env.Clock.Advance(time.Minute)
		env.Poll(t)
		check("second failure", publicdiplomacy.FeedError, 2, "pd.mon.fail.status", time.Hour)
		answer = func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "18000")
			http.Error(w, "busy", http.StatusServiceUnavailable)
		}
		env.Clock.Advance(time.Hour)
		env.Poll(t)
		check("503 with Retry-After", publicdiplomacy.FeedError, 3, "pd.mon.fail.status", 5*time.Hour)
		answer = func(w http.ResponseWriter, r *http.Request) { w.Write(feedFixture(t, "atom.xml")) }
		// Someone asks for it now, whatever the back-off.
		if _, err := env.Svc.FetchSoon(bima, f.ID); err != nil {
			t.Fatal(err)
		}
		env.Poll(t)
		check("recovered", publicdiplomacy.FeedOK, 0, "", 15*time.Minute)
		answer = func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte("<!doctype html><html><body>News</body></html>"))
		}
		env.Clock.Advance(15 * time.Minute)
		env.Poll(t)
		check("a web page", publicdiplomacy.FeedError, 1, "pd.mon.fail.not_feed", 30*time.Minute)
		big := bytes.Repeat([]byte("<!-- padding -->"), 5<<20/16)
		answer = func(w http.ResponseWriter, r *http.Request) { w.Write(big) }
		env.Clock.Advance(30 * time.Minute)
		env.Poll(t)
		check("too large", publicdiplomacy.FeedError, 2, "pd.mon.fail.too_large", time.Hour)
		answer = func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/flaky", http.StatusFound) }
		env.Clock.Advance(time.Hour)
		env.Poll(t)
		check("a redirect loop", publicdiplomacy.FeedError, 3, "pd.mon.fail.redirects", 2*time.Hour)
		answer = func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "file:///etc/passwd", http.StatusMovedPermanently)
		}
		env.Clock.Advance(2 * time.Hour)
		env.Poll(t)
		check("a redirect to a file", publicdiplomacy.FeedError, 4, "pd.mon.fail.redirect_scheme", 4*time.Hour)
		answer = func(w http.ResponseWriter, r *http.Request) { http.Error(w, "gone", http.StatusGone) }
		env.Clock.Advance(4 * time.Hour)
		env.Poll(t)
		if g, _ := env.Svc.Feed(bima, f.ID); !g.Paused || g.LastError != "pd.mon.fail.gone" {
			t.Errorf("a gone feed: %+v", g)
		}
		env.Clock.Advance(48 * time.Hour)
		before := fs.Hits("/flaky")
		env.Poll(t)
		if fs.Hits("/flaky") != before {
			t.Error("a paused feed was fetched")
		}
		resume := false
		if g, err := env.Svc.ChangeFeed(bima, f.ID, publicdiplomacy.FeedChange{Paused: &resume}); err != nil || g.Paused || g.Failures != 0 || !g.NextFetchAt.Equal(env.Clock.Now()) {
			t.Errorf("resumed: %+v, %v", g, err)
		}
	})
}
