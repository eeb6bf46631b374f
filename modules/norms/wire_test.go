package norms_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"entente.example/entente/modules/norms"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s changed:\n%s\nwant:\n%s", name, got, want)
	}
}

// TestWireFormats: what a node signs when it publishes or withdraws a
// report, as peers read it. A change here is a change of protocol.
func TestWireFormats(t *testing.T) {
	at := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	pub := norms.Publication{Report: "01KAYXV7Q8R1B2C3D4E5F6G7H8", Series: "01KAYXV7Q8R1B2C3D4E5F6G7H8", Organisation: "kemlu@id.example",
		NameEN: "Ministry of Foreign Affairs of Indonesia", NameID: "Kementerian Luar Negeri", Country: "ID", Title: "Survei nasional 2026", Version: 1,
		Audience: "public", PublishedBy: "Sari Wulandari", At: at, Answers: []norms.Answer{{Section: norms.Section{Part: "norms", Norm: "f"},
			Measures: "Perpres 82/2022 designates CII operators.", Challenges: "Uneven maturity.", Gaps: "Exercises outside Java.",
			Links: "https://peraturan.bpk.go.id/Details/221325", UpdatedAt: at, UpdatedBy: "Dewi Lestari"}}}
	w := norms.Withdrawal{Report: pub.Report, Series: pub.Series, Organisation: pub.Organisation, Version: 1, WithdrawnBy: "Sari Wulandari", At: at.Add(time.Hour)}
	for name, v := range map[string]any{"publication.json": pub, "withdrawal.json": w} {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		golden(t, name, append(b, '\n'))
	}
}
