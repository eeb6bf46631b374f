package scenario

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// FuzzParse: whatever the bytes, Parse does not panic, and a scenario it
// accepts is valid and marshals to bytes that parse back to an equal one.
func FuzzParse(f *testing.F) {
	names, _ := filepath.Glob(filepath.Join("templates", "*.json"))
	names = append(names, filepath.Join("testdata", "drill.golden.json"))
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"id":"x","teams":[{"key":"a","name":{"en":"A"},"role":"player"}],"title":{"en":"T"},"summary":{"en":"S"},"version":1,"injects":[]}`))
	f.Add([]byte(`{"id":"x","id":"y"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := Parse(b)
		if err != nil {
			return
		}
		if p := s.Validate(); p != nil {
			t.Fatalf("Parse accepted an invalid scenario: %v", p)
		}
		out, err := Marshal(s)
		if err != nil {
			t.Fatalf("Marshal: %v", err)
		}
		again, err := Parse(out)
		if err != nil {
			t.Fatalf("Parse(Marshal(s)): %v\n%s", err, out)
		}
		if !reflect.DeepEqual(again, s) {
			t.Fatalf("round trip changed the scenario:\n%+v\n%+v", s, again)
		}
	})
}
