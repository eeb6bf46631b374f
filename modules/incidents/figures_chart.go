package incidents

import (
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// Chart is a bar chart laid out for an inline SVG: the server computes
// every coordinate, so the page needs no script and no style attribute (the
// CSP allows neither). The drawing is 360 units wide, which a 390 px phone
// shows at about its natural size. Rows are horizontal bars with their
// labels; Columns are the months, upright.
type Chart struct {
	Width, Height int
	Rows          []ChartRow
	Columns       []ChartColumn
	// More is how many rows (or months) were left out of the drawing; the
	// table beside it and the CSV have them all.
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

// ChartColumn is one month: its column, and a label under the first month
// and under each January.
type ChartColumn struct {
	X, Y, W, H int
	Label      string
	Title      string // the month and its count, for a pointer's tooltip
}

// Layout of the charts, in SVG units.
const (
	chartWidth  = 360
	chartLeft   = 6   // the margin on the left of labels and bars
	chartBars   = 220 // the longest bar; the rest of the width is for its value
	chartTop    = 28  // room for the legend
	chartMax    = 16  // rows drawn at most
	chartMonths = 36  // months drawn at most: the last three years
	columnsH    = 120 // the tallest column
	barHeight   = 10
)

// countChart draws counts as horizontal bars, in the order given.
func countChart(counts []Count, label func(string) string) Chart {
	c := Chart{Width: chartWidth}
	rows := counts
	if len(rows) > chartMax {
		c.More, rows = len(rows)-chartMax, rows[:chartMax]
	}
	most := 0
	for _, x := range rows {
		most = max(most, x.N)
	}
	y := 8
	for _, x := range rows {
		w := scale(int64(x.N), int64(most))
		c.Rows = append(c.Rows, ChartRow{Label: clip(label(x.Key), 56), Y: y + 12,
			Bars: []ChartBar{{Y: y + 17, W: w, Text: strconv.Itoa(x.N), TextX: chartLeft + w + 4, TextY: y + 26}}})
		y += 12 + barHeight + 3 + 12
	}
	c.Height = y
	return c
}

// delayChart draws the median and 90th-percentile delays of each group.
func delayChart(ds []Delay, label func(string) string, dur func(time.Duration) string) Chart {
	c := Chart{Width: chartWidth}
	rows := ds
	if len(rows) > chartMax {
		c.More, rows = len(rows)-chartMax, rows[len(rows)-chartMax:]
	}
	var longest time.Duration
	for _, d := range rows {
		longest = max(longest, d.P90)
	}
	y := chartTop
	for _, d := range rows {
		r := ChartRow{Label: clip(label(d.Key), 56), Y: y + 12}
		for i, v := range []time.Duration{d.Median, d.P90} {
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

// monthChart draws the incidents per month as columns: the last
// chartMonths months.
func monthChart(months []Count, title func(Count) string) Chart {
	c := Chart{Width: chartWidth, Height: 8 + columnsH + 22}
	rows := months
	if len(rows) > chartMonths {
		c.More, rows = len(rows)-chartMonths, rows[len(rows)-chartMonths:]
	}
	if len(rows) == 0 {
		return c
	}
	most := 0
	for _, m := range rows {
		most = max(most, m.N)
	}
	step := (chartWidth - 2*chartLeft) / len(rows)
	w := max(1, step-2)
	for k, m := range rows {
		h := 0
		if m.N > 0 {
			h = max(1, m.N*columnsH/most)
		}
		col := ChartColumn{X: chartLeft + k*step, Y: 8 + columnsH - h, W: w, H: h, Title: title(m)}
		switch {
		case m.Key[5:] == "01":
			col.Label = m.Key[:4]
		case k == 0 && !slices.ContainsFunc(rows[:min(len(rows), 40/step+1)], func(c Count) bool { return c.Key[5:] == "01" }):
			// The first month is named unless a January's year, close
			// after it, would run into its label.
			col.Label = m.Key
		}
		c.Columns = append(c.Columns, col)
	}
	return c
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
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
