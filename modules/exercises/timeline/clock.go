package timeline

import (
	"fmt"
	"math"
	"sort"
	"time"
)

// Kind is the kind of a control event, stored as text.
type Kind string

// The control events of a run.
const (
	KindStart  Kind = "start"
	KindPause  Kind = "pause"
	KindResume Kind = "resume"
	KindStop   Kind = "stop"
	KindSpeed  Kind = "speed"
)

// Speed limits: half real time to twenty times real time.
const (
	MinSpeed = 0.5
	MaxSpeed = 20
)

// Event is one control event of a run. Speed is set only for KindSpeed.
type Event struct {
	At    time.Time
	Kind  Kind
	Speed float64
}

// State is where a run stands at a given wall time.
type State int

// The states of a run.
const (
	NotStarted State = iota
	Running
	Paused
	Stopped
)

// String is the state's name as shown in logs and stored views.
func (s State) String() string {
	switch s {
	case NotStarted:
		return "not-started"
	case Running:
		return "running"
	case Paused:
		return "paused"
	case Stopped:
		return "stopped"
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// EventError says why an event is refused. Code is stable so that the
// exercises module can map it to a translated message; Error is for logs.
type EventError struct {
	Index int // position of the event in the list
	Code  string
	Msg   string
}

func (e *EventError) Error() string {
	return fmt.Sprintf("timeline: event %d: %s", e.Index, e.Msg)
}

// Validate checks that events form a possible run, in order: one start
// first, pause only while running, resume only while paused, speed within
// [MinSpeed, MaxSpeed] after start and before stop, nothing after stop, and
// times that never go backwards. It returns the first refused event as an
// *EventError.
func Validate(events []Event) error {
	var r run
	for i, e := range events {
		if code, msg := r.apply(e); code != "" {
			return &EventError{Index: i, Code: code, Msg: msg}
		}
	}
	return nil
}

// segment is a stretch of wall time during which the run was running at
// one speed; base and upTo are the exercise time elapsed at its start and
// at its end.
type segment struct {
	start      time.Time
	speed      float64
	base, upTo time.Duration
}

func newSegment(start, end time.Time, speed float64, base time.Duration) segment {
	return segment{start: start, speed: speed, base: base, upTo: base + scale(end.Sub(start), speed)}
}

// run replays events. Events Validate would refuse are skipped, so every
// function of the package is total on any input, stored data included.
type run struct {
	state   State
	speed   float64
	last    time.Time
	runFrom time.Time
	cum     time.Duration
	segs    []segment
}

func (r *run) apply(e Event) (code, msg string) {
	if e.At.IsZero() {
		return "timeline.no_time", "the event has no time"
	}
	if r.state != NotStarted && e.At.Before(r.last) {
		return "timeline.out_of_order", fmt.Sprintf("%s at %s comes before the previous event at %s",
			e.Kind, e.At.Format(time.RFC3339Nano), r.last.Format(time.RFC3339Nano))
	}
	if e.Kind != KindSpeed && e.Speed != 0 {
		return "timeline.speed_not_allowed", fmt.Sprintf("a %s event carries no speed", e.Kind)
	}
	if r.state == Stopped {
		return "timeline.after_stop", fmt.Sprintf("%s after the exercise was stopped", e.Kind)
	}
	switch e.Kind {
	case KindStart:
		if r.state != NotStarted {
			return "timeline.already_started", "the exercise is already started"
		}
		r.speed = 1
		r.runFrom = e.At
		r.state = Running
	case KindPause:
		if r.state != Running {
			return "timeline.pause_not_running", "pause while the exercise is not running"
		}
		r.closeSegment(e.At)
		r.state = Paused
	case KindResume:
		if r.state != Paused {
			return "timeline.resume_not_paused", "resume while the exercise is not paused"
		}
		r.runFrom = e.At
		r.state = Running
	case KindStop:
		if r.state == NotStarted {
			return "timeline.not_started", "stop before the exercise was started"
		}
		if r.state == Running {
			r.closeSegment(e.At)
		}
		r.state = Stopped
	case KindSpeed:
		// NaN fails both comparisons, so it is refused here too.
		if !(e.Speed >= MinSpeed && e.Speed <= MaxSpeed) {
			return "timeline.speed_range", fmt.Sprintf("speed %g is outside %g to %g", e.Speed, float64(MinSpeed), float64(MaxSpeed))
		}
		if r.state == NotStarted {
			return "timeline.not_started", "speed before the exercise was started"
		}
		if r.state == Running {
			r.closeSegment(e.At)
			r.runFrom = e.At
		}
		r.speed = e.Speed
	default:
		return "timeline.unknown_kind", fmt.Sprintf("unknown event kind %q", e.Kind)
	}
	r.last = e.At
	return "", ""
}

func (r *run) closeSegment(at time.Time) {
	s := newSegment(r.runFrom, at, r.speed, r.cum)
	r.segs = append(r.segs, s)
	r.cum = s.upTo
}

// replay applies the events that happened by now. While running, the open
// stretch up to now is appended as a last segment.
func replay(events []Event, now time.Time) (run, time.Duration) {
	r := run{segs: make([]segment, 0, len(events)+1)}
	for _, e := range events {
		next := r
		if code, _ := next.apply(e); code != "" {
			continue
		}
		if e.At.After(now) {
			// Accepted events never go back in time, so the rest are later too.
			break
		}
		r = next
	}
	elapsed := r.cum
	if r.state == Running {
		s := newSegment(r.runFrom, now, r.speed, r.cum)
		r.segs = append(r.segs, s)
		elapsed = s.upTo
	}
	return r, elapsed
}

// Elapsed is the exercise time (offset into the scenario) reached at now,
// and the state of the run at now. Events after now are ignored.
func Elapsed(events []Event, now time.Time) (time.Duration, State) {
	r, el := replay(events, now)
	return el, r.state
}

// WallTimeOf is the wall time at which the scenario offset is, was or will
// be reached. A reached offset gives the past moment it was reached; an
// offset still ahead is projected at the current speed while running, and
// gives false while paused, stopped or not started.
func WallTimeOf(events []Event, offset time.Duration, now time.Time) (time.Time, bool) {
	r, el := replay(events, now)
	if r.state == NotStarted {
		return time.Time{}, false
	}
	if offset <= el {
		return r.reached(offset), true
	}
	if r.state != Running {
		return time.Time{}, false
	}
	return now.Add(inverse(offset-el, r.speed)), true
}

// reached is the first wall time at which offset was reached; offset must
// not exceed the elapsed time of the last segment.
func (r *run) reached(offset time.Duration) time.Time {
	i := sort.Search(len(r.segs), func(i int) bool { return r.segs[i].upTo >= offset })
	if i == len(r.segs) {
		i = len(r.segs) - 1
	}
	s := r.segs[i]
	return s.start.Add(inverse(offset-s.base, s.speed))
}

func scale(d time.Duration, speed float64) time.Duration {
	return time.Duration(float64(d) * speed)
}

// inverse is the shortest wall duration d with scale(d, speed) >= rem, so
// that Elapsed at the returned wall time is never short of the offset
// whatever the floating-point rounding.
func inverse(rem time.Duration, speed float64) time.Duration {
	if rem <= 0 {
		return 0
	}
	d := time.Duration(math.Ceil(float64(rem) / speed))
	for scale(d, speed) < rem {
		d++
	}
	for d > 0 && scale(d-1, speed) >= rem {
		d--
	}
	return d
}
