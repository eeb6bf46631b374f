package hxl

import (
	"encoding/csv"
	"io"
	"strings"
)

// Writer writes HXL CSV: a text header row, a hashtag row, then data rows,
// with CRLF line ends and quoting as RFC 4180 asks.
type Writer struct {
	csv    *csv.Writer
	n      int
	wrote  bool
	header []string
	tags   []string
}

// NewWriter returns a Writer for the columns. Untagged columns are written
// with an empty hashtag cell. The error is a *Problem with CodeBadTag when a
// column's tag or attributes are not valid HXL tokens.
func NewWriter(w io.Writer, columns []Column) (*Writer, error) {
	wr := &Writer{csv: csv.NewWriter(w), n: len(columns)}
	wr.csv.UseCRLF = true
	for i, c := range columns {
		spec := c.Spec()
		if spec != "" {
			// Reparse so that only what a reader will read back is written.
			back, ok := ParseColumn(spec)
			if !ok || back.Spec() != spec {
				return nil, &Problem{Code: CodeBadTag, Column: i + 1, Value: clip(spec)}
			}
		}
		wr.header = append(wr.header, defuse(c.Header))
		wr.tags = append(wr.tags, spec)
	}
	// A header row that reads as a hashtag row would be taken for it; its
	// hashtag-like titles are then written as text, with a quote.
	if _, _, ok := hashtagRow(wr.header, nil); ok {
		for i, h := range wr.header {
			if _, tag := ParseColumn(h); tag {
				wr.header[i] = "'" + h
			}
		}
	}
	return wr, nil
}

// Write writes one data row, one value per column. The header rows go out
// before the first row (or at Flush when there is none).
func (w *Writer) Write(values []string) error {
	if len(values) != w.n {
		return &Problem{Code: CodeColumnCount, Limit: int64(w.n)}
	}
	if err := w.start(); err != nil {
		return err
	}
	rec := make([]string, len(values))
	for i, v := range values {
		rec[i] = defuse(v)
	}
	return w.csv.Write(rec)
}

func (w *Writer) start() error {
	if w.wrote {
		return nil
	}
	w.wrote = true
	if err := w.csv.Write(w.header); err != nil {
		return err
	}
	return w.csv.Write(w.tags)
}

// Flush writes what is buffered and returns the first write error.
func (w *Writer) Flush() error {
	if err := w.start(); err != nil {
		return err
	}
	w.csv.Flush()
	return w.csv.Error()
}

// Write writes a dataset's columns and rows. The preamble other than the
// text headers is not written: titles above a table are for people, and
// a reader finds the hashtag row either way.
func Write(w io.Writer, d *Dataset) error {
	wr, err := NewWriter(w, d.Columns)
	if err != nil {
		return err
	}
	for _, r := range d.Rows {
		if err := wr.Write(r.Values); err != nil {
			return err
		}
	}
	return wr.Flush()
}

// defuse prefixes with a quote a cell that a spreadsheet would run as a
// formula (=, +, -, @, tab, CR first), as capacity's export does, so a
// report text like "=HYPERLINK(…)" stays text. Plain numbers are left as
// they are: "-2.5" in #geo+lon must stay a number, and a number runs
// nothing.
func defuse(s string) string {
	if s == "" || !strings.ContainsRune("=+-@\t\r", rune(s[0])) || plainNumber(s) {
		return s
	}
	return "'" + s
}
