package cybercrime_test

import (
	"context"
	"slices"
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
	"entente.example/entente/modules/cybercrime"
	"entente.example/entente/modules/directory"
)

// fields are an error's problems by field.
func fields(err error) map[string]string {
	if ce := core.AsError(err); ce != nil && ce.Fields != nil {
		return ce.Fields
	}
	return map[string]string{}
}

// told records the e-mails a node would send.
type told struct {
	mu   sync.Mutex
	sent []string // kind name + " " + org id
}

func (n *told) NotifyOrg(_ context.Context, _ *store.Tx, orgID string, _ []core.Role, k notify.Kind, _ string, args notify.Args) error {
	for _, p := range k.Params {
		if _, ok := args[p]; !ok {
			panic("notification " + k.Name + " without " + p)
		}
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.sent = append(n.sent, k.Name+" "+orgID)
	return nil
}

func (n *told) has(kind, orgID string) bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Contains(n.sent, kind+" "+orgID)
}

// node is a served node with the cybercrime module.
type node struct {
	*fedtest.Served
	svc   *cybercrime.Service
	told  *told
	clock *storetest.Clock
}

func newNode(t testing.TB, e storetest.Engine) *node {
	t.Helper()
	clock := storetest.NewClock(time.Now())
	db := storetest.Open(t, e, clock, auth.Migrations(), audit.Migrations(), jobs.Migrations(), ledger.Migrations(), federation.Migrations(), directory.Migrations(), cybercrime.Migrations())
	s := fedtest.Serve(t, db)
	n := &node{Served: s, told: &told{}, clock: clock}
	n.svc = cybercrime.NewService(db, s.Fed, n.told, cybercrime.ShippedLegal(), cybercrime.Options{})
	return n
}

func preservation(to string) cybercrime.Input {
	return cybercrime.Input{From: "afp", To: to, Kind: cybercrime.KindPreservation, Basis: "budapest", Language: "en", Reference: "AFP/2026/118",
		Fields: map[string]string{
			"authority": "Australian Federal Police, Cybercrime Operations", "offence": "Unauthorised access (Criminal Code s. 478.1)",
			"facts": "A hospital's records were taken on 1 December.", "data": "Logs of the server at 203.0.113.7, 28 Nov – 2 Dec",
			"relation": "The server received the stolen records.", "custodian": "Example Hosting KK, Tokyo", "necessity": "Logs rotate after 14 days.",
			"mla_follows": "yes", "purpose": "Identify the intruders.",
		}}
}

// TestPreservationAcrossNodes takes a preservation from a draft on
// Australia's node to preserved on Japan's, then lets its clock run out on
// both; every step crosses as a signed envelope with a receipt.
func TestPreservationAcrossNodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		au, jp := newNode(t, e), newNode(t, e)
		afp := au.Org(t, "afp", core.OrgStateLawEnforcement, "AU", "Australian Federal Police")
		npa := jp.Org(t, "npa", core.OrgStateLawEnforcement, "JP", "National Police Agency")
		au.Org(t, "dfat", core.OrgStateMinistry, "AU", "Department of Foreign Affairs and Trade")
		au.Start(t)
		jp.Start(t)
		fedtest.Peer(t, au.Served, jp.Served)
		inv, ca := au.As("Ines", "afp", core.RoleInvestigator), au.As("Carl", "afp", core.RoleAuthority)
		jpInv := jp.As("Kenji", "npa", core.RoleInvestigator)

		// The basis must bind both states: Budapest does; the ASEAN treaty
		// does not, and the form says so beside the field.
		bad := preservation(jp.Addr("npa"))
		bad.Basis = "asean_mlat"
		if _, err := au.svc.Create(inv, bad); fields(err)["basis"] == "" {
			t.Fatalf("ASEAN MLAT between AU and JP: %v", err)
		}
		miss := preservation(jp.Addr("npa"))
		delete(miss.Fields, "custodian")
		if _, err := au.svc.Create(inv, miss); fields(err)["f_custodian"] != "err.required" {
			t.Fatalf("no custodian: %v", err)
		}

		r, err := au.svc.Create(inv, preservation(jp.Addr("npa")))
		if err != nil {
			t.Fatal(err)
		}
		if !au.told.has("cyb_approval", afp) {
			t.Error("the central authority was not told a draft waits")
		}
		// An investigator drafts; only an admin or the central authority
		// approves and sends.
		if _, err := au.svc.Act(inv, r.ID, cybercrime.Step{Action: cybercrime.ActApprove}); core.KindOf(err) != core.KindForbidden {
			t.Fatalf("investigator approved: %v", err)
		}
		for _, act := range []cybercrime.Action{cybercrime.ActApprove, cybercrime.ActSend} {
			if r, err = au.svc.Act(ca, r.ID, cybercrime.Step{Action: act}); err != nil {
				t.Fatalf("%s: %v", act, err)
			}
		}
		if r.State != cybercrime.StateSent || r.RespondBy == nil || r.RespondBy.Sub(*r.SentAt) > 24*time.Hour || r.RespondBy.Sub(*r.SentAt) < 24*time.Hour-time.Second {
			t.Fatalf("sent: state %s, respond by %v", r.State, r.RespondBy)
		}

		var in cybercrime.Request
		fedtest.Eventually(t, "the request on Japan's node", func() bool {
			rs, _, err := jp.svc.Requests(jpInv, cybercrime.Filter{Box: "in"})
			if err != nil || len(rs) != 1 {
				return false
			}
			in = rs[0]
			return true
		})
		if in.State != cybercrime.StateReceived || in.Field("custodian") != "Example Hosting KK, Tokyo" || in.From != au.Addr("afp") || in.FromCountry != "AU" {
			t.Fatalf("received: %s from %s (%s), fields %v", in.State, in.From, in.FromCountry, in.Fields)
		}
		if !jp.told.has("cyb_arrived", npa) {
			t.Error("Japan's investigators were not told a request arrived")
		}
		fedtest.Eventually(t, "the receipt", func() bool {
			got, err := au.svc.Request(inv, r.ID)
			return err == nil && got.Receipt != ""
		})

		// A refusal ground the article does not permit is refused.
		if _, err := jp.svc.Act(jpInv, in.ID, cybercrime.Step{Action: cybercrime.ActRefuse, Ground: "dual_criminality"}); fields(err)["ground"] == "" {
			t.Fatalf("dual criminality for a preservation: %v", err)
		}
		// Fewer than 60 days is not a preservation under art. 29(7).
		short := jp.clock.Now().Add(30 * 24 * time.Hour)
		if _, err := jp.svc.Act(jpInv, in.ID, cybercrime.Step{Action: cybercrime.ActPreserve, Until: &short}); fields(err)["until"] != "err.cyb_keep" {
			t.Fatalf("30 days: %v", err)
		}
		if _, err := jp.svc.Act(jpInv, in.ID, cybercrime.Step{Action: cybercrime.ActAcknowledge}); err != nil {
			t.Fatal(err)
		}
		until := jp.clock.Now().Add(90 * 24 * time.Hour).UTC().Truncate(time.Second)
		if _, err := jp.svc.Act(jpInv, in.ID, cybercrime.Step{Action: cybercrime.ActPreserve, Until: &until}); err != nil {
			t.Fatal(err)
		}
		fedtest.Eventually(t, "the preservation on Australia's node", func() bool {
			got, err := au.svc.Request(inv, r.ID)
			return err == nil && got.State == cybercrime.StatePreserved && got.PreservedUntil != nil && got.PreservedUntil.Equal(until)
		})
		got, _ := au.svc.Request(inv, r.ID)
		if got.AckAt == nil || got.PreservAt == nil {
			t.Errorf("milestones not recorded on the requesting side: %+v", got)
		}
		// Each step Japan sent has Australia's receipt on Japan's side.
		fedtest.Eventually(t, "receipts for Japan's steps", func() bool {
			mine, err := jp.svc.Request(jpInv, in.ID)
			if err != nil {
				return false
			}
			n := 0
			for _, ev := range mine.Events {
				if ev.Action == cybercrime.ActAcknowledge || ev.Action == cybercrime.ActPreserve {
					if ev.Receipt == "" {
						return false
					}
					n++
				}
			}
			return n == 2
		})

		// A week before the end both sides are reminded; at the end both
		// are told, each by its own node, from the same date.
		for _, n := range []*node{au, jp} {
			n.clock.Advance(84 * 24 * time.Hour)
			if err := n.svc.Checks(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		if !au.told.has("cyb_preservation_ending", afp) || !jp.told.has("cyb_preservation_ending", npa) {
			t.Errorf("reminders: au %v jp %v", au.told.sent, jp.told.sent)
		}
		for _, n := range []*node{au, jp} {
			n.clock.Advance(7 * 24 * time.Hour)
			if err := n.svc.Checks(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		if !au.told.has("cyb_preservation_over", afp) || !jp.told.has("cyb_preservation_over", npa) {
			t.Errorf("expiry: au %v jp %v", au.told.sent, jp.told.sent)
		}
		ours, _ := au.svc.Request(inv, r.ID)
		theirs, _ := jp.svc.Request(jpInv, in.ID)
		now := au.clock.Now()
		if ours.PreservationLeft(now) >= 0 || theirs.PreservationLeft(jp.clock.Now()) >= 0 {
			t.Errorf("both sides should see the clock run out: %v %v", ours.PreservationLeft(now), theirs.PreservationLeft(jp.clock.Now()))
		}
	})
}

// TestRequestIsForTheTwoOrganisations: other organisations on either node,
// a member of the same organisation without the role, and the node
// administrator get nothing.
func TestRequestIsForTheTwoOrganisations(t *testing.T) {
	e := storetest.Engines(t)[0]
	au, jp := newNode(t, e), newNode(t, e)
	au.Org(t, "afp", core.OrgStateLawEnforcement, "AU", "Australian Federal Police")
	au.Org(t, "dfat", core.OrgStateMinistry, "AU", "Department of Foreign Affairs and Trade")
	jp.Org(t, "npa", core.OrgStateLawEnforcement, "JP", "National Police Agency")
	au.Start(t)
	jp.Start(t)
	fedtest.Peer(t, au.Served, jp.Served)
	inv := au.As("Ines", "afp", core.RoleInvestigator)
	r, err := au.svc.Create(inv, preservation(jp.Addr("npa")))
	if err != nil {
		t.Fatal(err)
	}
	outsiders := map[string]context.Context{
		"other organisation": au.As("Olga", "dfat", core.RoleAdmin),
		"member":             au.As("Max", "afp", core.RoleMember),
		"officer":            au.As("Otto", "afp", core.RoleOfficer),
		"node administrator": fedtest.Root,
	}
	for who, ctx := range outsiders {
		if _, err := au.svc.Request(ctx, r.ID); err == nil {
			t.Errorf("%s read the request", who)
		}
		if rs, _, _ := au.svc.Requests(ctx, cybercrime.Filter{}); len(rs) != 0 {
			t.Errorf("%s listed %d requests", who, len(rs))
		}
		if ws, _ := au.svc.Waiting(ctx); len(ws) != 0 {
			t.Errorf("%s is asked to act on %d requests", who, len(ws))
		}
		if _, err := au.svc.Act(ctx, r.ID, cybercrime.Step{Action: cybercrime.ActApprove}); err == nil {
			t.Errorf("%s approved the request", who)
		}
	}
	var n int
	if err := au.DB.R().Get(context.Background(), &n, `SELECT COUNT(*) FROM audit_events WHERE action = 'cybercrime.request.read' AND target_id = ?`, r.ID); err != nil || n != 0 {
		t.Errorf("refused reads recorded as reads: %d %v", n, err)
	}
	if _, err := au.svc.Request(inv, r.ID); err != nil {
		t.Fatal(err)
	}
	if err := au.DB.R().Get(context.Background(), &n, `SELECT COUNT(*) FROM audit_events WHERE action = 'cybercrime.request.read' AND target_id = ?`, r.ID); err != nil || n != 1 {
		t.Errorf("the investigator's read is not in the audit trail: %d %v", n, err)
	}
}
