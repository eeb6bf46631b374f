package humanitarian

import (
	"context"
	"strings"
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/auth"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/federation/fedtest"
	"entente.example/entente/internal/ledger"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/notify/notifytest"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/directory"
)

// fundNode is a node of the funding tests: fedtest's served node (real
// HTTP federation on loopback) with the humanitarian service, whose
// e-mails to organisations are kept.
type fundNode struct {
	*fedtest.Served
	svc  *Service
	told *notifytest.Recorder
}

func newFundNode(t *testing.T, e storetest.Engine) *fundNode {
	t.Helper()
	db := storetest.Open(t, e, nil, auth.Migrations(), audit.Migrations(), ledger.Migrations(), federation.Migrations(), directory.Migrations(), Migrations())
	s := fedtest.Serve(t, db)
	svc := NewService(db, s.Fed)
	svc.UseFederation(s.Fed)
	tl := &notifytest.Recorder{}
	svc.UseNotifier(tl, nil)
	s.Start(t)
	return &fundNode{Served: s, svc: svc, told: tl}
}

// jakarta is BNPB's node, which leads the emergency and appeals; donors
// is the node of Indonesia's foreign ministry (Kemlu) and of a
// foundation, peered with it.
func fundingNodes(t *testing.T, e storetest.Engine) (jakarta, donors *fundNode) {
	t.Helper()
	jakarta, donors = newFundNode(t, e), newFundNode(t, e)
	jakarta.Org(t, "bnpb", core.OrgStateMinistry, "ID", "BNPB")
	jakarta.Org(t, "pmi", core.OrgStateMinistry, "ID", "Palang Merah Indonesia")
	donors.Org(t, "kemlu", core.OrgStateMinistry, "ID", "Kemlu")
	donors.Org(t, "tanoto", core.OrgStateMinistry, "ID", "Tanoto Foundation")
	fedtest.Peer(t, jakarta.Served, donors.Served)
	return jakarta, donors
}

// washAppeal is BNPB's appeal: WASH and shelter, in US dollars.
func washAppeal() Appeal {
	return Appeal{Title: "Central Sulawesi flash appeal", Currency: "USD", RateE8: rateScale, StartsOn: "2026-11-30", EndsOn: "2027-05-31",
		Needs:    []Requirement{{Sector: "wash", Amount: 1_000_000_00}, {Sector: "shelter", Amount: 500_000_00}},
		Channels: []Channel{{Name: "BNPB disaster account", URL: "https://bnpb.go.id/donasi", Details: "Bank Mandiri 122-00-0000000-1"}}}
}

func mustAppeal(t *testing.T, n *fundNode, e Emergency) Appeal {
	t.Helper()
	a, err := n.svc.CreateAppeal(n.As("rina", "bnpb", core.RoleOfficer), e.ID, "bnpb", washAppeal())
	if err != nil {
		t.Fatalf("appeal: %v %v", err, fields(err))
	}
	return a
}

func waitFlow(t *testing.T, n *fundNode, id string, ok func(Flow) bool) Flow {
	t.Helper()
	var f Flow
	fedtest.Eventually(t, "flow "+id+" on "+n.Host, func() bool {
		var err error
		f, err = n.svc.Flow(context.Background(), id)
		return err == nil && ok(f)
	})
	return f
}

// TestFlowReportedAndConfirmedAcrossNodes: Kemlu's node reports a payment
// of USD 250,000 for WASH to BNPB's appeal; BNPB's node keeps the signed
// claim and counts it; BNPB confirms receiving USD 240,000, and both nodes
// show the same difference, with both statements kept and opening over
// their exact bytes.
func TestFlowReportedAndConfirmedAcrossNodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		jakarta, donors := fundingNodes(t, e)
		em, err := jakarta.svc.CreateEmergency(jakarta.As("rina", "bnpb", core.RoleOfficer), "bnpb", quake())
		if err != nil {
			t.Fatal(err)
		}
		appeal := mustAppeal(t, jakarta, em)
		budi := donors.As("budi", "kemlu", core.RoleOfficer)
		f, err := donors.svc.ReportFlow(budi, FlowInput{Donor: "kemlu", Recipient: jakarta.Addr("bnpb"), RefURL: jakarta.URL + "/humanitarian/appeals/" + appeal.ID,
			RefTitle: "Central Sulawesi flash appeal", Sector: "wash", Amount: "250,000", Currency: "USD", Status: FlowCommitted, Date: "2026-12-02"})
		if err != nil {
			t.Fatalf("report: %v %v", err, fields(err))
		}
		if f.RefAppeal != appeal.ID || f.Claim == "" || f.USD != 250_000_00 {
			t.Fatalf("donor's flow: %+v", f)
		}
		got := waitFlow(t, jakarta, f.ID, func(Flow) bool { return true })
		if got.Origin != donors.Host || got.AppealID != appeal.ID || got.EmergencyID != em.ID || got.Claim != f.Claim || !got.Waiting() {
			t.Fatalf("recipient's copy: %+v", got)
		}
		if tl := jakarta.told.Of(got.RecipientOrgID); len(tl) != 1 || tl[0] != notify.HumFlowReported.Name {
			t.Fatalf("BNPB told %v", tl)
		}
		if items, err := fundSite(t, jakarta).fundingAttention(context.Background(), core.ActorFrom(jakarta.As("rina", "bnpb", core.RoleOfficer))); err != nil || len(items) != 1 || items[0].Key != "attn.hum_fund_confirm" {
			t.Fatalf("BNPB's attention: %v %v", items, err)
		}
		// The claim opens over its exact bytes with the donor node's key.
		if body, err := jakarta.svc.CheckStatement(context.Background(), TypeFlow, got.Claim, donors.Host); err != nil || !strings.Contains(body, `"usd": 25000000`) {
			t.Fatalf("claim: %v %s", err, body)
		}
		flows, err := jakarta.svc.EmergencyFlows(context.Background(), em.ID)
		if err != nil {
			t.Fatal(err)
		}
		if tal := Tally(appeal, flows); tal.Total.Funded != 0 || tal.Total.Reported != 250_000_00 || tal.Total.Waiting != 1 {
			t.Fatalf("appeal before confirmation: %+v", tal.Total)
		}

		// Only BNPB's writers confirm.
		if _, err := jakarta.svc.Confirm(jakarta.As("putri", "pmi", core.RoleOfficer), f.ID, ConfirmInput{Sector: "wash", Amount: "240000", Currency: "USD", Status: FlowPaid, Date: "2026-12-04"}); core.KindOf(err) != core.KindForbidden {
			t.Fatalf("PMI confirms BNPB's flow: %v", err)
		}
		if _, err := jakarta.svc.Confirm(jakarta.As("rina", "bnpb", core.RoleOfficer), f.ID, ConfirmInput{Sector: "wash", Amount: "240,000", Currency: "USD", Status: FlowPaid, Date: "2026-12-04"}); err != nil {
			t.Fatalf("confirm: %v %v", err, fields(err))
		}
		mine := waitFlow(t, donors, f.ID, func(f Flow) bool { return f.Confirmation != nil })
		theirs, _ := jakarta.svc.Flow(context.Background(), f.ID)
		for _, x := range []Flow{mine, theirs} {
			if !x.Mismatch() || x.GapUSD() != 10_000_00 || x.Waiting() {
				t.Fatalf("difference: %+v %+v", x, x.Confirmation)
			}
			want := []Difference{{"amount", "USD 250,000", "USD 240,000"}, {"status", FlowCommitted, FlowPaid}}
			if d := x.Differences(); len(d) != 2 || d[0] != want[0] || d[1] != want[1] {
				t.Fatalf("differences %+v", d)
			}
		}
		if mine.Confirmation.Statement != theirs.Confirmation.Statement {
			t.Fatal("the confirmation is not kept as sent")
		}
		if _, err := donors.svc.CheckStatement(context.Background(), TypeConfirmation, mine.Confirmation.Statement, jakarta.Host); err != nil {
			t.Fatalf("confirmation does not open on the donor's node: %v", err)
		}
		if tl := donors.told.Of(mine.DonorOrgID); len(tl) != 1 || tl[0] != notify.HumFlowDiffers.Name {
			t.Fatalf("Kemlu told %v", tl)
		}
		flows, _ = jakarta.svc.EmergencyFlows(context.Background(), em.ID)
		if tal := Tally(appeal, flows); tal.Total.Funded != 240_000_00 || tal.Total.Mismatches != 1 || tal.Total.Coverage() != 16 {
			t.Fatalf("appeal after confirmation: %+v", tal.Total)
		}
		checkFundingPages(t, jakarta, donors, em, appeal, f.ID)

		// A status the donor gives later travels the same way and waits for
		// a new confirmation; a flow never moves back.
		if _, err := donors.svc.AdvanceFlow(budi, f.ID, FlowPledged); core.KindOf(err) != core.KindInvalid {
			t.Fatalf("moved back: %v", err)
		}
		if _, err := donors.svc.AdvanceFlow(budi, f.ID, FlowPaid); err != nil {
			t.Fatal(err)
		}
		paid := waitFlow(t, jakarta, f.ID, func(f Flow) bool { return f.Status == FlowPaid })
		if !paid.Waiting() || len(paid.Events) != 3 {
			t.Fatalf("after the donor paid: %+v", paid)
		}
	})
}

// TestForgedClaimRefused: a node may speak only for its own
// organisations; the recipient's node refuses a claim for a donor on
// another node, and one whose flow id another node made.
func TestForgedClaimRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		jakarta, donors := fundingNodes(t, e)
		em, err := jakarta.svc.CreateEmergency(jakarta.As("rina", "bnpb", core.RoleOfficer), "bnpb", quake())
		if err != nil {
			t.Fatal(err)
		}
		now := donors.DB.Clock().Now()
		claim := flowClaim{ID: federation.NewHostedID(now, donors.Host), Rev: 1, Donor: "kemlu@" + donors.Host, Recipient: jakarta.Addr("bnpb"), Emergency: em.ID,
			Title: em.Title, Sector: "wash", Amount: 100_00, Currency: "USD", RateE8: rateScale, USD: 100_00, Status: FlowPaid, Date: "2026-12-02"}
		send := func(from string, c flowClaim) error {
			signed, err := donors.Fed.SignStatement(TypeFlow, c)
			if err != nil {
				t.Fatal(err)
			}
			return donors.DB.WithTx(context.Background(), func(tx *store.Tx) error {
				_, err := donors.Fed.Send(context.Background(), tx, federation.Outgoing{Type: TypeFlow, From: from, To: jakarta.Addr("bnpb"), TLP: core.TLPClear, Payload: statement{string(signed)}})
				return err
			})
		}
		// The donor named is on BNPB's own node, said by the donors' node.
		forged := claim
		forged.Donor = jakarta.Addr("pmi")
		if err := send("kemlu", forged); err != nil {
			t.Fatal(err)
		}
		// Sent by the foundation, in Kemlu's name.
		if err := send("tanoto", claim); err != nil {
			t.Fatal(err)
		}
		// A flow id of BNPB's node.
		stolen := claim
		stolen.ID = federation.NewHostedID(now, jakarta.Host)
		if err := send("kemlu", stolen); err != nil {
			t.Fatal(err)
		}
		// And the true one, last: once it is in, the others were refused.
		if err := send("kemlu", claim); err != nil {
			t.Fatal(err)
		}
		waitFlow(t, jakarta, claim.ID, func(Flow) bool { return true })
		fedtest.Eventually(t, "the forged claims refused", func() bool {
			q, err := donors.Fed.Queues(fedtest.Root)
			if err != nil {
				t.Fatal(err)
			}
			undelivered := 0
			for _, st := range q {
				if st.Queued > 0 {
					return false
				}
				undelivered += st.Undelivered
			}
			return undelivered == 3
		})
		flows, err := jakarta.svc.RecentFlows(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(flows) != 1 || flows[0].ID != claim.ID || flows[0].Donor != claim.Donor {
			t.Fatalf("flows on BNPB's node: %+v", flows)
		}
	})
}
