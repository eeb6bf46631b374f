package ap

import (
	"strings"
	"testing"
)

func TestPlainText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`<p>Hello <strong>world</strong></p>`, "Hello world"},
		{`<p>one</p><p>two</p>`, "one\n\ntwo"},
		{`line<br>break<br/>again<br />end`, "line\nbreak\nagain\nend"},
		{`<p>a<br><br>b</p>`, "a\n\nb"},
		{`<p>&lt;b&gt;escaped&lt;/b&gt;</p>`, "<b>escaped</b>"},
		{`Tom &amp; Jerry &lt;3 &quot;quoted&quot; &#39;x&#39; &#x1F600; caf&eacute;`, `Tom & Jerry <3 "quoted" 'x' 😀 café`},
		{`<p>before<script>alert("<p>x</p>")</script>after</p>`, "beforeafter"},
		{`<style>p { color: red }</style><p>styled</p>`, "styled"},
		{`<SCRIPT type="text/javascript">document.write("<b>x</b>")</SCRIPT >ok`, "ok"},
		{`<script>never closed <b>bold</b>`, ""},
		{`<a href="https://x.example/very/long">x.example/very/long</a>`, "x.example/very/long"},
		{`<p><a href="https://mastodon.example/@budi" class="u-url mention">@<span>budi</span></a> <span class="invisible">https://</span><span class="ellipsis">example.org/a</span><span class="invisible">/b</span></p>`, "@budi https://example.org/a/b"},
		{`<ul><li>one</li><li>two <em>nested <b>deep</b></em></li></ul>`, "one\ntwo nested deep"},
		{`<blockquote><p>quoted</p></blockquote><p>reply</p>`, "quoted\n\nreply"},
		{"<p>  spaced \n\t out  </p>", "spaced out"},
		{"<pre>keep\n  this</pre>", "keep\n  this"},
		{`a < b and c > d`, "a b and c > d"},
		{`<img src=x onerror="alert('>')">after`, "after"},
		{`<!-- a comment <p>hidden</p> -->shown`, "shown"},
		{`<!-- unterminated`, ""},
		{`text<`, "text"},
		{`<p title="a > b">t</p>`, "t"},
		{`<p>unterminated tag <a href="x`, "unterminated tag"},
		{"nul\x00and\x01control", "nulandcontrol"},
		{``, ""},
	} {
		got := PlainText(tc.in)
		if got != tc.want {
			t.Errorf("PlainText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestPlainTextLeavesNoTags(t *testing.T) {
	for _, in := range []string{
		`<<script>script>alert(1)<</script>/script>`,
		`<scr<script>ipt>alert(1)</script>`,
		`<a href='>'<b>x</b>`,
		`<div<p>x`,
		`<svg><script>alert(1)</script></svg>`,
	} {
		got := PlainText(in)
		if !strings.Contains(in, "&") && strings.Contains(got, "<") {
			t.Errorf("PlainText(%q) = %q keeps a '<'", in, got)
		}
	}
}
