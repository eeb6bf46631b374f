package hxl

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Kind is what a column's cells must hold for the Reader to accept them.
type Kind int

const (
	// KindText accepts anything.
	KindText Kind = iota
	// KindNumber is a decimal number ("1500", "-2.5").
	KindNumber
	// KindCount is a whole number of people or households, zero or more.
	KindCount
	// KindDate is a date that ParseDate reads.
	KindDate
	// KindLatitude is a WGS84 latitude in decimal degrees.
	KindLatitude
	// KindLongitude is a WGS84 longitude in decimal degrees.
	KindLongitude
)

// KindRule gives the kind of the columns a pattern matches.
type KindRule struct {
	Pattern Pattern
	Kind    Kind
}

// DefaultKinds checks the HXL 3W vocabulary that a coordinator sums, sorts
// or maps: people counts, budgets, dates and coordinates. The first rule
// that matches a column wins, so the coordinates come before nothing else
// that could claim #geo.
var DefaultKinds = []KindRule{
	{MustPattern("#targeted"), KindCount},
	{MustPattern("#reached"), KindCount},
	{MustPattern("#affected"), KindCount},
	{MustPattern("#inneed"), KindCount},
	{MustPattern("#population"), KindCount},
	{MustPattern("#value"), KindNumber},
	{MustPattern("#date"), KindDate},
	{MustPattern("#geo+lat"), KindLatitude},
	{MustPattern("#geo+lon"), KindLongitude},
}

// check returns the problem code for a non-empty cell of kind k, or "".
func (k Kind) check(v string) string {
	switch k {
	case KindNumber:
		if _, err := ParseNumber(v); err != nil {
			return CodeBadNumber
		}
	case KindCount:
		if _, err := ParseCount(v); err != nil {
			return err.(*Problem).Code
		}
	case KindDate:
		if _, err := ParseDate(v); err != nil {
			return CodeBadDate
		}
	case KindLatitude:
		if f, err := ParseNumber(v); err != nil || f < -90 || f > 90 {
			return CodeBadLatitude
		}
	case KindLongitude:
		if f, err := ParseNumber(v); err != nil || f < -180 || f > 180 {
			return CodeBadLongitude
		}
	}
	return ""
}

// ParseNumber reads a plain decimal number, spaces around it allowed. It
// refuses what strconv would accept but no spreadsheet means as a count or
// an amount: hexadecimal, "1_000", "Inf", "NaN", and thousands separators,
// which differ between English ("1,500") and Indonesian ("1.500") sheets
// and so cannot be guessed. The error is a *Problem with CodeBadNumber.
func ParseNumber(s string) (float64, error) {
	t := strings.TrimSpace(s)
	if !plainNumber(t) {
		return 0, &Problem{Code: CodeBadNumber, Value: clip(s)}
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsInf(f, 0) {
		return 0, &Problem{Code: CodeBadNumber, Value: clip(s)}
	}
	return f, nil
}

// plainNumber: optional sign, digits, optional fraction, optional exponent.
func plainNumber(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			exp++
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(s)
}

// ParseCount reads a number of people: a whole number, zero or more ("250",
// "250.0"). The error is a *Problem with CodeBadNumber when s is not a
// number and CodeBadCount when it is one but negative or fractional.
func ParseCount(s string) (int64, error) {
	f, err := ParseNumber(s)
	if err != nil {
		return 0, err
	}
	if f < 0 || f != math.Trunc(f) || f > 1e15 {
		return 0, &Problem{Code: CodeBadCount, Value: clip(s)}
	}
	return int64(f), nil
}

// Date is a calendar date as precise as the sheet gave it: Month and Day
// are 0 when only a year (or a year and month) was given, as 3W sheets
// often plan by month.
type Date struct {
	Year, Month, Day int
}

// String writes the date in ISO 8601 ("2018", "2018-10", "2018-10-02").
func (d Date) String() string {
	switch {
	case d.Month == 0:
		return fmt.Sprintf("%04d", d.Year)
	case d.Day == 0:
		return fmt.Sprintf("%04d-%02d", d.Year, d.Month)
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// dateLayouts are the full dates read besides ISO 8601. Numeric dates with
// slashes or dots are day first, libhxl's default and the custom in
// Indonesia; "Month D, YYYY" is read too since it cannot be mistaken.
var dateLayouts = []string{
	"2006-01-02 15:04:05",
	"2006-01-02T15:04:05Z07:00",
	"2006-01-02T15:04:05",
	"2/1/2006",
	"2.1.2006",
	"2 January 2006",
	"2 Jan 2006",
	"January 2, 2006",
	"Jan 2, 2006",
	"January 2 2006",
	"Jan 2 2006",
	"2-Jan-2006",
	"2-Jan-06",
}

// ParseDate reads "2018", "2018-10", "2018-10-02", an SQL or RFC 3339
// timestamp (the date part is kept), "2/10/2018" (day first), "2 October
// 2018", "2 Oct 2018", "October 2, 2018" and "2-Oct-2018". Years must be
// 1000–2999 so that a count typed in a date column is not read as a year.
// The error is a *Problem with CodeBadDate.
func ParseDate(s string) (Date, error) {
	// The common case, an ISO date, goes first and allocates nothing.
	if d, ok := isoDate(strings.TrimSpace(s)); ok {
		return d, nil
	}
	t := strings.Join(strings.Fields(s), " ")
	bad := &Problem{Code: CodeBadDate, Value: clip(s)}
	for _, layout := range dateLayouts {
		tm, err := time.Parse(layout, t)
		if err == nil {
			if tm.Year() < 1000 || tm.Year() > 2999 {
				return Date{}, bad
			}
			return Date{tm.Year(), int(tm.Month()), tm.Day()}, nil
		}
	}
	return Date{}, bad
}

// isoDate reads YYYY, YYYY-MM and YYYY-MM-DD (one-digit month and day
// allowed, as spreadsheets write them).
func isoDate(s string) (Date, bool) {
	var n [3]int
	parts := 0
	for rest := s; ; parts++ {
		if parts == 3 {
			return Date{}, false
		}
		p, after, more := strings.Cut(rest, "-")
		if p == "" || parts == 0 && len(p) != 4 || parts > 0 && len(p) > 2 {
			return Date{}, false
		}
		for j := 0; j < len(p); j++ {
			if p[j] < '0' || p[j] > '9' {
				return Date{}, false
			}
			n[parts] = n[parts]*10 + int(p[j]-'0')
		}
		if !more {
			parts++
			break
		}
		rest = after
	}
	d := Date{Year: n[0], Month: n[1], Day: n[2]}
	if d.Year < 1000 || d.Year > 2999 || parts >= 2 && (d.Month < 1 || d.Month > 12) {
		return Date{}, false
	}
	if parts == 3 {
		// time.Date normalises 31 April to 1 May; a real date survives.
		tm := time.Date(d.Year, time.Month(d.Month), d.Day, 0, 0, 0, 0, time.UTC)
		if d.Day < 1 || tm.Day() != d.Day {
			return Date{}, false
		}
	}
	return d, true
}
