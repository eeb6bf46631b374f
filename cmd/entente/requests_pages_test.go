package main

import (
	"context"
	"net/url"
	"strings"
	"testing"
)

// TestRequestPages: the request form marks its required fields (a visible
// marker, aria-required, explained once) and lists problems in the order of
// the fields; indicators become links only when safe; on a request the
// answer (or, for the sender, a note) is the main action and closing comes
// last, styled secondary, behind a confirmation page that needs no script.
func TestRequestPages(t *testing.T) {
	n, base, pw, netID, csa := requestsDemo(t)
	bima := login(t, base, "bima@kemlu.demo", pw)
	form := bima.get("/requests/new?network=" + netID)
	wantStatus(t, form, 200)
	for _, f := range []string{"from", "to", "type", "urgency", "subject", "description", "tlp"} {
		if !strings.Contains(form.Body, `id="`+f+`" name="`+f+`"`) || !strings.Contains(form.Body, `name="`+f+`" required aria-required="true"`) && !strings.Contains(form.Body, `name="`+f+`" value="" required aria-required="true"`) && !strings.Contains(form.Body, `name="`+f+`" rows="5" required aria-required="true"`) {
			t.Errorf("field %s is not marked required", f)
		}
	}
	if c := strings.Count(form.Body, `<span class="req" aria-hidden="true">`); c != 8 {
		t.Errorf("%d visible required markers, want 8 (seven fields and the conditional one)", c)
	}
	if strings.Count(form.Body, `id="required-note"`) != 1 {
		t.Error("the required marker is not explained once")
	}

	// Problems in form order: subject before description before what is asked.
	r := bima.post("/requests", url.Values{"network": {netID}, "from": {"kemlu"}, "to": {csa}, "type": {"assistance"}, "urgency": {"high"}, "tlp": {"AMBER"}})
	wantStatus(t, r, 422)
	s, d, a := strings.Index(r.Body, `href="#subject"`), strings.Index(r.Body, `href="#description"`), strings.Index(r.Body, `href="#asked"`)
	if s < 0 || d < 0 || a < 0 || !(s < d && d < a) {
		t.Fatalf("error summary order: subject %d, description %d, asked %d", s, d, a)
	}

	const stix = "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
	r = bima.post("/requests", url.Values{"network": {netID}, "from": {"kemlu"}, "to": {csa}, "type": {"assistance"}, "urgency": {"high"}, "tlp": {"AMBER"},
		"subject": {"Page test request"}, "description": {"Something happened."}, "asked": {"Help."},
		"indicators": {"https://cert.example/advisory?id=7&lang=en " + stix + "\njavascript:alert(1) <script>x</script>"}})
	wantStatus(t, r, 303)
	loc := r.Header.Get("Location")
	page := bima.get(loc)
	wantContains(t, page, `<a href="https://cert.example/advisory?id=7&amp;lang=en" rel="noopener noreferrer nofollow" class="external">`, `<a href="/intel?q=`+stix+`">`, "javascript:alert(1) &lt;script&gt;")
	if strings.Contains(page.Body, "<script>x") || strings.Contains(page.Body, `href="javascript`) {
		t.Fatal("indicators rendered unsafely")
	}
	// The sender's main action is a note; closing comes last and secondary.
	note, closeAt := strings.Index(page.Body, `value="note">`), strings.Index(page.Body, `value="close" class="secondary">`)
	if note < 0 || closeAt < 0 || note > closeAt {
		t.Fatalf("sender's actions: note at %d, close at %d", note, closeAt)
	}
	// Close asks first, and keeps the note.
	id := strings.TrimPrefix(loc, "/requests/")
	r = bima.post(loc+"/update", url.Values{"action": {"close"}, "body": {"Resolved by phone."}})
	wantStatus(t, r, 200)
	wantContains(t, r, `name="confirm" value="yes"`, `value="Resolved by phone."`)
	if got := bima.get(loc); !strings.Contains(got.Body, `value="close"`) {
		t.Fatal("the request closed without confirmation")
	}
	shots(t, base, pw, []shotPage{{"bima@kemlu.demo", "/requests/new?network=" + netID, "issue12-request-form"}, {"bima@kemlu.demo", loc, "issue12-request"}})
	wantStatus(t, bima.post(loc+"/update", url.Values{"action": {"close"}, "confirm": {"yes"}, "body": {"Resolved by phone."}}), 303)
	page = bima.get(loc)
	if strings.Contains(page.Body, `value="close"`) || !strings.Contains(page.Body, "Resolved by phone.") {
		t.Fatalf("after confirming, request %s is not closed with its note", id)
	}

	// The recipient's main action is the answer.
	weiming := login(t, base, "weiming@csa-sg.demo", pw)
	var inID string
	if err := n.db.R().Get(context.Background(), &inID, `SELECT id FROM poc_requests WHERE direction = 'in' AND subject = 'Phishing campaign against foreign ministries'`); err != nil {
		t.Fatal(err)
	}
	in := weiming.get("/requests/" + inID)
	ans, other := strings.Index(in.Body, `name="action" value="answer">`), strings.Index(in.Body, `value="note" class="secondary">`)
	if ans < 0 || other < 0 || ans > other {
		t.Fatalf("recipient's actions: answer at %d, note at %d", ans, other)
	}
}

// requestsDemo is a demo node with its POC networks: the UN directory's id
// and CSA Singapore's address in it, for the request pages' tests.
func requestsDemo(t *testing.T) (n *node, base, pw, netID, csa string) {
	t.Helper()
	n, base, pw = demoNode(t)
	ctx := context.Background()
	if err := demoNetworks(ctx, []*node{n}); err != nil {
		t.Fatal(err)
	}
	if err := n.db.R().Get(ctx, &netID, `SELECT id FROM poc_networks WHERE slug = 'un-poc'`); err != nil {
		t.Fatal(err)
	}
	if err := n.db.R().Get(ctx, &csa, `SELECT addr FROM poc_members WHERE network_id = ? AND addr LIKE 'csa-sg@%'`, netID); err != nil {
		t.Fatal(err)
	}
	return n, base, pw, netID, csa
}
