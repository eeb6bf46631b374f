package main

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/internal/links"
	"entente.example/entente/modules/incidents"
)

// TestLinkedChainThroughThePages loads the demo's hospital incident with its
// chain and checks it through a running node: each person's chain holds
// only what they may see; an indicator's and a request's pages show the
// incident they are linked to; the link route links what the person sees,
// refuses (as not found) a record they cannot see, and names a malformed
// reference.
func TestLinkedChainThroughThePages(t *testing.T) {
	n, base, pw := demoNode(t)
	ctx := context.Background()
	for _, demo := range []func(context.Context, []*node) error{demoNetworks, demoIntel, demoCybercrime, demoIncidents, demoLinks} {
		if err := demo(ctx, []*node{n}); err != nil {
			t.Fatal(err)
		}
	}
	as := func(email string) context.Context {
		c, err := actorFor(ctx, n, email)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	rinaCtx := as("rina@bssn.demo")
	found, _, err := n.svcs.Incidents.List(rinaCtx, incidents.Filter{Words: "hospital Surabaya"})
	if err != nil || len(found) != 1 {
		t.Fatalf("the hospital incident: %v %v", found, err)
	}
	inc := found[0]
	ref := n.svcs.Incidents.LinkRef(inc)
	chainOf := func(email string) map[string]links.Item {
		items, err := n.svcs.Links.Chain(as(email), ref)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]links.Item{}
		for _, it := range items {
			out[it.Kind+" "+it.Title] = it
		}
		return out
	}
	kinds := func(m map[string]links.Item) string {
		var ks []string
		for k := range m {
			ks = append(ks, strings.TrimPrefix(strings.Fields(k)[0], "links.kind."))
		}
		slices.Sort(ks)
		return strings.Join(ks, " ")
	}
	// BSSN sees its indicators (one for a sharing group) and the norm, not
	// Kemlu's request nor Polri's; Kemlu sees its request, the public
	// indicator and the norm; Polri sees its own request too.
	for _, c := range []struct{ email, want string }{
		{"rina@bssn.demo", "indicator indicator norm"},
		{"bima@kemlu.demo", "indicator norm poc_request"},
		{"hendra@polri.demo", "cyb_request norm"},
	} {
		if got := kinds(chainOf(c.email)); got != c.want {
			t.Errorf("%s sees %q, want %q", c.email, got, c.want)
		}
	}

	// The pages of linked records show the incident.
	var indicator links.Item
	for _, it := range chainOf("rina@bssn.demo") {
		if it.Kind == "links.kind.indicator" && it.TLP == core.TLPClear {
			indicator = it
		}
	}
	rina := login(t, base, "rina@bssn.demo", pw)
	page := rina.get(indicator.URL)
	wantStatus(t, page, 200)
	wantContains(t, page, `id="links-h"`, inc.Name)
	bima := login(t, base, "bima@kemlu.demo", pw)
	for _, it := range chainOf("bima@kemlu.demo") {
		if it.Kind == "links.kind.poc_request" {
			wantContains(t, bima.get(it.URL), `id="links-h"`, inc.Name)
		}
	}

	// The incident's page shows Kemlu the chain as Kemlu may see it: not
	// the indicator for the sharing group Kemlu is not in.
	incPage := bima.get("/incidents/" + inc.ID)
	wantStatus(t, incPage, 200)
	wantContains(t, incPage, `id="chain-h"`, "Phishing campaign against foreign ministries", "SHA-256")
	if strings.Contains(incPage.Body, "command-and-control") {
		t.Error("Kemlu's officer is shown an indicator of a sharing group Kemlu is not in")
	}
	wantContains(t, rina.get("/incidents/"+inc.ID), "command-and-control")
	// "Unlink" is offered only where it would work: Kemlu's officer may
	// remove the link Kemlu made, not those BSSN's analyst made.
	if n, all := strings.Count(incPage.Body, `action="/links/remove"`), len(chainOf("bima@kemlu.demo")); n == 0 || n >= all {
		t.Errorf("Kemlu's officer is offered to unlink %d of the %d records he sees", n, all)
	}

	// Polri's investigator sees the incident, and no intelligence at all:
	// linking the incident to BSSN's indicator is refused as not found.
	hendra := login(t, base, "hendra@polri.demo", pw)
	back := "/incidents/" + inc.ID
	wantStatus(t, hendra.post("/links", url.Values{"from": {ref.String()}, "to": {indicator.Ref.String()}, "back": {back}}), 404)
	wantStatus(t, hendra.post("/links", url.Values{"from": {ref.String()}, "to": {"norms:norm"}, "back": {back}}), 422)
	r := hendra.post("/links", url.Values{"from": {ref.String()}, "to": {"norms:norm:g"}, "back": {back}})
	wantStatus(t, r, 303)
	if loc := r.Header.Get("Location"); loc != back {
		t.Errorf("back to %q, want %q", loc, back)
	}
	if got := kinds(chainOf("hendra@polri.demo")); got != "cyb_request norm norm" {
		t.Errorf("after linking norm (g), Polri sees %q", got)
	}
	// An observer may see links but not make them.
	wantStatus(t, login(t, base, "somchai@asean.demo", pw).post("/links/remove", url.Values{"from": {ref.String()}, "to": {"norms:norm:g"}}), 403)
	wantStatus(t, hendra.post("/links/remove", url.Values{"from": {ref.String()}, "to": {"norms:norm:g"}, "back": {back}}), 303)
	if got := kinds(chainOf("hendra@polri.demo")); got != "cyb_request norm" {
		t.Errorf("after unlinking norm (g), Polri sees %q", got)
	}
}
