package web_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"entente.example/entente/internal/web"
)

func TestPercentile(t *testing.T) {
	for _, c := range []struct {
		in          []int64
		median, p90 int64
	}{
		{[]int64{7}, 7, 7},
		{[]int64{1, 2}, 1, 2},
		{[]int64{1, 2, 3}, 2, 3},
		{[]int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 5, 9},
		{[]int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 6, 10},
	} {
		if m, p := web.Percentile(c.in, 50), web.Percentile(c.in, 90); m != c.median || p != c.p90 {
			t.Errorf("%v: median %d, p90 %d; want %d, %d", c.in, m, p, c.median, c.p90)
		}
	}
	// Durations too, each a value some case had.
	if d := web.Percentile([]time.Duration{time.Hour, 4 * time.Hour, 30 * time.Hour}, 50); d != 4*time.Hour {
		t.Errorf("median of durations %s", d)
	}
}

// TestCountChart draws the first rows when there are more than fit, the
// largest bar full length and the smallest still seen, each row below the
// last, and a label too long for the drawing shortened.
func TestCountChart(t *testing.T) {
	var rows []web.ChartCount
	for i := range 20 {
		rows = append(rows, web.ChartCount{Label: fmt.Sprint("row ", i), N: 1000 - i*50})
	}
	rows[0].Label = strings.Repeat("é", 80)
	c := web.CountChart(rows, web.Fit{Max: 12})
	if c.More != 8 || len(c.Rows) != 12 || c.Rows[11].Label != "row 11" || c.Legend || c.Axis != 0 {
		t.Fatalf("more %d, %d rows, last %q", c.More, len(c.Rows), c.Rows[len(c.Rows)-1].Label)
	}
	if l := []rune(c.Rows[0].Label); len(l) != 56 || l[55] != '…' {
		t.Errorf("long label %q", c.Rows[0].Label)
	}
	if b := c.Rows[0].Bars; len(b) != 1 || b[0].W != 220 || b[0].Text != "1000" || b[0].TextX != 6+220+4 {
		t.Errorf("largest bar %+v", b)
	}
	for i, r := range c.Rows[1:] {
		if r.Y <= c.Rows[i].Bars[0].Y+10 || r.Bars[0].W < 1 || r.Bars[0].W > c.Rows[i].Bars[0].W {
			t.Errorf("row %d at %d after a bar at %d, %d long", i+1, r.Y, c.Rows[i].Bars[0].Y, r.Bars[0].W)
		}
	}
	if last := c.Rows[11].Bars[0]; c.Height < last.Y+10 || c.Width != 360 {
		t.Errorf("drawing %d×%d, last bar at %d", c.Width, c.Height, last.Y)
	}
	if z := web.CountChart([]web.ChartCount{{Label: "none", N: 0}}, web.Fit{Max: 12}); z.Rows[0].Bars[0].W != 1 {
		t.Errorf("a zero count drawn %d long", z.Rows[0].Bars[0].W)
	}
}

// TestPairChart draws two bars a row, in two colours, scaled to the
// longest second time, written as the caller says; with Last it keeps the
// last rows.
func TestPairChart(t *testing.T) {
	var rows []web.ChartPair
	for y := 2000; y < 2020; y++ {
		rows = append(rows, web.ChartPair{Label: fmt.Sprint(y), A: time.Duration(y-1999) * time.Hour, B: time.Duration(y-1999) * 2 * time.Hour})
	}
	c := web.PairChart(rows, func(d time.Duration) string { return d.String() }, web.Fit{Max: 16, Last: true})
	if !c.Legend || c.More != 4 || len(c.Rows) != 16 || c.Rows[0].Label != "2004" || c.Rows[15].Label != "2019" {
		t.Fatalf("legend %v, more %d, %d rows from %s", c.Legend, c.More, len(c.Rows), c.Rows[0].Label)
	}
	last := c.Rows[15].Bars
	if len(last) != 2 || last[0].P90 || !last[1].P90 || last[1].W != 220 || last[0].W != 110 || last[1].Text != "40h0m0s" || last[1].Y <= last[0].Y {
		t.Errorf("last row's bars %+v", last)
	}
	if c.Rows[0].Y < 28 {
		t.Errorf("first row at %d, under the legend", c.Rows[0].Y)
	}
	if f := web.PairChart(rows, time.Duration.String, web.Fit{Max: 16}); f.Rows[0].Label != "2000" || f.More != 4 {
		t.Errorf("first rows from %s, more %d", f.Rows[0].Label, f.More)
	}
}

// TestMonthChart draws the last three years of months, the tallest column
// full height, an empty month with no column, and names the Januaries and,
// when no January comes close after it, the first month.
func TestMonthChart(t *testing.T) {
	var months []web.ChartMonth
	for y := 2022; y <= 2026; y++ {
		for m := 1; m <= 12; m++ {
			k := time.Date(y, time.Month(m), 1, 0, 0, 0, 0, time.UTC).Format("2006-01")
			months = append(months, web.ChartMonth{Month: k, N: m, Title: k})
		}
	}
	months[59].N = 0 // 2026-12
	fit := web.Fit{Max: 36, Last: true}
	c := web.MonthChart(months, fit)
	if c.More != 24 || len(c.Columns) != 36 || c.Columns[0].Title != "2024-01" {
		t.Fatalf("more %d, %d columns from %s", c.More, len(c.Columns), c.Columns[0].Title)
	}
	const tallest = 120
	var labels []string
	for _, col := range c.Columns {
		if col.Label != "" {
			labels = append(labels, col.Label)
		}
		if col.X+col.W > c.Width || col.Y+col.H != c.Axis || col.LabelY <= c.Axis || col.LabelY > c.Height {
			t.Errorf("%s: column at %d+%d, %d+%d, label at %d", col.Title, col.X, col.W, col.Y, col.H, col.LabelY)
		}
	}
	if !slices.Equal(labels, []string{"2024", "2025", "2026"}) || c.Columns[23].H != tallest || c.Columns[34].H != tallest*11/12 || c.Columns[35].H != 0 {
		t.Errorf("labels %v, December 2025 %d, November 2026 %d, December 2026 %d", labels, c.Columns[23].H, c.Columns[34].H, c.Columns[35].H)
	}
	c = web.MonthChart(months[4:10], fit)
	if c.Columns[0].Label != "2022-05" {
		t.Errorf("first month labelled %q", c.Columns[0].Label)
	}
	c = web.MonthChart(months[11:20], fit)
	if c.Columns[0].Label != "" || c.Columns[1].Label != "2023" {
		t.Errorf("a January right after the first month: %q, %q", c.Columns[0].Label, c.Columns[1].Label)
	}
	if c = web.MonthChart(nil, fit); len(c.Columns) != 0 || c.Height == 0 {
		t.Errorf("no months: %+v", c)
	}
}
