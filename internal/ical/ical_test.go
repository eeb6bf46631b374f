package ical_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"entente.example/entente/internal/ical"
)

// unfold undoes Fold, as a reader does (RFC 5545 3.1).
func unfold(s string) string { return strings.ReplaceAll(s, "\r\n ", "") }

func checkFolded(t *testing.T, in string, out []byte) {
	t.Helper()
	s := string(out)
	if !strings.HasSuffix(s, "\r\n") {
		t.Fatalf("no CRLF at the end: %q", s)
	}
	for _, l := range strings.Split(strings.TrimSuffix(s, "\r\n"), "\r\n") {
		if len(l) > 75 {
			t.Errorf("line of %d octets: %q", len(l), l)
		}
		if utf8.ValidString(in) && !utf8.ValidString(strings.TrimPrefix(l, " ")) {
			t.Errorf("line splits a character: %q", l)
		}
	}
	if got := strings.TrimSuffix(unfold(s), "\r\n"); got != in {
		t.Errorf("unfolds to %q, want %q", got, in)
	}
}

// TestFold folds ASCII, three-octet and four-octet characters at every
// length around the limit: no line passes 75 octets, none splits a
// character, and unfolding gives the line back.
func TestFold(t *testing.T) {
	for _, unit := range []string{"a", "é", "—", "🌏", "Rapat ASEAN–Australia "} {
		for n := 60; n < 200; n++ {
			in := "SUMMARY:" + strings.Repeat(unit, n)
			checkFolded(t, in, ical.Fold(nil, in))
		}
	}
}

func FuzzFold(f *testing.F) {
	for _, s := range []string{"", "SUMMARY:x", strings.Repeat("é", 80), strings.Repeat("🌏a", 50)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.Contains(s, "\r\n ") || !utf8.ValidString(s) {
			return // not a content line: Text and clean keep line breaks out
		}
		checkFolded(t, s, ical.Fold(nil, s))
	})
}

// FuzzText escapes what a person typed: the result holds no line break and
// no unescaped ; or , and reads back as the input.
func FuzzText(f *testing.F) {
	f.Add("Forum; ASEAN, Australia\\n\nline")
	f.Fuzz(func(t *testing.T, s string) {
		e := ical.Text(s)
		if strings.ContainsAny(e, "\r\n") {
			t.Fatalf("%q escapes to a line break: %q", s, e)
		}
		var back strings.Builder
		for i := 0; i < len(e); i++ {
			c := e[i]
			if c == ';' || c == ',' {
				t.Fatalf("unescaped %q in %q", c, e)
			}
			if c == '\\' {
				i++
				if i == len(e) {
					t.Fatalf("dangling backslash in %q", e)
				}
				switch e[i] {
				case 'n':
					back.WriteByte('\n')
				case '\\', ';', ',':
					back.WriteByte(e[i])
				default:
					t.Fatalf("unknown escape \\%c in %q", e[i], e)
				}
				continue
			}
			back.WriteByte(c)
		}
		want := strings.Map(func(r rune) rune {
			switch {
			case r == '\r':
				return '\n'
			case r == '\t':
				return ' '
			case r < 0x20 && r != '\n' || r == 0x7f:
				return -1
			}
			return r
		}, strings.ReplaceAll(s, "\r\n", "\n"))
		if back.String() != want {
			t.Fatalf("%q reads back as %q, want %q", s, back.String(), want)
		}
	})
}

func TestTextEscapes(t *testing.T) {
	got := ical.Text("a\\b;c,d\r\ne\nf")
	if want := `a\\b\;c\,d\ne\nf`; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestOffset(t *testing.T) {
	for sec, want := range map[int]string{0: "+0000", 7 * 3600: "+0700", 11 * 3600: "+1100", -(3*3600 + 1800): "-0330", 25632: "+070712"} {
		if got := ical.Offset(sec); got != want {
			t.Errorf("Offset(%d) = %s, want %s", sec, got, want)
		}
	}
}

// TestCalendar writes a feed with a zone that has daylight saving and one
// that has none, and checks the parts calendar programs depend on.
func TestCalendar(t *testing.T) {
	syd, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		t.Fatal(err)
	}
	jkt, err := time.LoadLocation("Asia/Jakarta")
	if err != nil {
		t.Fatal(err)
	}
	stamp := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	start := time.Date(2026, 12, 10, 9, 0, 0, 0, syd)
	c := ical.Calendar{ProdID: "-//Entente//n1.example//EN", Method: ical.MethodPublish, Name: "KBRI, Canberra", Events: []ical.Event{
		{UID: "e1@n1.example", Stamp: stamp, Start: start, End: start.Add(2 * time.Hour), Zone: syd, Sequence: 2, Summary: "Forum; one", Organizer: ical.Person{Name: `KBRI "Canberra"`, Email: "kbri@n1.example"}},
		{UID: "e2@n1.example", Stamp: stamp, Start: start, End: start.Add(time.Hour), Zone: jkt, Cancelled: true, Summary: "Two"},
		{UID: "e3@n1.example", Stamp: stamp, Start: start, Summary: "Three"},
	}}
	s := string(c.Bytes())
	for _, want := range []string{
		"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Entente//n1.example//EN\r\nCALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\nX-WR-CALNAME:KBRI\\, Canberra\r\n",
		"BEGIN:VTIMEZONE\r\nTZID:Asia/Jakarta\r\nBEGIN:STANDARD\r\nDTSTART:19640101T000000\r\nTZOFFSETFROM:+0730\r\nTZOFFSETTO:+0700\r\nTZNAME:WIB\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n",
		"BEGIN:DAYLIGHT\r\nDTSTART:20261004T020000\r\nTZOFFSETFROM:+1000\r\nTZOFFSETTO:+1100\r\nTZNAME:AEDT\r\nEND:DAYLIGHT\r\n",
		"BEGIN:STANDARD\r\nDTSTART:20260405T030000\r\nTZOFFSETFROM:+1100\r\nTZOFFSETTO:+1000\r\nTZNAME:AEST\r\nEND:STANDARD\r\n",
		"UID:e1@n1.example\r\nDTSTAMP:20261101T000000Z\r\nDTSTART;TZID=Australia/Sydney:20261210T090000\r\nDTEND;TZID=Australia/Sydney:20261210T110000\r\nSEQUENCE:2\r\nSTATUS:CONFIRMED\r\nSUMMARY:Forum\\; one\r\n",
		"ORGANIZER;CN=\"KBRI Canberra\":mailto:kbri@n1.example\r\n",
		"DTSTART;TZID=Asia/Jakarta:20261210T050000\r\n",
		"STATUS:CANCELLED\r\n",
		"UID:e3@n1.example\r\nDTSTAMP:20261101T000000Z\r\nDTSTART:20261209T220000Z\r\n",
		"END:VCALENDAR\r\n",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("calendar lacks %q:\n%s", want, s)
		}
	}
	if strings.Count(s, "BEGIN:VTIMEZONE") != 2 {
		t.Errorf("want one VTIMEZONE per zone:\n%s", s)
	}
	if strings.Contains(strings.ReplaceAll(s, "\r\n", ""), "\n") {
		t.Error("a bare LF")
	}
}
