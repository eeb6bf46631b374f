package intel

import (
	"reflect"
	"testing"
)

func TestPropsOf(t *testing.T) {
	has := func(k string) bool {
		return k == "stix.pattern" || k == "stixv.malicious-activity" || k == "stix.valid_from"
	}
	names := map[string]link{"identity--1": {Href: "/intel/c/c/o/identity--1", Text: "CERT", Type: "identity"}}
	raw := `{"type":"indicator","id":"indicator--1","spec_version":"2.1","name":"C2","created":"2026-11-20T08:00:00.000Z",
		"pattern":"[ipv4-addr:value = '203.0.113.77']","pattern_type":"stix","indicator_types":["malicious-activity"],
		"valid_from":"2026-11-20T08:05:00Z","created_by_ref":"identity--1","x_vendor":{"score":3},
		"kill_chain_phases":[{"kill_chain_name":"mitre-attack","phase_name":"initial-access"}],
		"object_marking_refs":["marking-definition--x"],"external_references":[{"source_name":"cve","external_id":"CVE-2026-1","url":"javascript:alert(1)"}]}`
	got := propsOf(raw, has, names)
	want := []prop{
		{Key: "pattern", Label: "stix.pattern", Text: "[ipv4-addr:value = '203.0.113.77']", Code: true},
		{Key: "pattern_type", Vocab: []vocab{{Value: "stix"}}},
		{Key: "indicator_types", Vocab: []vocab{{Key: "stixv.malicious-activity", Value: "malicious-activity"}}},
		{Key: "valid_from", Label: "stix.valid_from", Time: "2026-11-20T08:05:00Z"},
		{Key: "kill_chain_phases", Vocab: []vocab{{Value: "initial-access", Prefix: "mitre-attack: "}}},
		{Key: "external_references", Links: []link{{Text: "cve CVE-2026-1"}}}, // a javascript: URL is no link
		{Key: "x_vendor", Text: `{"score":3}`, Code: true},
		{Key: "created_by_ref", Links: []link{names["identity--1"]}},
		{Key: "created", Time: "2026-11-20T08:00:00.000Z"},
	}
	if len(got) != len(want) {
		t.Fatalf("propsOf: %d properties, want %d:\n%+v", len(got), len(want), got)
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("property %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

func TestValueOf(t *testing.T) {
	for raw, want := range map[string]string{
		`{"type":"indicator","pattern":"[url:value = 'http://x']"}`: "[url:value = 'http://x']",
		`{"type":"ipv4-addr","value":"198.51.100.7"}`:               "198.51.100.7",
		`{"type":"file","hashes":{"SHA-256":"ab","MD5":"cd"}}`:      "MD5 cd",
		`{"type":"intrusion-set","name":"X","aliases":["Y","Z"]}`:   "Y, Z",
		`{"type":"autonomous-system","number":64500}`:               "",
		`not json`: "",
	} {
		if got := valueOf(raw); got != want {
			t.Errorf("valueOf(%s) = %q, want %q", raw, got, want)
		}
	}
}

func TestRefLinkNeverAWholeUUID(t *testing.T) {
	if got := refLink("sighting--0a1b2c3d-0000-4000-8000-000000000005", nil).Text; got != "sighting 0a1b2c3d…" {
		t.Errorf("refLink = %q", got)
	}
}

// FuzzPropsOf: whatever a peer's object holds, a page can show it.
func FuzzPropsOf(f *testing.F) {
	f.Add(`{"type":"indicator","pattern":"[x:y = 'z']","kill_chain_phases":[{"phase_name":1}],"hashes":[1],"object_refs":[null,"a--b"]}`)
	f.Add(`{"type":"relationship","source_ref":"a--b","target_ref":{},"relationship_type":["x"]}`)
	f.Fuzz(func(t *testing.T, raw string) {
		has := func(string) bool { return true }
		propsOf(raw, has, nil)
		refsOf(raw)
		valueOf(raw)
		rowOf(Stored{ID: raw, Type: "sighting", Raw: raw}, map[string]any{"sighting_of_ref": raw, "object_refs": []any{raw}}, nil, has).Short()
	})
}
