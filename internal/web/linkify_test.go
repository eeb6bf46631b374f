package web

import (
	"regexp"
	"strings"
	"testing"
)

func TestLinkify(t *testing.T) {
	for in, want := range map[string]string{
		"See https://kemlu.go.id/canberra.":      `See <a href="https://kemlu.go.id/canberra" rel="nofollow noopener noreferrer ugc">https://kemlu.go.id/canberra</a>.`,
		`<script>alert(1)</script>`:              `&lt;script&gt;alert(1)&lt;/script&gt;`,
		`javascript:alert(1) http://x.example/"`: `javascript:alert(1) <a href="http://x.example/" rel="nofollow noopener noreferrer ugc">http://x.example/</a>&#34;`,
		"a & b":                                  "a &amp; b",
	} {
		if got := string(Linkify(in)); got != want {
			t.Errorf("Linkify(%q) = %q, want %q", in, got, want)
		}
	}
}

// ourTags are the only tags Linkify may write.
var ourTags = regexp.MustCompile(`<a href="[^"<>]*" rel="nofollow noopener noreferrer ugc">|</a>`)

func FuzzLinkify(f *testing.F) {
	f.Add("See https://kemlu.go.id/canberra. <b>x</b>")
	f.Fuzz(func(t *testing.T, s string) {
		out := ourTags.ReplaceAllString(string(Linkify(s)), "")
		if strings.ContainsAny(out, "<>\"") {
			t.Fatalf("markup survived: %q", out)
		}
	})
}
