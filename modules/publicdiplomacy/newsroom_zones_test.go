package publicdiplomacy

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/store/storetest"
)

// TestNewsroomTimeZones: the form offers the organisation's country's
// zone first (Jakarta for an Indonesian ministry), reads the time in the
// zone chosen — 09:00 in Jakarta is stored as 02:00 UTC — and keeps the
// choice when it comes back; a zone it does not offer is named as the
// field's problem. The message page, its edit form and the calendar show
// the time in that zone, named, with UTC beside it.
func TestNewsroomTimeZones(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newNRWorld(t, e)
		w.org(t, "kemlu", "Ministry of Foreign Affairs")
		acc := w.account(t, "kemlu", "kemlu")
		bima := w.person(t, "bima@kemlu.example", "Bima", "kemlu", core.RoleOfficer)

		r := bima.get(t, "/newsroom/new", "")
		nrWant(t, "the form", r, http.StatusOK)
		nrWantIn(t, "the form", r.Body, `<option value="Asia/Jakarta" selected>Jakarta (WIB) (UTC&#43;7)</option>`, `<option value="Australia/Sydney">`, `<label for="time_zone">Time zone</label>`)

		jakarta, _ := time.LoadLocation("Asia/Jakarta")
		day := w.clock.Now().In(jakarta).AddDate(0, 0, 2)
		local := time.Date(day.Year(), day.Month(), day.Day(), 9, 0, 0, 0, jakarta)
		form := url.Values{"account": {acc.ID}, "scheduled_at": {local.Format(scheduleLayout)}, "time_zone": {"Mars/Olympus"}, "content_en": {"Visa services reopen."}}
		r = bima.post(t, "/newsroom", form)
		nrWant(t, "a zone not offered", r, http.StatusUnprocessableEntity)
		nrWantIn(t, "the form again", r.Body, `href="#time_zone">Time zone: Choose one of the time zones offered.`, `value="`+local.Format(scheduleLayout)+`"`)

		form.Set("time_zone", "Asia/Jakarta")
		form.Set("content_en", "")
		r = bima.post(t, "/newsroom", form)
		nrWant(t, "a form without text", r, http.StatusUnprocessableEntity)
		nrWantIn(t, "the form again keeps the zone", r.Body, `<option value="Asia/Jakarta" selected>`)

		form.Set("content_en", "Visa services reopen.")
		r = bima.post(t, "/newsroom", form)
		nrWant(t, "a good form", r, http.StatusSeeOther)
		group := strings.TrimPrefix(r.Header.Get("Location"), "/newsroom/")
		posts, err := w.svc.Group(bima.ctx, group)
		if err != nil {
			t.Fatal(err)
		}
		got := posts[0].ScheduledAt.UTC()
		if got.Hour() != 2 || got.Minute() != 0 || !got.Equal(local) || posts[0].TimeZone != "Asia/Jakarta" {
			t.Fatalf("09:00 in Jakarta stored as %s in %q", got.Format(time.RFC3339), posts[0].TimeZone)
		}

		r = bima.get(t, "/newsroom/"+group, "")
		nrWant(t, "the message", r, http.StatusOK)
		nrWantIn(t, "the message", r.Body, local.Format("2")+" "+local.Format("January 2006")+", 09:00 Jakarta (WIB)</time> <small>(UTC&#43;7 · ", ", 02:00 UTC)</small>")

		r = bima.get(t, "/newsroom/"+group+"/edit", "")
		nrWant(t, "the edit form", r, http.StatusOK)
		nrWantIn(t, "the edit form", r.Body, `value="`+local.Format(scheduleLayout)+`"`, `<option value="Asia/Jakarta" selected>`)

		r = bima.get(t, "/newsroom/calendar?week="+local.Format(dayLayout), "")
		nrWant(t, "the calendar", r, http.StatusOK)
		nrWantIn(t, "the calendar", r.Body, "09:00 Jakarta (WIB)</time> Visa services reopen.</a> <small>02:00 UTC · @kemlu", "Each message is shown in the time zone it was planned in")
		if z := zonedIn("id", local, "Asia/Jakarta"); z.Local != local.Format("2")+" "+calMonth("id", local.Month())+" "+local.Format("2006")+", 09.00" || z.Offset != "UTC+7" || z.IsUTC {
			t.Errorf("in Bahasa Indonesia: %+v", z)
		}

		// Six in the morning in Jakarta is the evening before in UTC: the
		// calendar puts it on its Jakarta day.
		early := time.Date(day.Year(), day.Month(), day.Day(), 6, 0, 0, 0, jakarta).AddDate(0, 0, 1)
		if _, err := w.svc.CreateDraft(bima.ctx, Draft{AccountID: acc.ID, ScheduledAt: &early, TimeZone: "Asia/Jakarta", Translations: []Translation{{Language: "en", Content: "Early news."}}}); err != nil {
			t.Fatal(err)
		}
		r = bima.get(t, "/newsroom/calendar?week="+early.Format(dayLayout), "")
		cell := func(d time.Time) int { return strings.Index(r.Body, `datetime="`+d.Format(dayLayout)+`">`) }
		i, j, k := cell(early), strings.Index(r.Body, "Early news."), cell(early.AddDate(0, 0, 1))
		if i < 0 || j < i || (k >= 0 && j > k) {
			t.Errorf("the early message is not on its Jakarta day (%d %d %d)", i, j, k)
		}
	})
}
