package inbound

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// gsmLookalike replaces characters that phones and word processors put
// into text (typographic dashes and quotes, the ellipsis, odd spaces) with
// their GSM-7 twins. One such character would otherwise switch a whole
// reply to UCS-2 and cut its room from 153 to 67 characters a part.
var gsmLookalike = strings.NewReplacer(
	"\u2013", "-", "\u2014", "-", "\u2012", "-", "\u2010", "-", "\u2011", "-", "\u2212", "-",
	"\u2018", "'", "\u2019", "'", "\u201A", "'", "\u201B", "'", "\u2032", "'", "`", "'",
	"\u201C", "\"", "\u201D", "\"", "\u201E", "\"", "\u201F", "\"", "\u2033", "\"", "«", "\"", "»", "\"",
	"\u2026", "...", "\u2022", "-", "·", "-",
	"\u00A0", " ", "\u202F", " ", "\u2007", " ", "\u2009", " ", "\u200A", " ", "\u2002", " ", "\u2003", " ",
	"\u200B", "", "\u200C", "", "\u200D", "", "\uFEFF", "",
	"\t", " ",
)

// ToGSM7 rewrites text so that it fits the GSM-7 alphabet where that
// loses nothing a reader needs: typographic punctuation becomes its plain
// form, and a letter with a diacritic GSM-7 lacks (ó, ê, ç) becomes its
// base letter. Letters GSM-7 has (é, ñ, ü) stay; a character with no safe
// equivalent (an emoji, a non-Latin script) is left, and the text then
// travels as UCS-2 as it must.
func ToGSM7(text string) string {
	text = gsmLookalike.Replace(text)
	if IsGSM7(text) {
		return text
	}
	var b strings.Builder
	for _, r := range text {
		if gsmCost[r] != 0 {
			b.WriteRune(r)
			continue
		}
		b.WriteString(baseLetter(r))
	}
	return b.String()
}

// baseLetter is r without its diacritics when that leaves one GSM-7
// letter, else r itself.
func baseLetter(r rune) string {
	if !unicode.IsLetter(r) {
		return string(r)
	}
	var base []rune
	for _, d := range norm.NFD.String(string(r)) {
		if !unicode.Is(unicode.Mn, d) {
			base = append(base, d)
		}
	}
	if len(base) == 1 && gsmCost[base[0]] == 1 {
		return string(base)
	}
	return string(r)
}
