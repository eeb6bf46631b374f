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
