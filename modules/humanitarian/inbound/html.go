package inbound

import (
	"html"
	"strings"
)

// skipContent are elements whose content is never text a reader sees.
var skipContent = map[string]bool{"script": true, "style": true, "head": true, "title": true, "template": true}

// breakBefore are elements that start a new line in rendered HTML.
var breakBefore = map[string]bool{
	"p": true, "div": true, "br": true, "tr": true, "table": true, "ul": true, "ol": true,
	"h1": true, "h2": true, "h3": true, "h4": true, "h5": true, "h6": true,
	"blockquote": true, "hr": true, "section": true, "article": true, "pre": true, "address": true,
}

// HTMLToText reduces an HTML-only mail body to readable plain text: tags
// dropped, script and style removed, block elements and <br> turned into line
// breaks, list items into "- " lines, entities decoded and runs of spaces
// collapsed. It is a reader for people's mail, not a validator: broken markup
// still yields its text.
func HTMLToText(s string) string {
	// Text is gathered with byte 0 marking the line breaks and byte 1 the paragraph breaks markup implies;
	// all other whitespace is then collapsed as a browser would.
	s = strings.Map(func(r rune) rune {
		if r == 0 || r == 1 {
			return -1
		}
		return r
	}, s)
	var b strings.Builder
	for len(s) > 0 {
		lt := strings.IndexByte(s, '<')
		if lt < 0 {
			b.WriteString(html.UnescapeString(s))
			break
		}
		b.WriteString(html.UnescapeString(s[:lt]))
		s = s[lt:]
		if strings.HasPrefix(s, "<!--") {
			end := strings.Index(s[4:], "-->")
			if end < 0 {
				break
			}
			s = s[4+end+3:]
			continue
		}
		gt := strings.IndexByte(s, '>')
		if gt < 0 {
			break // an unterminated tag: nothing after it is text
		}
		tag := s[1:gt]
		s = s[gt+1:]
		closing := strings.HasPrefix(tag, "/")
		name := strings.ToLower(strings.TrimLeft(tag, "/!?"))
		if i := strings.IndexAny(name, " \t\r\n/"); i >= 0 {
			name = name[:i]
		}
		if !closing && skipContent[name] {
			end := indexFold(s, "</"+name)
			if end < 0 {
				break
			}
			s = s[end:]
			continue
		}
		switch {
		case name == "li" && !closing:
			b.WriteString("\x00- ")
		case name == "p" || name == "table" || len(name) == 2 && name[0] == 'h' && name[1] >= '1' && name[1] <= '6':
			b.WriteByte(1) // paragraphs and headings stand apart
		case breakBefore[name] || name == "li":
			b.WriteByte(0)
		case name == "td" || name == "th":
			b.WriteByte(' ')
		}
	}
	// A run of line-break marks is one break (</li><li> is not a blank
	// line); a paragraph mark leaves one blank line.
	var lines []string
	all := b.String()
	start := 0
	for i := 0; i <= len(all); i++ {
		if i < len(all) && all[i] > 1 {
			continue
		}
		if l := strings.Join(strings.Fields(all[start:i]), " "); l != "" {
			lines = append(lines, l)
		}
		if i < len(all) && all[i] == 1 {
			lines = append(lines, "")
		}
		start = i + 1
	}
	return tidyLines(strings.Join(lines, "\n"))
}

// indexFold is strings.Index ignoring ASCII case, without lowering a copy
// of the rest of the document for every <script> in it.
func indexFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		j := strings.IndexByte(s[i:], '<')
		if j < 0 {
			return -1
		}
		i += j
		if i+len(sub) <= len(s) && strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}

// tidyLines trims each line and keeps at most one blank line in a row.
func tidyLines(s string) string {
	lines := strings.Split(s, "\n")
	out := make([]string, 0, len(lines))
	blank := true
	for _, l := range lines {
		l = strings.TrimSpace(l)
		if l == "" {
			if !blank {
				out = append(out, "")
			}
			blank = true
			continue
		}
		out = append(out, l)
		blank = false
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}
