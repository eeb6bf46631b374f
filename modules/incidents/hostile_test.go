package incidents_test

import (
	"strings"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/incidents"
)

// TestDatesFarOffAreRefused: a start, an end or an attribution's or a
// response's date outside the years incidents are recorded for is refused
// by field. A JSON client (or a peer) that wrote 9999-12-31T23:00:00-05:00
// stored year 10000 in UTC, which no JSON encoder writes back: every
// list, export and envelope holding it failed, and the figures' months ran
// over eight thousand years.
func TestDatesFarOffAreRefused(t *testing.T) {
	n := newNode(t, storetest.Engines(t)[0])
	n.Org(t, "bssn", core.OrgStateCERT, "ID", "BSSN")
	rina := n.As("Rina", "bssn", core.RoleAnalyst)
	late := time.Date(9999, 12, 31, 23, 0, 0, 0, time.FixedZone("", -5*3600))
	early := time.Date(1, 1, 1, 0, 0, 1, 0, time.UTC)
	for _, c := range []struct {
		field string
		set   func(*incidents.Incident)
	}{
		{"start", func(i *incidents.Incident) { i.Start, i.End = late, nil }},
		{"start", func(i *incidents.Incident) { i.Start = early }},
		{"end", func(i *incidents.Incident) { i.End = &late }},
	} {
		in := hospital(core.TLPAmber, incidents.AudienceOrg)
		c.set(&in)
		if _, err := n.svc.Create(rina, "bssn", in); fields(err)[c.field] != "err.inc_date_range" {
			t.Errorf("%s %v: got %v", c.field, in.Start, err)
		}
	}
	inc, err := n.svc.Create(rina, "bssn", hospital(core.TLPAmber, incidents.AudienceOrg))
	if err != nil {
		t.Fatal(err)
	}
	a := incidents.Attribution{By: "Kemlu", ByCategory: "state", To: "BlackLantern", At: late, Basis: "technical", Confidence: "high"}
	if _, err := n.svc.AddAttribution(rina, inc.ID, a); fields(err)["at"] != "err.inc_date_range" {
		t.Errorf("attribution at %v: %v", late, err)
	}
	r := incidents.Response{By: "Kemlu", Kind: "statement", At: early}
	if _, err := n.svc.AddResponse(rina, inc.ID, r); fields(err)["at"] != "err.inc_date_range" {
		t.Errorf("response at %v: %v", early, err)
	}
}

// TestNamesWithoutControls: a name shown on a line (the incident's, a
// receiver's, the initiator's, an attributor's) holds no control
// character and no bidi override or isolate, which would make a list read
// "Hospital" for a name that says otherwise, or break an e-mail's
// subject over two lines.
func TestNamesWithoutControls(t *testing.T) {
	n := newNode(t, storetest.Engines(t)[0])
	n.Org(t, "bssn", core.OrgStateCERT, "ID", "BSSN")
	rina := n.As("Rina", "bssn", core.RoleAnalyst)
	for _, c := range []struct {
		field string
		set   func(*incidents.Incident)
	}{
		{"name", func(i *incidents.Incident) { i.Name = "Hospital\u202Egnp.exe" }},
		{"name", func(i *incidents.Incident) { i.Name = "Hospital\nBcc: x@example.org" }},
		{"receivers", func(i *incidents.Incident) { i.Receivers[0].Name = "Hospital\u2066x\u2069" }},
		{"initiator_name", func(i *incidents.Incident) { i.Initiator.Name = "APT\x00" }},
	} {
		in := hospital(core.TLPAmber, incidents.AudienceOrg)
		c.set(&in)
		if _, err := n.svc.Create(rina, "bssn", in); fields(err)[c.field] != "err.control_chars" {
			t.Errorf("%s: got %v", c.field, err)
		}
	}
	// Right-to-left text and its marks are names like any other.
	in := hospital(core.TLPAmber, incidents.AudienceOrg)
	in.Name = "مستشفى\u200F 1"
	inc, err := n.svc.Create(rina, "bssn", in)
	if err != nil {
		t.Fatalf("an Arabic name: %v", err)
	}
	a := incidents.Attribution{By: "Kemlu\u202E", ByCategory: "state", To: "BlackLantern", At: in.Start, Basis: "technical", Confidence: "high"}
	if _, err := n.svc.AddAttribution(rina, inc.ID, a); fields(err)["by"] != "err.control_chars" {
		t.Errorf("attribution by: %v", err)
	}
}

// TestCSVBeyondItsBoundIsRefusedWhole: a file larger than the import's
// bound is refused, not cut at the bound: the row the cut fell in was read
// as if it ended there (a description short of its end, a name short of
// its last words) and recorded.
func TestCSVBeyondItsBoundIsRefusedWhole(t *testing.T) {
	head := "name,start,types,receivers,tlp,audience,description\n"
	var b strings.Builder
	b.WriteString(head)
	row := "Ransomware at a hospital,2026-10-02,ransomware,Hospital|ID|critical_infrastructure|healthcare,AMBER,org,"
	for b.Len() < 8<<20-len(row)-1000 {
		// Rows of 2 KB: the bound on bytes comes before the one on rows.
		b.WriteString(row + strings.Repeat("Records encrypted. ", 100) + "\n")
	}
	// The last row's description runs past the bound.
	b.WriteString(row + strings.Repeat("x", 1500) + " and the end of the description\n")
	rows, err := incidents.ParseCSV(strings.NewReader(b.String()))
	if err == nil {
		last := rows[len(rows)-1].Incident.Description
		t.Fatalf("a file over the bound was read (%d rows, the last description ends %q)", len(rows), last[max(0, len(last)-20):])
	}
}
