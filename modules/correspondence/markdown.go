package correspondence

import (
	"html"
	"html/template"
	"regexp"
	"strings"
)

// The Markdown subset: paragraphs, line breaks, bullet and numbered lists,
// **bold**, *italic*, `code`, and [links](https://…) to http and https only.
// Everything is escaped first; the subset only adds tags it writes itself,
// so no markup from a sender reaches a reader's page.
var (
	mdCode   = regexp.MustCompile("`([^`\n]+)`")
	mdBold   = regexp.MustCompile(`\*\*([^*\n]+)\*\*`)
	mdItalic = regexp.MustCompile(`\*([^*\n]+)\*`)
	mdLink   = regexp.MustCompile(`\[([^\]\n]+)\]\((https?://[^\s()<>"]+)\)`)
	mdNumber = regexp.MustCompile(`^\d+[.)] `)
)

func inline(s string) string {
	s = html.EscapeString(s)
	s = mdCode.ReplaceAllString(s, "<code>$1</code>")
	s = mdBold.ReplaceAllString(s, "<strong>$1</strong>")
	s = mdItalic.ReplaceAllString(s, "<em>$1</em>")
	// The URL was escaped with the rest; &amp; in an href is correct HTML.
	s = mdLink.ReplaceAllString(s, `<a href="$2" rel="noopener noreferrer nofollow">$1</a>`)
	return s
}

// RenderMarkdown renders the subset to HTML.
func RenderMarkdown(src string) template.HTML {
	var b strings.Builder
	blocks := strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n\n")
	for _, blk := range blocks {
		lines := strings.Split(strings.Trim(blk, "\n"), "\n")
		if len(lines) == 1 && strings.TrimSpace(lines[0]) == "" {
			continue
		}
		bullets, numbers := true, true
		for _, l := range lines {
			bullets = bullets && (strings.HasPrefix(l, "- ") || strings.HasPrefix(l, "* "))
			numbers = numbers && mdNumber.MatchString(l)
		}
		switch {
		case bullets || numbers:
			tag := "ul"
			if numbers {
				tag = "ol"
			}
			b.WriteString("<" + tag + ">")
			for _, l := range lines {
				if numbers {
					l = mdNumber.ReplaceAllString(l, "")
				} else {
					l = l[2:]
				}
				b.WriteString("<li>" + inline(l) + "</li>")
			}
			b.WriteString("</" + tag + ">")
		default:
			parts := make([]string, len(lines))
			for i, l := range lines {
				parts[i] = inline(l)
			}
			b.WriteString("<p>" + strings.Join(parts, "<br>") + "</p>")
		}
	}
	return template.HTML(b.String())
}

// HTML returns the body ready for a page: the Markdown subset rendered, or
// plain text escaped (its line breaks are kept by the stylesheet).
func (m Message) HTML() template.HTML {
	if m.Format == "markdown" {
		return RenderMarkdown(m.Body)
	}
	return template.HTML("<p class=\"plain\">" + html.EscapeString(m.Body) + "</p>")
}
