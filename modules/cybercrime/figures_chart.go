package cybercrime

import (
	"slices"
	"time"

	"entente.example/entente/internal/web"
)

// chartRows is the most rows a chart draws; the table beside it has them
// all.
const chartRows = 12

// ackChart draws the median and 90th-percentile times to acknowledge of the
// pairs of states with the most requests acknowledged.
func ackChart(states []PairFigures, label func(PairFigures) string, dur func(time.Duration) string) web.Chart {
	states = slices.DeleteFunc(slices.Clone(states), func(p PairFigures) bool { return p.Ack.N == 0 || p.Ack.Hidden })
	slices.SortStableFunc(states, func(a, b PairFigures) int { return b.Ack.N - a.Ack.N })
	rows := make([]web.ChartPair, len(states))
	for i, p := range states {
		rows[i] = web.ChartPair{Label: label(p), A: p.Ack.Median, B: p.Ack.P90}
	}
	return web.PairChart(rows, dur, web.Fit{Max: chartRows})
}

// groundChart draws the refusals by ground, the most frequent first.
func groundChart(grounds []GroundCount, label func(string) string) web.Chart {
	rows := make([]web.ChartCount, len(grounds))
	for i, g := range grounds {
		rows[i] = web.ChartCount{Label: label(g.Ground), N: g.N}
	}
	return web.CountChart(rows, web.Fit{Max: chartRows})
}
