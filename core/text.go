package core

import (
	"bytes"
	"encoding/json"
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

// CheckJSON refuses JSON that two readers could take to mean two things or
// that one engine would store and the other refuse: an object with the same
// key twice (encoding/json keeps the last, other parsers the first), bytes
// that are not UTF-8 (encoding/json silently replaces them), and NUL in any
// string or key (written raw or as \u0000). Syntax errors are left to the
// decoder that follows; CheckJSON reports only these three problems, as a
// *JSONProblem.
func CheckJSON(b []byte) error {
	if !utf8.Valid(b) {
		return &JSONProblem{Problem: ProblemUTF8}
	}
	// Without an object, a NUL or its escape there is nothing to find.
	if bytes.IndexByte(b, '{') < 0 && bytes.IndexByte(b, 0) < 0 && !bytes.Contains(b, []byte(`\u0000`)) {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := walkJSON(dec, ""); err != nil && err != errSyntax {
		return err
	}
	return nil
}

// errSyntax stops the walk at broken JSON: the decoder that follows names it.
var errSyntax = errors.New("json: syntax")

func walkJSON(dec *json.Decoder, path string) error {
	tok, err := dec.Token()
	if err != nil {
		return errSyntax
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			seen := map[string]bool{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return errSyntax
				}
				k, ok := kt.(string)
				if !ok {
					return errSyntax
				}
				kp := joinPath(path, k)
				if p := CheckText(k); p != "" {
					return &JSONProblem{Path: kp, Problem: p}
				}
				// encoding/json matches keys to fields without regard to
				// case, so "tlp" and "TLP" are the same key to Go and two
				// keys to a stricter reader: both count as one here.
				fk := foldKey(k)
				if seen[fk] {
					return &JSONProblem{Path: kp, Problem: ProblemDuplicate}
				}
				seen[fk] = true
				if err := walkJSON(dec, kp); err != nil {
					return err
				}
			}
			if _, err := dec.Token(); err != nil {
				return errSyntax
			}
		case '[':
			for i := 0; dec.More(); i++ {
				if err := walkJSON(dec, fmt.Sprintf("%s[%d]", path, i)); err != nil {
					return err
				}
			}
			if _, err := dec.Token(); err != nil {
				return errSyntax
			}
		}
	case string:
		if p := CheckText(t); p != "" {
			return &JSONProblem{Path: path, Problem: p}
		}
	}
	return nil
}

// foldKey maps each rune of k to the smallest of its simple case folds, so
// that keys equal under Unicode case folding (as encoding/json compares
// them: "K", "k" and the Kelvin sign) map to one string.
func foldKey(k string) string {
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

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
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
