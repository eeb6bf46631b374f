package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"entente.example/entente/internal/store"
	"entente.example/entente/modules/negotiation"
)

// BenchmarkNegotiation200x500 measures the negotiating table at the size of
// a long UN text: 200 paragraphs (half with brackets, some with options),
// 500 amendments from 20 delegations with positions, two revisions. It
// reports the p50 and p99 of the workspace page and of a revision
// comparison, over HTTP with gzip, as the chair sees them.
func BenchmarkNegotiation200x500(b *testing.B) {
	ctx := context.Background()
	n := benchNode(b)
	benchOrgs(b, n, "ch", 1)
	dels := benchOrgs(b, n, "dl", 20)
	chair, err := actorFor(ctx, n, "poc@ch-000.test")
	if err != nil {
		b.Fatal(err)
	}
	svc := n.svcs.Negotiation
	p, err := svc.Create(chair, negotiation.ProcessInput{Title: "Bench", Forum: "UN", Secretariat: "ch-000", Chair: "ch-000"})
	if err != nil {
		b.Fatal(err)
	}
	for _, h := range dels {
		if err := svc.AddParty(chair, p.ID, h, negotiation.RoleDelegation); err != nil {
			b.Fatal(err)
		}
	}
	var pp, op []string
	for i := range 200 {
		w := fmt.Sprintf("States should, in accordance with international law and the norms of responsible state behaviour, cooperate on incident %d affecting critical infrastructure, share information without undue delay and consider requests for assistance", i)
		if i%2 == 0 {
			w = strings.Replace(w, "without undue delay", "[without undue delay] [in a timely manner]", 1)
		}
		if i < 20 {
			pp = append(pp, w+",")
		} else {
			op = append(op, w+";")
		}
	}
	t, err := svc.AddText(chair, p.ID, negotiation.TextInput{Title: "Long text", Kind: "rolling-text", Preamble: strings.Join(pp, "\n\n"), Operative: strings.Join(op, "\n\n")})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := svc.IssueRevision(chair, p.ID, t.ID, ""); err != nil {
		b.Fatal(err)
	}
	actors := make([]context.Context, len(dels))
	for i, h := range dels {
		if actors[i], err = actorFor(ctx, n, "poc@"+h+".test"); err != nil {
			b.Fatal(err)
		}
	}
	start := time.Now()
	for i := range 500 {
		para := t.Paragraphs[(i*7)%200]
		in := negotiation.ActInput{Kind: negotiation.ActAmend, Text: t.ID, Amend: &negotiation.Amend{Para: para.ID, Kind: negotiation.AmendReplace,
			Proposed: strings.Replace(para.Options[0], "cooperate", fmt.Sprintf("cooperate closely (%d)", i), 1), Justification: "Clearer."}}
		if i%5 == 4 {
			in.Amend.Kind = negotiation.AmendOption
		}
		if _, err := svc.Do(actors[i%20], p.ID, in); err != nil {
			b.Fatal(err)
		}
		if _, err := svc.Do(actors[(i+1)%20], p.ID, negotiation.ActInput{Kind: negotiation.ActPosition, Text: t.ID, Position: &negotiation.Stance{Target: fmt.Sprintf("a:A%d", i+1), Stance: negotiation.Stances[i%4]}}); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("500 amendments and 500 positions applied in %v", time.Since(start).Round(time.Millisecond))
	for i := 1; i <= 100; i++ {
		if err := svc.Decide(chair, p.ID, t.ID, fmt.Sprintf("A%d", i), negotiation.DecisionInput{Verdict: "accept"}); err != nil && !strings.Contains(err.Error(), "outdated") {
			b.Fatal(err)
		}
	}
	if _, err := svc.IssueRevision(chair, p.ID, t.ID, ""); err != nil {
		b.Fatal(err)
	}
	pw := "negotiation benchmark password"
	if err := setPassword(ctx, n, "poc@ch-000.test", pw); err != nil {
		b.Fatal(err)
	}
	c := login(b, n.baseURL, "poc@ch-000.test", pw)
	base := n.baseURL + "/negotiation/" + p.ID + "/texts/" + t.ID
	get := func(u string) (time.Duration, int) {
		req, _ := http.NewRequest("GET", u, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		t0 := time.Now()
		res, err := c.http.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			b.Fatalf("%s: status %d", u, res.StatusCode)
		}
		return time.Since(t0), len(body)
	}
	for _, page := range []struct{ name, url string }{{"workspace", base}, {"compare", base + "/compare?a=1&b=2"}} {
		b.Run(page.name, func(b *testing.B) {
			_, size := get(page.url)
			var ds []time.Duration
			for b.Loop() {
				d, _ := get(page.url)
				ds = append(ds, d)
			}
			slices.Sort(ds)
			b.ReportMetric(float64(ds[len(ds)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(ds[len(ds)*99/100].Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(size)/1024, "gzip-KB")
		})
	}
}

// setPassword gives a benchmark person a password, to sign in over HTTP.
func setPassword(ctx context.Context, n *node, email, pw string) error {
	return n.db.WithTx(ctx, func(tx *store.Tx) error {
		var user string
		if err := tx.Get(ctx, &user, `SELECT id FROM users WHERE email = ?`, email); err != nil {
			return err
		}
		return n.auth.SetPasswordDirect(ctx, tx, user, pw)
	})
}
