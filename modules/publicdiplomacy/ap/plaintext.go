package ap

import (
	"html"
	"strings"
)

// PlainText turns remote HTML (a post's content or summary, a profile's
// bio) into plain text for places that do not render HTML (notifications,
// titles, search): tags are dropped, <br> becomes a newline and paragraphs a
// blank line, entities are decoded, links keep their text (Mastodon shows
// the URL's text, split in spans, which joins back up), and script and
// style content is dropped. The result is text, not HTML: a decoded "&lt;"
// is a '<' to be escaped again by whoever renders it; a '<' written bare in
// the HTML is dropped, so every '<' in the result came from an entity.
func PlainText(s string) string {
	var p plain
	pre := 0
	for i := 0; i < len(s); {
		if s[i] != '<' {
			j := strings.IndexByte(s[i+1:], '<')
			if j < 0 {
				j = len(s)
			} else {
				j += i + 1
			}
			p.text(s[i:j], pre > 0)
			i = j
			continue
		}
		if strings.HasPrefix(s[i:], "<!--") {
			end := strings.Index(s[i+4:], "-->")
			if end < 0 {
				break
			}
			i += 4 + end + 3
			continue
		}
		if i+1 == len(s) || !(isLetter(s[i+1]) || s[i+1] == '/' || s[i+1] == '!' || s[i+1] == '?') {
			// A bare '<' is never in HTML a server wrote (it writes
			// &lt;), only in broken or hostile markup: dropping it keeps
			// the rule that every '<' in the result came from an entity.
			i++
			continue
		}
		end := tagEnd(s, i)
		name, closing := tagName(s[i+1 : end])
		i = end
		switch name {
		case "script", "style":
			if closing {
				continue
			}
			// Raw text up to the matching end tag, never shown.
			k := indexFold(s[i:], "</"+name)
			if k < 0 {
				i = len(s)
				continue
			}
			i = tagEnd(s, i+k)
		case "br":
			p.newline()
		case "p":
			p.breakTo(2)
		case "pre":
			if closing {
				pre--
			} else {
				pre++
			}
			p.breakTo(1)
		case "div", "li", "ul", "ol", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "table", "hr":
			p.breakTo(1)
		}
	}
	return strings.Trim(p.b.String(), " \n")
}

type plain struct {
	b       strings.Builder
	newl    int  // newlines at the end of the output
	pending bool // a collapsed space waits for the next word
}

func (p *plain) text(raw string, pre bool) {
	t := html.UnescapeString(raw)
	for _, c := range t {
		switch {
		case c == '\n' && pre:
			p.newline()
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f':
			if pre {
				p.b.WriteRune(c)
				p.newl = 0
			} else {
				p.pending = true
			}
		case c < 0x20 || c == 0x7f:
			// control characters never belong in text
		default:
			if p.pending && p.newl == 0 && p.b.Len() > 0 {
				p.b.WriteByte(' ')
			}
			p.pending = false
			p.b.WriteRune(c)
			p.newl = 0
		}
	}
}

func (p *plain) newline() {
	p.pending = false
	p.b.WriteByte('\n')
	p.newl++
}

// breakTo ends the current block with at least n newlines.
func (p *plain) breakTo(n int) {
	p.pending = false
	if p.b.Len() == 0 {
		return
	}
	for p.newl < n {
		p.newline()
	}
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// tagEnd returns the index just past the '>' closing the tag that starts
// at i; a '>' inside a quoted attribute value does not close it. An
// unterminated tag runs to the end, so its text is never shown.
func tagEnd(s string, i int) int {
	var quote byte
	for j := i + 1; j < len(s); j++ {
		c := s[j]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case (c == '"' || c == '\'') && s[j-1] == '=':
			quote = c
		case c == '>':
			return j + 1
		}
	}
	return len(s)
}

// tagName reads the lowercased element name of a tag's inside ("/p", "br /").
func tagName(t string) (string, bool) {
	closing := strings.HasPrefix(t, "/")
	t = strings.TrimPrefix(t, "/")
	n := 0
	for n < len(t) && (isLetter(t[n]) || t[n] >= '0' && t[n] <= '9') {
		n++
	}
	return strings.ToLower(t[:n]), closing
}

func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}
