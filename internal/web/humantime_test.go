package web

import (
	"testing"
	"time"
)

func TestHumanTime(t *testing.T) {
	at := time.Date(2026, 12, 7, 14, 5, 59, 0, time.FixedZone("WIB", 7*3600))
	var none *time.Time
	tests := []struct {
		lang string
		in   any
		want string
	}{
		{"en", at, "7 Dec 2026, 07:05 UTC"},
		{"id", at, "7 Des 2026, 07.05 UTC"},
		{"en", &at, "7 Dec 2026, 07:05 UTC"},
		{"id", "2026-05-01T23:59:00.123456Z", "1 Mei 2026, 23.59 UTC"},
		{"en", "2026-08-17T10:00:00Z", "17 Aug 2026, 10:00 UTC"},
		{"id", "2026-08-17T10:00:00.000Z", "17 Agu 2026, 10.00 UTC"},
		{"en", "not a time", "not a time"},
		{"en", time.Time{}, ""},
		{"en", none, ""},
		{"en", "", ""},
	}
	for _, tt := range tests {
		if got := HumanTime(tt.lang, tt.in); got != tt.want {
			t.Errorf("HumanTime(%s, %v) = %q, want %q", tt.lang, tt.in, got, tt.want)
		}
	}
	if got := MachineTime("2026-08-17T10:00:00.000000Z"); got != "2026-08-17T10:00:00Z" {
		t.Errorf("MachineTime = %q", got)
	}
}
