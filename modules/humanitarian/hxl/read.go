package hxl

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// Default limits. A national 3W has some thousands of rows and a few dozen
// columns; these leave room for a regional one while keeping one upload
// from holding the server's memory.
const (
	DefaultMaxBytes    = 32 << 20
	DefaultMaxRows     = 200_000
	DefaultMaxColumns  = 300
	DefaultMaxProblems = 1000
)

// hashtagRowScan is how many rows libhxl searches for the hashtag row.
const hashtagRowScan = 25

// Options bound and tune a Reader. The zero value takes the defaults.
type Options struct {
	// MaxBytes bounds the input; more is CodeTooLarge.
	MaxBytes int64
	// MaxRows bounds the data rows (below the hashtag row, blank ones not
	// counted); more is CodeTooManyRows.
	MaxRows int
	// MaxColumns bounds the cells in any row; more is CodeTooManyColumns.
	MaxColumns int
	// MaxProblems bounds the problems kept; those beyond are only counted.
	MaxProblems int
	// Kinds check cells by column; nil means DefaultKinds, an empty
	// non-nil slice checks nothing.
	Kinds []KindRule
	// Comma is the delimiter. When zero it is guessed, as libhxl does, by
	// which of ',', ';' and tab gives a hashtag row: a spreadsheet in an
	// Indonesian or other decimal-comma locale saves "CSV" with ';'.
	Comma rune
}

func (o Options) withDefaults() Options {
	if o.MaxBytes <= 0 {
		o.MaxBytes = DefaultMaxBytes
	}
	if o.MaxRows <= 0 {
		o.MaxRows = DefaultMaxRows
	}
	if o.MaxColumns <= 0 {
		o.MaxColumns = DefaultMaxColumns
	}
	if o.MaxProblems <= 0 {
		o.MaxProblems = DefaultMaxProblems
	}
	if o.Kinds == nil {
		o.Kinds = DefaultKinds
	}
	return o
}

// Row is one data row. Values has one trimmed cell per column of the
// dataset (missing cells are ""); cells beyond the hashtag row's width are
// dropped, as HXL ignores untagged data.
type Row struct {
	// Number is the spreadsheet row number (1-based, blank lines counted).
	Number int
	// Line is the text line where the row starts.
	Line int
	// Values are the cells, one per column.
	Values []string
	// Invalid is true when a cell of the row has a problem.
	Invalid bool

	columns []Column
}

// Get returns the first non-empty cell among the columns the pattern
// matches, or "". A 3W often has both "#org+impl" and "#org+impl+code";
// asking for "#org+impl" then gives whichever the row filled in.
func (r Row) Get(p Pattern) string {
	for i, c := range r.columns {
		if i < len(r.Values) && r.Values[i] != "" && p.Match(c) {
			return r.Values[i]
		}
	}
	return ""
}

// GetAll returns the cells of every column the pattern matches, in column
// order, empty ones included so that positions line up with Dataset.Find.
func (r Row) GetAll(p Pattern) []string {
	var out []string
	for i, c := range r.columns {
		if i < len(r.Values) && p.Match(c) {
			out = append(out, r.Values[i])
		}
	}
	return out
}

// Reader reads an HXL CSV stream row by row, for files too large to hold.
type Reader struct {
	opts     Options
	csv      *csv.Reader
	count    *countingReader
	columns  []Column
	kinds    []Kind
	preamble [][]string
	hashRow  int

	number   int // spreadsheet row of the last record read
	nextLine int // text line where the next record would start without blank lines
	rows     int
	problems []Problem
	dropped  int
}

// NewReader finds the hashtag row and returns a Reader positioned on the
// first data row. The error is a *Problem for CodeNoHashtagRow,
// CodeTooLarge and CodeTooManyColumns, or a wrapped read error.
func NewReader(r io.Reader, opts Options) (*Reader, error) {
	opts = opts.withDefaults()
	cr := &countingReader{r: r, max: opts.MaxBytes}
	br := bufio.NewReaderSize(cr, 64<<10)
	// A byte-order mark from a spreadsheet's "CSV UTF-8" would otherwise
	// hide the first hashtag.
	if b, err := br.Peek(3); err == nil && string(b) == "\xef\xbb\xbf" {
		br.Discard(3)
	}
	if opts.Comma == 0 {
		opts.Comma = guessComma(br)
	}
	c := csv.NewReader(br)
	c.Comma = opts.Comma
	c.FieldsPerRecord = -1
	// Cells are copied out of each record (trimmed substrings of a fresh
	// string), so the slice itself can be reused: one allocation less a row.
	c.ReuseRecord = true
	rd := &Reader{opts: opts, csv: c, count: cr, nextLine: 1}
	var above []string
	// Blank lines count towards the 25 rows, as libhxl and a spreadsheet
	// count them.
	for rd.number < hashtagRowScan {
		rec, line, err := rd.record()
		if err == io.EOF || err == nil && rd.number > hashtagRowScan {
			break
		}
		if err != nil {
			if p := (*Problem)(nil); errors.As(err, &p) && p.Code == CodeBadCSV {
				rd.problem(*p)
				continue
			}
			return nil, err
		}
		if cols, bad, ok := hashtagRow(rec, above); ok {
			rd.hashRow = rd.number
			rd.columns = cols
			for _, b := range bad {
				rd.problem(Problem{Code: CodeBadTag, Row: rd.number, Line: line, Column: b + 1, Value: clip(rec[b])})
			}
			rd.kinds = kindsOf(cols, opts.Kinds)
			return rd, nil
		}
		above = slices.Clone(rec)
		rd.preamble = append(rd.preamble, above)
	}
	return nil, &Problem{Code: CodeNoHashtagRow, Limit: hashtagRowScan}
}

// record reads one CSV record, fixes its encoding, tracks the spreadsheet
// row number and applies the byte and column limits.
func (rd *Reader) record() ([]string, int, error) {
	rec, err := rd.csv.Read()
	if rd.count.over {
		return nil, 0, &Problem{Code: CodeTooLarge, Limit: rd.opts.MaxBytes}
	}
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			// The csv reader resumes on the next line, so one stray quote
			// costs one row, not the file.
			rd.number += 1 + max(0, pe.StartLine-rd.nextLine)
			rd.nextLine = pe.Line + 1
			return nil, 0, &Problem{Code: CodeBadCSV, Row: rd.number, Line: pe.StartLine, Column: pe.Column}
		}
		if err == io.EOF {
			return nil, 0, err
		}
		return nil, 0, fmt.Errorf("hxl: read: %w", err)
	}
	line, _ := rd.csv.FieldPos(0)
	// encoding/csv skips blank lines; spreadsheets show them as rows, and
	// the person fixing row 12 counts them.
	rd.number += 1 + max(0, line-rd.nextLine)
	breaks := 0
	for i, v := range rec {
		breaks += strings.Count(v, "\n")
		if !utf8.ValidString(v) {
			rec[i] = latin1(v)
		}
	}
	rd.nextLine = line + breaks + 1
	if len(rec) > rd.opts.MaxColumns {
		return nil, 0, &Problem{Code: CodeTooManyColumns, Row: rd.number, Line: line, Limit: int64(rd.opts.MaxColumns)}
	}
	return rec, line, nil
}

// guessComma tries each common delimiter on the start of the input and
// takes the first that yields a hashtag row; ',' when none does, so that
// the error is then "no hashtag row", not a delimiter riddle.
func guessComma(br *bufio.Reader) rune {
	head, _ := br.Peek(br.Size())
	for _, comma := range []rune{',', ';', '\t'} {
		c := csv.NewReader(bytes.NewReader(head))
		c.Comma = comma
		c.FieldsPerRecord = -1
		c.ReuseRecord = true
		for i := 0; i < hashtagRowScan; i++ {
			rec, err := c.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				continue
			}
			if _, _, ok := hashtagRow(rec, nil); ok {
				return comma
			}
		}
	}
	return ','
}

// latin1 reads a cell that is not UTF-8 as ISO 8859-1: spreadsheets on
// Windows still save CSV that way, and every byte is a valid Latin-1
// character, so nothing is lost.
func latin1(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteRune(rune(s[i]))
	}
	return b.String()
}

// hashtagRow applies libhxl's rule: rec is the hashtag row when at least
// half of its non-empty cells are hashtags. bad lists the non-empty cells
// that are not, whose columns stay untagged.
func hashtagRow(rec, above []string) (cols []Column, bad []int, ok bool) {
	nonEmpty, tags := 0, 0
	cols = make([]Column, len(rec))
	for i, v := range rec {
		if i < len(above) {
			cols[i].Header = cell(above[i])
		}
		if strings.TrimSpace(v) == "" {
			continue
		}
		nonEmpty++
		c, ok := ParseColumn(v)
		if !ok {
			bad = append(bad, i)
			continue
		}
		tags++
		c.Header = cols[i].Header
		cols[i] = c
	}
	if nonEmpty == 0 || tags*2 < nonEmpty {
		return nil, nil, false
	}
	return cols, bad, true
}

func kindsOf(cols []Column, rules []KindRule) []Kind {
	kinds := make([]Kind, len(cols))
	for i, c := range cols {
		for _, r := range rules {
			if r.Pattern.Match(c) {
				kinds[i] = r.Kind
				break
			}
		}
	}
	return kinds
}

func (rd *Reader) problem(p Problem) {
	if len(rd.problems) >= rd.opts.MaxProblems {
		rd.dropped++
		return
	}
	rd.problems = append(rd.problems, p)
}

// Columns returns the columns of the hashtag row.
func (rd *Reader) Columns() []Column { return rd.columns }

// Preamble returns the rows above the hashtag row (titles, text headers).
func (rd *Reader) Preamble() [][]string { return rd.preamble }

// Problems returns the problems found so far and how many more were
// counted but not kept (Options.MaxProblems).
func (rd *Reader) Problems() ([]Problem, int) { return rd.problems, rd.dropped }

// Next returns the next data row; blank rows are skipped. At the end it
// returns io.EOF. A row with bad cells is returned with Invalid set and its
// problems added to Problems; a row that breaks CSV syntax is skipped with
// a CodeBadCSV problem. Other errors (limits, reading) end the stream.
func (rd *Reader) Next() (Row, error) {
	for {
		rec, line, err := rd.record()
		if err != nil {
			if p := (*Problem)(nil); errors.As(err, &p) && p.Code == CodeBadCSV {
				rd.problem(*p)
				continue
			}
			return Row{}, err
		}
		values := make([]string, len(rd.columns))
		blank := true
		for i := range values {
			if i < len(rec) {
				values[i] = cell(rec[i])
				blank = blank && values[i] == ""
			}
		}
		if blank {
			continue
		}
		rd.rows++
		if rd.rows > rd.opts.MaxRows {
			return Row{}, &Problem{Code: CodeTooManyRows, Row: rd.number, Line: line, Limit: int64(rd.opts.MaxRows)}
		}
		row := Row{Number: rd.number, Line: line, Values: values, columns: rd.columns}
		for i, v := range values {
			if v == "" || rd.kinds[i] == KindText {
				continue
			}
			if code := rd.kinds[i].check(v); code != "" {
				row.Invalid = true
				rd.problem(Problem{Code: code, Row: rd.number, Line: line, Column: i + 1, Tag: rd.columns[i].Spec(), Value: clip(v)})
			}
		}
		return row, nil
	}
}

// cell trims a cell and turns a lone carriage return (old Mac line ends
// inside a quoted cell) into a line feed, so that every line break in a
// value is "\n" and survives a write and a read unchanged.
func cell(v string) string {
	v = strings.TrimSpace(v)
	if strings.IndexByte(v, '\r') >= 0 {
		v = strings.ReplaceAll(v, "\r", "\n")
	}
	return v
}

// countingReader stops a stream at max bytes and remembers that it did, so
// a too-large file is refused rather than silently cut.
type countingReader struct {
	r    io.Reader
	n    int64
	max  int64
	over bool
}

func (c *countingReader) Read(p []byte) (int, error) {
	if c.n > c.max {
		c.over = true
		return 0, io.EOF
	}
	if int64(len(p)) > c.max-c.n+1 {
		p = p[:c.max-c.n+1]
	}
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.n > c.max {
		c.over = true
		return 0, io.EOF
	}
	return n, err
}

// Dataset is a whole HXL file in memory.
type Dataset struct {
	// Preamble holds the rows above the hashtag row as they were.
	Preamble [][]string
	// HashtagRow is the spreadsheet row number of the hashtag row.
	HashtagRow int
	// Columns are the hashtag row's columns, in file order.
	Columns []Column
	// Rows are the non-blank data rows, bad ones included and marked.
	Rows []Row
	// Problems are the per-row and per-cell problems, at most
	// Options.MaxProblems of them; MoreProblems counts the rest.
	Problems     []Problem
	MoreProblems int
}

// Read reads a whole HXL file. It returns an error (a *Problem where it is
// the file's fault) only when the file cannot be read as HXL at all; bad
// rows and cells are in Dataset.Problems and the caller decides whether to
// import the valid rows or refuse the file.
func Read(r io.Reader, opts Options) (*Dataset, error) {
	rd, err := NewReader(r, opts)
	if err != nil {
		return nil, err
	}
	d := &Dataset{Preamble: rd.preamble, HashtagRow: rd.hashRow, Columns: rd.columns}
	for {
		row, err := rd.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		d.Rows = append(d.Rows, row)
	}
	d.Problems, d.MoreProblems = rd.Problems()
	return d, nil
}

// Find returns the indexes of the columns the pattern matches.
func (d *Dataset) Find(p Pattern) []int {
	var out []int
	for i, c := range d.Columns {
		if p.Match(c) {
			out = append(out, i)
		}
	}
	return out
}

// Has says whether any column matches the pattern, so that an importer can
// refuse a sheet without, say, an #org column before reading its rows.
func (d *Dataset) Has(p Pattern) bool { return len(d.Find(p)) > 0 }

// ValidRows returns the rows without problems.
func (d *Dataset) ValidRows() []Row {
	var out []Row
	for _, r := range d.Rows {
		if !r.Invalid {
			out = append(out, r)
		}
	}
	return out
}
