package publicdiplomacy_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/netguard"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/publicdiplomacy"
)

// TestScheduledPostGoesOutOnce: a post approved for later is not published
// before its time, nor ever without approval; after a restart, two
// replicas publishing and delivering at once send it once.
func TestScheduledPostGoesOutOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		n := newNode(t, e)
		n.Org(t, "kemlu", core.OrgStateMinistry, "ID", "Ministry of Foreign Affairs")
		acc := n.Account(t, "kemlu", "kemlu")
		reader := newInboxServer(t)
		n.Follower(t, acc.ID, reader.URL+"/users/reader", reader.URL+"/inbox")
		at := n.Clock.Now().Add(time.Hour)
		n.Publish(t, "kemlu", acc, &at, hello, publicdiplomacy.Translation{Language: "id", Content: "Salam dari Kementerian."})
		// A draft under review whose time has passed stays unpublished.
		past := n.Clock.Now().Add(-time.Hour)
		officer := n.As("Officer", "kemlu", core.RoleOfficer)
		g, err := n.Svc.CreateDraft(officer, publicdiplomacy.Draft{AccountID: acc.ID, ScheduledAt: &past, Translations: []publicdiplomacy.Translation{{Language: "en", Content: "Not approved."}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := n.Svc.Submit(officer, g[0].GroupID); err != nil {
			t.Fatal(err)
		}
		if k, err := n.Svc.PublishDue(context.Background()); err != nil || k != 0 {
			t.Fatalf("published %d before their time (%v)", k, err)
		}

		n.Clock.Advance(2 * time.Hour)
		replicas := []*publicdiplomacy.Service{
			publicdiplomacy.NewService(n.DB, publicdiplomacy.Options{BaseURL: func() string { return n.URL }, HTTP: netguard.Client(true), Insecure: true}),
			publicdiplomacy.NewService(n.DB, publicdiplomacy.Options{BaseURL: func() string { return n.URL }, HTTP: netguard.Client(true), Insecure: true}),
		}
		var wg sync.WaitGroup
		counts := make([]int, len(replicas))
		for i, r := range replicas {
			wg.Add(1)
			go func() {
				defer wg.Done()
				k, err := r.PublishDue(context.Background())
				if err != nil {
					t.Error(err)
				}
				counts[i] = k
				if err := r.DeliverNow(context.Background()); err != nil {
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if counts[0]+counts[1] != 2 {
			t.Fatalf("the replicas published %v, want 2 in all", counts)
		}
		for range 2 {
			for _, r := range replicas {
				if err := r.DeliverNow(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
		}
		if got := reader.count("Create"); got != 2 {
			t.Fatalf("the follower received %d posts, want 2 (one per language)", got)
		}
		if got, err := n.Svc.Group(officer, g[0].GroupID); err != nil || got[0].State != publicdiplomacy.PostReview {
			t.Fatalf("the unapproved post is %+v (%v)", got, err)
		}
	})
}
