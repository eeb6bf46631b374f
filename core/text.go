package core

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Text problems, as message keys. PostgreSQL refuses a NUL byte in text and
// SQLite stores it; a JSON parser refuses invalid UTF-8 or replaces it. Text
// is therefore checked once, where it enters (a form, a query, a JSON body,
// a peer's envelope, the store), so that both engines behave the same on the
// same bytes and nothing downstream meets such text.
const (
	ProblemNUL       = "err.text_nul"
	ProblemUTF8      = "err.text_utf8"
	ProblemDuplicate = "err.json_duplicate_key"
)

// CheckText returns the problem with s as a message key, or "" when s is
// valid UTF-8 without NUL.
func CheckText(s string) string {
	if strings.IndexByte(s, 0) >= 0 {
		return ProblemNUL
	}
	if !utf8.ValidString(s) {
		return ProblemUTF8
	}
	return ""
}

// JSONProblem is what CheckJSON found: where (a JSON path such as
// "objects[2].name", empty for the document itself) and what (a message key).
type JSONProblem struct {
	Path    string
	Problem string
}

func (p *JSONProblem) Error() string {
	if p.Path == "" {
		return "json: " + p.Problem
	}
	return fmt.Sprintf("json: %s: %s", p.Path, p.Problem)
}

// foldKey maps each rune of k to the smallest of its simple case folds, so
// that keys equal under Unicode case folding (as encoding/json compares
// them: "K", "k" and the Kelvin sign) map to one string.
func foldKey(k string) string {
	// ASCII keys, nearly all of them, fold to upper case (the smallest of
	// each letter's folds) without going rune by rune.
	ascii, lower := true, false
	for i := 0; i < len(k); i++ {
		c := k[i]
		if c >= utf8.RuneSelf {
			ascii = false
			break
		}
		if 'a' <= c && c <= 'z' {
			lower = true
		}
	}
	if ascii {
		if !lower {
			return k
		}
		return strings.ToUpper(k)
	}
	return strings.Map(func(r rune) rune {
		m := r
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if f < m {
				m = f
			}
		}
		return m
	}, k)
}

// AsJSONProblem returns the *JSONProblem in err's chain, or nil.
func AsJSONProblem(err error) *JSONProblem {
	var p *JSONProblem
	if errors.As(err, &p) {
		return p
	}
	return nil
}

// BadFileName reports a file name that cannot be shown or saved as it is:
// empty, over 200 bytes, a path ("/", "\", ".", ".."), or holding control
// or format characters (bidi overrides make "invoice\u202Efdp.exe" read as
// "invoiceexe.pdf").
func BadFileName(s string) bool {
	if s == "" || len(s) > 200 || s == "." || s == ".." || strings.ContainsAny(s, "/\\") {
		return true
	}
	for _, r := range s {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return true
		}
	}
	return false
}
