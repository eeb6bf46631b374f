package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"testing"
	"time"

	"entente.example/entente/modules/dialogue"
)

// BenchmarkDialogueThread5000 measures the thread page of a Chatham House
// dialogue holding 5,000 contributions (1,000 threads of one contribution
// and four replies) from 20 organisations, over HTTP with gzip: the first
// page and a page deep in the dialogue, as a participant (no names) and as
// the host's moderator (names).
func BenchmarkDialogueThread5000(b *testing.B) {
	ctx := context.Background()
	n := benchNode(b)
	benchOrgs(b, n, "host", 1)
	parts := benchOrgs(b, n, "p", 20)
	host, err := actorFor(ctx, n, "poc@host-000.test")
	if err != nil {
		b.Fatal(err)
	}
	svc := n.svcs.Dialogue
	d, err := svc.Create(host, dialogue.Input{Host: "host-000", Title: "Bench", Rule: dialogue.RuleChatham})
	if err != nil {
		b.Fatal(err)
	}
	actors := make([]context.Context, len(parts))
	for i, h := range parts {
		if err := svc.AddParty(host, d.ID, h, dialogue.RoleParticipant); err != nil {
			b.Fatal(err)
		}
		if actors[i], err = actorFor(ctx, n, "poc@"+h+".test"); err != nil {
			b.Fatal(err)
		}
	}
	start := time.Now()
	for i := range 1000 {
		body := fmt.Sprintf("Contribution %d: ransomware groups target hospitals; CERTs should share indicators within hours and law enforcement should preserve data promptly.", i)
		if err := svc.Contribute(actors[i%20], d.ID, dialogue.ContributionInput{Body: body}); err != nil {
			b.Fatal(err)
		}
	}
	v, err := svc.Get(host, d.ID)
	if err != nil {
		b.Fatal(err)
	}
	var roots []dialogue.Contribution
	for after := int64(0); ; {
		t, err := svc.Threads(host, v, "", after)
		if err != nil {
			b.Fatal(err)
		}
		roots = append(roots, t.Threads...)
		if t.Next == 0 {
			break
		}
		after = t.Next
	}
	for i := range 4000 {
		r := roots[i%len(roots)]
		if err := svc.Contribute(actors[(i+3)%20], d.ID, dialogue.ContributionInput{Parent: r.ID, Body: fmt.Sprintf("Reply %d: agreed, with a point of contact on each side.", i)}); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("5,000 contributions in %v", time.Since(start).Round(time.Millisecond))
	pw := "dialogue benchmark password"
	for _, who := range []string{"poc@host-000.test", "poc@p-005.test"} {
		if err := setPassword(ctx, n, who, pw); err != nil {
			b.Fatal(err)
		}
	}
	deep := roots[len(roots)/2].Seq
	for _, run := range []struct{ name, who, url string }{
		{"participant-first", "poc@p-005.test", "/dialogue/" + d.ID},
		{"participant-deep", "poc@p-005.test", fmt.Sprintf("/dialogue/%s?after=%d", d.ID, deep)},
		{"moderator-first", "poc@host-000.test", "/dialogue/" + d.ID},
	} {
		c := login(b, n.baseURL, run.who, pw)
		get := func() (time.Duration, int) {
			req, _ := http.NewRequest("GET", n.baseURL+run.url, nil)
			req.Header.Set("Accept-Encoding", "gzip")
			t0 := time.Now()
			res, err := c.http.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != 200 {
				b.Fatalf("%s: status %d", run.url, res.StatusCode)
			}
			return time.Since(t0), len(body)
		}
		b.Run(run.name, func(b *testing.B) {
			_, size := get()
			var ds []time.Duration
			for b.Loop() {
				d, _ := get()
				ds = append(ds, d)
			}
			slices.Sort(ds)
			b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(ds[len(ds)*99/100].Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(size)/1024, "gzip-KB")
		})
	}
}

// BenchmarkDialogueReach measures how long a contribution written on one
// participant's node takes to reach every participating node: sent to the
// host as a signed envelope, numbered there, and back in the host's signed
// copy to both participant nodes. One operation is one contribution;
// reported: reach-ms (written until the last node holds it), p50 and p99.
func BenchmarkDialogueReach(b *testing.B) {
	ctx := context.Background()
	host, m1, m2 := benchNode(b), benchNode(b), benchNode(b)
	benchOrgs(b, host, "host", 1)
	a := benchOrgs(b, m1, "a", 1)[0]
	c := benchOrgs(b, m2, "c", 1)[0]
	if err := peerAll(ctx, []*node{host, m1, m2}); err != nil {
		b.Fatal(err)
	}
	hostActor, err := actorFor(ctx, host, "poc@host-000.test")
	if err != nil {
		b.Fatal(err)
	}
	d, err := host.svcs.Dialogue.Create(hostActor, dialogue.Input{Host: "host-000", Title: "Reach", Rule: dialogue.RuleChatham})
	if err != nil {
		b.Fatal(err)
	}
	for _, addr := range []string{a + "@" + m1.fed.Host(), c + "@" + m2.fed.Host()} {
		if err := host.svcs.Dialogue.AddParty(hostActor, d.ID, addr, dialogue.RoleParticipant); err != nil {
			b.Fatal(err)
		}
	}
	count := func(n *node) int {
		var k int
		if err := n.db.R().Get(ctx, &k, `SELECT COUNT(*) FROM dlg_contributions WHERE dialogue_id = ?`, d.ID); err != nil {
			b.Fatal(err)
		}
		return k
	}
	has := func(n *node) bool {
		var k int
		_ = n.db.R().Get(ctx, &k, `SELECT COUNT(*) FROM dlg_dialogues WHERE id = ?`, d.ID)
		return k == 1
	}
	benchWait(b, "the dialogue's copies", func() bool { return has(m1) && has(m2) })
	writer, err := actorFor(ctx, m1, "poc@"+a+".test")
	if err != nil {
		b.Fatal(err)
	}
	var ds []time.Duration
	i := 0
	for b.Loop() {
		i++
		t0 := time.Now()
		if err := m1.svcs.Dialogue.Contribute(writer, d.ID, dialogue.ContributionInput{Body: fmt.Sprintf("Contribution %d", i)}); err != nil {
			b.Fatal(err)
		}
		for deadline := t0.Add(time.Minute); count(m1) < i || count(m2) < i || count(host) < i; {
			if time.Now().After(deadline) {
				b.Fatalf("contribution %d reached only some nodes in a minute", i)
			}
			time.Sleep(2 * time.Millisecond)
		}
		ds = append(ds, time.Since(t0))
	}
	slices.Sort(ds)
	b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(ds[len(ds)*99/100].Microseconds())/1000, "p99-ms")
}
