package incidents_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"flag"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/auth"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/federation/fedtest"
	"entente.example/entente/internal/jobs"
	"entente.example/entente/internal/ledger"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/directory"
	"entente.example/entente/modules/incidents"
)

// updateStatement rewrites testdata/statement_bundle.json, the bundle the
// command line's verify test reads.
var updateStatement = flag.Bool("update-statement", false, "rewrite testdata/statement_bundle.json")

// mail records the e-mails a node would send.
type mail struct {
	mu   sync.Mutex
	sent []string
}

func (m *mail) NotifyOrg(_ context.Context, _ *store.Tx, orgID string, _ []core.Role, k notify.Kind, _ string, args notify.Args) error {
	for _, p := range k.Params {
		if _, ok := args[p]; !ok {
			panic("notification " + k.Name + " without " + p)
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sent = append(m.sent, k.Name+" "+orgID)
	return nil
}

func (m *mail) has(s string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, x := range m.sent {
		if x == s {
			return true
		}
	}
	return false
}

// stmtNode is a served node with joint statements.
type stmtNode struct {
	*fedtest.Served
	svc   *incidents.Statements
	mail  *mail
	clock *storetest.Clock
}

func newStmtNode(t testing.TB, e storetest.Engine) *stmtNode {
	t.Helper()
	clock := storetest.NewClock(time.Now())
	db := storetest.Open(t, e, clock, auth.Migrations(), audit.Migrations(), jobs.Migrations(), ledger.Migrations(), federation.Migrations(), directory.Migrations(), incidents.Migrations())
	s := fedtest.Serve(t, db)
	n := &stmtNode{Served: s, mail: &mail{}, clock: clock}
	n.svc = incidents.NewStatements(db, s.Fed, s.Ledger, n.mail)
	return n
}

// threeStates are Indonesia's, Singapore's and Australia's nodes, peered,
// each with its foreign ministry or cyber agency.
func threeStates(t *testing.T, e storetest.Engine) (id, sg, au *stmtNode) {
	id, sg, au = newStmtNode(t, e), newStmtNode(t, e), newStmtNode(t, e)
	id.Org(t, "kemlu", core.OrgStateMinistry, "ID", "Ministry of Foreign Affairs of Indonesia")
	sg.Org(t, "csa", core.OrgStateAgency, "SG", "Cyber Security Agency of Singapore")
	au.Org(t, "dfat", core.OrgStateMinistry, "AU", "Department of Foreign Affairs and Trade")
	for _, n := range []*stmtNode{id, sg, au} {
		n.Start(t)
	}
	fedtest.Peer(t, id.Served, sg.Served, au.Served)
	return id, sg, au
}

func draft(id, sg, au *stmtNode, title string) incidents.StatementInput {
	return incidents.StatementInput{From: "kemlu", Title: title, Language: "en",
		Body:  "The governments below attribute the ransomware campaign against hospitals in the region, from 2 to 9 December, to the group known as BlackLantern, acting from the territory of another state.",
		Actor: "BlackLantern", Incident: "incidents:incident:01JE0000000000000000000000@" + id.Host,
		Invited: []string{sg.Addr("csa"), au.Addr("dfat")}, PublishMode: incidents.PublishByInitiator}
}

// copyOf finds a node's copy of a statement by title, as the person sees it.
func copyOf(t testing.TB, n *stmtNode, ctx context.Context, title string) (incidents.Statement, bool) {
	t.Helper()
	mine, _, err := n.svc.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range mine {
		if r.Title == title {
			st, err := n.svc.Statement(ctx, r.ID)
			if err != nil {
				t.Fatal(err)
			}
			return st, true
		}
	}
	return incidents.Statement{}, false
}

func signerState(st incidents.Statement, addr string) string {
	for _, g := range st.Signers {
		if g.Signer == addr {
			return g.State
		}
	}
	return ""
}

func nodeKeys(ns ...*stmtNode) map[string]ed25519.PublicKey {
	out := map[string]ed25519.PublicKey{}
	for _, n := range ns {
		out[n.Host] = n.Fed.SigningKey()
	}
	return out
}

// TestStatementCosignedAcrossThreeNodes drafts a statement on Indonesia's
// node, has Singapore's and Australia's co-sign it on theirs, publishes it,
// and verifies the bundle every node holds offline with the three nodes'
// keys; a changed word or a removed signature fails, saying which.
func TestStatementCosignedAcrossThreeNodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		id, sg, au := threeStates(t, e)
		kemlu, csa, dfat := id.As("Retno", "kemlu", core.RoleAdmin), sg.As("David", "csa", core.RoleAdmin), au.As("Penny", "dfat", core.RoleAdmin)
		title := "Joint statement on the ransomware campaign against hospitals"

		// The form's problems are named by field; an address nobody offered
		// is refused.
		bad := draft(id, sg, au, "")
		bad.Invited = []string{"csa@nowhere.example"}
		if _, err := id.svc.Draft(kemlu, bad); fieldsOf(err)["title"] != "err.required" || fieldsOf(err)["invited"] != "err.stmt_invited" {
			t.Fatalf("bad draft: %v", err)
		}
		if _, err := id.svc.Draft(csa, draft(id, sg, au, title)); err == nil {
			t.Fatal("someone of another node drafted for kemlu")
		}
		st, err := id.svc.Draft(kemlu, draft(id, sg, au, title))
		if err != nil {
			t.Fatal(err)
		}
		if st, err = id.svc.Open(kemlu, st.ID); err != nil {
			t.Fatal(err)
		}
		if st.State != incidents.StatementOpen || st.SHA256 != incidents.TextHash([]byte(st.Text)) || signerState(st, id.Addr("kemlu")) != incidents.SignerSigned {
			t.Fatalf("opened: %+v", st)
		}

		// Each invited state sees the exact text by its hash, and an
		// observer of another organisation cannot sign.
		for _, c := range []struct {
			n   *stmtNode
			ctx context.Context
		}{{sg, csa}, {au, dfat}} {
			fedtest.Eventually(t, "the invitation on "+c.n.Host, func() bool { _, ok := copyOf(t, c.n, c.ctx, title); return ok })
			cp, _ := copyOf(t, c.n, c.ctx, title)
			if cp.Text != st.Text || cp.SHA256 != st.SHA256 || cp.State != incidents.StatementOpen {
				t.Fatalf("%s holds another text: %q %s", c.n.Host, cp.SHA256, cp.State)
			}
		}
		if !sg.mail.has("stmt_invited " + orgID(t, sg, "csa")) {
			t.Error("Singapore's admins were not told of the invitation")
		}
		sgCopy, _ := copyOf(t, sg, csa, title)
		if _, err := sg.svc.Sign(sg.As("Obi", "csa", core.RoleObserver), sgCopy.ID, ""); core.KindOf(err) != core.KindForbidden {
			t.Fatalf("an observer signed: %v", err)
		}
		if _, err := sg.svc.Sign(csa, sgCopy.ID, ""); err != nil {
			t.Fatal(err)
		}
		auCopy, _ := copyOf(t, au, dfat, title)
		if _, err := au.svc.Sign(dfat, auCopy.ID, ""); err != nil {
			t.Fatal(err)
		}
		fedtest.Eventually(t, "both co-signatures at the initiator", func() bool {
			cur, _ := id.svc.Statement(kemlu, st.ID)
			return signerState(cur, sg.Addr("csa")) == incidents.SignerSigned && signerState(cur, au.Addr("dfat")) == incidents.SignerSigned
		})
		if st, err = id.svc.Publish(kemlu, st.ID); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			n   *stmtNode
			ctx context.Context
		}{{sg, csa}, {au, dfat}} {
			fedtest.Eventually(t, "the publication on "+c.n.Host, func() bool {
				cp, _ := copyOf(t, c.n, c.ctx, title)
				return cp.State == incidents.StatementPublished
			})
		}
		// Anyone may read it now, signed in or not.
		if _, err := au.svc.Statement(context.Background(), auCopy.ID); err != nil {
			t.Fatalf("the public cannot read the published statement: %v", err)
		}

		auCopy, _ = copyOf(t, au, dfat, title)
		if *updateStatement && e.Name == "sqlite" {
			if err := os.WriteFile("testdata/statement_bundle.json", []byte(auCopy.Bundle), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		keys := nodeKeys(id, sg, au)
		rep := incidents.VerifyBundle([]byte(auCopy.Bundle), keys)
		if !rep.OK() || len(rep.Signers) != 3 {
			t.Fatalf("the bundle does not verify: %v\n%s", rep.Failures, strings.Join(rep.Lines, "\n"))
		}

		// A word changed in the text.
		var bu incidents.StatementBundle
		if err := json.Unmarshal([]byte(auCopy.Bundle), &bu); err != nil {
			t.Fatal(err)
		}
		changed := bu
		changed.Text = strings.Replace(bu.Text, "BlackLantern", "RedLantern", 1)
		if rep := incidents.VerifyBundle(mustJSON(t, changed), keys); rep.OK() || !strings.Contains(strings.Join(rep.Failures, "\n"), "the text was changed") {
			t.Errorf("a changed word verifies: %v", rep.Failures)
		}
		// …and its hash with it: then every signature is over another text.
		changed.SHA256 = incidents.TextHash([]byte(changed.Text))
		if rep := incidents.VerifyBundle(mustJSON(t, changed), keys); rep.OK() || !strings.Contains(strings.Join(rep.Failures, "\n"), "signed another text") {
			t.Errorf("a changed word and hash verify: %v", rep.Failures)
		}
		// A signature removed.
		removed := bu
		removed.Signatures = nil
		for _, s := range bu.Signatures {
			if s.Signer != sg.Addr("csa") {
				removed.Signatures = append(removed.Signatures, s)
			}
		}
		if rep := incidents.VerifyBundle(mustJSON(t, removed), keys); rep.OK() || !strings.Contains(strings.Join(rep.Failures, "\n"), "lists the signature of "+sg.Addr("csa")) {
			t.Errorf("a removed signature verifies: %v", rep.Failures)
		}
		// Another node's key given for Singapore's.
		wrong := nodeKeys(id, sg, au)
		wrong[sg.Host] = au.Fed.SigningKey()
		if rep := incidents.VerifyBundle([]byte(auCopy.Bundle), wrong); rep.OK() {
			t.Error("the bundle verifies with the wrong key for Singapore")
		}

		// On Australia's node, once Singapore is no verified peer of it,
		// Singapore's signature checks only with the key Indonesia's
		// publication gives: it is vouched for, not verified. Australia's
		// own and Indonesia's (a verified peer) stay verified.
		ctx := context.Background()
		if err := au.DB.WithTx(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE peers SET status = ? WHERE host = ?`, federation.PeerPending, sg.Host)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		for _, p := range au.svc.Proofs(ctx, auCopy) {
			want := [2]bool{true, false} // verified, vouched
			if p.Signer.Signer == sg.Addr("csa") {
				want = [2]bool{false, true}
			}
			if got := [2]bool{p.Verified, p.Vouched}; got != want || p.Fingerprint == "" || !p.InLedger {
				t.Errorf("%s on Australia's node: verified, vouched %v, want %v (fingerprint %q, in ledger %v)", p.Signer.Signer, got, want, p.Fingerprint, p.InLedger)
			}
		}
	})
}

// TestStatementWithdrawal: a co-signer withdraws before publication and is
// not in the published statement; after publication it cannot withdraw;
// a declined invitation is not listed either.
func TestStatementWithdrawal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		id, sg, au := threeStates(t, e)
		kemlu, csa, dfat := id.As("Retno", "kemlu", core.RoleAdmin), sg.As("David", "csa", core.RoleAdmin), au.As("Penny", "dfat", core.RoleAdmin)
		title := "Joint statement, withdrawn signature"
		st, err := id.svc.Draft(kemlu, draft(id, sg, au, title))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := id.svc.Open(kemlu, st.ID); err != nil {
			t.Fatal(err)
		}
		fedtest.Eventually(t, "the invitations", func() bool {
			_, a := copyOf(t, sg, csa, title)
			_, b := copyOf(t, au, dfat, title)
			return a && b
		})
		sgCopy, _ := copyOf(t, sg, csa, title)
		auCopy, _ := copyOf(t, au, dfat, title)
		if _, err := au.svc.Sign(dfat, auCopy.ID, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := sg.svc.Decline(csa, sgCopy.ID, ""); err != nil {
			t.Fatal(err)
		}
		fedtest.Eventually(t, "the signature at the initiator", func() bool {
			cur, _ := id.svc.Statement(kemlu, st.ID)
			return signerState(cur, au.Addr("dfat")) == incidents.SignerSigned && signerState(cur, sg.Addr("csa")) == incidents.SignerDeclined
		})
		if _, err := au.svc.Withdraw(dfat, auCopy.ID, ""); err != nil {
			t.Fatal(err)
		}
		fedtest.Eventually(t, "the withdrawal at the initiator", func() bool {
			cur, _ := id.svc.Statement(kemlu, st.ID)
			return signerState(cur, au.Addr("dfat")) == incidents.SignerWithdrawn
		})
		pub, err := id.svc.Publish(kemlu, st.ID)
		if err != nil {
			t.Fatal(err)
		}
		rep := incidents.VerifyBundle([]byte(pub.Bundle), nodeKeys(id, sg, au))
		if !rep.OK() || len(rep.Signers) != 1 || rep.Signers[0].Signer != id.Addr("kemlu") {
			t.Fatalf("published with %v: %v", rep.Signers, rep.Failures)
		}
		fedtest.Eventually(t, "the publication in Australia", func() bool {
			cp, _ := copyOf(t, au, dfat, title)
			return cp.State == incidents.StatementPublished
		})
		if _, err := au.svc.Sign(dfat, auCopy.ID, ""); core.KindOf(err) != core.KindConflict {
			t.Fatalf("signed after publication: %v", err)
		}
		if _, err := au.svc.Withdraw(dfat, auCopy.ID, ""); core.KindOf(err) != core.KindConflict {
			t.Fatalf("withdrew after publication: %v", err)
		}
		if _, err := id.svc.Retract(kemlu, st.ID); core.KindOf(err) != core.KindConflict {
			t.Fatalf("retracted after publication: %v", err)
		}
		other, err := id.svc.Draft(kemlu, draft(id, sg, au, "Taken back"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := id.svc.Retract(kemlu, other.ID); err != nil {
			t.Fatal(err)
		}

		// Every step is in its node's audit trail, by the person who took
		// it and for the organisation it spoke for; refused steps are not.
		want := map[*stmtNode][]string{
			id: {"statements.draft Retno " + st.ID, "statements.open Retno " + st.ID, "statements.publish Retno " + st.ID,
				"statements.draft Retno " + other.ID, "statements.retract Retno " + other.ID},
			sg: {"statements.decline David " + sgCopy.ID},
			au: {"statements.sign Penny " + auCopy.ID, "statements.withdraw Penny " + auCopy.ID},
		}
		for n, w := range want {
			events, _, err := audit.List(context.Background(), n.DB, audit.Filter{Action: "statements."}, core.Page{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			// The test's clock stands still, so the events' ids do not
			// order them: compared as sets.
			var got []string
			for _, ev := range events {
				got = append(got, ev.Action+" "+ev.ActorName+" "+ev.TargetID)
			}
			slices.Sort(got)
			slices.Sort(w)
			if strings.Join(got, "\n") != strings.Join(w, "\n") {
				t.Errorf("%s's trail:\n%s\nwant:\n%s", n.Host, strings.Join(got, "\n"), strings.Join(w, "\n"))
			}
		}
	})
}

func fieldsOf(err error) map[string]string {
	if ce := core.AsError(err); ce != nil && ce.Fields != nil {
		return ce.Fields
	}
	return map[string]string{}
}

func orgID(t testing.TB, n *stmtNode, handle string) string {
	t.Helper()
	var id string
	if err := n.DB.R().Get(context.Background(), &id, `SELECT id FROM organisations WHERE handle = ?`, handle); err != nil {
		t.Fatal(err)
	}
	return id
}

func mustJSON(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestStatementPublishedAtSetTime: a statement set to be published at a
// time is published by the periodic check once that time has come, with
// the signatures it holds then, and reaches the co-signers' nodes; before,
// the check leaves it open. A time already past is refused on the form.
func TestStatementPublishedAtSetTime(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		id, sg, au := threeStates(t, e)
		kemlu, csa := id.As("Retno", "kemlu", core.RoleAdmin), sg.As("David", "csa", core.RoleAdmin)
		title := "Joint statement at a set time"
		in := draft(id, sg, au, title)
		in.PublishMode = incidents.PublishAt
		past := id.clock.Now().Add(-time.Minute)
		in.PublishAt = &past
		if _, err := id.svc.Draft(kemlu, in); fieldsOf(err)["publish_at"] == "" {
			t.Fatalf("a time past: %v", err)
		}
		at := id.clock.Now().Add(time.Hour).UTC().Truncate(time.Minute)
		in.PublishAt = &at
		st, err := id.svc.Draft(kemlu, in)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := id.svc.Open(kemlu, st.ID); err != nil {
			t.Fatal(err)
		}
		fedtest.Eventually(t, "the invitation in Singapore", func() bool { _, ok := copyOf(t, sg, csa, title); return ok })
		cp, _ := copyOf(t, sg, csa, title)
		if cp.PublishMode != incidents.PublishAt || cp.PublishAt == nil || !cp.PublishAt.Equal(at) {
			t.Errorf("Singapore's copy says publish %s at %v", cp.PublishMode, cp.PublishAt)
		}
		if _, err := sg.svc.Sign(csa, cp.ID, ""); err != nil {
			t.Fatal(err)
		}
		fedtest.Eventually(t, "the signature at the initiator", func() bool {
			cur, _ := id.svc.Statement(kemlu, st.ID)
			return signerState(cur, sg.Addr("csa")) == incidents.SignerSigned
		})
		if err := id.svc.Checks(context.Background()); err != nil {
			t.Fatal(err)
		}
		if cur, _ := id.svc.Statement(kemlu, st.ID); cur.State != incidents.StatementOpen {
			t.Fatalf("published before its time: %s", cur.State)
		}
		for _, n := range []*stmtNode{id, sg, au} {
			n.clock.Advance(2 * time.Hour) // the nodes share the time of day
		}
		if err := id.svc.Checks(context.Background()); err != nil {
			t.Fatal(err)
		}
		cur, _ := id.svc.Statement(kemlu, st.ID)
		rep := incidents.VerifyBundle([]byte(cur.Bundle), nodeKeys(id, sg, au))
		if cur.State != incidents.StatementPublished || !rep.OK() || len(rep.Signers) != 2 {
			t.Fatalf("at its time: %s, %d signers, %v", cur.State, len(rep.Signers), rep.Failures)
		}
		fedtest.Eventually(t, "the publication in Singapore", func() bool {
			cp, _ := copyOf(t, sg, csa, title)
			return cp.State == incidents.StatementPublished
		})
	})
}

// TestStatementEnvelopesSpeakOnlyForTheirNode: Australia's node replays
// Singapore's co-signature as its own organisation's, and claims to
// publish a statement it did not initiate; the initiator and Singapore's
// node refuse both, and nothing changes.
func TestStatementEnvelopesSpeakOnlyForTheirNode(t *testing.T) {
	id, sg, au := threeStates(t, storetest.Engines(t)[0])
	kemlu, csa := id.As("Retno", "kemlu", core.RoleAdmin), sg.As("David", "csa", core.RoleAdmin)
	title := "Joint statement, forged envelopes"
	st, err := id.svc.Draft(kemlu, draft(id, sg, au, title))
	if err != nil {
		t.Fatal(err)
	}
	if st, err = id.svc.Open(kemlu, st.ID); err != nil {
		t.Fatal(err)
	}
	fedtest.Eventually(t, "the invitation in Singapore", func() bool { _, ok := copyOf(t, sg, csa, title); return ok })
	cp, _ := copyOf(t, sg, csa, title)
	if _, err := sg.svc.Sign(csa, cp.ID, ""); err != nil {
		t.Fatal(err)
	}
	fedtest.Eventually(t, "Singapore's signature at the initiator", func() bool {
		cur, _ := id.svc.Statement(kemlu, st.ID)
		return signerState(cur, sg.Addr("csa")) == incidents.SignerSigned
	})
	cur, _ := id.svc.Statement(kemlu, st.ID)
	var sgSig incidents.Signer
	for _, g := range cur.Signers {
		if g.Signer == sg.Addr("csa") {
			sgSig = g
		}
	}
	var ledgerProof json.RawMessage = []byte(sgSig.Ledger)
	send := func(typ, to string, payload any) string {
		var envID string
		if err := au.DB.WithTx(context.Background(), func(tx *store.Tx) error {
			envID, err = au.Fed.Send(context.Background(), tx, federation.Outgoing{Type: typ, From: "dfat", To: to, TLP: core.TLPAmber, Payload: payload})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return envID
	}
	refused := func(envID string) {
		fedtest.Eventually(t, "the refusal of "+envID, func() bool {
			d, err := au.Fed.Deliveries(context.Background(), []string{envID})
			return err == nil && d[envID].LastError != ""
		})
	}
	refused(send(incidents.TypeStmtSign, id.Addr("kemlu"), map[string]any{"origin": st.OriginID, "initiator": st.Initiator, "sha256": st.SHA256,
		"cosign": json.RawMessage(sgSig.Cosign), "ledger": ledgerProof}))
	refused(send(incidents.TypeStmtPublish, sg.Addr("csa"), map[string]any{"origin": st.OriginID, "initiator": st.Initiator, "bundle": json.RawMessage(`{}`)}))
	if cur, _ := id.svc.Statement(kemlu, st.ID); signerState(cur, au.Addr("dfat")) != incidents.SignerInvited {
		t.Errorf("Australia's state at the initiator: %s", signerState(cur, au.Addr("dfat")))
	}
	if cp, _ := copyOf(t, sg, csa, title); cp.State != incidents.StatementOpen {
		t.Errorf("Singapore's copy: %s", cp.State)
	}
}
