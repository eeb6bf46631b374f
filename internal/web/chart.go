package web

import (
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// Chart is a bar chart laid out for an inline SVG, drawn by the partial
// "chart" (templates/chart.partial.html): the server computes every
// coordinate, so the page needs no script and no style attribute (the CSP
// allows neither). The drawing is 360 units wide, which a 390 px phone
// shows at about its natural size. Rows are horizontal bars with their
// labels; Columns are months, upright. The page puts a table with every
// value beside it.
type Chart struct {
	Width, Height int
	Rows          []ChartRow
	Columns       []ChartColumn
	// Legend is true when each row has a median and a 90th-percentile bar,
	// which the drawing names above the rows.
	Legend bool
	// Axis is the baseline the columns stand on (zero without columns).
	Axis int
	// More is how many rows (or months) were left out of the drawing; the
	// table beside it has them all.
	More int
}

// ChartRow is one labelled line of the chart with one or two bars.
type ChartRow struct {
	Label string
	Y     int // the label's baseline; the bars sit below it
	Bars  []ChartBar
}

// ChartBar is one bar, its value written at its end.
type ChartBar struct {
	Y, W         int
	Text         string
	TextX, TextY int
	P90          bool // the second colour
}

// ChartColumn is one month: its column, and a label under some months.
type ChartColumn struct {
	X, Y, W, H int
	Label      string
	LabelY     int
	Title      string // the month and its count, for a pointer's tooltip
}

// ChartCount is one row of a chart of counts.
type ChartCount struct {
	Label string
	N     int
}

// ChartPair is one row of a chart of times: A is drawn in the first
// colour, B (the longer, a 90th percentile) in the second.
type ChartPair struct {
	Label string
	A, B  time.Duration
}

// ChartMonth is one column of a chart of months.
type ChartMonth struct {
	Month string // 2006-01
	N     int
	Title string
}

// Fit is how many rows a chart draws at most, and which when there are
// more: the first (rows given largest first) or, with Last, the last (rows
// given in time order, of which the latest matter most).
type Fit struct {
	Max  int
	Last bool
}

// cut is the rows a chart draws and how many it leaves out.
func cut[T any](rows []T, f Fit) ([]T, int) {
	if len(rows) <= f.Max {
		return rows, 0
	}
	if f.Last {
		return rows[len(rows)-f.Max:], len(rows) - f.Max
	}
	return rows[:f.Max], len(rows) - f.Max
}

// Layout of the charts, in SVG units.
const (
	chartWidth = 360
	chartLeft  = 6   // the margin on the left of labels and bars
	chartBars  = 220 // the longest bar; the rest of the width is for its value
	chartTop   = 28  // room for the legend
	chartLabel = 56  // the longest label, in characters, that fits
	columnsH   = 120 // the tallest column
	barHeight  = 10
)

// CountChart draws counts as horizontal bars, in the order given.
func CountChart(counts []ChartCount, f Fit) Chart {
	rows, more := cut(counts, f)
	c := Chart{Width: chartWidth, More: more}
	most := 0
	for _, x := range rows {
		most = max(most, x.N)
	}
	y := 8
	for _, x := range rows {
		w := scale(int64(x.N), int64(most))
		c.Rows = append(c.Rows, ChartRow{Label: clip(x.Label), Y: y + 12,
			Bars: []ChartBar{{Y: y + 17, W: w, Text: strconv.Itoa(x.N), TextX: chartLeft + w + 4, TextY: y + 26}}})
		y += 12 + barHeight + 3 + 12
	}
	c.Height = y
	return c
}

// PairChart draws two times for each row, such as a median and a 90th
// percentile, each written as dur says it, scaled to the longest second
// time.
func PairChart(pairs []ChartPair, dur func(time.Duration) string, f Fit) Chart {
	rows, more := cut(pairs, f)
	c := Chart{Width: chartWidth, Legend: true, More: more}
	var longest time.Duration
	for _, p := range rows {
		longest = max(longest, p.B)
	}
	y := chartTop
	for _, p := range rows {
		r := ChartRow{Label: clip(p.Label), Y: y + 12}
		for i, v := range []time.Duration{p.A, p.B} {
			w := scale(int64(v), int64(longest))
			by := y + 17 + i*(barHeight+3)
			r.Bars = append(r.Bars, ChartBar{Y: by, W: w, Text: dur(v), TextX: chartLeft + w + 4, TextY: by + 9, P90: i == 1})
		}
		c.Rows = append(c.Rows, r)
		y += 12 + 2*(barHeight+3) + 12
	}
	c.Height = y
	return c
}

// MonthChart draws a count per month as columns, the tallest full height.
// The first month is labelled with its month and each January with its
// year, unless a January comes so close after the first month that the
// labels would run into each other; then only the Januaries are.
func MonthChart(months []ChartMonth, f Fit) Chart {
	rows, more := cut(months, f)
	c := Chart{Width: chartWidth, Height: 8 + columnsH + 22, Axis: 8 + columnsH, More: more}
	if len(rows) == 0 {
		return c
	}
	most := 0
	for _, m := range rows {
		most = max(most, m.N)
	}
	step := (chartWidth - 2*chartLeft) / len(rows)
	w := max(1, step-2)
	january := func(m ChartMonth) bool { return m.Month[5:] == "01" }
	for k, m := range rows {
		h := 0
		if m.N > 0 {
			h = max(1, m.N*columnsH/most)
		}
		col := ChartColumn{X: chartLeft + k*step, Y: 8 + columnsH - h, W: w, H: h, LabelY: 8 + columnsH + 14, Title: m.Title}
		switch {
		case january(m):
			col.Label = m.Month[:4]
		case k == 0 && !slices.ContainsFunc(rows[:min(len(rows), 40/step+1)], january):
			col.Label = m.Month
		}
		c.Columns = append(c.Columns, col)
	}
	return c
}

// Percentile is the nearest-rank p-th percentile of sorted values: the
// value at position ceil(p/100 × n), counting from one. Each is a value
// some case really had, not an average of two.
func Percentile[T ~int64](sorted []T, p int) T {
	i := (p*len(sorted) + 99) / 100
	return sorted[max(i, 1)-1]
}

// scale is a bar's length: at least one unit, so a small value still shows.
func scale(v, longest int64) int {
	if longest <= 0 {
		return 1
	}
	return max(1, int(v*chartBars/longest))
}

// clip shortens a label that would run off the drawing; the full words
// are in the table beside the chart.
func clip(s string) string {
	if utf8.RuneCountInString(s) <= chartLabel {
		return s
	}
	r := []rune(s)
	return string(r[:chartLabel-1]) + "…"
}
