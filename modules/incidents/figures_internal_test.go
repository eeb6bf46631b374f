package incidents

import (
	"encoding/json"
	"slices"
	"testing"
	"time"
)

// TestJSONStrings reads the values the figures count straight from the
// columns' JSON, as json.Unmarshal would, escaped characters included.
func TestJSONStrings(t *testing.T) {
	recv, _ := json.Marshal([]Receiver{{Name: `A "quoted" \ name`, Category: "corporate", Sector: "energy"}, {Name: "b", Category: "media"},
		{Name: "c", Category: "corporate", Sector: `odd "sector" \ from a peer`}})
	ini, _ := json.Marshal(Initiator{Name: `"category":"state"`, Category: "non_state_criminal"})
	for _, c := range []struct {
		s, prefix string
		want      []string
	}{
		{`["ransomware","espionage"]`, `"`, []string{"ransomware", "espionage"}},
		{`[]`, `"`, nil},
		{`["a\"b","c"]`, `"`, []string{`a"b`, "c"}},
		{string(recv), `"sector":"`, []string{"energy", `odd "sector" \ from a peer`}},
		{string(ini), `"category":"`, []string{"non_state_criminal"}},
	} {
		got, ok := jsonStrings(c.s, c.prefix)
		if !ok || !slices.Equal(got, c.want) {
			t.Errorf("jsonStrings(%s, %s) = %q %v, want %q", c.s, c.prefix, got, ok, c.want)
		}
	}
	if _, ok := jsonStrings(`["unterminated`, `"`); ok {
		t.Error("an unterminated string was read")
	}
}

// TestMonthChart draws the last three years of months, the tallest column
// full height, an empty month with no column, and names the Januaries and,
// when no January comes close after it, the first month.
func TestMonthChart(t *testing.T) {
	var months []Count
	for y := 2022; y <= 2026; y++ {
		for m := 1; m <= 12; m++ {
			months = append(months, Count{Key: time.Date(y, time.Month(m), 1, 0, 0, 0, 0, time.UTC).Format("2006-01"), N: m})
		}
	}
	months[59].N = 0 // 2026-12
	c := monthChart(months, func(c Count) string { return c.Key })
	if c.More != 24 || len(c.Columns) != 36 || c.Columns[0].Title != "2024-01" {
		t.Fatalf("more %d, %d columns from %s", c.More, len(c.Columns), c.Columns[0].Title)
	}
	var labels []string
	for _, col := range c.Columns {
		if col.Label != "" {
			labels = append(labels, col.Label)
		}
		if col.X+col.W > chartWidth || col.Y+col.H != 8+columnsH {
			t.Errorf("%s: column at %d+%d, %d+%d", col.Title, col.X, col.W, col.Y, col.H)
		}
	}
	if !slices.Equal(labels, []string{"2024", "2025", "2026"}) || c.Columns[23].H != columnsH || c.Columns[34].H != columnsH*11/12 || c.Columns[35].H != 0 {
		t.Errorf("labels %v, December 2025 %d, November 2026 %d, December 2026 %d", labels, c.Columns[23].H, c.Columns[34].H, c.Columns[35].H)
	}
	c = monthChart(months[4:10], func(c Count) string { return c.Key })
	if c.Columns[0].Label != "2022-05" {
		t.Errorf("first month labelled %q", c.Columns[0].Label)
	}
	c = monthChart(months[11:20], func(c Count) string { return c.Key })
	if c.Columns[0].Label != "" || c.Columns[1].Label != "2023" {
		t.Errorf("a January right after the first month: %q, %q", c.Columns[0].Label, c.Columns[1].Label)
	}
}
