package main

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserCybercrimePreservation: an investigator on node A drafts a
// preservation request to Singapore's police on node B in the two-step
// form; A's central authority approves and sends it; B's investigator
// acknowledges it and marks the data preserved until a day; A's
// investigator sees the clock. The form, the request and the formal request
// are photographed at a phone's width and on a desktop.
func TestBrowserCybercrimePreservation(t *testing.T) {
	ctx := newBrowser(t)
	a := startFederated(t, "", "polri", "ID", "Indonesian National Police, Directorate of Cyber Crime")
	b := startFederated(t, "", "spf", "SG", "Singapore Police Force")
	inv := cybPerson(t, a.testNode, a.admin, "polri", "inv@polri.test", "investigator")
	cybPerson(t, a.testNode, a.admin, "polri", "ca@polri.test", "central_authority")
	sg := cybPerson(t, b.testNode, b.admin, "spf", "inv@spf.test", "investigator")
	peer(t, a, b)
	to := "spf@" + b.host
	waitFor(t, "spf in A's address book", func() bool { return strings.Contains(inv.get("/cybercrime/requests/new").Body, `value="`+to+`"`) })

	const pw = "cyber password 1"
	fill := func(id, text string) chromedp.Action[chromedp.Void] { return chromedp.SendKeys(chromedp.ID(id), text) }
	var text, loc string
	step(t, ctx, "draft on A",
		signInAs(a.URL, "inv@polri.test", pw),
		chromedp.Click(chromedp.CSS(`a[href="/cybercrime/requests"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/cybercrime/requests/new"]`)),
		chromedp.Click(chromedp.CSS(`a[href="/cybercrime/requests/new"]`)),
		chromedp.WaitVisible(chromedp.ID("step1")),
		chromedp.Click(chromedp.ID("kind-preservation")),
		chromedp.SetValue(chromedp.ID("to"), to),
		chromedp.EmulateViewport(390, 844), shot("cyb-01-form-step1-phone"), chromedp.EmulateViewport(1200, 900),
		chromedp.Click(chromedp.CSS(`#step1 button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("step2")),
		chromedp.Click(chromedp.ID("basis-reciprocity")),
		fill("reference", "POLRI/CYB/2026/117"),
		fill("f_authority", "Directorate of Cyber Crime, Indonesian National Police"),
		fill("f_offence", "Illegal access (Law 11/2008 art. 30)"),
		fill("f_facts", "On 1 December 2026 the ministry's mail server was accessed from an account hosted in Singapore."),
		fill("f_data", "Login records of account mail-relay-77, 1-3 December 2026 (UTC+7)."),
		fill("f_relation", "The account logged in to the server."),
		fill("f_custodian", "A hosting provider in Singapore."),
		fill("f_necessity", "The provider keeps logs for 30 days."),
		chromedp.Click(chromedp.ID("f_mla_follows")),
		fill("f_purpose", "Criminal investigation."),
		shot("cyb-02-form-step2-desktop"),
		chromedp.EmulateViewport(390, 844), shot("cyb-03-form-step2-phone"), chromedp.EmulateViewport(1200, 900),
		chromedp.Click(chromedp.CSS(`#step2 button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("cyb-clock")),
		into(&loc, chromedp.Location()),
		into(&text, chromedp.Text(chromedp.ID("cyb-clock"))),
		chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/login"]`)),
	)
	if !strings.Contains(text, "Draft") {
		t.Fatalf("after drafting: clock %q", text)
	}
	step(t, ctx, "approve and send on A",
		signInAs(a.URL, "ca@polri.test", pw),
		chromedp.Navigate(loc),
		// One press: "Approve and send now".
		chromedp.Click(chromedp.CSS(`#step-approve button[name=and_send]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#step-approve`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#step-send`)),
		into(&text, chromedp.Text(chromedp.ID("cyb-clock"))),
		chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/login"]`)),
	)
	if !strings.Contains(text, "To be acknowledged by") {
		t.Fatalf("after sending: clock %q", text)
	}
	waitFor(t, "the request on B", func() bool {
		return strings.Contains(sg.get("/cybercrime/requests?box=in").Body, "Expedited preservation")
	})
	until := time.Now().UTC().AddDate(0, 0, 90)
	step(t, ctx, "acknowledge and preserve on B",
		signInAs(b.URL, "inv@spf.test", pw),
		chromedp.Navigate(b.URL+"/cybercrime/requests?box=in"),
		chromedp.Click(chromedp.CSS(`#cyb-requests td a`)),
		chromedp.WaitVisible(chromedp.CSS(`#step-acknowledge button`)),
		chromedp.Click(chromedp.CSS(`#step-acknowledge button`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#step-acknowledge`)),
		chromedp.SetValue(chromedp.ID("until-preserve"), until.Format("2006-01-02")),
		fill("note-preserve", "Preserved at the provider, case SPF-CYB-88."),
		chromedp.Click(chromedp.CSS(`#step-preserve button`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#step-preserve`)),
		into(&text, chromedp.Text(chromedp.ID("cyb-clock"))),
		shot("cyb-04-preserved-on-b"),
		chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/login"]`)),
	)
	want := "Preserved until " + until.Format("2") + " " + until.Format("Jan 2006")
	if !strings.Contains(text, want) {
		t.Fatalf("on B: clock %q, want %q", text, want)
	}
	path := strings.TrimPrefix(loc, a.URL)
	waitFor(t, "the preservation on A", func() bool { return strings.Contains(inv.get(path).Body, "Preserved until") })
	// B's signed receipt for the request, checked on A.
	waitFor(t, "B's receipt on A", func() bool { return strings.Contains(inv.get(path).Body, path+"/receipt") })
	r := inv.get(path + "/receipt")
	wantStatus(t, r, 200)
	// Named, with the address that identifies the node small below.
	wantContains(t, r, "<title>Receipt from Singapore Police Force", "<h1>Receipt from Singapore Police Force</h1>", "<small><code>spf@"+b.host+"</code></small>", "Verified", "entente verify")
	wantStatus(t, inv.get(path+"/receipt.json"), 200)
	step(t, ctx, "the clock on A",
		signInAs(a.URL, "inv@polri.test", pw),
		chromedp.Navigate(loc),
		chromedp.WaitVisible(chromedp.ID("cyb-clock")),
		into(&text, chromedp.Text(chromedp.ID("cyb-clock"))),
		shot("cyb-05-request-desktop"),
		chromedp.EmulateViewport(390, 844), shot("cyb-06-request-phone"), chromedp.EmulateViewport(1200, 900),
		chromedp.Navigate(loc+"/print"),
		chromedp.WaitVisible(chromedp.CSS("article.formal")),
		shot("cyb-07-print-desktop"),
		chromedp.EmulateViewport(390, 844), shot("cyb-08-print-phone"), chromedp.EmulateViewport(1200, 900),
	)
	if !strings.Contains(text, want) || !strings.Contains(text, "left") {
		t.Fatalf("on A: clock %q, want %q … left", text, want)
	}
}
