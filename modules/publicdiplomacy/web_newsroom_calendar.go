package publicdiplomacy

import (
	"fmt"
	"net/http"
	"time"

	"entente.example/entente/internal/web"
)

// The calendar of what goes out when: a week or a month of days, Monday
// first, each with the messages published, scheduled or planned on it.
// It is a table (days as cells under the weekdays' headers), which a phone
// shows as a list of the days that have something. A message is on its
// day and at its time in the zone it was planned in, which is named, with
// the time in UTC beside it.

const (
	dayLayout   = "2006-01-02"
	monthLayout = "2006-01"
)

type calendar struct {
	Month bool   // a month's grid, else a week
	Label string // "March 2026", "2–8 March 2026"
	Weeks [][]calDay
	// Prev and Next are the query of the neighbouring period; This of
	// the other view of the same days.
	Prev, Next, Other string
	Empty             bool
	lang              string
}

type calDay struct {
	Date  time.Time
	Other bool // outside the month shown
	Today bool
	Items []Message
}

// mondayOf is the Monday of t's week (UTC).
func mondayOf(t time.Time) time.Time {
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return d.AddDate(0, 0, -((int(d.Weekday()) + 6) % 7))
}

// calendar builds the calendar of a week (at, a day in it, YYYY-MM-DD) or
// a month (at, YYYY-MM); a value that is not one is the current period.
func (m *Module) calendar(r *http.Request, view, at string) (calendar, error) {
	now := m.svc.Now().UTC()
	lang := web.Lang(r.Context())
	c := calendar{lang: lang}
	var from, to, first time.Time
	if view == "month" {
		c.Month = true
		t, err := time.Parse(monthLayout, at)
		if err != nil {
			t = time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
		}
		first = t
		from, to = mondayOf(t), mondayOf(t.AddDate(0, 1, 6))
		c.Label = fmt.Sprintf("%s %d", calMonth(lang, t.Month()), t.Year())
		c.Prev, c.Next = "month="+t.AddDate(0, -1, 0).Format(monthLayout), "month="+t.AddDate(0, 1, 0).Format(monthLayout)
		week := mondayOf(t)
		if t.Year() == now.Year() && t.Month() == now.Month() {
			week = mondayOf(now)
		}
		c.Other = "week=" + week.Format(dayLayout)
	} else {
		t, err := time.Parse(dayLayout, at)
		if err != nil {
			t = now
		}
		from = mondayOf(t)
		to = from.AddDate(0, 0, 7)
		last := to.AddDate(0, 0, -1)
		c.Label = calRange(lang, from, last)
		c.Prev, c.Next = "week="+from.AddDate(0, 0, -7).Format(dayLayout), "week="+to.Format(dayLayout)
		c.Other = "month=" + from.Format(monthLayout)
	}
	// A message planned in another zone may fall on a shown day while its
	// UTC time is up to fourteen hours outside the period.
	msgs, err := m.svc.Calendar(r.Context(), from.Add(-14*time.Hour), to.Add(14*time.Hour))
	if err != nil {
		return c, err
	}
	byDay := map[string][]Message{}
	for _, msg := range msgs {
		if w := msg.When(); w != nil {
			k := w.In(zoneLoc(msg.Lead().TimeZone)).Format(dayLayout)
			byDay[k] = append(byDay[k], msg)
		}
	}
	c.Empty = true
	today := now.Format(dayLayout)
	for d := from; d.Before(to); d = d.AddDate(0, 0, 7) {
		var week []calDay
		for i := range 7 {
			day := d.AddDate(0, 0, i)
			k := day.Format(dayLayout)
			week = append(week, calDay{Date: day, Today: k == today, Items: byDay[k], Other: c.Month && day.Month() != first.Month()})
			if len(byDay[k]) > 0 {
				c.Empty = false
			}
		}
		c.Weeks = append(c.Weeks, week)
	}
	return c, nil
}

// calMonths are the months' names as people write them.
var calMonths = map[string][12]string{
	"en": {"January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"},
	"id": {"Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober", "November", "Desember"},
}

// calDays are the weekdays' names, Monday first.
var calDays = map[string][7]string{
	"en": {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"},
	"id": {"Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"},
}

func calMonth(lang string, m time.Month) string {
	n, ok := calMonths[lang]
	if !ok {
		n = calMonths["en"]
	}
	return n[m-1]
}

// dayRange is a week as people say it: "2–8 March 2026", "28 February –
// 6 March 2026", "29 December 2025 – 4 January 2026".
func calRange(lang string, a, b time.Time) string {
	switch {
	case a.Year() != b.Year():
		return fmt.Sprintf("%d %s %d – %d %s %d", a.Day(), calMonth(lang, a.Month()), a.Year(), b.Day(), calMonth(lang, b.Month()), b.Year())
	case a.Month() != b.Month():
		return fmt.Sprintf("%d %s – %d %s %d", a.Day(), calMonth(lang, a.Month()), b.Day(), calMonth(lang, b.Month()), b.Year())
	}
	return fmt.Sprintf("%d–%d %s %d", a.Day(), b.Day(), calMonth(lang, a.Month()), a.Year())
}

type calendarView struct {
	web.Page
	Cal calendar
}

// Weekdays are the columns' headers, Monday first.
func (c calendar) Weekdays() []string { return calWeekdays(c.lang) }

// DayName is a day as a phone's list shows it: "Monday 2 March".
func (c calendar) DayName(t time.Time) string { return calDayName(c.lang, t) }

// Zoned is when a message goes out, in the zone it was planned in.
func (c calendar) Zoned(msg Message) Zoned {
	w := msg.When()
	if w == nil {
		return Zoned{IsUTC: true}
	}
	return zonedIn(c.lang, *w, msg.Lead().TimeZone)
}

// UTCClock is when a message goes out, in UTC: 14:05, or 14.05 in Bahasa
// Indonesia.
func (c calendar) UTCClock(msg Message) string {
	w := msg.When()
	if w == nil {
		return ""
	}
	u := w.UTC()
	return clockOf(c.lang, &u)
}

// LangName names a language in the page's language.
func (c calendar) LangName(code string) string { return langName(code, c.lang) }

func calWeekdays(lang string) []string {
	n, ok := calDays[lang]
	if !ok {
		n = calDays["en"]
	}
	return n[:]
}

func calDayName(lang string, t time.Time) string {
	return fmt.Sprintf("%s %d %s", calWeekdays(lang)[(int(t.Weekday())+6)%7], t.Day(), calMonth(lang, t.Month()))
}

func clockOf(lang string, t *time.Time) string {
	if t == nil {
		return ""
	}
	sep := ":"
	if lang == "id" {
		sep = "."
	}
	return fmt.Sprintf("%02d%s%02d", t.Hour(), sep, t.Minute())
}

func (m *Module) calendarPage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	view, at := "month", q.Get("month")
	if wk := q.Get("week"); wk != "" {
		view, at = "week", wk
	}
	v := calendarView{Page: m.web.Page(r, "title.pd_calendar")}
	v.Nav = "newsroom"
	var err error
	if v.Cal, err = m.calendar(r, view, at); err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "pd_calendar", v)
}
