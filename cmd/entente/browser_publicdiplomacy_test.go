package main

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"entente.example/entente/internal/access"
	"entente.example/entente/internal/config"
	"entente.example/entente/modules/publicdiplomacy"
)

// TestBrowserPublicDiplomacy: two demo nodes, each its own world. On A,
// Indonesia's MFA speaks as @kemlu; on B, Australia's DFAT has @dfat,
// which follows @kemlu. Bima (an officer, who reads in Bahasa Indonesia)
// drafts a post in English and Bahasa Indonesia in the newsroom and
// submits it; Sari (an admin) opens it and approves it; it is published
// and delivered. Olivia on B reads it on her timeline and replies from the
// page; the reply lands in A's web-care queue, where Bima opens it and
// answers in Bahasa Indonesia; the answer, which mentions @dfat, lands in
// B's queue. The message and the web-care item are photographed at a
// phone's width.
func TestBrowserPublicDiplomacy(t *testing.T) {
	ctx := newBrowser(t)
	private := func(c *config.Config) { c.AllowPrivatePeers = true } // both nodes are on loopback
	a, aURL, aPW := demoNodeTB(t, private)
	b, bURL, bPW := demoNodeTB(t, private)
	bg := context.Background()
	as := func(n *node, email string) context.Context {
		t.Helper()
		c, err := actorFor(bg, n, email)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	olivia := as(b, "olivia@dfat-au.demo")
	kemlu := pdAccount(t, a, as(a, "sari@kemlu.demo"), publicdiplomacy.AccountInput{Org: "kemlu", Username: "kemlu", DisplayName: "Kemlu RI", Language: "id"})
	dfat := pdAccount(t, b, olivia, publicdiplomacy.AccountInput{Org: "dfat-au", Username: "dfat", DisplayName: "DFAT Australia", Language: "en"})
	exchange := func() {
		t.Helper()
		for range 3 {
			for _, n := range []*node{a, b} {
				if err := n.svcs.Public.DeliverNow(bg); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if _, err := b.svcs.Public.Follow(olivia, dfat.ID, "kemlu@"+a.svcs.Public.Host()); err != nil {
		t.Fatal(err)
	}
	exchange()
	if fs, err := b.svcs.Public.Followings(bg, dfat.ID); err != nil || len(fs) != 1 || fs[0].State != "accepted" {
		t.Fatalf("@dfat follows %+v (%v)", fs, err)
	}

	const (
		en     = "Indonesia and Australia open a joint cyber policy dialogue in Jakarta next week. #CyberDiplomacy"
		id     = "Indonesia dan Australia membuka dialog kebijakan siber bersama di Jakarta pekan depan. #DiplomasiSiber"
		reply  = "Australia looks forward to the dialogue and to working with Indonesia."
		answer = "Terima kasih, Australia. Sampai jumpa di Jakarta."
	)
	logout := chromedp.Steps(chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.CSS(`form[action="/login"]`)))
	phone := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(chromedp.EmulateViewport(390, 844), shot(name), chromedp.EmulateViewport(1200, 900))
	}
	var loc, text, flash string
	step(t, ctx, "Bima drafts and submits on A",
		signInAs(aURL, "bima@kemlu.demo", aPW),
		chromedp.Navigate(aURL+"/newsroom/new"),
		chromedp.WaitVisible(chromedp.ID("content_en")),
		chromedp.SetValue(chromedp.ID("account"), kemlu.ID),
		chromedp.SendKeys(chromedp.ID("content_en"), en),
		chromedp.SendKeys(chromedp.ID("content_id"), id),
		chromedp.Click(chromedp.CSS(`form[action="/newsroom"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/submit"] button`)),
		into(&loc, chromedp.Location()),
		// The draft's page has a notice too: wait for the next page's.
		chromedp.Click(chromedp.CSS(`form[action$="/submit"] button`)),
		chromedp.WaitNotPresent(chromedp.CSS(`form[action$="/submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		into(&flash, chromedp.Text(chromedp.CSS(`.flash`))),
		into(&text, chromedp.Text(chromedp.ID("main"))),
		logout,
	)
	// Bima reads the node in Bahasa Indonesia.
	if flash != "Diajukan untuk ditinjau: orang kedua yang menyetujuinya." || !strings.Contains(text, "Menunggu tinjauan") || !strings.Contains(text, en) || !strings.Contains(text, id) {
		t.Fatalf("after submitting: %q\n%s", flash, text)
	}
	step(t, ctx, "Sari opens and approves it on A",
		signInAs(aURL, "sari@kemlu.demo", aPW),
		chromedp.Navigate(aURL+"/newsroom"),
		chromedp.Click(chromedp.CSS(`section[aria-labelledby=review] a[href="`+strings.TrimPrefix(loc, aURL)+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/approve"] button`)),
		into(&text, chromedp.Text(chromedp.ID("main"))),
		phone("pd-01-message-review-phone"),
		chromedp.Click(chromedp.CSS(`form[action$="/approve"] button`)),
		chromedp.WaitNotPresent(chromedp.CSS(`form[action$="/approve"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		into(&flash, chromedp.Text(chromedp.CSS(`.flash`))),
		logout,
	)
	if !strings.Contains(text, en) || !strings.Contains(text, id) || !strings.Contains(text, "Bima Prasetyo") {
		t.Fatalf("Sari's view of the message:\n%s", text)
	}
	if flash != "Disetujui. Pesan terbit pada waktunya." {
		t.Fatalf("after approving: %q", flash)
	}
	if n, err := a.svcs.Public.PublishDue(bg); err != nil || n != 2 {
		t.Fatalf("published %d posts (%v)", n, err)
	}
	exchange()

	step(t, ctx, "Olivia reads it on B's timeline and replies",
		signInAs(bURL, "olivia@dfat-au.demo", bPW),
		chromedp.Navigate(bURL+"/webcare"),
		chromedp.Click(chromedp.CSS(`main a[href="/webcare/timeline"]`)),
		chromedp.WaitVisible(chromedp.CSS(`article.post`)),
		into(&text, chromedp.Text(chromedp.ID("main"))),
	)
	if !strings.Contains(text, en) || !strings.Contains(text, id) || !strings.Contains(text, "Kemlu RI") || !strings.Contains(text, "@kemlu@"+a.svcs.Public.Host()) {
		t.Fatalf("B's timeline:\n%s", text)
	}
	var item string
	step(t, ctx, "find the English post",
		into(&item, chromedp.Evaluate[string](`[...document.querySelectorAll("article.post")].find(a => a.textContent.includes(`+strconv.Quote(en)+`)).id`)),
	)
	step(t, ctx, "reply from the timeline",
		chromedp.Click(chromedp.CSS(`#`+item+` details summary`)),
		chromedp.WaitVisible(chromedp.CSS(`#`+item+` textarea[name=content]`)),
		chromedp.SendKeys(chromedp.CSS(`#`+item+` textarea[name=content]`), reply),
		phone("pd-02-timeline-phone"),
		chromedp.Click(chromedp.CSS(`#`+item+` form[action$="/reply"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		into(&flash, chromedp.Text(chromedp.CSS(`.flash`))),
		into(&text, chromedp.Text(chromedp.CSS(`#`+item))),
		logout,
	)
	if flash != "The reply is published and on its way to the person you answered." || !strings.Contains(text, "replied by Olivia Brennan") {
		t.Fatalf("after replying: %q\n%s", flash, text)
	}
	exchange()

	step(t, ctx, "Bima sees the reply in A's web-care queue and answers",
		signInAs(aURL, "bima@kemlu.demo", aPW),
		chromedp.Navigate(aURL+"/webcare"),
		chromedp.WaitVisible(chromedp.CSS(`ol.cards`)),
		into(&text, chromedp.Text(chromedp.CSS(`ol.cards`))),
	)
	if !strings.Contains(text, reply) || !strings.Contains(text, "DFAT Australia") {
		t.Fatalf("A's web-care queue:\n%s", text)
	}
	step(t, ctx, "answer on A",
		chromedp.Click(chromedp.CSS(`ol.cards li a[href^="/webcare/"]`)),
		chromedp.WaitVisible(chromedp.ID("content")),
		into(&text, chromedp.Text(chromedp.ID("main"))),
		phone("pd-03-webcare-item-phone"),
		chromedp.SendKeys(chromedp.ID("content"), answer),
		chromedp.SetValue(chromedp.ID("language"), "id"),
		chromedp.Click(chromedp.CSS(`form[action$="/answer"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		into(&flash, chromedp.Text(chromedp.CSS(`.flash`))),
		into(&loc, chromedp.Text(chromedp.CSS(`section[aria-labelledby=answers]`))),
		phone("pd-04-webcare-answered-phone"),
		logout,
	)
	if !strings.Contains(text, reply) || !strings.Contains(text, en) {
		t.Fatalf("the web-care item on A:\n%s", text)
	}
	if flash != "Jawaban telah diterbitkan dan sedang dikirim kepada penulisnya." || !strings.Contains(loc, answer) || !strings.Contains(loc, "@dfat@"+b.svcs.Public.Host()) {
		t.Fatalf("after answering: %q\n%s", flash, loc)
	}
	exchange()

	step(t, ctx, "Olivia sees the answer in B's web-care queue",
		signInAs(bURL, "olivia@dfat-au.demo", bPW),
		chromedp.Navigate(bURL+"/webcare"),
		chromedp.WaitVisible(chromedp.CSS(`ol.cards`)),
		into(&text, chromedp.Text(chromedp.CSS(`ol.cards`))),
		chromedp.Click(chromedp.CSS(`ol.cards li a[href^="/webcare/"]`)),
		chromedp.WaitVisible(chromedp.ID("message")),
		into(&loc, chromedp.Text(chromedp.ID("main"))),
		phone("pd-05-answer-on-b-phone"),
		logout,
	)
	if !strings.Contains(text, answer) || !strings.Contains(text, "Kemlu RI") || !strings.Contains(text, "Reply") {
		t.Fatalf("B's web-care queue:\n%s", text)
	}
	if !strings.Contains(loc, answer) || !strings.Contains(loc, reply) || !strings.Contains(loc, "Bahasa Indonesia") {
		t.Fatalf("the answer's page on B (it replies to Olivia's post):\n%s", loc)
	}
}

// pdAccount is an organisation's account on a node: the demo's, if it has
// one by that name, else created by the person in ctx.
func pdAccount(t *testing.T, n *node, ctx context.Context, in publicdiplomacy.AccountInput) publicdiplomacy.Account {
	t.Helper()
	accs, err := n.svcs.Public.MyAccounts(ctx, access.PDAccounts)
	if err != nil {
		t.Fatal(err)
	}
	for _, acc := range accs {
		if acc.Username == in.Username {
			return acc
		}
	}
	acc, err := n.svcs.Public.CreateAccount(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	return acc
}
