package humanitarian

import (
	"context"
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/internal/store/storetest"
)

// TestPledgesAreNotFunding: on one node, a foundation pledges, commits
// and pays to BNPB's appeal; the appeal counts nothing the donor alone
// says (it shows it apart, as reported and waiting); once BNPB confirms,
// it counts what is committed or paid, by sector, and shows pledges apart;
// a local confirmation needs no statement.
func TestPledgesAreNotFunding(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		n := newFundNode(t, e)
		n.Org(t, "bnpb", core.OrgStateMinistry, "ID", "BNPB")
		n.Org(t, "tanoto", core.OrgStateMinistry, "ID", "Tanoto Foundation")
		em, err := n.svc.CreateEmergency(n.As("rina", "bnpb", core.RoleOfficer), "bnpb", quake())
		if err != nil {
			t.Fatal(err)
		}
		appeal := mustAppeal(t, n, em)
		ana := n.As("ana", "tanoto", core.RoleOfficer)
		report := func(sector, amount, currency, rate, status string) Flow {
			t.Helper()
			f, err := n.svc.ReportFlow(ana, FlowInput{Donor: "tanoto", Recipient: n.Addr("bnpb"), EmergencyID: em.ID, AppealID: appeal.ID,
				Sector: sector, Amount: amount, Currency: currency, Rate: rate, Status: status, Date: "2026-12-03"})
			if err != nil {
				t.Fatalf("report: %v %v", err, fields(err))
			}
			return f
		}
		report("wash", "100000", "USD", "", FlowPledged)
		report("wash", "50000", "USD", "", FlowCommitted)
		// IDR 496,000,000 at 0.0000625 is USD 31,000.
		idr := report("shelter", "496,000,000", "IDR", "0.0000625", FlowPaid)
		if idr.USD != 31_000_00 || idr.Amount != 496_000_000_00 {
			t.Fatalf("IDR flow: %+v", idr)
		}
		flows, err := n.svc.EmergencyFlows(context.Background(), em.ID)
		if err != nil {
			t.Fatal(err)
		}
		tal := Tally(appeal, flows)
		if tal.Total.Funded != 0 || tal.Total.Pledged != 0 || tal.Total.Reported != 181_000_00 || tal.Total.Required != 1_500_000_00 || tal.Total.Coverage() != 0 {
			t.Fatalf("total: %+v", tal.Total)
		}
		if len(tal.BySector) != 2 || tal.BySector[0].Key != "shelter" || tal.BySector[0].Reported != 31_000_00 || tal.BySector[1].Reported != 150_000_00 || tal.BySector[1].Funded != 0 {
			t.Fatalf("by sector: %+v", tal.BySector)
		}
		rina := n.As("rina", "bnpb", core.RoleOfficer)
		waiting, err := n.svc.WaitingFlows(context.Background(), core.ActorFrom(rina))
		if err != nil || len(waiting) != 3 {
			t.Fatalf("waiting for BNPB: %d %v", len(waiting), err)
		}
		if w, _ := n.svc.WaitingFlows(context.Background(), core.ActorFrom(ana)); len(w) != 0 {
			t.Fatalf("waiting for the donor: %d", len(w))
		}
		// BNPB received IDR 480,000,000 only; on one node nothing is signed.
		c, err := n.svc.Confirm(rina, idr.ID, ConfirmInput{Sector: "shelter", Amount: "480,000,000", Currency: "IDR", Rate: "0.0000625", Status: FlowPaid, Date: "2026-12-05"})
		if err != nil {
			t.Fatalf("confirm: %v %v", err, fields(err))
		}
		if c.Confirmation.Statement != "" || c.GapUSD() != 1_000_00 || !c.Mismatch() {
			t.Fatalf("confirmed: %+v", c.Confirmation)
		}
		flows, _ = n.svc.EmergencyFlows(context.Background(), em.ID)
		if tal := Tally(appeal, flows); tal.Total.Funded != 30_000_00 || tal.Total.Reported != 150_000_00 || tal.Total.Mismatches != 1 || tal.Total.Waiting != 2 {
			t.Fatalf("after confirmation: %+v", tal.Total)
		}
		// The pledge is kept; once committed it counts.
		pledge := flows[len(flows)-1]
		for _, f := range flows {
			if f.Status == FlowPledged {
				pledge = f
			}
		}
		if _, err := n.svc.AdvanceFlow(rina, pledge.ID, FlowCommitted); core.KindOf(err) != core.KindForbidden {
			t.Fatalf("the recipient moved the donor's flow: %v", err)
		}
		if _, err := n.svc.AdvanceFlow(ana, pledge.ID, FlowCommitted); err != nil {
			t.Fatal(err)
		}
		got, err := n.svc.Flow(context.Background(), pledge.ID)
		if err != nil || got.Status != FlowCommitted || len(got.Events) != 2 || got.Events[0].Status != FlowPledged {
			t.Fatalf("history: %+v %v", got.Events, err)
		}
		// BNPB confirms the pledge as a pledge only: shown apart, not counted.
		if _, err := n.svc.Confirm(rina, pledge.ID, ConfirmInput{Sector: "wash", Amount: "100000", Currency: "USD", Status: FlowPledged, Date: "2026-12-05"}); err != nil {
			t.Fatalf("confirm the pledge: %v %v", err, fields(err))
		}
		flows, _ = n.svc.EmergencyFlows(context.Background(), em.ID)
		if tal := Tally(appeal, flows); tal.Total.Funded != 30_000_00 || tal.Total.Pledged != 100_000_00 || tal.Total.Reported != 50_000_00 {
			t.Fatalf("after the pledge was committed: %+v", tal.Total)
		}
	})
}

// TestFlowProblemsAreFields: what a person types wrong comes back per
// field, with nothing recorded.
func TestFlowProblemsAreFields(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		n := newFundNode(t, e)
		n.Org(t, "bnpb", core.OrgStateMinistry, "ID", "BNPB")
		n.Org(t, "tanoto", core.OrgStateMinistry, "ID", "Tanoto Foundation")
		em, err := n.svc.CreateEmergency(n.As("rina", "bnpb", core.RoleOfficer), "bnpb", quake())
		if err != nil {
			t.Fatal(err)
		}
		ana := n.As("ana", "tanoto", core.RoleOfficer)
		cases := []struct {
			name  string
			in    FlowInput
			field string
		}{
			{"no amount", FlowInput{Recipient: n.Addr("bnpb"), EmergencyID: em.ID, Sector: "wash", Amount: "", Currency: "USD", Status: FlowPaid, Date: "2026-12-03"}, "amount"},
			{"a float", FlowInput{Recipient: n.Addr("bnpb"), EmergencyID: em.ID, Sector: "wash", Amount: "1e6", Currency: "USD", Status: FlowPaid, Date: "2026-12-03"}, "amount"},
			{"a sector", FlowInput{Recipient: n.Addr("bnpb"), EmergencyID: em.ID, Sector: "cyber", Amount: "10", Currency: "USD", Status: FlowPaid, Date: "2026-12-03"}, "sector"},
			{"no rate", FlowInput{Recipient: n.Addr("bnpb"), EmergencyID: em.ID, Sector: "wash", Amount: "10", Currency: "EUR", Status: FlowPaid, Date: "2026-12-03"}, "rate"},
			{"USD not at 1", FlowInput{Recipient: n.Addr("bnpb"), EmergencyID: em.ID, Sector: "wash", Amount: "10", Currency: "USD", Rate: "1.1", Status: FlowPaid, Date: "2026-12-03"}, "rate"},
			{"a status", FlowInput{Recipient: n.Addr("bnpb"), EmergencyID: em.ID, Sector: "wash", Amount: "10", Currency: "USD", Status: "promised", Date: "2026-12-03"}, "status"},
			{"no emergency", FlowInput{Recipient: n.Addr("bnpb"), Sector: "wash", Amount: "10", Currency: "USD", Status: FlowPaid, Date: "2026-12-03"}, "emergency_id"},
			{"to itself", FlowInput{Recipient: n.Addr("tanoto"), EmergencyID: em.ID, Sector: "wash", Amount: "10", Currency: "USD", Status: FlowPaid, Date: "2026-12-03"}, "recipient"},
			{"to nobody", FlowInput{Recipient: n.Addr("nobody"), EmergencyID: em.ID, Sector: "wash", Amount: "10", Currency: "USD", Status: FlowPaid, Date: "2026-12-03"}, "recipient"},
			{"to a stranger", FlowInput{Recipient: "ocha@elsewhere.example", RefURL: "https://elsewhere.example/humanitarian/appeals/x", RefTitle: "x", Sector: "wash", Amount: "10", Currency: "USD", Status: FlowPaid, Date: "2026-12-03"}, "ref_url"},
		}
		for _, c := range cases {
			c.in.Donor = "tanoto"
			_, err := n.svc.ReportFlow(ana, c.in)
			if core.KindOf(err) != core.KindInvalid || fields(err)[c.field] == "" {
				t.Errorf("%s: %v %v, want a problem with %s", c.name, err, fields(err), c.field)
			}
		}
		if flows, _ := n.svc.RecentFlows(context.Background()); len(flows) != 0 {
			t.Fatalf("recorded: %d", len(flows))
		}
		bad := washAppeal()
		bad.Title, bad.EndsOn, bad.Needs = "", "2026-01-01", nil
		_, err = n.svc.CreateAppeal(n.As("rina", "bnpb", core.RoleOfficer), em.ID, "bnpb", bad)
		if f := fields(err); f["title"] == "" || f["ends_on"] == "" {
			t.Fatalf("appeal problems: %v", f)
		}
		if _, err := n.svc.CreateAppeal(ana, em.ID, "bnpb", washAppeal()); fields(err)["org"] == "" {
			t.Fatalf("an appeal in another organisation's name: %v", err)
		}
	})
}

func TestMoney(t *testing.T) {
	for in, want := range map[string]int64{"250000": 250_000_00, "250,000.5": 250_000_50, "0.01": 1, " 1 000 ": 1000_00} {
		if got, ok := ParseMoney(in); !ok || got != want {
			t.Errorf("ParseMoney(%q) = %d %v, want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "-5", "1e6", "1.234", "12a", ".5", "9999999999999999"} {
		if got, ok := ParseMoney(in); ok {
			t.Errorf("ParseMoney(%q) = %d, want refused", in, got)
		}
	}
	if r, ok := ParseRate("0.0000625"); !ok || r != 6250 || FormatRate(r) != "0.0000625" {
		t.Errorf("rate %d %v %s", r, ok, FormatRate(r))
	}
	if _, ok := ParseRate("0"); ok {
		t.Error("a rate of zero")
	}
	if got := FormatMoney(1_250_000_50); got != "1,250,000.50" {
		t.Errorf("FormatMoney = %s", got)
	}
	// The largest amount at the largest rate does not overflow silently.
	if got := ToUSD(maxMoney, 1_000_000*rateScale); got != -1 && got < maxMoney {
		t.Errorf("ToUSD overflow: %d", got)
	}
	if got := ToUSD(15, rateScale/10); got != 2 { // 0.15 × 0.1 = 0.015, half up
		t.Errorf("ToUSD rounding: %d", got)
	}
}
