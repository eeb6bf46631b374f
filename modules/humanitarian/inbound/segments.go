package inbound

import (
	"strings"
	"unicode"
)

// SMS encodings: GSM-7 packs 160 septets in one SMS, UCS-2 only 70 UTF-16
// units; a single character outside GSM-7 (an emoji, a curly quote) switches
// the whole message to UCS-2.
const (
	EncodingGSM7 = "GSM-7"
	EncodingUCS2 = "UCS-2"
)

// Per-part capacities. A concatenated message spends 6 bytes of each part on
// the user data header, leaving 153 septets or 67 UTF-16 units.
const (
	gsmSingle, gsmMulti   = 160, 153
	ucs2Single, ucs2Multi = 70, 67
)

// gsmBasic is the GSM 03.38 default alphabet (each one septet).
const gsmBasic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
	"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"

// gsmExtension characters cost two septets (escape + code).
const gsmExtension = "\f^{}\\[~]|€"

var gsmCost = func() map[rune]int {
	m := map[rune]int{}
	for _, r := range gsmBasic {
		m[r] = 1
	}
	for _, r := range gsmExtension {
		m[r] = 2
	}
	return m
}()

// Segments is how a text travels as SMS: its encoding, its length in that
// encoding's units (septets or UTF-16 units) and the parts it is cut into.
type Segments struct {
	Encoding string
	Units    int
	Parts    []string
}

// Count is the number of SMS the text costs (an empty text still costs one).
func (s Segments) Count() int { return len(s.Parts) }

// IsGSM7 reports whether every character of text is in the GSM-7 alphabet.
func IsGSM7(text string) bool {
	for _, r := range text {
		if gsmCost[r] == 0 {
			return false
		}
	}
	return true
}

func unitCost(r rune, gsm bool) int {
	if gsm {
		return gsmCost[r]
	}
	if r > 0xFFFF {
		return 2 // a surrogate pair
	}
	return 1
}

// SplitSMS cuts text into SMS parts as a phone would: one part if it fits
// 160 septets (GSM-7) or 70 units (UCS-2), else parts of 153 or 67. A
// two-septet GSM character or a surrogate pair is never split across parts.
func SplitSMS(text string) Segments {
	gsm := IsGSM7(text)
	s := Segments{Encoding: EncodingUCS2}
	single, multi := ucs2Single, ucs2Multi
	if gsm {
		s.Encoding = EncodingGSM7
		single, multi = gsmSingle, gsmMulti
	}
	for _, r := range text {
		s.Units += unitCost(r, gsm)
	}
	if s.Units <= single {
		s.Parts = []string{text}
		return s
	}
	start, used := 0, 0
	for i, r := range text {
		c := unitCost(r, gsm)
		if used+c > multi {
			s.Parts = append(s.Parts, text[start:i])
			start, used = i, 0
		}
		used += c
	}
	s.Parts = append(s.Parts, text[start:])
	return s
}

// FitSMS shortens text so it costs at most maxParts SMS (at least one),
// ending a cut text with "..." after the last whole word when one is near.
// It returns the text sent and its segments.
func FitSMS(text string, maxParts int) (string, Segments) {
	if maxParts < 1 {
		maxParts = 1
	}
	seg := SplitSMS(text)
	if seg.Count() <= maxParts {
		return text, seg
	}
	gsm := seg.Encoding == EncodingGSM7
	budget := maxParts * ucs2Multi
	if gsm {
		budget = maxParts * gsmMulti
	}
	if maxParts == 1 {
		budget = ucs2Single
		if gsm {
			budget = gsmSingle
		}
	}
	const ellipsis = "..."
	budget -= len(ellipsis)
	cut, used := 0, 0
	for i, r := range text {
		c := unitCost(r, gsm)
		if used+c > budget {
			break
		}
		used += c
		cut = i + len(string(r))
	}
	head := text[:cut]
	// Prefer a word boundary unless that would throw away much of the room.
	if j := strings.LastIndexFunc(head, unicode.IsSpace); j > 0 && len(head)-j < 24 {
		head = head[:j]
	}
	out := strings.TrimRightFunc(head, unicode.IsSpace) + ellipsis
	// Cutting may change the encoding (the non-GSM character fell off) or
	// packing; shrink until it truly fits, which at most a few steps need.
	for seg = SplitSMS(out); seg.Count() > maxParts && len(head) > 0; seg = SplitSMS(out) {
		r := []rune(head)
		head = string(r[:len(r)-1])
		out = head + ellipsis
	}
	return out, seg
}
