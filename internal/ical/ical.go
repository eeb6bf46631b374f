// Package ical writes iCalendar (RFC 5545) for calendar programs: files of
// one event, invitations (RFC 5546 REQUEST and CANCEL) and subscribable
// feeds. It only writes: what it writes is what Google, Outlook and Apple
// read, so it keeps to what all three accept — CRLF line ends, lines folded
// at 75 octets without splitting a character, TEXT escaped, times with a
// TZID and a VTIMEZONE for every TZID, built from Go's time zone database
// around the events' own dates.
package ical

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"
)

// The methods of RFC 5546 a calendar is sent with.
const (
	MethodPublish = "PUBLISH" // a file or a feed
	MethodRequest = "REQUEST" // an invitation, or its update
	MethodCancel  = "CANCEL"  // an invitation withdrawn
)

// Calendar is one VCALENDAR object.
type Calendar struct {
	ProdID string // -//Entente//host//EN
	Method string
	Name   string // X-WR-CALNAME, what a subscribing program names the calendar
	Events []Event
}

// Person is an organizer or an attendee.
type Person struct {
	Name  string
	Email string
}

// Event is one VEVENT. Times are instants; Zone is the zone they are shown
// in (nil or UTC writes them in UTC).
type Event struct {
	UID         string
	Stamp       time.Time // DTSTAMP: when this copy was written
	Start, End  time.Time
	Zone        *time.Location
	Sequence    int
	Cancelled   bool
	Summary     string
	Description string
	Location    string
	URL         string
	Organizer   Person
	Attendees   []Person
	Modified    time.Time // LAST-MODIFIED; zero leaves it out
}

// Bytes returns the calendar as iCalendar text.
func (c Calendar) Bytes() []byte {
	var b bytes.Buffer
	c.WriteTo(&b)
	return b.Bytes()
}

// WriteTo writes the calendar to w.
func (c Calendar) WriteTo(w io.Writer) (int64, error) {
	lw := &lineWriter{w: w}
	lw.line("BEGIN:VCALENDAR")
	lw.line("VERSION:2.0")
	lw.line("PRODID:" + clean(c.ProdID))
	lw.line("CALSCALE:GREGORIAN")
	if c.Method != "" {
		lw.line("METHOD:" + c.Method)
	}
	if c.Name != "" {
		lw.line("X-WR-CALNAME:" + Text(c.Name))
	}
	for _, z := range zonesOf(c.Events) {
		writeZone(lw, z)
	}
	for _, e := range c.Events {
		writeEvent(lw, e, c.Method)
	}
	lw.line("END:VCALENDAR")
	return lw.n, lw.err
}

func writeEvent(lw *lineWriter, e Event, method string) {
	lw.line("BEGIN:VEVENT")
	lw.line("UID:" + clean(e.UID))
	lw.line("DTSTAMP:" + utc(e.Stamp))
	lw.line(dateTime("DTSTART", e.Start, e.Zone))
	if !e.End.IsZero() {
		lw.line(dateTime("DTEND", e.End, e.Zone))
	}
	lw.line(fmt.Sprintf("SEQUENCE:%d", max(e.Sequence, 0)))
	if e.Cancelled || method == MethodCancel {
		lw.line("STATUS:CANCELLED")
	} else {
		lw.line("STATUS:CONFIRMED")
	}
	lw.line("SUMMARY:" + Text(e.Summary))
	if e.Description != "" {
		lw.line("DESCRIPTION:" + Text(e.Description))
	}
	if e.Location != "" {
		lw.line("LOCATION:" + Text(e.Location))
	}
	if e.URL != "" {
		lw.line("URL:" + clean(e.URL))
	}
	if e.Organizer.Email != "" {
		lw.line("ORGANIZER" + cn(e.Organizer.Name) + ":mailto:" + clean(e.Organizer.Email))
	}
	for _, a := range e.Attendees {
		if a.Email != "" {
			lw.line("ATTENDEE" + cn(a.Name) + ";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=FALSE:mailto:" + clean(a.Email))
		}
	}
	if !e.Modified.IsZero() {
		lw.line("LAST-MODIFIED:" + utc(e.Modified))
	}
	lw.line("TRANSP:OPAQUE")
	lw.line("END:VEVENT")
}

// Text escapes a TEXT value (RFC 5545 3.3.11): backslash, semicolon, comma
// and line breaks; other control characters are dropped.
func Text(s string) string {
	var b strings.Builder
	s = strings.ReplaceAll(s, "\r\n", "\n")
	for _, r := range s {
		switch {
		case r == '\\':
			b.WriteString(`\\`)
		case r == ';':
			b.WriteString(`\;`)
		case r == ',':
			b.WriteString(`\,`)
		case r == '\n' || r == '\r':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f:
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// clean drops control characters from a value that is not TEXT (a URI, a
// UID, an address), so no value can end its line early.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
}

// cn is the CN parameter of a name, quoted (a name may hold : ; ,), with
// the double quotes a quoted parameter cannot carry removed.
func cn(name string) string {
	name = strings.ReplaceAll(clean(name), `"`, "")
	if strings.TrimSpace(name) == "" {
		return ""
	}
	return `;CN="` + name + `"`
}

func utc(t time.Time) string { return t.UTC().Format("20060102T150405Z") }

// dateTime writes a DATE-TIME property in zone z: with TZID (and local
// time) unless z is nil or UTC.
func dateTime(name string, t time.Time, z *time.Location) string {
	if z == nil || z == time.UTC || z.String() == "UTC" {
		return name + ":" + utc(t)
	}
	return name + ";TZID=" + clean(z.String()) + ":" + t.In(z).Format("20060102T150405")
}

// lineWriter writes content lines folded at 75 octets (RFC 5545 3.1).
type lineWriter struct {
	w   io.Writer
	n   int64
	err error
	buf []byte
}

func (lw *lineWriter) line(s string) {
	if lw.err != nil {
		return
	}
	lw.buf = Fold(lw.buf[:0], s)
	n, err := lw.w.Write(lw.buf)
	lw.n += int64(n)
	lw.err = err
}

// Fold appends the content line s to dst, folded so that no line is longer
// than 75 octets (not counting CRLF) and no UTF-8 character is split, each
// line ended with CRLF and each continuation begun with a space.
func Fold(dst []byte, s string) []byte {
	const limit = 75
	width := limit
	for len(s) > width {
		cut := width
		// Back up to the start of a character: a continuation byte is
		// 10xxxxxx.
		for cut > 0 && s[cut]&0xC0 == 0x80 {
			cut--
		}
		if cut == 0 {
			cut = width
		}
		dst = append(dst, s[:cut]...)
		dst = append(dst, "\r\n "...)
		s = s[cut:]
		width = limit - 1 // the leading space counts
	}
	dst = append(dst, s...)
	return append(dst, "\r\n"...)
}
