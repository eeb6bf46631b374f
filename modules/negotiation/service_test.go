package negotiation_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/auth"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/federation/fedtest"
	"entente.example/entente/internal/jobs"
	"entente.example/entente/internal/ledger"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/directory"
	"entente.example/entente/modules/negotiation"
)

type world struct {
	svc   *negotiation.Service
	db    *store.DB
	fed   *federation.Service
	led   *ledger.Log
	q     *jobs.Queue
	clock *storetest.Clock
	as    map[string]context.Context
}

// newWorld is one node with the ASEAN Secretariat (chair and secretariat),
// two states and a company.
func newWorld(t *testing.T, e storetest.Engine) world {
	ctx := context.Background()
	clock := storetest.NewClock(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	db := storetest.Open(t, e, clock, auth.Migrations(), audit.Migrations(), jobs.Migrations(), ledger.Migrations(), federation.Migrations(), directory.Migrations(), negotiation.Migrations())
	node := fedtest.New(t, db, "node.test")
	l, fed := node.Ledger, node.Fed
	log := node.Log
	var err error
	q := jobs.New(db, log, nil)
	w := world{svc: negotiation.NewService(db, fed, l, q), db: db, fed: fed, led: l, q: q, clock: clock, as: map[string]context.Context{}}
	orgs := map[string]struct{ kind, country string }{"asean": {"international", ""}, "kemlu": {"state_ministry", "ID"}, "csa-sg": {"state_agency", "SG"}, "acme": {"company", "ID"}}
	ids := map[string]string{}
	err = db.WithTx(ctx, func(tx *store.Tx) error {
		for h, o := range orgs {
			ids[h] = core.NewID(tx.Now)
			if _, err := tx.Exec(ctx, `INSERT INTO organisations (id, handle, kind, country, name_en, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`, ids[h], h, o.kind, o.country, "Org "+h, tx.Now, tx.Now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct {
		name, org string
		role      core.Role
	}{{"maria", "asean", core.RoleAdmin}, {"sari", "kemlu", core.RoleAdmin}, {"bima", "kemlu", core.RoleOfficer}, {"dewi", "kemlu", core.RoleAnalyst},
		{"weiming", "csa-sg", core.RoleAdmin}, {"eve", "acme", core.RoleAdmin}} {
		w.as[p.name] = core.WithActor(ctx, core.Actor{UserID: "u-" + p.name, Name: p.name, Memberships: []core.Membership{{Org: core.OrgRef{ID: ids[p.org], Handle: p.org}, Kind: core.OrgKind(orgs[p.org].kind), Role: p.role}}})
	}
	w.as["root"] = core.WithActor(ctx, core.Actor{UserID: "root", Name: "root", NodeAdmin: true})
	w.as["anon"] = ctx
	return w
}

func field(err error, name string) string {
	if ce := core.AsError(err); ce != nil {
		return ce.Fields[name]
	}
	return ""
}

func wantKind(t *testing.T, what string, err error, k core.Kind) {
	t.Helper()
	if core.KindOf(err) != k {
		t.Fatalf("%s: %v (kind %q), want %q", what, err, core.KindOf(err), k)
	}
}

func must(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// table opens a process with kemlu and csa-sg as delegations, acme as a
// stakeholder, and a text of three paragraphs, one bracketed.
func (w world) table(t *testing.T) (string, *negotiation.Text) {
	t.Helper()
	p, err := w.svc.Create(w.as["maria"], negotiation.ProcessInput{Title: "ASEAN Leaders' Statement on Cyberspace", Forum: "ASEAN", Secretariat: "asean", Chair: "asean", Consultation: "Views on capacity building."})
	must(t, "create", err)
	must(t, "add kemlu", w.svc.AddParty(w.as["maria"], p.ID, "kemlu", negotiation.RoleDelegation))
	must(t, "add csa-sg", w.svc.AddParty(w.as["maria"], p.ID, "csa-sg", negotiation.RoleDelegation))
	must(t, "add acme", w.svc.AddParty(w.as["maria"], p.ID, "acme", negotiation.RoleStakeholder))
	tx, err := w.svc.AddText(w.as["maria"], p.ID, negotiation.TextInput{Title: "Joint statement", Kind: "chairs-draft",
		Preamble:  "Recalling the framework of responsible state behaviour,",
		Operative: "States should cooperate [in a timely manner] on incidents.\n\nStates should protect critical infrastructure."})
	must(t, "add text", err)
	return p.ID, tx
}

// TestTableRules: who may do what, the status and bracket rules, and the
// chair's decisions on amendments.
func TestTableRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e)
		_, err := w.svc.Create(w.as["sari"], negotiation.ProcessInput{Title: "X", Forum: "ASEAN", Secretariat: "asean", Chair: "asean"})
		wantKind(t, "a state's admin opening a process for the secretariat", err, core.KindForbidden)
		pid, text := w.table(t)
		if err := w.svc.AddParty(w.as["maria"], pid, "acme", negotiation.RoleDelegation); field(err, "addr") != "err.delegation_not_state" {
			t.Fatalf("a company as a delegation: %v", err)
		}
		if err := w.svc.AddParty(w.as["maria"], pid, "kemlu", negotiation.RoleStakeholder); field(err, "addr") != "err.stakeholder_is_state" {
			t.Fatalf("a state as a stakeholder: %v", err)
		}
		if len(text.Paragraphs) != 3 || text.Paragraphs[1].Status() != negotiation.StatusBracketed {
			t.Fatalf("text %+v", text.Paragraphs)
		}
		p1, p2, p3 := text.Paragraphs[0].ID, text.Paragraphs[1].ID, text.Paragraphs[2].ID

		// A paragraph with open brackets or options cannot be agreed.
		err = w.svc.EditParagraph(w.as["maria"], pid, text.ID, p2, negotiation.ParagraphInput{Part: "op", Options: []string{"States should cooperate [in a timely manner] on incidents."}, Agreed: negotiation.StatusAgreed})
		if field(err, "agreed") != "err.agreed_with_brackets" {
			t.Fatalf("agreeing a bracketed paragraph: %v", err)
		}
		err = w.svc.EditParagraph(w.as["maria"], pid, text.ID, p3, negotiation.ParagraphInput{Part: "op", Options: []string{"One.", "Two."}, Agreed: negotiation.StatusAdRef})
		if field(err, "agreed") != "err.agreed_with_brackets" {
			t.Fatalf("agreeing a paragraph with options: %v", err)
		}
		err = w.svc.EditParagraph(w.as["maria"], pid, text.ID, p3, negotiation.ParagraphInput{Part: "op", Options: []string{"States should [protect critical infrastructure."}})
		if field(err, "options") != "err.brackets_unclosed" {
			t.Fatalf("an unclosed bracket: %v", err)
		}
		must(t, "agree p1", w.svc.EditParagraph(w.as["maria"], pid, text.ID, p1, negotiation.ParagraphInput{Part: "pp", Options: []string{"Recalling the framework of responsible state behaviour,"}, Agreed: negotiation.StatusAgreed}))
		err = w.svc.EditParagraph(w.as["bima"], pid, text.ID, p1, negotiation.ParagraphInput{Part: "pp", Options: []string{"Recalling,"}})
		wantKind(t, "a delegation editing as the chair", err, core.KindForbidden)

		// Amendments: a replacement and an extra option; the analyst reads
		// but does not act; strangers learn nothing.
		do := func(who string, in negotiation.ActInput) (negotiation.Act, error) {
			in.Text = text.ID
			return w.svc.Do(w.as[who], pid, in)
		}
		_, err = do("bima", negotiation.ActInput{Kind: negotiation.ActAmend, Amend: &negotiation.Amend{Para: p2, Kind: negotiation.AmendReplace, Proposed: "States should cooperate without undue delay on incidents.", Justification: "Clearer."}})
		must(t, "kemlu amends p2", err)
		_, err = do("weiming", negotiation.ActInput{Kind: negotiation.ActAmend, Amend: &negotiation.Amend{Para: p2, Kind: negotiation.AmendReplace, Proposed: "States should cooperate on incidents.", Justification: "Shorter."}})
		must(t, "csa-sg amends p2", err)
		_, err = do("weiming", negotiation.ActInput{Kind: negotiation.ActAmend, Amend: &negotiation.Amend{Para: p3, Kind: negotiation.AmendOption, Proposed: "States should protect critical information infrastructure.", Justification: "Our law's term."}})
		must(t, "csa-sg proposes an option", err)
		_, err = do("weiming", negotiation.ActInput{Kind: negotiation.ActAmend, Amend: &negotiation.Amend{Para: p3, Kind: negotiation.AmendReplace}})
		if field(err, "proposed") != "err.required" || field(err, "justification") != "err.required" {
			t.Fatalf("an empty amendment: %v", err)
		}
		_, err = do("dewi", negotiation.ActInput{Kind: negotiation.ActPosition, Position: &negotiation.Stance{Target: "p:" + p2, Stance: "support"}})
		wantKind(t, "an analyst taking a position", err, core.KindForbidden)
		for _, who := range []string{"eve", "root", "anon"} {
			_, err = do(who, negotiation.ActInput{Kind: negotiation.ActPosition, Position: &negotiation.Stance{Target: "p:" + p2, Stance: "support"}})
			wantKind(t, who+" taking a position", err, core.KindNotFound)
			_, _, err = w.svc.Text(w.as[who], pid, text.ID)
			wantKind(t, who+" reading the text", err, core.KindNotFound)
		}
		_, err = do("sari", negotiation.ActInput{Kind: negotiation.ActPosition, Position: &negotiation.Stance{Target: "a:A2", Stance: "oppose", Note: "Loses the urgency."}})
		must(t, "kemlu's position", err)
		_, err = do("sari", negotiation.ActInput{Kind: negotiation.ActPosition, Position: &negotiation.Stance{Target: "a:A2", Stance: "live"}})
		must(t, "kemlu changes its position", err)

		// The stakeholder sees the consultation, never the state text.
		v, err := w.svc.Process(w.as["eve"], pid)
		must(t, "stakeholder's view", err)
		if len(v.P.Texts) != 0 || v.Seat.Reads {
			t.Fatalf("a stakeholder sees the texts: %+v", v.Seat)
		}
		_, err = w.svc.Do(w.as["eve"], pid, negotiation.ActInput{Kind: negotiation.ActContribute, Title: "Capacity", Body: "Fund trainings."})
		must(t, "contribution", err)
		_, err = w.svc.Do(w.as["sari"], pid, negotiation.ActInput{Kind: negotiation.ActContribute, Title: "X", Body: "Y"})
		wantKind(t, "a state contributing as a stakeholder", err, core.KindForbidden)

		// A copy naming a company as a delegation opens nothing to it: a
		// delegation is a state, whatever a document says.
		err = w.db.WithTx(context.Background(), func(tx *store.Tx) error {
			_, err := tx.Exec(context.Background(), `UPDATE neg_processes SET doc = REPLACE(doc, '"addr":"acme@node.test","role":"stakeholder"', '"addr":"acme@node.test","role":"delegation"') WHERE id = ?`, pid)
			return err
		})
		must(t, "rewrite the document", err)
		_, err = w.svc.Process(w.as["eve"], pid)
		wantKind(t, "the company, now only a 'delegation', seeing the process", err, core.KindNotFound)
		_, _, err = w.svc.Text(w.as["eve"], pid, text.ID)
		wantKind(t, "a company seated as a delegation reading the text", err, core.KindNotFound)

		// A deletion written before the paragraph changed cannot be accepted.
		_, err = do("weiming", negotiation.ActInput{Kind: negotiation.ActAmend, Amend: &negotiation.Amend{Para: p1, Kind: negotiation.AmendDelete, Justification: "Redundant."}})
		must(t, "csa-sg proposes to strike p1", err)
		must(t, "the chair rewords p1", w.svc.EditParagraph(w.as["maria"], pid, text.ID, p1, negotiation.ParagraphInput{Part: "pp", Options: []string{"Recalling the eleven norms,"}}))
		err = w.svc.Decide(w.as["maria"], pid, text.ID, "A4", negotiation.DecisionInput{Verdict: "accept"})
		wantKind(t, "striking a paragraph reworded since", err, core.KindConflict)

		// The chair decides.
		err = w.svc.Decide(w.as["bima"], pid, text.ID, "A1", negotiation.DecisionInput{Verdict: "accept"})
		wantKind(t, "a delegation deciding", err, core.KindForbidden)
		if err := w.svc.Decide(w.as["maria"], pid, text.ID, "A2", negotiation.DecisionInput{Verdict: "reject"}); field(err, "reason") != "err.reason_required" {
			t.Fatalf("a rejection without reason: %v", err)
		}
		must(t, "accept A1", w.svc.Decide(w.as["maria"], pid, text.ID, "A1", negotiation.DecisionInput{Verdict: "accept"}))
		err = w.svc.Decide(w.as["maria"], pid, text.ID, "A2", negotiation.DecisionInput{Verdict: "accept"})
		wantKind(t, "accepting an amendment written against older wording", err, core.KindConflict)
		must(t, "merge A2", w.svc.Decide(w.as["maria"], pid, text.ID, "A2", negotiation.DecisionInput{Verdict: "merge", Into: "States should cooperate without delay on incidents."}))
		must(t, "accept A3", w.svc.Decide(w.as["maria"], pid, text.ID, "A3", negotiation.DecisionInput{Verdict: "accept"}))
		err = w.svc.Decide(w.as["maria"], pid, text.ID, "A3", negotiation.DecisionInput{Verdict: "reject", Reason: "x"})
		wantKind(t, "deciding twice", err, core.KindConflict)

		_, cur, err := w.svc.Text(w.as["weiming"], pid, text.ID)
		must(t, "read", err)
		if got := cur.Paragraphs[1].Wording(); got != "States should cooperate without delay on incidents." || cur.Paragraphs[1].Status() != negotiation.StatusOpen {
			t.Fatalf("p2 after merge: %q %s", got, cur.Paragraphs[1].Status())
		}
		if cur.Paragraphs[2].Status() != negotiation.StatusOptions || len(cur.Paragraphs[2].Options) != 2 {
			t.Fatalf("p3 after the option: %+v", cur.Paragraphs[2])
		}
		if pos, ok := cur.Position("kemlu@node.test", "a:A2"); !ok || pos.Stance != "live" || len(cur.Positions) != 1 {
			t.Fatalf("positions %+v", cur.Positions)
		}

		// Revisions, compared.
		n, err := w.svc.IssueRevision(w.as["maria"], pid, text.ID, "Rev.1 after the first reading")
		must(t, "Rev.1", err)
		_, err = w.svc.IssueRevision(w.as["maria"], pid, text.ID, "")
		wantKind(t, "a revision with no change", err, core.KindConflict)
		rev1, err := w.svc.Revision(w.as["sari"], pid, text.ID, n)
		must(t, "read Rev.1", err)
		if _, err := w.svc.Revision(w.as["eve"], pid, text.ID, n); core.KindOf(err) != core.KindNotFound {
			t.Fatalf("a stakeholder reading a revision: %v", err)
		}
		cmp := negotiation.Compare(text.Paragraphs, rev1)
		if cmp[0].Change != "changed" || cmp[1].Change != "changed" || cmp[2].Change != "changed" {
			t.Fatalf("compare %+v", cmp)
		}
	})
}

// TestSilence: only a clean, issued text goes under silence; an objection
// breaks it and is in the ledger; a silence that runs to its deadline
// adopts the text, signed and in the ledger, and nothing changes after.
func TestSilence(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e)
		ctx := context.Background()
		pid, text := w.table(t)
		deadline := w.clock.Now().Add(48 * time.Hour)
		if err := w.svc.StartSilence(w.as["maria"], pid, text.ID, deadline); field(err, "deadline") == "" {
			t.Fatalf("silence on a bracketed, unissued text: %v", err)
		}
		p2 := text.Paragraphs[1].ID
		must(t, "clean p2", w.svc.EditParagraph(w.as["maria"], pid, text.ID, p2, negotiation.ParagraphInput{Part: "op", Options: []string{"States should cooperate on incidents."}}))
		if err := w.svc.StartSilence(w.as["maria"], pid, text.ID, deadline); field(err, "deadline") != "err.silence_needs_revision" {
			t.Fatalf("silence before a revision: %v", err)
		}
		_, err := w.svc.IssueRevision(w.as["maria"], pid, text.ID, "")
		must(t, "Rev.1", err)
		if err := w.svc.StartSilence(w.as["maria"], pid, text.ID, w.clock.Now().Add(-time.Minute)); field(err, "deadline") != "err.deadline_past" {
			t.Fatalf("a deadline in the past: %v", err)
		}
		if err := w.svc.StartSilence(w.as["maria"], pid, text.ID, deadline); field(err, "as_is") != "err.silence_undecided" {
			t.Fatalf("silence over open paragraphs without the chair's word: %v", err)
		}
		must(t, "silence", w.svc.Circulate(w.as["maria"], pid, text.ID, negotiation.SilenceInput{Deadline: deadline, AsIs: true}))
		_, err = w.svc.Do(w.as["bima"], pid, negotiation.ActInput{Kind: negotiation.ActAmend, Text: text.ID, Amend: &negotiation.Amend{Para: p2, Kind: negotiation.AmendDelete, Justification: "x"}})
		wantKind(t, "an amendment under silence", err, core.KindConflict)
		_, cur, _ := w.svc.Text(w.as["sari"], pid, text.ID)
		sil := cur.Silence()
		if sil == nil || cur.State != negotiation.TextSilence {
			t.Fatalf("no silence running: %+v", cur.Silences)
		}
		size0, _ := w.led.Size(ctx)
		_, err = w.svc.Do(w.as["sari"], pid, negotiation.ActInput{Kind: negotiation.ActObject, Text: text.ID, Silence: sil.ID, Reason: "Capital has not cleared OP1."})
		must(t, "objection", err)
		_, cur, _ = w.svc.Text(w.as["weiming"], pid, text.ID)
		last := cur.LastSilence()
		if cur.State != negotiation.TextNegotiating || last.State != negotiation.SilenceBroken || last.Objection == nil || last.Objection.By != "kemlu@node.test" || last.Objection.Statement == "" {
			t.Fatalf("after the objection: %s %+v", cur.State, last)
		}
		if size1, _ := w.led.Size(ctx); size1 != size0+1 {
			t.Fatalf("ledger %d -> %d, want the objection recorded", size0, size1)
		}
		// The deadline of the broken silence adopts nothing.
		w.clock.Advance(49 * time.Hour)
		w.runJobs(t)
		_, cur, _ = w.svc.Text(w.as["sari"], pid, text.ID)
		if cur.State != negotiation.TextNegotiating || cur.Adoption != nil {
			t.Fatalf("adopted after an objection: %s", cur.State)
		}

		// Again, and this time nobody objects.
		must(t, "second silence", w.svc.Circulate(w.as["maria"], pid, text.ID, negotiation.SilenceInput{Deadline: w.clock.Now().Add(24 * time.Hour), AsIs: true}))
		w.clock.Advance(23 * time.Hour)
		w.runJobs(t)
		_, cur, _ = w.svc.Text(w.as["sari"], pid, text.ID)
		if cur.State != negotiation.TextSilence {
			t.Fatalf("adopted before the deadline: %s", cur.State)
		}
		w.clock.Advance(2 * time.Hour)
		w.runJobs(t)
		_, cur, _ = w.svc.Text(w.as["sari"], pid, text.ID)
		if cur.State != negotiation.TextAdopted || cur.Adoption == nil || cur.Adoption.Rev != 1 {
			t.Fatalf("not adopted at the deadline: %s %+v", cur.State, cur.Adoption)
		}
		body, fp, err := w.fed.OpenStatement(ctx, "negotiation.adoption", []byte(cur.Adoption.Statement), "node.test")
		must(t, "adoption statement verifies", err)
		var st struct {
			Rev        int `json:"rev"`
			Paragraphs []negotiation.Paragraph
		}
		if json.Unmarshal(body, &st) != nil || st.Rev != 1 || len(st.Paragraphs) != 3 || fp != w.fed.Fingerprint() {
			t.Fatalf("adoption statement %s", body)
		}
		// Nobody agreed the paragraphs: adoption says so instead of marking them agreed.
		for _, p := range cur.Paragraphs {
			if p.Status() != negotiation.StatusOpen {
				t.Fatalf("paragraph %s is %s after adoption, want open as it was", p.ID, p.Status())
			}
		}
		if len(cur.Adoption.Open) != 3 {
			t.Fatalf("adoption lists %v as never agreed, want the three paragraphs", cur.Adoption.Open)
		}
		_, err = w.svc.Do(w.as["sari"], pid, negotiation.ActInput{Kind: negotiation.ActObject, Text: text.ID, Silence: cur.LastSilence().ID, Reason: "Late."})
		wantKind(t, "an objection after adoption", err, core.KindConflict)
		err = w.svc.EditParagraph(w.as["maria"], pid, text.ID, p2, negotiation.ParagraphInput{Part: "op", Options: []string{"Changed."}})
		wantKind(t, "editing an adopted text", err, core.KindConflict)
	})
}

func (w world) runJobs(t *testing.T) {
	t.Helper()
	for range 50 {
		ran, err := w.q.RunOnce(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !ran {
			return
		}
	}
}
