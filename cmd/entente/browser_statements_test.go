package main

import (
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserJointStatement: Indonesia's foreign ministry drafts a joint
// attribution statement on node A, invites Singapore's agency on node B
// (chosen from the list, not typed) and opens it for signature; B's admin
// reads the exact text and its hash, and co-signs it; A publishes it; the
// public page, read without signing in, shows both signatures with their
// keys and ledger proofs. Photographed at a phone's width and on a desktop.
func TestBrowserJointStatement(t *testing.T) {
	ctx := newBrowser(t)
	a := startFederated(t, "", "kemlu", "ID", "Ministry of Foreign Affairs of Indonesia")
	b := startFederated(t, "", "csa", "SG", "Cyber Security Agency of Singapore")
	ida := cybPerson(t, a.testNode, a.admin, "kemlu", "sari@kemlu.test", "admin")
	sga := cybPerson(t, b.testNode, b.admin, "csa", "weiming@csa.test", "admin")
	peer(t, a, b)
	csa := "csa@" + b.host
	waitFor(t, "csa among A's co-signers", func() bool { return strings.Contains(ida.get("/statements/new").Body, `value="`+csa+`"`) })

	const pw = "cyber password 1"
	const title = "Joint statement on the ransomware campaign against hospitals"
	var loc, hashA string
	step(t, ctx, "draft and open on A",
		signInAs(a.URL, "sari@kemlu.test", pw),
		chromedp.Navigate(a.URL+"/statements/"),
		chromedp.Click(chromedp.CSS(`a[href="/statements/new"]`)),
		chromedp.WaitVisible(chromedp.ID("title")),
		chromedp.SendKeys(chromedp.ID("title"), title),
		chromedp.SendKeys(chromedp.ID("actor"), "BlackLantern"),
		chromedp.SendKeys(chromedp.ID("body"), "Indonesia and Singapore attribute the ransomware campaign against hospitals in the region to the group known as BlackLantern."),
		chromedp.Click(chromedp.CSS(`input[name=invited][value="`+csa+`"]`)),
		chromedp.EmulateViewport(390, 844), shot("stmt-01-form-phone"), chromedp.EmulateViewport(1200, 900),
		chromedp.Click(chromedp.CSS(`form[action="/statements/new"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/open"] button`)),
		into(&loc, chromedp.Location()),
		chromedp.Click(chromedp.CSS(`form[action$="/open"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/publish"] button`)),
		into(&hashA, chromedp.Text(chromedp.CSS(`dl.facts code.receipt`))),
		shot("stmt-02-open-on-a"),
		chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/login"]`)),
	)
	if len(strings.TrimSpace(hashA)) != 64 {
		t.Fatalf("no hash on A: %q", hashA)
	}
	waitFor(t, "the invitation on B", func() bool { return strings.Contains(sga.get("/statements/").Body, title) })
	var hashB, flash string
	step(t, ctx, "read and co-sign on B",
		signInAs(b.URL, "weiming@csa.test", pw),
		// The invitation waits on the home page.
		chromedp.Click(chromedp.CSS(`section[aria-labelledby=attn] a[href^="/statements/"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/sign"] button`)),
		into(&hashB, chromedp.Text(chromedp.CSS(`dl.facts code.receipt`))),
		chromedp.EmulateViewport(390, 844), shot("stmt-03-sign-phone"), chromedp.EmulateViewport(1200, 900),
		chromedp.Click(chromedp.CSS(`form[action$="/sign"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/withdraw"] button`)),
		into(&flash, chromedp.Text(chromedp.CSS(`main`))),
		chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/login"]`)),
	)
	if hashB != hashA {
		t.Fatalf("B shows hash %q, A %q", hashB, hashA)
	}
	if !strings.Contains(flash, "Signed. Your node recorded the signature in its ledger") {
		t.Fatalf("after signing on B: %q", flash)
	}
	path := strings.TrimPrefix(loc, a.URL)
	waitFor(t, "B's signature on A", func() bool { return strings.Count(ida.get(path).Body, "Signature verified") == 2 })
	var signers string
	step(t, ctx, "publish on A, then read it as anyone",
		signInAs(a.URL, "sari@kemlu.test", pw),
		chromedp.Navigate(loc),
		chromedp.Click(chromedp.CSS(`form[action$="/publish"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href$="/bundle.json"]`)),
		chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/login"]`)),
		chromedp.Navigate(loc),
		chromedp.WaitVisible(chromedp.ID("signers")),
		into(&signers, chromedp.Text(chromedp.ID("signers"))),
		shot("stmt-04-public-desktop"),
		chromedp.EmulateViewport(390, 844), shot("stmt-05-public-phone"), chromedp.EmulateViewport(1200, 900),
	)
	for _, want := range []string{"Ministry of Foreign Affairs of Indonesia", "Cyber Security Agency of Singapore"} {
		if !strings.Contains(signers, want) {
			t.Errorf("the public page does not list %s:\n%s", want, signers)
		}
	}
	if n := strings.Count(signers, "Signature verified"); n != 2 {
		t.Errorf("%d verified signatures on the public page, want 2:\n%s", n, signers)
	}
	if n := len(regexp.MustCompile(`entry \d+ of its node's ledger, proof verified`).FindAllString(signers, -1)); n != 2 {
		t.Errorf("%d ledger proofs on the public page, want 2:\n%s", n, signers)
	}
	// …and on B, once the publication has arrived and B has verified it.
	waitFor(t, "the publication on B", func() bool {
		r := newClient(t, b.URL).get("/statements/")
		return strings.Contains(r.Body, title) && strings.Contains(r.Body, "Published")
	})
}
