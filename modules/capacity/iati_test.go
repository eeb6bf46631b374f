package capacity_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"entente.example/entente/modules/capacity"
)

// xmllint finds the validator, or skips (fails under ENTENTE_TEST_STRICT=1).
func xmllint(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("ENTENTE_TEST_STRICT") == "1" {
			t.Fatalf("ENTENTE_TEST_STRICT=1 but xmllint is missing (apt-get install libxml2-utils): %v", err)
		}
		t.Skip("xmllint is missing (apt-get install libxml2-utils)")
	}
	return path
}

// exported is what the IATI export is checked on: projects in every
// status, with and without budget, dates, outputs or funders.
func exported() []capacity.Project {
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	full := csirt("public")
	full.Validate()
	full.ID, full.Owner, full.CreatedAt, full.UpdatedAt = "p1", "dfat-au@node.test", at, at
	bare := capacity.Project{ID: "p2", Owner: "mofa-jp@node.test", Title: "Cybercrime training <for> judges & prosecutors", Themes: []string{"cybercrime", "culture-skills"},
		Countries: []string{"TL", "ID", "PH"}, Status: capacity.Planned, Visibility: "public", CreatedAt: at, UpdatedAt: at, Contact: "Desk officer"}
	done := full
	done.ID, done.Status, done.Countries = "p3", capacity.Completed, nil
	off := bare
	off.ID, off.Status, off.Start = "p4", capacity.Cancelled, "2027-03-01"
	return []capacity.Project{full, bare, done, off}
}

// TestIATIValidatesAgainstTheSchema writes projects as IATI activity XML
// and validates it with xmllint against IATI's own 2.03 schema
// (testdata/iati, see its README).
func TestIATIValidatesAgainstTheSchema(t *testing.T) {
	lint := xmllint(t)
	var b bytes.Buffer
	if err := capacity.WriteIATI(&b, capacity.Reporter{Name: "DFAT"}, exported(), time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "activities.xml")
	if err := os.WriteFile(file, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(lint, "--noout", "--nonet", "--schema", filepath.Join("testdata", "iati", "iati-activities-schema.xsd"), file).CombinedOutput()
	if err != nil {
		t.Fatalf("xmllint refuses the export: %v\n%s\n%s", err, out, b.String())
	}
	doc := b.String()
	for _, want := range []string{`<iati-activities version="2.03"`, `<iati-identifier>dfat-au@node.test-p1</iati-identifier>`,
		`<participating-org role="1">`, `<participating-org role="4">`, `<activity-status code="2">`, `<activity-date type="2" iso-date="2027-01-01">`,
		`<activity-date type="4" iso-date="2028-12-31">`, `<recipient-country code="TL" percentage="100">`, `<recipient-country code="TL" percentage="34">`,
		`<recipient-country code="PH" percentage="33">`, `<sector vocabulary="1" code="15210" percentage="100">`, `vocabulary="99"`,
		`default-currency="AUD"`, `<value currency="AUD" value-date="2027-01-01">1200000</value>`, `<activity-status code="5">`,
		`Cybercrime training &lt;for&gt; judges &amp; prosecutors`, `xml:lang="en"`} {
		if !strings.Contains(doc, want) {
			t.Errorf("the export lacks %s", want)
		}
	}
	// A document the schema must refuse, so the check is known to bite.
	bad := strings.Replace(doc, "<iati-identifier>dfat-au@node.test-p1</iati-identifier>", "", 1)
	if err := os.WriteFile(file, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(lint, "--noout", "--nonet", "--schema", filepath.Join("testdata", "iati", "iati-activities-schema.xsd"), file).CombinedOutput(); err == nil {
		t.Errorf("xmllint accepted an activity without its identifier:\n%s", out)
	}
}

// TestCSVAndJSONExports reads the exports back.
func TestCSVAndJSONExports(t *testing.T) {
	ps := exported()
	ps[1].Summary = "=HYPERLINK(\"x\")"
	var b bytes.Buffer
	if err := capacity.WriteCSV(&b, ps); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil || len(recs) != 5 {
		t.Fatalf("%d records, %v", len(recs), err)
	}
	if recs[1][8] != "TL" || recs[2][8] != "TL; ID; PH" || recs[2][3] != `'=HYPERLINK("x")` || recs[1][4] != "incident-cip" {
		t.Errorf("rows = %q", recs[1:3])
	}
	b.Reset()
	if err := capacity.WriteJSON(&b, ps); err != nil {
		t.Fatal(err)
	}
	var back []capacity.Project
	if err := json.Unmarshal(b.Bytes(), &back); err != nil || len(back) != 4 || back[0].Budget != 1200000 || back[2].Status != capacity.Completed {
		t.Errorf("JSON read back: %v %+v", err, back)
	}
}
