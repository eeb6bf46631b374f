package scenario

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"entente.example/entente/core"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func mustMarshal(t *testing.T, s Scenario) []byte {
	t.Helper()
	b, err := Marshal(s)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	return b
}

func TestMarshalGolden(t *testing.T) {
	b := mustMarshal(t, valid())
	path := filepath.Join("testdata", "drill.golden.json")
	if *update {
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(b, want) {
		t.Errorf("Marshal differs from %s:\n%s", path, b)
	}
	s, err := Parse(want)
	if err != nil {
		t.Fatalf("Parse(golden): %v", err)
	}
	if !reflect.DeepEqual(s, valid()) {
		t.Errorf("Parse(golden) = %+v, want %+v", s, valid())
	}
	if again := mustMarshal(t, s); !bytes.Equal(again, b) {
		t.Error("Marshal is not the same twice")
	}
}

// TestParseNormalizesEmpty: "[]", "{}", null and a missing field are the
// same scenario, so what Parse accepts marshals and parses back equal.
func TestParseNormalizesEmpty(t *testing.T) {
	b := mustMarshal(t, valid())
	withEmpty := bytes.Replace(b, []byte(`"version": 1`), []byte(`"version": 1, "objectives": [], "questions": null`), 1)
	withEmpty = bytes.Replace(withEmpty, []byte(`"members": [
        {
          "org": "control.lead"
        }
      ]`), []byte(`"members": []`), 1)
	s, err := Parse(withEmpty)
	if err != nil {
		t.Fatalf("Parse: %v\n%s", err, withEmpty)
	}
	if s.Objectives != nil || s.Questions != nil || s.Teams[0].Members != nil {
		t.Errorf("empty lists kept: %+v", s)
	}
	again, err := Parse(mustMarshal(t, s))
	if err != nil || !reflect.DeepEqual(again, s) {
		t.Errorf("round trip: %v, %+v != %+v", err, again, s)
	}
}

func TestParseRefuses(t *testing.T) {
	good := string(mustMarshal(t, valid()))
	tests := []struct {
		name    string
		in      string
		message string
		fields  map[string]string
	}{
		{"unknown field", strings.Replace(good, `"version": 1`, `"version": 1, "colour": "red"`, 1), ProblemJSON, nil},
		{"unknown field in inject", strings.Replace(good, `"channel": "ping"`, `"channel": "ping", "priority": 1`, 1), ProblemJSON, nil},
		{"duplicate key", strings.Replace(good, `"version": 1`, `"version": 1, "version": 2`, 1), "err.form", map[string]string{"version": core.ProblemDuplicate}},
		{"duplicate key by case", strings.Replace(good, `"version": 1`, `"version": 1, "Version": 2`, 1), "err.form", map[string]string{"Version": core.ProblemDuplicate}},
		{"nul escaped", strings.Replace(good, `"id": "drill"`, `"id": "dr\u0000ill"`, 1), "err.form", map[string]string{"id": core.ProblemNUL}},
		{"bad utf-8", strings.Replace(good, "Latihan", "Lat\xffihan", 1), core.ProblemUTF8, nil},
		{"trailing data", good + "{}", ProblemJSON, nil},
		{"trailing bracket", good + "}", ProblemJSON, nil},
		{"not json", "scenario", ProblemJSON, nil},
		{"empty", "", ProblemJSON, nil},
		{"offset as ISO 8601", strings.Replace(good, `"offset": 60`, `"offset": "PT1M"`, 1), ProblemJSON, nil},
		{"invalid scenario", strings.Replace(good, `"points": 10`, `"points": 500`, 1), "err.form", map[string]string{"injects[0].expectations[0].points": ProblemPoints}},
		{"too large", good + strings.Repeat(" ", MaxSize), ProblemTooLarge, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.in == good {
				t.Fatal("the test's replacement did not apply")
			}
			_, err := Parse([]byte(tt.in))
			ce := core.AsError(err)
			if ce == nil {
				t.Fatalf("Parse = %v, want a *core.Error", err)
			}
			if ce.Message != tt.message {
				t.Errorf("message = %q, want %q (%v)", ce.Message, tt.message, err)
			}
			if tt.fields != nil && !reflect.DeepEqual(ce.Fields, tt.fields) {
				t.Errorf("fields = %v, want %v", ce.Fields, tt.fields)
			}
			if k := core.KindOf(err); k != core.KindInvalid && k != core.KindTooLarge {
				t.Errorf("kind = %v", k)
			}
		})
	}
}

func TestParseAcceptsTrailingSpace(t *testing.T) {
	b := append(mustMarshal(t, valid()), " \n\t"...)
	if _, err := Parse(b); err != nil {
		t.Fatalf("Parse: %v", err)
	}
}

func TestMarshalDoesNotAlterItsArgument(t *testing.T) {
	s := valid()
	s.Objectives = []Text{}
	mustMarshal(t, s)
	if s.Objectives == nil {
		t.Error("Marshal changed the caller's scenario")
	}
}
