package incidents

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"entente.example/entente/core"
)

// The CSV codebook (docs/incidents-codebook.md): one column per variable,
// lists separated by ";", receivers as name|country|category|sector items.
// An export writes these columns and then exportOnly; an import reads the
// codebook's columns in any order and ignores the export-only ones.
var (
	codebook   = []string{"name", "description", "start", "end", "types", "receivers", "initiator_name", "initiator_country", "initiator_category", "inclusion", "impact", "intensity", "determination", "investigation", "criticality", "sources", "tlp", "audience", "audience_refs", "exercise"}
	exportOnly = []string{"id", "node", "owner", "version", "updated_at", "attributions", "first_attribution"}
)

// Limits of an import.
const (
	maxImportRows  = 5000
	maxImportBytes = 8 << 20
)

// ImportRow is one row of an imported file: the incident it codes, or the
// problems that refuse it, by field.
type ImportRow struct {
	Line     int
	Incident Incident
	Problems core.Problems
	// ID is the recorded incident's id once accepted.
	ID string
}

// ParseCSV reads a codebook CSV: a header naming codebook columns (each at
// most once; "name", "start", "types", "receivers", "tlp" and "audience"
// are required), then one incident per row. A file that is not such a CSV
// is refused whole; a row's own problems refuse only that row. Each row is
// checked as the form checks an incident.
func ParseCSV(r io.Reader) ([]ImportRow, error) {
	// One byte past the bound tells a file over it from one that ends
	// there: a file cut at the bound would have its last row read as if it
	// ended where the cut fell.
	lr := &bounded{r: io.LimitReader(r, maxImportBytes+1)}
	cr := csv.NewReader(lr)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = false
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("incidents: csv header: %w", err)
	}
	col := map[string]int{}
	for i, h := range head {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if slicesContains(exportOnly, h) {
			continue
		}
		if !slicesContains(codebook, h) {
			return nil, fmt.Errorf("incidents: csv: unknown column %q", trunc(h, 40))
		}
		if _, dup := col[h]; dup {
			return nil, fmt.Errorf("incidents: csv: column %q twice", h)
		}
		col[h] = i
	}
	for _, need := range []string{"name", "start", "types", "receivers", "tlp", "audience"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("incidents: csv: no %q column", need)
		}
	}
	var out []ImportRow
	for {
		rec, err := cr.Read()
		if lr.n > maxImportBytes {
			return nil, fmt.Errorf("incidents: csv: larger than %d bytes", maxImportBytes)
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("incidents: csv: %w", err)
		}
		if len(out) >= maxImportRows {
			return nil, fmt.Errorf("incidents: csv: more than %d rows", maxImportRows)
		}
		line, _ := cr.FieldPos(0)
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		out = append(out, parseRow(line, get))
	}
	return out, nil
}

// bounded counts the bytes read through it.
type bounded struct {
	r io.Reader
	n int64
}

func (b *bounded) Read(p []byte) (int, error) {
	k, err := b.r.Read(p)
	b.n += int64(k)
	return k, err
}

func slicesContains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

func trunc(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// parseRow codes one row; its problems are the form's.
func parseRow(line int, get func(string) string) ImportRow {
	p := core.Problems{}
	in := Incident{Name: get("name"), Description: get("description"), Impact: get("impact"),
		Types: split(get("types")), Inclusion: split(get("inclusion")), Sources: split(get("sources")), AudienceRefs: split(get("audience_refs")),
		Initiator:     Initiator{Name: get("initiator_name"), Country: strings.ToUpper(get("initiator_country")), Category: get("initiator_category")},
		Determination: get("determination"), Investigation: get("investigation"), TLP: core.TLP(strings.ToUpper(get("tlp"))), Audience: get("audience")}
	// Bytes the store would refuse refuse the row, not the file.
	for _, c := range codebook {
		if key := core.CheckText(get(c)); key != "" {
			p.Add(c, key)
		}
	}
	if t, ok := csvDate(get("start")); ok {
		in.Start = t
	} else if get("start") != "" {
		p.Add("start", "err.date")
	}
	if s := get("end"); s != "" {
		if t, ok := csvDate(s); ok {
			in.End = &t
		} else {
			p.Add("end", "err.date")
		}
	}
	for _, f := range []struct {
		name string
		dst  *int
	}{{"intensity", &in.Intensity}, {"criticality", &in.Criticality}} {
		if s := get(f.name); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil {
				p.Add(f.name, "err.inc_range")
			}
			*f.dst = n
		}
	}
	switch strings.ToLower(get("exercise")) {
	case "", "no", "false", "0":
	case "yes", "true", "1":
		in.Exercise = true
	default:
		p.Add("exercise", "err.inc_vocab")
	}
	for _, item := range split(get("receivers")) {
		parts := strings.Split(item, "|")
		if len(parts) < 3 || len(parts) > 4 {
			p.Add("receivers", "err.inc_receiver_item")
			continue
		}
		r := Receiver{Name: strings.TrimSpace(parts[0]), Country: strings.ToUpper(strings.TrimSpace(parts[1])), Category: strings.TrimSpace(parts[2])}
		if len(parts) == 4 {
			r.Sector = strings.TrimSpace(parts[3])
		}
		in.Receivers = append(in.Receivers, r)
	}
	for k, v := range in.Validate() {
		p.Add(k, v)
	}
	return ImportRow{Line: line, Incident: in, Problems: p}
}

// csvDate reads a date as YYYY-MM-DD, or a moment as RFC 3339.
func csvDate(s string) (time.Time, bool) {
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, true
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), true
	}
	return time.Time{}, false
}

// split reads a ";"-separated list, dropping empty items.
func split(s string) []string { return nonEmpty(strings.Split(s, ";")) }

// csvRecord writes an incident as a codebook row, then the export-only
// columns.
func csvRecord(i Incident) []string {
	var recv []string
	for _, r := range i.Receivers {
		recv = append(recv, strings.Join([]string{r.Name, r.Country, r.Category, r.Sector}, "|"))
	}
	end := ""
	if i.End != nil {
		end = i.End.Format("2006-01-02")
	}
	ex := "no"
	if i.Exercise {
		ex = "yes"
	}
	first := ""
	if d, ok := i.TimeToAttribution(); ok {
		first = i.Start.Add(d).Format("2006-01-02")
	}
	return []string{i.Name, i.Description, i.Start.Format("2006-01-02"), end, strings.Join(i.Types, ";"), strings.Join(recv, ";"),
		i.Initiator.Name, i.Initiator.Country, i.Initiator.Category, strings.Join(i.Inclusion, ";"), i.Impact, strconv.Itoa(i.Intensity),
		i.Determination, i.Investigation, strconv.Itoa(i.Criticality), strings.Join(i.Sources, ";"), string(i.TLP), i.Audience, strings.Join(i.AudienceRefs, ";"), ex,
		i.ID, i.Node, i.Owner, strconv.Itoa(i.Version), i.UpdatedAt.UTC().Format(time.RFC3339), strconv.Itoa(len(i.Attributions)), first}
}

// csvSafe keeps a spreadsheet from reading a cell as a formula.
func csvSafe(rec []string) []string {
	for k, c := range rec {
		if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			rec[k] = "'" + c
		}
	}
	return rec
}
