package publicdiplomacy_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"
	"unicode"

	"entente.example/entente/internal/names"
	"entente.example/entente/modules/publicdiplomacy"
)

// FuzzWebURL holds the check on every address a case links to (forms,
// the API, feeds) to its word: what it accepts parses as an absolute http
// or https address with a host, no credentials, no space or control
// character, within the length limit.
func FuzzWebURL(f *testing.F) {
	for _, s := range []string{"https://web.archive.org/web/2026/https://example.org/a?b=c#d", "http://[::1]:8080/x", "javascript:alert(1)",
		"https://user:pw@example.org/", "https:///nohost", "HTTPS://EXAMPLE.ORG", "https://exa mple.org", "https://example.org/\u2028", "//example.org",
		"https://..example.org", "data:text/html,<script>", "https://example.org/%zz", "https://例え.jp/パス"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !publicdiplomacy.WebURL(s) {
			return
		}
		u, err := url.Parse(s)
		if err != nil || u.Host == "" || u.User != nil || len(s) > 2000 {
			t.Fatalf("accepted %q: %v", s, err)
		}
		if sc := strings.ToLower(u.Scheme); sc != "http" && sc != "https" {
			t.Fatalf("accepted scheme %q", u.Scheme)
		}
		if strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
			t.Fatalf("accepted a space or control character: %q", s)
		}
	})
}

// FuzzCaseFilter parses any query string as a list's filters: it never
// fails to answer, keeps only values that are what they claim to be, and
// the filter it keeps survives being written back into a link.
func FuzzCaseFilter(f *testing.F) {
	for _, s := range []string{"q=vaksin+chip&country=id&lang=EN&keyword=Health&verdict=false", "country=XX&verdict=true&lang=english",
		"cursor=1767225600000000.01JABCDEFGHJKMNPQRSTVWXYZ0&limit=5", "cursor=-1.x&limit=0", "q=%00", "state=draft&org=kemlu", "org=a%25b",
		"q=" + strings.Repeat("w+", 30), "cursor=99999999999999999.01JABCDEFGHJKMNPQRSTVWXYZ0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		fl, _ := publicdiplomacy.ParseCaseFilter(q)
		if fl.Country != "" && !names.ValidCountry(fl.Country) {
			t.Fatalf("kept country %q", fl.Country)
		}
		if fl.Verdict != "" && !slices.Contains(publicdiplomacy.Verdicts, fl.Verdict) {
			t.Fatalf("kept verdict %q", fl.Verdict)
		}
		if fl.Language != "" && !publicdiplomacy.LanguageCode(fl.Language) {
			t.Fatalf("kept language %q", fl.Language)
		}
		if fl.State != "" && !slices.Contains(publicdiplomacy.CaseStates, fl.State) {
			t.Fatalf("kept state %q", fl.State)
		}
		if fl.Page.Limit < 0 || fl.Page.Limit > 1000 {
			t.Fatalf("kept limit %d", fl.Page.Limit)
		}
		back, err := url.ParseQuery(fl.Query(fl.Page.Cursor))
		if err != nil {
			t.Fatalf("the link %q does not parse: %v", fl.Query(fl.Page.Cursor), err)
		}
		again, err := publicdiplomacy.ParseCaseFilter(back)
		fl.Page.Limit = 0
		if err != nil || again != fl {
			t.Fatalf("%q: %+v, written back and read again %+v (%v)", raw, fl, again, err)
		}
	})
}
