package web

import (
	"html"
	"html/template"
	"regexp"
	"strings"
)

var linkRE = regexp.MustCompile(`https?://[^\s<>"']+`)

// Linkify is plain text as HTML: escaped, with its http(s) addresses as
// links marked nofollow, noopener, noreferrer and ugc (the text is someone
// else's). Trailing punctuation stays outside the link.
func Linkify(text string) template.HTML {
	var b strings.Builder
	last := 0
	for _, m := range linkRE.FindAllStringIndex(text, -1) {
		u := strings.TrimRight(text[m[0]:m[1]], ".,;:!?)]")
		end := m[0] + len(u)
		b.WriteString(html.EscapeString(text[last:m[0]]))
		b.WriteString(`<a href="` + html.EscapeString(u) + `" rel="nofollow noopener noreferrer ugc">` + html.EscapeString(u) + `</a>`)
		last = end
	}
	b.WriteString(html.EscapeString(text[last:]))
	return template.HTML(b.String())
}
