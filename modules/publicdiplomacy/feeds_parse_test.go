package publicdiplomacy

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func mustFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "feeds", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestParseFeedFormats reads the three formats' fixtures: titles, links
// (a relative one resolved against the site, a javascript: one dropped),
// ids, dates, authors, languages, and HTML reduced to its text with script
// content gone.
func TestParseFeedFormats(t *testing.T) {
	base, _ := url.Parse("https://news.example/rss.xml")
	type item struct{ guid, link, title, summary, author, date string }
	for _, c := range []struct {
		file, format, title, site, lang string
		items                           []item
	}{
		{"rss.xml", "rss", "Harian Nusantara — Nasional", "https://news.example/nasional/", "id", []item{
			{"hn-2026-12-0001", "https://news.example/nasional/2026/12/kemlu-bantah-hoaks", "Kemlu bantah hoaks soal visa ASEAN",
				"Kementerian Luar Negeri menyebut kabar tentang pencabutan bebas visa ASEAN sebagai hoaks.", "Rina Kusuma", "2026-12-07T01:30:00Z"},
			{"hn-2026-12-0002", "https://news.example/nasional/2026/12/serangan-siber-surabaya", "Serangan siber ke layanan publik di Surabaya",
				"Layanan kependudukan & perizinan terganggu selama enam jam.", "", "2026-12-06T12:05:00Z"},
			{"https://news.example/ekonomi/2026/12/harga-cabai", "https://news.example/ekonomi/2026/12/harga-cabai", "Harga cabai turun menjelang akhir tahun",
				"Pasokan dari Jawa Tengah kembali normal.", "", "2026-12-05T03:00:00Z"},
			{"hn-2026-12-0004", "", "Tautan berbahaya", "Tautan ini tidak boleh ditampilkan sebagai tautan.", "", ""},
		}},
		{"atom.xml", "atom", "Regional Security Wire", "https://wire.example/", "en", []item{
			{"tag:wire.example,2026:entry-41", "https://wire.example/2026/12/asean-cyber-norms", "ASEAN’s ministers meet on cyber norms",
				"Officials discussed a joint response to disinformation campaigns.", "J. Tan", "2026-12-07T08:00:00Z"},
			{"tag:wire.example,2026:entry-40", "https://wire.example/2026/12/checklist", "Disinformation-free elections: a checklist",
				"Prebunk early Publish sources", "", "2026-12-06T12:00:00Z"},
			{"tag:wire.example,2026:entry-39", "https://wire.example/2026/12/aseanism", "Aseanism in regional art", "A review of an exhibition in Singapore.", "", "2026-12-05T12:00:00Z"},
		}},
		{"feed.json", "json", "Fact checks — sample", "https://checks.example/", "en", []item{
			{"https://checks.example/2026/12/video-embassy", "https://checks.example/2026/12/video-embassy", "A video of an embassy protest is from 2019",
				"The video shared as new shows a protest in 2019. Claims that it shows a disinformation campaign's success are false.", "Checks desk", "2026-12-07T06:00:00Z"},
			{"https://checks.example/2026/12/water", "https://checks.example/2026/12/water", "Untitled note about water prices in Jakarta.",
				"Untitled note about water prices in Jakarta.", "", "2026-12-06T06:00:00Z"},
		}},
	} {
		t.Run(c.file, func(t *testing.T) {
			f, err := parseFeed(mustFixture(t, c.file), base)
			if err != nil {
				t.Fatal(err)
			}
			if f.Format != c.format || f.Title != c.title || f.SiteURL != c.site || f.Language != c.lang {
				t.Errorf("feed: %q %q %q %q", f.Format, f.Title, f.SiteURL, f.Language)
			}
			if len(f.Items) != len(c.items) {
				t.Fatalf("%d items, want %d: %+v", len(f.Items), len(c.items), f.Items)
			}
			for i, w := range c.items {
				g := f.Items[i]
				date := ""
				if !g.Published.IsZero() {
					date = g.Published.Format(time.RFC3339)
				}
				got := item{g.GUID, g.Link, g.Title, g.Summary, g.Author, date}
				if got != w {
					t.Errorf("item %d:\n got %+v\nwant %+v", i, got, w)
				}
			}
		})
	}
}

// TestParseFeedRefusals: what is not a feed is said to be so, and hostile
// text is cleaned.
func TestParseFeedRefusals(t *testing.T) {
	for _, b := range []string{"", "<html><body>Not a feed</body></html>", "just text", "<?xml version=\"1.0\"?><opml/>"} {
		if _, err := parseFeed([]byte(b), nil); err != errNotFeed {
			t.Errorf("%q: %v, want errNotFeed", b, err)
		}
	}
	if _, err := parseFeed([]byte(`{"version": "https://jsonfeed.org/version/1.1", "items": [`), nil); err == nil {
		t.Error("a truncated JSON feed was read")
	}
	long := strings.Repeat("é", 3000)
	body := `{"version":"https://jsonfeed.org/version/1.1","title":"t\u0000\u202e","items":[{"id":"` + strings.Repeat("x", 600) + `","url":"data:text/html,hi","title":"` + long + `","content_text":"a\u0007b"}]}`
	f, err := parseFeed([]byte(body), nil)
	if err != nil {
		t.Fatal(err)
	}
	it := f.Items[0]
	if f.Title != "t" || it.Link != "" || !strings.HasPrefix(it.GUID, "sha256:") || utf8.RuneCountInString(it.Title) != maxItemTitle || !strings.HasSuffix(it.Title, "…") || it.Summary != "ab" {
		t.Errorf("not cleaned: title %q, link %q, guid %q, %d runes, summary %q", f.Title, it.Link, it.GUID, utf8.RuneCountInString(it.Title), it.Summary)
	}
	var many strings.Builder
	many.WriteString(`<rss version="2.0"><channel><title>x</title>`)
	for i := 0; i < maxFeedItems+50; i++ {
		many.WriteString(`<item><title>i</title><guid>` + strings.Repeat("g", i+1) + `</guid></item>`)
	}
	many.WriteString(`</channel></rss>`)
	if f, err := parseFeed([]byte(many.String()), nil); err != nil || len(f.Items) != maxFeedItems {
		t.Errorf("%d items kept, %v", len(f.Items), err)
	}
}

// TestKeywordsMatchWholeWords matches in English and Indonesian, whatever
// the case, the accents' encoding or the punctuation, and never inside a
// longer word.
func TestKeywordsMatchWholeWords(t *testing.T) {
	m := newMatcher([]Keyword{
		{Word: "disinformation", Folded: foldKeyword("disinformation"), Language: "en"},
		{Word: "ASEAN", Folded: foldKeyword("ASEAN"), Language: "en"},
		{Word: "data leak", Folded: foldKeyword("data leak"), Language: "en"},
		{Word: "hoaks", Folded: foldKeyword("hoaks"), Language: "id"},
		{Word: "siber", Folded: foldKeyword("siber"), Language: "id"},
		{Word: "kebocoran data", Folded: foldKeyword("Kebocoran  DATA"), Language: "id"},
		{Word: "café", Folded: foldKeyword("cafe\u0301"), Language: "en"},
	})
	for _, c := range []struct {
		text string
		want []string
	}{
		{"Kemlu bantah HOAKS soal visa", []string{"hoaks"}},
		{"Hoaks! Hoaks-hoaks beredar", []string{"hoaks"}},
		{"hoaksnya menyebar", nil},
		{"Serangan Siber di Surabaya; keamanan siber", []string{"siber"}},
		{"kesiberan", nil},
		{"ASEAN's ministers; Aseanism is different", []string{"ASEAN"}},
		{"Aseanism only", nil},
		{"Disinformation, misinformation and DISINFORMATION.", []string{"disinformation"}},
		{"disinformation-free", []string{"disinformation"}},
		{"a Data\u00a0Leak at the ministry", []string{"data leak"}},
		{"data, leak", []string{"data leak"}},
		{"data leakage", nil},
		{"Kebocoran data pribadi", []string{"kebocoran data"}},
		{"The CAFÉ near the embassy", []string{"café"}},
		{"ASEAN and hoaks and siber", []string{"ASEAN", "hoaks", "siber"}},
	} {
		got := m.match(c.text)
		if !slices.Equal(got, c.want) {
			t.Errorf("%q: %q, want %q", c.text, got, c.want)
		}
	}
	if got := m.match("title about ASEAN", "summary about hoaks and ASEAN"); !slices.Equal(got, []string{"ASEAN", "hoaks"}) {
		t.Errorf("title and summary: %q", got)
	}
	if foldKeyword("  --  ") != "" || foldKeyword("Kelvin \u212a") != "kelvin k" {
		t.Errorf("fold: %q %q", foldKeyword("  --  "), foldKeyword("Kelvin \u212a"))
	}
}

func TestFeedBackoffDoublesToADay(t *testing.T) {
	for n, want := range map[int]time.Duration{1: 30 * time.Minute, 2: time.Hour, 3: 2 * time.Hour, 6: 16 * time.Hour, 7: 24 * time.Hour, 40: 24 * time.Hour} {
		if got := feedBackoff(15*time.Minute, n); got != want {
			t.Errorf("after %d failures: %v, want %v", n, got, want)
		}
	}
	now := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	for v, want := range map[string]time.Duration{"120": 2 * time.Minute, "-5": 0, "junk": 0, "999999": 24 * time.Hour,
		now.Add(time.Hour).Format(http.TimeFormat): time.Hour} {
		if got := retryAfter(v, now); got != want {
			t.Errorf("Retry-After %q: %v, want %v", v, got, want)
		}
	}
}

// FuzzParseFeed feeds hostile bytes to the parser: it must not panic, and
// what it returns must be bounded, valid text with only http(s) links.
func FuzzParseFeed(f *testing.F) {
	for _, name := range []string{"rss.xml", "atom.xml", "feed.json"} {
		f.Add(mustFixture(f, name))
	}
	f.Add([]byte(`<rss><channel><item><title>&lt;b&gt;x</title><link>//evil</link></item></channel></rss>`))
	f.Add([]byte(`{"version":"https://jsonfeed.org/version/1","items":[{"id":1}]}`))
	f.Add([]byte("<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry><title>\xff\xfe</title></entry></feed>"))
	base, _ := url.Parse("https://news.example/feed")
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := parseFeed(b, base)
		if err != nil {
			return
		}
		if len(p.Items) > maxFeedItems {
			t.Fatalf("%d items", len(p.Items))
		}
		for _, it := range p.Items {
			for _, s := range []string{it.GUID, it.Title, it.Summary, it.Author, it.Link} {
				if !utf8.ValidString(s) || strings.ContainsRune(s, 0) {
					t.Fatalf("bad text %q", s)
				}
			}
			if it.GUID == "" || len(it.GUID) > maxGUID || utf8.RuneCountInString(it.Title) > maxItemTitle || utf8.RuneCountInString(it.Summary) > maxItemSummary {
				t.Fatalf("unbounded item %+v", it)
			}
			if it.Link != "" && !strings.HasPrefix(it.Link, "https://") && !strings.HasPrefix(it.Link, "http://") {
				t.Fatalf("link %q", it.Link)
			}
		}
	})
}
