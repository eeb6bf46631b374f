package intel

import (
	"strings"
	"testing"
)

// TestCSVRecordSafe: no cell of the CSV export starts a spreadsheet
// formula, whichever property the text came from.
func TestCSVRecordSafe(t *testing.T) {
	o := Stored{ID: "indicator--c0000000-0000-4000-8000-000000000001", Type: "indicator", Name: "=1+1",
		Labels: "\n=HYPERLINK(\"http://x\")\n+cmd\n", Sectors: "\n-energy\n@x\n", Origin: "@peer", Collection: "-c",
		Raw: `{"pattern":"=[ipv4-addr:value = '1.2.3.4']"}`}
	for i, cell := range csvRecord(o) {
		if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
			t.Errorf("cell %d starts a formula: %q", i, cell)
		}
	}
}
