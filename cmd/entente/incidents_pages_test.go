package main

import (
	"context"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var incIDRE = regexp.MustCompile(`href="/incidents/([0-9A-Z]{26})"`)

// TestIncidentPages walks the demo's incidents as its people see them: the
// owner, a named organisation, one that is not named, and someone not
// signed in; the form comes back naming its fields with what was typed and
// grows a receiver row without script; an attribution shows the time to
// attribution in words; the exports hold only what the reader may see;
// an import records the good row and refuses the bad one with its reason.
func TestIncidentPages(t *testing.T) {
	n, base, pw := demoNode(t)
	if err := demoIncidents(context.Background(), []*node{n}); err != nil {
		t.Fatal(err)
	}
	const ransom, public = "Ransomware at a regional hospital in Surabaya", "Defacement of provincial government websites"
	rina := login(t, base, "rina@bssn.demo", pw)
	wantStatus(t, rina.post("/lang", url.Values{"lang": {"en"}, "next": {"/"}}), 303)
	r := rina.get("/incidents")
	wantStatus(t, r, 200)
	wantContains(t, r, ransom, public, `href="/incidents/new"`, "TLP:AMBER")
	ids := map[string]string{}
	for _, m := range incIDRE.FindAllStringSubmatch(r.Body, -1) {
		show := rina.get("/incidents/" + m[1])
		wantStatus(t, show, 200)
		for _, name := range []string{ransom, public} {
			if strings.Contains(show.Body, "<h1>"+name+"</h1>") {
				ids[name] = m[1]
			}
		}
	}
	if ids[ransom] == "" || ids[public] == "" {
		t.Fatalf("incident ids %v", ids)
	}
	// The incident in words: receivers with their country and sector,
	// intensity, the time to attribution, the response, who owns it.
	r = rina.get("/incidents/" + ids[ransom])
	wantContains(t, r, "Regional hospital, Surabaya · Indonesia · Critical infrastructure · Health care", "High", "First attributed 12 days after it started", "Statement", "Owned by bssn",
		"Shared with named organisations", `action="/incidents/`+ids[ransom]+`/attributions"`)
	r = rina.get("/incidents/filter?x") // not an id: not found, not a crash
	if r.StatusCode != 404 {
		t.Errorf("GET /incidents/filter: %d", r.StatusCode)
	}

	// Singapore's CSA is named; the police are not; the public sees the
	// public incident only, without signing in.
	wei := login(t, base, "weiming@csa-sg.demo", pw)
	wantContains(t, wei.get("/incidents"), ransom)
	if r := wei.get("/incidents/" + ids[ransom]); r.StatusCode != 200 || strings.Contains(r.Body, "/attributions\"") {
		t.Errorf("CSA sees the incident (%d) but may not add to it", r.StatusCode)
	}
	hendra := login(t, base, "hendra@polri.demo", pw)
	if r := hendra.get("/incidents"); strings.Contains(r.Body, ransom) || !strings.Contains(r.Body, public) {
		t.Error("the police see the AMBER incident, or not the public one")
	}
	wantStatus(t, hendra.get("/incidents/"+ids[ransom]), 404)
	anon := newClient(t, base)
	wantContains(t, anon.get("/incidents/"+ids[public]), public, "TLP:CLEAR")
	wantStatus(t, anon.get("/incidents/"+ids[ransom]), 404)
	if r := anon.get("/incidents"); r.StatusCode == 200 {
		t.Error("the list is open without signing in")
	}

	// The form: problems by field, with what was typed; a receiver row more.
	form := url.Values{"org": {"bssn"}, "name": {"Phishing of a ministry"}, "start": {"2026-13-01"}, "types": {"espionage"}, "r0_name": {"Ministry"}, "r0_country": {"XX1"},
		"r0_category": {"state_institutions"}, "r0_sector": {"government-national"}, "tlp": {"GREEN"}, "audience": {"public"}, "intensity": {"2"}}
	r = rina.post("/incidents", form)
	wantStatus(t, r, 422)
	wantContains(t, r, `value="Phishing of a ministry"`, "Use a date like", "Only a TLP:CLEAR incident can be public", `href="#start"`)
	form.Set("add_row", "1")
	r = rina.post("/incidents", form)
	wantStatus(t, r, 200)
	wantContains(t, r, `name="r3_name"`, `value="Ministry"`)
	form.Del("add_row")
	form.Set("start", "2026-11-01")
	form.Set("r0_country", "ID")
	form.Set("audience", "named")
	form.Add("audience_orgs", "kemlu@"+strings.TrimPrefix(base, "http://"))
	r = rina.post("/incidents", form)
	wantStatus(t, r, 303)
	loc := r.Header.Get("Location")

	// In Bahasa Indonesia, with an attribution that comes back with its
	// problems first.
	wantStatus(t, rina.post("/lang", url.Values{"lang": {"id"}, "next": {"/"}}), 303)
	r = rina.post(loc+"/attributions", url.Values{"by": {"BSSN"}, "by_category": {"state"}, "at": {""}, "to": {"APT-X"}, "basis": {"technical"}, "confidence": {"high"}})
	wantStatus(t, r, 422)
	wantContains(t, r, "Tanggal", `value="APT-X"`)
	wantStatus(t, rina.post(loc+"/attributions", url.Values{"by": {"BSSN"}, "by_category": {"state"}, "at": {"2026-11-04"}, "to": {"APT-X"}, "basis": {"technical"}, "confidence": {"high"}}), 303)
	wantStatus(t, rina.post(loc+"/responses", url.Values{"r_kind": {"demarche"}, "r_by": {"Kemlu"}, "r_at": {"2026-11-06"}}), 303)
	r = rina.get(loc)
	wantContains(t, r, "Spionase", "Pertama kali diatribusikan 3 hari setelah dimulai", "Demarche", "keyakinan tinggi", "Pemerintah pusat")
	wantStatus(t, rina.post("/lang", url.Values{"lang": {"en"}, "next": {"/"}}), 303)

	// Exports: what the reader may see, nothing more.
	csv := hendra.get("/incidents/export.csv")
	wantStatus(t, csv, 200)
	if !strings.HasPrefix(csv.Body, "name,description,start") || strings.Contains(csv.Body, ransom) || !strings.Contains(csv.Body, public) {
		t.Errorf("the police's CSV: %.300s", csv.Body)
	}
	js := wei.get("/incidents/export.json")
	if !strings.Contains(js.Body, ransom) || strings.Contains(js.Body, "Phishing of a ministry") {
		t.Errorf("CSA's JSON holds the wrong incidents")
	}

	// Import: one row recorded, one refused with its reason.
	imp := "name,start,types,receivers,tlp,audience\n" +
		"Wiper at a port operator,2026-09-01,disruption,Port operator|ID|critical_infrastructure|transportation,AMBER,org\n" +
		"No types,2026-09-02,,Port|ID|corporate,AMBER,org\n"
	r = rina.post("/incidents/import", url.Values{"org": {"bssn"}, "csv": {imp}})
	wantStatus(t, r, 200)
	wantContains(t, r, "1 recorded, 1 refused", "Wiper at a port operator", "Incident type: This is required.")
	wantContains(t, rina.get("/incidents?q=wiper"), "Wiper at a port operator")
	r = rina.post("/incidents/import", url.Values{"org": {"bssn"}, "csv": {"colour\nred\n"}})
	wantStatus(t, r, 422)
	wantContains(t, r, "This is not a codebook CSV")
	// Nobody but the owner's writers edits.
	wantStatus(t, wei.get("/incidents/"+ids[ransom]+"/edit"), 403)
	wantStatus(t, rina.get("/incidents/"+ids[ransom]+"/edit"), 200)
}
