package timeline

import (
	"errors"
	"testing"
	"time"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// at is t0 plus m minutes of wall time.
func at(m float64) time.Time { return t0.Add(time.Duration(m * float64(time.Minute))) }

func mins(m float64) time.Duration { return time.Duration(m * float64(time.Minute)) }

func ev(m float64, k Kind) Event { return Event{At: at(m), Kind: k} }

func sp(m, speed float64) Event { return Event{At: at(m), Kind: KindSpeed, Speed: speed} }

func TestElapsed(t *testing.T) {
	start := ev(0, KindStart)
	tests := []struct {
		name   string
		events []Event
		now    float64
		want   time.Duration
		state  State
	}{
		{"no events", nil, 10, 0, NotStarted},
		{"start in the future", []Event{ev(5, KindStart)}, 1, 0, NotStarted},
		{"real time", []Event{start}, 10, mins(10), Running},
		{"paused time does not count", []Event{start, ev(5, KindPause)}, 30, mins(5), Paused},
		{"pause and resume", []Event{start, ev(5, KindPause), ev(10, KindResume)}, 15, mins(10), Running},
		{"speed x2 after 4m", []Event{start, sp(4, 2)}, 10, mins(16), Running},
		{"speed x0.5", []Event{start, sp(0, 0.5)}, 10, mins(5), Running},
		{"speed set while paused applies on resume", []Event{start, ev(2, KindPause), sp(3, 3), ev(4, KindResume)}, 6, mins(8), Running},
		{"stop freezes", []Event{start, sp(1, 2), ev(5, KindStop)}, 500, mins(9), Stopped},
		{"stop while paused", []Event{start, ev(3, KindPause), ev(8, KindStop)}, 20, mins(3), Stopped},
		{"event exactly at now counts", []Event{start, ev(5, KindPause)}, 5, mins(5), Paused},
		{"events after now ignored", []Event{start, ev(5, KindPause), ev(7, KindResume)}, 6, mins(5), Paused},
		// Refused events are skipped rather than trusted.
		{"second start skipped", []Event{start, ev(3, KindStart)}, 5, mins(5), Running},
		{"resume before start skipped", []Event{ev(0, KindResume), ev(1, KindStart)}, 5, mins(4), Running},
		{"out of order pause skipped", []Event{ev(2, KindStart), ev(1, KindPause)}, 5, mins(3), Running},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, st := Elapsed(tc.events, at(tc.now))
			if got != tc.want || st != tc.state {
				t.Errorf("Elapsed = %v, %v; want %v, %v", got, st, tc.want, tc.state)
			}
		})
	}
}

func TestWallTimeOf(t *testing.T) {
	start := ev(0, KindStart)
	tests := []struct {
		name   string
		events []Event
		offset time.Duration
		now    float64
		want   float64 // wall minutes; negative means false
	}{
		{"not started", nil, mins(10), 0, -1},
		{"ahead while running", []Event{start}, mins(10), 2, 10},
		{"reached in the past", []Event{start}, mins(10), 30, 10},
		{"offset zero is the start", []Event{ev(3, KindStart)}, 0, 4, 3},
		{"5m pause shifts +10m to wall +15m", []Event{start, ev(4, KindPause), ev(9, KindResume)}, mins(10), 9, 15},
		{"reached after the pause, seen later", []Event{start, ev(4, KindPause), ev(9, KindResume)}, mins(10), 60, 15},
		{"reached exactly at pause", []Event{start, ev(4, KindPause), ev(9, KindResume)}, mins(4), 60, 4},
		{"ahead while paused", []Event{start, ev(4, KindPause)}, mins(10), 6, -1},
		{"ahead when stopped", []Event{start, ev(4, KindStop)}, mins(10), 6, -1},
		{"reached before stop", []Event{start, ev(4, KindStop)}, mins(3), 6, 3},
		{"speed x2 halves what is left", []Event{start, sp(4, 2)}, mins(10), 5, 7},
		{"speed x2 from the start", []Event{start, sp(0, 2)}, mins(60), 0, 30},
		{"speed x0.5 doubles", []Event{start, sp(2, 0.5)}, mins(4), 2, 6},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := WallTimeOf(tc.events, tc.offset, at(tc.now))
			if tc.want < 0 {
				if ok {
					t.Fatalf("WallTimeOf = %v, true; want false", got)
				}
				return
			}
			if !ok || !got.Equal(at(tc.want)) {
				t.Fatalf("WallTimeOf = %v, %v; want %v", got, ok, at(tc.want))
			}
			// The clock agrees with its inverse.
			if el, _ := Elapsed(tc.events, got); el < tc.offset && tc.now >= tc.want {
				t.Errorf("Elapsed at %v = %v, short of %v", got, el, tc.offset)
			}
		})
	}
}

func TestInverseNeverShort(t *testing.T) {
	for _, speed := range []float64{0.5, 0.7, 1, 1.3, 2, 3, 7.77, 19.99, 20} {
		for _, rem := range []time.Duration{1, 2, 3, 999, time.Second + 7, mins(13) + 11, 72*time.Hour + 5} {
			d := inverse(rem, speed)
			if scale(d, speed) < rem {
				t.Errorf("speed %g rem %v: scale(%v) = %v < rem", speed, rem, d, scale(d, speed))
			}
			if d > 0 && scale(d-1, speed) >= rem {
				t.Errorf("speed %g rem %v: %v is not the shortest", speed, rem, d)
			}
		}
	}
}

func TestValidate(t *testing.T) {
	start := ev(0, KindStart)
	tests := []struct {
		name   string
		events []Event
		index  int
		code   string // empty: valid
	}{
		{"empty", nil, 0, ""},
		{"full run", []Event{start, sp(1, 2), ev(2, KindPause), sp(3, 0.5), ev(4, KindResume), ev(4, KindPause), ev(9, KindStop)}, 0, ""},
		{"equal times allowed", []Event{start, ev(0, KindPause), ev(0, KindResume)}, 0, ""},
		{"resume before start", []Event{ev(0, KindResume)}, 0, "timeline.resume_not_paused"},
		{"pause before start", []Event{ev(0, KindPause)}, 0, "timeline.pause_not_running"},
		{"two starts", []Event{start, ev(1, KindStart)}, 1, "timeline.already_started"},
		{"resume while running", []Event{start, ev(1, KindResume)}, 1, "timeline.resume_not_paused"},
		{"pause twice", []Event{start, ev(1, KindPause), ev(2, KindPause)}, 2, "timeline.pause_not_running"},
		{"speed too high", []Event{start, sp(1, 20.5)}, 1, "timeline.speed_range"},
		{"speed too low", []Event{start, sp(1, 0.4)}, 1, "timeline.speed_range"},
		{"speed zero", []Event{start, {At: at(1), Kind: KindSpeed}}, 1, "timeline.speed_range"},
		{"speed before start", []Event{sp(0, 2), start}, 0, "timeline.not_started"},
		{"speed on a pause", []Event{start, {At: at(1), Kind: KindPause, Speed: 2}}, 1, "timeline.speed_not_allowed"},
		{"stop before start", []Event{ev(0, KindStop)}, 0, "timeline.not_started"},
		{"anything after stop", []Event{start, ev(1, KindStop), ev(2, KindResume)}, 2, "timeline.after_stop"},
		{"out of order", []Event{ev(5, KindStart), ev(3, KindPause)}, 1, "timeline.out_of_order"},
		{"no time", []Event{{Kind: KindStart}}, 0, "timeline.no_time"},
		{"unknown kind", []Event{start, {At: at(1), Kind: "rewind"}}, 1, "timeline.unknown_kind"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := Validate(tc.events)
			if tc.code == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			var ee *EventError
			if !errors.As(err, &ee) {
				t.Fatalf("Validate = %v; want an *EventError %s", err, tc.code)
			}
			if ee.Code != tc.code || ee.Index != tc.index || ee.Msg == "" {
				t.Fatalf("Validate = %+v; want code %s at %d", ee, tc.code, tc.index)
			}
		})
	}
}
