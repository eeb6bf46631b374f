package main

import (
	"context"
	"net/url"
	"strings"
	"testing"
)

// TestDemoEvents loads the demo's events on a single demo node and goes
// through them as the public, a registered person and the organiser: the
// embassy's public page without signing in (within the page budget), a
// sign-up without an account and its cancel link, the forum's waiting
// list, the calendar file and the organisation's public feed.
func TestDemoEvents(t *testing.T) {
	n, base, pw := demoNode(t)
	ctx := context.Background()
	if err := demoEvents(ctx, []*node{n}); err != nil {
		t.Fatal(err)
	}
	id := func(title string) string {
		var id string
		if err := n.db.R().Get(ctx, &id, `SELECT id FROM ev_events WHERE title LIKE ?`, title+"%"); err != nil {
			t.Fatal(err)
		}
		return id
	}
	evening, forum, briefing := id("Malam Budaya"), id("ASEAN–Australia Digital"), id("Briefing on the ASEAN")

	anon := login(t, base, "", "")
	r := anon.get("/events/" + evening)
	wantStatus(t, r, 200)
	wantContains(t, r, "Malam Budaya Indonesia", "Australia/Sydney", "8 Darwin Avenue", `name="email"`, "/events/"+evening+"/event.ics")
	if size := gzipSize(t, []byte(r.Body)); size > 14*1024 {
		t.Errorf("the public event page is %d bytes compressed, over 14 KB", size)
	}
	wantStatus(t, anon.get("/events/"+briefing), 404)
	r = anon.post("/events/"+evening+"/register", url.Values{"name": {"Ayu"}, "email": {"not-an-address"}})
	wantStatus(t, r, 422)
	wantContains(t, r, `value="Ayu"`)
	r = anon.post("/events/"+evening+"/register", url.Values{"name": {"Ayu"}, "email": {"ayu@example.org"}})
	wantStatus(t, r, 303)
	link := r.Header.Get("Location")
	if !strings.HasPrefix(link, "/event-registrations/") {
		t.Fatalf("after signing up: %q", link)
	}
	wantContains(t, anon.get(link), "ayu@example.org")
	wantStatus(t, anon.post(link+"/cancel", nil), 303)

	cal := anon.get("/events/" + evening + "/event.ics")
	wantStatus(t, cal, 200)
	if ct := cal.Header.Get("Content-Type"); ct != "text/calendar; charset=utf-8" {
		t.Fatalf("content type %q", ct)
	}
	wantContains(t, cal, "BEGIN:VCALENDAR\r\n", "TZID:Australia/Sydney", "UID:"+evening+"@")
	feed := anon.get("/event-feeds/orgs/kemlu/calendar.ics")
	wantStatus(t, feed, 200)
	wantContains(t, feed, "UID:"+evening+"@", "UID:"+forum+"@")
	if strings.Contains(feed.Body, briefing) {
		t.Error("the public feed holds the ministry's own briefing")
	}

	// The forum is full: a signed-in person joins the waiting list.
	olivia := login(t, base, "olivia@dfat-au.demo", pw)
	wantContains(t, olivia.get("/events/"+forum), "0 of 5 places left", "2 on the waiting list")
	wantStatus(t, olivia.post("/events/"+forum+"/register", nil), 303)
	wantContains(t, olivia.get("/events/"+forum), "number 3 on the waiting list")
	wantContains(t, olivia.get("/events"), "ASEAN–Australia Digital Trade")

	bima := login(t, base, "bima@kemlu.demo", pw)
	regs := bima.get("/events/" + forum + "/registrations")
	wantStatus(t, regs, 200)
	wantContains(t, regs, "grace@payments.example", "5 terdaftar, 3 menunggu")
	wantStatus(t, olivia.get("/events/"+forum+"/registrations"), 403)
	wantContains(t, bima.get("/events/"+briefing), "bab aliran data")
	r = bima.post("/events/feed", nil)
	wantStatus(t, r, 200)
	i := strings.Index(r.Body, "/event-feeds/")
	if i < 0 {
		t.Fatal("no feed address after making one")
	}
	addr := r.Body[i : i+strings.Index(r.Body[i:], `"`)]
	own := anon.get(addr)
	wantStatus(t, own, 200)
	wantContains(t, own, "UID:"+briefing+"@")
}

// TestEventFormAndAPI organises an event through the form (a bad one comes
// back with what was typed and the field named) and through the API, where
// a person registers, waits, and the organiser reads the registrations.
func TestEventFormAndAPI(t *testing.T) {
	_, base, pw := demoNode(t)
	bima := login(t, base, "bima@kemlu.demo", pw)
	bad := url.Values{"org": {"kemlu"}, "kind": {"briefing"}, "title": {"Pengarahan siber"}, "zone": {"Mars/Olympus"}, "audience": {"org"},
		"venue_name": {"Gedung Pancasila"}, "start_date": {"2027-03-01"}, "start_time": {"09:00"}, "end_date": {"2027-03-01"}, "end_time": {"08:00"},
		"agenda": {"9am | Opening"}}
	r := bima.post("/events", bad)
	wantStatus(t, r, 422)
	wantContains(t, r, `value="Pengarahan siber"`, `value="Mars/Olympus"`, `href="#zone"`, `href="#agenda"`, "9am | Opening")
	good := url.Values{}
	for k, v := range bad {
		good[k] = v
	}
	good.Set("zone", "Asia/Jakarta")
	good.Set("end_time", "11:00")
	good.Set("agenda", "09:00 | Pembukaan | Sari\n10:00 | Diskusi")
	good.Set("capacity", "1")
	good.Set("registration_open", "on")
	r = bima.post("/events", good)
	wantStatus(t, r, 303)
	page := bima.get(r.Header.Get("Location"))
	wantContains(t, page, "Pembukaan", "Asia/Jakarta", "1 Mar 2027, 09.00 WIB")

	olivia := login(t, base, "olivia@dfat-au.demo", pw)
	tok := apiToken(t, bima)
	r = bima.api("POST", "/api/v1/events", tok, map[string]any{"org": "kemlu", "kind": "meeting", "title": "Consultations", "zone": "Australia/Sydney",
		"start": "2027-02-01T23:00:00Z", "end": "2027-02-02T01:00:00Z", "audience": "invited", "invited": []string{"dfat-au@" + strings.TrimPrefix(base, "http://")},
		"online_url": "https://meet.example/c", "capacity": 1, "registration_open": true})
	wantStatus(t, r, 201)
	ev := decode[struct {
		ID       string `json:"id"`
		Sequence int    `json:"sequence"`
	}](t, r)
	otok := apiToken(t, olivia)
	r = olivia.api("POST", "/api/v1/events/"+ev.ID+"/registration", otok, nil)
	wantStatus(t, r, 201)
	wantContains(t, r, `"state":"registered"`)
	sari := login(t, base, "sari@kemlu.demo", pw)
	r = sari.api("POST", "/api/v1/events/"+ev.ID+"/registration", apiToken(t, sari), nil)
	wantStatus(t, r, 201)
	wantContains(t, r, `"state":"waitlisted"`, `"waiting_position":1`)
	wantStatus(t, olivia.api("GET", "/api/v1/events/"+ev.ID+"/registrations", otok, nil), 403)
	r = bima.api("GET", "/api/v1/events/"+ev.ID+"/registrations", tok, nil)
	wantStatus(t, r, 200)
	wantContains(t, r, "olivia@dfat-au.demo", "sari@kemlu.demo")
	wantStatus(t, olivia.api("DELETE", "/api/v1/events/"+ev.ID+"/registration", otok, nil), 204)
	r = bima.api("GET", "/api/v1/events/"+ev.ID+"/registrations", tok, nil)
	if !strings.Contains(r.Body, `"email":"sari@kemlu.demo","state":"registered"`) {
		t.Fatalf("the first on the list did not get the freed place: %s", r.Body)
	}
	r = bima.api("POST", "/api/v1/events/"+ev.ID+"/cancel", tok, map[string]any{"reason": "Rescheduled."})
	wantStatus(t, r, 200)
	wantContains(t, r, `"status":"cancelled"`, `"sequence":1`)
}
