package capacity_test

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
	"entente.example/entente/internal/ledger"
	"entente.example/entente/internal/notify/notifytest"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/capacity"
	"entente.example/entente/modules/directory"
)

// fnode is a node of the Clearing House tests: fedtest's served node (real
// HTTP federation on loopback) with the capacity service, whose e-mails
// to organisations are kept.
type fnode struct {
	*fedtest.Served
	svc  *capacity.Service
	told *notifytest.Recorder
}

func newFNode(t *testing.T, e storetest.Engine) *fnode {
	t.Helper()
	db := storetest.Open(t, e, nil, auth.Migrations(), audit.Migrations(), ledger.Migrations(), federation.Migrations(), directory.Migrations(), capacity.Migrations())
	s := fedtest.Serve(t, db)
	svc := capacity.NewService(db, s.Fed)
	svc.UseFederation(s.Fed)
	tl := &notifytest.Recorder{}
	svc.UseNotifier(tl)
	s.Start(t)
	return &fnode{Served: s, svc: svc, told: tl}
}

// clearingHouse is Timor-Leste's ministry on one node and Australia's DFAT
// and Japan's MOFA on another, peered.
func clearingHouse(t *testing.T, e storetest.Engine) (tl, donors *fnode) {
	t.Helper()
	tl, donors = newFNode(t, e), newFNode(t, e)
	tl.Org(t, "mnec-tl", core.OrgStateMinistry, "TL", "MNEC Timor-Leste")
	donors.Org(t, "dfat-au", core.OrgStateMinistry, "AU", "DFAT")
	donors.Org(t, "mofa-jp", core.OrgStateMinistry, "JP", "MOFA Japan")
	fedtest.Peer(t, tl.Served, donors.Served)
	return tl, donors
}

func csirtNeed(vis string, shared ...string) capacity.Need {
	return capacity.Need{Title: "A national CSIRT", Description: "Set up Timor-Leste's national CSIRT and train its first analysts.",
		Topics: []string{"csirt"}, Country: "TL", Priority: capacity.High, Languages: []string{"en", "pt"}, From: "2027-01-01", To: "2028-12-31",
		Visibility: vis, SharedWith: shared}
}

func csirtOffer(title string) capacity.Offer {
	return capacity.Offer{Title: title, Description: "Mentoring for national CSIRTs.", Topics: []string{"csirt", "incident-response"},
		Regions: []string{"southeast-asia"}, Languages: []string{"en"}, BudgetMax: 1500000, Currency: "AUD", Visibility: capacity.Public}
}

// waitNeed waits until the node holds the need's copy in status, as the
// actor in ctx sees it.
func waitNeed(t *testing.T, n *fnode, ctx context.Context, id, status string) capacity.Need {
	t.Helper()
	var got capacity.Need
	fedtest.Eventually(t, "need "+id+" "+status+" on "+n.Host, func() bool {
		var err error
		got, err = n.svc.GetNeed(ctx, id)
		return err == nil && got.Status == status
	})
	return got
}

func proposalOf(t *testing.T, n *fnode, ctx context.Context, need capacity.Need, id string) capacity.Proposal {
	t.Helper()
	ps, err := n.svc.Proposals(ctx, need)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if p.ID == id {
			return p
		}
	}
	return capacity.Proposal{}
}

// TestMatchAgreedAcrossNodes runs the Clearing House between two nodes:
// Timor-Leste's need travels to the donors' node, where DFAT's offer is
// suggested for it and proposed; Japan proposes too; Timor-Leste accepts
// DFAT's on its own node, which makes the project there, declines Japan's,
// and both donors learn the answer on theirs, with the signed statements
// kept on both sides.
func TestMatchAgreedAcrossNodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		tl, donors := clearingHouse(t, e)
		ana := tl.As("ana", "mnec-tl", core.RoleOfficer)
		olivia := donors.As("olivia", "dfat-au", core.RoleOfficer)
		kenji := donors.As("kenji", "mofa-jp", core.RoleOfficer)

		need, err := tl.svc.PostNeed(ana, "mnec-tl", csirtNeed(capacity.Public))
		if err != nil {
			t.Fatal(err)
		}
		au, err := donors.svc.PostOffer(olivia, "dfat-au", csirtOffer("CERT mentoring for the Pacific and South-East Asia"))
		if err != nil {
			t.Fatal(err)
		}
		jp, err := donors.svc.PostOffer(kenji, "mofa-jp", csirtOffer("Incident-response courses"))
		if err != nil {
			t.Fatal(err)
		}
		// The need is on the donors' node, as its node's copy, and the
		// donors' offers are suggested for it there.
		copyNeed := waitNeed(t, donors, olivia, need.ID, capacity.NeedOpen)
		if copyNeed.Origin != tl.Host || copyNeed.Owner != tl.Addr("mnec-tl") {
			t.Fatalf("the copy says origin %q owner %q", copyNeed.Origin, copyNeed.Owner)
		}
		sug, err := donors.svc.Suggestions(olivia, copyNeed, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(sug) < 2 || sug[0].Offer.ID == "" {
			t.Fatalf("suggestions on the donors' node: %+v", sug)
		}
		// From DFAT's side: its offer's page ranks the need, with reasons.
		matches, err := donors.svc.SuggestedNeeds(olivia, au, 5)
		if err != nil {
			t.Fatal(err)
		}
		if len(matches) != 1 || matches[0].Need.ID != need.ID || len(matches[0].Reasons) == 0 || matches[0].Score != sug[0].Score && matches[0].Score != sug[1].Score {
			t.Fatalf("needs suggested for DFAT's offer: %+v", matches)
		}
		// A donor's node may not decide a need of another node.
		if _, err := donors.svc.Decide(olivia, need.ID, "x", true); core.KindOf(err) != core.KindForbidden && core.KindOf(err) != core.KindNotFound {
			t.Fatalf("deciding a copy: %v", err)
		}

		pAU, err := donors.svc.Propose(olivia, need.ID, au.ID, "We can start in January.")
		if err != nil {
			t.Fatal(err)
		}
		pJP, err := donors.svc.Propose(kenji, need.ID, jp.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		// Both proposals reach Timor-Leste's node, with their offers, and
		// its officers are told.
		fedtest.Eventually(t, "two proposals on Timor-Leste's node", func() bool {
			ps, err := tl.svc.Proposals(ana, need)
			return err == nil && len(ps) == 2
		})
		got := proposalOf(t, tl, ana, need, pAU.ID)
		if got.Origin != donors.Host || got.Proposer != donors.Addr("dfat-au") || got.OfferTitle != au.Title || got.Note != "We can start in January." || got.Statement == "" {
			t.Fatalf("the proposal on the need's node: %+v", got)
		}
		if k := tl.told.Of(orgID(t, tl, "mnec-tl")); len(k) != 2 || k[0] != "cap_proposal" {
			t.Fatalf("Timor-Leste was told %v", k)
		}

		decided, err := tl.svc.Decide(ana, need.ID, pAU.ID, true)
		if err != nil {
			t.Fatal(err)
		}
		if decided.ProjectID == "" {
			t.Fatal("accepting made no project")
		}
		proj, err := tl.svc.Get(ana, decided.ProjectID)
		if err != nil {
			t.Fatal(err)
		}
		if proj.Funders[0] != donors.Addr("dfat-au") || proj.Countries[0] != "TL" {
			t.Fatalf("the project: %+v", proj)
		}
		if p := proposalOf(t, tl, ana, need, pJP.ID); p.Status != capacity.Declined || p.Reason != capacity.ReasonMatched {
			t.Fatalf("Japan's proposal on Timor-Leste's node: %+v", p)
		}

		// The donors' node learns both answers, the need's new status
		// and the project.
		matched := waitNeed(t, donors, olivia, need.ID, capacity.NeedMatched)
		fedtest.Eventually(t, "DFAT's proposal accepted on the donors' node", func() bool {
			return proposalOf(t, donors, olivia, matched, pAU.ID).Status == capacity.Accepted
		})
		fedtest.Eventually(t, "Japan's proposal declined on the donors' node", func() bool {
			return proposalOf(t, donors, kenji, matched, pJP.ID).Status == capacity.Declined
		})
		back := proposalOf(t, donors, olivia, matched, pAU.ID)
		if back.ProjectID != proj.ID || back.Decision == "" {
			t.Fatalf("DFAT's proposal on its node: %+v", back)
		}
		fedtest.Eventually(t, "the project on the donors' node", func() bool {
			p, err := donors.svc.Get(olivia, proj.ID)
			return err == nil && p.Origin == tl.Host && p.Title == need.Title
		})
		// DFAT's people see it under Needs your attention, and on the
		// offer's page.
		if taken, err := donors.svc.Taken(olivia); err != nil || len(taken) != 1 || taken[0].ProjectID != proj.ID {
			t.Fatalf("DFAT's accepted offers: %+v %v", taken, err)
		}
		if ps, err := donors.svc.OfferProposals(olivia, au); err != nil || len(ps) != 1 || ps[0].Status != capacity.Accepted || ps[0].NeedTitle != need.Title {
			t.Fatalf("DFAT's offer's proposals: %+v %v", ps, err)
		}
		if ps, _ := donors.svc.OfferProposals(kenji, au); len(ps) != 0 {
			t.Fatalf("Japan reads DFAT's proposals: %+v", ps)
		}
		if k := donors.told.Of(orgID(t, donors, "dfat-au")); len(k) != 1 || k[0] != "cap_accepted" {
			t.Fatalf("DFAT was told %v", k)
		}
		if k := donors.told.Of(orgID(t, donors, "mofa-jp")); len(k) != 1 || k[0] != "cap_declined" {
			t.Fatalf("MOFA was told %v", k)
		}
		// A second acceptance is refused: the need is matched.
		if _, err := tl.svc.Decide(ana, need.ID, pJP.ID, true); core.KindOf(err) != core.KindConflict {
			t.Fatalf("accepting a second proposal: %v", err)
		}
	})
}

// TestSharedNeedTravelsOnlyWhereShared: a need shared with DFAT reaches
// the donors' node for DFAT's people, not Japan's; unsharing it withdraws
// the copy there.
func TestSharedNeedTravelsOnlyWhereShared(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		tl, donors := clearingHouse(t, e)
		ana := tl.As("ana", "mnec-tl", core.RoleOfficer)
		olivia := donors.As("olivia", "dfat-au", core.RoleOfficer)
		kenji := donors.As("kenji", "mofa-jp", core.RoleOfficer)
		need, err := tl.svc.PostNeed(ana, "mnec-tl", csirtNeed(capacity.Shared, donors.Addr("dfat-au")))
		if err != nil {
			t.Fatal(err)
		}
		got := waitNeed(t, donors, olivia, need.ID, capacity.NeedOpen)
		if len(got.SharedWith) != 1 || got.SharedWith[0] != donors.Addr("dfat-au") {
			t.Fatalf("the copy is shared with %v", got.SharedWith)
		}
		if _, err := donors.svc.GetNeed(kenji, need.ID); core.KindOf(err) != core.KindNotFound {
			t.Fatalf("Japan reads a need not shared with it: %v", err)
		}
		if _, err := donors.svc.GetNeed(context.Background(), need.ID); core.KindOf(err) != core.KindNotFound {
			t.Fatalf("anyone reads a need shared with DFAT: %v", err)
		}
		// Japan may not propose for it (it does not see it).
		jp, err := donors.svc.PostOffer(kenji, "mofa-jp", csirtOffer("Courses"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := donors.svc.Propose(kenji, need.ID, jp.ID, ""); core.KindOf(err) != core.KindNotFound {
			t.Fatalf("Japan proposes for a need it cannot see: %v", err)
		}
		if _, err := tl.svc.CloseNeed(ana, need.ID); err != nil {
			t.Fatal(err)
		}
		waitNeed(t, donors, olivia, need.ID, capacity.NeedClosed)
		if _, err := tl.svc.UpdateNeed(ana, need.ID, csirtNeed(capacity.Shared, tl.Addr("mnec-tl"))); err != nil {
			t.Fatal(err)
		}
		fedtest.Eventually(t, "the need withdrawn from the donors' node", func() bool {
			_, err := donors.svc.GetNeed(olivia, need.ID)
			return core.KindOf(err) == core.KindNotFound
		})
	})
}

func orgID(t *testing.T, n *fnode, handle string) string {
	t.Helper()
	var id string
	if err := n.DB.R().Get(context.Background(), &id, `SELECT id FROM organisations WHERE handle = ?`, handle); err != nil {
		t.Fatal(err)
	}
	return id
}

// receive hands node to an envelope of typ from the organisation from on
// the node signer, whose statement body is v, as its inbox would.
func receive(t *testing.T, node, signer *fnode, typ, from string, v any) error {
	t.Helper()
	signed, err := signer.Fed.SignStatement(typ, v)
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(map[string]string{"statement": string(signed)})
	env := federation.Envelope{ID: core.NewID(time.Now()), Type: typ, From: from, To: "x@" + node.Host, Created: time.Now(), TLP: core.TLPAmber}
	return node.DB.WithTx(context.Background(), func(tx *store.Tx) error { return node.svc.Receive(context.Background(), tx, env, payload) })
}

// TestHostilePeers: a peer is believed only about its own records, a late
// copy never replaces a newer one, a decision comes only from the need's
// node, and a proposal only for a need its donor may see.
func TestHostilePeers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		tl, donors := clearingHouse(t, e)
		third := newFNode(t, e)
		third.Org(t, "rogue", core.OrgStateMinistry, "XX", "Rogue")
		fedtest.Peer(t, tl.Served, donors.Served, third.Served)
		ana := tl.As("ana", "mnec-tl", core.RoleOfficer)
		olivia := donors.As("olivia", "dfat-au", core.RoleOfficer)
		need, err := tl.svc.PostNeed(ana, "mnec-tl", csirtNeed(capacity.Public))
		if err != nil {
			t.Fatal(err)
		}
		waitNeed(t, donors, olivia, need.ID, capacity.NeedOpen)

		// The third node claims Timor-Leste's need as its own.
		fake := need
		fake.Owner, fake.Title = third.Addr("rogue"), "Send us money"
		err = receive(t, donors, third, capacity.TypeNeed, third.Addr("rogue"), map[string]any{"id": need.ID, "rev": 99, "need": fake})
		if core.KindOf(err) != core.KindForbidden {
			t.Fatalf("a copy of another node's need: %v", err)
		}
		// A late copy (rev 1 after a change made rev 2) changes nothing.
		changed := csirtNeed(capacity.Public)
		changed.Title = "A national CSIRT, and its legal basis"
		if _, err := tl.svc.UpdateNeed(ana, need.ID, changed); err != nil {
			t.Fatal(err)
		}
		fedtest.Eventually(t, "the changed need on the donors' node", func() bool {
			n, err := donors.svc.GetNeed(olivia, need.ID)
			return err == nil && n.Title == changed.Title
		})
		stale := need
		stale.OrgID = ""
		if err := receive(t, donors, tl, capacity.TypeNeed, tl.Addr("mnec-tl"), map[string]any{"id": need.ID, "rev": 1, "need": stale}); err != nil {
			t.Fatal(err)
		}
		if n, _ := donors.svc.GetNeed(olivia, need.ID); n.Title != changed.Title {
			t.Fatalf("a late copy replaced the newer one: %q", n.Title)
		}
		// A decision about the donors' proposal from a node that does not
		// hold the need.
		offer, err := donors.svc.PostOffer(olivia, "dfat-au", csirtOffer("CERT mentoring"))
		if err != nil {
			t.Fatal(err)
		}
		p, err := donors.svc.Propose(olivia, need.ID, offer.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		err = receive(t, donors, third, capacity.TypeDecision, third.Addr("rogue"), map[string]any{"proposal": p.ID, "need": need.ID, "status": "declined"})
		if core.KindOf(err) != core.KindForbidden {
			t.Fatalf("a decision from a third node: %v", err)
		}
		// A proposal from the third node for a need shared with DFAT only.
		shared, err := tl.svc.PostNeed(ana, "mnec-tl", csirtNeed(capacity.Shared, donors.Addr("dfat-au")))
		if err != nil {
			t.Fatal(err)
		}
		rogueOffer := map[string]any{"id": federation.NewHostedID(time.Now(), third.Host), "owner": third.Addr("rogue"), "title": "Anything", "themes": []string{"policy"},
			"topics": []string{}, "regions": []string{}, "countries": []string{}, "languages": []string{}, "from": "", "to": "", "budget_min": 0, "budget_max": 0,
			"currency": "", "visibility": "public", "shared_with": []string{}, "created_at": time.Now(), "updated_at": time.Now()}
		err = receive(t, tl, third, capacity.TypeProposal, third.Addr("rogue"), map[string]any{"id": federation.NewHostedID(time.Now(), third.Host), "need": shared.ID,
			"offer": rogueOffer, "note": "", "proposer": third.Addr("rogue")})
		if core.KindOf(err) != core.KindNotFound {
			t.Fatalf("a proposal for a need not shared with its donor: %v", err)
		}
		if ps, _ := tl.svc.Proposals(ana, shared); len(ps) != 0 {
			t.Fatalf("the refused proposal was kept: %+v", ps)
		}
	})
}

// TestSyncCatchesUpANewPeer: a public need posted before a node was
// verified reaches it with the next sync, not only with its next change.
func TestSyncCatchesUpANewPeer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		tl, donors := clearingHouse(t, e)
		late := newFNode(t, e)
		late.Org(t, "kemlu", core.OrgStateMinistry, "ID", "Kemlu")
		ana := tl.As("ana", "mnec-tl", core.RoleOfficer)
		need, err := tl.svc.PostNeed(ana, "mnec-tl", csirtNeed(capacity.Public))
		if err != nil {
			t.Fatal(err)
		}
		waitNeed(t, donors, donors.As("olivia", "dfat-au", core.RoleOfficer), need.ID, capacity.NeedOpen)
		fedtest.Peer(t, tl.Served, late.Served)
		if err := tl.svc.Sync(context.Background()); err != nil {
			t.Fatal(err)
		}
		waitNeed(t, late, late.As("bima", "kemlu", core.RoleOfficer), need.ID, capacity.NeedOpen)
	})
}
