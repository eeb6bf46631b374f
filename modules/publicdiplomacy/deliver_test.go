package publicdiplomacy_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/publicdiplomacy"
)

var hello = publicdiplomacy.Translation{Language: "en", Content: "Hello from the Ministry."}

// TestDeadInstanceDoesNotDelayLiveOnes publishes to followers on three
// live instances, one that hangs and one that refuses connections: the
// live ones have the post while the hanging one still holds its request,
// and the refusing one waits behind its open breaker.
func TestDeadInstanceDoesNotDelayLiveOnes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		n := newNode(t, e)
		n.Org(t, "kemlu", core.OrgStateMinistry, "ID", "Ministry of Foreign Affairs")
		acc := n.Account(t, "kemlu", "kemlu")
		var live []*inboxServer
		for i := range 3 {
			s := newInboxServer(t)
			live = append(live, s)
			n.Follower(t, acc.ID, s.URL+"/users/r"+string(rune('a'+i)), s.URL+"/inbox")
		}
		hang := make(chan struct{})
		hanging := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-hang:
			case <-r.Context().Done():
			}
		}))
		t.Cleanup(hanging.Close)
		t.Cleanup(func() { close(hang) })
		n.Follower(t, acc.ID, hanging.URL+"/users/slow", hanging.URL+"/inbox")
		refused := httptest.NewServer(nil)
		n.Follower(t, acc.ID, refused.URL+"/users/gone", refused.URL+"/inbox")
		refused.Close()

		n.Publish(t, "kemlu", acc, nil, hello)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { n.Svc.Run(ctx); close(done) }()
		t.Cleanup(func() { cancel(); <-done })
		for _, s := range live {
			select {
			case <-s.hit:
			case <-time.After(time.Minute):
				t.Fatalf("a live instance never got the post")
			}
		}
		var states []struct {
			Host     string `db:"host"`
			State    string `db:"state"`
			Attempts int    `db:"attempts"`
		}
		if err := n.DB.R().Select(context.Background(), &states, `SELECT host, state, attempts FROM pd_deliveries ORDER BY host`); err != nil {
			t.Fatal(err)
		}
		for _, s := range states {
			if s.Host == hostOf(hanging.URL) && (s.State != "queued" || s.Attempts != 0) {
				t.Errorf("the hanging instance's delivery: %+v (its request is still open)", s)
			}
		}
		if len(states) != 5 {
			t.Fatalf("%d deliveries for 5 instances", len(states))
		}
	})
}

// TestBreakerAndDeadInstance: an instance that fails has its breaker
// opened (its next deliveries wait instead of failing again); one that
// failed on seven distinct days is dead and its deliveries are skipped,
// while a live instance goes on receiving everything.
func TestBreakerAndDeadInstance(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		n := newNode(t, e)
		n.Org(t, "kemlu", core.OrgStateMinistry, "ID", "Ministry of Foreign Affairs")
		acc := n.Account(t, "kemlu", "kemlu")
		admin := n.As("Admin", "kemlu", core.RoleAdmin)
		live := newInboxServer(t)
		n.Follower(t, acc.ID, live.URL+"/users/reader", live.URL+"/inbox")
		refused := httptest.NewServer(nil)
		gone := hostOf(refused.URL)
		n.Follower(t, acc.ID, refused.URL+"/users/gone", refused.URL+"/inbox")
		refused.Close()

		update := func() {
			t.Helper()
			if _, err := n.Svc.UpdateAccount(admin, acc.ID, publicdiplomacy.AccountInput{DisplayName: "Kemlu " + n.Clock.Now().Format("2006-01-02"), Language: "en"}); err != nil {
				t.Fatal(err)
			}
			n.Deliver(t)
		}
		attempts := func() (n1 int) {
			t.Helper()
			if err := n.DB.R().Get(context.Background(), &n1, `SELECT COALESCE(SUM(attempts), 0) FROM pd_deliveries WHERE host = ?`, gone); err != nil {
				t.Fatal(err)
			}
			return n1
		}
		update()
		if a := attempts(); a != 1 {
			t.Fatalf("%d attempts to the refusing instance after one update", a)
		}
		update() // its breaker is open: this one waits
		if a := attempts(); a != 1 {
			t.Fatalf("%d attempts while the breaker is open", a)
		}
		for day := 1; day < publicdiplomacy.DeadDays; day++ {
			n.Clock.Advance(24 * time.Hour)
			update()
		}
		var dead bool
		if err := n.DB.R().Get(context.Background(), &dead, `SELECT dead FROM pd_instances WHERE host = ?`, gone); err != nil || !dead {
			t.Fatalf("after failures on %d days the instance is dead = %v (%v)", publicdiplomacy.DeadDays, dead, err)
		}
		n.Clock.Advance(24 * time.Hour)
		before := attempts()
		update()
		if a := attempts(); a != before {
			t.Fatalf("a dead instance was tried again: %d attempts, %d before", a, before)
		}
		var skipped int
		if err := n.DB.R().Get(context.Background(), &skipped, `SELECT COUNT(*) FROM pd_deliveries WHERE host = ? AND state = 'skipped'`, gone); err != nil || skipped == 0 {
			t.Fatalf("no skipped deliveries to the dead instance (%v)", err)
		}
		if got := live.count("Update"); got != publicdiplomacy.DeadDays+2 {
			t.Fatalf("the live instance got %d updates, want %d", got, publicdiplomacy.DeadDays+2)
		}
	})
}

func hostOf(u string) string { return u[len("http://"):] }
