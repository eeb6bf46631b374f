package humanitarian

import (
	"context"
	"math"
	"strings"
	"sync"
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/federation/fedtest"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/internal/web"
)

// TestAppealCountsOnlyItsRecipient: money to PMI cannot be counted under
// BNPB's appeal, from a form on this node (a problem with the appeal) or
// from a peer (counted under the emergency only); and what a donor alone
// reports is shown apart, not counted, until BNPB confirms it.
func TestAppealCountsOnlyItsRecipient(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		jakarta, donors := fundingNodes(t, e)
		jakarta.Org(t, "tanoto", core.OrgStateMinistry, "ID", "Tanoto Foundation")
		em, err := jakarta.svc.CreateEmergency(jakarta.As("rina", "bnpb", core.RoleOfficer), "bnpb", quake())
		if err != nil {
			t.Fatal(err)
		}
		appeal := mustAppeal(t, jakarta, em)
		ana := jakarta.As("ana", "tanoto", core.RoleOfficer)
		in := FlowInput{Donor: "tanoto", Recipient: jakarta.Addr("pmi"), EmergencyID: em.ID, AppealID: appeal.ID, Sector: "wash", Amount: "900,000",
			Currency: "USD", Status: FlowPaid, Date: "2026-12-03"}
		if _, err := jakarta.svc.ReportFlow(ana, in); fields(err)["appeal_id"] != "err.hum_fund_appeal_recipient" {
			t.Fatalf("a flow to PMI under BNPB's appeal: %v %v", err, fields(err))
		}
		in.AppealID = ""
		if _, err := jakarta.svc.ReportFlow(ana, in); err != nil {
			t.Fatalf("a flow to PMI for the emergency: %v %v", err, fields(err))
		}
		budi := donors.As("budi", "kemlu", core.RoleOfficer)
		f, err := donors.svc.ReportFlow(budi, FlowInput{Donor: "kemlu", Recipient: jakarta.Addr("pmi"), RefURL: jakarta.URL + "/humanitarian/appeals/" + appeal.ID,
			RefTitle: appeal.Title, Sector: "wash", Amount: "700,000", Currency: "USD", Status: FlowPaid, Date: "2026-12-03"})
		if err != nil {
			t.Fatalf("report from the peer: %v %v", err, fields(err))
		}
		got := waitFlow(t, jakarta, f.ID, func(Flow) bool { return true })
		if got.AppealID != "" || got.EmergencyID != em.ID {
			t.Fatalf("a peer's flow to PMI linked to BNPB's appeal: %+v", got)
		}
		flows, err := jakarta.svc.EmergencyFlows(context.Background(), em.ID)
		if err != nil || len(flows) != 2 {
			t.Fatalf("flows: %d %v", len(flows), err)
		}
		if tal := Tally(appeal, flows).Total; tal.Funded != 0 || tal.Reported != 0 || tal.Waiting != 0 {
			t.Fatalf("BNPB's appeal: %+v", tal)
		}
		if tot := EmergencyTotal(flows); tot.Funded != 0 || tot.Reported != 1_600_000_00 || tot.Waiting != 2 {
			t.Fatalf("the emergency, before PMI confirms: %+v", tot)
		}
		putri := jakarta.As("putri", "pmi", core.RoleOfficer)
		if _, err := jakarta.svc.Confirm(putri, f.ID, ConfirmInput{Sector: "wash", Amount: "700,000", Currency: "USD", Status: FlowPaid, Date: "2026-12-04"}); err != nil {
			t.Fatalf("confirm: %v %v", err, fields(err))
		}
		flows, _ = jakarta.svc.EmergencyFlows(context.Background(), em.ID)
		if tot := EmergencyTotal(flows); tot.Funded != 700_000_00 || tot.Reported != 900_000_00 || tot.Waiting != 1 {
			t.Fatalf("the emergency, after PMI confirmed one: %+v", tot)
		}
		site := fundSite(t, jakarta)
		body := page(t, site.funding, web.WithLang(ana, "id"), "/humanitarian/emergencies/"+em.ID+"/funding", "id", em.ID)
		mustHave(t, "funding page in Bahasa Indonesia", body, "Dilaporkan, menunggu konfirmasi penerima")
		// A foundation is no coordinator: it sees no form to appeal.
		if strings.Contains(body, `action="/humanitarian/emergencies/`+em.ID+`/appeals"`) {
			t.Fatal("the foundation is offered to open an appeal")
		}
	})
}

// TestHugeFiguresRefused: an amount and a rate whose product overflows,
// or rounds to nothing, or passes a hundred billion dollars, is refused
// on the form and from a peer; sums and coverage never wrap round.
func TestHugeFiguresRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		n := newFundNode(t, e)
		n.Org(t, "bnpb", core.OrgStateMinistry, "ID", "BNPB")
		n.Org(t, "tanoto", core.OrgStateMinistry, "ID", "Tanoto Foundation")
		em, err := n.svc.CreateEmergency(n.As("rina", "bnpb", core.RoleOfficer), "bnpb", quake())
		if err != nil {
			t.Fatal(err)
		}
		ana := n.As("ana", "tanoto", core.RoleOfficer)
		for _, c := range []struct{ amount, currency, rate string }{
			{"99,999,999,999,999", "EUR", "1000000"}, // overflows int64
			{"0.01", "EUR", "0.00000001"},            // rounds to nothing
			{"200,000,000,000", "USD", ""},           // USD 200 billion
		} {
			_, err := n.svc.ReportFlow(ana, FlowInput{Donor: "tanoto", Recipient: n.Addr("bnpb"), EmergencyID: em.ID, Sector: "wash", Amount: c.amount,
				Currency: c.currency, Rate: c.rate, Status: FlowPaid, Date: "2026-12-03"})
			if fields(err)["amount"] != "err.hum_fund_usd" {
				t.Errorf("%s %s at %s: %v %v", c.currency, c.amount, c.rate, err, fields(err))
			}
		}
		if flows, _ := n.svc.RecentFlows(context.Background()); len(flows) != 0 {
			t.Fatalf("recorded: %+v", flows)
		}
		big := washAppeal()
		big.Currency, big.RateE8, big.Needs = "EUR", 1_000_000*rateScale, []Requirement{{Sector: "wash", Amount: maxMoney}}
		if _, err := n.svc.CreateAppeal(n.As("rina", "bnpb", core.RoleOfficer), em.ID, "bnpb", big); fields(err)["req_wash"] != "err.hum_fund_usd" {
			t.Fatalf("a requirement that overflows: %v %v", err, fields(err))
		}
	})
	for _, c := range []struct {
		amount, rate, usd int64
	}{
		{maxMoney, 1_000_000 * rateScale, -1},
		{maxMoney, 1_000_000 * rateScale, ToUSD(maxMoney, 1_000_000*rateScale)},
		{1, 1, 0},
		{maxMoney, rateScale / 10, maxMoney / 10},
	} {
		if err := checkFigures("flow", "wash", c.amount, "EUR", c.rate, c.usd, FlowPaid, "2026-12-03"); err == nil {
			t.Errorf("a peer's %d at %d for usd %d accepted", c.amount, c.rate, c.usd)
		}
	}
	huge := Flow{Rev: 1, ConfirmedRev: 1, Confirmation: &Confirmation{Status: FlowPaid, USD: math.MaxInt64/2 + 1}}
	if tot := EmergencyTotal([]Flow{huge, huge, huge}); tot.Funded != math.MaxInt64 {
		t.Fatalf("a sum wrapped round: %d", tot.Funded)
	}
	if c := (Funding{Funded: math.MaxInt64 / 50, Required: 1}).Coverage(); c != 999 {
		t.Fatalf("coverage of a huge sum: %d", c)
	}
	if c := (Funding{Funded: 1_500_00, Required: 10_000_00}).Coverage(); c != 15 {
		t.Fatalf("coverage: %d", c)
	}
}

// TestOnlyCoordinatorsAppeal: an appeal names where to give, so only an
// organisation coordinating the emergency opens one.
func TestOnlyCoordinatorsAppeal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		n := newFundNode(t, e)
		n.Org(t, "bnpb", core.OrgStateMinistry, "ID", "BNPB")
		pmi := n.Org(t, "pmi", core.OrgStateMinistry, "ID", "PMI")
		n.Org(t, "tanoto", core.OrgStateMinistry, "ID", "Tanoto Foundation")
		q := quake()
		q.Coordinators = []string{pmi}
		em, err := n.svc.CreateEmergency(n.As("rina", "bnpb", core.RoleOfficer), "bnpb", q)
		if err != nil {
			t.Fatalf("emergency: %v %v", err, fields(err))
		}
		if _, err := n.svc.CreateAppeal(n.As("ana", "tanoto", core.RoleOfficer), em.ID, "tanoto", washAppeal()); fields(err)["org"] != "err.hum_fund_appeal_coordinator" {
			t.Fatalf("a foundation's appeal: %v %v", err, fields(err))
		}
		if appeals, _ := n.svc.Appeals(context.Background(), em.ID); len(appeals) != 0 {
			t.Fatalf("recorded: %+v", appeals)
		}
		if _, err := n.svc.CreateAppeal(n.As("putri", "pmi", core.RoleOfficer), em.ID, "pmi", washAppeal()); err != nil {
			t.Fatalf("a coordinator's appeal: %v %v", err, fields(err))
		}
	})
}

// TestParallelAdvancesConflict: two advances of one flow at once; one
// wins, the other is told the flow changed (or, if it read after the
// first, that it would move back), and the flow moved once.
func TestParallelAdvancesConflict(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		n := newFundNode(t, e)
		n.Org(t, "bnpb", core.OrgStateMinistry, "ID", "BNPB")
		n.Org(t, "tanoto", core.OrgStateMinistry, "ID", "Tanoto Foundation")
		em, err := n.svc.CreateEmergency(n.As("rina", "bnpb", core.RoleOfficer), "bnpb", quake())
		if err != nil {
			t.Fatal(err)
		}
		ana := n.As("ana", "tanoto", core.RoleOfficer)
		for round := 0; round < 5; round++ {
			f, err := n.svc.ReportFlow(ana, FlowInput{Donor: "tanoto", Recipient: n.Addr("bnpb"), EmergencyID: em.ID, Sector: "wash", Amount: "1000",
				Currency: "USD", Status: FlowPledged, Date: "2026-12-03"})
			if err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			errs := make([]error, 2)
			start := make(chan struct{})
			for i := range errs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					_, errs[i] = n.svc.AdvanceFlow(ana, f.ID, FlowCommitted)
				}()
			}
			close(start)
			wg.Wait()
			won := 0
			for _, err := range errs {
				switch k := core.KindOf(err); {
				case err == nil:
					won++
				case k != core.KindConflict && k != core.KindInvalid:
					t.Fatalf("round %d: %v", round, err)
				}
			}
			got, err := n.svc.Flow(context.Background(), f.ID)
			if won != 1 || err != nil || got.Rev != 2 || len(got.Events) != 2 {
				t.Fatalf("round %d: %d won (%v), rev %d, %d events", round, won, errs, got.Rev, len(got.Events))
			}
		}
	})
}

// TestRepeatedConfirmationKeepsTheLater: BNPB confirms a flow twice; the
// first confirmation, delivered again after the second, does not replace
// it on the donor's node.
func TestRepeatedConfirmationKeepsTheLater(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		jakarta, donors := fundingNodes(t, e)
		em, err := jakarta.svc.CreateEmergency(jakarta.As("rina", "bnpb", core.RoleOfficer), "bnpb", quake())
		if err != nil {
			t.Fatal(err)
		}
		f, err := donors.svc.ReportFlow(donors.As("budi", "kemlu", core.RoleOfficer), FlowInput{Donor: "kemlu", Recipient: jakarta.Addr("bnpb"),
			RefURL: jakarta.URL + "/humanitarian/emergencies/" + em.ID, RefTitle: em.Title, Sector: "wash", Amount: "250,000", Currency: "USD",
			Status: FlowPaid, Date: "2026-12-03"})
		if err != nil {
			t.Fatalf("report: %v %v", err, fields(err))
		}
		waitFlow(t, jakarta, f.ID, func(Flow) bool { return true })
		rina := jakarta.As("rina", "bnpb", core.RoleOfficer)
		first, err := jakarta.svc.Confirm(rina, f.ID, ConfirmInput{Sector: "wash", Amount: "240,000", Currency: "USD", Status: FlowPaid, Date: "2026-12-04"})
		if err != nil {
			t.Fatalf("confirm: %v %v", err, fields(err))
		}
		waitFlow(t, donors, f.ID, func(f Flow) bool { return f.Confirmation != nil && f.Confirmation.Amount == 240_000_00 })
		if _, err := jakarta.svc.Confirm(rina, f.ID, ConfirmInput{Sector: "wash", Amount: "250,000", Currency: "USD", Status: FlowPaid, Date: "2026-12-04", Note: "All came."}); err != nil {
			t.Fatalf("confirm again: %v %v", err, fields(err))
		}
		later := waitFlow(t, donors, f.ID, func(f Flow) bool { return f.Confirmation != nil && f.Confirmation.Amount == 250_000_00 })
		// The first statement, delivered again.
		if err := jakarta.DB.WithTx(context.Background(), func(tx *store.Tx) error {
			_, err := jakarta.Fed.Send(context.Background(), tx, federation.Outgoing{Type: TypeConfirmation, From: "bnpb", To: f.Donor, TLP: core.TLPClear,
				Payload: statement{first.Confirmation.Statement}})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		fedtest.Eventually(t, "the repeated confirmation delivered", func() bool {
			q, err := jakarta.Fed.Queues(fedtest.Root)
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range q {
				if st.Queued > 0 {
					return false
				}
			}
			return true
		})
		got, err := donors.svc.Flow(context.Background(), f.ID)
		if err != nil || got.Confirmation.Amount != 250_000_00 || got.Confirmation.Statement != later.Confirmation.Statement || len(got.Events) != len(later.Events) {
			t.Fatalf("after the repeat: %+v %v", got.Confirmation, err)
		}
	})
}
