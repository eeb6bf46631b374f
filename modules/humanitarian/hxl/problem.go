package hxl

import (
	"fmt"
	"strings"
)

// Problem codes. They are stable: the module translates them (with the
// values in the Problem) into the reader's language, so never rename one.
const (
	// CodeNoHashtagRow: none of the first 25 rows is a hashtag row.
	CodeNoHashtagRow = "hxl.no_hashtag_row"
	// CodeBadTag: a cell of the hashtag row is not a valid hashtag; its
	// column is read as untagged.
	CodeBadTag = "hxl.bad_tag"
	// CodeBadPattern: a tag pattern given by the program is malformed.
	CodeBadPattern = "hxl.bad_pattern"
	// CodeBadCSV: a row breaks CSV syntax (a stray quote); the row is skipped.
	CodeBadCSV = "hxl.bad_csv"
	// CodeBadNumber: a cell of a numeric column is not a number.
	CodeBadNumber = "hxl.bad_number"
	// CodeBadCount: a cell of a people-count column is a number but not a
	// whole number of zero or more.
	CodeBadCount = "hxl.bad_count"
	// CodeBadDate: a cell of a date column is not a date this package reads.
	CodeBadDate = "hxl.bad_date"
	// CodeBadLatitude: a latitude outside -90…90 or not a number.
	CodeBadLatitude = "hxl.bad_latitude"
	// CodeBadLongitude: a longitude outside -180…180 or not a number.
	CodeBadLongitude = "hxl.bad_longitude"
	// CodeTooLarge: the input has more bytes than Options.MaxBytes.
	CodeTooLarge = "hxl.too_large"
	// CodeTooManyRows: the input has more data rows than Options.MaxRows.
	CodeTooManyRows = "hxl.too_many_rows"
	// CodeTooManyColumns: a row has more cells than Options.MaxColumns.
	CodeTooManyColumns = "hxl.too_many_columns"
	// CodeColumnCount: a row given to the Writer has the wrong number of cells.
	CodeColumnCount = "hxl.column_count"
)

// Problem is one thing wrong with an HXL file, located for the person who
// has to fix it in their spreadsheet. Fields that do not apply are zero.
type Problem struct {
	// Code is one of the Code constants.
	Code string
	// Row is the spreadsheet row number (1-based, blank lines counted), 0
	// for the whole file.
	Row int
	// Line is the text line where the row starts; it differs from Row only
	// when a cell above holds line breaks.
	Line int
	// Column is the 1-based column (A = 1), 0 for a whole row or file.
	Column int
	// Tag is the column's hashtag spec ("#targeted+f"), if it has one.
	Tag string
	// Value is the offending cell, cut to 80 characters.
	Value string
	// Limit is the limit passed, for the too_* codes.
	Limit int64
}

// Error gives an English line for logs and tests; people see the module's
// translation of Code instead.
func (p *Problem) Error() string {
	var b strings.Builder
	b.WriteString(p.Code)
	if p.Row > 0 {
		fmt.Fprintf(&b, " row %d", p.Row)
	}
	if p.Column > 0 {
		fmt.Fprintf(&b, " column %d", p.Column)
	}
	if p.Tag != "" {
		fmt.Fprintf(&b, " %s", p.Tag)
	}
	if p.Value != "" {
		fmt.Fprintf(&b, " value %q", p.Value)
	}
	if p.Limit > 0 {
		fmt.Fprintf(&b, " limit %d", p.Limit)
	}
	return b.String()
}

// clip keeps a problem's value short: it is shown back to the person, and a
// megabyte cell should not become a megabyte error list.
func clip(s string) string {
	const max = 80
	if len(s) <= max {
		return s
	}
	n := 0
	for i := range s {
		if n == max {
			return s[:i] + "…"
		}
		n++
	}
	return s
}
