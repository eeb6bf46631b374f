package main

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
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

// publishReport drafts a report through the pages (the officer), and has
// the focal point approve and publish it; it returns the report's path.
func publishReport(t *testing.T, f *fedNode, focal *client, title string, answers ...url.Values) string {
	t.Helper()
	r := f.officer.post("/reports", url.Values{"organisation": {f.handle}, "title": {title}, "audience": {"public"}})
	wantStatus(t, r, 303)
	path := r.Header.Get("Location")
	for _, a := range answers {
		wantStatus(t, f.officer.post(path+"/answers", a), 303)
	}
	wantStatus(t, f.officer.post(path+"/transition", url.Values{"action": {"submit"}}), 303)
	wantStatus(t, focal.post(path+"/transition", url.Values{"action": {"approve"}}), 303)
	wantStatus(t, focal.post(path+"/transition", url.Values{"action": {"publish"}}), 303)
	return path
}

// TestReportVersionsOverHTTP: a new report and a new version are two
// actions; every published version stays on the report's page; a
// withdrawn version leaves the list.
func TestReportVersionsOverHTTP(t *testing.T) {
	f := startFederated(t, "", "kemlu", "ID", "Ministry of Foreign Affairs of Indonesia")
	focal := focalPoint(t, f, "kemlu")
	anon := newClient(t, f.URL)
	v1 := publishReport(t, f, focal, "Survei nasional 2026", url.Values{"part": {"cbms"}, "measures": {"POCs nominated."}})
	wantContains(t, f.officer.get(v1), `action="`+v1+`/versions"`)
	// A new report with another title is a report of its own, at version 1.
	r := f.officer.post("/reports", url.Values{"organisation": {"kemlu"}, "title": {"Laporan 2027"}, "audience": {"public"}})
	wantStatus(t, r, 303)
	other := r.Header.Get("Location")
	wantContains(t, f.officer.get(other), "Laporan 2027", "<dd>1</dd>")
	// The next version of the first, from its page.
	r = f.officer.post(v1+"/versions", nil)
	wantStatus(t, r, 303)
	v2 := r.Header.Get("Location")
	wantContains(t, f.officer.get(v2), "Survei nasional 2026", "<dd>2</dd>", "POCs nominated.")
	wantStatus(t, f.officer.post(v1+"/versions", nil), 409)
	wantStatus(t, f.officer.post(v2+"/transition", url.Values{"action": {"submit"}}), 303)
	wantStatus(t, focal.post(v2+"/transition", url.Values{"action": {"approve"}}), 303)
	wantStatus(t, focal.post(v2+"/transition", url.Values{"action": {"publish"}}), 303)
	page := anon.get(v2)
	wantContains(t, page, `id="versions"`, `href="`+v1+`"`)
	wantContains(t, anon.get(v1), "superseded", `href="`+v2+`"`)
	wantContains(t, anon.get("/reports"), v2)
	// Withdrawn: only the focal point, and then it is off the list.
	wantStatus(t, f.officer.post(v2+"/withdraw", nil), 403)
	wantStatus(t, focal.post(v2+"/withdraw", nil), 303)
	if strings.Contains(anon.get("/reports").Body, v2) {
		t.Fatal("a withdrawn version is listed")
	}
	wantStatus(t, anon.get(v2), 404)
	wantContains(t, f.officer.get(v2), "withdrawn")
}

// TestBrowserCompareAcrossNodes: Indonesia publishes on one node and
// Singapore on another (on PostgreSQL when configured); on Singapore's node
// anyone compares the two states side by side, every part of the model,
// with where each report comes from.
func TestBrowserCompareAcrossNodes(t *testing.T) {
	ctx := newBrowser(t)
	pg := ""
	if f, ok := engines(t)["postgres"]; ok {
		pg = f(t)
	}
	a := startFederated(t, "", "kemlu", "ID", "Ministry of Foreign Affairs of Indonesia")
	b := startFederated(t, pg, "csa-sg", "SG", "Cyber Security Agency of Singapore")
	peer(t, a, b)
	waitFor(t, "the peers' directories", func() bool {
		return strings.Contains(a.officer.get("/mail/new").Body, "csa-sg@"+b.host) && strings.Contains(b.officer.get("/mail/new").Body, "kemlu@"+a.host)
	})
	publishReport(t, a, focalPoint(t, a, "kemlu"), "Survei nasional 2026",
		url.Values{"part": {"norms"}, "norm": {"f"}, "measures": {"Perpres 82/2022 designates CII operators."}, "challenges": {"Uneven maturity across provinces."},
			"capacity_gaps": {"Exercises outside Java."}, "links": {"https://peraturan.bpk.go.id/Details/221325"}},
		url.Values{"part": {"international-law"}, "measures": {"A position paper is in preparation."}, "challenges": {"Few trained legal advisers."}})
	sg := publishReport(t, b, focalPoint(t, b, "csa-sg"), "National survey 2026",
		url.Values{"part": {"norms"}, "norm": {"f"}, "measures": {"The Cybersecurity Act designates CII."}, "challenges": {"Supply chain risk."}, "links": {"https://sso.agc.gov.sg/Act/CA2018"}})
	anon := newClient(t, b.URL)
	waitFor(t, "Indonesia's report on b", func() bool { return strings.Contains(anon.get("/reports").Body, "Survei nasional 2026") })

	var table, origin string
	step(t, ctx, "compare on B",
		chromedp.Navigate(b.URL+"/reports"),
		chromedp.WaitVisible(chromedp.CSS(`input[name="r"]`)),
		chromedp.Click(chromedp.CSS(`input[name="r"][value="`+strings.TrimPrefix(sg, "/reports/")+`"]`)),
		chromedp.Click(chromedp.CSS(`input[name="r"]:not([value="`+strings.TrimPrefix(sg, "/reports/")+`"])`)),
		chromedp.Submit(chromedp.CSS(`input[name="r"]`)),
		chromedp.WaitVisible(chromedp.ID("compare")),
		into(&table, chromedp.Text(chromedp.ID("compare"))),
		shot("31-compare-across-nodes"),
	)
	for _, want := range []string{"Ministry of Foreign Affairs of Indonesia", "Cyber Security Agency of Singapore", "from " + a.host, "this node",
		"Perpres 82/2022", "Uneven maturity across provinces.", "Exercises outside Java.", "https://peraturan.bpk.go.id/Details/221325",
		"The Cybersecurity Act designates CII.", "Supply chain risk.", "A position paper is in preparation.", "Few trained legal advisers."} {
		if !strings.Contains(table, want) {
			t.Errorf("the comparison on B lacks %q:\n%s", want, table)
		}
	}
	step(t, ctx, "Indonesia's copy on B",
		chromedp.Click(chromedp.CSS(`#compare thead a[href^="/reports/"]:not([href="`+sg+`"])`)),
		chromedp.WaitVisible(chromedp.ID("origin")),
		into(&origin, chromedp.Text(chromedp.ID("origin"))),
		shot("32-received-report"),
	)
	if !strings.Contains(origin, a.host) {
		t.Fatalf("the copy's origin: %q", origin)
	}
}
