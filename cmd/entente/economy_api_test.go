package main

import (
	"context"
	"net/url"
	"strings"
	"testing"
)

// TestEconomyAgreementsThroughTheAPIAndPages adds and corrects an
// agreement through the API as Singapore's admin, refuses it to others
// with the field or reason named, confirms facts through the API and the
// agreement's page, and reads a commitment's history.
func TestEconomyAgreementsThroughTheAPIAndPages(t *testing.T) {
	n, base, pw := demoNode(t)
	ctx := context.Background()
	if err := demoEconomy(ctx, []*node{n}); err != nil {
		t.Fatal(err)
	}
	var csa string
	if err := n.db.R().Get(ctx, &csa, `SELECT id FROM organisations WHERE handle = 'csa-sg'`); err != nil {
		t.Fatal(err)
	}
	src := "https://www.mti.gov.sg/Trade/Digital-Economy-Agreements"
	step := func(status, on string) map[string]any {
		return map[string]any{"status": status, "on": on, "source": src, "verified": true}
	}
	ag := map[string]any{"id": "sg_id_green", "name_en": "Singapore–Indonesia green and digital economy cooperation", "kind": "bilateral", "source": src,
		"modules":    []any{map[string]any{"id": "m", "title": "Cooperation", "title_id": "Kerja sama"}},
		"provisions": []any{map[string]any{"id": "sgid.flows", "module": "m", "topic": "data_flows", "title": "Data flows", "title_id": "Aliran data", "summary": "s", "source": src}},
		"parties":    []any{map[string]any{"country": "SG", "history": []any{step("negotiating", "2026")}}, map[string]any{"country": "ID", "history": []any{step("negotiating", "2026")}}}}

	weiming := login(t, base, "weiming@csa-sg.demo", pw)
	wt := apiToken(t, weiming)
	bima := login(t, base, "bima@kemlu.demo", pw)
	bt := apiToken(t, bima)
	r := bima.api("POST", "/api/v1/economy/agreements", bt, map[string]any{"org": csa, "agreement": ag})
	wantStatus(t, r, 403) // an officer, not an admin
	bad := map[string]any{}
	for k, v := range ag {
		bad[k] = v
	}
	bad["kind"] = "treaty"
	r = weiming.api("POST", "/api/v1/economy/agreements", wt, map[string]any{"org": csa, "agreement": bad})
	if r.StatusCode != 422 || !strings.Contains(r.Body, `"kind":"Choose one of the options."`) {
		t.Fatalf("a bad kind: %d %s", r.StatusCode, r.Body)
	}
	r = weiming.api("POST", "/api/v1/economy/agreements", wt, map[string]any{"org": csa, "agreement": ag})
	wantStatus(t, r, 201)
	if got := r.Header.Get("Location"); got != "/api/v1/economy/agreements/sg_id_green" {
		t.Errorf("Location %q", got)
	}
	if strings.Contains(r.Body, `"verified":true`) {
		t.Error(`an agreement added with "verified": true is verified without anyone confirming it`)
	}
	wantStatus(t, weiming.api("POST", "/api/v1/economy/agreements", wt, map[string]any{"org": csa, "agreement": ag}), 409)
	bad["kind"], bad["parties"] = "bilateral", []any{map[string]any{"country": "SG", "history": []any{step("signed", "2026-02"), step("negotiating", "2025")}}}
	r = weiming.api("POST", "/api/v1/economy/agreements", wt, map[string]any{"org": csa, "agreement": bad})
	if r.StatusCode != 422 || !strings.Contains(r.Body, `"parties":"A party's statuses must follow one another in date order."`) {
		t.Fatalf("statuses out of order: %d %s", r.StatusCode, r.Body)
	}
	ag["name_id"] = "Kerja sama ekonomi hijau dan digital Singapura–Indonesia"
	wantStatus(t, weiming.api("PUT", "/api/v1/economy/agreements/other", wt, ag), 422)
	r = weiming.api("PUT", "/api/v1/economy/agreements/sg_id_green", wt, ag)
	wantStatus(t, r, 200)
	wantContains(t, r, "Kerja sama ekonomi hijau")

	// Facts confirmed through the API: by the agreement's organisation,
	// not another state's.
	wantStatus(t, bima.api("POST", "/api/v1/economy/agreements/sg_id_green/confirmations", bt, map[string]any{"fact": "party:SG:1"}), 403)
	r = weiming.api("POST", "/api/v1/economy/agreements/sg_id_green/confirmations", wt, map[string]any{"fact": "party:SG:9"})
	if r.StatusCode != 422 || !strings.Contains(r.Body, `"fact"`) {
		t.Fatalf("an unknown fact: %d %s", r.StatusCode, r.Body)
	}
	r = weiming.api("POST", "/api/v1/economy/agreements/sg_id_green/confirmations", wt, map[string]any{"fact": "party:SG:1", "source": src + "/sg-id"})
	wantStatus(t, r, 200)
	wantContains(t, r, `"confirmed_by":"`, src+"/sg-id")

	// On the page, in Bahasa Indonesia: the node administrator confirms a
	// DEPA fact; a bad source comes back on its field with the input kept.
	admin := login(t, base, "admin@node.demo", pw)
	r = admin.get("/economy/agreements/depa")
	wantContains(t, r, `name="fact" value="provision:depa.5.cyber"`, `class="timeline"`)
	if size := gzipSize(t, []byte(r.Body)); size > 14*1024 {
		t.Errorf("DEPA's page with a confirmation form for each of its facts is %d bytes compressed, over 14 KB", size)
	}
	r = admin.post("/economy/agreements/depa/confirm", url.Values{"fact": {"provision:depa.5.cyber"}, "source": {"not a url"}})
	wantStatus(t, r, 422)
	wantContains(t, r, `id="source"`, `value="not a url"`, `class="error-summary"`)
	r = admin.post("/economy/agreements/depa/confirm", url.Values{"fact": {"provision:depa.5.cyber"}, "source": {""}})
	wantStatus(t, r, 303)
	wantStatus(t, weiming.post("/economy/agreements/depa/confirm", url.Values{"fact": {"provision:depa.4.flows"}}), 403)
	r = bima.get("/economy/agreements/depa?lang=id")
	wantContains(t, r, "Kerja sama keamanan siber", "Para pihak membangun kapasitas", "dikonfirmasi oleh")
	if strings.Contains(r.Body, `name="fact"`) {
		t.Error("an officer is offered to confirm DEPA's facts")
	}

	// The API's list is paged, the next page named in a Link header.
	r = bima.api("GET", "/api/v1/economy/commitments?country=ID&limit=2", bt, nil)
	wantStatus(t, r, 200)
	if got := decode[[]map[string]any](t, r); len(got) != 2 || !strings.Contains(r.Header.Get("Link"), "page=1") {
		t.Errorf("a page of 2: %d commitments, Link %q", len(got), r.Header.Get("Link"))
	}
	r = bima.api("GET", "/api/v1/economy/commitments?country=ID&limit=2&page=1", bt, nil)
	if got := decode[[]map[string]any](t, r); len(got) != 1 || r.Header.Get("Link") != "" {
		t.Errorf("the last page: %d commitments, Link %q", len(got), r.Header.Get("Link"))
	}

	// A commitment's history, through the API.
	var cyber string
	if err := n.db.R().Get(ctx, &cyber, `SELECT id FROM eco_commitments WHERE provision_id = 'defa.cyber'`); err != nil {
		t.Fatal(err)
	}
	in := map[string]any{"agreement": "defa", "provision": "defa.cyber", "what": "Stand up a national CSIRT", "status": "implemented", "shared": true}
	wantStatus(t, bima.api("PUT", "/api/v1/economy/commitments/"+cyber, bt, in), 200)
	r = weiming.api("GET", "/api/v1/economy/commitments/"+cyber+"/history", wt, nil)
	wantStatus(t, r, 200)
	h := decode[[]struct{ Status, By string }](t, r)
	if len(h) != 2 || h[0].Status != "in_progress" || h[1].Status != "implemented" || h[1].By == "" {
		t.Fatalf("history: %+v", h)
	}
	wantContains(t, bima.get("/economy/commitments/"+cyber), `id="hist"`)
	if strings.Contains(bima.get("/").Body, "/economy/commitments/"+cyber) {
		t.Error("an implemented commitment still asks for attention")
	}
}
