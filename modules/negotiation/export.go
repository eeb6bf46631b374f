package negotiation

import (
	"strings"
	"time"
)

// Document is a text as it is exchanged in a word processor: its title, a
// line saying which revision it is, and its paragraphs numbered as
// negotiators read them (PP1…, OP1…), with stacked options labelled and
// brackets kept. The .docx and .odt writers render it.
type Document struct {
	Title    string
	Meta     string // forum · revision · date
	Adoption string // empty unless adopted
	Paras    []DocPara
	Created  time.Time
}

// DocPara is one numbered paragraph; a paragraph with several options
// carries them all, each to be labelled Option A, Option B…
type DocPara struct {
	Label   string
	Options []string
}

// NewDocument makes the exchange document of a text's working paragraphs.
// The words around them are the reader's: meta says which revision it is,
// adoption is empty unless the text was adopted, and option names the i-th
// option (Option A…).
func NewDocument(t *Text, meta, adoption string, option func(i int) string) Document {
	d := Document{Title: t.Title, Meta: meta, Adoption: adoption, Created: t.Dated()}
	labels := Labels(t.Paragraphs)
	for _, para := range t.Paragraphs {
		dp := DocPara{Label: labels[para.ID]}
		if len(para.Options) > 1 {
			for i, o := range para.Options {
				dp.Options = append(dp.Options, option(i)+": "+o)
			}
		} else {
			dp.Options = append(dp.Options, para.Wording())
		}
		d.Paras = append(d.Paras, dp)
	}
	return d
}

// segment is a run of a wording: bracketed (contested) or not. Brackets
// stay in the text, and the bracketed words are set in bold so they stand
// out in any word processor.
type segment struct {
	Text      string
	Bracketed bool
}

func segments(s string) []segment {
	var out []segment
	depth, start := 0, 0
	emit := func(end int, br bool) {
		if end > start {
			out = append(out, segment{Text: s[start:end], Bracketed: br})
		}
		start = end
	}
	for i, r := range s {
		switch r {
		case '[':
			if depth == 0 {
				emit(i, false)
			}
			depth++
		case ']':
			if depth > 0 {
				depth--
				if depth == 0 {
					emit(i+1, true)
				}
			}
		}
	}
	emit(len(s), depth > 0)
	return out
}

// xmlText escapes text for XML character data and drops what XML 1.0
// cannot hold (control characters other than tab, newline and return).
func xmlText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '"':
			b.WriteString("&quot;")
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteRune(r)
		case r < 0x20 || r == 0xFFFE || r == 0xFFFF:
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}
