package aar

import (
	"fmt"
	"time"

	"entente.example/entente/modules/exercises/timeline"
)

// Comparison is one organisation's figures (or the whole run's, when Org
// is empty) across several runs of the same scenario, one Figures per run
// in the order the reports were given.
type Comparison struct {
	Org  string    `json:"org,omitempty"`
	Runs []Figures `json:"runs"`
}

// Figures are one organisation's or one run's figures in a comparison.
// Played is false when the organisation took no part in that run.
type Figures struct {
	Started  time.Time `json:"started"`
	Played   bool      `json:"played"`
	Answered int       `json:"answered"`
	Median   Seconds   `json:"median_seconds"`
	Met      int       `json:"met"`
	Expected int       `json:"expected"`
	// Share is Met over Expected, zero when nothing was expected.
	Share float64 `json:"share"`
}

// Compare sets runs of one scenario side by side: the whole run first,
// then each organisation by address. It refuses reports of different
// scenarios, whose figures would not measure the same thing.
func Compare(reports ...Report) ([]Comparison, error) {
	for _, r := range reports[min(1, len(reports)):] {
		if r.ScenarioID != reports[0].ScenarioID {
			return nil, fmt.Errorf("aar: compare: runs of scenarios %q and %q", reports[0].ScenarioID, r.ScenarioID)
		}
	}
	orgs := map[string]bool{}
	for _, r := range reports {
		for _, t := range r.OrgTotals {
			orgs[t.Org] = true
		}
	}
	out := []Comparison{{Runs: []Figures{}}}
	for _, r := range reports {
		f := Figures{Started: r.Started, Played: len(r.Pairs) > 0, Answered: r.Overall.Count, Median: r.Overall.P50}
		for _, t := range r.OrgTotals {
			f.Met += t.Met
			f.Expected += t.Expected
		}
		out[0].Runs = append(out[0].Runs, f.withShare())
	}
	for _, org := range sortedKeys(orgs) {
		c := Comparison{Org: org, Runs: []Figures{}}
		for _, r := range reports {
			f := Figures{Started: r.Started}
			var ds []time.Duration
			for _, p := range r.Pairs {
				if p.Org != org {
					continue
				}
				f.Played = true
				f.Met += p.Met
				f.Expected += p.Expected
				if p.ResponseTime != nil {
					ds = append(ds, p.ResponseTime.Std())
				}
			}
			med, _ := timeline.Stats(ds)
			f.Answered, f.Median = len(ds), Seconds(med)
			c.Runs = append(c.Runs, f.withShare())
		}
		out = append(out, c)
	}
	return out, nil
}

func (f Figures) withShare() Figures {
	if f.Expected > 0 {
		f.Share = float64(f.Met) / float64(f.Expected)
	}
	return f
}
