package aar

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// WriteJSON writes the report as indented JSON. Its field names are part
// of the export format and do not change.
func WriteJSON(w io.Writer, r Report) error {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("aar: write JSON: %w", err)
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// csvHeader names the columns of WriteCSV.
var csvHeader = []string{"org", "inject", "channel", "sent_at", "first_response_at", "response_seconds", "expectations_met", "expectations", "points", "points_possible"}

// WriteCSV writes one row per organisation and inject sent to it, by
// organisation then timeline. Empty cells mean no response. Cells are made
// safe for spreadsheets: organisation addresses and keys come from other
// nodes, and a cell read as a formula could run on the reader's machine.
func WriteCSV(w io.Writer, r Report) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return fmt.Errorf("aar: write CSV: %w", err)
	}
	for _, p := range r.Pairs {
		var firstAt, secs string
		if p.FirstResponse != nil {
			firstAt = p.FirstResponse.UTC().Format(time.RFC3339)
			secs = strconv.FormatFloat(p.ResponseTime.Std().Seconds(), 'f', -1, 64)
		}
		row := []string{p.Org, p.Inject, string(p.Channel), p.SentAt.UTC().Format(time.RFC3339), firstAt, secs,
			strconv.Itoa(p.Met), strconv.Itoa(p.Expected), strconv.Itoa(p.Points), strconv.Itoa(p.Possible)}
		for i := range row {
			row[i] = safeCell(row[i])
		}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("aar: write CSV: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("aar: write CSV: %w", err)
	}
	return nil
}

// safeCell prefixes a quote to a cell a spreadsheet would read as a
// formula.
func safeCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
