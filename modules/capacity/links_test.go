package capacity_test

import (
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/capacity"
)

// TestLinkItems resolves references to needs and projects for each reader:
// a shared need to its owner and the organisations named, a public
// project to anyone, and nothing that is missing.
func TestLinkItems(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		n := newNode(t, e)
		tl := as("mnec-tl", core.RoleOfficer)
		need, err := n.svc.PostNeed(tl, "mnec-tl", capacity.Need{Title: "A national CSIRT", Topics: []string{"csirt"}, Country: "TL",
			Visibility: capacity.Shared, SharedWith: []string{"dfat-au@node.test"}})
		if err != nil {
			t.Fatal(err)
		}
		proj := mustCreate(t, n, as("dfat-au", core.RoleOfficer), "dfat-au", csirt(capacity.Public))
		needRefs := []core.Ref{capacity.NeedRef(need.ID), capacity.NeedRef("01M000000000000000000MISSING"[:26])}
		for who, want := range map[string]int{"mnec-tl": 1, "dfat-au": 1, "kemlu": 0} {
			items, err := n.svc.NeedLinkItems(as(who, core.RoleMember), needRefs)
			if err != nil || len(items) != want {
				t.Errorf("%s resolves %d needs (%v), want %d", who, len(items), err, want)
			}
			if len(items) == 1 && (items[0].URL != "/capacity/needs/"+need.ID || items[0].Title != "A national CSIRT" || items[0].Kind != "links.kind.cap_need") {
				t.Errorf("item = %+v", items[0])
			}
		}
		anon := core.WithActor(t.Context(), core.Actor{})
		if items, err := n.svc.ProjectLinkItems(anon, []core.Ref{capacity.ProjectRef(proj.ID)}); err != nil || len(items) != 1 {
			t.Errorf("the public project resolves to %d items: %v", len(items), err)
		}
		if items, _ := n.svc.NeedLinkItems(anon, needRefs); len(items) != 0 {
			t.Errorf("anonymous resolves the shared need")
		}
	})
}
