package publicdiplomacy

import (
	"context"
	"fmt"
	"strings"
	"time"
	_ "time/tzdata" // the zones must not depend on the host's tz database

	"entente.example/entente/core"
)

// Time zones of the newsroom. A message's time is written in a zone the
// writer chooses (by default the organisation's country's), stored in
// UTC, and shown in that zone with UTC beside it: a press office in
// Jakarta plans in Jakarta time, its partners in Canberra read theirs.

// TimeZones are the zones the newsroom's form offers: UTC, Indonesia's
// three, its neighbours' and partners'.
var TimeZones = []string{
	"UTC", "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura", "Asia/Singapore", "Asia/Kuala_Lumpur", "Asia/Bangkok",
	"Asia/Manila", "Asia/Tokyo", "Australia/Sydney", "Australia/Perth", "Europe/Brussels", "America/New_York",
}

// countryZones are the main zone of the countries whose organisations use
// the node; any other country plans in UTC.
var countryZones = map[string]string{"ID": "Asia/Jakarta", "AU": "Australia/Sydney", "SG": "Asia/Singapore"}

// ValidTimeZone reports whether the form offers the zone.
func ValidTimeZone(name string) bool {
	for _, z := range TimeZones {
		if z == name {
			return true
		}
	}
	return false
}

// CountryZone is a country's (ISO 3166 alpha-2) main zone, else UTC.
func CountryZone(country string) string {
	if z, ok := countryZones[strings.ToUpper(country)]; ok {
		return z
	}
	return "UTC"
}

// zoneLoc is a zone offered by the form; anything else (and "") is UTC.
func zoneLoc(name string) *time.Location {
	if name == "" || name == "UTC" || !ValidTimeZone(name) {
		return time.UTC
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return time.UTC
	}
	return loc
}

// zoneKey is the message key of a zone's name: pd.tz.asia_jakarta.
func zoneKey(name string) string {
	if name == "" {
		name = "UTC"
	}
	return "pd.tz." + strings.ToLower(strings.ReplaceAll(name, "/", "_"))
}

// ZoneChoice is one option of the form's zone: its name, the key of its
// words and its offset from UTC now ("UTC+7").
type ZoneChoice struct {
	Name, Key, Offset string
}

// zoneChoices are the form's options, with their offsets at t.
func zoneChoices(t time.Time) []ZoneChoice {
	out := make([]ZoneChoice, 0, len(TimeZones))
	for _, z := range TimeZones {
		out = append(out, ZoneChoice{Name: z, Key: zoneKey(z), Offset: utcOffset(t.In(zoneLoc(z)))})
	}
	return out
}

// utcOffset is t's offset as people write it: UTC+7, UTC+9:30, UTC−5.
func utcOffset(t time.Time) string {
	_, off := t.Zone()
	if off == 0 {
		return "UTC"
	}
	sign := "+"
	if off < 0 {
		sign, off = "−", -off
	}
	h, m := off/3600, off%3600/60
	if m != 0 {
		return fmt.Sprintf("UTC%s%d:%02d", sign, h, m)
	}
	return fmt.Sprintf("UTC%s%d", sign, h)
}

// Zoned is a moment in a message's zone, for the pages: the local date and
// time (Local), the key of the zone's name and its offset then; IsUTC when
// the zone is UTC, which the pages show once.
type Zoned struct {
	At           time.Time
	Local, Clock string
	Key, Offset  string
	IsUTC        bool
}

// zonedIn renders t in the zone for people reading lang: "7 March 2026,
// 09:00" (09.00 in Bahasa Indonesia).
func zonedIn(lang string, t time.Time, zone string) Zoned {
	loc := zoneLoc(zone)
	l := t.In(loc)
	z := Zoned{At: t, Key: zoneKey(zone), Offset: utcOffset(l), IsUTC: loc == time.UTC, Clock: clockOf(lang, &l)}
	z.Local = fmt.Sprintf("%d %s %d, %s", l.Day(), calMonth(lang, l.Month()), l.Year(), z.Clock)
	return z
}

// parseScheduleIn reads the form's time in the zone chosen; see
// parseSchedule.
func parseScheduleIn(s, zone string, now time.Time, field string, p core.Problems) *time.Time {
	t := parseScheduleLoc(s, zoneLoc(zone), now, field, p)
	if t != nil {
		u := t.UTC()
		return &u
	}
	return nil
}

// OrgZone is the main zone of an organisation's country: what the form
// offers first.
func (s *Service) OrgZone(ctx context.Context, orgID string) string {
	var country string
	if err := s.db.R().Get(ctx, &country, `SELECT country FROM organisations WHERE id = ?`, orgID); err != nil {
		return "UTC"
	}
	return CountryZone(country)
}
