package incidents_test

import (
	"encoding/json"
	"strings"
	"testing"

	"entente.example/entente/modules/incidents"
)

const goodCSV = "name,start,types,receivers,tlp,audience,sources\n" +
	"Ransomware at a hospital,2026-10-02,ransomware;data_theft,Hospital|ID|critical_infrastructure|healthcare,AMBER,org,https://example.org/a\n"

// FuzzParseCSV: the import parser never panics, and a row it accepts
// passes the form's checks (what Create would check again).
func FuzzParseCSV(f *testing.F) {
	f.Add(goodCSV)
	f.Add("name,start,types,receivers,tlp,audience\n\"a\"\"b\",2026-01-01,x,|||,RED,org\n")
	f.Add("\ufeffname,start,types,receivers,tlp,audience,id\nx,2026-01-01T00:00:00Z,espionage,a|SG|media,CLEAR,public,1\n")
	f.Add("name,name\n")
	f.Fuzz(func(t *testing.T, s string) {
		rows, err := incidents.ParseCSV(strings.NewReader(s))
		if err != nil {
			return
		}
		for _, r := range rows {
			if len(r.Problems) == 0 {
				in := r.Incident
				if p := in.Validate(); len(p) > 0 {
					t.Fatalf("row %d accepted with problems %v", r.Line, p)
				}
			}
		}
	})
}

// FuzzParseIncident: a peer's incident envelope payload never panics the
// parser, and what it accepts is valid and serialises back.
func FuzzParseIncident(f *testing.F) {
	good := `{"id":"01JX0000000000000000000000","origin_id":"01JX0000000000000000000000","node":"id.example","owner":"bssn@id.example","name":"x","description":"","start":"2026-10-02T00:00:00Z",` +
		`"types":["ransomware"],"receivers":[{"name":"H","country":"ID","category":"critical_infrastructure","sector":"healthcare"}],"initiator":{"name":"","category":"unknown"},` +
		`"inclusion":[],"sources":[],"impact":"","intensity":1,"determination":"successful-attempt","investigation":"open","criticality":3,"tlp":"AMBER","audience":"named","audience_refs":["csa-sg@sg.example"],` +
		`"version":2,"created_at":"2026-10-02T00:00:00Z","updated_at":"2026-10-03T00:00:00Z","exercise":false}`
	f.Add(good)
	f.Add(`{"name":"x","name":"y"}`)
	f.Add(`{"attributions":[{"origin_id":"x"}]}`)
	f.Add(good + "{}")
	f.Fuzz(func(t *testing.T, s string) {
		inc, err := incidents.ParseIncident([]byte(s))
		if err != nil {
			return
		}
		if p := inc.Validate(); len(p) > 0 {
			t.Fatalf("accepted with problems %v", p)
		}
		if _, err := json.Marshal(inc); err != nil {
			t.Fatal(err)
		}
	})
}

// TestCSVRoundTrip: a row is refused with its reason while the others are
// read; what an export writes, an import reads back.
func TestCSVRoundTrip(t *testing.T) {
	in := goodCSV + "No date,,espionage,A|SG|media,AMBER,org,\n" + "Bad receiver,2026-01-01,espionage,just a name,AMBER,org,\n"
	rows, err := incidents.ParseCSV(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || len(rows[0].Problems) != 0 || rows[1].Problems["start"] != "err.required" || rows[2].Problems["receivers"] != "err.inc_receiver_item" {
		t.Fatalf("rows: %+v", rows)
	}
	if r := rows[0].Incident; r.Receivers[0].Sector != "healthcare" || len(r.Types) != 2 || r.Sources[0] != "https://example.org/a" || rows[0].Line != 2 {
		t.Fatalf("row 1: %+v", rows[0])
	}
	if _, err := incidents.ParseCSV(strings.NewReader("name,start,types,receivers,tlp,audience,colour\n")); err == nil {
		t.Fatal("an unknown column was accepted")
	}
}
