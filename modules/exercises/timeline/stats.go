package timeline

import (
	"math"
	"slices"
	"time"
)

// Lateness is how late an inject was sent against its schedule; negative
// means early.
func Lateness(scheduled, actual time.Time) time.Duration {
	return actual.Sub(scheduled)
}

// Stats gives the median and 99th percentile of the lateness figures, by
// nearest rank (a figure that actually occurred, never an interpolation).
// Both are zero for no figures.
func Stats(lates []time.Duration) (p50, p99 time.Duration) {
	if len(lates) == 0 {
		return 0, 0
	}
	s := slices.Clone(lates)
	slices.Sort(s)
	return rank(s, 0.50), rank(s, 0.99)
}

func rank(sorted []time.Duration, p float64) time.Duration {
	i := int(math.Ceil(p*float64(len(sorted)))) - 1
	return sorted[max(i, 0)]
}
