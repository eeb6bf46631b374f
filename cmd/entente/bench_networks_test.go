package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/config"
	"entente.example/entente/internal/store"
	"entente.example/entente/modules/directory"
)

// benchNode builds and starts a whole node in this process, for benchmarks
// that drive its services directly.
func benchNode(b *testing.B) *node {
	b.Helper()
	cfg := config.Defaults()
	cfg.Addr = "127.0.0.1:0"
	cfg.DataDir = b.TempDir()
	cfg.LogLevel = "error"
	cfg.AllowPrivatePeers = true
	if err := cfg.Validate(); err != nil {
		b.Fatal(err)
	}
	e := env{getenv: envFrom(nil), stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard}
	n, err := e.build(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(n.close)
	stop := n.start(context.Background())
	b.Cleanup(func() { stop() })
	return n
}

// benchOrgs adds states, each with one person who is its focal point, by SQL
// (no password hashing: they never sign in over HTTP).
func benchOrgs(b *testing.B, n *node, prefix string, count int) []string {
	b.Helper()
	var handles []string
	err := n.db.WithTx(context.Background(), func(tx *store.Tx) error {
		for i := range count {
			h := fmt.Sprintf("%s-%03d", prefix, i)
			org, user := core.NewID(tx.Now), core.NewID(tx.Now)
			if _, err := tx.Exec(context.Background(), `INSERT INTO organisations (id, handle, kind, country, name_en, created_at, updated_at) VALUES (?, ?, 'state_ministry', 'ID', ?, ?, ?)`, org, h, "State "+h, tx.Now, tx.Now); err != nil {
				return err
			}
			if _, err := tx.Exec(context.Background(), `INSERT INTO users (id, email, name, created_at) VALUES (?, ?, ?, ?)`, user, "poc@"+h+".test", "POC of "+h, tx.Now); err != nil {
				return err
			}
			if _, err := tx.Exec(context.Background(), `INSERT INTO memberships (user_id, org_id, role, created_at) VALUES (?, ?, 'admin', ?)`, user, org, tx.Now); err != nil {
				return err
			}
			handles = append(handles, h)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return handles
}

func benchWait(b *testing.B, what string, ok func() bool) {
	b.Helper()
	deadline := time.Now().Add(5 * time.Minute)
	for !ok() {
		if time.Now().After(deadline) {
			b.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// BenchmarkPing200AcrossNodes: a secretariat's node and two member nodes on
// loopback, 200 states (100 on each member node) with one point of contact
// each. One operation is a whole communication check: start it, every ping
// arrives at its node, every point of contact acknowledges, and the host has
// counted all 200. Reported: deliver-ms (start until the last ping is stored
// on its node) and collect-ms (first acknowledgment given until the host has
// all of them).
func BenchmarkPing200AcrossNodes(b *testing.B) {
	ctx := context.Background()
	host, m1, m2 := benchNode(b), benchNode(b), benchNode(b)
	nodes := []*node{host, m1, m2}
	benchOrgs(b, host, "sec", 1)
	states := map[*node][]string{m1: benchOrgs(b, m1, "a", 100), m2: benchOrgs(b, m2, "b", 100)}
	if err := peerAll(ctx, nodes); err != nil {
		b.Fatal(err)
	}
	sec, err := actorFor(ctx, host, "poc@sec-000.test")
	if err != nil {
		b.Fatal(err)
	}
	def := directory.Definitions()[0]
	def.Secretariat, def.PingCadenceDays = "sec-000", 0
	nw, err := host.svcs.Networks.CreateNetwork(sec, def)
	if err != nil {
		b.Fatal(err)
	}
	for n, hs := range states {
		for _, h := range hs {
			if err := host.svcs.Networks.AddMember(sec, nw.ID, h+"@"+n.fed.Host()); err != nil {
				b.Fatal(err)
			}
		}
	}
	count := func(n *node, q string, args ...any) int {
		var k int
		if err := n.db.R().Get(ctx, &k, q, args...); err != nil {
			b.Fatal(err)
		}
		return k
	}
	benchWait(b, "the network with 200 members on the member nodes", func() bool {
		return count(m1, `SELECT COUNT(*) FROM poc_members WHERE network_id = ?`, nw.ID) == 200 && count(m2, `SELECT COUNT(*) FROM poc_members WHERE network_id = ?`, nw.ID) == 200
	})
	for n, hs := range states {
		for _, h := range hs {
			actx, err := actorFor(ctx, n, "poc@"+h+".test")
			if err != nil {
				b.Fatal(err)
			}
			a := core.ActorFrom(actx)
			if _, err := n.svcs.Networks.Nominate(actx, nw.ID, directory.NominationInput{Member: h, Category: "technical", PersonID: a.UserID}); err != nil {
				b.Fatal(err)
			}
		}
	}
	benchWait(b, "200 nominations at the secretariat", func() bool {
		return count(host, `SELECT COUNT(*) FROM poc_nominations WHERE status = 'pending'`) == 200
	})
	pending, err := host.svcs.Networks.Nominations(sec, nw.ID, directory.NominationPending)
	if err != nil {
		b.Fatal(err)
	}
	for _, p := range pending {
		if err := host.svcs.Networks.Decide(sec, p.ID, true, ""); err != nil {
			b.Fatal(err)
		}
	}
	benchWait(b, "the directory of 200 on the member nodes", func() bool {
		return count(m1, `SELECT COUNT(*) FROM poc_entries WHERE network_id = ?`, nw.ID) == 200 && count(m2, `SELECT COUNT(*) FROM poc_entries WHERE network_id = ?`, nw.ID) == 200
	})
	actors := map[*node][]context.Context{}
	for n, hs := range states {
		for _, h := range hs {
			actx, err := actorFor(ctx, n, "poc@"+h+".test")
			if err != nil {
				b.Fatal(err)
			}
			actors[n] = append(actors[n], actx)
		}
	}

	var deliver, collect time.Duration
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		p, err := host.svcs.Networks.StartPing(sec, nw.ID, directory.PingInput{Deadline: time.Now().Add(time.Hour)})
		if err != nil {
			b.Fatal(err)
		}
		benchWait(b, "200 pings stored", func() bool {
			return count(m1, `SELECT COUNT(*) FROM poc_pings_received WHERE ping_id = ?`, p.ID)+count(m2, `SELECT COUNT(*) FROM poc_pings_received WHERE ping_id = ?`, p.ID) == 200
		})
		delivered := time.Now()
		deliver += delivered.Sub(start)
		for n, as := range actors {
			for _, actx := range as {
				ps, err := n.svcs.Networks.MyPings(actx)
				if err != nil {
					b.Fatal(err)
				}
				for _, r := range ps {
					if r.PingID == p.ID {
						if err := n.svcs.Networks.AckPing(actx, r.ID); err != nil {
							b.Fatal(err)
						}
					}
				}
			}
		}
		benchWait(b, "200 acknowledgments at the host", func() bool {
			return count(host, `SELECT COUNT(*) FROM poc_ping_targets WHERE ping_id = ? AND state = 'acknowledged'`, p.ID) == 200
		})
		collect += time.Since(delivered)
	}
	b.ReportMetric(float64(deliver.Milliseconds())/float64(b.N), "deliver-ms")
	b.ReportMetric(float64(collect.Milliseconds())/float64(b.N), "collect-ms")
}

// BenchmarkBoard200x5: the reachability board (GET /pocs, over HTTP, gzip)
// of one state's focal point on a node that carries 200 states, all members
// of the five shipped networks, each with a primary and a deputy contact and
// twelve past pings received per network.
func BenchmarkBoard200x5(b *testing.B) {
	ctx := context.Background()
	n := benchNode(b)
	benchOrgs(b, n, "sec", 1)
	states := benchOrgs(b, n, "st", 200)
	sec, err := actorFor(ctx, n, "poc@sec-000.test")
	if err != nil {
		b.Fatal(err)
	}
	var nets []directory.Network
	for _, d := range directory.Definitions() {
		d.Secretariat, d.PingCadenceDays = "sec-000", 0
		nw, err := n.svcs.Networks.CreateNetwork(sec, d)
		if err != nil {
			b.Fatal(err)
		}
		nets = append(nets, nw)
	}
	pw := "board benchmark password"
	err = n.db.WithTx(ctx, func(tx *store.Tx) error {
		q := func(s string, args ...any) {
			if err == nil {
				_, err = tx.Exec(ctx, s, args...)
			}
		}
		for _, nw := range nets {
			for _, h := range states {
				var org, user string
				if err := tx.Get(ctx, &org, `SELECT id FROM organisations WHERE handle = ?`, h); err != nil {
					return err
				}
				if err := tx.Get(ctx, &user, `SELECT user_id FROM memberships WHERE org_id = ?`, org); err != nil {
					return err
				}
				addr := h + "@" + n.fed.Host()
				q(`INSERT INTO poc_members (network_id, addr, org_id, name_en, country, joined_at) VALUES (?, ?, ?, ?, 'ID', ?)`, nw.ID, addr, org, "State "+h, tx.Now)
				for i, cat := range nw.Categories[:2] {
					e := core.NewID(tx.Now)
					q(`INSERT INTO poc_entries (`+"id, network_id, member_addr, category, deputy, person_ref, name, email, nominated_at, confirmed_at, nomination, signed_by"+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '{}', 'x')`,
						e, nw.ID, addr, cat.Code, i == 1, user, "POC of "+h, "poc@"+h+".test", tx.Now, tx.Now)
					if i == 1 {
						continue
					}
					for k := range 12 {
						at := tx.Now.Add(-time.Duration(12-k) * 30 * 24 * time.Hour)
						q(`INSERT INTO poc_pings_received (id, ping_id, target_id, entry_id, network_id, from_addr, member_addr, org_id, person_ref, category, deadline, received_at, acked_at, acked_by)
							VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, core.NewID(tx.Now), fmt.Sprint("p", k), core.NewID(tx.Now), e, nw.ID, "sec-000@"+n.fed.Host(), addr, org, user, cat.Code,
							at.Add(24*time.Hour), at, at.Add(time.Duration(k)*time.Hour), "POC of "+h)
					}
				}
			}
		}
		if err != nil {
			return err
		}
		var user string
		if err := tx.Get(ctx, &user, `SELECT id FROM users WHERE email = 'poc@st-042.test'`); err != nil {
			return err
		}
		return n.auth.SetPasswordDirect(ctx, tx, user, pw)
	})
	if err != nil {
		b.Fatal(err)
	}
	c := login(b, n.baseURL, "poc@st-042.test", pw)
	r := c.get("/pocs")
	if r.StatusCode != 200 || strings.Count(r.Body, `<a href="/networks/`) != 5 {
		b.Fatalf("board: %d\n%s", r.StatusCode, r.Body)
	}
	// How heavy the pages of a network of 200 states are, compressed.
	for _, p := range []string{"/pocs", "/networks/" + nets[0].ID} {
		req, _ := http.NewRequest("GET", n.baseURL+p, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		res, err := c.http.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		b.Logf("%s: %d bytes gzip", p, len(body))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req, _ := http.NewRequest("GET", n.baseURL+"/pocs", nil)
		req.Header.Set("Accept-Encoding", "gzip")
		res, err := c.http.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			b.Fatalf("status %d", res.StatusCode)
		}
	}
}
