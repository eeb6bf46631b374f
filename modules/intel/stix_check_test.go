package intel

import (
	"strings"
	"testing"
)

// TestCheckJSON: what is refused names its place; what is merely nested,
// or repeats a key in different objects, passes.
func TestCheckJSON(t *testing.T) {
	for _, c := range []struct{ doc, want string }{
		{`{"a":1,"b":[{"k":1},{"k":2}],"c":{"k":{"k":[[],{}]}},"d":"é\u00e9"}`, ""},
		{`{"a":1,"a":2}`, "a: appears twice"},
		{`{"a":{"b":[{"c":1},{"c":1,"c":2}]}}`, "a.b.1.c: appears twice"},
		{`{"a":[["x","\u0000"]]}`, "a.0.1: holds NUL"},
		{`{"a\u0000":1}`, `a\u0000: a property name holds NUL`},
		{"{\"a\":\"\xc3\x28\"}", "(object): is not valid UTF-8 (byte 6)"},
		{`"\u0000"`, "(object): holds NUL"},
	} {
		err := checkJSON([]byte(c.doc))
		got := ""
		if err != nil {
			got = err.Error()
		}
		if c.want == "" && got != "" || c.want != "" && !strings.Contains(got, c.want) {
			t.Errorf("%s: %q, want %q", c.doc, got, c.want)
		}
	}
}

// BenchmarkParseObject measures one indicator's checks, checkJSON included.
func BenchmarkParseObject(b *testing.B) {
	raw := []byte(`{"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2026-11-01T00:00:00.000Z","modified":"2026-11-01T00:00:00.000Z","name":"C2 server","description":"Command and control server of the campaign against the energy sector, seen in three incidents.","pattern":"[ipv4-addr:value = '198.51.100.7']","pattern_type":"stix","valid_from":"2026-11-01T00:00:00Z","labels":["sector:energy","c2"],"object_marking_refs":["marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"],"external_references":[{"source_name":"cert","external_id":"X-1"}]}`)
	b.Run("checkJSON", func(b *testing.B) {
		for b.Loop() {
			if err := checkJSON(raw); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("parseObject", func(b *testing.B) {
		for b.Loop() {
			if _, err := parseObject(raw); err != nil {
				b.Fatal(err)
			}
		}
	})
}
