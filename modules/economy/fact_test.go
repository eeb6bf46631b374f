package economy

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/store/storetest"
)

// bilateral is an agreement an organisation adds: Indonesia and Singapore
// negotiating, then signing.
func bilateral() Agreement {
	src := "https://example.org/a"
	return Agreement{ID: "id_sg_dea", NameEN: "Indonesia–Singapore digital cooperation", Kind: "bilateral", Source: src,
		Modules:    []Part{{ID: "m", Title: "Cooperation", TitleID: "Kerja sama"}},
		Provisions: []Provision{{ID: "idsg.cyber", Module: "m", Topic: "cybersecurity", Title: "CSIRT cooperation", TitleID: "Kerja sama CSIRT", Summary: "s", Fact: Fact{Source: src}}},
		Parties: []Party{{Country: "ID", History: []Step{{Status: StatusNegotiating, On: "2026", Fact: Fact{Source: src}}, {Status: StatusSigned, On: "2026-02-10", Fact: Fact{Source: src}}}},
			{Country: "SG", History: []Step{{Status: StatusNegotiating, On: "2026", Fact: Fact{Source: src}}}}}}
}

func TestFactsAreConfirmedBySomeoneWhoMayCorrectThem(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e)
		// Shipped: the node administrator's to confirm.
		_, err := w.svc.ConfirmFact(w.sgAdmin, "depa", "provision:depa.5.cyber", "")
		wantKind(t, "an organisation's admin confirms a DEPA fact", err, core.KindForbidden)
		_, err = w.svc.ConfirmFact(w.root, "depa", "provision:depa.5.cyber", "javascript:alert(1)")
		wantFields(t, "a source that is not a web page", err, "source")
		_, err = w.svc.ConfirmFact(w.root, "depa", "provision:nosuch", "")
		wantFields(t, "an unknown fact", err, "fact")
		_, err = w.svc.ConfirmFact(w.root, "depa", "party:SG:3", "")
		wantFields(t, "a step SG does not have", err, "fact")
		_, err = w.svc.ConfirmFact(w.root, "nosuch", "provision:x", "")
		wantKind(t, "an unknown agreement", err, core.KindNotFound)

		before, _ := w.svc.Agreement(w.root, "depa")
		checked := "https://www.mti.gov.sg/Trade/Digital-Economy-Agreements/The-Digital-Economy-Partnership-Agreement#cyber"
		if _, err := w.svc.ConfirmFact(w.root, "depa", "provision:depa.5.cyber", checked); err != nil {
			t.Fatal(err)
		}
		if _, err := w.svc.ConfirmFact(w.root, "depa", "party:SG:2", ""); err != nil {
			t.Fatal(err)
		}
		a, _ := w.svc.Agreement(w.idMember, "depa")
		p, _ := a.Provision("depa.5.cyber")
		if !p.Verified || p.ConfirmedBy != "Root" || p.ConfirmedAt == nil || !p.ConfirmedAt.Equal(w.clock.Now().UTC().Truncate(time.Microsecond)) || p.Source != checked {
			t.Fatalf("confirmed provision: %+v", p.Fact)
		}
		sg, _ := a.Party("SG")
		if st := sg.History[1]; !st.Verified || st.ConfirmedBy != "Root" || st.Source != before.Parties[2].History[1].Source {
			t.Fatalf("confirmed step keeps its source: %+v", st.Fact)
		}
		if got, want := a.Unverified(), before.Unverified()-2; got != want || !a.Corrected {
			t.Fatalf("%d unverified after two confirmations, want %d (corrected %v)", got, want, a.Corrected)
		}
		var n int
		if err := w.db.R().Get(w.root, &n, `SELECT COUNT(*) FROM audit_events WHERE action = 'economy.fact.confirm' AND target_id = 'depa'`); err != nil || n != 2 {
			t.Fatalf("%d confirmations in the audit trail (%v), want 2", n, err)
		}

		// A correction keeps the confirmations of the facts it leaves
		// alone and drops those of the facts it changes.
		a.Provisions[slicesIndex(a, "depa.5.cyber")].Summary = "Changed."
		a.Parties[2].History[1].Note = "Checked again."
		if _, err := w.svc.SaveAgreement(w.root, "", a); err != nil {
			t.Fatal(err)
		}
		a, _ = w.svc.Agreement(w.root, "depa")
		if p, _ := a.Provision("depa.5.cyber"); p.Verified || p.ConfirmedBy != "" || p.ConfirmedAt != nil {
			t.Fatalf("a changed provision keeps its confirmation: %+v", p.Fact)
		}
		if a.Parties[2].History[1].Verified {
			t.Fatal("a step whose note changed keeps its confirmation")
		}
		if _, err := w.svc.ConfirmFact(w.root, "depa", "provision:depa.4.flows", ""); err != nil {
			t.Fatal(err)
		}
		a, _ = w.svc.Agreement(w.root, "depa")
		a.Note = "Only the agreement's note changes."
		if _, err := w.svc.SaveAgreement(w.root, "", a); err != nil {
			t.Fatal(err)
		}
		a, _ = w.svc.Agreement(w.root, "depa")
		if p, _ := a.Provision("depa.4.flows"); !p.Verified || p.ConfirmedBy != "Root" {
			t.Fatalf("an unchanged provision lost its confirmation: %+v", p.Fact)
		}

		// An added agreement: its organisation's admins confirm, others not.
		if _, err := w.svc.AddAgreement(w.sgAdmin, "o-csa", bilateral()); err != nil {
			t.Fatal(err)
		}
		_, err = w.svc.ConfirmFact(w.ngoAdmin, "id_sg_dea", "party:ID:1", "")
		wantKind(t, "another organisation's admin confirms", err, core.KindForbidden)
		if _, err := w.svc.ConfirmFact(w.sgAdmin, "id_sg_dea", "party:ID:1", ""); err != nil {
			t.Fatal(err)
		}
	})
}

func slicesIndex(a Agreement, id string) int {
	for i, p := range a.Provisions {
		if p.ID == id {
			return i
		}
	}
	panic("no provision " + id)
}

func TestAgreementsAddedAndCorrectedAsTheAPIAsks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e)
		ag := bilateral()
		ag.Provisions[0].Verified = true // written, not confirmed
		got, err := w.svc.AddAgreement(w.sgAdmin, "o-csa", ag)
		if err != nil {
			t.Fatal(err)
		}
		if got.Provisions[0].Verified || !got.Local || got.OrgID != "o-csa" {
			t.Fatalf("added: %+v", got)
		}
		_, err = w.svc.AddAgreement(w.sgAdmin, "o-csa", ag)
		wantKind(t, "adding an id that exists", err, core.KindConflict)
		_, err = w.svc.AddAgreement(w.root, "", Agreement{ID: "depa", NameEN: "x", Kind: "bilateral", Source: "https://example.org"})
		wantKind(t, "adding a shipped id", err, core.KindConflict)
		_, err = w.svc.AddAgreement(w.sgAdmin, "", ag)
		wantKind(t, "an organisation's admin adds for the node", err, core.KindForbidden)

		ag.NameID = "Kerja sama digital Indonesia–Singapura"
		_, err = w.svc.CorrectAgreement(w.sgAdmin, "other", ag)
		wantFields(t, "an id not the address's", err, "id")
		other := ag
		other.ID = "nosuch"
		_, err = w.svc.CorrectAgreement(w.root, "nosuch", other)
		wantKind(t, "correcting what does not exist", err, core.KindNotFound)
		_, err = w.svc.CorrectAgreement(w.ngoAdmin, ag.ID, ag)
		wantKind(t, "another organisation's admin corrects", err, core.KindForbidden)
		if got, err = w.svc.CorrectAgreement(w.sgAdmin, ag.ID, ag); err != nil || got.OrgID != "o-csa" || got.Name("id") != ag.NameID {
			t.Fatalf("corrected: %+v, %v", got, err)
		}
		ag.Parties[0].History[1].On = "2025"
		_, err = w.svc.CorrectAgreement(w.sgAdmin, ag.ID, ag)
		wantFields(t, "a history out of order", err, "parties")
	})
}

// TestConcurrentConfirmationsAreAllKept confirms facts of one agreement at
// once: each starts from the agreement as the others left it, so none is
// lost (a read outside the lock would keep only the last).
func TestConcurrentConfirmationsAreAllKept(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e)
		a, _ := w.svc.Agreement(w.root, "defa")
		errs := make(chan error, len(a.Parties))
		for _, p := range a.Parties {
			go func() {
				_, err := w.svc.ConfirmFact(w.root, "defa", fmt.Sprintf("party:%s:1", p.Country), "")
				errs <- err
			}()
		}
		for range a.Parties {
			if err := <-errs; err != nil {
				t.Fatal(err)
			}
		}
		a, _ = w.svc.Agreement(w.root, "defa")
		for _, p := range a.Parties {
			if !p.History[0].Verified {
				t.Errorf("%s's confirmation lost", p.Country)
			}
		}
	})
}

func TestShippedTitlesAndSummariesAreInBahasaIndonesia(t *testing.T) {
	ags, err := Shipped()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range ags {
		for _, m := range a.Modules {
			if m.TitleID == "" || m.Name("id") != m.TitleID || m.Name("en") != m.Title {
				t.Errorf("%s module %s: no Bahasa title", a.ID, m.ID)
			}
		}
		for _, p := range a.Provisions {
			if p.SummaryID == "" || p.Text("id") != p.SummaryID || p.Text("en") != p.Summary {
				t.Errorf("%s: no Bahasa summary", p.ID)
			}
			if p.TitleID == "" || strings.EqualFold(p.TitleID, p.Title) && p.Title != "Transparansi" {
				t.Errorf("%s: Bahasa title %q", p.ID, p.TitleID)
			}
		}
	}
}
