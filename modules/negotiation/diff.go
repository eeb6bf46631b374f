package negotiation

import (
	"html/template"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Op is one piece of a word-level diff: equal, deleted or inserted text.
type Op struct {
	Kind byte   `json:"kind"` // '=', '-' or '+'
	Text string `json:"text"`
}

// maxCells bounds the table of the word diff. Paragraphs are at most
// maxWording bytes, so only pathological input reaches it; past it the
// changed middle is shown as deleted then inserted, which is still true.
const maxCells = 1_000_000

// Diff compares two wordings word by word. Words keep their inner hyphens
// and apostrophes (Indonesian "negara-negara", English "states'"), numbers
// keep their separators ("74/544", "1,000"), and every punctuation mark is a
// token of its own, so a comma changed to a semicolon shows as just that.
func Diff(a, b string) []Op {
	ta, tb := tokens(a), tokens(b)
	pre := 0
	for pre < len(ta) && pre < len(tb) && ta[pre] == tb[pre] {
		pre++
	}
	suf := 0
	for suf < len(ta)-pre && suf < len(tb)-pre && ta[len(ta)-1-suf] == tb[len(tb)-1-suf] {
		suf++
	}
	var ops []Op
	add := func(k byte, s string) {
		if s == "" {
			return
		}
		if n := len(ops); n > 0 && ops[n-1].Kind == k {
			ops[n-1].Text += s
			return
		}
		ops = append(ops, Op{Kind: k, Text: s})
	}
	add('=', strings.Join(ta[:pre], ""))
	for _, o := range middle(ta[pre:len(ta)-suf], tb[pre:len(tb)-suf]) {
		add(o.Kind, o.Text)
	}
	add('=', strings.Join(ta[len(ta)-suf:], ""))
	return tidy(ops)
}

// middle diffs the changed middle with a longest-common-subsequence table.
func middle(a, b []string) []Op {
	n, m := len(a), len(b)
	if n == 0 || m == 0 || n*m > maxCells {
		return []Op{{'-', strings.Join(a, "")}, {'+', strings.Join(b, "")}}
	}
	// lcs[i][j] is the LCS length of a[i:] and b[j:].
	w := m + 1
	lcs := make([]int32, (n+1)*w)
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i*w+j] = lcs[(i+1)*w+j+1] + 1
			} else {
				lcs[i*w+j] = max(lcs[(i+1)*w+j], lcs[i*w+j+1])
			}
		}
	}
	var ops []Op
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case a[i] == b[j]:
			ops = append(ops, Op{'=', a[i]})
			i, j = i+1, j+1
		case lcs[(i+1)*w+j] >= lcs[i*w+j+1]:
			ops = append(ops, Op{'-', a[i]})
			i++
		default:
			ops = append(ops, Op{'+', b[j]})
			j++
		}
	}
	for ; i < n; i++ {
		ops = append(ops, Op{'-', a[i]})
	}
	for ; j < m; j++ {
		ops = append(ops, Op{'+', b[j]})
	}
	return ops
}

// tidy makes a diff readable: whitespace or a lone short word left equal
// between two changes joins them (so a rewritten phrase reads as one
// replacement, not as confetti), deletions come before insertions within a
// change, and neighbours of one kind merge.
func tidy(ops []Op) []Op {
	changed := func(o Op) bool { return o.Kind != '=' }
	for i := 1; i+1 < len(ops); i++ {
		if ops[i].Kind == '=' && strings.TrimSpace(ops[i].Text) == "" && changed(ops[i-1]) && changed(ops[i+1]) {
			t := ops[i].Text
			ops = append(ops[:i], append([]Op{{'-', t}, {'+', t}}, ops[i+1:]...)...)
			i++
		}
	}
	var out []Op
	for i := 0; i < len(ops); {
		if ops[i].Kind == '=' {
			out = appendOp(out, ops[i])
			i++
			continue
		}
		var del, ins strings.Builder
		for ; i < len(ops) && ops[i].Kind != '='; i++ {
			if ops[i].Kind == '-' {
				del.WriteString(ops[i].Text)
			} else {
				ins.WriteString(ops[i].Text)
			}
		}
		d, n := tokens(del.String()), tokens(ins.String())
		pre := 0
		for pre < len(d) && pre < len(n) && d[pre] == n[pre] {
			pre++
		}
		suf := 0
		for suf < len(d)-pre && suf < len(n)-pre && d[len(d)-1-suf] == n[len(n)-1-suf] {
			suf++
		}
		out = appendOp(out, Op{'=', strings.Join(d[:pre], "")})
		out = appendOp(out, Op{'-', strings.Join(d[pre:len(d)-suf], "")})
		out = appendOp(out, Op{'+', strings.Join(n[pre:len(n)-suf], "")})
		out = appendOp(out, Op{'=', strings.Join(d[len(d)-suf:], "")})
	}
	return out
}

func appendOp(ops []Op, o Op) []Op {
	if o.Text == "" {
		return ops
	}
	if n := len(ops); n > 0 && ops[n-1].Kind == o.Kind {
		ops[n-1].Text += o.Text
		return ops
	}
	return append(ops, o)
}

func isWord(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r) }

// tokens splits a wording into words, runs of white space and single
// punctuation marks; joined back they give the wording unchanged.
func tokens(s string) []string {
	var out []string
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		j := i + size
		switch {
		case isWord(r):
			for j < len(s) {
				c, n := utf8.DecodeRuneInString(s[j:])
				if isWord(c) {
					j += n
					continue
				}
				next, m := utf8.DecodeRuneInString(s[j+n:])
				prev, _ := utf8.DecodeLastRuneInString(s[:j])
				if m > 0 && joins(prev, c, next) {
					j += n + m
					continue
				}
				break
			}
		case unicode.IsSpace(r):
			for j < len(s) {
				c, n := utf8.DecodeRuneInString(s[j:])
				if !unicode.IsSpace(c) {
					break
				}
				j += n
			}
		}
		out = append(out, s[i:j])
		i = j
	}
	return out
}

// joins says whether c between prev and next belongs to one word: hyphens
// and apostrophes inside words, separators inside numbers.
func joins(prev, c, next rune) bool {
	switch c {
	case '-', '\'', '’', '‐':
		return isWord(prev) && isWord(next)
	case '.', ',', '/', ':':
		return unicode.IsDigit(prev) && unicode.IsDigit(next)
	}
	return false
}

// DiffHTML renders a diff with <del> and <ins>; the words stay escaped, and
// a screen reader hears which is which.
func DiffHTML(ops []Op, deleted, inserted string) template.HTML {
	var b strings.Builder
	for _, o := range ops {
		t := template.HTMLEscapeString(o.Text)
		switch o.Kind {
		case '-':
			b.WriteString(`<del><span class="sr">` + template.HTMLEscapeString(deleted) + `: </span>` + t + `</del>`)
		case '+':
			b.WriteString(`<ins><span class="sr">` + template.HTMLEscapeString(inserted) + `: </span>` + t + `</ins>`)
		default:
			b.WriteString(t)
		}
	}
	return template.HTML(b.String())
}

// Change counts what a diff does, for a one-line summary.
type Change struct{ Inserted, Deleted, Replaced int }

// Summarise counts the diff's insertions, deletions and replacements (a
// deletion followed by an insertion).
func Summarise(ops []Op) Change {
	var c Change
	for i := 0; i < len(ops); i++ {
		switch ops[i].Kind {
		case '-':
			if i+1 < len(ops) && ops[i+1].Kind == '+' {
				c.Replaced++
				i++
			} else {
				c.Deleted++
			}
		case '+':
			c.Inserted++
		}
	}
	return c
}
