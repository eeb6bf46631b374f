package publicdiplomacy

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Keyword alerts match whole words, whatever their case and however their
// letters are encoded: "ASEAN" matches "asean" and "ASEAN's" but not
// "Aseanism"; "hoaks" matches "Hoaks!" and "hoaks-hoaks" but not
// "hoaksnya" (Indonesian affixes are not undone: a press office adds the
// forms it cares about). A phrase matches its words in sequence, whatever
// spaces or punctuation stand between them. Scripts written without spaces
// (Chinese, Japanese, Thai) are not split into words, so a keyword in them
// matches only a run of the same letters standing alone.

// words splits text into its words, folded for comparison: runs of letters,
// digits and combining marks, in Unicode's composed form (so an é typed as
// e and an accent is the é a feed sends), each letter mapped to one
// representative of its case-folding orbit (so K, k and the Kelvin sign are
// one letter).
func words(s string) []string {
	s = norm.NFC.String(s)
	var out []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			out = append(out, b.String())
			b.Reset()
		}
	}
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.In(r, unicode.Mn, unicode.Mc) {
			b.WriteRune(foldRune(r))
			continue
		}
		flush()
	}
	flush()
	return out
}

// foldRune is the lower case of the smallest rune that folds with r.
func foldRune(r rune) rune {
	if r < 0x80 {
		if 'A' <= r && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	m := r
	for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
		if f < m {
			m = f
		}
	}
	return unicode.ToLower(m)
}

// foldKeyword is a keyword as matching compares it: its words joined by
// one space. Empty when it has no word.
func foldKeyword(s string) string { return strings.Join(words(s), " ") }

// matcher finds an organisation's keywords in items.
type matcher struct {
	// byFirst lists the keywords by their first word; each keyword is its
	// words and the form shown to people.
	byFirst map[string][]matchKeyword
}

type matchKeyword struct {
	words []string
	shown string
}

func newMatcher(ks []Keyword) *matcher {
	m := &matcher{byFirst: map[string][]matchKeyword{}}
	for _, k := range ks {
		ws := strings.Fields(k.Folded)
		if len(ws) == 0 {
			continue
		}
		m.byFirst[ws[0]] = append(m.byFirst[ws[0]], matchKeyword{words: ws, shown: k.Word})
	}
	return m
}

// match returns the keywords found in the texts, each once, in the order
// they first appear.
func (m *matcher) match(texts ...string) []string {
	if len(m.byFirst) == 0 {
		return nil
	}
	var found []string
	seen := map[string]bool{}
	for _, t := range texts {
		ws := words(t)
		for i, w := range ws {
			for _, k := range m.byFirst[w] {
				if seen[k.shown] || i+len(k.words) > len(ws) {
					continue
				}
				ok := true
				for j := 1; j < len(k.words); j++ {
					if ws[i+j] != k.words[j] {
						ok = false
						break
					}
				}
				if ok {
					seen[k.shown] = true
					found = append(found, k.shown)
				}
			}
		}
	}
	return found
}
