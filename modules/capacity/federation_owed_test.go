package capacity_test

import (
	"context"
	"sync"
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/federation/fedtest"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/capacity"
)

// setPeer sets node's status of its peer other.
func setPeer(t *testing.T, node, other *fnode, status string) {
	t.Helper()
	p, err := node.Fed.PeerByHost(fedtest.Root, other.Host)
	if err != nil {
		t.Fatal(err)
	}
	if err := node.Fed.SetPeerStatus(fedtest.Root, p.ID, status); err != nil {
		t.Fatal(err)
	}
}

// TestOwedWhileNotVerified: a withdrawal, and a decision, made while the
// peer was suspended reach it once it is verified again and the sync runs.
func TestOwedWhileNotVerified(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		tl, donors := clearingHouse(t, e)
		ana := tl.As("ana", "mnec-tl", core.RoleOfficer)
		olivia := donors.As("olivia", "dfat-au", core.RoleOfficer)
		public, err := tl.svc.PostNeed(ana, "mnec-tl", csirtNeed(capacity.Public))
		if err != nil {
			t.Fatal(err)
		}
		proposedFor, err := tl.svc.PostNeed(ana, "mnec-tl", csirtNeed(capacity.Public))
		if err != nil {
			t.Fatal(err)
		}
		waitNeed(t, donors, olivia, public.ID, capacity.NeedOpen)
		waitNeed(t, donors, olivia, proposedFor.ID, capacity.NeedOpen)
		offer, err := donors.svc.PostOffer(olivia, "dfat-au", csirtOffer("CERT mentoring"))
		if err != nil {
			t.Fatal(err)
		}
		p, err := donors.svc.Propose(olivia, proposedFor.ID, offer.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		fedtest.Eventually(t, "the proposal on Timor-Leste's node", func() bool {
			ps, err := tl.svc.Proposals(ana, proposedFor)
			return err == nil && len(ps) == 1
		})

		setPeer(t, tl, donors, federation.PeerSuspended)
		if _, err := tl.svc.UpdateNeed(ana, public.ID, csirtNeed(capacity.Shared, tl.Addr("mnec-tl"))); err != nil {
			t.Fatal(err)
		}
		if _, err := tl.svc.Decide(ana, proposedFor.ID, p.ID, false); err != nil {
			t.Fatal(err)
		}
		setPeer(t, tl, donors, federation.PeerVerified)
		if err := tl.svc.Sync(context.Background()); err != nil {
			t.Fatal(err)
		}
		fedtest.Eventually(t, "the need withdrawn from the donors' node", func() bool {
			_, err := donors.svc.GetNeed(context.Background(), public.ID)
			return core.KindOf(err) == core.KindNotFound
		})
		fedtest.Eventually(t, "the decline on the donors' node", func() bool {
			return proposalOf(t, donors, olivia, waitNeed(t, donors, olivia, proposedFor.ID, capacity.NeedOpen), p.ID).Status == capacity.Declined
		})
		// Nothing is owed any more: a second sync sends nothing new.
		if err := tl.svc.Sync(context.Background()); err != nil {
			t.Fatal(err)
		}
	})
}

// TestOfferStaysReadableToTheState: the state a donor proposed to keeps
// reading the offer after the donor changes it, whoever else it is shared
// with.
func TestOfferStaysReadableToTheState(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		tl, donors := clearingHouse(t, e)
		ana := tl.As("ana", "mnec-tl", core.RoleOfficer)
		olivia := donors.As("olivia", "dfat-au", core.RoleOfficer)
		need, err := tl.svc.PostNeed(ana, "mnec-tl", csirtNeed(capacity.Public))
		if err != nil {
			t.Fatal(err)
		}
		waitNeed(t, donors, olivia, need.ID, capacity.NeedOpen)
		private := csirtOffer("Mentoring, for Timor-Leste only")
		private.Visibility = capacity.Shared
		offer, err := donors.svc.PostOffer(olivia, "dfat-au", private)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := donors.svc.Propose(olivia, need.ID, offer.ID, ""); err != nil {
			t.Fatal(err)
		}
		fedtest.Eventually(t, "the offer on Timor-Leste's node", func() bool {
			_, err := tl.svc.GetOffer(ana, offer.ID)
			return err == nil
		})
		private.Title = "Mentoring, for Timor-Leste only (extended)"
		if _, err := donors.svc.UpdateOffer(olivia, offer.ID, private); err != nil {
			t.Fatal(err)
		}
		fedtest.Eventually(t, "the changed offer readable on Timor-Leste's node", func() bool {
			o, err := tl.svc.GetOffer(ana, offer.ID)
			return err == nil && o.Title == private.Title
		})
		if _, err := tl.svc.GetOffer(context.Background(), offer.ID); core.KindOf(err) != core.KindNotFound {
			t.Fatalf("anyone reads the shared offer: %v", err)
		}
	})
}

// TestOriginIsNotTheCallers: a need or offer posted with an origin is
// this node's all the same.
func TestOriginIsNotTheCallers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		n := newNode(t, e)
		tl := as("mnec-tl", core.RoleOfficer)
		in := csirtNeed(capacity.Public)
		in.Origin = "elsewhere.example"
		need, err := n.svc.PostNeed(tl, "mnec-tl", in)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := n.svc.GetNeed(tl, need.ID); got.Origin != "" {
			t.Fatalf("stored origin %q", got.Origin)
		}
		o := csirtOffer("x")
		o.Origin = "elsewhere.example"
		offer, err := n.svc.PostOffer(tl, "mnec-tl", o)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := n.svc.GetOffer(tl, offer.ID); got.Origin != "" {
			t.Fatalf("stored offer origin %q", got.Origin)
		}
	})
}

// TestProposeWhileClosing: proposals and the closing of their need at
// once leave no proposal waiting for a closed need.
func TestProposeWhileClosing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		n := newNode(t, e)
		tl, dfat := as("mnec-tl", core.RoleOfficer), as("dfat-au", core.RoleOfficer)
		for i := 0; i < 10; i++ {
			need, err := n.svc.PostNeed(tl, "mnec-tl", csirtNeed(capacity.Public))
			if err != nil {
				t.Fatal(err)
			}
			offer, err := n.svc.PostOffer(dfat, "dfat-au", csirtOffer("x"))
			if err != nil {
				t.Fatal(err)
			}
			var wg sync.WaitGroup
			wg.Add(2)
			go func() { defer wg.Done(); _, _ = n.svc.Propose(dfat, need.ID, offer.ID, "") }()
			go func() { defer wg.Done(); _, _ = n.svc.CloseNeed(tl, need.ID) }()
			wg.Wait()
			got, err := n.svc.GetNeed(tl, need.ID)
			if err != nil {
				t.Fatal(err)
			}
			ps, err := n.svc.Proposals(tl, got)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range ps {
				if got.Status == capacity.NeedClosed && p.Status == capacity.Proposed {
					t.Fatalf("round %d: a proposal waits for a closed need", i)
				}
			}
		}
	})
}
