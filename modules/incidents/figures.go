package incidents

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
)

// Count is how many incidents (or responses) have one value: a month
// (2026-10), a vocabulary's value, a year.
type Count struct {
	Key string `json:"key"`
	N   int    `json:"n"`
}

// Delay is the spread of the time from an incident's start to its first
// attribution, over the incidents of one group that were attributed.
// Median and P90 are nearest-rank percentiles: each is a delay some
// incident actually had.
type Delay struct {
	Key    string        `json:"key"`
	N      int           `json:"n"`
	Median time.Duration `json:"-"`
	P90    time.Duration `json:"-"`
}

// Figures are the aggregate figures of the incidents a reader may see:
// counts and delays, never an incident's content. Exercises are never
// counted.
type Figures struct {
	Total int
	// Months run from the earliest start to the latest, a month without
	// incidents included (with 0), so the drawing's gaps are true.
	Months     []Count
	Types      []Count // by the codebook's types (an incident may have several)
	Sectors    []Count // by the sectors of its receivers, once per incident
	Initiators []Count // by initiator category
	Responses  []Count // responses by kind
	// Attributed is how many incidents have an attribution; the delays
	// are by initiator category and by year of start, then over all.
	Attributed  int
	ByInitiator []Delay
	ByYear      []Delay
	AllDelays   Delay
	Now         time.Time
}

// figureRow is the little of an incident the figures read.
type figureRow struct {
	ID        string    `db:"id"`
	Start     time.Time `db:"start_at"`
	Types     string    `db:"types"`
	Receivers string    `db:"receivers"`
	Initiator string    `db:"initiator"`
}

// Figures computes the figures of the incidents the actor may see (the
// same filter as List: access.IncidentFilter), in three queries: the
// incidents' coded columns, their attributions' dates, and their responses
// counted by kind.
func (s *Service) Figures(ctx context.Context) (Figures, error) {
	a := core.ActorFrom(ctx)
	f, args := access.IncidentFilter(access.IncidentReaders(a, s.fed.Host()))
	where := `(` + f + `) AND i.exercise = FALSE`
	out := Figures{Now: s.Now()}
	var rows []figureRow
	if err := s.db.R().Select(ctx, &rows, `SELECT i.id, i.start_at, i.types, i.receivers, i.initiator FROM inc_incidents i WHERE `+where, args...); err != nil {
		return out, core.Wrap("incidents: figures", err)
	}
	var atts []struct {
		IncidentID string    `db:"incident_id"`
		At         time.Time `db:"at"`
	}
	if err := s.db.R().Select(ctx, &atts, `SELECT a.incident_id, a.at FROM inc_attributions a JOIN inc_incidents i ON i.id = a.incident_id WHERE `+where, args...); err != nil {
		return out, core.Wrap("incidents: figures", err)
	}
	var resp []struct {
		Kind string `db:"kind"`
		N    int    `db:"n"`
	}
	if err := s.db.R().Select(ctx, &resp, `SELECT r.kind, COUNT(*) AS n FROM inc_responses r JOIN inc_incidents i ON i.id = r.incident_id WHERE `+where+` GROUP BY r.kind`, args...); err != nil {
		return out, core.Wrap("incidents: figures", err)
	}
	first := make(map[string]time.Time, len(atts))
	for _, x := range atts {
		if t, ok := first[x.IncidentID]; !ok || x.At.Before(t) {
			first[x.IncidentID] = x.At
		}
	}
	for _, r := range resp {
		out.Responses = append(out.Responses, Count{r.Kind, r.N})
	}
	if err := out.add(rows, first); err != nil {
		return out, err
	}
	return out, nil
}

// add counts the rows. Vocabulary counts keep the vocabulary's order
// (types, sectors and categories read best in the codebook's order) and
// leave out what no incident has.
func (f *Figures) add(rows []figureRow, first map[string]time.Time) error {
	types, sectors, inits := map[string]int{}, map[string]int{}, map[string]int{}
	months := map[string]int{}
	delays := map[string][]time.Duration{}
	years := map[string][]time.Duration{}
	var all []time.Duration
	var lo, hi time.Time
	for _, r := range rows {
		var ts []string
		var recv []Receiver
		var ini Initiator
		if err := json.Unmarshal([]byte(r.Types), &ts); err != nil {
			return fmt.Errorf("incidents: figures %s: %w", r.ID, err)
		}
		if err := json.Unmarshal([]byte(r.Receivers), &recv); err != nil {
			return fmt.Errorf("incidents: figures %s: %w", r.ID, err)
		}
		if err := json.Unmarshal([]byte(r.Initiator), &ini); err != nil {
			return fmt.Errorf("incidents: figures %s: %w", r.ID, err)
		}
		f.Total++
		start := r.Start.UTC()
		months[start.Format("2006-01")]++
		if lo.IsZero() || start.Before(lo) {
			lo = start
		}
		if start.After(hi) {
			hi = start
		}
		for _, t := range uniq(ts) {
			types[t]++
		}
		var ss []string
		for _, x := range recv {
			if x.Sector != "" {
				ss = append(ss, x.Sector)
			}
		}
		for _, s := range uniq(ss) {
			sectors[s]++
		}
		cat := cmp.Or(ini.Category, "unknown")
		inits[cat]++
		if at, ok := first[r.ID]; ok {
			// An attribution dated before the start it attributes (a start
			// coded later than first thought) took no time, not less.
			d := max(at.Sub(start), 0)
			delays[cat] = append(delays[cat], d)
			years[start.Format("2006")] = append(years[start.Format("2006")], d)
			all = append(all, d)
		}
	}
	f.Types, f.Sectors, f.Initiators = inOrder(Types, types), inOrder(Sectors, sectors), inOrder(InitiatorCategories, inits)
	f.Responses = inOrder(ResponseKinds, countsMap(f.Responses))
	if f.Total > 0 {
		for m := time.Date(lo.Year(), lo.Month(), 1, 0, 0, 0, 0, time.UTC); !m.After(hi); m = m.AddDate(0, 1, 0) {
			f.Months = append(f.Months, Count{m.Format("2006-01"), months[m.Format("2006-01")]})
		}
	}
	f.Attributed = len(all)
	for _, c := range InitiatorCategories {
		if len(delays[c]) > 0 {
			f.ByInitiator = append(f.ByInitiator, spread(c, delays[c]))
		}
	}
	ys := make([]string, 0, len(years))
	for y := range years {
		ys = append(ys, y)
	}
	slices.Sort(ys)
	for _, y := range ys {
		f.ByYear = append(f.ByYear, spread(y, years[y]))
	}
	if len(all) > 0 {
		f.AllDelays = spread("", all)
	}
	return nil
}

func countsMap(l []Count) map[string]int {
	m := map[string]int{}
	for _, c := range l {
		m[c.Key] += c.N
	}
	return m
}

func inOrder(vocab []string, n map[string]int) []Count {
	var out []Count
	for _, v := range vocab {
		if n[v] > 0 {
			out = append(out, Count{v, n[v]})
		}
	}
	return out
}

func uniq(l []string) []string {
	slices.Sort(l)
	return slices.Compact(l)
}

// spread is the nearest-rank median and 90th percentile of the delays.
func spread(key string, ds []time.Duration) Delay {
	slices.Sort(ds)
	rank := func(p int) time.Duration { return ds[max(0, (len(ds)*p+99)/100-1)] }
	return Delay{Key: key, N: len(ds), Median: rank(50), P90: rank(90)}
}
