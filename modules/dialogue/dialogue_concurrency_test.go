package dialogue_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/internal/federation/fedtest"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/dialogue"
)

// TestDialogueConcurrentContributions: twenty people on the host's node
// contribute to one dialogue at the same moment: every contribution gets
// its own number, 1 to 20 without a gap, and the participating node's copy
// ends with the same twenty under the same numbers with nothing else
// changing after them (on PostgreSQL a contribution that waited for
// another's lock used to miss the copies' run of its slot, and reached the
// node only with the next change).
func TestDialogueConcurrentContributions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		host := newDNode(t, e, "asean", dlgOrg{"asean", core.OrgInternational, aseanName})
		au := newDNode(t, e, "au", dlgOrg{"dfat", core.OrgStateMinistry, dfatName})
		fedtest.Peer(t, host.Served, au.Served)
		mod := host.As("Maria", "asean", core.RoleOfficer)
		d, err := host.Svc.Create(mod, dialogue.Input{Host: "asean", Title: "Concurrent", Rule: dialogue.RuleChatham})
		dlgMust(t, "create", err)
		dlgMust(t, "invite", host.Svc.AddParty(mod, d.ID, au.Addr("dfat"), dialogue.RoleParticipant))
		reader := au.As("Olivia", "dfat", core.RoleOfficer)
		fedtest.Eventually(t, "the copy on au", func() bool { _, err := au.Svc.Get(reader, d.ID); return err == nil })

		const people = 20
		errs := make([]error, people)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range people {
			ctx := host.As(fmt.Sprintf("member%02d", i), "asean", core.RoleMember)
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				errs[i] = host.Svc.Contribute(ctx, d.ID, dialogue.ContributionInput{Body: fmt.Sprintf("Point %02d.", i)})
			}()
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			dlgMust(t, fmt.Sprintf("contribution %d", i), err)
		}

		numbers := func(n *dnode, ctx context.Context) map[string]int64 {
			v, err := n.Svc.Get(ctx, d.ID)
			dlgMust(t, "get", err)
			all, err := n.Svc.All(ctx, v)
			dlgMust(t, "all", err)
			out := map[string]int64{}
			for _, c := range all {
				out[c.Body] = c.Seq
			}
			return out
		}
		var atHost map[string]int64
		fedtest.Eventually(t, "twenty contributions at the host", func() bool { atHost = numbers(host, mod); return len(atHost) == people })
		var seqs []int64
		for _, s := range atHost {
			seqs = append(seqs, s)
		}
		slices.Sort(seqs)
		for i, s := range seqs {
			if s != int64(i+1) {
				t.Fatalf("numbers %v, want 1 to %d", seqs, people)
			}
		}
		fedtest.Eventually(t, "the same twenty on au", func() bool {
			got := numbers(au, reader)
			if len(got) < people {
				return false
			}
			for b, s := range atHost {
				if got[b] != s {
					t.Fatalf("au numbers %q %d, the host %d", b, got[b], s)
				}
			}
			return true
		})
	})
}

// TestDialogueCopiesInBatches: a node invited to a dialogue that already
// has more contributions than one envelope carries gets them all, over
// several batches, under the host's numbers.
func TestDialogueCopiesInBatches(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		host := newDNode(t, e, "asean", dlgOrg{"asean", core.OrgInternational, aseanName})
		au := newDNode(t, e, "au", dlgOrg{"dfat", core.OrgStateMinistry, dfatName})
		fedtest.Peer(t, host.Served, au.Served)
		mod := host.As("Maria", "asean", core.RoleOfficer)
		d, err := host.Svc.Create(mod, dialogue.Input{Host: "asean", Title: "A long record", Rule: dialogue.RuleChatham})
		dlgMust(t, "create", err)
		const many = 450 // two full envelopes of 200 and a part
		for i := range many {
			dlgMust(t, "contribute", host.Svc.Contribute(mod, d.ID, dialogue.ContributionInput{Body: fmt.Sprintf("Point %03d.", i+1)}))
		}
		dlgMust(t, "invite", host.Svc.AddParty(mod, d.ID, au.Addr("dfat"), dialogue.RoleParticipant))
		reader := au.As("Olivia", "dfat", core.RoleOfficer)
		fedtest.Eventually(t, "every contribution on au", func() bool {
			v, err := au.Svc.Get(reader, d.ID)
			if err != nil {
				return false
			}
			all, err := au.Svc.All(reader, v)
			dlgMust(t, "all", err)
			if len(all) < many {
				return false
			}
			for i, c := range all {
				if c.Seq != int64(i+1) || c.Body != fmt.Sprintf("Point %03d.", i+1) {
					t.Fatalf("au's %dth contribution: %+v", i+1, c)
				}
			}
			return true
		})
		var batches int
		dlgMust(t, "inbox", au.DB.R().Get(context.Background(), &batches, `SELECT COUNT(*) FROM inbox WHERE type = ?`, dialogue.TypeCopy))
		if batches < 3 {
			t.Fatalf("%d contributions came in %d envelopes", many, batches)
		}
	})
}
