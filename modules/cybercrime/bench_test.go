package cybercrime

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
)

// The benchmark's node hosts four organisations; the others are on peers.
var benchHosted = []struct{ org, country, addr string }{
	{"o-id", "ID", "polri@node.test"}, {"o-sg", "SG", "spf@node.test"}, {"o-au", "AU", "afp@node.test"}, {"o-jp", "JP", "npa@node.test"},
}

var benchRemote = []struct{ country, addr string }{
	{"MY", "pdrm@my.test"}, {"TH", "tcsd@th.test"}, {"VN", "a05@vn.test"}, {"PH", "nbi@ph.test"}, {"KR", "knpa@kr.test"}, {"US", "fbi@us.test"},
}

// benchRequests is how many requests the benchmarks hold:
// ENTENTE_BENCH_REQUESTS, 100,000 by default.
func benchRequests() int {
	if n, err := strconv.Atoi(os.Getenv("ENTENTE_BENCH_REQUESTS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

// benchSeed stores n requests over two years in multi-row INSERTs of 500
// (16,500 parameters, under both engines' limits), in one transaction: the
// lifecycle would take hours to make as many. Half are Indonesia's; 3 % are
// between two organisations of this node (two rows each), 2 % exercises,
// 10 % drafts; the rest sent, most executed, some refused, some open.
func benchSeed(tb testing.TB, db *store.DB, n int) {
	tb.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2024, 12, 1, 0, 0, 0, 0, time.UTC)
	step := 2 * 365 * 24 * time.Hour / time.Duration(n)
	facts := strings.Repeat("The suspect's server sent ransomware commands to the victim's network. ", 12)
	h := func(x float64) time.Duration { return time.Duration(x * float64(time.Hour)) }
	var rows []Request
	add := func(r Request) { rows = append(rows, r) }
	for i := 0; len(rows) < n; i++ {
		created := start.Add(time.Duration(i) * step)
		id := core.NewID(created)
		org := benchHosted[[]int{0, 0, 0, 0, 0, 1, 1, 2, 2, 3}[rng.IntN(10)]]
		other := benchRemote[rng.IntN(len(benchRemote))]
		local := rng.IntN(100) < 3
		if local {
			o := benchHosted[(slices.IndexFunc(benchHosted, func(x struct{ org, country, addr string }) bool { return x.org == org.org })+1+rng.IntN(3))%4]
			other = struct{ country, addr string }{o.country, o.addr}
		}
		r := Request{ID: id, OriginID: id, Direction: "out", OrgID: org.org, From: org.addr, To: other.addr, FromCountry: org.country, ToCountry: other.country,
			Kind: Kinds[rng.IntN(6)], Basis: "budapest", Language: "en", FieldsJSON: `{"authority":"Cyber crime directorate","facts":"` + facts + `"}`,
			Author: "Investigator", CreatedAt: created, UpdatedAt: created, Exercise: rng.IntN(100) < 2}
		if !local && rng.IntN(10) < 4 {
			r.Direction, r.From, r.To, r.FromCountry, r.ToCountry = "in", other.addr, org.addr, other.country, org.country
		}
		sent := created.Add(h(rng.Float64() * 4))
		respond := sent.Add(Specs[r.Kind].Respond)
		ack := sent.Add(h(0.2 + rng.ExpFloat64()*8))
		done := ack.Add(h(2 + rng.ExpFloat64()*24*float64(1+rng.IntN(20))))
		switch p := rng.IntN(100); {
		case p < 10 && r.Direction == "out":
			r.State = StateDraft
		case p < 20:
			r.State, r.SentAt, r.RespondBy = StateSent, &sent, &respond
		case p < 30:
			r.State, r.SentAt, r.RespondBy, r.AckAt = StateAcknowledged, &sent, &respond, &ack
			if r.Kind == KindPreservation {
				r.State, r.PreservAt = StatePreserved, &ack
			}
		case p < 40:
			r.State, r.SentAt, r.RespondBy, r.AckAt, r.ExecutedAt = StateRefused, &sent, &respond, &ack, &done
			r.Ground = "essential_interests"
		default:
			r.State, r.SentAt, r.RespondBy, r.AckAt, r.ExecutedAt = StateExecuted, &sent, &respond, &ack, &done
		}
		add(r)
		if local && r.State != StateDraft && len(rows) < n {
			in := r
			in.ID, in.Direction = core.NewID(created), "in"
			in.OrgID = benchHosted[slices.IndexFunc(benchHosted, func(x struct{ org, country, addr string }) bool { return x.addr == r.To })].org
			add(in)
		}
	}
	ctx := context.Background()
	vals := make([][]any, len(rows))
	for i, r := range rows {
		vals[i] = []any{r.ID, r.OriginID, r.Direction, r.OrgID, r.From, r.To, r.FromCountry, r.ToCountry, string(r.Kind), r.Basis, r.Language, r.Reference, r.FieldsJSON,
			string(r.State), r.Ground, r.RespondBy, r.ExecuteBy, r.PreservedUntil, r.Follows, r.Author, r.ApprovedBy, r.EnvelopeID, r.CreatedAt, r.SentAt,
			r.AckAt, r.PreservAt, r.ExecutedAt, r.ClosedAt, r.UpdatedAt, r.PurgeAfter, r.Purged, r.RemindedAt, r.Exercise}
	}
	err := db.WithTx(ctx, func(tx *store.Tx) error { return storetest.Insert(ctx, tx, "cyb_requests", requestColumns, vals) })
	if err != nil {
		tb.Fatal(err)
	}
	if db.Engine == store.Postgres {
		// Statistics and the visibility map, as autovacuum keeps them on a
		// live node: without the map no scan is index-only.
		if _, err := db.Raw().ExecContext(ctx, `VACUUM ANALYZE cyb_requests`); err != nil {
			tb.Fatal(err)
		}
	}
}

// BenchmarkCybercrime100k measures, on each engine, at 100,000 requests
// (ENTENTE_BENCH_REQUESTS): the request list (svc.Requests) of Indonesia's
// investigator (half the requests), first page, a page 90 % deep through
// the cursor, a filtered page, and a person in two organisations; the
// figures for that investigator and for the node administrator; and the
// two pages over HTTP under load at ENTENTE_BENCH_RATE requests a second
// (default 20) for ENTENTE_BENCH_SECONDS (default 10), open loop as
// scripts/perf sends it. The pages are served by their handlers with the
// reader in the context: no session lookup, no gzip (the compressed size
// is computed for the report).
func BenchmarkCybercrime100k(b *testing.B) {
	for _, e := range storetest.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			n := benchRequests()
			db := storetest.Open(b, e, nil, audit.Migrations(), Migrations())
			t0 := time.Now()
			benchSeed(b, db, n)
			b.Logf("%s: %d requests stored in %v", e.Name, n, time.Since(t0).Round(time.Millisecond))
			s := &Service{db: db}
			sari := figActor("sari", false, "o-id")
			both := figActor("budi", false, "o-id", "o-sg")
			root := figActor("root", true)
			var deep string
			if err := db.R().Get(context.Background(), &deep, `SELECT id FROM cyb_requests WHERE org_id = 'o-id' ORDER BY id DESC LIMIT 1 OFFSET ?`, n/2*9/10); err != nil {
				b.Fatal(err)
			}
			list := func(ctx context.Context, f Filter) func() error {
				return func() error {
					rs, _, err := s.Requests(ctx, f)
					if err == nil && len(rs) == 0 {
						err = fmt.Errorf("empty page")
					}
					return err
				}
			}
			b.Run("list-first", func(b *testing.B) { storetest.Percentiles(b, list(sari, Filter{})) })
			b.Run("list-deep", func(b *testing.B) { storetest.Percentiles(b, list(sari, Filter{Page: core.Page{Cursor: deep}})) })
			b.Run("list-in-acknowledged", func(b *testing.B) { storetest.Percentiles(b, list(sari, Filter{Box: "in", State: StateAcknowledged})) })
			b.Run("list-two-orgs", func(b *testing.B) { storetest.Percentiles(b, list(both, Filter{})) })
			figures := func(ctx context.Context, q FigureQuery) func() error {
				return func() error {
					f, err := s.Figures(ctx, q)
					if err == nil && f.Total.Sent == 0 {
						err = fmt.Errorf("no figures")
					}
					return err
				}
			}
			b.Run("figures-org", func(b *testing.B) { storetest.Percentiles(b, figures(sari, FigureQuery{})) })
			b.Run("figures-node", func(b *testing.B) { storetest.Percentiles(b, figures(root, FigureQuery{})) })
			b.Run("figures-node-year-kind", func(b *testing.B) {
				storetest.Percentiles(b, figures(root, FigureQuery{From: "2025-12-01", To: "2026-11-30", Kind: "preservation"}))
			})

			m := figServer(b, s, time.Minute)
			for _, p := range []struct {
				name string
				ctx  context.Context
				h    func(figureHandlers) http.HandlerFunc
				path string
			}{
				{"page-list", sari, func(m figureHandlers) http.HandlerFunc { return m.requestList }, "/cybercrime/requests"},
				{"page-figures-org", sari, func(m figureHandlers) http.HandlerFunc { return m.figures }, "/cybercrime/figures"},
				{"page-figures-node", root, func(m figureHandlers) http.HandlerFunc { return m.figures }, "/cybercrime/figures"},
			} {
				b.Run(p.name, func(b *testing.B) {
					// A cold cache, so the one computation a minute
					// that the pages wait for is among the latencies.
					m.figs = NewFigureCache(s, time.Minute)
					h := p.h(m)
					srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
						h(w, r.WithContext(p.ctx))
					}))
					defer srv.Close()
					// One run of the load whatever b.N: it is the
					// latencies under it that are measured.
					benchLoad(b, srv.URL+p.path)
				})
			}
		})
	}
}

// benchLoad sends GETs at a fixed rate for a while, open loop (a slow
// answer does not slow the sender, so queueing shows), and reports the
// latencies' p50, p99 and max and the page's compressed size.
func benchLoad(b *testing.B, u string) {
	rate, _ := strconv.Atoi(os.Getenv("ENTENTE_BENCH_RATE"))
	secs, _ := strconv.Atoi(os.Getenv("ENTENTE_BENCH_SECONDS"))
	rate, secs = cmp.Or(rate, 20), cmp.Or(secs, 10)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}, Timeout: 30 * time.Second}
	var (
		mu    sync.Mutex
		lat   []time.Duration
		page  []byte
		fails int
		wg    sync.WaitGroup
	)
	tick := time.NewTicker(time.Second / time.Duration(rate))
	defer tick.Stop()
	for range rate * secs {
		<-tick.C
		wg.Add(1)
		go func() {
			defer wg.Done()
			t0 := time.Now()
			res, err := client.Get(u)
			var body []byte
			if err == nil {
				body, _ = io.ReadAll(res.Body)
				res.Body.Close()
			}
			d := time.Since(t0)
			mu.Lock()
			defer mu.Unlock()
			if err != nil || res.StatusCode != 200 {
				fails++
				return
			}
			lat, page = append(lat, d), body
		}()
	}
	wg.Wait()
	if fails > 0 || len(lat) == 0 {
		b.Fatalf("%s: %d failed", u, fails)
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max-ms")
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(page)
	zw.Close()
	b.ReportMetric(float64(gz.Len())/1024, "gzip-KB")
}
