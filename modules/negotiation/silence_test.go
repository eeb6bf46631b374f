package negotiation_test

import (
	"encoding/json"
	"testing"
	"time"

	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/negotiation"
)

// TestSilenceUndecided: a silence never passes over pending amendments or
// open paragraphs without the chair's explicit word, and adoption keeps
// each paragraph's status true (ad ref becomes agreed, open stays open and
// is listed, undecided amendments are listed).
func TestSilenceUndecided(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e)
		pid, text := w.table(t)
		p1, p2, p3 := text.Paragraphs[0].ID, text.Paragraphs[1].ID, text.Paragraphs[2].ID
		must(t, "clean p2, agreed ad ref", w.svc.EditParagraph(w.as["maria"], pid, text.ID, p2, negotiation.ParagraphInput{Part: "op", Options: []string{"States should cooperate on incidents."}, Agreed: negotiation.StatusAdRef}))
		must(t, "p1 agreed", w.svc.EditParagraph(w.as["maria"], pid, text.ID, p1, negotiation.ParagraphInput{Part: "pp", Options: []string{"Recalling the framework of responsible state behaviour,"}, Agreed: negotiation.StatusAgreed}))
		_, err := w.svc.Do(w.as["bima"], pid, negotiation.ActInput{Kind: negotiation.ActAmend, Text: text.ID, Amend: &negotiation.Amend{Para: p3, Kind: negotiation.AmendReplace, Proposed: "States should protect critical information infrastructure.", Justification: "Our law's term."}})
		must(t, "kemlu amends p3", err)
		_, err = w.svc.IssueRevision(w.as["maria"], pid, text.ID, "")
		must(t, "Rev.1", err)

		_, cur, err := w.svc.Text(w.as["maria"], pid, text.ID)
		must(t, "read", err)
		if a, o := cur.Undecided(); a != 1 || o != 1 {
			t.Fatalf("undecided: %d amendments, %d open; want 1 and 1", a, o)
		}
		deadline := w.clock.Now().Add(24 * time.Hour)
		err = w.svc.Circulate(w.as["maria"], pid, text.ID, negotiation.SilenceInput{Deadline: deadline})
		if field(err, "as_is") != "err.silence_undecided" {
			t.Fatalf("silence over a pending amendment and an open paragraph: %v", err)
		}
		_, cur, _ = w.svc.Text(w.as["maria"], pid, text.ID)
		if cur.State != negotiation.TextNegotiating || len(cur.Silences) != 0 {
			t.Fatalf("a refused silence started: %s %+v", cur.State, cur.Silences)
		}

		must(t, "silence as is", w.svc.Circulate(w.as["maria"], pid, text.ID, negotiation.SilenceInput{Deadline: deadline, AsIs: true}))
		_, cur, _ = w.svc.Text(w.as["sari"], pid, text.ID)
		if s := cur.Silence(); s == nil || s.AsIs == nil || s.AsIs.Amendments != 1 || s.AsIs.Open != 1 {
			t.Fatalf("the silence does not record the chair's decision: %+v", cur.Silences)
		}
		w.clock.Advance(25 * time.Hour)
		w.runJobs(t)
		_, cur, _ = w.svc.Text(w.as["sari"], pid, text.ID)
		if cur.State != negotiation.TextAdopted || cur.Adoption == nil {
			t.Fatalf("not adopted: %s", cur.State)
		}
		want := map[string]string{p1: negotiation.StatusAgreed, p2: negotiation.StatusAgreed, p3: negotiation.StatusOpen}
		for _, p := range cur.Paragraphs {
			if p.Status() != want[p.ID] {
				t.Errorf("paragraph %s is %s after adoption, want %s", p.ID, p.Status(), want[p.ID])
			}
		}
		if len(cur.Adoption.Open) != 1 || cur.Adoption.Open[0] != p3 || len(cur.Adoption.Pending) != 1 {
			t.Fatalf("adoption record: open %v, pending %v", cur.Adoption.Open, cur.Adoption.Pending)
		}
		// The signed statement says the same.
		body, _, err := w.fed.OpenStatement(t.Context(), "negotiation.adoption", []byte(cur.Adoption.Statement), "node.test")
		must(t, "statement", err)
		var st struct{ Paragraphs []negotiation.Paragraph }
		if err := json.Unmarshal(body, &st); err != nil || st.Paragraphs[1].Status() != negotiation.StatusAgreed || st.Paragraphs[2].Status() != negotiation.StatusOpen {
			t.Fatalf("signed statuses: %s", body)
		}
	})
}

// TestSilenceAllAgreed: a text agreed throughout needs no extra word.
func TestSilenceAllAgreed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e)
		pid, text := w.table(t)
		for i, p := range text.Paragraphs {
			must(t, "agree", w.svc.EditParagraph(w.as["maria"], pid, text.ID, p.ID, negotiation.ParagraphInput{Part: p.Part, Options: []string{"Paragraph " + string(rune('A'+i)) + "."}, Agreed: negotiation.StatusAgreed}))
		}
		_, err := w.svc.IssueRevision(w.as["maria"], pid, text.ID, "")
		must(t, "Rev.1", err)
		must(t, "silence", w.svc.StartSilence(w.as["maria"], pid, text.ID, w.clock.Now().Add(time.Hour)))
		_, cur, _ := w.svc.Text(w.as["sari"], pid, text.ID)
		if s := cur.Silence(); s == nil || s.AsIs != nil {
			t.Fatalf("silence on an agreed text: %+v", cur.Silences)
		}
	})
}
