package main

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserCapacity: the Clearing House across two nodes. On B, DFAT has
// an offer for CSIRT development. On A, Timor-Leste's ministry posts a need
// for a national CSIRT through the needs page, shared with DFAT by ticking
// it in the address book. DFAT's officer, in their own browser on B, finds
// the need's copy, sees the offer suggested with its reasons, and proposes
// it with a note. The ministry's officer sees the proposal waiting on A's
// home page, opens it and accepts: the project appears on A. On B the
// proposal shows as accepted and the project's copy is readable. Both are
// told by e-mail. Every page is photographed on a desktop and at a phone's
// width, where it must not scroll sideways.
func TestBrowserCapacity(t *testing.T) {
	ctx := newBrowser(t)
	a := startFederated(t, "", "mnec-tl", "TL", "Ministry of Foreign Affairs and Cooperation of Timor-Leste")
	b := startFederated(t, "", "dfat-au", "AU", "Department of Foreign Affairs and Trade, Australia")
	peer(t, a, b)
	donor := "dfat-au@" + b.host
	waitFor(t, "DFAT in A's address book", func() bool { return strings.Contains(a.officer.get("/capacity/needs").Body, `value="`+donor+`"`) })

	const (
		offer = "Cyber and Critical Technology Cooperation: CSIRT development"
		title = "A national CSIRT for Timor-Leste"
		note  = "We can send two advisers in the first quarter and fund the CSIRT's first year."
	)
	// DFAT's offer, posted through B's page before anyone opens a browser.
	wantStatus(t, b.officer.post("/capacity/offers", url.Values{"org": {"dfat-au"}, "title": {offer},
		"description": {"Advisers and mentoring for states setting up a national CSIRT."}, "topics": {"csirt", "incident-response"},
		"regions": {"southeast-asia", "pacific"}, "languages": {"en"}, "budget_min": {"200000"}, "budget_max": {"1500000"}, "currency": {"AUD"},
		"visibility": {"public"}}), 303)

	var loc, text, flash, form string
	step(t, ctx, "A's officer posts a need shared with DFAT",
		signInAs(a.URL, "officer@mnec-tl.test", "officer password 1"),
		chromedp.Navigate(a.URL+"/capacity/needs"),
		chromedp.WaitVisible(chromedp.ID("title")),
		chromedp.SendKeys(chromedp.ID("title"), title),
		chromedp.SendKeys(chromedp.ID("description"), "Timor-Leste has no national CSIRT yet: mandate, staff, training of its first incident handlers."),
		chromedp.Click(chromedp.ID("tp-csirt")),
		chromedp.Click(chromedp.ID("tp-incident-response")),
		chromedp.SendKeys(chromedp.ID("country"), "TL"),
		chromedp.SetValue(chromedp.ID("priority"), "high"),
		chromedp.SendKeys(chromedp.ID("languages"), "en, pt"),
		chromedp.Click(chromedp.ID("vis-shared")),
		chromedp.Click(chromedp.CSS(`input[name=shared_with][value="`+donor+`"]`)),
		into(&form, chromedp.Text(chromedp.CSS(`section[aria-labelledby=new]`))),
		both(t, "cap-01-need-form-a"),
		chromedp.Click(chromedp.CSS(`form#post button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("sugg")),
		into(&loc, chromedp.Location()),
		into(&text, chromedp.Text(chromedp.ID("main"))),
		both(t, "cap-02-need-a"),
	)
	if strings.Contains(form, "field.cap_") {
		t.Fatalf("the form shows raw keys:\n%s", form)
	}
	path := strings.TrimPrefix(loc, a.URL)
	if !capNeedRE.MatchString(`href="` + path + `"`) {
		t.Fatalf("after posting the need: at %s", loc)
	}
	if !strings.Contains(text, title) || !strings.Contains(text, donor) {
		t.Fatalf("the need's page on A:\n%s", text)
	}

	// DFAT's officer, in their own browser, on B.
	bctx := session(t, ctx)
	step(t, bctx, "B's officer signs in", signInAs(b.URL, "officer@dfat-au.test", "officer password 1"))
	pollPage(t, bctx, "the need's copy in B's list", b.URL+"/capacity/needs", `!!document.querySelector('a[href="`+path+`"]')`)
	var sugg string
	step(t, bctx, "B's officer opens the need",
		into(&text, chromedp.Text(chromedp.CSS(`table tbody`))),
		both(t, "cap-03-needs-b"),
		chromedp.Click(chromedp.CSS(`a[href="`+path+`"]`)),
		chromedp.WaitVisible(chromedp.ID("offer")),
		into(&sugg, chromedp.Text(chromedp.CSS(`section[aria-labelledby=sugg]`))),
		both(t, "cap-04-need-b"),
	)
	if !strings.Contains(text, title) || !strings.Contains(text, "on "+a.host) {
		t.Fatalf("B's list of needs:\n%s", text)
	}
	for _, s := range []string{offer, donor, "2 of the need's 2 topics in common", "Works in the region: South-East Asia", "A language in common: English"} {
		if !strings.Contains(sugg, s) {
			t.Fatalf("the suggestions on B lack %q:\n%s", s, sugg)
		}
	}
	step(t, bctx, "B's officer proposes the offer",
		chromedp.SendKeys(chromedp.ID("note"), note),
		chromedp.Click(chromedp.CSS(`form[action$="/proposals"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		into(&flash, chromedp.Text(chromedp.CSS(`.flash`))),
		into(&text, chromedp.Text(chromedp.ID("proposals"))),
		both(t, "cap-05-proposed-b"),
	)
	if flash != "Your offer was proposed for this need." || !strings.Contains(text, "awaiting the state's decision") || !strings.Contains(text, "Sent to "+a.host) {
		t.Fatalf("after proposing on B: %q\n%s", flash, text)
	}

	// The ministry's officer sees it waiting on A's home page.
	pollPage(t, ctx, "the proposal under Needs your attention on A", a.URL+"/", `!!document.querySelector('ul.attention a[href="`+path+`#proposals"]')`)
	step(t, ctx, "A's officer opens the proposal",
		into(&text, chromedp.Text(chromedp.CSS(`ul.attention`))),
		both(t, "cap-06-attention-a"),
		chromedp.Click(chromedp.CSS(`ul.attention a[href="`+path+`#proposals"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#proposals form:has(input[value=accept]) button`)),
		into(&loc, chromedp.Text(chromedp.ID("proposals"))),
		both(t, "cap-07-proposal-a"),
	)
	if want := "An offer waits for your decision: “" + offer + "” from " + donor + ", for the need “" + title + "”"; !strings.Contains(text, want) {
		t.Fatalf("Needs your attention on A:\n%s\nwant %q", text, want)
	}
	if !strings.Contains(loc, offer) || !strings.Contains(loc, note) || !strings.Contains(loc, "Received from "+b.host) {
		t.Fatalf("the proposals on A:\n%s", loc)
	}
	step(t, ctx, "A's officer accepts",
		chromedp.Click(chromedp.CSS(`#proposals form:has(input[value=accept]) button`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		into(&loc, chromedp.Location()),
		into(&flash, chromedp.Text(chromedp.CSS(`.flash`))),
		into(&text, chromedp.Text(chromedp.ID("main"))),
		both(t, "cap-08-project-a"),
	)
	project := strings.TrimPrefix(loc, a.URL)
	if !strings.HasPrefix(project, "/capacity/projects/") || flash != "Proposal accepted: the project has been created." {
		t.Fatalf("after accepting: at %s, %q", loc, flash)
	}
	for _, s := range []string{title, donor, "AUD 1,500,000", "Planned"} {
		if !strings.Contains(text, s) {
			t.Fatalf("the project's page on A lacks %q:\n%s", s, text)
		}
	}

	// Back on B: the proposal is accepted, and the project's copy is there.
	pollPage(t, bctx, "the decision on B", b.URL+path, `document.getElementById('proposals').innerText.includes('accepted')`)
	step(t, bctx, "B reads the decision",
		into(&text, chromedp.Text(chromedp.ID("main"))),
		both(t, "cap-09-accepted-b"),
	)
	if !strings.Contains(text, "Matched") || !strings.Contains(text, offer+" — "+donor) || !strings.Contains(text, "the project") {
		t.Fatalf("the need's page on B after the decision:\n%s", text)
	}
	pollPage(t, bctx, "the project's copy on B", b.URL+project, `!!document.querySelector('h1') && document.querySelector('h1').innerText == `+jsString(title))
	step(t, bctx, "B reads the project",
		into(&text, chromedp.Text(chromedp.ID("main"))),
		both(t, "cap-10-project-b"),
	)
	if !strings.Contains(text, donor) || !strings.Contains(text, "mnec-tl@"+a.host) {
		t.Fatalf("the project's copy on B:\n%s", text)
	}
	step(t, bctx, "B reads the decision in Bahasa Indonesia",
		chromedp.Click(chromedp.CSS(`form[action="/lang"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="id"]`)),
		chromedp.Navigate(b.URL+path),
		chromedp.WaitVisible(chromedp.ID("proposals")),
		into(&text, chromedp.Text(chromedp.ID("main"))),
		both(t, "cap-11-accepted-b-id"),
	)
	if !strings.Contains(text, "Sudah dipasangkan") || !strings.Contains(text, "diterima") || strings.Contains(text, "Penawaran yang disarankan") {
		t.Fatalf("the need's page on B in Bahasa Indonesia:\n%s", text)
	}

	// Each side was told by e-mail: the state of the proposal, the donor
	// of the decision.
	waitFor(t, "the e-mail of the proposal on A", func() bool {
		return len(mailsTo(t, a.Data+"/mail", "officer@mnec-tl.test", "An offer for your need “"+title+"”")) == 1
	})
	waitFor(t, "the e-mail of the decision on B", func() bool {
		return len(mailsTo(t, b.Data+"/mail", "officer@dfat-au.test", "Your offer was accepted: “"+title+"”")) == 1
	})
}
