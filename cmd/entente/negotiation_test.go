package main

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/keys"
)

type negText struct {
	State      string `json:"state"`
	Paragraphs []struct {
		ID      string   `json:"id"`
		Options []string `json:"options"`
	} `json:"paragraphs"`
	Amendments []struct {
		ID, By, State string
	} `json:"amendments"`
	Cosponsors []struct{ By string } `json:"cosponsors"`
	Revisions  []struct{ N int }     `json:"revisions"`
	Silences   []struct {
		ID, State string
		Objection *struct {
			By, Statement string
			SignedBy      string `json:"signed_by"`
		}
	} `json:"silences"`
	Adoption *struct {
		Rev       int
		Statement string
	} `json:"adoption"`
}

// TestNegotiationAcrossNodes: a chair on node a, delegations on nodes b
// (PostgreSQL in CI) and c. The text reaches the delegations' nodes; they
// amend, co-sponsor and take positions from there; the chair decides and
// issues revisions they can compare; a silence procedure is broken by an
// objection signed on node b, and the next one passes at its deadline and
// adopts the text, signed by a. A stakeholder on c and people outside the
// process never see the state text.
func TestNegotiationAcrossNodes(t *testing.T) {
	dbs := engines(t)
	pg := ""
	if f, ok := dbs["postgres"]; ok {
		pg = f(t)
	}
	a := startFederated(t, "", "kln-my", "MY", "Ministry of Foreign Affairs of Malaysia")
	b := startFederated(t, pg, "kemlu", "ID", "Ministry of Foreign Affairs of Indonesia")
	c := startFederated(t, "", "csa-sg", "SG", "Cyber Security Agency of Singapore")
	wantStatus(t, a.admin.post("/orgs", url.Values{"handle": {"asean"}, "kind": {"international"}, "name_en": {"ASEAN Secretariat"}}), 303)
	wantStatus(t, c.admin.post("/orgs", url.Values{"handle": {"acme"}, "kind": {"company"}, "country": {"SG"}, "name_en": {"Acme Cloud"}}), 303)
	sec := focalPoint(t, a, "asean")
	acme := focalPoint(t, c, "acme")
	peer(t, a, b)
	peer(t, a, c)
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(a.Stderr.String())
			t.Log(b.Stderr.String())
		}
	})
	chair, kemlu, csa := a.officer, b.officer, c.officer

	r := sec.api("POST", "/api/v1/negotiation", "", map[string]string{"title": "ASEAN Leaders' Statement", "forum": "ASEAN", "secretariat": "asean", "chair": "kln-my"})
	wantStatus(t, r, 201)
	pid := decode[struct{ ID string }](t, r).ID
	base := "/negotiation/" + pid
	for _, p := range []struct{ addr, role string }{{"kln-my", "delegation"}, {"kemlu@" + b.host, "delegation"}, {"csa-sg@" + c.host, "delegation"}, {"acme@" + c.host, "stakeholder"}} {
		waitFor(t, "seating "+p.addr, func() bool {
			r := sec.api("POST", "/api/v1"+base+"/parties", "", map[string]string{"addr": p.addr, "role": p.role})
			return r.StatusCode == 200
		})
	}
	r = sec.api("POST", "/api/v1"+base+"/parties", "", map[string]string{"addr": "acme@" + c.host, "role": "delegation"})
	wantStatus(t, r, 422)
	wantContains(t, r, `"addr"`)
	r = chair.api("POST", "/api/v1"+base+"/texts", "", map[string]string{"title": "Joint statement", "kind": "chairs-draft",
		"preamble": "Recalling the norms of responsible state behaviour,", "operative": "States should cooperate [in a timely manner] on incidents.\n\nStates should protect critical infrastructure."})
	wantStatus(t, r, 201)
	tb := base + "/texts/t1"
	text := func(c *client) negText {
		t.Helper()
		r := c.api("GET", "/api/v1"+tb, "", nil)
		wantStatus(t, r, 200)
		return decode[negText](t, r)
	}
	for _, d := range []*client{kemlu, csa} {
		waitFor(t, "the text on a delegation's node", func() bool { return d.api("GET", "/api/v1"+tb, "", nil).StatusCode == 200 })
	}
	p2 := text(kemlu).Paragraphs[1].ID

	// Amendments, a co-sponsor and a position from the other nodes.
	r = kemlu.post(tb+"/amendments", url.Values{"para": {p2}, "amend_kind": {"replace"}, "proposed": {"States should cooperate without undue delay on incidents."}, "justification": {"OEWG language."}})
	wantStatus(t, r, 303)
	r = kemlu.post(tb+"/amendments", url.Values{"para": {p2}, "amend_kind": {"replace"}, "proposed": {"States should cooperate [on incidents."}, "justification": {"x"}})
	wantStatus(t, r, 422) // checked on b's copy before anything is sent
	wantContains(t, r, "An opening bracket [ is never closed.")
	act := func(c *client, in map[string]any) {
		t.Helper()
		in["text"] = "t1"
		wantStatus(t, c.api("POST", "/api/v1"+base+"/acts", "", in), 202)
	}
	act(csa, map[string]any{"kind": "amend", "amend": map[string]any{"para": p2, "kind": "option", "proposed": "States should cooperate on incidents affecting critical infrastructure.", "justification": "Scope."}})
	act(csa, map[string]any{"kind": "cosponsor"})
	waitFor(t, "the amendments at the chair's node", func() bool {
		tx := text(chair)
		return len(tx.Amendments) == 2 && len(tx.Cosponsors) == 1
	})
	tx := text(chair)
	ids := map[string]string{}
	for _, am := range tx.Amendments {
		ids[am.By] = am.ID
	}
	kA, cA := ids["kemlu@"+b.host], ids["csa-sg@"+c.host]
	if kA == "" || cA == "" || tx.Cosponsors[0].By != "csa-sg@"+c.host {
		t.Fatalf("amendments %+v, co-sponsors %+v", tx.Amendments, tx.Cosponsors)
	}
	waitFor(t, "the amendments in c's copy", func() bool { return len(text(csa).Amendments) == 2 })
	act(csa, map[string]any{"kind": "position", "position": map[string]string{"target": "a:" + kA, "stance": "live"}})
	waitFor(t, "the position at the chair's node", func() bool { return strings.Contains(chair.get(tb+"/amendments/"+kA).Body, "can live with") })

	// Nobody outside the state table sees the text: not the stakeholder on
	// c, not b's node administrator, not an anonymous visitor.
	r = acme.api("GET", "/api/v1"+base, "", nil)
	wantStatus(t, r, 200)
	if strings.Contains(r.Body, "cooperate") || strings.Contains(r.Body, `"texts"`) {
		t.Fatalf("the stakeholder's view carries the text: %s", r.Body)
	}
	for _, path := range []string{tb, tb + "/clean", tb + "/compare", tb + "/amendments/" + kA, base + "/signed", "/api/v1" + tb} {
		if r := acme.get(path); r.StatusCode != 404 || strings.Contains(r.Body, "cooperate") {
			t.Fatalf("stakeholder GET %s: %d", path, r.StatusCode)
		}
		if r := b.admin.get(path); (r.StatusCode != 404 && r.StatusCode != 403) || strings.Contains(r.Body, "cooperate") {
			t.Fatalf("node administrator GET %s: %d", path, r.StatusCode)
		}
	}
	wantContains(t, acme.get(base), "Stakeholder consultation")
	if strings.Contains(acme.get("/negotiation").Body, "Joint statement") {
		t.Fatal("the text's title in the stakeholder's list")
	}

	// The chair decides and issues two revisions; c compares them.
	wantStatus(t, chair.post(tb+"/amendments/"+kA+"/decision", url.Values{"verdict": {"accept"}}), 303)
	wantStatus(t, chair.post(tb+"/amendments/"+cA+"/decision", url.Values{"verdict": {"reject"}}), 422)
	wantStatus(t, chair.post(tb+"/amendments/"+cA+"/decision", url.Values{"verdict": {"reject"}, "reason": {"Too narrow."}}), 303)
	wantStatus(t, chair.api("POST", "/api/v1"+tb+"/revisions", "", map[string]string{"note": "After the first reading"}), 201)
	p1 := tx.Paragraphs[0]
	wantStatus(t, chair.api("PUT", "/api/v1"+tb+"/paragraphs/"+p1.ID, "", map[string]any{"part": "pp", "options": []string{"Recalling the eleven norms of responsible state behaviour,"}, "agreed": "agreed"}), 200)
	wantStatus(t, chair.api("POST", "/api/v1"+tb+"/revisions", "", map[string]string{}), 201)
	waitFor(t, "Rev.2 on c", func() bool { return len(text(csa).Revisions) == 2 })
	r = csa.get(tb + "/compare?a=1&b=2")
	wantStatus(t, r, 200)
	wantContains(t, r, "<ins>", "eleven", "open → agreed")
	r = csa.get(tb + "/compare?a=0&b=1")
	wantContains(t, r, "without undue delay")

	// Silence, broken by b with an objection b's node signs.
	deadline := time.Now().Add(time.Minute).UTC().Format(time.RFC3339)
	// Some paragraphs are still open: without the chair's word, refused.
	r = chair.api("POST", "/api/v1"+tb+"/silence", "", map[string]any{"deadline": deadline})
	wantStatus(t, r, 422)
	wantContains(t, r, `"as_is"`)
	wantStatus(t, chair.api("POST", "/api/v1"+tb+"/silence", "", map[string]any{"deadline": deadline, "as_is": true}), 200)
	var sil string
	waitFor(t, "the silence on b", func() bool {
		s := text(kemlu).Silences
		if len(s) == 1 && s[0].State == "running" {
			sil = s[0].ID
		}
		return sil != ""
	})
	wantStatus(t, kemlu.post(tb+"/objections", url.Values{"silence": {sil}, "reason": {"Capital has not cleared OP1."}}), 303)
	waitFor(t, "the objection at the chair's node", func() bool { return text(chair).State == "negotiating" })
	obj := text(chair).Silences[0].Objection
	bKey := fingerprintOf(t, b)
	if obj == nil || obj.By != "kemlu@"+b.host || obj.SignedBy != bKey || !strings.Contains(obj.Statement, "Capital has not cleared OP1.") {
		t.Fatalf("objection %+v", obj)
	}
	waitFor(t, "the broken silence on c", func() bool {
		return strings.Contains(csa.get(tb).Body, "Silence broken by Ministry of Foreign Affairs of Indonesia")
	})

	// Silence again; nobody objects; the text is adopted at the deadline.
	wantStatus(t, chair.api("POST", "/api/v1"+tb+"/silence", "", map[string]any{"deadline": time.Now().Add(3 * time.Second).UTC().Format(time.RFC3339), "as_is": true}), 200)
	waitFor(t, "adoption at the deadline", func() bool { return text(chair).State == "adopted" })
	ad := text(chair).Adoption
	desc, err := federation.OpenDescriptor([]byte(a.admin.get("/.well-known/entente").Body))
	if err != nil || ad == nil || ad.Rev != 2 {
		t.Fatalf("adoption %+v (%v)", ad, err)
	}
	body, err := federation.VerifyStatement("negotiation.adoption", []byte(ad.Statement), desc.SigningKey)
	if err != nil || !strings.Contains(string(body), "Recalling the eleven norms") || !strings.Contains(string(body), `"rev":2`) {
		t.Fatalf("the adoption statement: %v %s", err, body)
	}
	for _, d := range []*client{kemlu, csa} {
		waitFor(t, "the adoption on a delegation's node", func() bool { return text(d).State == "adopted" })
	}
	wantContains(t, kemlu.get(tb), "Adopted on")
	r = kemlu.api("POST", "/api/v1"+base+"/acts", "", map[string]any{"kind": "object", "text": "t1", "silence": text(kemlu).Silences[1].ID, "reason": "Too late."})
	wantStatus(t, r, 409)
}

// fingerprintOf is a node's signing key fingerprint, from its descriptor.
func fingerprintOf(t *testing.T, f *fedNode) string {
	t.Helper()
	desc, err := federation.OpenDescriptor([]byte(f.admin.get("/.well-known/entente").Body))
	if err != nil {
		t.Fatal(err)
	}
	return keys.Fingerprint(desc.SigningKey)
}

// TestBrowserNegotiation: a delegation on node b proposes an amendment in
// its browser; the chair on node a accepts it and issues Rev.2; another
// delegation, on a, compares Rev.1 with Rev.2 and sees the words inserted.
func TestBrowserNegotiation(t *testing.T) {
	ctx := newBrowser(t)
	a := startFederated(t, "", "kln-my", "MY", "Ministry of Foreign Affairs of Malaysia")
	b := startFederated(t, "", "kemlu", "ID", "Ministry of Foreign Affairs of Indonesia")
	wantStatus(t, a.admin.post("/orgs", url.Values{"handle": {"asean"}, "kind": {"international"}, "name_en": {"ASEAN Secretariat"}}), 303)
	wantStatus(t, a.admin.post("/orgs", url.Values{"handle": {"csa-sg"}, "kind": {"state_agency"}, "country": {"SG"}, "name_en": {"Cyber Security Agency of Singapore"}}), 303)
	sec := focalPoint(t, a, "asean")
	focalPoint(t, a, "csa-sg")
	peer(t, a, b)
	r := sec.api("POST", "/api/v1/negotiation", "", map[string]string{"title": "ASEAN Leaders' Statement", "forum": "ASEAN", "secretariat": "asean", "chair": "kln-my"})
	wantStatus(t, r, 201)
	base := "/negotiation/" + decode[struct{ ID string }](t, r).ID
	for _, p := range []string{"kln-my", "csa-sg", "kemlu@" + b.host} {
		waitFor(t, "seating "+p, func() bool {
			return sec.api("POST", "/api/v1"+base+"/parties", "", map[string]string{"addr": p, "role": "delegation"}).StatusCode == 200
		})
	}
	wantStatus(t, a.officer.api("POST", "/api/v1"+base+"/texts", "", map[string]string{"title": "Joint statement", "kind": "chairs-draft",
		"operative": "States should cooperate [in a timely manner] on incidents."}), 201)
	tb := base + "/texts/t1"
	wantStatus(t, a.officer.api("POST", "/api/v1"+tb+"/revisions", "", map[string]string{"note": "First draft"}), 201)
	waitFor(t, "Rev.1 on b", func() bool { return strings.Contains(b.officer.get(tb).Body, "Rev.1") })

	bURL := strings.Replace(b.URL, "127.0.0.1", "localhost", 1)
	tab, cancel := chromedp.NewContext(ctx)
	defer cancel()
	var flash string
	step(t, tab, "propose on b",
		signInAs(bURL, "officer@kemlu.test", "officer password 1"),
		chromedp.Click(chromedp.CSS(`a[href="/negotiation"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="`+base+`"]`)),
		chromedp.Click(chromedp.CSS(`a[href="`+base+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="`+tb+`"]`)),
		chromedp.Click(chromedp.CSS(`a[href="`+tb+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href^="`+tb+`/amend?para="]`)),
		shot("31-text-delegation"),
		chromedp.Click(chromedp.CSS(`a[href^="`+tb+`/amend?para="]`)),
		chromedp.WaitVisible(chromedp.ID("proposed")),
		chromedp.Clear(chromedp.ID("proposed")),
		chromedp.SendKeys(chromedp.ID("proposed"), "States should cooperate without undue delay on incidents."),
		chromedp.SendKeys(chromedp.ID("justification"), "The language of the 2021 OEWG report."),
		shot("32-amend"),
		chromedp.Submit(chromedp.ID("justification")),
		chromedp.WaitVisible(chromedp.CSS(".flash")),
		into(&flash, chromedp.Text(chromedp.CSS(".flash"))),
	)
	if !strings.Contains(flash, "sent to the chair's node") {
		t.Fatalf("flash after proposing: %q", flash)
	}
	waitFor(t, "the amendment on a", func() bool { return strings.Contains(a.officer.get(tb).Body, `href="`+tb+`/amendments/A1"`) })

	var revs string
	step(t, ctx, "accept and revise on a",
		signInAs(a.URL, "officer@kln-my.test", "officer password 1"),
		chromedp.Navigate(a.URL+tb),
		chromedp.WaitVisible(chromedp.CSS(`a[href="`+tb+`/amendments/A1"]`)),
		chromedp.Click(chromedp.CSS(`a[href="`+tb+`/amendments/A1"]`)),
		chromedp.WaitVisible(chromedp.CSS(`form.inline[action$="/decision"] button`)),
		shot("33-amendment-chair"),
		chromedp.Click(chromedp.CSS(`form.inline[action$="/decision"] button`)),
		chromedp.WaitVisible(chromedp.ID("note")),
		chromedp.SendKeys(chromedp.ID("note"), "A1 accepted"),
		chromedp.Submit(chromedp.ID("note")),
		chromedp.WaitVisible(chromedp.CSS(`.revisions a[href*="compare"]`)),
		into(&revs, chromedp.Text(chromedp.CSS(".revisions"))),
		chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.ID("email")),
	)
	if !strings.Contains(revs, "Rev.2") {
		t.Fatalf("revisions after issuing: %q", revs)
	}
	var ins, heading string
	step(t, ctx, "compare on a as another delegation",
		signInAs(a.URL, "focal@csa-sg.test", "focal point password 1"),
		chromedp.Navigate(a.URL+tb),
		chromedp.WaitVisible(chromedp.CSS(`a[href="`+tb+`/compare"]`)),
		chromedp.Click(chromedp.CSS(`a[href="`+tb+`/compare"]`)),
		chromedp.WaitVisible(chromedp.CSS("article.para ins")),
		into(&heading, chromedp.Text(chromedp.CSS("main h2"))),
		into(&ins, chromedp.Text(chromedp.CSS("article.para ins"))),
		shot("34-compare"),
	)
	if heading != "Rev.1 → Rev.2" || !strings.Contains(ins, "without undue delay") {
		t.Fatalf("comparison %q: inserted %q", heading, ins)
	}
}
