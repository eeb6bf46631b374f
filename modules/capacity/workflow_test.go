package capacity_test

import (
	"slices"
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/capacity"
)

// TestClearingHouseOnOneNode runs need → suggestion → proposal →
// acceptance → project, and checks who sees and may do what on the way.
func TestClearingHouseOnOneNode(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		n := newNode(t, e)
		tl, dfat, jp := as("mtci-tl", core.RoleOfficer), as("dfat-au", core.RoleOfficer), as("mofa-jp", core.RoleAnalyst)
		need, err := n.svc.PostNeed(tl, "mtci-tl", capacity.Need{Title: "A national CSIRT", Topics: []string{"csirt"}, Country: "tl", Priority: capacity.High,
			Languages: []string{"EN", "pt"}, From: "2027-01-01", To: "2027-12-31", Visibility: capacity.Shared, SharedWith: []string{"dfat-au@node.test", "mofa-jp@node.test"}})
		if err != nil {
			t.Fatalf("post need: %v %v", err, fields(err))
		}
		secret, err := n.svc.PostNeed(tl, "mtci-tl", capacity.Need{Title: "Forensics lab", Topics: []string{"digital-forensics"}, Country: "TL", Visibility: capacity.Shared})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := n.svc.PostNeed(tl, "mtci-tl", capacity.Need{Title: "x", Country: "ZZ", Priority: "urgent", Languages: []string{"klingon"}}); !slices.Equal(keys(fields(err)), []string{"country", "languages", "priority", "themes"}) {
			t.Errorf("bad need: %v", fields(err))
		}
		offer, err := n.svc.PostOffer(dfat, "dfat-au", capacity.Offer{Title: "Cyber Cooperation Program", Topics: []string{"csirt", "incident-response"},
			Regions: []string{"southeast-asia"}, Languages: []string{"en"}, BudgetMin: 100000, BudgetMax: 900000, Currency: "AUD"})
		if err != nil {
			t.Fatalf("post offer: %v %v", err, fields(err))
		}
		jpOffer, err := n.svc.PostOffer(jp, "mofa-jp", capacity.Offer{Title: "JICA cyber training", Topics: []string{"workforce", "csirt"}, Countries: []string{"TL"}})
		if err != nil {
			t.Fatal(err)
		}
		// Visibility of a non-public need: the state and the donors it named
		// see it; nobody else, and no proposal can reach it.
		if _, err := n.svc.GetNeed(as("kemlu", core.RoleAdmin), need.ID); core.KindOf(err) != core.KindNotFound {
			t.Errorf("another state opens the shared need: %v", err)
		}
		if list, _ := n.svc.ListNeeds(dfat, "", ""); len(list) != 1 || list[0].ID != need.ID {
			t.Errorf("DFAT lists %d needs, want the one shared with it", len(list))
		}
		if _, err := n.svc.Propose(dfat, secret.ID, offer.ID, ""); core.KindOf(err) != core.KindNotFound {
			t.Errorf("proposing for a need not shared with the donor: %v", err)
		}
		// Suggestions, as the state sees them.
		sugg, err := n.svc.Suggestions(tl, need, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(sugg) != 2 || sugg[0].Offer.ID != offer.ID || sugg[1].Offer.ID != jpOffer.ID {
			t.Fatalf("suggestions = %+v", sugg)
		}
		// DFAT proposes; Japan cannot propose DFAT's offer; proposing twice
		// is a conflict.
		if _, err := n.svc.Propose(jp, need.ID, offer.ID, ""); core.KindOf(err) != core.KindForbidden {
			t.Errorf("Japan proposes DFAT's offer: %v", err)
		}
		prop, err := n.svc.Propose(dfat, need.ID, offer.ID, "We can start in January.")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := n.svc.Propose(dfat, need.ID, offer.ID, ""); core.KindOf(err) != core.KindConflict {
			t.Errorf("proposing twice: %v", err)
		}
		jpProp, err := n.svc.Propose(jp, need.ID, jpOffer.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if ps, _ := n.svc.Proposals(tl, need); len(ps) != 2 {
			t.Errorf("the state sees %d proposals", len(ps))
		}
		if ps, _ := n.svc.Proposals(jp, need); len(ps) != 1 || ps[0].ID != jpProp.ID {
			t.Errorf("Japan sees proposals %+v, want only its own", ps)
		}
		// Only the state decides.
		if _, err := n.svc.Decide(dfat, need.ID, prop.ID, true); core.KindOf(err) != core.KindForbidden {
			t.Errorf("the donor accepts its own proposal: %v", err)
		}
		acc, err := n.svc.Decide(tl, need.ID, prop.ID, true)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := n.svc.Decide(tl, need.ID, jpProp.ID, true); core.KindOf(err) != core.KindConflict {
			t.Errorf("a second acceptance: %v", err)
		}
		proj, err := n.svc.Get(dfat, acc.ProjectID)
		if err != nil {
			t.Fatalf("the donor cannot see the project: %v", err)
		}
		if proj.Owner != "mtci-tl@node.test" || !slices.Equal(proj.Funders, []string{"dfat-au@node.test"}) || !slices.Equal(proj.Countries, []string{"TL"}) ||
			!slices.Equal(proj.Themes, []string{"incident-cip"}) || proj.Budget != 900000 || proj.Currency != "AUD" || proj.Status != capacity.Planned {
			t.Errorf("project = %+v", proj)
		}
		got, _ := n.svc.GetNeed(tl, need.ID)
		if got.Status != capacity.NeedMatched || got.ProjectID != proj.ID {
			t.Errorf("need after acceptance = %+v", got)
		}
		if _, err := n.svc.Propose(jp, need.ID, jpOffer.ID, "again"); core.KindOf(err) != core.KindConflict {
			t.Errorf("proposing for a matched need succeeded")
		}
	})
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
