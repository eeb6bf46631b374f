package incidents

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
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
		// The columns are the service's own JSON (encode), so the values
		// are read where they stand rather than decoded whole: decoding
		// was a quarter of the time at 50,000 incidents.
		ts, ok := jsonStrings(r.Types, `"`)
		ss, ok2 := jsonStrings(r.Receivers, `"sector":"`)
		cats, ok3 := jsonStrings(r.Initiator, `"category":"`)
		if !ok || !ok2 || !ok3 {
			return fmt.Errorf("incidents: figures %s: a coded column is not the service's JSON", r.ID)
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
		for _, s := range uniq(ss) {
			if s != "" {
				sectors[s]++
			}
		}
		cat := "unknown"
		if len(cats) > 0 && cats[0] != "" {
			cat = cats[0]
		}
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

// jsonStrings returns the strings that follow each occurrence of prefix
// in the JSON text s, up to their closing quote. The vocabularies' values
// hold no quote nor backslash; a value that does (a name, which prefix
// never precedes, or a sector a peer sent outside the vocabulary) is
// decoded as JSON. ok is false when a string does not end.
func jsonStrings(s, prefix string) (out []string, ok bool) {
	for {
		i := strings.Index(s, prefix)
		if i < 0 {
			return out, true
		}
		s = s[i+len(prefix):]
		j := strings.IndexByte(s, '"')
		if j < 0 {
			return out, false
		}
		v := s[:j]
		if strings.IndexByte(v, '\\') >= 0 {
			// An escaped quote or character: find the string's true end.
			var dec string
			d := json.NewDecoder(strings.NewReader(`"` + s))
			if err := d.Decode(&dec); err != nil {
				return out, false
			}
			v, j = dec, int(d.InputOffset())-2
		}
		out = append(out, v)
		s = s[j+1:]
		if prefix == `"` {
			// In a list of strings the next one starts after a comma.
			s = strings.TrimLeft(s, ", ")
			if !strings.HasPrefix(s, `"`) {
				return out, true
			}
		}
	}
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
	return Delay{Key: key, N: len(ds), Median: web.Percentile(ds, 50), P90: web.Percentile(ds, 90)}
}

// figureCache keeps computed figures for ttl per reader's scope (the
// organisations whose reading decides what is counted), so a dashboard
// read by many computes once a minute; concurrent asks wait for the one
// computation. At 50,000 incidents a computation reads some 40,000 rows
// (docs/performance.md).
type figureCache struct {
	svc  *Service
	memo *web.Memo[Figures]
}

// figureCacheSize bounds the entries: the scopes asked for within a minute
// on one node are few.
const figureCacheSize = 256

func newFigureCache(s *Service, ttl time.Duration) *figureCache {
	return &figureCache{svc: s, memo: web.NewMemo[Figures](ttl, figureCacheSize, s.Now)}
}

// Figures returns the figures as Service.Figures does, computed at most ttl
// ago for the same scope.
func (c *figureCache) Figures(ctx context.Context) (Figures, error) {
	ids, _ := access.IncidentReaders(core.ActorFrom(ctx), c.svc.Host())
	ids = slices.Clone(ids)
	slices.Sort(ids)
	key := strings.Join(ids, ",")
	return c.memo.Get(key, func() (Figures, error) { return c.svc.Figures(ctx) })
}
