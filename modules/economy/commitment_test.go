package economy

import (
	"strings"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/store/storetest"
)

func TestCommitmentsAreTheirStatesOwnToWrite(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e)
		in := CommitmentInput{Org: "o-kemlu", Agreement: "defa", Provision: "defa.einvoicing", What: "Adopt a national e-invoicing standard", Deadline: "2026-06-30", Status: InProgress}
		c := mustCommit(t, w, w.idAnalyst, in)
		if c.Country != "ID" {
			t.Fatalf("country %q, want ID (kemlu's)", c.Country)
		}
		// Not shared: Indonesia's people read it, Singapore's do not.
		if _, err := w.svc.Commitment(w.idMember, c.ID); err != nil {
			t.Fatalf("a member of kemlu: %v", err)
		}
		_, err := w.svc.Commitment(w.sgAdmin, c.ID)
		wantKind(t, "Singapore reads Indonesia's unshared commitment", err, core.KindNotFound)
		if list, _, _ := w.svc.Commitments(w.sgAdmin, Filter{Country: "ID"}); len(list) != 0 {
			t.Fatalf("Singapore lists %d of Indonesia's unshared commitments", len(list))
		}
		// A member (no writing role) and another state's admin may not write it.
		_, err = w.svc.UpdateCommitment(w.idMember, c.ID, in)
		wantKind(t, "kemlu member updates", err, core.KindForbidden)
		in.Shared = true
		if _, err := w.svc.UpdateCommitment(w.idAnalyst, c.ID, in); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.Commitment(w.sgAdmin, c.ID); err != nil {
			t.Fatalf("Singapore reads a shared commitment: %v", err)
		}
		_, err = w.svc.UpdateCommitment(w.sgAdmin, c.ID, in)
		wantKind(t, "Singapore updates Indonesia's commitment", err, core.KindForbidden)
		// Nobody keeps a commitment for an organisation they are not in.
		_, err = w.svc.CreateCommitment(w.sgAdmin, CommitmentInput{Org: "o-kemlu", Agreement: "defa", Provision: "defa.einvoicing", What: "x", Status: NotStarted})
		wantKind(t, "Singapore writes for kemlu", err, core.KindForbidden)
		// Node administrators get no pass.
		_, err = w.svc.CreateCommitment(w.root, in)
		wantKind(t, "node admin writes for kemlu", err, core.KindForbidden)
		// Overdue on the node's day, for its writers only.
		if od, _ := w.svc.Overdue(w.idAnalyst); len(od) != 0 {
			t.Fatalf("overdue before its deadline: %v", od)
		}
		w.clock.Advance(mustDay(t, "2026-07-01").Sub(w.clock.Now()))
		if od, _ := w.svc.Overdue(w.idAnalyst); len(od) != 1 || od[0].ID != c.ID {
			t.Fatalf("overdue for kemlu's analyst: %v", od)
		}
		if od, _ := w.svc.Overdue(w.idMember); len(od) != 0 {
			t.Fatalf("overdue for a member: %v", od)
		}
		in.Status = Implemented
		if _, err := w.svc.UpdateCommitment(w.idAnalyst, c.ID, in); err != nil {
			t.Fatal(err)
		}
		if od, _ := w.svc.Overdue(w.idAnalyst); len(od) != 0 {
			t.Fatalf("implemented, still overdue: %v", od)
		}
	})
}

func TestCommitmentBadInputNamesTheField(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e)
		ok := CommitmentInput{Org: "o-kemlu", Agreement: "defa", Provision: "defa.flows", What: "Data-flow rules", Status: NotStarted}
		for _, tc := range []struct {
			name   string
			change func(*CommitmentInput)
			fields []string
		}{
			{"no what", func(in *CommitmentInput) { in.What = "  " }, []string{"what"}},
			{"NUL", func(in *CommitmentInput) { in.What = "a\x00b" }, []string{"what"}},
			{"bad UTF-8", func(in *CommitmentInput) { in.Notes = "\xff" }, []string{"notes"}},
			{"bad deadline", func(in *CommitmentInput) { in.Deadline = "2026-02-30" }, []string{"deadline"}},
			{"bad status", func(in *CommitmentInput) { in.Status = "done" }, []string{"status"}},
			{"unknown agreement", func(in *CommitmentInput) { in.Agreement = "nafta" }, []string{"agreement"}},
			{"provision of another agreement", func(in *CommitmentInput) { in.Provision = "depa.4.flows" }, []string{"provision"}},
			{"not a party", func(in *CommitmentInput) { in.Agreement, in.Provision = "depa", "depa.4.flows" }, []string{"agreement"}},
			{"no organisation", func(in *CommitmentInput) { in.Org = "" }, []string{"org"}},
		} {
			in := ok
			tc.change(&in)
			_, err := w.svc.CreateCommitment(w.idAnalyst, in)
			wantFields(t, tc.name, err, tc.fields...)
		}
		_, err := w.svc.CreateCommitment(w.ngoAdmin, CommitmentInput{Org: "o-ngo", Agreement: "defa", Provision: "defa.flows", What: "x", Status: NotStarted})
		wantFields(t, "an organisation of no state", err, "org")
		if list, _, _ := w.svc.Commitments(w.idAnalyst, Filter{}); len(list) != 0 {
			t.Fatalf("refused input left %d commitments", len(list))
		}
	})
}

func TestAgreementsAddedAndCorrected(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e)
		ag := Agreement{ID: "id_sg_dea", NameEN: "Indonesia–Singapore digital cooperation", Kind: "bilateral", Source: "https://example.org/a",
			Modules:    []Part{{ID: "m", Title: "Cooperation"}},
			Provisions: []Provision{{ID: "idsg.cyber", Module: "m", Topic: "cybersecurity", Title: "CSIRT cooperation", Summary: "s", Fact: Fact{Source: "https://example.org/a"}}},
			Parties: []Party{{Country: "ID", History: []Step{{Status: StatusNegotiating, On: "2026", Fact: Fact{Source: "https://example.org/a"}}}},
				{Country: "SG", History: []Step{{Status: StatusNegotiating, On: "2026", Fact: Fact{Source: "https://example.org/a"}}}}}}
		_, err := w.svc.SaveAgreement(w.idAnalyst, "o-kemlu", ag)
		wantKind(t, "an analyst adds an agreement", err, core.KindForbidden)
		if _, err := w.svc.SaveAgreement(w.sgAdmin, "o-csa", ag); err != nil {
			t.Fatal(err)
		}
		got, err := w.svc.Agreement(w.idMember, "id_sg_dea")
		if err != nil || !got.Local || got.OrgID != "o-csa" {
			t.Fatalf("added agreement: %+v, %v", got, err)
		}
		// Singapore's agreement is Singapore's (and the node's) to correct.
		_, err = w.svc.SaveAgreement(w.ngoAdmin, "o-ngo", ag)
		wantKind(t, "another organisation's admin corrects it", err, core.KindForbidden)
		// A shipped agreement is corrected by the node administrator only.
		depa, _ := w.svc.Agreement(w.root, "depa")
		depa.Parties[3].History[1].On = "2024-05"
		depa.Parties[3].History[1].Verified = true // restated, not confirmed
		_, err = w.svc.SaveAgreement(w.sgAdmin, "o-csa", depa)
		wantKind(t, "an organisation's admin corrects DEPA", err, core.KindForbidden)
		if _, err := w.svc.SaveAgreement(w.root, "", depa); err != nil {
			t.Fatal(err)
		}
		depa, _ = w.svc.Agreement(w.idMember, "depa")
		if st := depa.Parties[3].History[1]; !depa.Corrected || st.On != "2024-05" || st.Verified {
			t.Fatalf("correction not kept, or verified without a confirmation: %+v", depa.Parties[3])
		}
		// Both saves are in the audit trail, the correction with what it replaced.
		var details []string
		if err := w.db.R().Select(w.root, &details, `SELECT target_id || ' ' || detail FROM audit_events WHERE action = 'economy.agreement.save' ORDER BY target_id`); err != nil {
			t.Fatal(err)
		}
		if len(details) != 2 || !strings.HasPrefix(details[0], `depa before: {"id":"depa"`) || details[1] != "id_sg_dea before: " {
			t.Fatalf("audit trail of agreements: %q", details)
		}
		// A correction that breaks the date order is refused, by field.
		depa.Parties[0].History[0].On = "2030"
		_, err = w.svc.SaveAgreement(w.root, "", depa)
		wantFields(t, "history out of order", err, "parties")
	})
}

func mustDay(t *testing.T, s string) (d time.Time) {
	t.Helper()
	d, err := time.Parse("2006-01-02", s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
