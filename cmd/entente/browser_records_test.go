package main

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserRecordsShowSubstance: on a phone-sized screen, an indicator's
// page shows its pattern with a working copy button, the list shows values,
// and a message's receipt says in words that it is verified, with how to
// check it; no page scrolls sideways.
func TestBrowserRecordsShowSubstance(t *testing.T) {
	ctx := newBrowser(t)
	a := startFederated(t, "", "cert", "ID", "National CERT")
	b := startFederated(t, "", "csa-sg", "SG", "Cyber Security Agency of Singapore")
	peer(t, a, b)
	coll := mustIntelCollection(t, a)
	status := mustUploadBundle(t, a, coll, intelBundle).Header.Get("Location")
	waitFor(t, "b's directory on a", func() bool { return strings.Contains(a.officer.get("/mail/new").Body, "csa-sg@"+b.host) })
	r := a.officer.post("/mail", url.Values{"from": {"cert"}, "to": {"csa-sg@" + b.host}, "subject": {"GridLock indicators"}, "body": {"See the collection."}, "tlp": {"GREEN"}})
	wantStatus(t, r, 303)
	msg := r.Header.Get("Location")
	waitFor(t, "a receipt covered by b's checkpoint", func() bool {
		m := regexp.MustCompile(`href="(/mail/[0-9A-Z]{26}/receipt\?to=[^"]+)"`).FindStringSubmatch(a.officer.get(msg).Body)
		return m != nil && strings.Contains(a.officer.get(strings.ReplaceAll(m[1], "&amp;", "&")).Body, "checked just now")
	})

	var pattern, list, verdict, says, how string
	var wide bool
	noSideScroll := into(&wide, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
	step(t, ctx, "an upload's result on a phone",
		chromedp.EmulateViewport(390, 900),
		signInAs(a.URL, "officer@cert.test", "officer password 1"),
		chromedp.Navigate(a.URL+status),
		chromedp.WaitVisible(chromedp.ID("successes")),
		into(&list, chromedp.Text(chromedp.CSS("#successes + table tbody"))),
		noSideScroll,
		shot("20-upload-result-390"),
	)
	if !strings.Contains(list, "GridLock C2 (Indicator)") || !strings.Contains(list, "Grid operator CSIRT (Identity)") ||
		!strings.Contains(list, "GridLock C2 → GridLock loader (Relationship)") || !strings.Contains(list, "GridLock C2 (Sighting)") {
		t.Errorf("the upload's result:\n%s", list)
	}
	if wide {
		t.Error("the upload's result scrolls sideways at 390 px")
	}
	step(t, ctx, "the list on a phone",
		chromedp.Navigate(a.URL+"/intel"),
		chromedp.WaitVisible(chromedp.ID("results")),
		into(&list, chromedp.Text(chromedp.CSS("#results ~ table tbody"))),
		noSideScroll,
		shot("21-intel-list-390"),
	)
	if wide {
		t.Error("the intel list scrolls sideways at 390 px")
	}
	step(t, ctx, "the indicator on a phone",
		chromedp.Click(chromedp.CSS(`a[href$="/o/indicator--b0000000-0000-4000-8000-000000000002"]`)),
		chromedp.WaitVisible(chromedp.ID("v-pattern")),
		chromedp.WaitVisible(chromedp.CSS(`button[data-copy="v-pattern"]`)), // shown by its script
		into(&pattern, chromedp.Text(chromedp.ID("v-pattern"))),
		noSideScroll,
		shot("22-indicator-390"),
	)
	if pattern != "[ipv4-addr:value = '203.0.113.77']" {
		t.Errorf("pattern shown: %q", pattern)
	}
	if !strings.Contains(list, "[ipv4-addr:value = '203.0.113.77']") || strings.Contains(list, "Grid operator CSIRT") {
		t.Errorf("the list:\n%s", list)
	}
	if wide {
		t.Error("the indicator's page scrolls sideways at 390 px")
	}
	step(t, ctx, "the receipt on a phone",
		chromedp.Navigate(a.URL+msg),
		chromedp.WaitVisible(chromedp.ID("delivery")),
		chromedp.Click(chromedp.CSS(`a[href*="/receipt?to="]`)),
		chromedp.WaitVisible(chromedp.CSS(".verdict")),
		into(&verdict, chromedp.Text(chromedp.CSS(".verdict"))),
		into(&says, chromedp.Text(chromedp.CSS(".verdict ~ p"))),
		into(&how, chromedp.Text(chromedp.CSS("pre.value"))),
		noSideScroll,
		shot("23-receipt-390"),
	)
	if !strings.HasPrefix(verdict, "Verified.") || !strings.Contains(says, "received and signed by the node") || !strings.HasPrefix(how, "entente verify receipt-") {
		t.Errorf("receipt page: %q / %q / %q", verdict, says, how)
	}
	if wide {
		t.Error("the receipt page scrolls sideways at 390 px")
	}
	step(t, ctx, "in Bahasa Indonesia",
		chromedp.Click(chromedp.CSS(`form[action="/lang"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="id"]`)),
		chromedp.WaitVisible(chromedp.CSS(".verdict")),
		into(&verdict, chromedp.Text(chromedp.CSS(".verdict"))),
		shot("24-receipt-id-390"),
		chromedp.Navigate(a.URL+"/intel/c/"+coll+"/o/indicator--b0000000-0000-4000-8000-000000000002"),
		chromedp.WaitVisible(chromedp.ID("v-pattern")),
		into(&says, chromedp.Text(chromedp.CSS(".props"))),
		shot("25-indicator-id-390"),
	)
	if !strings.HasPrefix(verdict, "Terverifikasi.") || !strings.Contains(says, "aktivitas berbahaya") || !strings.Contains(says, "20 Nov 2026, 08.05 UTC") {
		t.Errorf("in Indonesian: %q\n%s", verdict, says)
	}
}
