package timeline

import (
	"fmt"
	"slices"
	"testing"
	"testing/quick"
	"time"
)

// reader turns fuzz bytes into small numbers, yielding zeros when empty.
type reader []byte

func (r *reader) next() int {
	if len(*r) == 0 {
		return 0
	}
	b := (*r)[0]
	*r = (*r)[1:]
	return int(b)
}

// decodeRun builds a run from bytes. Events may be invalid or out of order
// on purpose: the functions must stay total and keep their properties.
func decodeRun(data []byte) (events []Event, items []Item, changes []Change, sent map[string]bool, now time.Time) {
	r := reader(data)
	kinds := []Kind{KindStart, KindPause, KindResume, KindStop, KindSpeed, "bogus"}
	wall := t0
	for range r.next() % 14 {
		b := r.next()
		wall = wall.Add(time.Duration(b%8) * time.Minute).Add(time.Duration(r.next()%60) * time.Second)
		e := Event{At: wall, Kind: kinds[b%6]}
		if e.Kind == KindSpeed || b&0x80 != 0 {
			e.Speed = float64(r.next()%45) * 0.5
		}
		if b&0x40 != 0 { // out of order
			e.At = e.At.Add(-5 * time.Minute)
		}
		events = append(events, e)
	}
	for range r.next() % 10 {
		items = append(items, Item{Key: fmt.Sprintf("k%d", r.next()%8), Offset: time.Duration(r.next()%50) * 30 * time.Second})
	}
	for range r.next() % 4 {
		changes = append(changes, Change{
			At:     t0.Add(time.Duration(r.next()%40) * time.Minute),
			Key:    fmt.Sprintf("k%d", r.next()%10),
			Offset: time.Duration(r.next()%50) * 30 * time.Second,
		})
	}
	sent = map[string]bool{}
	bits := r.next()
	for i := range 8 {
		if bits&(1<<i) != 0 {
			sent[fmt.Sprintf("k%d", i)] = true
		}
	}
	now = t0.Add(time.Duration(r.next()%70)*time.Minute + time.Duration(r.next()%60)*time.Second)
	return
}

// checkDue asserts the properties of Due and Next on one decoded run.
func checkDue(t *testing.T, data []byte) {
	t.Helper()
	events, items, changes, sent, now := decodeRun(data)
	el, st := Elapsed(events, now)
	got := Due(events, items, changes, sent, now)
	if again := Due(events, items, changes, sent, now); !slices.Equal(got, again) {
		t.Fatalf("not idempotent: %v vs %v", got, again)
	}
	inDue := map[string]bool{}
	for i, d := range got {
		switch {
		case sent[d.Key]:
			t.Fatalf("sent key %s returned", d.Key)
		case inDue[d.Key]:
			t.Fatalf("key %s returned twice", d.Key)
		case d.Offset > el:
			t.Fatalf("%s offset %v beyond elapsed %v", d.Key, d.Offset, el)
		case d.DueAt.After(now) || d.Late != now.Sub(d.DueAt):
			t.Fatalf("%s due at %v, late %v, now %v", d.Key, d.DueAt, d.Late, now)
		case i > 0 && (got[i-1].Offset > d.Offset || got[i-1].Offset == d.Offset && got[i-1].Key >= d.Key):
			t.Fatalf("out of order: %v", got)
		}
		if e, _ := Elapsed(events, d.DueAt); e < d.Offset {
			t.Fatalf("%s due at %v where elapsed is only %v < %v", d.Key, d.DueAt, e, d.Offset)
		}
		inDue[d.Key] = true
	}
	placed := plan(items, changes, now)
	for _, p := range placed {
		// Unchanged injects are due from the first instant their offset
		// is reached, not a nanosecond later.
		if i := slices.IndexFunc(got, func(d DueItem) bool { return d.Key == p.key }); i >= 0 && p.since.IsZero() && p.offset > 0 {
			if e, _ := Elapsed(events, got[i].DueAt.Add(-1)); e >= p.offset {
				t.Fatalf("%s due at %v but already reached a nanosecond earlier", p.key, got[i].DueAt)
			}
		}
	}
	for _, p := range placed {
		if st != NotStarted && p.offset <= el && !sent[p.key] && !inDue[p.key] {
			t.Fatalf("%s (offset %v <= elapsed %v) neither due nor sent", p.key, p.offset, el)
		}
	}
	// Sleeping until Next finds something due, provided nothing else is
	// recorded meanwhile (hence only valid runs, cut at now).
	next, ok := Next(events, items, changes, sent, now)
	if ok && Validate(events) == nil {
		if !next.After(now) {
			t.Fatalf("Next %v not after now %v", next, now)
		}
		past := slices.DeleteFunc(slices.Clone(events), func(e Event) bool { return e.At.After(now) })
		done := slices.DeleteFunc(slices.Clone(changes), func(c Change) bool { return c.At.After(now) })
		if len(Due(past, items, done, sent, next)) <= len(Due(past, items, done, sent, now)) {
			t.Fatalf("nothing new due at Next %v (now %v)", next, now)
		}
	}
}

func FuzzDue(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{3, 0, 0, 1, 3, 5, 2, 4, 0, 0, 4, 1, 2, 2, 9, 3, 40, 1, 5, 7, 9, 0x0f, 30, 0})
	f.Add([]byte{6, 0, 0, 4, 2, 10, 1, 5, 0, 2, 6, 0, 4, 1, 39, 3, 0, 8, 1, 1, 9, 2, 20, 1, 10, 5, 20, 0, 0, 50, 0})
	f.Add([]byte{5, 0x40, 0, 2, 1, 0xc0, 3, 3, 0x84, 7, 4, 5, 9, 0, 0, 1, 4, 7, 4, 2, 8, 10, 3, 12, 4, 0, 0xff, 60, 1})
	f.Fuzz(checkDue)
}

// TestDueProperties runs the fuzz properties over random runs on every
// test run, not only under go test -fuzz.
func TestDueProperties(t *testing.T) {
	prop := func(data []byte) bool {
		checkDue(t, data)
		return !t.Failed()
	}
	if err := quick.Check(prop, &quick.Config{MaxCount: 5000}); err != nil {
		t.Fatal(err)
	}
}
