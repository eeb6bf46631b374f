package publicdiplomacy_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/publicdiplomacy/ap"
)

// BenchmarkFanOut measures one post going to 10,000 followers on 500
// instances on loopback: half the instances have a shared inbox (as
// Mastodon does: one delivery each), half have none (as GoToSocial: one
// per follower). In the dead-20pct run a fifth of the instances are dead,
// half refusing connections and half accepting them and never answering.
// It reports the time until every live instance has everything and the
// live deliveries' p50 and p99 from publication, to compare with the run
// without dead instances:
//
//	go test ./modules/publicdiplomacy -run '^$' -bench FanOut -benchtime 1x
func BenchmarkFanOut(b *testing.B) {
	for _, deadShare := range []int{0, 20} {
		b.Run(fmt.Sprintf("dead-%dpct", deadShare), func(b *testing.B) {
			for range b.N {
				fanOut(b, deadShare)
			}
		})
	}
}

func fanOut(b *testing.B, deadShare int) {
	const instances, perInstance = 500, 20
	n := newNode(b, storetest.Engines(b)[0])
	n.Org(b, "kemlu", core.OrgStateMinistry, "ID", "Ministry of Foreign Affairs")
	acc := n.Account(b, "kemlu", "kemlu")

	var mu sync.Mutex
	var start time.Time
	var lat []time.Duration
	want := 0
	allLive := make(chan struct{})
	hang := make(chan struct{})
	var open []*httptest.Server
	defer func() {
		close(hang) // first, or closing a hanging server waits forever
		for _, srv := range open {
			srv.Close()
		}
	}()
	type follower struct{ actor, host, inbox, shared string }
	var fs []follower
	deadEvery := 0
	if deadShare > 0 {
		deadEvery = 100 / deadShare
	}
	var refusing []*httptest.Server
	for i := range instances {
		dead := deadEvery > 0 && i%deadEvery == 0
		var h http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			lat = append(lat, time.Since(start))
			if len(lat) == want {
				close(allLive)
			}
			mu.Unlock()
			w.WriteHeader(http.StatusAccepted)
		})
		if dead && i%(2*deadEvery) != 0 {
			h = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				select {
				case <-hang:
				case <-r.Context().Done():
				}
			})
		}
		srv := httptest.NewServer(h)
		if dead && i%(2*deadEvery) == 0 {
			refusing = append(refusing, srv) // closed once all are open: a closed port must not be reused by the next one
		} else {
			open = append(open, srv)
		}
		shared := ""
		if i%2 == 0 {
			shared = srv.URL + "/inbox"
		}
		for j := range perInstance {
			actor := fmt.Sprintf("%s/users/u%d", srv.URL, j)
			inbox := actor + "/inbox"
			fs = append(fs, follower{actor, srv.Listener.Addr().String(), inbox, shared})
		}
		if !dead {
			if shared != "" {
				want++
			} else {
				want += perInstance
			}
		}
	}
	for _, srv := range refusing {
		srv.Close()
	}
	err := n.DB.WithTx(context.Background(), func(tx *store.Tx) error {
		for _, f := range fs {
			if _, err := tx.Exec(context.Background(), `INSERT INTO pd_actors (uri, host, username, inbox, shared_inbox, fetched_at) VALUES (?, ?, 'u', ?, ?, ?)`, f.actor, f.host, f.inbox, f.shared, tx.Now); err != nil {
				return err
			}
			if _, err := tx.Exec(context.Background(), `INSERT INTO pd_followers (account_id, actor, host, follow_id, state, created_at) VALUES (?, ?, ?, ?, 'accepted', ?)`, acc.ID, f.actor, f.host, f.actor+"#f", tx.Now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	b.ResetTimer()
	start = time.Now()
	n.Publish(b, "kemlu", acc, nil, hello)
	go func() { n.Svc.Run(ctx); close(done) }()
	select {
	case <-allLive:
	case <-time.After(5 * time.Minute):
		b.Fatalf("only %d of %d live deliveries after 5 minutes", len(lat), want)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	cancel()
	<-done
	mu.Lock()
	slices.Sort(lat)
	b.ReportMetric(elapsed.Seconds(), "s-all-live")
	b.ReportMetric(float64(lat[len(lat)/2].Milliseconds()), "ms-p50-live")
	b.ReportMetric(float64(lat[len(lat)*99/100].Milliseconds()), "ms-p99-live")
	b.ReportMetric(float64(want), "live-deliveries")
	mu.Unlock()
}

// BenchmarkInbox measures signed activities arriving at an inbox over
// HTTP, each verified (signature over the exact bytes, digest, the
// signer's cached key) and stored: replies to a published post, which land
// in the web-care queue. It reports activities per second:
//
//	go test ./modules/publicdiplomacy -run '^$' -bench Inbox -benchtime 2000x
func BenchmarkInbox(b *testing.B) {
	id, au := newNode(b, storetest.Engines(b)[0]), newNode(b, storetest.Engines(b)[0])
	id.Org(b, "kemlu", core.OrgStateMinistry, "ID", "Ministry of Foreign Affairs")
	au.Org(b, "dfat", core.OrgStateMinistry, "AU", "DFAT")
	kemlu, dfat := id.Account(b, "kemlu", "kemlu"), au.Account(b, "dfat", "dfat")
	posts := id.Publish(b, "kemlu", kemlu, nil, hello)
	note, me := id.URL+"/social/kemlu/"+posts[0].ID, au.URL+"/social/dfat"
	key, err := ap.ParsePrivateKeyPEM(dfat.PrivateKey)
	if err != nil {
		b.Fatal(err)
	}
	var seq atomic.Int64
	send := func() error {
		i := seq.Add(1)
		body := []byte(fmt.Sprintf(`{"id":"%[1]s/n%[2]d/activity","type":"Create","actor":"%[1]s","object":{"id":"%[1]s/n%[2]d","type":"Note","attributedTo":"%[1]s","content":"<p>Reply %[2]d</p>","inReplyTo":"%[3]s","to":["%[4]s"]}}`, me, i, note, ap.Public))
		req, err := http.NewRequest(http.MethodPost, id.URL+"/social/inbox", bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", ap.ContentType)
		if err := ap.Sign(req, body, me+"#main-key", key, au.Clock.Now()); err != nil {
			return err
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusAccepted {
			return fmt.Errorf("status %d", res.StatusCode)
		}
		return nil
	}
	if err := send(); err != nil { // fetches and caches dfat's key
		b.Fatal(err)
	}
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if err := send(); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "activities/s")
	var stored int
	if err := id.DB.R().Get(context.Background(), &stored, `SELECT COUNT(*) FROM pd_inbox`); err != nil || stored != b.N+1 {
		b.Fatalf("%d stored for %d sent (%v)", stored, b.N+1, err)
	}
}
