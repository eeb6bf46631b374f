package hxl

import (
	"errors"
	"testing"
)

func TestParseDate(t *testing.T) {
	good := map[string]string{
		"2018":                 "2018",
		"2018-10":              "2018-10",
		"2018-10-02":           "2018-10-02",
		"2018-1-2":             "2018-01-02",
		"2018-10-02 13:45:00":  "2018-10-02",
		"2018-10-02T13:45:00Z": "2018-10-02",
		"2/10/2018":            "2018-10-02", // day first
		"28/9/2018":            "2018-09-28",
		"2.10.2018":            "2018-10-02",
		"1 March 2015":         "2015-03-01",
		"1  Mar   2015":        "2015-03-01",
		"March 1, 2015":        "2015-03-01",
		"1-Mar-2015":           "2015-03-01",
		" 2020-02-29 ":         "2020-02-29",
	}
	for in, want := range good {
		d, err := ParseDate(in)
		if err != nil || d.String() != want {
			t.Errorf("ParseDate(%q) = %v, %v; want %s", in, d, err, want)
		}
	}
	for _, in := range []string{"", "soon", "2018-13", "2018-02-30", "2019-02-29", "10/28/2018", "12345", "999", "3000-01-01", "2018/10/02x", "Q3 2018"} {
		_, err := ParseDate(in)
		var p *Problem
		if !errors.As(err, &p) || p.Code != CodeBadDate {
			t.Errorf("ParseDate(%q) err = %v, want %s", in, err, CodeBadDate)
		}
	}
}

func TestParseNumberAndCount(t *testing.T) {
	nums := map[string]float64{"0": 0, "1500": 1500, " 12 ": 12, "-2.5": -2.5, "+3": 3, ".5": 0.5, "1e3": 1000, "119.8": 119.8}
	for in, want := range nums {
		if f, err := ParseNumber(in); err != nil || f != want {
			t.Errorf("ParseNumber(%q) = %v, %v; want %v", in, f, err, want)
		}
	}
	for _, in := range []string{"", "abc", "1,500", "1.500.000", "0x10", "1_000", "Inf", "NaN", "1e", "-", ".", "12 people", "1e400"} {
		if _, err := ParseNumber(in); err == nil {
			t.Errorf("ParseNumber(%q) accepted", in)
		}
	}
	counts := map[string]int64{"0": 0, "250": 250, "250.0": 250, "1e3": 1000}
	for in, want := range counts {
		if n, err := ParseCount(in); err != nil || n != want {
			t.Errorf("ParseCount(%q) = %v, %v; want %v", in, n, err, want)
		}
	}
	codes := map[string]string{"-5": CodeBadCount, "2.5": CodeBadCount, "1e20": CodeBadCount, "many": CodeBadNumber}
	for in, code := range codes {
		_, err := ParseCount(in)
		var p *Problem
		if !errors.As(err, &p) || p.Code != code {
			t.Errorf("ParseCount(%q) err = %v, want %s", in, err, code)
		}
	}
}
