package timeline

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

type due struct {
	key  string
	dueM float64 // wall minutes at which it became due
}

func keysOf(items []DueItem) []due {
	out := make([]due, 0, len(items))
	for _, d := range items {
		out = append(out, due{d.Key, float64(d.DueAt.Sub(t0)) / float64(time.Minute)})
	}
	return out
}

func set(keys ...string) map[string]bool {
	m := map[string]bool{}
	for _, k := range keys {
		m[k] = true
	}
	return m
}

func TestDue(t *testing.T) {
	start := ev(0, KindStart)
	items := []Item{{"b", mins(10)}, {"a", mins(10)}, {"c", mins(20)}, {"zero", 0}}
	tests := []struct {
		name    string
		events  []Event
		changes []Change
		sent    map[string]bool
		now     float64
		want    []due
	}{
		{"not started", nil, nil, nil, 30, nil},
		{"at start only offset zero", []Event{start}, nil, nil, 0, []due{{"zero", 0}}},
		{"same offset ordered by key", []Event{start}, nil, nil, 10, []due{{"zero", 0}, {"a", 10}, {"b", 10}}},
		{"sent are left out", []Event{start}, nil, set("zero", "a"), 10, []due{{"b", 10}}},
		{"5m pause: +10m comes at wall +15m", []Event{start, ev(5, KindPause), ev(10, KindResume)}, nil, set("zero"), 14.99, nil},
		{"5m pause: due at +15m", []Event{start, ev(5, KindPause), ev(10, KindResume)}, nil, set("zero"), 15, []due{{"a", 15}, {"b", 15}}},
		{"nothing new while paused", []Event{start, ev(5, KindPause)}, nil, set("zero"), 60, nil},
		{"reached before pause, unsent, still due while paused", []Event{start, ev(12, KindPause)}, nil, set("zero"), 60, []due{{"a", 10}, {"b", 10}}},
		{"speed x2 at 4m: +10m at wall 7m", []Event{start, sp(4, 2)}, nil, set("zero"), 7, []due{{"a", 7}, {"b", 7}}},
		{"speed x2 at 4m: +20m at wall 12m", []Event{start, sp(4, 2)}, nil, set("zero", "a", "b"), 12, []due{{"c", 12}}},
		{"stop freezes", []Event{start, ev(15, KindStop)}, nil, set("zero", "a", "b"), 600, nil},
		{"reached before stop, unsent, still due", []Event{start, ev(15, KindStop)}, nil, set("zero"), 600, []due{{"a", 10}, {"b", 10}}},
		{"move ahead", []Event{start}, []Change{{at(1), "a", mins(30)}}, set("zero"), 20, []due{{"b", 10}, {"c", 20}}},
		{"move into the past is due from the change", []Event{start}, []Change{{at(12), "c", mins(5)}}, set("zero", "a", "b"), 13, []due{{"c", 12}}},
		{"move still ahead of the clock keeps the clock", []Event{start}, []Change{{at(2), "c", mins(5)}}, set("zero"), 6, []due{{"c", 5}}},
		{"moved after sending is not sent again", []Event{start}, []Change{{at(11), "a", mins(15)}}, set("zero", "a"), 16, []due{{"b", 10}}},
		{"add", []Event{start}, []Change{{at(1), "new", mins(3)}}, set("zero"), 4, []due{{"new", 3}}},
		{"add into the past", []Event{start}, []Change{{at(8), "new", mins(3)}}, set("zero"), 9, []due{{"new", 8}}},
		{"future change not applied yet", []Event{start}, []Change{{at(30), "a", mins(50)}}, set("zero"), 10, []due{{"a", 10}, {"b", 10}}},
		{"last change wins, in time order", []Event{start}, []Change{{at(3), "a", mins(40)}, {at(2), "a", mins(1)}}, set("zero"), 10, []due{{"b", 10}}},
		{"equal times keep list order", []Event{start}, []Change{{at(2), "a", mins(40)}, {at(2), "a", mins(1)}}, set("zero"), 10, []due{{"a", 2}, {"b", 10}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := Due(tc.events, items, tc.changes, tc.sent, at(tc.now))
			if !slices.Equal(keysOf(got), tc.want) {
				t.Fatalf("Due = %v; want %v", keysOf(got), tc.want)
			}
			for _, d := range got {
				if d.Late != at(tc.now).Sub(d.DueAt) || d.Late < 0 {
					t.Errorf("%s: Late = %v, DueAt %v", d.Key, d.Late, d.DueAt)
				}
			}
		})
	}
}

// TestRestart runs a scheduler that sends what is due, "crashes" at some
// points (forgetting everything but the stored events, changes and sent
// marks) and starts again: every inject is sent once, none twice, and a
// repeated call gives the same list.
func TestRestart(t *testing.T) {
	events := []Event{ev(0, KindStart), ev(7, KindPause), ev(12, KindResume), sp(20, 2), ev(40, KindStop)}
	changes := []Change{{at(15), "i03", mins(2)}, {at(16), "late", mins(30)}}
	var items []Item
	for i := range 40 {
		items = append(items, Item{fmt.Sprintf("i%02d", i), mins(float64(i))})
	}
	sentAt := map[string]time.Time{}
	sent := map[string]bool{}
	down := func(m float64) bool { return (m >= 9 && m < 14) || (m >= 25 && m < 31) }
	for m := 0.0; m <= 60; m += 0.25 {
		now := at(m)
		if down(m) {
			continue // node down: nothing sent, nothing remembered but the store
		}
		first := Due(events, items, changes, sent, now)
		if again := Due(events, items, changes, sent, now); !slices.Equal(first, again) {
			t.Fatalf("at %vm Due is not idempotent: %v vs %v", m, first, again)
		}
		for _, d := range first {
			if sent[d.Key] {
				t.Fatalf("at %vm %s due again after being sent at %v", m, d.Key, sentAt[d.Key])
			}
			sent[d.Key] = true
			sentAt[d.Key] = now
		}
	}
	el, st := Elapsed(events, at(60))
	if st != Stopped || el != mins(7+8+2*20) {
		t.Fatalf("Elapsed = %v %v", el, st)
	}
	for _, p := range plan(items, changes, at(60)) {
		if p.offset <= el && !sent[p.key] {
			t.Errorf("%s (offset %v) never sent", p.key, p.offset)
		}
		if p.offset > el && sent[p.key] {
			t.Errorf("%s (offset %v) sent though never reached", p.key, p.offset)
		}
	}
	// i08 (offset 8m) is reached at wall 13m because of the 5m pause, while
	// the node is down until 14m, so it goes at 14m.
	if !sentAt["i08"].Equal(at(14)) {
		t.Errorf("i08 sent at %v; want at 14m", sentAt["i08"])
	}
	if !sentAt["i03"].Equal(at(3)) {
		t.Errorf("i03 sent at %v; want once at 3m (the move at 15m must not resend it)", sentAt["i03"])
	}
}

func TestNext(t *testing.T) {
	start := ev(0, KindStart)
	items := []Item{{"a", mins(10)}, {"b", mins(20)}}
	tests := []struct {
		name   string
		events []Event
		sent   map[string]bool
		now    float64
		want   float64 // negative: false
	}{
		{"not started", nil, nil, 0, -1},
		{"first ahead", []Event{start}, nil, 1, 10},
		{"due ones are Due's answer", []Event{start}, nil, 12, 20},
		{"skips sent", []Event{start}, set("a"), 1, 20},
		{"after a pause", []Event{start, ev(5, KindPause), ev(8, KindResume)}, nil, 9, 13},
		{"paused", []Event{start, ev(5, KindPause)}, nil, 6, -1},
		{"stopped", []Event{start, ev(5, KindStop)}, nil, 6, -1},
		{"at speed x2", []Event{start, sp(4, 2)}, nil, 5, 7},
		{"nothing left", []Event{start}, set("a", "b"), 1, -1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := Next(tc.events, items, nil, tc.sent, at(tc.now))
			if tc.want < 0 {
				if ok {
					t.Fatalf("Next = %v; want false", got)
				}
				return
			}
			if !ok || !got.Equal(at(tc.want)) {
				t.Fatalf("Next = %v, %v; want %v", got, ok, at(tc.want))
			}
			// Sleeping until Next makes something due.
			if len(Due(tc.events, items, nil, tc.sent, got)) == 0 {
				t.Errorf("nothing due at Next %v", got)
			}
		})
	}
}

func TestValidatePlan(t *testing.T) {
	events := []Event{ev(0, KindStart), ev(30, KindStop)}
	tests := []struct {
		name    string
		items   []Item
		changes []Change
		want    *PlanError // nil: valid
	}{
		{"good", []Item{{"a", 0}, {"b", mins(5)}}, []Change{{at(1), "a", mins(2)}, {at(1), "c", 0}}, nil},
		{"empty key", []Item{{" ", 0}}, nil, &PlanError{Index: 0, Key: " ", Code: "timeline.empty_key"}},
		{"negative offset", []Item{{"a", -1}}, nil, &PlanError{Index: 0, Key: "a", Code: "timeline.negative_offset"}},
		{"key twice", []Item{{"a", 0}, {"a", 1}}, nil, &PlanError{Index: 1, Key: "a", Code: "timeline.duplicate_key"}},
		{"change without time", nil, []Change{{Key: "a"}}, &PlanError{Change: true, Key: "a", Code: "timeline.no_time"}},
		{"change out of order", nil, []Change{{at(2), "a", 0}, {at(1), "b", 0}}, &PlanError{Change: true, Index: 1, Key: "b", Code: "timeline.out_of_order"}},
		{"change after stop", nil, []Change{{at(31), "a", 0}}, &PlanError{Change: true, Key: "a", Code: "timeline.after_stop"}},
		{"change negative", nil, []Change{{at(1), "a", -mins(1)}}, &PlanError{Change: true, Key: "a", Code: "timeline.negative_offset"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidatePlan(events, tc.items, tc.changes)
			if tc.want == nil {
				if err != nil {
					t.Fatalf("ValidatePlan: %v", err)
				}
				return
			}
			var pe *PlanError
			if !errors.As(err, &pe) {
				t.Fatalf("ValidatePlan = %v; want %+v", err, tc.want)
			}
			if pe.Msg == "" {
				t.Errorf("no message in %+v", pe)
			}
			pe.Msg = ""
			if *pe != *tc.want {
				t.Fatalf("ValidatePlan = %+v; want %+v", pe, tc.want)
			}
		})
	}
}

func TestStats(t *testing.T) {
	if p50, p99 := Stats(nil); p50 != 0 || p99 != 0 {
		t.Errorf("Stats(nil) = %v, %v", p50, p99)
	}
	if got := Lateness(at(10), at(10.5)); got != 30*time.Second {
		t.Errorf("Lateness = %v", got)
	}
	var lates []time.Duration
	for i := 100; i >= 1; i-- { // unsorted on purpose
		lates = append(lates, time.Duration(i)*time.Millisecond)
	}
	p50, p99 := Stats(lates)
	if p50 != 50*time.Millisecond || p99 != 99*time.Millisecond {
		t.Errorf("Stats = %v, %v; want 50ms, 99ms", p50, p99)
	}
	if lates[0] != 100*time.Millisecond {
		t.Error("Stats reordered its argument")
	}
	if p50, p99 := Stats([]time.Duration{7}); p50 != 7 || p99 != 7 {
		t.Errorf("Stats(one) = %v, %v", p50, p99)
	}
}

func BenchmarkDue(b *testing.B) {
	events := []Event{ev(0, KindStart)}
	for i := range 49 {
		m := float64(1 + i)
		switch i % 4 {
		case 0:
			events = append(events, ev(m, KindPause))
		case 1:
			events = append(events, ev(m, KindResume))
		case 2:
			events = append(events, sp(m, 1+float64(i%5)))
		case 3:
			events = append(events, sp(m, 1))
		}
	}
	if err := Validate(events); err != nil {
		b.Fatal(err)
	}
	var items []Item
	sent := map[string]bool{}
	for i := range 200 {
		k := fmt.Sprintf("inject-%03d", i)
		items = append(items, Item{k, time.Duration(i) * 20 * time.Second})
		if i%3 == 0 {
			sent[k] = true
		}
	}
	changes := []Change{{at(10), "inject-005", mins(90)}, {at(20), "added", mins(1)}}
	now := at(60)
	if len(Due(events, items, changes, sent, now)) == 0 {
		b.Fatal("nothing due")
	}
	b.ReportAllocs()
	for b.Loop() {
		Due(events, items, changes, sent, now)
	}
}
