package publicdiplomacy

import (
	"time"

	"entente.example/entente/internal/web"
)

// The charts of the web-care figures and of reach, laid out for the shared
// partial "chart" (web.Chart): bars of counts and of response times, and a
// day-by-day series drawn as columns. Each page puts a table of the same
// values beside its chart.

// chartRows is the most rows a bar chart draws; chartWeeks the most weeks.
const (
	chartRows  = 16
	chartWeeks = 16
)

// countBars draws labelled counts as horizontal bars, in the order given.
func countBars(labels []string, counts []int) web.Chart {
	rows := make([]web.ChartCount, len(labels))
	for i := range labels {
		rows[i] = web.ChartCount{Label: labels[i], N: counts[i]}
	}
	return web.CountChart(rows, web.Fit{Max: chartRows})
}

// timeBars draws the median and 90th percentile of each group that had an
// answer; last keeps the latest groups when there are more (weeks).
func timeBars(ts []ResponseTimes, label func(string) string, dur func(time.Duration) string, max int, last bool) web.Chart {
	var rows []web.ChartPair
	for _, t := range ts {
		if t.Answered > 0 {
			rows = append(rows, web.ChartPair{Label: label(t.Key), A: t.Median, B: t.P90})
		}
	}
	return web.PairChart(rows, dur, web.Fit{Max: max, Last: last})
}

// Layout of a series, in the units of web.Chart's drawing.
const (
	seriesWidth   = 360
	seriesLeft    = 6
	seriesTop     = 8
	seriesHeight  = 120
	seriesColumns = 116 // at most: three units each on 348
	seriesLabelW  = 64  // room a date label takes
)

// seriesChart draws a count per day as columns, from zero, the tallest
// full height. A long period is drawn a column per few days (the count at
// the end of the last of them); the first column and the first of each
// month that has room are labelled with label(day).
func seriesChart(days []DayCount, label func(time.Time) string, title func(DayCount) string) web.Chart {
	c := web.Chart{Width: seriesWidth, Height: seriesTop + seriesHeight + 22, Axis: seriesTop + seriesHeight}
	if len(days) == 0 {
		return c
	}
	per := (len(days) + seriesColumns - 1) / seriesColumns
	var cols []DayCount
	var firsts []time.Time // the first day each column covers
	for i := 0; i < len(days); i += per {
		j := min(i+per, len(days)) - 1
		cols = append(cols, days[j])
		firsts = append(firsts, days[i].Day)
	}
	most := 0
	for _, d := range cols {
		most = max(most, d.N)
	}
	step := (seriesWidth - 2*seriesLeft) / len(cols)
	w := max(1, step-1)
	lastLabel := -seriesLabelW
	for k, d := range cols {
		h := 0
		if d.N > 0 {
			h = max(1, d.N*seriesHeight/most)
		}
		x := seriesLeft + k*step
		col := web.ChartColumn{X: x, Y: seriesTop + seriesHeight - h, W: w, H: h, LabelY: seriesTop + seriesHeight + 14, Title: title(d)}
		monthStarts := firsts[k].Day() == 1 || firsts[k].Month() != d.Day.Month()
		if (k == 0 || monthStarts) && x-lastLabel >= seriesLabelW && x+seriesLabelW/2 <= seriesWidth {
			day := firsts[k]
			if k > 0 && firsts[k].Day() != 1 {
				day = time.Date(d.Day.Year(), d.Day.Month(), 1, 0, 0, 0, 0, time.UTC)
			}
			col.Label = label(day)
			lastLabel = x
		}
		c.Columns = append(c.Columns, col)
	}
	return c
}
