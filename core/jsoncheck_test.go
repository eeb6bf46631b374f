package core

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"testing"
	"unicode/utf8"
)

// checkJSONTokens is CheckJSON written the slow, obvious way, through
// encoding/json's tokens: the fuzz target holds the scanner to it.
func checkJSONTokens(b []byte) error {
	if !utf8.Valid(b) {
		return &JSONProblem{Problem: ProblemUTF8}
	}
	// Without an object, a NUL or its escape there is nothing to find.
	if bytes.IndexByte(b, '{') < 0 && bytes.IndexByte(b, 0) < 0 && !bytes.Contains(b, []byte(`\u0000`)) {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := walkTokens(dec, ""); err != nil && err != errTokSyntax {
		return err
	}
	return nil
}

// errTokSyntax stops the walk at broken JSON: the decoder that follows names it.
var errTokSyntax = errors.New("json: syntax")

func walkTokens(dec *json.Decoder, path string) error {
	tok, err := dec.Token()
	if err != nil {
		return errTokSyntax
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			seen := map[string]bool{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return errTokSyntax
				}
				k, ok := kt.(string)
				if !ok {
					return errTokSyntax
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
				if err := walkTokens(dec, kp); err != nil {
					return err
				}
			}
			if _, err := dec.Token(); err != nil {
				return errTokSyntax
			}
		case '[':
			for i := 0; dec.More(); i++ {
				if err := walkTokens(dec, fmt.Sprintf("%s[%d]", path, i)); err != nil {
					return err
				}
			}
			if _, err := dec.Token(); err != nil {
				return errTokSyntax
			}
		}
	case string:
		if p := CheckText(t); p != "" {
			return &JSONProblem{Path: path, Problem: p}
		}
	}
	return nil
}

// FuzzCheckJSONAgainstTokens: on valid JSON the scanner finds exactly what
// the token walk finds, the same problem at the same path.
func FuzzCheckJSONAgainstTokens(f *testing.F) {
	for _, s := range []string{`{"a":1,"a":2}`, `{"a":"\u0000"}`, `[{"a":{"b":[1,2,{"c":null}]}}]`, `{"Tlp":1,"tLP":2}`,
		`{"k":1,"\u212a":2}`, `{"a\"b":1,"a\u0022b":2}`, `{"x":[{"y":"\\u0000"}]}`, `"\u0000"`, `[1,"a",{"":0,"":1}]`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if !json.Valid(b) {
			CheckJSON(b) // must not panic or hang
			return
		}
		got, want := CheckJSON(b), checkJSONTokens(b)
		g, w := AsJSONProblem(got), AsJSONProblem(want)
		if (g == nil) != (w == nil) || g != nil && (g.Path != w.Path || g.Problem != w.Problem) {
			t.Fatalf("CheckJSON(%q) = %v; the token walk says %v", b, got, want)
		}
	})
}

func BenchmarkCheckJSON(b *testing.B) {
	var d bytes.Buffer
	d.WriteString(`{"objects":[`)
	for i := 0; d.Len() < 64<<10; i++ {
		if i > 0 {
			d.WriteByte(',')
		}
		fmt.Fprintf(&d, `{"type":"indicator","id":"indicator--%08d-0000-4000-8000-000000000000","name":"Indicator %d","pattern":"[ipv4-addr:value = '203.0.113.%d']","labels":["a","b"],"valid_from":"2026-01-01T00:00:00Z"}`, i, i, i%255)
	}
	d.WriteString(`]}`)
	for _, c := range []struct {
		name string
		f    func([]byte) error
	}{{"scanner", CheckJSON}, {"tokens", checkJSONTokens}} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(d.Len()))
			for b.Loop() {
				if err := c.f(d.Bytes()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}
