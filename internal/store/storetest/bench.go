package storetest

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"entente.example/entente/internal/store"
)

// Insert stores rows (each one value per column of cols, in order) into
// table in multi-row INSERTs, for a benchmark that seeds more rows than a
// service would record in an hour. A statement holds at most 500 rows and
// 32,000 values, under both engines' limits on parameters (SQLite's 32,766,
// PostgreSQL's 65,535).
func Insert(ctx context.Context, tx *store.Tx, table, cols string, rows [][]any) error {
	k := strings.Count(cols, ",") + 1
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", k), ",") + ")"
	per := min(500, max(1, 32_000/k))
	for len(rows) > 0 {
		batch := rows[:min(per, len(rows))]
		rows = rows[len(batch):]
		args := make([]any, 0, len(batch)*k)
		for _, r := range batch {
			args = append(args, r...)
		}
		q := `INSERT INTO ` + table + ` (` + cols + `) VALUES ` + strings.TrimSuffix(strings.Repeat(one+",", len(batch)), ",")
		if _, err := tx.Exec(ctx, q, args...); err != nil {
			return err
		}
	}
	return nil
}

// Percentiles runs f b.N times and reports the median and 99th percentile
// of its durations (p50-ms, p99-ms): what a reader waits, which a mean
// over the runs hides.
func Percentiles(b *testing.B, f func() error) {
	var ds []time.Duration
	for b.Loop() {
		t0 := time.Now()
		if err := f(); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(t0))
	}
	slices.Sort(ds)
	b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(ds[len(ds)*99/100].Microseconds())/1000, "p99-ms")
}
