package jobs_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"entente.example/entente/internal/jobs"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
)

// flakyMailer fails its first n sends, as a mail server that is down for a
// while does.
type flakyMailer struct {
	mu    sync.Mutex
	fails int
	sent  []notify.Message
	tries int
}

func (m *flakyMailer) Send(_ context.Context, msg notify.Message) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.tries++
	if m.tries <= m.fails {
		return errors.New("421 service not available")
	}
	m.sent = append(m.sent, msg)
	return nil
}

func newQueue(t *testing.T, e storetest.Engine) (*jobs.Queue, *store.DB, *storetest.Clock) {
	clock := storetest.NewClock(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	db := storetest.Open(t, e, clock, jobs.Migrations())
	return jobs.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)), nil), db, clock
}

func enqueue(t *testing.T, q *jobs.Queue, db *store.DB, kind string, payload any, opt jobs.Options) {
	t.Helper()
	if err := db.WithTx(context.Background(), func(tx *store.Tx) error { return q.Enqueue(context.Background(), tx, kind, payload, opt) }); err != nil {
		t.Fatal(err)
	}
}

// drain runs due jobs, moving the clock past each backoff, until none is left
// or limit rounds have passed.
func drain(t *testing.T, q *jobs.Queue, clock *storetest.Clock, limit int) {
	for i := 0; i < limit; i++ {
		did, err := q.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !did {
			clock.Advance(2 * time.Hour) // beyond any backoff
			if did, _ = q.RunOnce(context.Background()); !did {
				return
			}
		}
	}
}

func TestEmailJobRetriesUntilSent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		q, db, clock := newQueue(t, e)
		m := &flakyMailer{fails: 2}
		q.Register(notify.EmailKind(m))
		enqueue(t, q, db, "notify.email", notify.Message{To: "bima@kemlu.test", Subject: "Undangan", Body: "Halo"}, jobs.Options{})

		// First attempt fails; the job waits for its backoff, not run again at once.
		if did, err := q.RunOnce(ctx); !did || err != nil {
			t.Fatalf("first run: %v %v", did, err)
		}
		if did, _ := q.RunOnce(ctx); did {
			t.Fatal("a failed job ran again before its backoff")
		}
		js, _ := q.Recent(ctx, "", 10)
		if len(js) != 1 || js[0].State != jobs.StateQueued || js[0].Attempts != 1 || js[0].LastError == "" || !js[0].RunAt.After(clock.Now()) {
			t.Fatalf("after one failure: %+v", js)
		}
		drain(t, q, clock, 10)
		js, _ = q.Recent(ctx, "", 10)
		if js[0].State != jobs.StateDone || js[0].Attempts != 3 {
			t.Fatalf("final job: %+v", js[0])
		}
		if len(m.sent) != 1 || m.sent[0].To != "bima@kemlu.test" {
			t.Fatalf("sent: %+v", m.sent)
		}
	})
}

func TestJobGivesUpVisibly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		q, db, clock := newQueue(t, e)
		q.Register(jobs.Kind{Name: "always.fails", MaxAttempts: 3, Handle: func(context.Context, []byte) error { panic("handler bug") }})
		enqueue(t, q, db, "always.fails", 1, jobs.Options{})
		drain(t, q, clock, 10)
		counts, _ := q.Counts(ctx)
		if counts[jobs.StateDead] != 1 {
			t.Fatalf("counts = %v; want one dead job", counts)
		}
		js, _ := q.Recent(ctx, jobs.StateDead, 1)
		if js[0].Attempts != 3 || js[0].LastError != "panic: handler bug" {
			t.Fatalf("dead job: %+v", js[0])
		}
		// Pruning keeps dead jobs.
		clock.Advance(30 * 24 * time.Hour)
		q.Prune(ctx, 7*24*time.Hour)
		if counts, _ := q.Counts(ctx); counts[jobs.StateDead] != 1 {
			t.Fatal("prune removed a dead job")
		}
	})
}

func TestPeriodicJobsAreEnqueuedOncePerPeriod(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		q, db, clock := newQueue(t, e)
		runs := 0
		q.Register(jobs.Kind{Name: "tick", Handle: func(context.Context, []byte) error { runs++; return nil }})
		q.Every("tick", 10*time.Minute)
		// Two replicas scheduling in the same period: one job.
		other := jobs.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
		other.Register(jobs.Kind{Name: "tick", Handle: func(context.Context, []byte) error { runs++; return nil }})
		other.Every("tick", 10*time.Minute)
		for i := 0; i < 3; i++ {
			if err := q.EnqueuePeriodic(ctx); err != nil {
				t.Fatal(err)
			}
			if err := other.EnqueuePeriodic(ctx); err != nil {
				t.Fatal(err)
			}
		}
		for {
			did, err := q.RunOnce(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !did {
				break
			}
		}
		clock.Advance(10 * time.Minute)
		q.EnqueuePeriodic(ctx)
		q.RunOnce(ctx)
		if runs != 2 {
			t.Fatalf("runs = %d; want one per period", runs)
		}
	})
}

func TestEnqueueIsTransactional(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		q, db, _ := newQueue(t, e)
		q.Register(jobs.Kind{Name: "x", Handle: func(context.Context, []byte) error { return nil }})
		db.WithTx(ctx, func(tx *store.Tx) error {
			q.Enqueue(ctx, tx, "x", nil, jobs.Options{})
			return errors.New("the change failed")
		})
		if counts, _ := q.Counts(ctx); len(counts) != 0 {
			t.Fatalf("a job from a rolled-back transaction exists: %v", counts)
		}
		if err := db.WithTx(ctx, func(tx *store.Tx) error { return q.Enqueue(ctx, tx, "unknown.kind", nil, jobs.Options{}) }); err == nil {
			t.Fatal("unknown kind enqueued")
		}
	})
}
