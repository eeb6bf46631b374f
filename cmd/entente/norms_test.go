package main

import (
	"net/url"
	"strings"
	"testing"
)

// TestReportOverHTTP walks a national report through the pages: an officer
// drafts it, nobody outside sees it, the focal point approves and publishes
// it, then everyone reads it and nobody can change it.
func TestReportOverHTTP(t *testing.T) {
	f := startFederated(t, "", "kemlu", "ID", "Ministry of Foreign Affairs of Indonesia")
	focal := focalPoint(t, f, "kemlu")
	anon := newClient(t, f.URL)

	r := f.officer.post("/reports", url.Values{"organisation": {"kemlu"}, "title": {""}, "audience": {"public"}})
	wantStatus(t, r, 422)
	wantContains(t, r, "This is required")
	r = f.officer.post("/reports", url.Values{"organisation": {"kemlu"}, "title": {"Survei nasional 2026"}, "audience": {"public"}})
	wantStatus(t, r, 303)
	path := r.Header.Get("Location")
	wantContains(t, f.officer.get(path+"/edit?part=norms&norm=f"), `name="measures"`, "(f)")
	wantStatus(t, f.officer.post(path+"/answers", url.Values{"part": {"norms"}, "norm": {"f"}, "measures": {"Perpres 82/2022 designates CII operators."}, "links": {"not a link"}}), 422)
	wantStatus(t, f.officer.post(path+"/answers", url.Values{"part": {"norms"}, "norm": {"f"}, "measures": {"Perpres 82/2022 designates CII operators."}}), 303)
	wantStatus(t, anon.get(path), 404)
	wantStatus(t, anon.get(path+"/export.json"), 404)
	wantStatus(t, f.admin.get(path), 404) // the node's administrator is not the state

	wantStatus(t, f.officer.post(path+"/transition", url.Values{"action": {"submit"}}), 303)
	wantStatus(t, f.officer.post(path+"/transition", url.Values{"action": {"approve"}}), 403)
	wantStatus(t, focal.post(path+"/transition", url.Values{"action": {"approve"}}), 303)
	wantStatus(t, focal.post(path+"/transition", url.Values{"action": {"publish"}}), 303)

	r = anon.get(path)
	wantContains(t, r, "Perpres 82/2022", "published")
	if strings.Contains(r.Body, "/edit?") {
		t.Fatal("a published report offers editing")
	}
	wantStatus(t, f.officer.post(path+"/answers", url.Values{"part": {"norms"}, "norm": {"f"}, "measures": {"changed"}}), 409)
	wantContains(t, anon.get(path+"/export.json"), `"statement":`, `"status":"published"`)
	wantContains(t, anon.get("/api/v1/reports?norm=f"), "Survei nasional 2026")
	wantContains(t, anon.get("/norms/f"), "Perpres 82/2022")
	wantContains(t, f.officer.get(path+"/history"), "Officer of kemlu", "measures")
}
