package misp

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
)

var mispNow = time.Date(2026, 5, 4, 3, 2, 1, 0, time.UTC)

// mispStampRE is the one shape every timestamp ToSTIX writes must have.
var mispStampRE = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$`)

func mustFromMISP(t *testing.T, doc []byte) ([]mispSTIX, []json.RawMessage, string) {
	t.Helper()
	raw, tlp, err := ToSTIX(bytes.NewReader(doc), mispNow)
	if err != nil {
		t.Fatalf("ToSTIX: %v", err)
	}
	objs := make([]mispSTIX, len(raw))
	for i, r := range raw {
		if err := json.Unmarshal(r, &objs[i]); err != nil {
			t.Fatalf("object %d: %v\n%s", i, err, r)
		}
	}
	return objs, raw, tlp
}

func mustReadMISPEvent(t *testing.T) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/misp-event.json")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestFromMISPEvent(t *testing.T) {
	doc := mustReadMISPEvent(t)
	objs, raw, tlp := mustFromMISP(t, doc)

	if tlp != "amber" { // the attribute's tlp:green must not lower the event's amber
		t.Errorf("tlp = %q, want amber", tlp)
	}
	const author = "identity--5586a514-30a9-4f90-ac0a-e2538943c748"
	regkeyID := "indicator--" + mispFormatUUID(mispUUIDv5(mispNamespace,
		"attribute\x006b2dbb36-b2d2-4da4-a244-97bf79d1ccde\x00regkey\x00"+`HKLM\Software\Microsoft\Windows\CurrentVersion\Run\GridSync`))
	want := []struct{ id, pattern string }{
		{"indicator--4444873f-77b8-4b6c-9f7e-b537761e2a49", `[ipv4-addr:value = '203.0.113.45']`},
		{"indicator--ffcfd800-1b2f-4593-b68b-52cfaf0ba86e", `[domain-name:value = 'grid-maintenance-portal.example']`},
		{"indicator--6e1a33af-a284-4cff-8e0d-96009aed4f90", `[url:value = 'https://grid-maintenance-portal.example/o\'neill/schedule.php?id=7&lang=en']`},
		{"indicator--6da0075f-9cf0-49c3-827a-c5d3f522ae02", `[email-addr:value = 'hr-notice@energy-regulator.example']`},
		{"indicator--c797d1e8-b151-4eb9-9abf-3fd8fc0e4994", `[file:name = 'Q1_maintenance_schedule.docm' AND file:hashes.'MD5' = '9dd4e461268c8034f5c8564e155c67a6']`},
		{"indicator--da24a605-019e-4d04-8070-c23b65f5b936", `[ipv6-addr:value = '2001:db8:85a3::8a2e:370:7334']`},
		{"indicator--70f96d15-9000-4c63-8dd4-ca2b0316f143", `[file:hashes.'SHA-256' = '32d833f348ce377c8cc3291cc520213770d5d519d7970540c1c36c4261c140cc']`},
		{regkeyID, `[windows-registry-key:key = 'HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\GridSync']`},
	}
	if len(objs) != len(want)+2 {
		t.Fatalf("got %d objects, want identity, %d indicators and a report", len(objs), len(want))
	}

	org := objs[0]
	if org.Type != "identity" || org.ID != author || org.Name != "CERT-EU" || org.IdentityClass != "organization" {
		t.Errorf("identity = %+v", org)
	}
	for i, w := range want {
		ind := objs[i+1]
		if ind.Type != "indicator" || ind.ID != w.id || ind.Pattern != w.pattern {
			t.Errorf("indicator %d = %s %s\n  want %s %s", i, ind.ID, ind.Pattern, w.id, w.pattern)
		}
		if ind.PatternType != "stix" || !reflect.DeepEqual(ind.IndicatorTypes, []string{"malicious-activity"}) || ind.CreatedByRef != author {
			t.Errorf("indicator %d = %+v", i, ind)
		}
	}
	ip := objs[1]
	if ip.Name != "ip-dst: 203.0.113.45" || ip.Description != "C2 server contacted by the macro dropper" ||
		ip.ValidFrom != "2024-03-14T09:53:20.000Z" || ip.Created != "2024-03-14T13:00:00.000Z" ||
		!reflect.DeepEqual(ip.Labels, []string{"kill-chain:Command and Control"}) {
		t.Errorf("ip-dst indicator = %+v", ip)
	}

	rep := objs[len(objs)-1]
	var refs []string
	for _, o := range objs[:len(objs)-1] {
		refs = append(refs, o.ID)
	}
	wantReport := mispSTIX{
		Type: "report", SpecVersion: "2.1", ID: "report--6b2dbb36-b2d2-4da4-a244-97bf79d1ccde",
		Created: "2024-03-14T13:00:00.000Z", Modified: "2024-03-14T13:00:00.000Z", CreatedByRef: author,
		Name: "Spear-phishing campaign against energy sector",
		Description: "Imported from MISP event 6b2dbb36-b2d2-4da4-a244-97bf79d1ccde: 8 indicators." +
			" Threat level: high. Analysis: completed. Left out 2 attributes not marked for detection." +
			` Left out attributes of unsupported types: "vulnerability".`,
		Labels:             []string{`misp-galaxy:threat-actor="Sandworm"`, `misp-galaxy:sector="Energy"`},
		ReportTypes:        []string{"threat-report"},
		Published:          "2024-03-14T00:00:00.000Z",
		ObjectRefs:         refs,
		ExternalReferences: []mispReference{{SourceName: "misp", ExternalID: "6b2dbb36-b2d2-4da4-a244-97bf79d1ccde"}},
	}
	if !reflect.DeepEqual(rep, wantReport) {
		t.Errorf("report =\n%+v\nwant\n%+v", rep, wantReport)
	}

	for i, r := range raw {
		var m map[string]any
		if err := json.Unmarshal(r, &m); err != nil {
			t.Fatal(err)
		}
		if m["spec_version"] != "2.1" {
			t.Errorf("object %d: spec_version = %v", i, m["spec_version"])
		}
		for _, k := range []string{"created", "modified", "valid_from", "published"} {
			if v, ok := m[k]; ok && !mispStampRE.MatchString(v.(string)) {
				t.Errorf("object %d: %s = %q, not millisecond UTC", i, k, v)
			}
		}
	}
	if !bytes.Contains(raw[3], []byte(`o\\'neill`)) { // JSON of the pattern text o\'neill
		t.Errorf("the quote in the url is not escaped: %s", raw[3])
	}

	again, _, _ := ToSTIX(bytes.NewReader(doc), mispNow)
	if !reflect.DeepEqual(raw, again) {
		t.Error("two imports of the same event differ")
	}
}

func TestFromMISPBareEvent(t *testing.T) {
	// A bare event, numbers where MISP usually writes strings, no Orgc, and
	// attributes without timestamps or usable UUIDs.
	doc := `{"uuid":"4444873f-77b8-4b6c-9f7e-b537761e2a49","info":"Bare","timestamp":1700000000,
		"Tag":[{"name":"TLP:AMBER+STRICT"},{"name":"tlp:red"},{"name":"tlp:clear"}],
		"Attribute":[{"type":"domain","value":"evil.example","to_ids":"1","uuid":"not-a-uuid"},
			{"type":"ip-src","value":"198.51.100.0/24","to_ids":1,"uuid":"00000000-0000-0000-0000-000000000000"},
			{"type":"mutex","value":"Global\\GridSync","to_ids":true},
			{"type":"email-subject","value":"Don't miss: Q1 schedule","to_ids":true},
			{"type":"hostname","value":"` + strings.Repeat("é", 300) + `","to_ids":true}]}`
	objs, _, tlp := mustFromMISP(t, []byte(doc))
	if tlp != "red" {
		t.Errorf("tlp = %q, want red", tlp)
	}
	if len(objs) != 6 || objs[0].Type != "indicator" || objs[5].Type != "report" {
		t.Fatalf("got %d objects, want 5 indicators and a report, no identity", len(objs))
	}
	if objs[5].CreatedByRef != "" || objs[0].CreatedByRef != "" {
		t.Error("created_by_ref set without an Orgc")
	}
	if objs[5].Published != "2023-11-14T22:13:20.000Z" || objs[0].Created != "2023-11-14T22:13:20.000Z" {
		t.Errorf("published %s, created %s: want the event timestamp", objs[5].Published, objs[0].Created)
	}
	if objs[0].ValidFrom != "2026-05-04T03:02:01.000Z" {
		t.Errorf("valid_from = %s, want now", objs[0].ValidFrom)
	}
	for i, want := range []string{
		`[domain-name:value = 'evil.example']`,
		`[ipv4-addr:value = '198.51.100.0/24']`,
		`[mutex:name = 'Global\\GridSync']`,
		`[email-message:subject = 'Don\'t miss: Q1 schedule']`,
	} {
		if objs[i].Pattern != want {
			t.Errorf("pattern %d = %s, want %s", i, objs[i].Pattern, want)
		}
		if id := objs[i].ID; !strings.HasPrefix(id, "indicator--") || id[len("indicator--")+14] != '5' {
			t.Errorf("indicator %d id = %s, want a derived version 5 UUID", i, id)
		}
	}
	if n := len([]rune(objs[4].Name)); n != 200 {
		t.Errorf("name has %d runes, want 200", n)
	}
}

func TestFromMISPOrgWithoutUUID(t *testing.T) {
	doc := []byte(`{"Event":{"uuid":"4444873f-77b8-4b6c-9f7e-b537761e2a49","Orgc":{"name":"CIRCL"},
		"Attribute":[{"type":"url","value":"http://a.example/","to_ids":true}]}}`)
	a, _, _ := mustFromMISP(t, doc)
	b, _, _ := mustFromMISP(t, doc)
	if a[0].Type != "identity" || a[0].ID != b[0].ID || a[0].ID[len("identity--")+14] != '5' {
		t.Errorf("identity id %s then %s, want the same derived version 5 UUID", a[0].ID, b[0].ID)
	}
}

func TestFromMISPTLP(t *testing.T) {
	for _, tc := range []struct {
		tags []string
		want string
	}{
		{nil, ""},
		{[]string{"type:OSINT"}, ""},
		{[]string{"tlp:white"}, "clear"},
		{[]string{"tlp:clear", "tlp:green"}, "green"},
		{[]string{"TLP:Amber", "tlp:green"}, "amber"},
		{[]string{"tlp:amber+strict", "tlp:amber"}, "amber+strict"},
		{[]string{"tlp:red", "tlp:white"}, "red"},
		{[]string{"tlp:ex:chr"}, "red"}, // unknown TLP values never widen the audience
	} {
		var tags []string
		for _, n := range tc.tags {
			tags = append(tags, `{"name":"`+n+`"}`)
		}
		doc := `{"uuid":"4444873f-77b8-4b6c-9f7e-b537761e2a49","Tag":[` + strings.Join(tags, ",") +
			`],"Attribute":[{"type":"domain","value":"a.example","to_ids":true}]}`
		objs, _, tlp := mustFromMISP(t, []byte(doc))
		if tlp != tc.want {
			t.Errorf("%v: tlp = %q, want %q", tc.tags, tlp, tc.want)
		}
		for _, l := range objs[len(objs)-1].Labels {
			if strings.HasPrefix(strings.ToLower(l), "tlp:") {
				t.Errorf("%v: TLP tag %q kept as a label", tc.tags, l)
			}
		}
	}
}

func TestFromMISPErrors(t *testing.T) {
	const ev = `"uuid":"4444873f-77b8-4b6c-9f7e-b537761e2a49","info":"x"`
	for _, tc := range []struct{ name, doc, want string }{
		{"not JSON", `<html>`, "misp: not a JSON object: "},
		{"array", `[{"Event":{}}]`, "misp: not a JSON object: "},
		{"not an event", `{"response":[]}`, "misp: not a MISP event: no Event, uuid, info or Attribute"},
		{"null event", `{"Event":null}`, "misp: not a MISP event: no Event, uuid, info or Attribute"},
		{"wrong type", `{"Event":{` + ev + `,"Attribute":{}}}`, "misp: Event: json: cannot unmarshal"},
		{"no uuid", `{"Event":{"info":"x"}}`, `misp: Event.uuid: "" is not a UUID`},
		{"no attributes", `{"Event":{` + ev + `}}`,
			"misp: the event has no attribute marked for detection (to_ids)"},
		{"only context", `{"Event":{` + ev + `,"Attribute":[{"type":"ip-dst","value":"192.0.2.1","to_ids":false}]}}`,
			"misp: the event has no attribute marked for detection (to_ids)"},
		{"only unsupported", `{"Event":{` + ev + `,"Attribute":[{"type":"yara","value":"rule x {}","to_ids":true}]}}`,
			`misp: the event has no attribute marked for detection (to_ids) of a supported type; unsupported: "yara"`},
		{"empty value", `{"Event":{` + ev + `,"Attribute":[{"type":"domain","value":" ","to_ids":true}]}}`,
			"misp: Event.Attribute[0].value: empty"},
		{"bad IP", `{"Event":{` + ev + `,"Object":[{"Attribute":[{"type":"domain","value":"a.example","to_ids":true},{"type":"ip-dst|port","value":"999.1.1.1|80","to_ids":true}]}]}}`,
			`misp: Event.Object[0].Attribute[1].value: "999.1.1.1" is not an IP address`},
		{"bad hash", `{"Event":{` + ev + `,"Attribute":[{"type":"filename|sha1","value":"a.exe|abc","to_ids":true}]}}`,
			`misp: Event.Attribute[0].value: "abc" is not a sha1 hash (want 40 hex digits)`},
		{"no file name", `{"Event":{` + ev + `,"Attribute":[{"type":"filename|md5","value":"9dd4e461268c8034f5c8564e155c67a6","to_ids":true}]}}`,
			`misp: Event.Attribute[0].value: want filename|hash`},
		{"bad to_ids", `{"Event":{` + ev + `,"Attribute":[{"type":"domain","value":"a.example","to_ids":"yes"}]}}`,
			`misp: Event.Attribute[0].to_ids: "yes" is not true or false`},
		{"bad timestamp", `{"Event":{` + ev + `,"Attribute":[{"type":"domain","value":"a.example","to_ids":true,"timestamp":"yesterday"}]}}`,
			`misp: Event.Attribute[0].timestamp: "yesterday" is not unix seconds`},
		{"far future", `{"Event":{` + ev + `,"timestamp":"99999999999999"}}`,
			`misp: Event.timestamp: "99999999999999" is not unix seconds`},
		{"bad date", `{"Event":{` + ev + `,"date":"14/03/2024"}}`,
			`misp: Event.date: "14/03/2024" is not a YYYY-MM-DD date`},
		{"duplicate uuid", `{"Event":{` + ev + `,"Attribute":[` +
			`{"type":"domain","value":"a.example","to_ids":true,"uuid":"ffcfd800-1b2f-4593-b68b-52cfaf0ba86e"},` +
			`{"type":"domain","value":"b.example","to_ids":true,"uuid":"ffcfd800-1b2f-4593-b68b-52cfaf0ba86e"}]}}`,
			"misp: Event.Attribute[1]: same indicator id as Event.Attribute[0]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			objs, tlp, err := ToSTIX(strings.NewReader(tc.doc), mispNow)
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
			if objs != nil || tlp != "" {
				t.Errorf("objects or TLP returned with an error")
			}
		})
	}
}

// mispSpaces is an endless JSON-blank document.
type mispSpaces struct{}

func (mispSpaces) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	return len(p), nil
}

func TestFromMISPTooLarge(t *testing.T) {
	_, _, err := ToSTIX(io.LimitReader(mispSpaces{}, maxMISP+1), mispNow)
	if err == nil || err.Error() != "misp: the event is larger than 32 MiB" {
		t.Fatalf("err = %v", err)
	}
}

func TestMISPCompareEscapes(t *testing.T) {
	for in, want := range map[string]string{
		`plain`:     `url:value = 'plain'`,
		`o'neill`:   `url:value = 'o\'neill'`,
		`C:\a\b`:    `url:value = 'C:\\a\\b'`,
		`\'`:        `url:value = '\\\''`,
		`''\\`:      `url:value = '\'\'\\\\'`,
		"new\nline": "url:value = 'new\nline'",
	} {
		if got := mispCompare("url:value", in); got != want {
			t.Errorf("mispCompare(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestMISPUUIDv5(t *testing.T) {
	// The RFC 4122 DNS namespace and a value computed by Python's uuid.uuid5.
	got := mispFormatUUID(mispUUIDv5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "python.org"))
	if want := "886313e1-3b8a-5372-9b90-0c9aee199e5d"; got != want {
		t.Errorf("uuid5 = %s, want %s", got, want)
	}
	if _, ok := mispParseUUID(mispNamespace); !ok {
		t.Error("mispNamespace is not a valid UUID")
	}
}

func FuzzFromMISP(f *testing.F) {
	// Seeds stay small: each input that finds new coverage is minimized
	// before fuzzing goes on, at a cost that grows with the square of its
	// length, and minimizing mutants of the 7 KB sample event held the
	// fuzzer at 0 execs/s for most of a run. Each seed is one attribute of
	// one kind of conversion instead.
	for _, a := range []string{
		`{"type":"ip-dst","value":"203.0.113.45","to_ids":true,"timestamp":"1710410100","Tag":[{"name":"tlp:green"}]}`,
		`{"type":"url","value":"https://a.example/o'n","to_ids":"1","uuid":"6e1a33af-a284-4cff-8e0d-96009aed4f90"}`,
		`{"type":"filename|md5","value":"a|9dd4e461268c8034f5c8564e155c67a6","to_ids":true}`,
		`{"type":"regkey","value":"HKLM\\Run","to_ids":1}`,
	} {
		f.Add([]byte(`{"Event":{"info":"x","uuid":"6b2dbb36-b2d2-4da4-a244-97bf79d1ccde","date":"2024-03-14","Orgc":{"name":"C"},"Tag":[{"name":"tlp:amber"}],"Attribute":[` + a + `]}}`))
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"uuid":"4444873f-77b8-4b6c-9f7e-b537761e2a49","timestamp":1,"Attribute":[{"type":"ip-src|port","value":"::1|1","to_ids":"1"}]}`))
	f.Add([]byte(`{"Event":{"uuid":"4444873f-77b8-4b6c-9f7e-b537761e2a49","Object":[{"Attribute":[{"type":"filename|sha512","value":"|","to_ids":true}]}]}}`))
	f.Fuzz(func(t *testing.T, doc []byte) {
		objs, tlp, err := ToSTIX(bytes.NewReader(doc), mispNow)
		if err != nil {
			if objs != nil {
				t.Fatal("objects returned with an error")
			}
			return
		}
		switch tlp {
		case "", "clear", "green", "amber", "amber+strict", "red":
		default:
			t.Fatalf("tlp = %q", tlp)
		}
		if len(objs) < 2 {
			t.Fatalf("%d objects, want at least an indicator and a report", len(objs))
		}
		for i, raw := range objs {
			var o struct {
				Type        string `json:"type"`
				ID          string `json:"id"`
				SpecVersion string `json:"spec_version"`
			}
			if err := json.Unmarshal(raw, &o); err != nil {
				t.Fatalf("object %d is not JSON: %v\n%s", i, err, raw)
			}
			if o.Type == "" || !strings.HasPrefix(o.ID, o.Type+"--") || len(o.ID) != len(o.Type)+38 || o.SpecVersion != "2.1" {
				t.Fatalf("object %d: type %q, id %q, spec_version %q", i, o.Type, o.ID, o.SpecVersion)
			}
		}
	})
}

// TestFromMISPIndicatorsNamed: every indicator has the name and the
// description STIX validators ask for, whether or not MISP gave a comment.
func TestFromMISPIndicatorsNamed(t *testing.T) {
	objs, _, _ := mustFromMISP(t, mustReadMISPEvent(t))
	n := 0
	for _, o := range objs {
		if o.Type != "indicator" {
			continue
		}
		n++
		if strings.TrimSpace(o.Name) == "" || strings.TrimSpace(o.Description) == "" {
			t.Errorf("%s: name %q, description %q", o.ID, o.Name, o.Description)
		}
	}
	if n == 0 {
		t.Fatal("no indicators")
	}
}
