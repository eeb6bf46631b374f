package core

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestCheckText(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string
	}{
		{"plain", ""},
		{"Kementerian Luar Negeri — ré", ""},
		{"a\x00b", ProblemNUL},
		{"a\xffb", ProblemUTF8},
		{"\xc3", ProblemUTF8},
	} {
		if got := CheckText(c.in); got != c.want {
			t.Errorf("CheckText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestCheckJSON(t *testing.T) {
	for _, c := range []struct {
		in       string
		path     string
		problem  string
		wantNone bool
	}{
		{in: `{"a":1,"b":{"c":[1,{"d":"x"}]}}`, wantNone: true},
		{in: `[1,2,"x"]`, wantNone: true},
		{in: `{"a":1,"a":2}`, path: "a", problem: ProblemDuplicate},
		{in: `{"marking":{"tlp":"red","tlp":"clear"}}`, path: "marking.tlp", problem: ProblemDuplicate},
		{in: `{"objects":[{"id":"x"},{"id":"y","name":"n","name":"m"}]}`, path: "objects[1].name", problem: ProblemDuplicate},
		{in: `{"a":"x\u0000y"}`, path: "a", problem: ProblemNUL},
		{in: `{"a\u0000":1}`, path: "a\x00", problem: ProblemNUL},
		{in: "{\"a\":\"\xff\"}", problem: ProblemUTF8},
		{in: `{"a":[` + "\"ok\"" + `,"b\u0000"]}`, path: "a[1]", problem: ProblemNUL},
		// encoding/json folds case when it matches keys to fields.
		{in: `{"audience":"network:N","Audience":"public"}`, path: "Audience", problem: ProblemDuplicate},
		{in: `{"body":"a","BODY":"b"}`, path: "BODY", problem: ProblemDuplicate},
		{in: `{"kind":1,"\u212aind":2}`, path: "\u212aind", problem: ProblemDuplicate},
		// Same key in sibling objects is fine.
		{in: `[{"a":1},{"a":2}]`, wantNone: true},
		// Syntax errors are for the decoder to report.
		{in: `{"a":`, wantNone: true},
	} {
		err := CheckJSON([]byte(c.in))
		if c.wantNone {
			if err != nil {
				t.Errorf("CheckJSON(%s) = %v, want nil", c.in, err)
			}
			continue
		}
		p := AsJSONProblem(err)
		if p == nil || p.Path != c.path || p.Problem != c.problem {
			t.Errorf("CheckJSON(%s) = %v, want %s at %q", c.in, err, c.problem, c.path)
		}
	}
}

func FuzzCheckJSON(f *testing.F) {
	f.Add([]byte(`{"a":1,"a":2}`))
	f.Add([]byte(`{"a":"\u0000"}`))
	f.Add([]byte(`[{"a":{"b":[1,2,{"c":null}]}}]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		if CheckJSON(b) != nil || !json.Valid(b) {
			return
		}
		// What passes decodes to text without NUL or invalid UTF-8.
		var v any
		if err := json.Unmarshal(b, &v); err != nil {
			t.Fatalf("valid JSON failed to decode: %q", b)
		}
		var walk func(any)
		walk = func(v any) {
			switch v := v.(type) {
			case string:
				if p := CheckText(v); p != "" {
					t.Fatalf("CheckJSON passed %q holding %s", b, p)
				}
			case []any:
				for _, e := range v {
					walk(e)
				}
			case map[string]any:
				for k, e := range v {
					walk(k)
					walk(e)
				}
			}
		}
		walk(v)
	})
}

func TestBadFileName(t *testing.T) {
	for name, bad := range map[string]bool{
		"report.pdf": false, "Laporan 2026 — final.docx": false,
		"": true, ".": true, "..": true, "a/b.pdf": true, `a\b.pdf`: true,
		"invoice\u202Efdp.exe": true, "tab\tname": true, strings.Repeat("x", 201): true,
	} {
		if got := BadFileName(name); got != bad {
			t.Errorf("BadFileName(%q) = %v, want %v", name, got, bad)
		}
	}
}
