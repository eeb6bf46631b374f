package economy

import (
	"fmt"
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/internal/store/storetest"
)

func TestCommitmentHistorySaysWhoChangedWhatWhen(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e)
		in := CommitmentInput{Org: "o-kemlu", Agreement: "defa", Provision: "defa.cyber", What: "CSIRT cooperation", Deadline: "2026-06-30", Status: NotStarted, Shared: true}
		c := mustCommit(t, w, w.idAnalyst, in)
		w.clock.Advance(24 * 60 * 60e9)
		in.Notes = "Only the notes change: no new step."
		if _, err := w.svc.UpdateCommitment(w.idAnalyst, c.ID, in); err != nil {
			t.Fatal(err)
		}
		in.Status, in.Deadline = InProgress, "2026-09-30"
		if _, err := w.svc.UpdateCommitment(w.idAnalyst, c.ID, in); err != nil {
			t.Fatal(err)
		}
		h, err := w.svc.History(w.sgAdmin, c.ID) // shared: Singapore reads it
		if err != nil {
			t.Fatal(err)
		}
		if len(h) != 2 || h[0].Status != NotStarted || h[0].Deadline != "2026-06-30" || h[1].Status != InProgress || h[1].Deadline != "2026-09-30" ||
			h[1].ByName != "u-ayu" || !h[1].At.After(h[0].At) {
			t.Fatalf("history: %+v", h)
		}
		in.Shared = false
		if _, err := w.svc.UpdateCommitment(w.idAnalyst, c.ID, in); err != nil {
			t.Fatal(err)
		}
		_, err = w.svc.History(w.sgAdmin, c.ID)
		wantKind(t, "the history of a commitment no longer shared", err, core.KindNotFound)
	})
}

func TestCommitmentsArePaged(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e)
		for i := range 7 {
			mustCommit(t, w, w.idAnalyst, CommitmentInput{Org: "o-kemlu", Agreement: "defa", Provision: "defa.sme", What: fmt.Sprintf("step %d", i),
				Deadline: fmt.Sprintf("2026-0%d-01", i+2), Status: NotStarted})
		}
		seen := map[string]bool{}
		for page, want := range []struct {
			n    int
			more bool
		}{{3, true}, {3, true}, {1, false}} {
			list, more, err := w.svc.Commitments(w.idMember, Filter{Country: "ID", Page: page, Limit: 3})
			if err != nil || len(list) != want.n || more != want.more {
				t.Fatalf("page %d: %d commitments, more %v (%v); want %d, %v", page, len(list), more, err, want.n, want.more)
			}
			for _, c := range list {
				if seen[c.ID] {
					t.Fatalf("%s on two pages", c.What)
				}
				seen[c.ID] = true
			}
		}
		// On 1 March 2026 the deadline of 1 February is past: one overdue.
		od, _, err := w.svc.Commitments(w.idMember, Filter{Country: "ID", Overdue: true})
		if err != nil || len(od) != 1 || od[0].What != "step 0" {
			t.Fatalf("overdue: %+v, %v", od, err)
		}
		// The country page names every overdue one, whichever page it shows.
		v, err := w.svc.Country(w.idAnalyst, "ID", 2)
		if err != nil || len(v.Overdue) != 1 || len(v.Commitments) != 0 || v.More {
			t.Fatalf("country page 3: %d overdue, %d listed, more %v (%v)", len(v.Overdue), len(v.Commitments), v.More, err)
		}
	})
}
