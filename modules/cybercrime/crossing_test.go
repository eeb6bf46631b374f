package cybercrime_test

import (
	"context"
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/internal/federation/fedtest"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/cybercrime"
)

// TestCrossingStepsAgree: the requester withdraws while the requested side
// acts, both envelopes in flight at once. An execution stands over the
// withdrawal (the data was handed over); a partial execution gives way to
// it. Either way both sides end in the same state, and both steps are in
// both threads.
func TestCrossingStepsAgree(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		au, jp := newNode(t, e), newNode(t, e)
		au.Org(t, "afp", core.OrgStateLawEnforcement, "AU", "Australian Federal Police")
		jp.Org(t, "npa", core.OrgStateLawEnforcement, "JP", "National Police Agency")
		fedtest.Peer(t, au.Served, jp.Served)
		au.Start(t)
		jp.Start(t)
		ca, inv := au.As("Carl", "afp", core.RoleAuthority), jp.As("Kenji", "npa", core.RoleInvestigator)
		for _, c := range []struct {
			act  cybercrime.Action
			want cybercrime.State
		}{{cybercrime.ActExecute, cybercrime.StateExecuted}, {cybercrime.ActPartly, cybercrime.StateWithdrawn}} {
			in := preservation(jp.Addr("npa"))
			in.Kind, in.Fields["measures"] = cybercrime.KindStoredData, "Production of the logs"
			r, err := au.svc.Create(ca, in)
			if err != nil {
				t.Fatal(err)
			}
			for _, act := range []cybercrime.Action{cybercrime.ActApprove, cybercrime.ActSend} {
				if _, err := au.svc.Act(ca, r.ID, cybercrime.Step{Action: act}); err != nil {
					t.Fatal(err)
				}
			}
			var theirs string
			fedtest.Eventually(t, "the request in Japan", func() bool {
				rs, _, _ := jp.svc.Requests(inv, cybercrime.Filter{Box: "in"})
				for _, x := range rs {
					if x.OriginID == r.OriginID {
						theirs = x.ID
					}
				}
				return theirs != ""
			})
			if _, err := jp.svc.Act(inv, theirs, cybercrime.Step{Action: cybercrime.ActAcknowledge}); err != nil {
				t.Fatal(err)
			}
			fedtest.Eventually(t, "the acknowledgment in Australia", func() bool {
				got, err := au.svc.Request(ca, r.ID)
				return err == nil && got.State == cybercrime.StateAcknowledged
			})
			au.Hold()
			jp.Hold()
			if _, err := au.svc.Act(ca, r.ID, cybercrime.Step{Action: cybercrime.ActWithdraw, Note: "The suspect was identified by other means."}); err != nil {
				t.Fatal(err)
			}
			if _, err := jp.svc.Act(inv, theirs, cybercrime.Step{Action: c.act, Note: "Logs produced."}); err != nil {
				t.Fatal(err)
			}
			au.Release(t, jp.Served)
			jp.Release(t, au.Served)
			state := func(n *node, who context.Context, id string) (cybercrime.State, int) {
				got, err := n.svc.Request(who, id)
				if err != nil {
					return "", 0
				}
				steps := 0
				for _, ev := range got.Events {
					if ev.Action == cybercrime.ActWithdraw || ev.Action == c.act {
						steps++
					}
				}
				return got.State, steps
			}
			fedtest.Eventually(t, string(c.act)+" and withdrawal agreed on both sides", func() bool {
				a, na := state(au, ca, r.ID)
				b, nb := state(jp, inv, theirs)
				return a == c.want && b == c.want && na == 2 && nb == 2
			})
		}
	})
}
