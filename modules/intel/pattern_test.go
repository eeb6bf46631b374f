package intel

import (
	"bytes"
	"testing"
)

func TestCheckPattern(t *testing.T) {
	for _, p := range []string{
		"[ipv4-addr:value = '198.51.100.1']",
		"[file:hashes.'SHA-256' = 'abc'] AND [url:value = 'x']",
		`[email-message:from_ref.value MATCHES '.+@example\\.com$' AND email-message:subject = 'x']`,
		"([a:b = 1] OR [c:d = 2]) WITHIN 300 SECONDS",
		"[network-traffic:dst_ref.value = '10.0.0.1' AND network-traffic:dst_port = 443]",
		`[windows-registry-key:key = 'HKEY\\x']`,
		"[file:extensions.'windows-pebinary-ext'.sections[*].entropy > 7.0]",
		"[x-foo:bar IN ('a','b')]",
		`[file:name = 'it\'s']`,
		"[domain-name:value LIKE '%.example.org'] REPEATS 5 TIMES",
	} {
		if err := CheckPattern(p); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
	for _, p := range []string{"ipv4-addr:value = '1'", "[ipv4-addr:value = '1'", "[hello]", "[a:b = 'x]", "]", "[]", "([a:b = 1]"} {
		if err := CheckPattern(p); err == nil {
			t.Errorf("accepted %q", p)
		}
	}
}

func FuzzCheckPattern(f *testing.F) {
	f.Add("[ipv4-addr:value = '198.51.100.1']")
	f.Add("([a:b = 1] OR [c:d = 2]) WITHIN 300 SECONDS")
	f.Add(`[file:name = 'it\'s' AND file:size > 10]`)
	f.Fuzz(func(t *testing.T, p string) {
		if CheckPattern(p) == nil && p == "" {
			t.Fatal("empty pattern accepted")
		}
	})
}

// FuzzParseObject feeds hostile bytes to the STIX decoder and validator: it
// must never panic, and what it accepts must carry an id of its own type.
func FuzzParseObject(f *testing.F) {
	f.Add([]byte(`{"type":"indicator","spec_version":"2.1","id":"indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2016-04-06T20:03:48.000Z","modified":"2016-04-06T20:03:48.000Z","pattern":"[x:y = 1]","pattern_type":"stix","valid_from":"2016-01-01T00:00:00Z"}`))
	f.Add([]byte(`{"type":"ipv4-addr","id":"ipv4-addr--ff26c055-6336-5bc5-b98d-13d6226742dd","value":"198.51.100.3"}`))
	f.Add([]byte(`{"type":"x-custom","spec_version":"2.1","id":"x-custom--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2016-04-06T20:03:48.000Z","modified":"2016-04-06T20:03:48.000Z"}`))
	f.Add([]byte(`{"type":"relationship","spec_version":"2.1","id":"relationship--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","created":"2016-04-06T20:03:48.000Z","modified":"2016-04-06T20:03:48.000Z","relationship_type":"uses","source_ref":"intrusion-set--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f","target_ref":"malware--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		o, err := parseObject(b)
		if err != nil {
			return
		}
		if m := idRE.FindStringSubmatch(o.ID); m == nil || m[1] != o.Type {
			t.Fatalf("accepted %q with id %q", o.Type, o.ID)
		}
	})
}

// FuzzStreamObjects: any body gives objects or a clear error, never a panic
// or an endless loop.
func FuzzStreamObjects(f *testing.F) {
	f.Add([]byte(`{"objects":[{"a":1},{"b":2}]}`))
	f.Add([]byte(`{"type":"bundle","id":"bundle--1","objects":[{"a":1}`))
	f.Add([]byte(`{"more":false}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		next, err := streamObjects(bytesReader(b))
		if err != nil {
			return
		}
		for i := 0; i <= len(b); i++ {
			if _, err := next(); err != nil {
				return
			}
		}
		t.Fatal("more objects than bytes")
	})
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }
