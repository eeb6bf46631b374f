package core

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"
)

// CheckJSON refuses JSON that two readers could take to mean two things or
// that one engine would store and the other refuse: an object with the same
// key twice (encoding/json keeps the last, other parsers the first; and it
// matches keys regardless of case), bytes that are not UTF-8 (encoding/json
// silently replaces them), and NUL in any string or key (\u0000). Syntax
// errors are left to the decoder that follows; CheckJSON reports only these
// problems, as a *JSONProblem.
//
// It runs on every envelope, STIX object and API body, so it is a single
// pass over the bytes that allocates only for keys and for the path of a
// problem, not a walk through encoding/json's tokens (four times slower
// than decoding the document itself).
func CheckJSON(b []byte) error {
	if !utf8.Valid(b) {
		return &JSONProblem{Problem: ProblemUTF8}
	}
	s := jsonScanner{b: b}
	if err := s.value(); err != nil && err != errSyntax {
		return err
	}
	return nil
}

// errSyntax stops the scan at broken JSON: the decoder that follows names it.
var errSyntax = errors.New("json: syntax")

// jsonScanner walks one JSON value, keeping the path to where it is.
type jsonScanner struct {
	b    []byte
	i    int
	path []jsonSeg
}

// jsonSeg is one step of a path: an object's key or an array's index.
type jsonSeg struct {
	key   string
	index int
	isKey bool
}

func (s *jsonScanner) problem(p string) error {
	var b strings.Builder
	for _, g := range s.path {
		if g.isKey {
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(g.key)
		} else {
			b.WriteByte('[')
			b.WriteString(strconv.Itoa(g.index))
			b.WriteByte(']')
		}
	}
	return &JSONProblem{Path: b.String(), Problem: p}
}

func (s *jsonScanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\r', '\n':
			s.i++
		default:
			return
		}
	}
}

func (s *jsonScanner) value() error {
	s.ws()
	if s.i >= len(s.b) {
		return errSyntax
	}
	switch s.b[s.i] {
	case '{':
		return s.object()
	case '[':
		return s.array()
	case '"':
		_, nul, err := s.str(false)
		if err != nil {
			return err
		}
		if nul {
			return s.problem(ProblemNUL)
		}
		return nil
	}
	// A number or a literal: its syntax is the decoder's business.
	start := s.i
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ',', ']', '}', ' ', '\t', '\r', '\n':
			if s.i == start {
				return errSyntax
			}
			return nil
		}
		s.i++
	}
	if s.i == start {
		return errSyntax
	}
	return nil
}

func (s *jsonScanner) object() error {
	s.i++             // {
	var seen []string // folded keys; objects are small, a map costs more
	var seenSet map[string]bool
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == '}' {
		s.i++
		return nil
	}
	for {
		s.ws()
		if s.i >= len(s.b) || s.b[s.i] != '"' {
			return errSyntax
		}
		k, nul, err := s.str(true)
		if err != nil {
			return err
		}
		s.path = append(s.path, jsonSeg{key: k, isKey: true})
		if nul {
			return s.problem(ProblemNUL)
		}
		// encoding/json matches keys to fields without regard to case, so
		// "tlp" and "TLP" are the same key to Go and two keys to a stricter
		// reader: both count as one here.
		fk := foldKey(k)
		dup := false
		if seenSet != nil {
			dup = seenSet[fk]
			seenSet[fk] = true
		} else {
			for _, x := range seen {
				if x == fk {
					dup = true
					break
				}
			}
			seen = append(seen, fk)
			if len(seen) > 16 {
				seenSet = make(map[string]bool, 2*len(seen))
				for _, x := range seen {
					seenSet[x] = true
				}
			}
		}
		if dup {
			return s.problem(ProblemDuplicate)
		}
		s.ws()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			return errSyntax
		}
		s.i++
		if err := s.value(); err != nil {
			return err
		}
		s.path = s.path[:len(s.path)-1]
		if end, err := s.after('}'); end || err != nil {
			return err
		}
	}
}

// after reads what follows a member of an object or an array: a comma
// (more to come) or the closing bracket (end).
func (s *jsonScanner) after(closing byte) (end bool, err error) {
	s.ws()
	if s.i >= len(s.b) {
		return false, errSyntax
	}
	switch s.b[s.i] {
	case ',':
		s.i++
		return false, nil
	case closing:
		s.i++
		return true, nil
	}
	return false, errSyntax
}

func (s *jsonScanner) array() error {
	s.i++ // [
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == ']' {
		s.i++
		return nil
	}
	for n := 0; ; n++ {
		s.path = append(s.path, jsonSeg{index: n})
		if err := s.value(); err != nil {
			return err
		}
		s.path = s.path[:len(s.path)-1]
		if end, err := s.after(']'); end || err != nil {
			return err
		}
	}
}

// str reads a string at s.i. It reports whether the string holds NUL (only
// an escape can write one: a raw control character is a syntax error) and,
// when decode is set, returns the string as a decoder would read it.
func (s *jsonScanner) str(decode bool) (string, bool, error) {
	start := s.i
	s.i++ // "
	escaped, nul := false, false
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			if !decode {
				return "", nul, nil
			}
			if !escaped {
				return string(s.b[start+1 : s.i-1]), nul, nil
			}
			var k string
			if json.Unmarshal(s.b[start:s.i], &k) != nil {
				return "", false, errSyntax
			}
			return k, nul, nil
		case c == '\\':
			escaped = true
			if s.i+1 >= len(s.b) {
				return "", false, errSyntax
			}
			switch s.b[s.i+1] {
			case 'u':
				if s.i+6 > len(s.b) {
					return "", false, errSyntax
				}
				v, ok := hex4(s.b[s.i+2 : s.i+6])
				if !ok {
					return "", false, errSyntax
				}
				if v == 0 {
					nul = true
				}
				s.i += 6
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.i += 2
			default:
				return "", false, errSyntax
			}
		case c < 0x20:
			return "", false, errSyntax
		default:
			s.i++
		}
	}
	return "", false, errSyntax
}

// hex4 reads the four hex digits of a \u escape.
func hex4(b []byte) (rune, bool) {
	var v rune
	for _, c := range b {
		switch {
		case '0' <= c && c <= '9':
			v = v<<4 | rune(c-'0')
		case 'a' <= c && c <= 'f':
			v = v<<4 | rune(c-'a'+10)
		case 'A' <= c && c <= 'F':
			v = v<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return v, true
}
