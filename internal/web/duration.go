package web

import "time"

// Duration renders a response time for people in lang: seconds, minutes or
// hours ("2h 05m", "2 jam 05 menit").
func (c Catalog) Duration(lang string, d time.Duration) string {
	switch d = d.Round(time.Second); {
	case d < time.Minute:
		return c.T(lang, "dur.s", int(d.Seconds()))
	case d < time.Hour:
		return c.T(lang, "dur.ms", int(d.Minutes()), int(d.Seconds())%60)
	}
	return c.T(lang, "dur.hm", int(d.Hours()), int(d.Minutes())%60)
}

// Until renders the time left before t (or past it) in lang, in hours and
// minutes, or days and hours from two days on, for deadline clocks.
func (c Catalog) Until(lang string, now, t time.Time) string {
	d := t.Sub(now).Round(time.Minute)
	if d < 0 {
		d = -d
	}
	h := int(d.Hours())
	if h >= 48 {
		return c.T(lang, "dur.dh", h/24, h%24)
	}
	return c.T(lang, "dur.hm", h, int(d.Minutes())%60)
}
