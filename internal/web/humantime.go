package web

import (
	"fmt"
	"strings"
	"time"
)

// monthNames are the short month names people read in each language.
var monthNames = map[string][12]string{
	"en": {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"},
	"id": {"Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"},
}

// stampLayouts are the textual forms a moment arrives in when a view holds a
// string rather than a time.Time (STIX properties, stored stamps).
var stampLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.000000Z", "2006-01-02T15:04:05Z07:00", "2006-01-02 15:04:05Z07:00", "2006-01-02"}

// HumanTime renders a moment for people in lang, to the minute, with its time
// zone: "7 Dec 2026, 14:05 UTC" in English, "7 Des 2026, 14.05 UTC" in
// Bahasa Indonesia (which separates hours and minutes with a dot). It takes a
// time.Time, a *time.Time or a timestamp string; the zero time and nil give
// "", and a string that is not a timestamp is returned as it is.
func HumanTime(lang string, v any) string {
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		t = x
	case *time.Time:
		if x == nil {
			return ""
		}
		t = *x
	case string:
		s := strings.TrimSpace(x)
		if s == "" {
			return ""
		}
		ok := false
		for _, l := range stampLayouts {
			if p, err := time.Parse(l, s); err == nil {
				t, ok = p, true
				break
			}
		}
		if !ok {
			return x
		}
	case nil:
		return ""
	default:
		return fmt.Sprint(v)
	}
	if t.IsZero() {
		return ""
	}
	t = t.UTC()
	names, ok := monthNames[lang]
	if !ok {
		names = monthNames["en"]
	}
	sep := ":"
	if lang == "id" {
		sep = "."
	}
	return fmt.Sprintf("%d %s %d, %02d%s%02d UTC", t.Day(), names[t.Month()-1], t.Year(), t.Hour(), sep, t.Minute())
}

// MachineTime renders a moment for a <time datetime> attribute (RFC 3339,
// UTC); it takes what HumanTime takes.
func MachineTime(v any) string {
	switch x := v.(type) {
	case time.Time:
		if x.IsZero() {
			return ""
		}
		return x.UTC().Format(time.RFC3339)
	case *time.Time:
		if x == nil || x.IsZero() {
			return ""
		}
		return x.UTC().Format(time.RFC3339)
	case string:
		for _, l := range stampLayouts {
			if p, err := time.Parse(l, strings.TrimSpace(x)); err == nil {
				return p.UTC().Format(time.RFC3339)
			}
		}
	}
	return ""
}
