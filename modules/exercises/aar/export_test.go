package aar

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func TestWriteJSONGolden(t *testing.T) {
	run := firstRun(t)
	run.Started = run.Started.In(time.FixedZone("WIB", 7*3600))
	var buf bytes.Buffer
	if err := WriteJSON(&buf, Build(run)); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", "drill-report.golden.json")
	if *update {
		if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("WriteJSON differs from %s:\n%s", path, buf.Bytes())
	}
	// Durations are seconds and times UTC, whatever zone they came in.
	var doc struct {
		Overall struct {
			P50 float64 `json:"p50_seconds"`
		} `json:"overall"`
		Started string `json:"started"`
	}
	if err := json.Unmarshal(want, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Overall.P50 != 2400 || doc.Started != "2026-03-02T01:00:00Z" {
		t.Errorf("golden overall p50 %v, started %q", doc.Overall.P50, doc.Started)
	}
}

func TestWriteCSV(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteCSV(&buf, Build(firstRun(t))); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 13 || !reflect.DeepEqual(rows[0], csvHeader) {
		t.Fatalf("%d rows, header %v", len(rows), rows[0])
	}
	wantRows := map[int][]string{
		1:  {orgID, "comm-check", "ping", "2026-03-02T01:00:00Z", "2026-03-02T01:05:00Z", "300", "1", "1", "10", "10"},
		2:  {orgID, "campaign-alert", "message", "2026-03-02T01:16:00Z", "2026-03-02T01:26:00Z", "600", "2", "2", "50", "50"},
		7:  {orgMY, "indicators", "intel", "2026-03-02T02:02:00Z", "", "", "0", "1", "0", "20"},
		12: {orgTH, "takedown", "message", "2026-03-02T02:35:00Z", "", "", "0", "1", "0", "30"},
	}
	for i, want := range wantRows {
		if !reflect.DeepEqual(rows[i], want) {
			t.Errorf("row %d = %q,\nwant %q", i, rows[i], want)
		}
	}
}

func TestWriteCSVEscapes(t *testing.T) {
	cells := map[string]string{
		"=cmd|' /C calc'!A0": "'=cmd|' /C calc'!A0",
		"+1+1":               "'+1+1",
		"-2+3":               "'-2+3",
		"@SUM(A1)":           "'@SUM(A1)",
		"\tx":                "'\tx",
		"\rx":                "'\rx",
		"cert@id.example":    "cert@id.example",
		"a=b":                "a=b",
		"":                   "",
	}
	for in, want := range cells {
		var buf bytes.Buffer
		r := Report{Pairs: []Pair{{Org: in, Inject: in, Channel: "message"}}}
		if err := WriteCSV(&buf, r); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(strings.NewReader(buf.String())).ReadAll()
		if err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		// encoding/csv reads a lone CR inside quotes back as written.
		if got := rows[1]; got[0] != want || got[1] != want {
			t.Errorf("cells of %q = %q, %q, want %q", in, got[0], got[1], want)
		}
	}
}

func FuzzSafeCell(f *testing.F) {
	for _, s := range []string{"=1", "+", "-", "@", "\t", "\r", "ok", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := safeCell(s)
		if got != "" && strings.ContainsRune("=+-@\t\r", rune(got[0])) {
			t.Errorf("safeCell(%q) = %q starts with a formula character", s, got)
		}
		if strings.TrimPrefix(got, "'") != s && got != s {
			t.Errorf("safeCell(%q) = %q changes more than a prefix", s, got)
		}
	})
}
