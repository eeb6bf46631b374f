package publicdiplomacy_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/netguard"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/publicdiplomacy"
)

// serveFixtures serves the three fixtures as their servers would: RSS
// with an ETag, Atom with Last-Modified, and the JSON Feed with neither
// (json holds its bytes, for the test to change). It counts the answers
// "not modified" it gives.
func serveFixtures(t testing.TB, fs *feedServer, json *[]byte) *atomic.Int32 {
	var notModified atomic.Int32
	rss, atom := feedFixture(t, "rss.xml"), feedFixture(t, "atom.xml")
	fs.Serve("/rss.xml", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-None-Match") == `"rss-1"` {
			notModified.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"rss-1"`)
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write(rss)
	})
	const modified = "Mon, 07 Dec 2026 09:00:00 GMT"
	fs.Serve("/atom.xml", func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("If-Modified-Since") == modified {
			notModified.Add(1)
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Last-Modified", modified)
		w.Write(atom)
	})
	fs.Serve("/feed.json", func(w http.ResponseWriter, r *http.Request) { w.Write(*json) })
	return &notModified
}

// TestFeedsArePolledStoredAndDeduplicated subscribes Kemlu to the three
// formats, with keywords in English and Indonesian: the first round stores
// every item once, flagged with the keywords it matches; the next asks
// conditionally (304 for the feeds with validators, the same bytes for the
// one without) and stores nothing; a changed feed adds only its new item,
// not one whose id changed but whose link did not. The list is newest
// first and filters and pages.
func TestFeedsArePolledStoredAndDeduplicated(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		env := newMonEnv(t, e, netguard.Client(true))
		env.Org(t, "kemlu", "Ministry of Foreign Affairs")
		bima := env.As("Bima", "kemlu", core.RoleOfficer)
		fs := newFeedServer(t)
		json := feedFixture(t, "feed.json")
		notModified := serveFixtures(t, fs, &json)
		mustKeywords(t, env, bima, "en:disinformation", "en:ASEAN", "id:hoaks", "id:siber")
		rss := mustFeed(t, env, bima, fs.URL+"/rss.xml")
		atom := mustFeed(t, env, bima, fs.URL+"/atom.xml")
		jf := mustFeed(t, env, bima, fs.URL+"/feed.json")

		if n := env.Poll(t); n != 3 {
			t.Fatalf("first round fetched %d feeds", n)
		}
		all, _, err := env.Svc.Items(bima, publicdiplomacy.ItemFilter{})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string][]string{}
		for _, it := range all {
			got[it.Title] = it.Matched
		}
		want := map[string][]string{
			"Kemlu bantah hoaks soal visa ASEAN":           {"hoaks", "ASEAN"},
			"Serangan siber ke layanan publik di Surabaya": {"siber"},
			"Harga cabai turun menjelang akhir tahun":      {},
			"Tautan berbahaya":                             {},
			"ASEAN’s ministers meet on cyber norms":        {"ASEAN", "disinformation"},
			"Disinformation-free elections: a checklist":   {"disinformation"},
			"Aseanism in regional art":                     {},
			"A video of an embassy protest is from 2019":   {"disinformation"},
			"Untitled note about water prices in Jakarta.": {},
		}
		if len(all) != len(want) {
			t.Fatalf("%d items stored, want %d: %v", len(all), len(want), got)
		}
		for title, w := range want {
			if g, ok := got[title]; !ok || !slices.Equal(g, w) {
				t.Errorf("%q matched %q, want %q", title, g, w)
			}
		}
		for i := 1; i < len(all); i++ {
			if all[i].PublishedAt.After(all[i-1].PublishedAt) {
				t.Fatalf("not newest first: %v after %v", all[i].PublishedAt, all[i-1].PublishedAt)
			}
		}
		for _, it := range all {
			if it.Title == "Kemlu bantah hoaks soal visa ASEAN" && (it.Language != "id" || it.Feed != "Harian Nusantara — Nasional" || it.Author != "Rina Kusuma") {
				t.Errorf("rss item: %+v", it)
			}
			if it.Title == "Tautan berbahaya" && it.Link != "" {
				t.Errorf("a javascript: link was kept: %q", it.Link)
			}
		}
		f, err := env.Svc.Feed(bima, rss.ID)
		if err != nil || f.Status != publicdiplomacy.FeedOK || f.Title != "Harian Nusantara — Nasional" || f.Format != "rss" || f.Items != 4 ||
			!f.NextFetchAt.Equal(monNow.Add(15*time.Minute)) || f.LastFetchAt == nil {
			t.Fatalf("feed after a fetch: %+v, %v", f, err)
		}

		// Not due yet: nothing is fetched.
		env.Clock.Advance(10 * time.Minute)
		if n := env.Poll(t); n != 0 {
			t.Fatalf("%d feeds fetched before they were due", n)
		}
		env.Clock.Advance(5 * time.Minute)
		if n := env.Poll(t); n != 3 {
			t.Fatalf("second round fetched %d feeds", n)
		}
		if fs.Header("/rss.xml", "If-None-Match") != `"rss-1"` || fs.Header("/atom.xml", "If-Modified-Since") != "Mon, 07 Dec 2026 09:00:00 GMT" {
			t.Errorf("not conditional: %q %q", fs.Header("/rss.xml", "If-None-Match"), fs.Header("/atom.xml", "If-Modified-Since"))
		}
		if n := notModified.Load(); n != 2 {
			t.Errorf("%d answers 304, want 2", n)
		}
		if again, _, _ := env.Svc.Items(bima, publicdiplomacy.ItemFilter{}); len(again) != len(all) {
			t.Fatalf("%d items after an unchanged round, want %d", len(again), len(all))
		}
		for _, id := range []string{rss.ID, atom.ID, jf.ID} {
			if f, _ := env.Svc.Feed(bima, id); f.Status != publicdiplomacy.FeedOK || f.Failures != 0 || !f.LastSuccessAt.Equal(env.Clock.Now()) {
				t.Errorf("feed %s after a 304: %+v", f.URL, f)
			}
		}

		// A new item, and an old one whose id changed but not its link.
		json = []byte(strings.Replace(string(json), `"items": [`, `"items": [
    {"id": "new-1", "url": "https://checks.example/2026/12/siber", "title": "Klaim serangan siber palsu", "date_published": "2026-12-07T11:00:00Z"},
    {"id": "renamed", "url": "https://checks.example/2026/12/water", "title": "Water prices, again"},`, 1))
		env.Clock.Advance(15 * time.Minute)
		env.Poll(t)
		fresh, _, err := env.Svc.Items(bima, publicdiplomacy.ItemFilter{FeedID: jf.ID})
		if err != nil || len(fresh) != 3 || fresh[0].Title != "Klaim serangan siber palsu" || !slices.Equal(fresh[0].Matched, []string{"siber"}) || !fresh[0].Alert {
			t.Fatalf("after the change: %+v, %v", fresh, err)
		}

		// Filters and pages.
		matched, _, _ := env.Svc.Items(bima, publicdiplomacy.ItemFilter{Matched: true})
		if len(matched) != 6 {
			t.Errorf("%d matched items, want 6", len(matched))
		}
		if w, _, _ := env.Svc.Items(bima, publicdiplomacy.ItemFilter{Words: "ASEAN visa"}); len(w) != 1 || w[0].Title != "Kemlu bantah hoaks soal visa ASEAN" {
			t.Errorf("words: %+v", w)
		}
		if w, _, _ := env.Svc.Items(bima, publicdiplomacy.ItemFilter{Words: "100%_"}); len(w) != 0 {
			t.Errorf("LIKE characters matched: %+v", w)
		}
		var paged []string
		cursor := ""
		for range 10 {
			page, next, err := env.Svc.Items(bima, publicdiplomacy.ItemFilter{Page: core.Page{Limit: 4, Cursor: cursor}})
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range page {
				paged = append(paged, it.ID)
			}
			if cursor = next; cursor == "" {
				break
			}
		}
		every, _, _ := env.Svc.Items(bima, publicdiplomacy.ItemFilter{Page: core.Page{Limit: 100}})
		var ids []string
		for _, it := range every {
			ids = append(ids, it.ID)
		}
		if !slices.Equal(paged, ids) || len(ids) != 10 {
			t.Errorf("pages %v, whole list %v", paged, ids)
		}
		if _, _, err := env.Svc.Items(bima, publicdiplomacy.ItemFilter{Page: core.Page{Cursor: "junk"}}); monFields(err)["cursor"] == "" {
			t.Errorf("a bad cursor: %v", err)
		}

		// Another organisation sees none of it.
		env.Org(t, "bssn", "BSSN")
		other := env.As("Agus", "bssn", core.RoleAdmin)
		if l, _, _ := env.Svc.Items(other, publicdiplomacy.ItemFilter{}); len(l) != 0 {
			t.Errorf("another organisation sees %d items", len(l))
		}
		if _, err := env.Svc.Feed(other, rss.ID); core.KindOf(err) != core.KindNotFound {
			t.Errorf("another organisation's feed: %v", err)
		}
		if _, err := env.Svc.ChangeFeed(other, rss.ID, publicdiplomacy.FeedChange{Paused: new(true)}); core.KindOf(err) != core.KindNotFound {
			t.Errorf("another organisation paused the feed: %v", err)
		}
	})
}

// TestFeedAndKeywordInputIsChecked: refusals name their field.
func TestFeedAndKeywordInputIsChecked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		env := newMonEnv(t, e, netguard.Client(true))
		env.Org(t, "kemlu", "Ministry of Foreign Affairs")
		env.Org(t, "bssn", "BSSN")
		bima := env.As("Bima", "kemlu", core.RoleOfficer)
		for _, c := range []struct {
			in           publicdiplomacy.FeedInput
			field, wants string
		}{
			{publicdiplomacy.FeedInput{URL: ""}, "url", "err.required"},
			{publicdiplomacy.FeedInput{URL: "ftp://news.example/feed"}, "url", "err.pd_feed_url"},
			{publicdiplomacy.FeedInput{URL: "news.example/feed"}, "url", "err.pd_feed_url"},
			{publicdiplomacy.FeedInput{URL: "https://user:secret@news.example/feed"}, "url", "err.pd_feed_url_credentials"},
			{publicdiplomacy.FeedInput{URL: "https://news.example/" + strings.Repeat("a", 3000)}, "url", "err.too_long"},
			{publicdiplomacy.FeedInput{URL: "https://news.example/feed", IntervalMinutes: 1}, "interval_minutes", "err.pd_feed_interval"},
			{publicdiplomacy.FeedInput{URL: "https://news.example/feed", Language: "xx"}, "language", "err.pd_language"},
			{publicdiplomacy.FeedInput{URL: "https://news.example/feed", Title: "a\x00b"}, "title", core.ProblemNUL},
			{publicdiplomacy.FeedInput{URL: "https://news.example/feed", Org: "bssn"}, "org", "err.pd_feed_org"},
		} {
			if _, err := env.Svc.AddFeed(bima, c.in); monFields(err)[c.field] != c.wants {
				t.Errorf("%+v: %v, want %s on %s", c.in, err, c.wants, c.field)
			}
		}
		f := mustFeed(t, env, bima, "https://News.Example/feed#top")
		if f.URL != "https://news.example/feed" || f.IntervalMinutes != 15 || f.Status != publicdiplomacy.FeedNew {
			t.Errorf("added %+v", f)
		}
		if _, err := env.Svc.AddFeed(bima, publicdiplomacy.FeedInput{URL: "https://news.example/feed"}); monFields(err)["url"] != "err.pd_feed_duplicate" {
			t.Errorf("a duplicate: %v", err)
		}
		if _, err := env.Svc.AddFeed(env.As("Fajar", "kemlu", core.RoleMember), publicdiplomacy.FeedInput{URL: "https://other.example/feed"}); err == nil {
			t.Error("a member added a feed")
		}
		for _, c := range []struct {
			in           publicdiplomacy.KeywordInput
			field, wants string
		}{
			{publicdiplomacy.KeywordInput{Word: " ", Language: "en"}, "word", "err.required"},
			{publicdiplomacy.KeywordInput{Word: "-- !!", Language: "en"}, "word", "err.pd_keyword_word"},
			{publicdiplomacy.KeywordInput{Word: "a b c d e f g h i", Language: "en"}, "word", "err.pd_keyword_words"},
			{publicdiplomacy.KeywordInput{Word: "hoaks", Language: "fr"}, "language", "err.pd_keyword_language"},
		} {
			if _, err := env.Svc.AddKeyword(bima, c.in); monFields(err)[c.field] != c.wants {
				t.Errorf("%+v: %v, want %s on %s", c.in, err, c.wants, c.field)
			}
		}
		mustKeywords(t, env, bima, "id:Hoaks", "en:hoaks")
		if _, err := env.Svc.AddKeyword(bima, publicdiplomacy.KeywordInput{Word: "HOAKS", Language: "id"}); monFields(err)["word"] != "err.pd_keyword_duplicate" {
			t.Errorf("a duplicate keyword: %v", err)
		}
		ks, err := env.Svc.Keywords(bima)
		if err != nil || len(ks) != 2 {
			t.Fatalf("keywords %+v, %v", ks, err)
		}
		if err := env.Svc.RemoveKeyword(env.As("Agus", "bssn", core.RoleAdmin), ks[0].ID); core.KindOf(err) != core.KindNotFound {
			t.Errorf("another organisation removed a keyword: %v", err)
		}
		if err := env.Svc.RemoveKeyword(bima, ks[0].ID); err != nil {
			t.Fatal(err)
		}
		paused := true
		if f, err = env.Svc.ChangeFeed(bima, f.ID, publicdiplomacy.FeedChange{Paused: &paused}); err != nil || !f.Paused {
			t.Fatalf("pause: %+v, %v", f, err)
		}
		if _, err := env.Svc.FetchSoon(bima, f.ID); core.KindOf(err) != core.KindConflict {
			t.Errorf("fetching a paused feed: %v", err)
		}
		if err := env.Svc.RemoveFeed(bima, f.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := env.Svc.Feed(bima, f.ID); core.KindOf(err) != core.KindNotFound {
			t.Errorf("a removed feed: %v", err)
		}
	})
}

// TestMatchesAreDigestedAndAskForAttention: the daily digest e-mails
// Kemlu's readers (every role that reads monitoring) the matches since the
// last digest, in English and Indonesian, once; the home page lists the
// day's matches; an item becomes a web-care item of one of the
// organisation's accounts in one step (and only one), and a case link is
// filled in from it.
func TestMatchesAreDigestedAndAskForAttention(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		env := newMonEnv(t, e, netguard.Client(true))
		kemlu := env.Org(t, "kemlu", "Ministry of Foreign Affairs")
		bima := env.As("Bima", "kemlu", core.RoleOfficer)
		fs := newFeedServer(t)
		json := feedFixture(t, "feed.json")
		serveFixtures(t, fs, &json)
		mustKeywords(t, env, bima, "en:disinformation", "en:ASEAN", "id:hoaks", "id:siber")
		mustFeed(t, env, bima, fs.URL+"/rss.xml")
		mustFeed(t, env, bima, fs.URL+"/atom.xml")
		env.Poll(t)

		sent, err := env.Svc.SendDigests(context.Background())
		if err != nil || sent != 1 {
			t.Fatalf("digests: %d, %v", sent, err)
		}
		mails := env.Mail.take()
		if len(mails) != 1 || mails[0].org != kemlu || mails[0].kind != "pd_feed_digest" || mails[0].path != "/monitoring?matched=1" || len(mails[0].roles) != 4 {
			t.Fatalf("mails: %+v", mails)
		}
		en, id := mails[0].text["en"], mails[0].text["id"]
		for _, s := range []string{"Media monitoring for Ministry of Foreign Affairs: 4 items matched", "(ASEAN, disinformation, hoaks, siber)",
			"“ASEAN’s ministers meet on cyber norms”", "https://kemlu.example/monitoring?matched=1"} {
			if !strings.Contains(en, s) {
				t.Errorf("the English digest lacks %q:\n%s", s, en)
			}
		}
		for _, s := range []string{"Pemantauan media untuk Ministry of Foreign Affairs (id): 4 berita cocok", "Sejak ringkasan terakhir", "https://kemlu.example/monitoring?matched=1"} {
			if !strings.Contains(id, s) {
				t.Errorf("the Indonesian digest lacks %q:\n%s", s, id)
			}
		}
		env.Clock.Advance(24 * time.Hour)
		if sent, err := env.Svc.SendDigests(context.Background()); err != nil || sent != 0 || len(env.Mail.take()) != 0 {
			t.Errorf("a second digest with nothing new: %d, %v", sent, err)
		}
		env.Clock.Advance(-24 * time.Hour)

		var keys []string
		items, err := env.Mod.Attention(context.Background(), core.ActorFrom(env.As("Fajar", "kemlu", core.RoleMember)))
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range items {
			if strings.HasPrefix(it.Key, "attn.pd_feed_") {
				keys = append(keys, it.Key)
			}
		}
		if !slices.Equal(keys, []string{"attn.pd_feed_match", "attn.pd_feed_match", "attn.pd_feed_match", "attn.pd_feed_more"}) {
			t.Errorf("home page: %v", keys)
		}

		list, _, _ := env.Svc.Items(bima, publicdiplomacy.ItemFilter{Words: "visa"})
		item := list[0]
		if cl, _ := url.Parse(item.CaseLink()); cl.Path != "/disinfo/new" || cl.Query().Get("title") != item.Title || cl.Query().Get("link") != item.Link || cl.Query().Get("lang") != "id" {
			t.Errorf("case link %q", item.CaseLink())
		}
		if _, err := env.Svc.ItemToWebcare(bima, item.ID, ""); monFields(err)["account"] != "err.pd_feed_no_account" {
			t.Errorf("to web-care without an account: %v", err)
		}
		admin := env.As("Sari", "kemlu", core.RoleAdmin)
		for _, u := range []string{"kemlu", "kemlu_pers"} {
			if _, err := env.Svc.CreateAccount(admin, publicdiplomacy.AccountInput{Org: "kemlu", Username: u, DisplayName: "Kemlu", Language: "id"}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := env.Svc.ItemToWebcare(env.As("Fajar", "kemlu", core.RoleMember), item.ID, ""); core.KindOf(err) != core.KindForbidden {
			t.Errorf("a member put an item in web-care: %v", err)
		}
		if _, err := env.Svc.ItemToWebcare(bima, item.ID, "somebody"); monFields(err)["account"] != "err.pd_feed_account" {
			t.Errorf("an account not the organisation's: %v", err)
		}
		wc, err := env.Svc.ItemToWebcare(bima, item.ID, "kemlu_pers")
		if err != nil {
			t.Fatal(err)
		}
		if wc.Kind != "press" || !wc.Queue || wc.State != publicdiplomacy.ItemNew || wc.Username != "kemlu_pers" || wc.ActorHandle != "Harian Nusantara — Nasional" ||
			wc.Host != "news.example" || wc.URL != item.Link || wc.URI != item.Link || wc.Visibility != "public" || !wc.PublishedAt.Equal(item.PublishedAt) ||
			wc.Text != item.Title+"\n\n"+item.Summary || wc.Language != "id" {
			t.Errorf("web-care item %+v", wc)
		}
		again, err := env.Svc.ItemToWebcare(bima, item.ID, "kemlu")
		if err != nil || again.ID != wc.ID {
			t.Errorf("twice: %s, %v", again.ID, err)
		}
		q, err := env.Svc.Queue(bima, publicdiplomacy.QueueFilter{})
		if err != nil || len(q) != 1 || q[0].ID != wc.ID {
			t.Errorf("the queue: %+v, %v", q, err)
		}
		if it, _ := env.Svc.FeedItem(bima, item.ID); it.InboxID != wc.ID {
			t.Errorf("the item does not say where it went: %+v", it)
		}
	})
}
