package main

import (
	"context"
	"strings"
	"testing"

	"entente.example/entente/modules/publicdiplomacy"
)

// TestDemoCases loads the demo's disinformation cases on a demo node:
// three published, each by Bima, none by its writer, each with its
// ClaimReview page open to anyone, and each with its text in the other
// language, so that an Indonesian word finds a case written in English.
func TestDemoCases(t *testing.T) {
	n, base, _ := demoNode(t)
	ctx := context.Background()
	if err := demoCases(ctx, n.svcs.Public, n); err != nil {
		t.Fatal(err)
	}
	cases, _, err := n.svcs.Public.PublishedCases(ctx, publicdiplomacy.CaseFilter{Org: "kemlu"}, 20, 20)
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 3 {
		t.Fatalf("%d published cases", len(cases))
	}
	c := newClient(t, base)
	for _, k := range cases {
		if k.PublishedByName == k.CreatedByName || !strings.Contains(k.PublishedByName, "Bima") {
			t.Errorf("%q written by %s, published by %s", k.Title, k.CreatedByName, k.PublishedByName)
		}
		r := c.get("/factchecks/" + k.ID)
		wantStatus(t, r, 200)
		if !strings.Contains(r.Body, `<script type="application/ld+json">{"@context":"https://schema.org","@type":"ClaimReview"`) {
			t.Errorf("%s has no ClaimReview", k.Title)
		}
		if k.Translation == nil || k.Translation.Language == k.Language {
			t.Errorf("%q has no translation into the other language", k.Title)
		}
	}
	found, _, err := n.svcs.Public.PublishedCases(ctx, publicdiplomacy.CaseFilter{Words: "sewa natuna"}, 20, 20)
	if err != nil || len(found) != 1 || found[0].Language != "en" {
		t.Errorf("searching the Indonesian words \"sewa natuna\": %d cases, %v", len(found), err)
	}
}
