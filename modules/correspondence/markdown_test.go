package correspondence

import (
	"regexp"
	"strings"
	"testing"
)

func TestMarkdownSubsetIsSafe(t *testing.T) {
	for in, want := range map[string]string{
		"Dear **colleagues**,\nsee *annex*.":             "<p>Dear <strong>colleagues</strong>,<br>see <em>annex</em>.</p>",
		"- one\n- two":                                   "<ul><li>one</li><li>two</li></ul>",
		"1. first\n2. second":                            "<ol><li>first</li><li>second</li></ol>",
		"[UN](https://un.org/a?b=1&c=2)":                 `<p><a href="https://un.org/a?b=1&amp;c=2" rel="noopener noreferrer nofollow">UN</a></p>`,
		"<script>alert(1)</script>":                      "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>",
		"[x](javascript:alert(1))":                       "<p>[x](javascript:alert(1))</p>",
		`[x](https://a.example/" onmouseover="alert(1))`: `<p>[x](https://a.example/&#34; onmouseover=&#34;alert(1))</p>`,
		"`<b>`":                "<p><code>&lt;b&gt;</code></p>",
		"para one\n\npara two": "<p>para one</p><p>para two</p>",
	} {
		if got := string(RenderMarkdown(in)); got != want {
			t.Errorf("RenderMarkdown(%q)\n got %s\nwant %s", in, got, want)
		}
	}
	if strings.Contains(string(Message{Body: "<i>x</i>"}.HTML()), "<i>") {
		t.Error("plain text was not escaped")
	}
}

var allowedTag = regexp.MustCompile(`</?(?:p|br|ul|ol|li|strong|em|code)>|<p class="plain">|<a href="https?://[^"<>\s]*" rel="noopener noreferrer nofollow">|</a>`)

// FuzzMarkdown: whatever a sender writes, the only tags in the output are the
// renderer's own, and links go only to http or https.
func FuzzMarkdown(f *testing.F) {
	f.Add("**a** *b* `c` [d](https://e.example)\n- f\n\n1. g")
	f.Add("[x](https://a\"onclick=\"y)")
	f.Fuzz(func(t *testing.T, s string) {
		out := allowedTag.ReplaceAllString(string(RenderMarkdown(s)), "")
		if strings.ContainsAny(out, "<>") {
			t.Fatalf("markup from the sender reached the page for %q: %s", s, out)
		}
	})
}
