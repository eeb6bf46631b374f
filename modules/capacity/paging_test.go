package capacity_test

import (
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/capacity"
)

// TestListsComeInPages: needs and projects page newest first, each page
// starting after the last id of the one before, none lost or repeated.
func TestListsComeInPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		n := newNode(t, e)
		tl := as("mnec-tl", core.RoleOfficer)
		var want []string
		for _, title := range []string{"one", "two", "three", "four", "five"} {
			need, err := n.svc.PostNeed(tl, "mnec-tl", capacity.Need{Title: title, Topics: []string{"csirt"}, Country: "TL"})
			if err != nil {
				t.Fatal(err)
			}
			mustCreate(t, n, tl, "mnec-tl", csirt(capacity.Public))
			want = append([]string{need.ID}, want...)
			n.clock.Advance(time.Second)
		}
		var got []string
		before := ""
		for page := 0; page < 4; page++ {
			l, err := n.svc.ListNeedsPage(tl, "", "", before, 2)
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range l {
				got = append(got, x.ID)
			}
			if len(l) < 2 {
				break
			}
			before = l[len(l)-1].ID
		}
		if len(got) != len(want) {
			t.Fatalf("paged %v, want %v", got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Fatalf("paged %v, want %v", got, want)
			}
		}
		ps, err := n.svc.List(tl, capacity.Filter{Limit: 3})
		if err != nil || len(ps) != 3 {
			t.Fatalf("a page of 3 projects: %d %v", len(ps), err)
		}
		rest, err := n.svc.List(tl, capacity.Filter{Before: ps[2].ID})
		if err != nil || len(rest) != 2 || rest[0].ID >= ps[2].ID {
			t.Fatalf("the projects after the first page: %d %v", len(rest), err)
		}
	})
}
