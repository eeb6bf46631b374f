package publicdiplomacy_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/netguard"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/internal/web"
	"entente.example/entente/modules/publicdiplomacy"
)

// monServe answers a request with monitoring's route table as the person
// in ctx, in lang: the handlers as the node runs them, without the session
// machinery in front.
func monServe(t testing.TB, env *monEnv, ctx context.Context, lang string, r *http.Request) *httptest.ResponseRecorder {
	t.Helper()
	mux := http.NewServeMux()
	for _, rt := range env.Mod.Routes() {
		if strings.Contains(rt.Pattern, "/monitoring") || strings.Contains(rt.Pattern, "/publicdiplomacy/feeds") {
			mux.HandleFunc(rt.Pattern, rt.Handler)
		}
	}
	w := httptest.NewRecorder()
	mux.ServeHTTP(w, r.WithContext(web.WithLang(ctx, lang)))
	return w
}

func monGet(t testing.TB, env *monEnv, ctx context.Context, lang, path string) (int, string) {
	t.Helper()
	w := monServe(t, env, ctx, lang, httptest.NewRequest(http.MethodGet, path, nil))
	return w.Code, w.Body.String()
}

func monPost(t testing.TB, env *monEnv, ctx context.Context, path string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return monServe(t, env, ctx, "en", r)
}

func monJSON(t testing.TB, env *monEnv, ctx context.Context, method, path, body string) (int, map[string]any) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r := httptest.NewRequest(method, path, rd)
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	w := monServe(t, env, ctx, "en", r)
	var out map[string]any
	if w.Body.Len() > 0 {
		if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s %s: %d %s", method, path, w.Code, w.Body)
		}
	}
	return w.Code, out
}

var rawKey = regexp.MustCompile(`\b(pd\.mon|err|flash|title|attn)\.[a-z_.]+\b`)

// TestMonitoringPages renders the three pages in both languages for an
// officer (who acts on items) and a member (who reads them), adds a feed
// and a keyword through the forms (a refused one comes back with its input
// and the reason by field), and turns an item into a web-care item.
func TestMonitoringPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		env := newMonEnv(t, e, netguard.Client(true))
		env.Org(t, "kemlu", "Ministry of Foreign Affairs")
		bima := env.As("Bima", "kemlu", core.RoleOfficer)
		fajar := env.As("Fajar", "kemlu", core.RoleMember)
		if _, err := env.Svc.CreateAccount(env.As("Sari", "kemlu", core.RoleAdmin), publicdiplomacy.AccountInput{Org: "kemlu", Username: "kemlu", DisplayName: "Kemlu", Language: "id"}); err != nil {
			t.Fatal(err)
		}
		fs := newFeedServer(t)
		js := feedFixture(t, "feed.json")
		serveFixtures(t, fs, &js)
		mustKeywords(t, env, bima, "id:hoaks", "en:ASEAN")
		mustFeed(t, env, bima, fs.URL+"/rss.xml")
		env.Poll(t)

		for _, c := range []struct {
			lang, path string
			who        context.Context
			want, not  []string
		}{
			{"en", "/monitoring", bima, []string{"Media monitoring", "Kemlu bantah hoaks soal visa ASEAN", "Make a disinformation case", "/disinfo/new?lang=id&amp;link=https%3A%2F%2Fnews.example",
				"Add to web-care", `<span class="badge">hoaks</span>`, `rel="nofollow noopener noreferrer"`}, []string{"javascript:"}},
			{"id", "/monitoring", bima, []string{"Pemantauan media", "Buat kasus disinformasi", "Tambahkan ke web-care", "Hanya berita yang cocok"}, nil},
			{"en", "/monitoring", fajar, []string{"Kemlu bantah hoaks"}, []string{"Add to web-care", "Make a disinformation case"}},
			{"en", "/monitoring?matched=1&q=visa", bima, []string{"Kemlu bantah hoaks"}, []string{"Harga cabai", "Serangan siber"}},
			{"en", "/monitoring/feeds", bima, []string{"Monitored feeds", "Harian Nusantara — Nasional", "Fetched", "Every 15 minutes", "Add a feed", "Pause"}, nil},
			{"id", "/monitoring/feeds", bima, []string{"Umpan yang dipantau", "Berhasil diambil", "Setiap 15 menit", "Tambahkan umpan"}, nil},
			{"en", "/monitoring/feeds", fajar, []string{"Harian Nusantara"}, []string{"Add a feed", "Pause"}},
			{"en", "/monitoring/keywords", bima, []string{"Monitoring keywords", "English", "ASEAN", "hoaks", "Add a keyword"}, nil},
			{"id", "/monitoring/keywords", bima, []string{"Kata kunci pemantauan", "Bahasa Inggris", "Hanya kata utuh"}, nil},
		} {
			code, body := monGet(t, env, c.who, c.lang, c.path)
			if code != http.StatusOK {
				t.Fatalf("%s %s: %d\n%s", c.lang, c.path, code, body)
			}
			for _, s := range c.want {
				if !strings.Contains(body, s) {
					t.Errorf("%s %s lacks %q", c.lang, c.path, s)
				}
			}
			for _, s := range c.not {
				if strings.Contains(body, s) {
					t.Errorf("%s %s shows %q", c.lang, c.path, s)
				}
			}
			if k := rawKey.FindString(body); k != "" {
				t.Errorf("%s %s shows the raw key %s", c.lang, c.path, k)
			}
		}

		w := monPost(t, env, bima, "/monitoring/feeds", url.Values{"org": {"kemlu"}, "url": {"ftp://news.example/x"}, "title": {"Kept"}, "interval_minutes": {"60"}})
		if w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "Feed address: Enter the full address of the feed") ||
			!strings.Contains(w.Body.String(), `value="Kept"`) || !strings.Contains(w.Body.String(), `<option value="60" selected>`) {
			t.Errorf("a refused feed: %d\n%s", w.Code, w.Body)
		}
		if w := monPost(t, env, bima, "/monitoring/feeds", url.Values{"url": {fs.URL + "/atom.xml"}, "interval_minutes": {"30"}}); w.Code != http.StatusSeeOther {
			t.Errorf("adding a feed: %d %s", w.Code, w.Body)
		}
		if w := monPost(t, env, bima, "/monitoring/keywords", url.Values{"word": {"!!"}, "language": {"id"}}); w.Code != http.StatusUnprocessableEntity || !strings.Contains(w.Body.String(), "Word or phrase: Enter a word") {
			t.Errorf("a refused keyword: %d", w.Code)
		}
		if w := monPost(t, env, bima, "/monitoring/keywords", url.Values{"word": {"siber"}, "language": {"id"}}); w.Code != http.StatusSeeOther {
			t.Errorf("adding a keyword: %d", w.Code)
		}
		items, _, _ := env.Svc.Items(bima, publicdiplomacy.ItemFilter{Words: "visa"})
		w = monPost(t, env, bima, "/monitoring/items/"+items[0].ID+"/webcare", url.Values{})
		if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/webcare/") {
			t.Fatalf("to web-care: %d %s", w.Code, w.Header())
		}
		if _, body := monGet(t, env, bima, "en", "/monitoring?q=visa"); !strings.Contains(body, "In the web-care queue") || !strings.Contains(body, w.Header().Get("Location")) {
			t.Error("the item does not link to its web-care item")
		}
		if w := monPost(t, env, fajar, "/monitoring/items/"+items[0].ID+"/webcare", url.Values{}); w.Code != http.StatusForbidden {
			t.Errorf("a member's web-care: %d", w.Code)
		}
	})
}

// TestMonitoringAPI drives the same through JSON.
func TestMonitoringAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		env := newMonEnv(t, e, netguard.Client(true))
		env.Org(t, "kemlu", "Ministry of Foreign Affairs")
		bima := env.As("Bima", "kemlu", core.RoleOfficer)
		fs := newFeedServer(t)
		js := feedFixture(t, "feed.json")
		serveFixtures(t, fs, &js)

		code, body := monJSON(t, env, bima, "POST", "/api/v1/publicdiplomacy/feeds", `{"url": "gopher://x", "interval_minutes": 2}`)
		if code != http.StatusUnprocessableEntity || !strings.Contains(mustJSON(body), `"url"`) || !strings.Contains(mustJSON(body), `"interval_minutes"`) {
			t.Errorf("a bad feed: %d %v", code, body)
		}
		code, feed := monJSON(t, env, bima, "POST", "/api/v1/publicdiplomacy/feeds", `{"url": "`+fs.URL+`/feed.json", "title": "Checks"}`)
		if code != http.StatusCreated || feed["status"] != "new" || feed["org"] != "kemlu" {
			t.Fatalf("add: %d %v", code, feed)
		}
		code, kw := monJSON(t, env, bima, "POST", "/api/v1/publicdiplomacy/monitoring/keywords", `{"word": "Disinformation", "language": "en"}`)
		if code != http.StatusCreated || kw["word"] != "Disinformation" {
			t.Fatalf("keyword: %d %v", code, kw)
		}
		env.Poll(t)
		code, list := monJSON(t, env, bima, "GET", "/api/v1/publicdiplomacy/monitoring?matched=1", "")
		items, _ := list["items"].([]any)
		if code != http.StatusOK || len(items) != 1 {
			t.Fatalf("matched items: %d %v", code, list)
		}
		first := items[0].(map[string]any)
		if first["title"] != "A video of an embassy protest is from 2019" || mustJSON(first["matched"]) != `["Disinformation"]` || first["feed"] != "Checks" {
			t.Errorf("item %v", first)
		}
		if code, _ := monJSON(t, env, bima, "GET", "/api/v1/publicdiplomacy/monitoring?matched=maybe", ""); code != http.StatusUnprocessableEntity {
			t.Errorf("matched=maybe: %d", code)
		}
		if code, it := monJSON(t, env, bima, "GET", "/api/v1/publicdiplomacy/monitoring/items/"+first["id"].(string), ""); code != http.StatusOK || it["guid"] == "" {
			t.Errorf("one item: %d %v", code, it)
		}
		if code, _ := monJSON(t, env, bima, "POST", "/api/v1/publicdiplomacy/monitoring/items/"+first["id"].(string)+"/webcare", ""); code != http.StatusUnprocessableEntity {
			t.Errorf("to web-care without an account: %d", code)
		}
		id := feed["id"].(string)
		code, changed := monJSON(t, env, bima, "PATCH", "/api/v1/publicdiplomacy/feeds/"+id, `{"paused": true, "interval_minutes": 60}`)
		if code != http.StatusOK || changed["paused"] != true || changed["interval_minutes"] != float64(60) || changed["items"] != float64(2) {
			t.Errorf("change: %d %v", code, changed)
		}
		if code, l := monJSON(t, env, bima, "GET", "/api/v1/publicdiplomacy/feeds", ""); code != http.StatusOK || len(l["items"].([]any)) != 1 {
			t.Errorf("feeds: %d %v", code, l)
		}
		if code, _ := monJSON(t, env, bima, "DELETE", "/api/v1/publicdiplomacy/monitoring/keywords/"+kw["id"].(string), ""); code != http.StatusNoContent {
			t.Errorf("delete keyword: %d", code)
		}
		if code, _ := monJSON(t, env, bima, "DELETE", "/api/v1/publicdiplomacy/feeds/"+id, ""); code != http.StatusNoContent {
			t.Errorf("delete feed: %d", code)
		}
		if code, _ := monJSON(t, env, bima, "GET", "/api/v1/publicdiplomacy/feeds/"+id, ""); code != http.StatusNotFound {
			t.Errorf("a deleted feed: %d", code)
		}
	})
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestMonitoringAPIIsDescribed: every monitoring route of the API is in
// openapi_feeds.json, and nothing else of it.
func TestMonitoringAPIIsDescribed(t *testing.T) {
	env := newMonEnv(t, storetest.Engines(t)[0], netguard.Client(true))
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(env.Mod.OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	mine := func(p string) bool {
		return strings.Contains(p, "/api/v1/publicdiplomacy/feeds") || strings.Contains(p, "/api/v1/publicdiplomacy/monitoring")
	}
	described := map[string]bool{}
	for p, ops := range doc.Paths {
		for m := range ops {
			if mine(p) {
				described[strings.ToUpper(m)+" "+p] = true
			}
		}
	}
	routes := map[string]bool{}
	for _, rt := range env.Mod.Routes() {
		if mine(rt.Pattern) {
			routes[rt.Pattern] = true
			if !described[rt.Pattern] {
				t.Errorf("%s is not described", rt.Pattern)
			}
		}
	}
	for d := range described {
		if !routes[d] {
			t.Errorf("%s is described but not a route", d)
		}
	}
	if len(routes) != 12 {
		t.Errorf("%d routes", len(routes))
	}
}

// TestMonitoringPageStaysLight fills a page of items with long titles and
// the longest summaries a feed may give, and holds the page to the node's budget of 14 KB compressed.
func TestMonitoringPageStaysLight(t *testing.T) {
	env := newMonEnv(t, storetest.Engines(t)[0], netguard.Client(true))
	env.Org(t, "kemlu", "Ministry of Foreign Affairs")
	bima := env.As("Bima", "kemlu", core.RoleOfficer)
	mustKeywords(t, env, bima, "en:disinformation", "id:hoaks")
	// Words of random letters compress worse than any newspaper's prose:
	// the bound is pessimistic.
	seed := uint32(7)
	next := func(n int) int { seed = seed*1664525 + 1013904223; return int(seed>>8) % n }
	text := func(n int) string {
		var w []string
		for range n {
			b := make([]byte, 2+next(9))
			for i := range b {
				b[i] = byte('a' + next(26))
			}
			w = append(w, string(b))
		}
		return strings.Join(w, " ")
	}
	var items []publicdiplomacy.SampleItem
	for i := range 60 {
		items = append(items, publicdiplomacy.SampleItem{Title: text(14), Link: "https://news.example/2026/12/" + strings.ReplaceAll(text(6), " ", "-"),
			Summary: text(170), Published: monNow.Add(-time.Duration(i) * time.Hour)})
	}
	if _, err := env.Svc.AddSampleFeed(bima, publicdiplomacy.FeedInput{URL: "https://news.example/feed", Title: "Warta Nusantara — Nasional"}, "rss", items); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"en", "id"} {
		w := monServe(t, env, bima, lang, httptest.NewRequest(http.MethodGet, "/monitoring", nil))
		var gz bytes.Buffer
		zw := gzip.NewWriter(&gz)
		zw.Write(w.Body.Bytes())
		zw.Close()
		if n := strings.Count(w.Body.String(), `<li id="i-`); n != 25 {
			t.Errorf("%s: %d items on the first page", lang, n)
		}
		if gz.Len() > 14<<10 {
			t.Errorf("%s: /monitoring is %d bytes compressed (%d raw), over 14 KB", lang, gz.Len(), w.Body.Len())
		}
		t.Logf("%s: %d bytes compressed, %d raw", lang, gz.Len(), w.Body.Len())
	}
}
