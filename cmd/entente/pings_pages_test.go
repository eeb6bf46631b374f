package main

import (
	"context"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"entente.example/entente/modules/directory"
)

// TestPingPages: the secretariat's check page shows "—" for the median until
// someone answers and offers remind, escalate and close while the check
// runs (to the secretariat only); the contact's card says whom the check is
// for and offers Confirm; once closed, the card no longer offers it and a
// confirmation is refused with the reason. With ENTENTE_SCREENSHOTS set, the
// pages are also photographed at 390 px wide.
func TestPingPages(t *testing.T) {
	n, base, pw := demoNode(t)
	ctx := context.Background()
	if err := demoNetworks(ctx, []*node{n}); err != nil {
		t.Fatal(err)
	}
	var netID string
	if err := n.db.R().Get(ctx, &netID, `SELECT id FROM poc_networks WHERE slug = 'un-poc'`); err != nil {
		t.Fatal(err)
	}
	elena, bima := login(t, base, "elena@unoda.demo", pw), login(t, base, "bima@kemlu.demo", pw)
	r := elena.post("/networks/"+netID+"/pings", url.Values{"message": {"Page test check."}})
	wantStatus(t, r, 303)
	loc := r.Header.Get("Location")
	if !strings.HasPrefix(loc, "/pings/") {
		t.Fatalf("after starting: %q", loc)
	}
	pingID := strings.TrimPrefix(loc, "/pings/")
	page := elena.get(loc)
	wantStatus(t, page, 200)
	wantContains(t, page, `aria-label="no answer yet, so no median">—</span>`, `action="/pings/`+pingID+`/remind"`, `action="/pings/`+pingID+`/escalate"`, `action="/pings/`+pingID+`/close"`)
	if strings.Contains(page.Body, "<dd>0s</dd>") {
		t.Fatal("a median of 0s with nobody answering")
	}

	bctx, err := actorFor(ctx, n, "bima@kemlu.demo")
	if err != nil {
		t.Fatal(err)
	}
	var received string
	waitFor(t, "bima's ping", func() bool {
		ps, _ := n.svcs.Networks.MyPings(bctx)
		for _, p := range ps {
			if p.PingID == pingID && p.CanAck {
				received = p.ID
				return true
			}
		}
		return false
	})
	pocs := bima.get("/pocs")
	// Bima reads Bahasa Indonesia: for him, the state, the network.
	wantContains(t, pocs, `<dt>Untuk</dt><dd>Bima Prasetyo · Teknis</dd>`, `<dt>Negara</dt><dd>Kementerian Luar Negeri Republik Indonesia</dd>`,
		`<dt>Jaringan</dt><dd>Direktori Global Antarpemerintah Titik Kontak PBB</dd>`, `action="/pocs/pings/`+received+`/ack"`)
	// Only the secretariat acts on the check.
	wantStatus(t, bima.post("/pings/"+pingID+"/remind", nil), 403)
	r = elena.post("/pings/"+pingID+"/remind", nil)
	wantStatus(t, r, 303)
	wantContains(t, elena.get(loc), "notified again")
	shots(t, base, pw, []shotPage{{"elena@unoda.demo", loc, "issue12-ping-running"}, {"bima@kemlu.demo", "/pocs", "issue12-pocs"}})

	wantStatus(t, elena.post("/pings/"+pingID+"/close", nil), 303)
	page = elena.get(loc)
	wantContains(t, page, "The check is closed")
	if strings.Contains(page.Body, `/pings/`+pingID+`/remind"`) {
		t.Fatal("a closed check still offers the secretariat's actions")
	}
	if strings.Contains(bima.get("/pocs").Body, `action="/pocs/pings/`+received+`/ack"`) {
		t.Fatal("a closed check still offers Confirm")
	}
	r = bima.post("/pocs/pings/"+received+"/ack", nil)
	wantStatus(t, r, 409)
	wantContains(t, r, "tidak dapat dikonfirmasi lagi")
	if v, err := n.svcs.Networks.PingResult(mustActor(t, n, "elena@unoda.demo"), pingID); err != nil || v.State != directory.PingFinished {
		t.Fatalf("after closing: %s %v", v.State, err)
	}
	shots(t, base, pw, []shotPage{{"elena@unoda.demo", loc, "issue12-ping-closed"}, {"bima@kemlu.demo", "/pocs", "issue12-pocs-closed"}})
}

func mustActor(t *testing.T, n *node, email string) context.Context {
	t.Helper()
	ctx, err := actorFor(context.Background(), n, email)
	if err != nil {
		t.Fatal(err)
	}
	return ctx
}

type shotPage struct{ who, path, name string }

// shots photographs pages at a phone's width when ENTENTE_SCREENSHOTS names
// a directory; without it, it does nothing.
func shots(t *testing.T, base, pw string, pages []shotPage) {
	t.Helper()
	if os.Getenv("ENTENTE_SCREENSHOTS") == "" {
		return
	}
	for _, p := range pages {
		ctx := newBrowser(t)
		step(t, ctx, p.name, chromedp.EmulateViewport(390, 844), signInAs(base, p.who, pw), chromedp.Navigate(base+p.path), shot(p.name))
	}
}
