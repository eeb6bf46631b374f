package economy

import (
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/internal/store/storetest"
)

func TestTrackerComparesTopicsAcrossAgreements(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e)
		tr, err := w.svc.Tracker(w.idMember)
		if err != nil {
			t.Fatal(err)
		}
		covered := map[string][]string{}
		for _, r := range tr.Rows {
			for _, c := range r.Cells {
				if len(c.Provisions) > 0 {
					covered[r.Topic] = append(covered[r.Topic], c.Agreement.ID)
				}
			}
		}
		// The stabilised JSI text left data flows out; DEPA, DEFA and SADEA cover them.
		if got := covered["data_flows"]; len(got) != 3 || got[0] != "depa" || got[1] != "defa" || got[2] != "sadea" {
			t.Errorf("data flows covered by %v", got)
		}
		if got := covered["paperless_trading"]; len(got) != 4 {
			t.Errorf("paperless trading covered by %v, want all four", got)
		}
		var sg StatusRow
		for _, p := range tr.Parties {
			if p.Country == "SG" {
				sg = p
			}
		}
		if len(sg.Statuses) != 4 || sg.Statuses[0].Status != StatusInForce || sg.Statuses[1].Status != StatusNegotiating {
			t.Errorf("Singapore's statuses %+v", sg.Statuses)
		}
	})
}

func TestCountryViewAndLinks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e)
		c := mustCommit(t, w, w.idAnalyst, CommitmentInput{Org: "o-kemlu", Agreement: "defa", Provision: "defa.cyber", What: "National CSIRT", Deadline: "2026-01-31", Status: NotStarted})
		v, err := w.svc.Country(w.idAnalyst, "ID", 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Memberships) != 2 || len(v.Overdue) != 1 || len(v.Keeps) != 1 {
			t.Fatalf("Indonesia: %d agreements, %d overdue, keeps %v", len(v.Memberships), len(v.Overdue), v.Keeps)
		}
		if v, _ := w.svc.Country(w.sgAdmin, "ID", 0); len(v.Commitments) != 0 || len(v.Keeps) != 0 {
			t.Fatalf("Singapore sees Indonesia's unshared commitments or keeps them: %+v", v)
		}
		refs := []core.Ref{LinkRef(c), {Module: "economy", Kind: "commitment", ID: "nope"}, {Module: "capacity", Kind: "need", ID: "n1"}}
		if items, _ := w.svc.LinkItems(w.idMember, refs); len(items) != 1 || items[0].URL != "/economy/commitments/"+c.ID {
			t.Fatalf("kemlu's member resolves %v", items)
		}
		if items, _ := w.svc.LinkItems(w.sgAdmin, refs); len(items) != 0 {
			t.Fatalf("Singapore resolves an unshared commitment: %v", items)
		}
		ags := []core.Ref{{Module: "economy", Kind: "agreement", ID: "depa"}, {Module: "economy", Kind: "agreement", ID: "nope"}}
		if items, _ := w.svc.AgreementLinkItems(w.sgAdmin, ags); len(items) != 1 || items[0].URL != "/economy/agreements/depa" {
			t.Fatalf("agreements resolve as %v", items)
		}
		// Shared, Indonesia's overdue commitment is Singapore's to see, not to attend to.
		if _, err := w.svc.UpdateCommitment(w.idAnalyst, c.ID, CommitmentInput{Agreement: "defa", Provision: "defa.cyber", What: "National CSIRT", Deadline: "2026-01-31", Status: NotStarted, Shared: true}); err != nil {
			t.Fatal(err)
		}
		if v, _ := w.svc.Country(w.sgAdmin, "ID", 0); len(v.Commitments) != 1 || len(v.Overdue) != 0 {
			t.Fatalf("Singapore on Indonesia's page: %d commitments, %d needing its attention", len(v.Commitments), len(v.Overdue))
		}
	})
}
