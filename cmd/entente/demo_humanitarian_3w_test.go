package main

import (
	"context"
	"testing"

	"entente.example/entente/modules/humanitarian"
)

// TestDemoHumanitarianThreeW: the demo's 3W has its eleven lines by five
// partners and Kemlu, its public page names them, and the gaps show
// Banawa, where people report no water and no WASH partner works.
func TestDemoHumanitarianThreeW(t *testing.T) {
	n, base, _ := demoNode(t)
	e, err := demoHumanitarian(context.Background(), []*node{n})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	acts, err := n.svcs.Humanitarian.Activities(ctx, *e, humanitarian.ActivityFilter{})
	if err != nil || len(acts) != 11 {
		t.Fatalf("%d activities, %v; want 11", len(acts), err)
	}
	partners := map[string]bool{}
	for _, a := range acts {
		if a.Partner != "" {
			partners[a.Partner] = true
		}
	}
	if len(partners) != 6 {
		t.Errorf("partners %v, want the five implementing organisations and the AHA Centre", partners)
	}
	gaps, err := n.svcs.Humanitarian.ActivityGaps(ctx, *e, 3)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, g := range gaps {
		found = found || g.Area == "ID7205080" && g.Sector == "wash"
	}
	if !found {
		t.Errorf("gaps %+v, want WASH in Banawa (ID7205080)", gaps)
	}
	page := newClient(t, base).get("/humanitarian/emergencies/" + e.ID + "/activities")
	wantStatus(t, page, 200)
	wantContains(t, page, "Palang Merah Indonesia (PMI)")
	wantContains(t, page, "Muhammadiyah Disaster Management Center")
}
