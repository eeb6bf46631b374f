package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"entente.example/entente/internal/store/storetest"
)

// chromium finds Debian's Chromium; without it the browser journeys are
// skipped, except under ENTENTE_TEST_STRICT=1 where that is a failure.
func chromium(t *testing.T) string {
	for _, p := range []string{os.Getenv("ENTENTE_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := exec.LookPath(p); err == nil {
			return p
		}
	}
	if storetest.Strict() {
		t.Fatal("ENTENTE_TEST_STRICT=1 but Chromium is not installed (apt-get install chromium)")
	}
	t.Skip("SKIPPING browser journey: Chromium not found (apt-get install chromium)")
	return ""
}

func newBrowser(t *testing.T) context.Context {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("lang", "en-US"),
		chromedp.Flag("accept-lang", "en-US,en"),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1200, 900),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelB := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelB(); cancelA() })
	// The first action starts the browser; the timeout is for the steps only.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return ctx
}

// shot saves a screenshot when ENTENTE_SCREENSHOTS names a directory, so a
// person can look at the pages the journey went through.
func shot(name string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		dir := os.Getenv("ENTENTE_SCREENSHOTS")
		if dir == "" {
			return nil
		}
		buf, err := chromedp.FullScreenshot(100)(ctx, t) // 100: PNG; less is JPEG
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644)
	})
}

// both photographs the page on a desktop and at a phone's width, where
// it must not scroll sideways.
func both(t *testing.T, name string) chromedp.Action[chromedp.Void] {
	var wide string
	return chromedp.Steps(shot(name), chromedp.EmulateViewport(390, 844),
		into(&wide, chromedp.Evaluate[string](sideways)),
		chromedp.Func(func(context.Context, *chromedp.Target) error {
			if wide != "" {
				t.Errorf("%s scrolls sideways at 390 px: %s", name, wide)
			}
			return nil
		}),
		shot(name+"-phone"), chromedp.EmulateViewport(1200, 900))
}

// sideways is "" when the page fits the window's width, or else how wide
// it is and the elements that stick out.
const sideways = `(() => {
	const w = window.innerWidth;
	if (document.documentElement.scrollWidth <= w) return "";
	const out = [];
	const clipped = e => { for (let p = e.parentElement; p; p = p.parentElement) if (getComputedStyle(p).overflowX != "visible") return true; return false; };
	for (const e of document.querySelectorAll("body *")) {
		if (clipped(e) && getComputedStyle(e).position != "absolute") continue;
		const r = e.getBoundingClientRect();
		if (r.right > w + 1 && r.width > 0) out.push(e.tagName + (e.id ? "#" + e.id : "") + (e.className ? "." + e.className : "") + " to " + Math.round(r.right));
	}
	return document.documentElement.scrollWidth + " px; " + out.slice(0, 10).join(", ");
})()`

// into runs a value-returning action and stores its result, so reads can sit
// among the steps of a journey.
func into[T any](dst *T, a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		v, err := a(ctx, t)
		*dst = v
		return err
	})
}

// TestBrowserJourney: first-run setup → the administrator creates an
// organisation and a person → that person sets a password, signs in, turns on
// two-factor, switches to Bahasa Indonesia and sees the page translated →
// signs out, and signs in again with the second factor.
func TestBrowserJourney(t *testing.T) {
	ctx := newBrowser(t)
	n := startNode(t, "", "")
	base := n.URL
	tok := n.setupToken(t)
	var text, invite, secret string

	step(t, ctx, "setup",
		chromedp.Navigate(base+"/setup?token="+tok),
		chromedp.WaitVisible(chromedp.ID(`name`)),
		shot("01-setup"),
		chromedp.SendKeys(chromedp.ID(`name`), "Ada Admin"),
		chromedp.SendKeys(chromedp.ID(`email`), "ada@node.test"),
		chromedp.SendKeys(chromedp.ID(`password`), "correct horse battery"),
		chromedp.Submit(chromedp.ID(`password`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		into(&text, chromedp.Text(chromedp.CSS(`h1`))),
	)
	if text != "Welcome, Ada Admin" {
		t.Fatalf("after setup: h1 %q", text)
	}
	step(t, ctx, "create organisation",
		chromedp.Navigate(base+"/orgs/new"),
		chromedp.WaitVisible(chromedp.ID(`handle`)),
		chromedp.SendKeys(chromedp.ID(`handle`), "kemlu"),
		chromedp.SetValue(chromedp.ID(`kind`), "state_ministry"),
		chromedp.SendKeys(chromedp.ID(`country`), "ID"),
		chromedp.SendKeys(chromedp.ID(`name_en`), "Ministry of Foreign Affairs"),
		chromedp.SendKeys(chromedp.ID(`name_id`), "Kementerian Luar Negeri"),
		shot("02-org-form"),
		chromedp.Submit(chromedp.ID(`name_en`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		into(&text, chromedp.Text(chromedp.CSS(`h1`))),
		shot("03-org"),
	)
	if text != "Ministry of Foreign Affairs" {
		t.Fatalf("organisation page: h1 %q", text)
	}
	step(t, ctx, "create person",
		chromedp.Navigate(base+"/people/new?org=kemlu"),
		chromedp.WaitVisible(chromedp.ID(`name`)),
		chromedp.SendKeys(chromedp.ID(`name`), "Dewi Lestari"),
		chromedp.SendKeys(chromedp.ID(`email`), "dewi@kemlu.test"),
		chromedp.SendKeys(chromedp.ID(`title`), "Cyber diplomacy officer"),
		chromedp.SetValue(chromedp.ID(`role`), "officer"),
		chromedp.Submit(chromedp.ID(`name`)),
		chromedp.WaitVisible(chromedp.ID(`invite-link`)),
		into(&invite, chromedp.Text(chromedp.ID(`invite-link`))),
		shot("04-person-created"),
		// The administrator signs out.
		chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/login"]`)),
	)
	if !strings.Contains(invite, "/invite?token=") {
		t.Fatalf("invite link %q", invite)
	}
	step(t, ctx, "accept invitation",
		chromedp.Navigate(invite),
		chromedp.WaitVisible(chromedp.ID(`password2`)),
		chromedp.SendKeys(chromedp.ID(`password`), "kata sandi yang panjang"),
		chromedp.SendKeys(chromedp.ID(`password2`), "kata sandi yang panjang"),
		chromedp.Submit(chromedp.ID(`password2`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/login"]`)),
	)
	step(t, ctx, "sign in",
		chromedp.SendKeys(chromedp.ID(`email`), "dewi@kemlu.test"),
		chromedp.SendKeys(chromedp.ID(`password`), "kata sandi yang panjang"),
		chromedp.Submit(chromedp.ID(`password`)),
		chromedp.WaitVisible(chromedp.CSS(`.attention`)),
		into(&text, chromedp.Text(chromedp.CSS(`h1`))),
		shot("05-home"),
	)
	if text != "Welcome, Dewi Lestari" {
		t.Fatalf("home: h1 %q", text)
	}
	var notices int
	step(t, ctx, "notices are shown once",
		chromedp.Click(chromedp.CSS(`a[href="/account"]`)),
		chromedp.WaitVisible(chromedp.ID(`pw`)),
		into(&notices, chromedp.Evaluate[int](`document.querySelectorAll(".flash").length`)),
	)
	if notices != 0 {
		t.Fatalf("a notice from an earlier page is still shown")
	}
	step(t, ctx, "turn on two-factor",
		chromedp.Click(chromedp.CSS(`a[href="/account/two-factor"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/account/two-factor/start"] button`)),
		chromedp.Click(chromedp.CSS(`form[action="/account/two-factor/start"] button`)),
		chromedp.WaitVisible(chromedp.ID(`totp-secret`)),
		into(&secret, chromedp.Text(chromedp.ID(`totp-secret`))),
		shot("06-two-factor"),
	)
	code, err := totp.GenerateCode(secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	step(t, ctx, "confirm two-factor",
		chromedp.SendKeys(chromedp.ID(`code`), code),
		chromedp.Submit(chromedp.ID(`code`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		into(&text, chromedp.Text(chromedp.CSS(`.flash`))),
	)
	if text != "Two-factor authentication is on." {
		t.Fatalf("after enrolment: %q", text)
	}
	var langAttr chromedp.AttributeResult
	step(t, ctx, "switch to Bahasa Indonesia",
		chromedp.Click(chromedp.CSS(`form[action="/lang"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="id"]`)),
		into(&text, chromedp.Text(chromedp.CSS(`h1`))),
		into(&langAttr, chromedp.AttributeValue(chromedp.CSS(`html`), "lang")),
		shot("07-indonesian"),
	)
	if text != "Autentikasi dua faktor" || langAttr.Value != "id" {
		t.Fatalf("after switching language: h1 %q, lang %q", text, langAttr.Value)
	}
	step(t, ctx, "home in Indonesian",
		chromedp.Click(chromedp.CSS(`a[href="/"]:not(.brand)`)),
		chromedp.WaitVisible(chromedp.ID(`attn`)),
		into(&text, chromedp.Text(chromedp.ID(`attn`))),
	)
	if text != "Perlu perhatian Anda" {
		t.Fatalf("home heading in Indonesian: %q", text)
	}
	step(t, ctx, "sign out",
		chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
		into(&text, chromedp.Text(chromedp.CSS(`.flash`))),
	)
	if text != "Anda sudah keluar." {
		t.Fatalf("after sign-out: %q", text)
	}
	// Signing in again now asks for the second factor. A new 30-second step is
	// needed: the code used to enrol cannot be replayed.
	time.Sleep(time.Until(time.Unix((time.Now().Unix()/30+1)*30, 0)) + 100*time.Millisecond)
	code, _ = totp.GenerateCode(secret, time.Now())
	step(t, ctx, "sign in with two-factor",
		chromedp.SendKeys(chromedp.ID(`email`), "dewi@kemlu.test"),
		chromedp.SendKeys(chromedp.ID(`password`), "kata sandi yang panjang"),
		chromedp.Submit(chromedp.ID(`password`)),
		chromedp.WaitVisible(chromedp.ID(`code`)),
		shot("08-second-factor"),
		chromedp.SendKeys(chromedp.ID(`code`), code),
		chromedp.Submit(chromedp.ID(`code`)),
		chromedp.WaitVisible(chromedp.ID(`attn`)),
		into(&text, chromedp.Text(chromedp.CSS(`h1`))),
	)
	if text != "Selamat datang, Dewi Lestari" {
		t.Fatalf("after two-factor sign-in: %q", text)
	}
}

// TestBrowserJourneyAcrossNodes: an officer composes on node A, the message
// arrives on node B, B's officer acknowledges it, and A's officer sees who
// acknowledged and when.
func TestBrowserJourneyAcrossNodes(t *testing.T) {
	ctx := newBrowser(t)
	a := startFederated(t, "", "kemlu", "ID", "Ministry of Foreign Affairs of Indonesia")
	b := startFederated(t, "", "csa-sg", "SG", "Cyber Security Agency of Singapore")
	peer(t, a, b)
	waitFor(t, "b's directory on a", func() bool { return strings.Contains(a.officer.get("/mail/new").Body, "csa-sg@"+b.host) })
	var text string
	step(t, ctx, "compose on A",
		signInAs(a.URL, "officer@kemlu.test", "officer password 1"),
		chromedp.Click(chromedp.CSS(`a[href="/mail"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/mail/new"]`)),
		chromedp.Click(chromedp.CSS(`a[href="/mail/new"]`)),
		chromedp.WaitVisible(chromedp.ID("to")),
		chromedp.SendKeys(chromedp.ID("to"), "csa-sg@"+b.host),
		chromedp.SendKeys(chromedp.ID("subject"), "Joint statement: comments by Friday"),
		chromedp.SendKeys(chromedp.ID("body"), "Please find our comments on paragraph 4 of the draft joint statement."),
		shot("11-compose"),
		chromedp.Submit(chromedp.ID("subject")),
		chromedp.WaitVisible(chromedp.ID("delivery")),
		into(&text, chromedp.Text(chromedp.CSS("h1"))),
	)
	if text != "Joint statement: comments by Friday" {
		t.Fatalf("after sending: h1 %q", text)
	}
	waitFor(t, "the message on B", func() bool {
		return strings.Contains(b.officer.get("/mail").Body, "Joint statement: comments by Friday")
	})
	// B's officer, in a fresh browser session.
	step(t, ctx, "sign out on A", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.CSS(`form[action="/login"]`)))
	step(t, ctx, "acknowledge on B",
		signInAs(b.URL, "officer@csa-sg.test", "officer password 1"),
		chromedp.Navigate(b.URL+"/mail"),
		chromedp.Click(chromedp.CSS(`td a[href^="/mail/"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/ack"] button`)),
		shot("12-arrived-on-b"),
		chromedp.Click(chromedp.CSS(`form[action$="/ack"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
		chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/login"]`)),
	)
	waitFor(t, "the acknowledgment on A", func() bool {
		return strings.Contains(a.officer.get("/mail/sent").Body, "acknowledged")
	})
	step(t, ctx, "see it on A",
		signInAs(a.URL, "officer@kemlu.test", "officer password 1"),
		chromedp.Navigate(a.URL+"/mail/sent"),
		chromedp.Click(chromedp.CSS(`td a[href^="/mail/"]`)),
		chromedp.WaitVisible(chromedp.ID("delivery")),
		into(&text, chromedp.Text(chromedp.CSS("#delivery + table tbody"))),
		shot("13-acknowledged-on-a"),
	)
	// The administrator's view of the peering, in Indonesian.
	var fp string
	step(t, ctx, "peers on A",
		chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action="/login"]`)),
		chromedp.SendKeys(chromedp.ID("email"), "ada@node.test"),
		chromedp.SendKeys(chromedp.ID("password"), "correct horse battery"),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.ID("attn")),
		chromedp.Click(chromedp.CSS(`form[action="/lang"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="id"]`)),
		chromedp.Navigate(a.URL+"/admin/peers"),
		chromedp.WaitVisible(chromedp.ID("known")),
		into(&fp, chromedp.Text(chromedp.CSS("#known + table tbody"))),
		shot("14-peers-id"),
	)
	if !strings.Contains(fp, b.host) || !strings.Contains(fp, "terverifikasi") || !strings.Contains(fp, "1 terkirim") {
		t.Fatalf("peers table on A:\n%s", fp)
	}
	if !strings.Contains(text, "acknowledged") || strings.Count(text, "Officer of csa-sg") != 2 || !strings.Contains(text, "csa-sg@"+b.host) || strings.Count(text, "UTC") != 3 {
		t.Fatalf("delivery table on A:\n%s", text)
	}
}

// TestBrowserPingAcrossNodes: the secretariat on one node starts a
// communication check in the browser and keeps its live view open; a point
// of contact on another node acknowledges in another tab; the live view
// shows the result without a reload. The second node is reached as
// localhost so the two sessions' cookies stay apart.
func TestBrowserPingAcrossNodes(t *testing.T) {
	ctx := newBrowser(t)
	a := startFederated(t, "", "unoda", "CH", "UN Office for Disarmament Affairs")
	b := startFederated(t, "", "kemlu", "ID", "Ministry of Foreign Affairs of Indonesia")
	peer(t, a, b)
	sec := focalPoint(t, a, "unoda")
	fpB := focalPoint(t, b, "kemlu")
	r := sec.api("POST", "/api/v1/networks", "", map[string]any{"slug": "un-poc", "secretariat": "unoda", "name_en": "UN Global POC Directory",
		"name_id": "Direktori Global Titik Kontak PBB", "categories": []map[string]string{{"code": "technical", "name_en": "Technical", "name_id": "Teknis"}}, "ack_hours": 24})
	wantStatus(t, r, 201)
	id := decode[struct{ ID string }](t, r).ID
	waitFor(t, "adding kemlu", func() bool {
		return sec.api("POST", "/api/v1/networks/"+id+"/members", "", map[string]string{"member": "kemlu@" + b.host}).StatusCode == 204
	})
	waitFor(t, "the network on b", func() bool { return fpB.get("/api/v1/networks/"+id).StatusCode == 200 })
	wantStatus(t, fpB.api("POST", "/api/v1/networks/"+id+"/nominations", "", map[string]any{"member": "kemlu", "category": "technical",
		"person_id": personID(t, b.admin, "kemlu", "officer@kemlu.test")}), 201)
	var pending []struct{ ID string }
	waitFor(t, "the nomination on a", func() bool {
		pending = decode[struct{ Items []struct{ ID string } }](t, sec.get("/api/v1/networks/"+id+"/nominations?status=pending")).Items
		return len(pending) == 1
	})
	wantStatus(t, sec.api("POST", "/api/v1/nominations/"+pending[0].ID+"/decision", "", map[string]any{"accept": true}), 204)
	waitFor(t, "the directory on b", func() bool {
		return strings.Contains(fpB.get("/api/v1/networks/"+id+"/entries").Body, "officer@kemlu.test")
	})

	var total string
	step(t, ctx, "start the ping on A",
		signInAs(a.URL, "focal@unoda.test", "focal point password 1"),
		chromedp.Click(chromedp.CSS(`a[href="/networks"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/networks/`+id+`"]`)),
		chromedp.Click(chromedp.CSS(`a[href="/networks/`+id+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/pings"] button`)),
		shot("21-network-secretariat"),
		chromedp.Click(chromedp.CSS(`form[action$="/pings"] button`)),
		chromedp.WaitVisible(chromedp.ID("ping-total")),
		into(&total, chromedp.Text(chromedp.ID("ping-total"))),
		shot("22-ping-live"),
	)
	if !strings.HasPrefix(total, "0 / 1") {
		t.Fatalf("ping total at start: %q", total)
	}
	bURL := strings.Replace(b.URL, "127.0.0.1", "localhost", 1)
	tab, cancel := chromedp.NewContext(ctx)
	defer cancel()
	step(t, tab, "acknowledge on B",
		signInAs(bURL, "officer@kemlu.test", "officer password 1"),
		chromedp.Navigate(bURL+"/pocs"),
		chromedp.WaitVisible(chromedp.CSS(`form[action^="/pocs/pings/"] button`)),
		shot("23-pocs-b"),
		chromedp.Click(chromedp.CSS(`form[action^="/pocs/pings/"] button`)),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
	)
	// Back on A's live view, which refreshes itself.
	step(t, ctx, "the result on A",
		chromedp.Poll[chromedp.Void](`document.getElementById('ping-total').textContent.startsWith('1 / 1')`, chromedp.WithPollingTimeout(25*time.Second)),
		shot("24-ping-acknowledged"),
	)
	var row string
	step(t, ctx, "the row on A", into(&row, chromedp.Text(chromedp.CSS(`tr.target-acknowledged`))))
	if !strings.Contains(row, "Officer of kemlu") {
		t.Fatalf("acknowledged row: %q", row)
	}
}

// step runs one step of a journey with a time limit, failing the test with
// the step's name.
func step(t *testing.T, ctx context.Context, name string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// signInAs signs in through the login page and waits for the home page.
func signInAs(base, email, pw string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("password"), pw),
		chromedp.Submit(chromedp.ID("password")),
		chromedp.WaitVisible(chromedp.ID("attn")),
	)
}
