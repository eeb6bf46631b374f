package capacity

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/store"
)

// importBatch is how many observations one INSERT carries: fewer round
// trips, and well under PostgreSQL's 65,535 parameters.
const importBatch = 200

// ImportIndicators stores the observations of a CSV file for the actor's
// organisation org (its handle; empty when the actor writes for one
// organisation only). Indicators the node does not know are defined by the
// file's name, name_id, better and topic columns. An observation of an
// indicator, country and year already stored replaces it. If any line is
// refused, nothing is stored and the error is an *ImportRefused with
// every problem.
func (s *Service) ImportIndicators(ctx context.Context, org string, data []byte) (ImportResult, error) {
	a := core.ActorFrom(ctx)
	if err := access.Check(a, access.CapacityWrite, access.Resource{}); err != nil {
		return ImportResult{}, err
	}
	if w := Writable(a); org == "" && len(w) == 1 {
		org = w[0].Handle
	}
	o, ok := writerOrg(a, org)
	if !ok {
		return ImportResult{}, core.Problems{"org": "err.org_unknown"}.Err("capacity: import indicators")
	}
	rows, ref := ParseIndicatorCSV(data)
	if ref != nil {
		return ImportResult{}, ref
	}
	var res ImportResult
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		known, err := indicatorsIn(ctx, tx.Conn, codesOf(rows))
		if err != nil {
			return err
		}
		ref := &ImportRefused{}
		for _, r := range rows {
			ind, ok := known[r.Obs.Indicator]
			switch {
			case !ok && r.Def.Name.En == "":
				ref.add(r.Line, "name", "err.ind_unknown", r.Obs.Indicator)
			case ok && ind.Unit != r.Obs.Unit:
				ref.add(r.Line, "unit", "err.ind_unit", ind.Unit)
			}
		}
		if ref.Count > 0 {
			return ref
		}
		for _, code := range codesOf(rows) {
			r := rows[slices.IndexFunc(rows, func(r ImportRow) bool { return r.Obs.Indicator == code })]
			if _, ok := known[code]; ok && r.Def.Name.En == "" {
				continue
			}
			d := r.Def
			if _, err := tx.Exec(ctx, `INSERT INTO cap_indicators (code, name_en, name_id, unit, higher_better, topic, org_id, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET name_en = excluded.name_en, name_id = excluded.name_id,
				higher_better = excluded.higher_better, topic = excluded.topic, updated_at = excluded.updated_at`,
				code, d.Name.En, d.Name.ID, r.Obs.Unit, d.HigherBetter, d.Topic, o.ID, tx.Now, tx.Now); err != nil {
				return core.Wrap("capacity: define indicator", err)
			}
		}
		for start := 0; start < len(rows); start += importBatch {
			batch := rows[start:min(start+importBatch, len(rows))]
			n, err := existing(ctx, tx, batch)
			if err != nil {
				return err
			}
			res.Replaced += n
			if err := insertObservations(ctx, tx, batch, o.ID); err != nil {
				return err
			}
		}
		if err := raiseLatest(ctx, tx, rows); err != nil {
			return err
		}
		res.Rows, res.Indicators = len(rows), codesOf(rows)
		for _, r := range rows {
			if !slices.Contains(res.Countries, r.Obs.Country) {
				res.Countries = append(res.Countries, r.Obs.Country)
			}
		}
		slices.Sort(res.Countries)
		return audit.Record(ctx, tx, "capacity.indicators.import", "cap_indicators", "", o.ID,
			fmt.Sprintf("%d rows (%d replaced) of %s", res.Rows, res.Replaced, strings.Join(res.Indicators, ", ")))
	})
	if err != nil {
		return ImportResult{}, err
	}
	return res, nil
}

func codesOf(rows []ImportRow) []string {
	var out []string
	for _, r := range rows {
		if !slices.Contains(out, r.Obs.Indicator) {
			out = append(out, r.Obs.Indicator)
		}
	}
	slices.Sort(out)
	return out
}

// existing counts the rows of batch already stored: those the import
// replaces.
func existing(ctx context.Context, tx *store.Tx, batch []ImportRow) (int, error) {
	var q strings.Builder
	args := make([]any, 0, 3*len(batch))
	q.WriteString(`SELECT COUNT(*) FROM cap_observations WHERE (indicator, country, year) IN (`)
	for i, r := range batch {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString("(?, ?, ?)")
		args = append(args, r.Obs.Indicator, r.Obs.Country, r.Obs.Year)
	}
	q.WriteString(")")
	var n int
	if err := tx.Get(ctx, &n, q.String(), args...); err != nil {
		return 0, core.Wrap("capacity: import indicators: count replaced", err)
	}
	return n, nil
}

func insertObservations(ctx context.Context, tx *store.Tx, batch []ImportRow, orgID string) error {
	var q strings.Builder
	args := make([]any, 0, 10*len(batch))
	q.WriteString(`INSERT INTO cap_observations (indicator, country, year, value, value_text, unit, source, note, org_id, imported_at) VALUES `)
	for i, r := range batch {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
		o := r.Obs
		args = append(args, o.Indicator, o.Country, o.Year, o.Value, o.Text, o.Unit, o.Source, o.Note, orgID, tx.Now)
	}
	q.WriteString(` ON CONFLICT (indicator, country, year) DO UPDATE SET value = excluded.value, value_text = excluded.value_text, unit = excluded.unit,
		source = excluded.source, note = excluded.note, org_id = excluded.org_id, imported_at = excluded.imported_at`)
	if _, err := tx.Exec(ctx, q.String(), args...); err != nil {
		return core.Wrap("capacity: import indicators: insert", err)
	}
	return nil
}

// raiseLatest keeps each country's latest value per indicator: a row of
// the file for a year at least as late as the stored latest one takes its
// place. An import only adds or replaces values, never removes one, so the
// file's latest row of each indicator and country is all it needs to
// look at.
func raiseLatest(ctx context.Context, tx *store.Tx, rows []ImportRow) error {
	latest := map[[2]string]Observation{}
	var keys [][2]string
	for _, r := range rows {
		k := [2]string{r.Obs.Indicator, r.Obs.Country}
		o, ok := latest[k]
		if !ok {
			keys = append(keys, k)
		}
		if !ok || r.Obs.Year > o.Year {
			latest[k] = r.Obs
		}
	}
	for start := 0; start < len(keys); start += importBatch {
		var q strings.Builder
		var args []any
		q.WriteString(`INSERT INTO cap_indicator_latest (indicator, country, year, value) VALUES `)
		for i, k := range keys[start:min(start+importBatch, len(keys))] {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteString("(?, ?, ?, ?)")
			o := latest[k]
			args = append(args, o.Indicator, o.Country, o.Year, o.Value)
		}
		q.WriteString(` ON CONFLICT (indicator, country) DO UPDATE SET year = excluded.year, value = excluded.value
			WHERE excluded.year >= cap_indicator_latest.year`)
		if _, err := tx.Exec(ctx, q.String(), args...); err != nil {
			return core.Wrap("capacity: import indicators: latest", err)
		}
	}
	return nil
}

func placeholders(vals []string) (string, []any) {
	args := make([]any, len(vals))
	for i, v := range vals {
		args[i] = v
	}
	return strings.TrimSuffix(strings.Repeat("?, ", len(vals)), ", "), args
}

type indicatorRow struct {
	Code         string    `db:"code"`
	NameEn       string    `db:"name_en"`
	NameID       string    `db:"name_id"`
	Unit         string    `db:"unit"`
	HigherBetter bool      `db:"higher_better"`
	Topic        string    `db:"topic"`
	Countries    int       `db:"countries"`
	UpdatedAt    time.Time `db:"updated_at"`
}

// indicatorsIn returns the stored indicators among codes, by code.
func indicatorsIn(ctx context.Context, c store.Conn, codes []string) (map[string]Indicator, error) {
	out := map[string]Indicator{}
	if len(codes) == 0 {
		return out, nil
	}
	in, args := placeholders(codes)
	list, err := selectIndicators(ctx, c, `WHERE i.code IN (`+in+`)`, args...)
	for _, i := range list {
		out[i.Code] = i
	}
	return out, err
}
