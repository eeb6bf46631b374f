package main

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserHumanitarian: a person with no account reports from the
// public form; BNPB's officer, who coordinates the emergency, finds it
// under "Needs your attention", sees who sent it, and verifies it; the
// report then appears on the public map and list, without its reporter.
// Every page is photographed on a desktop and at a phone's width, where it
// must not scroll sideways.
func TestBrowserHumanitarian(t *testing.T) {
	ctx := newBrowser(t)
	n := startFederated(t, "", "bnpb", "ID", "Badan Nasional Penanggulangan Bencana")
	r := n.officer.post("/humanitarian/emergencies", url.Values{"org": {"bnpb"}, "title": {"Gempa Sulawesi Tengah"}, "kind": {"earthquake"},
		"country": {"ID"}, "areas": {"ID7271, ID7210"}, "started_on": {"2026-11-29"}, "languages": {"id", "en"}, "sms_number": {"+62 811 4500 112"}})
	wantStatus(t, r, 303)
	em := r.Header.Get("Location")
	if !strings.HasPrefix(em, "/humanitarian/emergencies/") {
		t.Fatalf("the emergency is at %q", em)
	}
	const (
		text    = "Dua orang terjebak di reruntuhan toko di Jalan Sungai Manonda"
		contact = "+62 812 7777 0101"
	)

	// A person without an account, on a phone or a desktop.
	public := session(t, ctx)
	var got string
	step(t, public, "the public reports",
		chromedp.Navigate(n.URL+em+"/report"),
		chromedp.WaitVisible(chromedp.ID("text")),
		both(t, "hum-01-report-form"),
		chromedp.SetValue(chromedp.ID("category"), "trapped"),
		chromedp.SendKeys(chromedp.ID("text"), text),
		chromedp.SendKeys(chromedp.ID("place"), "Palu Barat"),
		chromedp.SendKeys(chromedp.ID("name"), "Siti"),
		chromedp.SendKeys(chromedp.ID("contact"), contact),
		chromedp.Click(chromedp.CSS(`form[enctype] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		into(&got, chromedp.Text(chromedp.ID("main"))),
		both(t, "hum-02-report-sent"),
	)
	if !strings.Contains(got, "Terima kasih") && !strings.Contains(got, "Thank you") {
		t.Fatalf("after sending:\n%s", got)
	}
	step(t, public, "the public map before verification",
		chromedp.Navigate(n.URL+em+"/map"),
		chromedp.WaitVisible(chromedp.CSS(`svg`)),
		into(&got, chromedp.Text(chromedp.ID("main"))),
	)
	if strings.Contains(got, text) {
		t.Fatalf("an unverified report is on the public map:\n%s", got)
	}

	// BNPB's officer, in their own browser.
	coord := session(t, ctx)
	step(t, coord, "the coordinator signs in",
		signInAs(n.URL, "officer@bnpb.test", "officer password 1"),
		into(&got, chromedp.Text(chromedp.CSS(`section[aria-labelledby=attn]`))),
	)
	if !strings.Contains(got, "Tengah”: 1") {
		t.Fatalf("the coordinator's home page:\n%s", got)
	}
	step(t, coord, "the coordinator finds the report waiting",
		chromedp.Click(chromedp.CSS(`section[aria-labelledby=attn] a[href*="/reports?status=new"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.results`)),
		both(t, "hum-03-reports-waiting"),
		chromedp.Click(chromedp.CSS(`.results a[href^="/humanitarian/reports/"]`)),
		chromedp.WaitVisible(chromedp.ID("decide")),
		into(&got, chromedp.Text(chromedp.ID("main"))),
		both(t, "hum-04-report-coordinator"),
	)
	if !strings.Contains(got, contact) || !strings.Contains(got, "Palu Barat, Kota Palu") {
		t.Fatalf("the coordinator's report page lacks the reporter or the place:\n%s", got)
	}
	step(t, coord, "the coordinator verifies",
		chromedp.Click(chromedp.CSS(`input[name=verdict][value=verified]`)),
		chromedp.Click(chromedp.CSS(`form[action$="/decision"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		into(&got, chromedp.Text(chromedp.ID("main"))),
	)
	if !strings.Contains(got, "Officer of bnpb") {
		t.Fatalf("the decision does not say who verified:\n%s", got)
	}

	// The public again: the report is on the map and in the list.
	var svg string
	step(t, public, "the public map after verification",
		chromedp.Navigate(n.URL+em+"/map"),
		chromedp.WaitVisible(chromedp.CSS(`svg`)),
		into(&got, chromedp.Text(chromedp.ID("main"))),
		into(&svg, chromedp.OuterHTML(chromedp.CSS(`figure svg`))),
		both(t, "hum-05-public-map"),
	)
	if !strings.Contains(got, text) || strings.Contains(got, contact) || strings.Contains(got, "Siti") {
		t.Fatalf("the public map's list:\n%s", got)
	}
	if !strings.Contains(svg, `role="img"`) || !strings.Contains(svg, "h0") {
		t.Fatalf("the map draws no report:\n%.2000s", svg)
	}
	geo := n.officer.get(em + "/reports.geojson")
	pub := newClient(t, n.URL).get(em + "/reports.geojson")
	for _, body := range []string{geo.Body, pub.Body} {
		if !strings.Contains(body, `"Point"`) || strings.Contains(body, "7777") || strings.Contains(body, "Siti") {
			t.Fatalf("the GeoJSON export:\n%s", body)
		}
	}
}
