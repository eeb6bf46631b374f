package ical

import (
	"fmt"
	"sort"
	"time"
)

// zoneSpan is a zone the calendar uses and the instants it must cover.
type zoneSpan struct {
	loc      *time.Location
	from, to time.Time
}

// zonesOf lists the zones of the events, by name, each with the span of
// its events' times.
func zonesOf(events []Event) []zoneSpan {
	byName := map[string]*zoneSpan{}
	var names []string
	for _, e := range events {
		if e.Zone == nil || e.Zone == time.UTC || e.Zone.String() == "UTC" {
			continue
		}
		end := e.End
		if end.Before(e.Start) {
			end = e.Start
		}
		z, ok := byName[e.Zone.String()]
		if !ok {
			z = &zoneSpan{loc: e.Zone, from: e.Start, to: end}
			byName[e.Zone.String()] = z
			names = append(names, e.Zone.String())
			continue
		}
		if e.Start.Before(z.from) {
			z.from = e.Start
		}
		if end.After(z.to) {
			z.to = end
		}
	}
	sort.Strings(names)
	out := make([]zoneSpan, 0, len(names))
	for _, n := range names {
		out = append(out, *byName[n])
	}
	return out
}

// maxObservances bounds one VTIMEZONE: two transitions a year over a
// century of events.
const maxObservances = 200

// writeZone writes a VTIMEZONE whose observances are the periods of Go's
// time zone database from a year before the zone's first event to a year
// after its last: each period a STANDARD or DAYLIGHT with its onset (in
// the wall time of the offset before it), the offsets before and after,
// and its abbreviation. A zone without transitions (Asia/Jakarta) is one
// STANDARD.
func writeZone(lw *lineWriter, z zoneSpan) {
	lw.line("BEGIN:VTIMEZONE")
	lw.line("TZID:" + clean(z.loc.String()))
	from, to := z.from.AddDate(-1, 0, 0), z.to.AddDate(1, 0, 0)
	t := from.In(z.loc)
	for i := 0; i < maxObservances; i++ {
		name, offset := t.Zone()
		start, end := t.ZoneBounds()
		kind := "STANDARD"
		if t.IsDST() {
			kind = "DAYLIGHT"
		}
		prev := offset
		onset := "19700101T000000"
		if !start.IsZero() {
			_, prev = start.Add(-time.Second).In(z.loc).Zone()
			onset = start.UTC().Add(time.Duration(prev) * time.Second).Format("20060102T150405")
		}
		lw.line("BEGIN:" + kind)
		lw.line("DTSTART:" + onset)
		lw.line("TZOFFSETFROM:" + Offset(prev))
		lw.line("TZOFFSETTO:" + Offset(offset))
		lw.line("TZNAME:" + Text(name))
		lw.line("END:" + kind)
		if end.IsZero() || !end.Before(to) {
			break
		}
		t = end.In(z.loc)
	}
	lw.line("END:VTIMEZONE")
}

// Offset writes a UTC offset in seconds as RFC 5545's UTC-OFFSET:
// +HHMM, or +HHMMSS when it has seconds (local mean times of old).
func Offset(sec int) string {
	sign := "+"
	if sec < 0 {
		sign, sec = "-", -sec
	}
	h, m, s := sec/3600, sec/60%60, sec%60
	if s != 0 {
		return fmt.Sprintf("%s%02d%02d%02d", sign, h, m, s)
	}
	return fmt.Sprintf("%s%02d%02d", sign, h, m)
}
