package dialogue_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/store/storetest"
)

// icalendarPython finds a python3 with Debian's python3-icalendar:
// ENTENTE_TEST_ICALENDAR, else /usr/bin/python3 when it has the module.
// Without one the test skips, and fails under ENTENTE_TEST_STRICT=1.
func icalendarPython(t *testing.T) string {
	t.Helper()
	py := os.Getenv("ENTENTE_TEST_ICALENDAR")
	if py == "" {
		py = "/usr/bin/python3"
	}
	if err := exec.Command(py, "-c", "import icalendar").Run(); err != nil {
		if os.Getenv("ENTENTE_TEST_STRICT") == "1" {
			t.Fatalf("ENTENTE_TEST_STRICT=1 but %s cannot import icalendar (apt-get install python3-icalendar, or set ENTENTE_TEST_ICALENDAR): %v", py, err)
		}
		t.Skipf("SKIPPING the iCalendar read-back: %s cannot import icalendar (apt-get install python3-icalendar)", py)
	}
	return py
}

// readBack is the independent reader: python3-icalendar parses the feed;
// each VEVENT's UID, SEQUENCE, STATUS and DTSTART (its TZID resolved to
// an instant) must be what was written, and every VTIMEZONE observance
// must agree with Python's own zone database about the offsets on both
// sides of its onset.
const readBack = `
import json, sys
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo
import icalendar
cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
want = json.load(open(sys.argv[2]))
assert str(cal['VERSION']) == '2.0', cal['VERSION']
assert str(cal['METHOD']) == 'PUBLISH'
seen = {}
for ev in cal.walk('VEVENT'):
    uid = str(ev['UID'])
    dt = ev['DTSTART'].dt
    assert dt.tzinfo is not None, (uid, 'floating DTSTART')
    seen[uid] = {'sequence': int(ev['SEQUENCE']), 'status': str(ev['STATUS']), 'start': dt.astimezone(timezone.utc).strftime('%Y-%m-%dT%H:%M:%SZ'),
                 'tzid': ev['DTSTART'].params.get('TZID', ''), 'summary': str(ev['SUMMARY']), 'description': str(ev.get('DESCRIPTION', ''))}
for uid, w in want.items():
    g = seen.get(uid)
    assert g is not None, ('missing', uid, sorted(seen))
    for k, v in w.items():
        assert g[k] == v, (uid, k, g[k], v)
zones = 0
for tz in cal.walk('VTIMEZONE'):
    name = str(tz['TZID'])
    zi = ZoneInfo(name)
    for ob in tz.subcomponents:
        onset = ob['DTSTART'].dt
        frm = ob['TZOFFSETFROM'].td
        to = ob['TZOFFSETTO'].td
        if onset.year < 1971:
            continue
        instant = (onset - frm).replace(tzinfo=timezone.utc)
        assert instant.astimezone(zi).utcoffset() == to, (name, onset, to)
        assert (instant - timedelta(seconds=1)).astimezone(zi).utcoffset() == frm, (name, onset, frm)
        zones += 1
assert zones > 0
print('ok', len(seen), 'events', zones, 'observances')
`

// TestEventFeedIndependentParser writes an organisation's feed — an event
// in Sydney's zone during daylight saving, updated to a higher SEQUENCE,
// with non-ASCII text and a line long enough to fold; a cancelled one;
// one in Jakarta's zone — and has python3-icalendar read it back.
func TestEventFeedIndependentParser(t *testing.T) {
	py := icalendarPython(t)
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		n := newEventNode(t, e)
		n.Org(t, "kbri", core.OrgStateMinistry, "ID", "KBRI Canberra")
		org := n.As("Sari", "kbri", core.RoleOfficer)
		in := forum(10)
		in.Title = "Forum Perdagangan Digital ASEAN–Australia: «e-commerce» & investasi; pembayaran, data"
		in.Description = strings.Repeat("Perdagangan elektronik lintas batas — ekonomi digital Indonesia 🌏, ", 6) + "\nbaris kedua; dengan koma, titik koma\\garis miring"
		ev, err := n.ev.Create(org, "kbri", in)
		if err != nil {
			t.Fatal(err)
		}
		in.Start, in.End = in.Start.Add(24*time.Hour), in.End.Add(24*time.Hour)
		if ev, err = n.ev.Update(org, ev.ID, in); err != nil || ev.Sequence != 1 {
			t.Fatalf("update: %d, %v", ev.Sequence, err)
		}
		gone, err := n.ev.Create(org, "kbri", forum(0))
		if err != nil {
			t.Fatal(err)
		}
		if gone, err = n.ev.Cancel(org, gone.ID, "Postponed to next year."); err != nil {
			t.Fatal(err)
		}
		jkt := forum(0)
		jkt.Title, jkt.Zone = "Pengarahan di Jakarta", "Asia/Jakarta"
		jkt.Start, jkt.End = time.Date(2027, 1, 15, 2, 0, 0, 0, time.UTC), time.Date(2027, 1, 15, 4, 0, 0, 0, time.UTC)
		third, err := n.ev.Create(org, "kbri", jkt)
		if err != nil {
			t.Fatal(err)
		}
		cal, err := n.ev.OrgFeed(n.As("x", "kbri", core.RoleMember), "kbri")
		if err != nil {
			t.Fatal(err)
		}
		b := cal.Bytes()
		folded := false
		for _, l := range strings.Split(string(b), "\r\n") {
			if len(l) > 75 {
				t.Fatalf("a line of %d octets", len(l))
			}
			folded = folded || strings.HasPrefix(l, " ")
		}
		if !folded {
			t.Fatal("no line was folded: the test does not test folding")
		}
		host := strings.Split(n.Host, ":")[0]
		utc := func(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }
		want := map[string]map[string]any{
			ev.ID + "@" + host:    {"sequence": 1, "status": "CONFIRMED", "start": utc(in.Start), "tzid": "Australia/Sydney", "summary": in.Title, "description": in.Description},
			gone.ID + "@" + host:  {"sequence": 1, "status": "CANCELLED", "start": utc(gone.Start), "tzid": "Australia/Sydney"},
			third.ID + "@" + host: {"sequence": 0, "status": "CONFIRMED", "start": utc(jkt.Start), "tzid": "Asia/Jakarta"},
		}
		dir := t.TempDir()
		feed, expect := filepath.Join(dir, "feed.ics"), filepath.Join(dir, "want.json")
		wj, _ := json.Marshal(want)
		if err := os.WriteFile(feed, b, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(expect, wj, 0o600); err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(py, "-c", readBack, feed, expect).CombinedOutput()
		if err != nil {
			t.Fatalf("python3-icalendar: %v\n%s\n%s", err, out, b)
		}
		t.Logf("%s", out)
	})
}
