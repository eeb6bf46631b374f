package negotiation

import (
	"html/template"
	"strings"
)

// Paragraph statuses. Bracketed and options follow from the wording; the
// chair declares the two agreed ones, and only on a wording without either.
const (
	StatusOpen      = "open"      // no brackets, not yet agreed
	StatusBracketed = "bracketed" // contested words in [square brackets]
	StatusOptions   = "options"   // alternatives stacked, one to be chosen
	StatusAdRef     = "adref"     // agreed ad referendum, pending capitals
	StatusAgreed    = "agreed"
)

// Statuses in the order the overview counts them.
var Statuses = []string{StatusAgreed, StatusAdRef, StatusOpen, StatusBracketed, StatusOptions}

// Parts of a resolution-style text: preambular and operative paragraphs
// are numbered separately (PP1…, OP1…).
const (
	PartPreamble  = "pp"
	PartOperative = "op"
)

// maxWording bounds one wording; a paragraph longer than this is a text.
const (
	maxWording = 4000
	maxOptions = 6
	maxDepth   = 3
)

// Paragraph is one paragraph of the working text or of a revision. Each of
// its options is a wording; a settled paragraph has exactly one.
type Paragraph struct {
	ID      string   `json:"id"`
	Part    string   `json:"part"`
	Options []string `json:"options"`
	Agreed  string   `json:"agreed,omitempty"` // "", adref or agreed, as the chair declared
}

// Status is the paragraph's status: stacked options and open brackets come
// first, whatever was declared.
func (p Paragraph) Status() string {
	if len(p.Options) > 1 {
		return StatusOptions
	}
	for _, o := range p.Options {
		if strings.ContainsAny(o, "[]") {
			return StatusBracketed
		}
	}
	if p.Agreed != "" {
		return p.Agreed
	}
	return StatusOpen
}

// Settled reports whether the paragraph could be adopted as it stands.
func (p Paragraph) Settled() bool {
	s := p.Status()
	return s != StatusBracketed && s != StatusOptions
}

// Wording is the paragraph's text when it has a single option.
func (p Paragraph) Wording() string {
	if len(p.Options) == 0 {
		return ""
	}
	return p.Options[0]
}

// Brackets checks that a wording's square brackets open and close in order
// and nest at most maxDepth deep; the answer is a message key, or "".
func Brackets(s string) string {
	depth := 0
	for _, r := range s {
		switch r {
		case '[':
			depth++
			if depth > maxDepth {
				return "err.brackets_deep"
			}
		case ']':
			depth--
			if depth < 0 {
				return "err.brackets_unopened"
			}
		}
	}
	if depth > 0 {
		return "err.brackets_unclosed"
	}
	return ""
}

// checkWording is the rule every wording meets, whoever writes it.
func checkWording(s string) string {
	switch {
	case strings.TrimSpace(s) == "":
		return "err.required"
	case len(s) > maxWording:
		return "err.too_long"
	}
	return Brackets(s)
}

// Marked renders a wording with its bracketed words highlighted; nested
// brackets nest the highlight. Unbalanced input (only from a peer that does
// not check) is closed off so the page stays well formed.
func Marked(s string) template.HTML {
	var b strings.Builder
	depth := 0
	last := 0
	flush := func(i int) {
		b.WriteString(template.HTMLEscapeString(s[last:i]))
		last = i
	}
	for i, r := range s {
		switch r {
		case '[':
			flush(i)
			b.WriteString(`<mark class="br">`)
			depth++
		case ']':
			if depth == 0 {
				continue
			}
			flush(i + 1)
			b.WriteString(`</mark>`)
			depth--
		}
	}
	flush(len(s))
	for ; depth > 0; depth-- {
		b.WriteString(`</mark>`)
	}
	return template.HTML(b.String())
}

// OptionLabel names an option as negotiators do: Option A, Option B…
func OptionLabel(i int) string { return string(rune('A' + i)) }
