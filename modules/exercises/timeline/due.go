package timeline

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Item is an inject of the scenario: its key and its offset from the start
// of the exercise, in exercise time.
type Item struct {
	Key    string
	Offset time.Duration
}

// Change is a controller's change during the run: it moves the inject Key
// to Offset, or adds it when the scenario has no such key.
type Change struct {
	At     time.Time
	Key    string
	Offset time.Duration
}

// DueItem is an inject to send now. DueAt is the wall time it became due:
// when the run reached its offset, or when the change that moved or added
// it was made if the offset had already been passed. Late is now - DueAt.
type DueItem struct {
	Key    string
	Offset time.Duration
	DueAt  time.Time
	Late   time.Duration
}

// PlanError says why an inject or a change is refused. Code is stable so
// that the exercises module can map it to a translated message next to the
// field; Error is for logs.
type PlanError struct {
	Change bool // a change rather than an inject of the scenario
	Index  int
	Key    string
	Code   string
	Msg    string
}

func (e *PlanError) Error() string {
	what := "inject"
	if e.Change {
		what = "change"
	}
	return fmt.Sprintf("timeline: %s %d (%q): %s", what, e.Index, e.Key, e.Msg)
}

// ValidatePlan checks the injects and changes of a run: keys not empty,
// offsets not negative, no key twice among items, every change timed, in
// order, and made while the run is not stopped. It returns the first
// refusal as a *PlanError.
func ValidatePlan(events []Event, items []Item, changes []Change) error {
	seen := make(map[string]bool, len(items))
	for i, it := range items {
		refuse := func(code, msg string) error {
			return &PlanError{Index: i, Key: it.Key, Code: code, Msg: msg}
		}
		switch {
		case strings.TrimSpace(it.Key) == "":
			return refuse("timeline.empty_key", "empty key")
		case it.Offset < 0:
			return refuse("timeline.negative_offset", fmt.Sprintf("negative offset %s", it.Offset))
		case seen[it.Key]:
			return refuse("timeline.duplicate_key", "the key appears twice")
		}
		seen[it.Key] = true
	}
	for i, c := range changes {
		refuse := func(code, msg string) error {
			return &PlanError{Change: true, Index: i, Key: c.Key, Code: code, Msg: msg}
		}
		switch {
		case strings.TrimSpace(c.Key) == "":
			return refuse("timeline.empty_key", "empty key")
		case c.Offset < 0:
			return refuse("timeline.negative_offset", fmt.Sprintf("negative offset %s", c.Offset))
		case c.At.IsZero():
			return refuse("timeline.no_time", "the change has no time")
		case i > 0 && c.At.Before(changes[i-1].At):
			return refuse("timeline.out_of_order", "the change comes before the previous one")
		}
		if _, st := Elapsed(events, c.At); st == Stopped {
			return refuse("timeline.after_stop", "the change was made after the exercise was stopped")
		}
	}
	return nil
}

// planned is an inject as it stands after the changes made by now; since
// is the time of the change that last placed it (zero if never changed).
type planned struct {
	key    string
	offset time.Duration
	since  time.Time
}

// plan applies the changes made by now over the items. Changes are taken
// by time and, at equal times, in list order; the last one wins. A key
// appearing twice among items keeps its last offset.
func plan(items []Item, changes []Change, now time.Time) []planned {
	idx := make(map[string]int, len(items)+len(changes))
	out := make([]planned, 0, len(items)+len(changes))
	put := func(p planned) {
		if i, ok := idx[p.key]; ok {
			out[i] = p
			return
		}
		idx[p.key] = len(out)
		out = append(out, p)
	}
	for _, it := range items {
		put(planned{key: it.Key, offset: it.Offset})
	}
	ordered := changes
	if !slices.IsSortedFunc(changes, byTime) {
		ordered = slices.Clone(changes)
		slices.SortStableFunc(ordered, byTime)
	}
	for _, c := range ordered {
		if c.At.After(now) {
			break
		}
		put(planned{key: c.Key, offset: c.Offset, since: c.At})
	}
	return out
}

func byTime(a, b Change) int { return a.At.Compare(b.At) }

// Due lists the injects due at now and not in sent, ordered by offset then
// key: those whose offset the run has reached, including those reached
// before a pause or stop but not yet sent. It depends only on its
// arguments, so calling it again, after a restart too, gives the same list
// for the same sent set.
func Due(events []Event, items []Item, changes []Change, sent map[string]bool, now time.Time) []DueItem {
	r, el := replay(events, now)
	if r.state == NotStarted {
		return nil
	}
	placed := plan(items, changes, now)
	out := make([]DueItem, 0, len(placed))
	for _, p := range placed {
		if sent[p.key] || p.offset > el {
			continue
		}
		at := r.reached(p.offset)
		if p.since.After(at) {
			at = p.since // moved or added into the past: due from the change
		}
		out = append(out, DueItem{Key: p.key, Offset: p.offset, DueAt: at, Late: now.Sub(at)})
	}
	slices.SortFunc(out, func(a, b DueItem) int {
		if a.Offset != b.Offset {
			if a.Offset < b.Offset {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Key, b.Key)
	})
	return out
}

// Next is the wall time at which the next inject not yet reached comes
// due, so that a scheduler can sleep until then. It is false while the run
// is not running or when no inject is left ahead. Injects already due are
// Due's answer, not Next's.
func Next(events []Event, items []Item, changes []Change, sent map[string]bool, now time.Time) (time.Time, bool) {
	r, el := replay(events, now)
	if r.state != Running {
		return time.Time{}, false
	}
	var best time.Duration
	found := false
	for _, p := range plan(items, changes, now) {
		if sent[p.key] || p.offset <= el {
			continue
		}
		if !found || p.offset-el < best {
			best, found = p.offset-el, true
		}
	}
	if !found {
		return time.Time{}, false
	}
	return now.Add(inverse(best, r.speed)), true
}
