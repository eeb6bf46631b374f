package directory

import (
	"slices"
	"strings"
	"testing"
)

func TestIndicatorsHTML(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"https://cert.example/advisory?id=7&lang=en", `<a href="https://cert.example/advisory?id=7&amp;lang=en" rel="noopener noreferrer nofollow" class="external">https://cert.example/advisory?id=7&amp;lang=en</a>`},
		{"https://evil.example/x?a=1&b=<script>", `https://evil.example/x?a=1&amp;b=&lt;script&gt;`},
		{"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f,", `<a href="/intel?q=indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f">indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f</a>,`},
		{"javascript:alert(1) <b>x</b>", `javascript:alert(1) &lt;b&gt;x&lt;/b&gt;`},
		{`https://"onmouseover=alert(1)`, `https://&#34;onmouseover=alert(1)`},
		{"http://user:pw@host.example/", "http://user:pw@host.example/"},
		{"198.51.100.7\nevil.example", "198.51.100.7\nevil.example"},
	} {
		got := string(Request{Indicators: c.in}.IndicatorsHTML())
		if got != c.want {
			t.Errorf("%q:\n got %s\nwant %s", c.in, got, c.want)
		}
		if strings.Contains(got, "<script") || strings.Contains(got, `href="javascript`) {
			t.Errorf("%q: unsafe output %s", c.in, got)
		}
	}
}

func TestErrorsInFormOrder(t *testing.T) {
	got := inFormOrder(map[string]string{"tlp": "err.choice", "asked": "err.required", "subject": "err.required", "zzz": "err.x", "from": "err.required"}, requestFields)
	var names []string
	for _, p := range got {
		names = append(names, p.Name)
	}
	if want := []string{"from", "subject", "asked", "tlp", "zzz"}; !slices.Equal(names, want) {
		t.Fatalf("order %v, want %v", names, want)
	}
}
