// Package jobs runs durable background work on either engine: a job is a row
// enqueued in the same transaction as the change that caused it, claimed by a
// worker, retried with exponential backoff, and kept as "dead" when it runs out
// of attempts, never dropped. Periodic jobs are enqueued once per period even
// with several replicas, through a unique key.
//
// We use our own table rather than River: River's SQLite driver wants a single
// connection and deadlocks when code touches the pool while a job holds the
// transaction, its defaults (25 attempts over three weeks) suit neither
// federation nor e-mail, and completed jobs vanish after a day. A small table we
// can read in SQL and show to administrators is simpler to trust.
package jobs

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"entente.example/entente/core"
	"entente.example/entente/internal/store"
)

//go:embed schema/*.sql
var schemaFS embed.FS

// Migrations returns the jobs schema.
func Migrations() store.Migrations { return store.Embedded("jobs", schemaFS) }

// Job states.
const (
	StateQueued  = "queued"
	StateRunning = "running"
	StateDone    = "done"
	StateDead    = "dead"
)

// Kind describes one kind of job.
type Kind struct {
	Name        string
	MaxAttempts int                             // default 8
	Timeout     time.Duration                   // per attempt; default 30 s
	Backoff     func(attempt int) time.Duration // default exponential from 5 s, capped at 1 h, with jitter
	Handle      func(ctx context.Context, payload []byte) error
}

// Job is a row of the queue.
type Job struct {
	ID          string     `db:"id"`
	Kind        string     `db:"kind"`
	Payload     string     `db:"payload"`
	State       string     `db:"state"`
	Attempts    int        `db:"attempts"`
	MaxAttempts int        `db:"max_attempts"`
	RunAt       time.Time  `db:"run_at"`
	LastError   string     `db:"last_error"`
	CreatedAt   time.Time  `db:"created_at"`
	FinishedAt  *time.Time `db:"finished_at"`
}

type periodic struct {
	kind  string
	every time.Duration
	last  time.Time // the slot last enqueued by this process
}

// Queue enqueues and runs jobs.
type Queue struct {
	db       *store.DB
	log      *slog.Logger
	kinds    map[string]Kind
	periodic []periodic
	wake     chan struct{}
	// Workers is how many jobs run at once in this process.
	Workers int
	// Poll is how often idle workers look for due jobs.
	Poll time.Duration

	processed *prometheus.CounterVec
	duration  *prometheus.HistogramVec
}

// New returns a queue; reg may be nil.
func New(db *store.DB, log *slog.Logger, reg prometheus.Registerer) *Queue {
	q := &Queue{db: db, log: log, kinds: map[string]Kind{}, wake: make(chan struct{}, 1), Workers: 2, Poll: time.Second,
		processed: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "entente_jobs_processed_total", Help: "Job attempts by kind and result."}, []string{"kind", "result"}),
		duration:  prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "entente_job_duration_seconds", Help: "Job attempt duration by kind."}, []string{"kind"}),
	}
	if reg != nil {
		reg.MustRegister(q.processed, q.duration)
	}
	return q
}

// Register adds a kind. Registering after Run has started is a programming error.
func (q *Queue) Register(k Kind) {
	if k.MaxAttempts <= 0 {
		k.MaxAttempts = 8
	}
	if k.Timeout <= 0 {
		k.Timeout = 30 * time.Second
	}
	if k.Backoff == nil {
		k.Backoff = DefaultBackoff
	}
	q.kinds[k.Name] = k
}

// Every schedules kind to run once per period (on one replica).
func (q *Queue) Every(kind string, every time.Duration) {
	q.periodic = append(q.periodic, periodic{kind: kind, every: every})
}

// DefaultBackoff waits 5 s × 2^(attempt-1), capped at one hour, ±20 % jitter so
// that jobs failing together do not retry together.
func DefaultBackoff(attempt int) time.Duration {
	d := 5 * time.Second * time.Duration(math.Pow(2, float64(attempt-1)))
	if d > time.Hour || d <= 0 {
		d = time.Hour
	}
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

// Options tune one enqueue.
type Options struct {
	RunAt     time.Time // default: now
	UniqueKey string    // if set, a second job with the same key is not enqueued
}

// Enqueue adds a job inside tx, so it exists exactly when the change that
// caused it commits. Workers are woken after the commit.
func (q *Queue) Enqueue(ctx context.Context, tx *store.Tx, kind string, payload any, opt Options) error {
	k, ok := q.kinds[kind]
	if !ok {
		return fmt.Errorf("jobs: enqueue: unknown kind %q", kind)
	}
	b, err := json.Marshal(payload)
	if err != nil {
		return fmt.Errorf("jobs: enqueue %s: %w", kind, err)
	}
	runAt := opt.RunAt
	if runAt.IsZero() {
		runAt = tx.Now
	}
	var uk any
	if opt.UniqueKey != "" {
		uk = opt.UniqueKey
	}
	if _, err := tx.Exec(ctx, `INSERT INTO jobs (id, kind, payload, unique_key, state, max_attempts, run_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (unique_key) DO NOTHING`,
		core.NewID(tx.Now), kind, string(b), uk, StateQueued, k.MaxAttempts, runAt.UTC(), tx.Now); err != nil {
		return core.Wrap("jobs: enqueue "+kind, err)
	}
	tx.AfterCommit(q.Wake)
	// A job due before the next poll (a batch gathered for a fraction of a
	// second) is woken for when it is due, not a poll later.
	if d := runAt.Sub(tx.Now); d > 0 && d < q.Poll {
		tx.AfterCommit(func() { time.AfterFunc(d, q.Wake) })
	}
	return nil
}

// Wake nudges idle workers to look for work now.
func (q *Queue) Wake() {
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// Run works until ctx is done, then waits for running jobs to finish.
func (q *Queue) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for i := 0; i < q.Workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTicker(q.Poll)
			defer t.Stop()
			for {
				for {
					did, err := q.RunOnce(context.WithoutCancel(ctx))
					if err != nil {
						q.log.Error("jobs: run", "err", err)
					}
					if !did || ctx.Err() != nil {
						break
					}
				}
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				case <-q.wake:
				}
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		q.schedule(ctx)
	}()
	wg.Wait()
}

// schedule enqueues periodic jobs at the start of each period.
func (q *Queue) schedule(ctx context.Context) {
	t := time.NewTicker(q.Poll)
	defer t.Stop()
	for {
		if err := q.EnqueuePeriodic(ctx); err != nil {
			q.log.Error("jobs: schedule", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// EnqueuePeriodic enqueues each periodic kind for the current period unless a
// replica already has.
func (q *Queue) EnqueuePeriodic(ctx context.Context) error {
	// Only a new period costs a write: SQLite has one writer, and the
	// scheduler looks every second.
	now := q.db.Clock().Now()
	due := false
	for _, p := range q.periodic {
		due = due || !now.Truncate(p.every).Equal(p.last)
	}
	if !due {
		return nil
	}
	return q.db.WithTx(ctx, func(tx *store.Tx) error {
		for i, p := range q.periodic {
			slot := tx.Now.Truncate(p.every)
			if slot.Equal(p.last) {
				continue
			}
			key := fmt.Sprintf("periodic:%s:%d", p.kind, slot.Unix())
			if err := q.Enqueue(ctx, tx, p.kind, struct{}{}, Options{RunAt: slot, UniqueKey: key}); err != nil {
				return err
			}
			tx.AfterCommit(func() { q.periodic[i].last = slot })
		}
		return nil
	})
}

var claimSQL = map[store.Engine]string{
	store.SQLite: `UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_until = ?
		WHERE id = (SELECT id FROM jobs WHERE (state = 'queued' AND run_at <= ?) OR (state = 'running' AND locked_until <= ? AND attempts < max_attempts) ORDER BY run_at LIMIT 1)
		RETURNING id, kind, payload, state, attempts, max_attempts, run_at, last_error, created_at, finished_at`,
	// SKIP LOCKED lets replicas claim different jobs without waiting on each other.
	store.Postgres: `UPDATE jobs SET state = 'running', attempts = attempts + 1, locked_until = ?
		WHERE id = (SELECT id FROM jobs WHERE (state = 'queued' AND run_at <= ?) OR (state = 'running' AND locked_until <= ? AND attempts < max_attempts) ORDER BY run_at LIMIT 1 FOR UPDATE SKIP LOCKED)
		RETURNING id, kind, payload, state, attempts, max_attempts, run_at, last_error, created_at, finished_at`,
}

// RunOnce claims one due job and runs it. It reports whether there was one.
func (q *Queue) RunOnce(ctx context.Context) (bool, error) {
	var j Job
	var found bool
	err := q.db.WithTx(ctx, func(tx *store.Tx) error {
		// A job whose worker died is claimable again once its lock expires; the
		// lock is generous so a slow attempt is not run twice.
		err := tx.Get(ctx, &j, claimSQL[q.db.Engine], tx.Now.Add(10*time.Minute), tx.Now, tx.Now)
		if core.KindOf(err) == core.KindNotFound {
			return nil
		}
		found = err == nil
		return err
	})
	if err != nil || !found {
		return false, err
	}
	k, ok := q.kinds[j.Kind]
	var runErr error
	start := time.Now()
	if !ok {
		runErr = fmt.Errorf("no handler for kind %q", j.Kind)
	} else {
		actx, cancel := context.WithTimeout(ctx, k.Timeout)
		runErr = safeHandle(actx, k, []byte(j.Payload))
		cancel()
	}
	q.duration.WithLabelValues(j.Kind).Observe(time.Since(start).Seconds())
	return true, q.finish(ctx, j, k, runErr)
}

func safeHandle(ctx context.Context, k Kind, payload []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	return k.Handle(ctx, payload)
}

func (q *Queue) finish(ctx context.Context, j Job, k Kind, runErr error) error {
	return q.db.WithTx(ctx, func(tx *store.Tx) error {
		if runErr == nil {
			q.processed.WithLabelValues(j.Kind, "done").Inc()
			// A done job's payload is not needed any more and may hold secrets
			// (an invitation link): keep the record, drop the payload.
			_, err := tx.Exec(ctx, `UPDATE jobs SET state = 'done', payload = '{}', finished_at = ?, locked_until = NULL WHERE id = ?`, tx.Now, j.ID)
			return core.Wrap("jobs: finish", err)
		}
		msg := runErr.Error()
		if len(msg) > 1000 {
			msg = msg[:1000]
		}
		if j.Attempts >= j.MaxAttempts || k.Handle == nil {
			q.processed.WithLabelValues(j.Kind, "dead").Inc()
			q.log.Error("jobs: gave up", "kind", j.Kind, "id", j.ID, "attempts", j.Attempts, "err", runErr)
			_, err := tx.Exec(ctx, `UPDATE jobs SET state = 'dead', last_error = ?, finished_at = ?, locked_until = NULL WHERE id = ?`, msg, tx.Now, j.ID)
			return core.Wrap("jobs: finish", err)
		}
		q.processed.WithLabelValues(j.Kind, "retry").Inc()
		q.log.Warn("jobs: will retry", "kind", j.Kind, "id", j.ID, "attempt", j.Attempts, "err", runErr)
		_, err := tx.Exec(ctx, `UPDATE jobs SET state = 'queued', last_error = ?, run_at = ?, locked_until = NULL WHERE id = ?`, msg, tx.Now.Add(k.Backoff(j.Attempts)), j.ID)
		return core.Wrap("jobs: finish", err)
	})
}

// Counts returns how many jobs are in each state, for /metrics and the admin page.
func (q *Queue) Counts(ctx context.Context) (map[string]int, error) {
	var rows []struct {
		State string `db:"state"`
		N     int    `db:"n"`
	}
	if err := q.db.R().Select(ctx, &rows, `SELECT state, COUNT(*) AS n FROM jobs GROUP BY state`); err != nil {
		return nil, core.Wrap("jobs: counts", err)
	}
	out := map[string]int{}
	for _, r := range rows {
		out[r.State] = r.N
	}
	return out, nil
}

// Recent returns the newest jobs of a state ("" for all), for administrators.
func (q *Queue) Recent(ctx context.Context, state string, limit int) ([]Job, error) {
	var js []Job
	err := q.db.R().Select(ctx, &js, `SELECT id, kind, payload, state, attempts, max_attempts, run_at, last_error, created_at, finished_at FROM jobs
		WHERE (? = '' OR state = ?) ORDER BY id DESC LIMIT ?`, state, state, limit)
	return js, core.Wrap("jobs: recent", err)
}

// Prune deletes finished jobs older than age; dead jobs stay until an
// administrator has seen them.
func (q *Queue) Prune(ctx context.Context, age time.Duration) (int64, error) {
	var n int64
	err := q.db.WithTx(ctx, func(tx *store.Tx) error {
		// A job whose worker died on its last attempt (it may be what kills
		// the process) is not tried again: the claim skips it, and here it
		// is declared dead, for an administrator to see.
		if _, err := tx.Exec(ctx, `UPDATE jobs SET state = 'dead', last_error = 'the worker stopped during the last attempt', finished_at = ?, locked_until = NULL
			WHERE state = 'running' AND locked_until <= ? AND attempts >= max_attempts`, tx.Now, tx.Now); err != nil {
			return core.Wrap("jobs: prune", err)
		}
		var err error
		n, err = tx.Exec(ctx, `DELETE FROM jobs WHERE state = 'done' AND finished_at <= ?`, tx.Now.Add(-age))
		return core.Wrap("jobs: prune", err)
	})
	return n, err
}

// DepthCollector reports how many jobs are in each state, read from the
// database at scrape time so every replica reports the shared queue.
func (q *Queue) DepthCollector() prometheus.Collector { return depthCollector{q} }

type depthCollector struct{ q *Queue }

var depthDesc = prometheus.NewDesc("entente_jobs", "Jobs in the queue by state.", []string{"state"}, nil)

func (c depthCollector) Describe(ch chan<- *prometheus.Desc) { ch <- depthDesc }

func (c depthCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	counts, err := c.q.Counts(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(depthDesc, err)
		return
	}
	for _, st := range []string{StateQueued, StateRunning, StateDone, StateDead} {
		ch <- prometheus.MustNewConstMetric(depthDesc, prometheus.GaugeValue, float64(counts[st]), st)
	}
}
