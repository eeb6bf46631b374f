package inbound

import "strings"

// NormalizePhone returns the E.164 form ("+6281234567890") of a phone number
// as gateways deliver it, and whether that was possible.
//
// Accepted: "+62 812-3456-7890", "0062 812...", and, when defaultCC (a
// country calling code such as "62") is given, national numbers with a trunk
// 0 ("0812...") and bare international digits starting with the code
// ("62812..."), the two forms Indonesian phones and gateways commonly send.
// Alphanumeric senders ("TELKOMSEL") and anything else return ok false:
// guessing a country for them would attribute a report to the wrong person.
func NormalizePhone(raw, defaultCC string) (e164 string, ok bool) {
	s := strings.TrimSpace(raw)
	defaultCC = strings.TrimPrefix(strings.TrimSpace(defaultCC), "+")
	var b strings.Builder
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && i == 0:
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')' || r == '/' || r == '\u00a0':
			// punctuation people and phones put in numbers
		default:
			return "", false
		}
	}
	n := b.String()
	var digits string
	switch {
	case strings.HasPrefix(n, "+"):
		digits = n[1:]
	case strings.HasPrefix(n, "00"):
		digits = n[2:]
	case strings.HasPrefix(n, "0") && validCC(defaultCC):
		digits = defaultCC + n[1:]
	case validCC(defaultCC) && strings.HasPrefix(n, defaultCC) && len(n) >= len(defaultCC)+8:
		digits = n
	default:
		return "", false
	}
	// E.164: at most 15 digits, no leading zero; fewer than 8 is no
	// subscriber number anywhere (short codes are not people).
	if len(digits) < 8 || len(digits) > 15 || digits[0] == '0' || strings.Contains(digits, "+") {
		return "", false
	}
	return "+" + digits, true
}

func validCC(cc string) bool {
	if len(cc) < 1 || len(cc) > 3 || cc[0] == '0' {
		return false
	}
	for _, r := range cc {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// cleanSender keeps what an alphanumeric sender id may contain, as Ushahidi
// does, so odd bytes from a gateway never reach a page.
func cleanSender(s string) string {
	var b strings.Builder
	for _, r := range strings.TrimSpace(s) {
		if r < 128 && (r == '+' || r == ' ' || r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z') {
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(b.String())
}
