package capacity

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/internal/names"
)

// The bounds of one import: a file over MaxImportBytes or with more than
// MaxImportRows rows is refused whole, with the limit named.
const (
	MaxImportBytes = 4 << 20
	MaxImportRows  = 50000
	// maxProblems bounds the problems kept of a refused file; the count
	// goes on.
	maxProblems = 500
)

// The columns of an import. The required ones carry an observation; the
// definition columns describe an indicator the node does not know yet (a
// ministry's own), and note says what a reader should know of a value
// (such as where a figure was read when the publisher's table was not).
var (
	importRequired = []string{"indicator", "country", "year", "value", "unit", "source"}
	importOptional = []string{"note", "name", "name_id", "better", "topic"}
)

// RowProblem is why a line of an import was refused: its line number in
// the file (1 is the header; 0 the file as a whole), the column, and a
// message key with its arguments.
type RowProblem struct {
	Line   int      `json:"line"`
	Column string   `json:"column,omitempty"`
	Key    string   `json:"code"`
	Args   []string `json:"-"`
}

// ImportRefused is an import refused whole: every problem found (up to a
// bound) and how many there were. Nothing of the file is stored.
type ImportRefused struct {
	Problems []RowProblem
	Count    int
}

func (e *ImportRefused) Error() string {
	return fmt.Sprintf("capacity: import indicators: %d problems", e.Count)
}

// Unwrap makes the refusal an invalid core error for whoever does not
// know the type.
func (e *ImportRefused) Unwrap() error {
	return &core.Error{Kind: core.KindInvalid, Op: "capacity: import indicators", Message: "err.ind_refused"}
}

func (e *ImportRefused) add(line int, col, key string, args ...string) {
	e.Count++
	if len(e.Problems) < maxProblems {
		e.Problems = append(e.Problems, RowProblem{Line: line, Column: col, Key: key, Args: args})
	}
}

// ImportRow is one parsed line: an observation and, when the file gives
// them, its indicator's definition.
type ImportRow struct {
	Line int
	Obs  Observation
	Def  Indicator // Name.En empty when the line defines nothing
	// better is the better column as given ("" when not given).
	better string
}

var (
	codeRE  = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,63}$`)
	valueRE = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)
)

const (
	minYear, maxYear = 1950, 2100
	maxUnit          = 60
	maxSource        = 500
	maxNote          = 500
	maxIndName       = 200
	// maxDigits keeps a value exact as a float64 on both engines.
	maxDigits = 15
)

// ParseIndicatorCSV reads an import: UTF-8 (with or without a byte order
// mark), comma-separated, a header naming the columns in any order, a
// decimal point. It returns every row, or every problem found; a file with
// any problem gives no rows. Problems of the indicators as the node knows
// them (a unit that differs) are the service's.
func ParseIndicatorCSV(data []byte) ([]ImportRow, *ImportRefused) {
	ref := &ImportRefused{}
	if len(data) > MaxImportBytes {
		ref.add(0, "", "err.ind_too_large", strconv.Itoa(MaxImportBytes>>20))
		return nil, ref
	}
	data = bytes.TrimPrefix(data, []byte("\xEF\xBB\xBF"))
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	head, err := r.Read()
	if err == io.EOF {
		ref.add(1, "", "err.ind_empty")
		return nil, ref
	}
	if err != nil {
		csvProblem(ref, err)
		return nil, ref
	}
	head = slices.Clone(head) // the reader reuses its record
	col := map[string]int{}
	for i, h := range head {
		if p := core.CheckText(h); p != "" {
			ref.add(1, "", p)
			continue
		}
		h = strings.ToLower(strings.TrimSpace(h))
		switch {
		case strings.Contains(h, ";"):
			ref.add(1, "", "err.ind_semicolon")
		case !slices.Contains(importRequired, h) && !slices.Contains(importOptional, h):
			ref.add(1, h, "err.ind_column_unknown")
		case col[h] != 0:
			ref.add(1, h, "err.ind_column_twice")
		}
		col[h] = i + 1 // 0 is "absent"
	}
	for _, c := range importRequired {
		if col[c] == 0 {
			ref.add(1, c, "err.ind_column_missing")
		}
	}
	if ref.Count > 0 {
		return nil, ref
	}
	var rows []ImportRow
	read := 0 // records read, refused or not
	seen := map[[3]string]int{}
	defs := map[string]ImportRow{} // the first line defining each code
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			csvProblem(ref, err)
			break
		}
		line, _ := r.FieldPos(0)
		if read++; read > MaxImportRows {
			ref.add(line, "", "err.ind_too_many_rows", strconv.Itoa(MaxImportRows))
			break
		}
		if len(rec) != len(head) {
			ref.add(line, "", "err.ind_fields", strconv.Itoa(len(rec)), strconv.Itoa(len(head)))
			continue
		}
		get := func(c string) string {
			if col[c] == 0 {
				return ""
			}
			return strings.TrimSpace(rec[col[c]-1])
		}
		bad := false
		for i, v := range rec {
			if p := core.CheckText(v); p != "" {
				ref.add(line, strings.ToLower(strings.TrimSpace(head[i])), p)
				bad = true
			}
		}
		if bad {
			continue
		}
		row, ok := parseRow(ref, line, get)
		if !ok {
			continue
		}
		key := [3]string{row.Obs.Indicator, row.Obs.Country, strconv.Itoa(row.Obs.Year)}
		if first, dup := seen[key]; dup {
			ref.add(line, "indicator", "err.ind_duplicate", strconv.Itoa(first))
			continue
		}
		seen[key] = line
		if row.Def.Name.En != "" || row.better != "" || row.Def.Name.ID != "" || row.Def.Topic != "" {
			if first, ok := defs[row.Obs.Indicator]; ok {
				if first.Def.Name != row.Def.Name || first.better != row.better || first.Def.Topic != row.Def.Topic {
					ref.add(line, "name", "err.ind_definition_differs", strconv.Itoa(first.Line))
					continue
				}
			} else {
				defs[row.Obs.Indicator] = row
			}
		}
		rows = append(rows, row)
	}
	if ref.Count > 0 {
		return nil, ref
	}
	if len(rows) == 0 {
		ref.add(2, "", "err.ind_no_rows")
		return nil, ref
	}
	// Every line of a code carries the definition its first defining line
	// gave, so the service sees it whichever line it reads.
	for i := range rows {
		if d, ok := defs[rows[i].Obs.Indicator]; ok {
			rows[i].Def, rows[i].better = d.Def, d.better
		}
	}
	return rows, nil
}

func parseRow(ref *ImportRefused, line int, get func(string) string) (ImportRow, bool) {
	n := ref.Count
	row := ImportRow{Line: line}
	o := &row.Obs
	o.Indicator = strings.ToLower(get("indicator"))
	if !codeRE.MatchString(o.Indicator) {
		ref.add(line, "indicator", "err.ind_code")
	}
	o.Country = strings.ToUpper(get("country"))
	if !names.ValidCountry(o.Country) {
		ref.add(line, "country", "err.country")
	}
	y, err := strconv.Atoi(get("year"))
	if err != nil || y < minYear || y > maxYear {
		ref.add(line, "year", "err.ind_year", strconv.Itoa(minYear), strconv.Itoa(maxYear))
	}
	o.Year = y
	o.Text = get("value")
	digits := strings.Count(o.Text, "") - 1 - strings.Count(o.Text, "-") - strings.Count(o.Text, ".")
	if !valueRE.MatchString(o.Text) || digits > maxDigits {
		ref.add(line, "value", "err.ind_value")
	} else {
		o.Value, _ = strconv.ParseFloat(o.Text, 64)
	}
	o.Unit = get("unit")
	cell(ref, line, "unit", o.Unit, maxUnit, true)
	o.Source = get("source")
	if u, err := url.Parse(o.Source); o.Source == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(o.Source) > maxSource {
		ref.add(line, "source", "err.ind_source")
	}
	o.Note = get("note")
	cell(ref, line, "note", o.Note, maxNote, false)
	row.Def = Indicator{Code: o.Indicator, Name: Name{En: get("name"), ID: get("name_id")}, Unit: o.Unit, Topic: get("topic")}
	cell(ref, line, "name", row.Def.Name.En, maxIndName, false)
	cell(ref, line, "name_id", row.Def.Name.ID, maxIndName, false)
	row.better = strings.ToLower(get("better"))
	switch row.better {
	case "", "higher":
		row.Def.HigherBetter = true
	case "lower":
	default:
		ref.add(line, "better", "err.ind_better")
	}
	if t := row.Def.Topic; t != "" {
		if _, ok := Themes.TopicTheme(t); !ok {
			ref.add(line, "topic", "err.cap_topic", t)
		}
	}
	return row, ref.Count == n
}

func cell(ref *ImportRefused, line int, col, v string, max int, required bool) {
	switch {
	case required && v == "":
		ref.add(line, col, "err.required")
	case len([]rune(v)) > max:
		ref.add(line, col, "err.ind_too_long", strconv.Itoa(max))
	}
}

// csvProblem reports a syntax error of the file where the reader found
// it; reading stops there, since what follows cannot be trusted.
func csvProblem(ref *ImportRefused, err error) {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		ref.add(0, "", "err.ind_csv")
		return
	}
	switch {
	case errors.Is(pe.Err, csv.ErrBareQuote):
		ref.add(pe.Line, "", "err.ind_csv_bare_quote")
	case errors.Is(pe.Err, csv.ErrQuote):
		ref.add(pe.StartLine, "", "err.ind_csv_quote")
	default:
		ref.add(pe.Line, "", "err.ind_csv")
	}
}
