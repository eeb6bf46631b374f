package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// TestBrowserDialogue: three nodes. On A, the ASEAN Secretariat's officer
// opens a dialogue under the Chatham House Rule through the form, adds a
// session, and invites Indonesia's MFA (node B) and Singapore's CSA (node
// C, also the rapporteur) by choosing them from the address book. B's
// officer, in their own browser session, contributes from B's node. C's
// officer, in another, waits for it to arrive and reads it without name or
// organisation under the rule's notice, then reads the page in Bahasa
// Indonesia. The moderator on A sees who wrote it. C's officer publishes
// the summary from C; the host downloads it on A, and the file names no
// one. Pages are photographed at a phone's width and on a desktop.
func TestBrowserDialogue(t *testing.T) {
	ctx := newBrowser(t)
	a := startFederated(t, "", "asean", "ID", "ASEAN Secretariat")
	b := startFederated(t, "", "kemlu", "ID", "Ministry of Foreign Affairs of Indonesia")
	c := startFederated(t, "", "csa-sg", "SG", "Cyber Security Agency of Singapore")
	peer(t, a, b)
	peer(t, a, c)
	waitFor(t, "the peers' organisations in A's address book", func() bool {
		r := a.officer.get("/addresses")
		return strings.Contains(r.Body, "kemlu@"+b.host) && strings.Contains(r.Body, "csa-sg@"+c.host)
	})
	const (
		title   = "Track 1.5 dialogue on ransomware against hospitals"
		body    = "Hospitals that recovered in days had offline backups restored in a test within the last quarter."
		summary = "Participants agreed that hospitals need offline backups that are tested, and supplier contracts that allow patching."
	)
	logout := chromedp.Steps(chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.CSS(`form[action="/login"]`)))
	var loc string

	// The host opens the dialogue and seats the participants.
	step(t, ctx, "A opens a dialogue",
		signInAs(a.URL, "officer@asean.test", "officer password 1"),
		chromedp.Navigate(a.URL+"/dialogue"),
		chromedp.WaitVisible(chromedp.ID("title")),
		chromedp.SendKeys(chromedp.ID("title"), title),
		chromedp.SendKeys(chromedp.ID("purpose"), "Officials, CERTs and researchers compare what works against ransomware that hits hospitals."),
		chromedp.Click(chromedp.ID("rule-chatham_house")),
		both(t, "dlg-01-create"),
		chromedp.Click(chromedp.CSS(`form[action="/dialogue"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.ID("addr")),
		into(&loc, chromedp.Location()),
		chromedp.Click(chromedp.CSS(`#sessions ~ details summary`)),
		chromedp.SendKeys(chromedp.ID("session_title"), "Ransomware against hospitals and critical infrastructure"),
		chromedp.SendKeys(chromedp.ID("agenda"), "1. What recent incidents teach.\n2. Supplier contracts."),
		chromedp.Click(chromedp.CSS(`form[action$="/sessions"] button[type=submit]`)),
		// Not the notice: the page before has one too.
		chromedp.WaitVisible(chromedp.CSS(`#sessions ~ ul.tabs`)),
	)
	path := strings.TrimPrefix(loc, a.URL)
	if !strings.HasPrefix(path, "/dialogue/") {
		t.Fatalf("after opening: at %s", loc)
	}
	// Each invitation picks an address the address book offers: the value
	// of one of the field's options, as choosing it in the list does.
	invite := func(handle, role string) chromedp.Action[chromedp.Void] {
		var addr string
		return chromedp.Steps(
			// A fresh page, with no notice of the invitation before (at an
			// address of its own: Chromium aborts a load of the page it shows).
			chromedp.Navigate(loc+"?invite="+handle+"-"+role),
			chromedp.WaitVisible(chromedp.ID("addr")),
			into(&addr, chromedp.Evaluate[string](`document.querySelector('#dlg-addresses option[value^="`+handle+`@"]').value`)),
			chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
				return chromedp.Do(ctx, chromedp.SetValue(chromedp.ID("addr"), addr), chromedp.SetValue(chromedp.ID("role"), role))
			}),
			// Not a click on the form's button: each seated party has a
			// form of its own to remove it.
			chromedp.Submit(chromedp.ID("addr")),
			chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		)
	}
	var parties string
	step(t, ctx, "A invites B and C from the address book",
		invite("kemlu", "participant"),
		invite("csa-sg", "participant"),
		invite("csa-sg", "rapporteur"),
		into(&parties, chromedp.Text(chromedp.CSS(`#participants ~ table tbody`))),
		both(t, "dlg-02-host-page"),
	)
	for _, s := range []string{"kemlu@" + b.host, "csa-sg@" + c.host, "rapporteur"} {
		if !strings.Contains(parties, s) {
			t.Fatalf("participants on A lack %q:\n%s", s, parties)
		}
	}

	// B's officer contributes from B's node, in their own session.
	bctx := session(t, ctx)
	step(t, bctx, "B signs in", signInAs(b.URL, "officer@kemlu.test", "officer password 1"))
	pollPage(t, bctx, "the dialogue's copy on B", b.URL+path, `!!document.getElementById('body') && document.querySelectorAll('#session option').length == 2`)
	var flash string
	var picked int
	step(t, bctx, "B contributes",
		into(&picked, chromedp.Evaluate[int](`document.getElementById('session').selectedIndex = 1`)),
		chromedp.SendKeys(chromedp.ID("body"), body),
		both(t, "dlg-03-contribute-b"),
		chromedp.Click(chromedp.CSS(`form[action$="/contributions"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		into(&flash, chromedp.Text(chromedp.CSS(`.flash`))),
	)
	if !strings.Contains(flash, "on its way to the host") {
		t.Fatalf("after contributing on B: %q", flash)
	}

	// C's officer, in a third session, waits for it.
	cctx := session(t, ctx)
	step(t, cctx, "C signs in", signInAs(c.URL, "officer@csa-sg.test", "officer password 1"))
	pollPage(t, cctx, "the contribution on C", c.URL+path, `document.body.innerText.includes(`+jsString(body)+`)`)
	var article, rule string
	step(t, cctx, "C reads it without attribution",
		into(&article, chromedp.Text(chromedp.CSS(`article.contribution`))),
		into(&rule, chromedp.Text(chromedp.ID("rule"))),
		both(t, "dlg-04-arrived-c"),
	)
	if !strings.Contains(article, body) || !strings.Contains(article, "a participant") {
		t.Fatalf("the contribution on C:\n%s", article)
	}
	for _, who := range []string{"Officer of kemlu", "Ministry of Foreign Affairs", "kemlu@"} {
		if strings.Contains(article, who) {
			t.Fatalf("the contribution on C names %q:\n%s", who, article)
		}
	}
	if !strings.Contains(rule, "Chatham House Rule") || !strings.Contains(rule, "neither the identity nor the affiliation") {
		t.Fatalf("the rule's notice on C: %q", rule)
	}
	step(t, cctx, "C reads it in Bahasa Indonesia",
		chromedp.Click(chromedp.CSS(`form[action="/lang"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="id"]`)),
		chromedp.Navigate(c.URL+path),
		chromedp.WaitVisible(chromedp.ID("rule")),
		into(&article, chromedp.Text(chromedp.CSS(`article.contribution`))),
		into(&rule, chromedp.Text(chromedp.ID("rule"))),
		both(t, "dlg-05-arrived-c-id"),
	)
	if !strings.Contains(article, "seorang peserta") || !strings.Contains(rule, "Aturan Chatham House") {
		t.Fatalf("in Bahasa Indonesia on C: %q / %q", article, rule)
	}

	// The moderator on A sees who wrote it.
	step(t, ctx, "the moderator on A",
		chromedp.Navigate(a.URL+path),
		chromedp.WaitVisible(chromedp.CSS(`article.contribution`)),
		into(&article, chromedp.Text(chromedp.CSS(`article.contribution`))),
		both(t, "dlg-06-moderator-a"),
	)
	if !strings.Contains(article, "Officer of kemlu") || !strings.Contains(article, "Ministry of Foreign Affairs of Indonesia") {
		t.Fatalf("the moderator's view on A:\n%s", article)
	}

	// C's officer, the rapporteur, publishes the summary from C.
	step(t, cctx, "C publishes the summary",
		chromedp.Navigate(c.URL+path+"/summary"),
		chromedp.WaitVisible(chromedp.ID("text")),
		chromedp.SendKeys(chromedp.ID("text"), summary),
		both(t, "dlg-07-summary-c-id"),
		chromedp.Click(chromedp.CSS(`button[name=publish]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)
	waitFor(t, "the published summary on A", func() bool {
		return strings.Contains(a.officer.get(path+"/summary").Body, "summary.md")
	})

	// The host downloads it.
	dir := t.TempDir()
	dctx, cancelD := context.WithTimeout(ctx, 30*time.Second)
	defer cancelD()
	progress := chromedp.Events(dctx, browser.DownloadProgress)
	step(t, ctx, "A downloads the summary",
		chromedp.Navigate(a.URL+path+"/summary"),
		chromedp.WaitVisible(chromedp.CSS(`a[href$="/summary.md"]`)),
		both(t, "dlg-08-summary-a"),
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			yes := true
			_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
				Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: &yes})
			return err
		}),
		chromedp.Click(chromedp.CSS(`a[href$="/summary.md"]`)),
	)
	var file []byte
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("downloading the summary: %v", err)
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			if file, err = os.ReadFile(filepath.Join(dir, ev.GUID)); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	got := string(file)
	if !strings.Contains(got, summary) || !strings.Contains(got, "Chatham House Rule") || !strings.Contains(got, title) {
		t.Fatalf("the downloaded summary:\n%s", got)
	}
	for _, who := range []string{"Officer of", "Ministry of Foreign Affairs", "Cyber Security Agency", "kemlu", "csa-sg"} {
		if strings.Contains(got, who) {
			t.Fatalf("the downloaded summary names %q:\n%s", who, got)
		}
	}
	step(t, ctx, "sign out on A", logout)
}

// session opens a tab with cookies of its own in the browser of ctx: another
// person's browser.
func session(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	s, cancel := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	// The first action opens the tab, which lives as long as the context
	// of that action: this one, not a step's.
	if err := chromedp.Do(s, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("open a browser session: %v", err)
	}
	return s
}

// pollPage loads url in the session until cond (a JavaScript expression)
// holds on the page: what another node sends arrives in its own time.
func pollPage(t *testing.T, ctx context.Context, what, url, cond string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var ok bool
		step(t, ctx, what, chromedp.Navigate(url), into(&ok, chromedp.Evaluate[bool](cond)))
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

// jsString quotes s for a JavaScript expression.
func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
