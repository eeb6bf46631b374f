package main

import (
	"context"
	"net/url"
	"strings"
	"testing"
)

// TestDemoEconomy loads the demo's commitments and goes through them as
// Indonesia's officer and Singapore's admin: Indonesia's overdue
// commitment on its country page and home page, with the capacity need
// linked to it and the forum linked to DEFA, its unshared one hidden
// from Singapore, the API's list, create and update with their refusals
// named by field, the tracker, and a link to a kind no module resolves.
func TestDemoEconomy(t *testing.T) {
	n, base, pw := demoNode(t)
	ctx := context.Background()
	if err := demoEvents(ctx, []*node{n}); err != nil {
		t.Fatal(err)
	}
	if err := demoEconomy(ctx, []*node{n}); err != nil {
		t.Fatal(err)
	}
	var cyber string
	if err := n.db.R().Get(ctx, &cyber, `SELECT id FROM eco_commitments WHERE provision_id = 'defa.cyber'`); err != nil {
		t.Fatal(err)
	}
	var kemlu string
	if err := n.db.R().Get(ctx, &kemlu, `SELECT id FROM organisations WHERE handle = 'kemlu'`); err != nil {
		t.Fatal(err)
	}
	bima := login(t, base, "bima@kemlu.demo", pw)
	r := bima.get("/economy/countries/ID")
	wantStatus(t, r, 200)
	wantContains(t, r, "/economy/commitments/"+cyber, `name="what"`, `for="provision"`)
	wantContains(t, bima.get("/"), "/economy/commitments/"+cyber)

	// The commitment shows the capacity need that helps meet it, by its
	// title; anyone signed in sees it (the need is public), and the need
	// resolves back to the commitment for those who may read it.
	var need string
	if err := n.db.R().Get(ctx, &need, `SELECT id FROM cap_needs WHERE title LIKE 'Incident handlers%'`); err != nil {
		t.Fatal(err)
	}
	r = bima.get("/economy/commitments/" + cyber)
	wantContains(t, r, `href="/capacity/needs/`+need+`"`, "Incident handlers and a coordination platform for ASEAN DEFA")
	// And the need's page shows the commitment it helps meet.
	wantContains(t, bima.get("/capacity/needs/"+need), `href="/economy/commitments/`+cyber+`"`)
	// The forum is linked to ASEAN DEFA, not copied: the agreement's page
	// links to the event's own page.
	var forum string
	if err := n.db.R().Get(ctx, &forum, `SELECT id FROM ev_events WHERE title LIKE 'ASEAN%Forum'`); err != nil {
		t.Fatal(err)
	}
	wantContains(t, bima.get("/economy/agreements/defa"), `href="/events/`+forum+`"`, "ASEAN–Australia Digital Trade and Investment Forum")
	wantContains(t, bima.get("/economy/tracker"), "/economy/agreements/defa#defa.cyber")
	// Two agreements side by side: the others are offered, not compared.
	r = bima.get("/economy/tracker?a=depa&a=defa")
	wantContains(t, r, `value="depa" checked`, `value="defa" checked`, `value="sadea">`, "/economy/agreements/depa#depa.4.flows")
	if strings.Contains(r.Body, "/economy/agreements/sadea#") {
		t.Error("the tracker compares SADEA, which was not chosen")
	}
	for _, page := range []string{"/economy", "/economy/tracker", "/economy/agreements/depa", "/economy/countries/ID"} {
		r := bima.get(page)
		wantStatus(t, r, 200)
		if size := gzipSize(t, []byte(r.Body)); size > 14*1024 {
			t.Errorf("%s is %d bytes compressed, over 14 KB", page, size)
		}
	}

	// The HTML form keeps the input and names the field.
	r = bima.post("/economy/commitments", url.Values{"country": {"ID"}, "org": {kemlu}, "provision": {"defa/defa.flows"}, "what": {""}, "notes": {"kept"}, "status": {"not_started"}})
	wantStatus(t, r, 422)
	wantContains(t, r, `id="what-err"`, ">kept</textarea>")

	bt := apiToken(t, bima)
	weiming := login(t, base, "weiming@csa-sg.demo", pw)
	// An event for Kemlu's people only, linked to DEFA too: its page shows
	// it to them, and to Singapore's admin neither the event nor a trace.
	var briefing string
	if err := n.db.R().Get(ctx, &briefing, `SELECT id FROM ev_events WHERE title LIKE 'Briefing on the ASEAN Digital%'`); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, bima.post("/links", url.Values{"from": {"economy:agreement:defa"}, "to": {"events:event:" + briefing}, "back": {"/economy/agreements/defa"}}), 303)
	wantContains(t, bima.get("/economy/agreements/defa"), `href="/events/`+briefing+`"`)
	if r := weiming.get("/economy/agreements/defa"); strings.Contains(r.Body, briefing) || !strings.Contains(r.Body, `href="/events/`+forum+`"`) {
		t.Error("Singapore's admin sees Kemlu's internal briefing linked to DEFA, or not the public forum")
	}
	wt := apiToken(t, weiming)
	list := func(token string) int {
		r := bima.api("GET", "/api/v1/economy/commitments?country=ID", token, nil)
		wantStatus(t, r, 200)
		return len(decode[[]map[string]any](t, r))
	}
	if got, want := list(bt), 3; got != want {
		t.Errorf("Indonesia's officer lists %d of its commitments, want %d", got, want)
	}
	r = weiming.get("/economy/countries/ID")
	wantStatus(t, r, 200)
	if strings.Contains(r.Body, `id="attn"`) || !strings.Contains(r.Body, "/economy/commitments/"+cyber) {
		t.Error("Singapore's admin is asked to attend to Indonesia's overdue commitment, or does not see it")
	}
	if got, want := list(wt), 2; got != want {
		t.Errorf("Singapore lists %d of Indonesia's commitments, want the %d shared", got, want)
	}
	in := map[string]any{"org": kemlu, "agreement": "defa", "provision": "defa.sme", "what": "MSME onboarding programme", "deadline": "2027-13-01", "status": "in_progress"}
	r = bima.api("POST", "/api/v1/economy/commitments", bt, in)
	if r.StatusCode/100 != 4 || !strings.Contains(r.Body, `"deadline"`) {
		t.Fatalf("a bad deadline: %d %s", r.StatusCode, r.Body)
	}
	in["deadline"] = "2027-03-01"
	r = bima.api("POST", "/api/v1/economy/commitments", bt, in)
	wantStatus(t, r, 201)
	id := decode[struct {
		ID string `json:"id"`
	}](t, r).ID
	in["status"] = "implemented"
	wantStatus(t, weiming.api("PUT", "/api/v1/economy/commitments/"+id, wt, in), 404) // unshared: not Singapore's to see
	wantStatus(t, bima.api("PUT", "/api/v1/economy/commitments/"+id, bt, in), 200)

	r = bima.api("GET", "/api/v1/economy/tracker", bt, nil)
	wantStatus(t, r, 200)
	tr := decode[struct {
		Topics []struct {
			Topic string              `json:"topic"`
			Cover map[string][]string `json:"covered_by"`
		} `json:"topics"`
	}](t, r)
	for _, tp := range tr.Topics {
		if tp.Topic == "data_flows" && (len(tp.Cover["wto_jsi"]) != 0 || len(tp.Cover["depa"]) == 0) {
			t.Errorf("data flows covered by %v", tp.Cover)
		}
	}

	// The node administrator corrects a shipped agreement as JSON; a
	// broken document comes back with the problem named on its field.
	admin := login(t, base, "admin@node.demo", pw)
	wantContains(t, admin.get("/economy/agreements/depa"), `name="doc"`)
	r = admin.post("/economy/agreements", url.Values{"org": {""}, "doc": {`{"id":"depa","kind":"treaty"}`}})
	wantStatus(t, r, 422)
	wantContains(t, r, `id="doc-err"`, "treaty")

	// A link to a record of a kind no module resolves (yet) is refused as
	// unseen, the way internal/links treats every record it cannot show.
	r = bima.post("/links", url.Values{"from": {"economy:commitment:" + cyber}, "to": {"nosuchmodule:need:01"}, "back": {"/economy/commitments/" + cyber}})
	if r.StatusCode != 404 {
		t.Fatalf("a link to an unresolved kind: %d", r.StatusCode)
	}
	// One that resolves is made, and both pages show it.
	r = bima.post("/links", url.Values{"from": {"economy:commitment:" + cyber}, "to": {"economy:agreement:defa"}, "back": {"/economy/commitments/" + cyber}})
	wantStatus(t, r, 303)
	wantContains(t, bima.get("/economy/commitments/"+cyber), `href="/economy/agreements/defa"`)
	wantContains(t, bima.get("/economy/agreements/defa"), `href="/economy/commitments/`+cyber+`"`)
}
