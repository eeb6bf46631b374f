package incidents

import (
	"time"

	"entente.example/entente/internal/web"
)

// The most rows and months the charts draw; the tables beside them and the
// CSV have them all.
const (
	chartRows   = 16
	chartMonths = 36 // the last three years
)

// countChart draws counts as horizontal bars, in the order given.
func countChart(counts []Count, label func(string) string) web.Chart {
	rows := make([]web.ChartCount, len(counts))
	for i, c := range counts {
		rows[i] = web.ChartCount{Label: label(c.Key), N: c.N}
	}
	return web.CountChart(rows, web.Fit{Max: chartRows})
}

// delayChart draws the median and 90th-percentile delays of each group,
// the last groups (the latest years) when there are more.
func delayChart(ds []Delay, label func(string) string, dur func(time.Duration) string) web.Chart {
	rows := make([]web.ChartPair, len(ds))
	for i, d := range ds {
		rows[i] = web.ChartPair{Label: label(d.Key), A: d.Median, B: d.P90}
	}
	return web.PairChart(rows, dur, web.Fit{Max: chartRows, Last: true})
}

// monthChart draws the incidents per month as columns: the last
// chartMonths months.
func monthChart(months []Count, title func(Count) string) web.Chart {
	cols := make([]web.ChartMonth, len(months))
	for i, m := range months {
		cols[i] = web.ChartMonth{Month: m.Key, N: m.N, Title: title(m)}
	}
	return web.MonthChart(cols, web.Fit{Max: chartMonths, Last: true})
}
