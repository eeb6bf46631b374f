package main

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"entente.example/entente/modules/negotiation"
)

// TestSilenceWarningPage: on a clean text with an amendment nobody decided
// and paragraphs nobody agreed, the chair's silence form says how many and
// asks for an explicit tick; without it the text is refused, with it the
// silence starts and says it was circulated as is.
func TestSilenceWarningPage(t *testing.T) {
	n, base, pw := demoNode(t)
	ctx := context.Background()
	if err := demoNegotiation(ctx, []*node{n}); err != nil {
		t.Fatal(err)
	}
	var pid string
	if err := n.db.R().Get(ctx, &pid, `SELECT id FROM neg_processes LIMIT 1`); err != nil {
		t.Fatal(err)
	}
	chair := mustActor(t, n, "nurul@kln-my.demo")
	svc := n.svcs.Negotiation
	text, err := svc.AddText(chair, pid, negotiation.TextInput{Title: "Page test text", Kind: "clean-text", Operative: "First paragraph.\n\nSecond paragraph."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Do(mustActor(t, n, "bima@kemlu.demo"), pid, negotiation.ActInput{Kind: negotiation.ActAmend, Text: text.ID,
		Amend: &negotiation.Amend{Para: text.Paragraphs[0].ID, Kind: negotiation.AmendReplace, Proposed: "First paragraph, amended.", Justification: "Clearer."}}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.IssueRevision(chair, pid, text.ID, ""); err != nil {
		t.Fatal(err)
	}
	path := "/negotiation/" + pid + "/texts/" + text.ID
	nurul := login(t, base, "nurul@kln-my.demo", pw)
	page := nurul.get(path)
	wantStatus(t, page, 200)
	wantContains(t, page, `id="as_is-warn"`, `name="as_is" value="yes" required`)
	if !strings.Contains(page.Body, "Amendments still pending: 1. Paragraphs not agreed: 2.") {
		t.Fatalf("the warning does not count what silence would pass over:\n%s", page.Body)
	}
	shots(t, base, pw, []shotPage{{"nurul@kln-my.demo", path + "#silence", "issue12-silence-warning"}})
	deadline := time.Now().Add(72 * time.Hour).UTC().Format("2006-01-02T15:04")
	r := nurul.post(path+"/silence", url.Values{"deadline": {deadline}})
	wantStatus(t, r, 422)
	wantContains(t, r, `id="as_is-err">`, `aria-invalid="true"`)
	wantStatus(t, nurul.post(path+"/silence", url.Values{"deadline": {deadline}, "as_is": {"yes"}}), 303)
	wantContains(t, nurul.get(path), `id="silence-as-is"`)
}
