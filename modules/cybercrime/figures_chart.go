package cybercrime

import (
	"slices"
	"strconv"
	"time"
	"unicode/utf8"
)

// Chart is a horizontal bar chart laid out for an inline SVG: the server
// computes every coordinate, so the page needs no script and no style
// attribute (the CSP allows neither). The drawing is 360 units wide, which
// a 390 px phone shows at about its natural size.
type Chart struct {
	Width, Height int
	Rows          []ChartRow
	// More is how many rows were left out of the drawing; the table below
	// it has them all.
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

// Layout of the charts, in SVG units.
const (
	chartWidth = 360
	chartLeft  = 6   // the margin on the left of labels and bars
	chartBars  = 220 // the longest bar; the rest of the width is for its value
	chartTop   = 28  // room for the legend
	chartMax   = 12  // rows drawn at most
	barHeight  = 10
)

// ackChart draws the median and 90th-percentile times to acknowledge of the
// pairs of states with the most requests acknowledged.
func ackChart(states []PairFigures, label func(PairFigures) string, dur func(time.Duration) string) Chart {
	rows := slices.Clone(states)
	rows = slices.DeleteFunc(rows, func(p PairFigures) bool { return p.Ack.N == 0 || p.Ack.Hidden })
	slices.SortStableFunc(rows, func(a, b PairFigures) int { return b.Ack.N - a.Ack.N })
	c := Chart{Width: chartWidth}
	if len(rows) > chartMax {
		c.More, rows = len(rows)-chartMax, rows[:chartMax]
	}
	var longest time.Duration
	for _, p := range rows {
		longest = max(longest, p.Ack.P90)
	}
	y := chartTop
	for _, p := range rows {
		r := ChartRow{Label: label(p), Y: y + 12}
		for i, d := range []time.Duration{p.Ack.Median, p.Ack.P90} {
			w := scale(int64(d), int64(longest))
			r.Bars = append(r.Bars, ChartBar{Y: y + 17 + i*(barHeight+3), W: w, Text: dur(d), TextX: chartLeft + w + 4, TextY: y + 17 + i*(barHeight+3) + 9, P90: i == 1})
		}
		c.Rows = append(c.Rows, r)
		y += 12 + 2*(barHeight+3) + 12
	}
	c.Height = y
	return c
}

// groundChart draws the refusals by ground, the most frequent first.
func groundChart(grounds []GroundCount, label func(string) string) Chart {
	c := Chart{Width: chartWidth}
	rows := grounds
	if len(rows) > chartMax {
		c.More, rows = len(rows)-chartMax, rows[:chartMax]
	}
	most := 0
	for _, g := range rows {
		most = max(most, g.N)
	}
	y := 8
	for _, g := range rows {
		w := scale(int64(g.N), int64(most))
		c.Rows = append(c.Rows, ChartRow{Label: clip(label(g.Ground), 56), Y: y + 12,
			Bars: []ChartBar{{Y: y + 17, W: w, Text: strconv.Itoa(g.N), TextX: chartLeft + w + 4, TextY: y + 26}}})
		y += 12 + barHeight + 3 + 12
	}
	c.Height = y
	return c
}

// scale is a bar's length: at least one unit, so a short time still shows.
func scale(v, longest int64) int {
	if longest <= 0 {
		return 1
	}
	return max(1, int(v*chartBars/longest))
}

// clip shortens a label that would run off the drawing; the full words
// are in the list beside the chart.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
