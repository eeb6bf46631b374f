package incidents_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"entente.example/entente/core"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/internal/web"
	"entente.example/entente/modules/incidents"
	webfiles "entente.example/entente/web"
)

// benchIncidents is how many incidents the benchmark holds:
// ENTENTE_BENCH_INCIDENTS, 50,000 by default.
func benchIncidents() int {
	if n, err := strconv.Atoi(os.Getenv("ENTENTE_BENCH_INCIDENTS")); err == nil && n > 0 {
		return n
	}
	return 50_000
}

// benchSeed stores n incidents over five years in multi-row INSERTs of
// 500, in one transaction (the service would take an hour to record as
// many): 50 % BSSN's own, 20 % of two other organisations of the node kept
// to themselves, 10 % public, 18 % peers' copies named to BSSN (with their
// audience rows), 2 % exercises; a third attributed (one or two
// attributions, days to a year after the start), a fifth with a response.
func benchSeed(tb testing.TB, db *store.DB, host string, orgs map[string]string, n int) {
	tb.Helper()
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2021, 12, 1, 0, 0, 0, 0, time.UTC)
	step := 5 * 365 * 24 * time.Hour / time.Duration(n)
	desc := strings.Repeat("Ransomware encrypted the records of the hospital's patients; services moved to paper. ", 6)
	var incs, attrs, resps, aud [][]any
	for i := range n {
		at := start.Add(time.Duration(i) * step)
		id := core.NewID(at)
		node, org, owner, tlp, audience, refs := host, orgs["bssn"], "bssn@"+host, "AMBER", "org", "[]"
		switch p := rng.IntN(100); {
		case p < 20:
			o := []string{"kemlu", "polri"}[rng.IntN(2)]
			org, owner = orgs[o], o+"@"+host
		case p < 30:
			tlp, audience = "CLEAR", "public"
		case p < 48:
			node, org, owner, audience, refs = "sg.test", "", "csa@sg.test", "named", `["bssn@`+host+`"]`
			aud = append(aud, []any{id, "bssn@" + host})
		}
		typ := incidents.Types[rng.IntN(len(incidents.Types))]
		sector := incidents.Sectors[rng.IntN(len(incidents.Sectors))]
		cat := incidents.InitiatorCategories[rng.IntN(len(incidents.InitiatorCategories))]
		recv, _ := json.Marshal([]incidents.Receiver{{Name: "A hospital", Country: "ID", Category: "critical_infrastructure", Sector: sector}})
		ini, _ := json.Marshal(incidents.Initiator{Name: "An actor", Category: cat})
		incs = append(incs, []any{id, id, node, org, owner, fmt.Sprintf("Incident %d", i), desc, at, nil, `["` + typ + `"]`, string(recv), string(ini),
			`["ci_target"]`, `["https://example.org/report"]`, "", rng.IntN(6), "suspected", "open", rng.IntN(101), tlp, audience, refs, 1, at, at, rng.IntN(100) < 2})
		if rng.IntN(3) == 0 {
			for k := range 1 + rng.IntN(2) {
				d := time.Duration(1+rng.ExpFloat64()*60) * 24 * time.Hour
				attrs = append(attrs, []any{core.NewID(at), id, fmt.Sprintf("%s-a%d", id, k), "Republic of Indonesia", "state", "ID", at.Add(d), "technical", "An actor", "", "moderate", "", "[]"})
			}
		}
		if rng.IntN(5) == 0 {
			resps = append(resps, []any{core.NewID(at), id, id + "-r", incidents.ResponseKinds[rng.IntN(len(incidents.ResponseKinds))], "Indonesia", "ID", at.Add(90 * 24 * time.Hour), "", "[]"})
		}
	}
	ctx := context.Background()
	err := db.WithTx(ctx, func(tx *store.Tx) error {
		for _, t := range []struct {
			table, cols string
			rows        [][]any
		}{
			{"inc_incidents", `id, origin_id, node, org_id, owner, name, description, start_at, end_at, types, receivers, initiator, inclusion, sources, impact,
				intensity, determination, investigation, criticality, tlp, audience, audience_refs, version, created_at, updated_at, exercise`, incs},
			{"inc_attributions", `id, incident_id, origin_id, by_name, by_category, by_country, at, basis, to_name, to_country, confidence, note, sources`, attrs},
			{"inc_responses", `id, incident_id, origin_id, kind, by_name, by_country, at, description, sources`, resps},
			{"inc_audience", `incident_id, ref`, aud},
		} {
			if err := storetest.Insert(ctx, tx, t.table, t.cols, t.rows); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	if db.Engine == store.Postgres {
		// Statistics and the visibility map, as autovacuum keeps them.
		for _, t := range []string{"inc_incidents", "inc_attributions", "inc_responses", "inc_audience"} {
			if _, err := db.Raw().ExecContext(ctx, `VACUUM ANALYZE `+t); err != nil {
				tb.Fatal(err)
			}
		}
	}
}

// BenchmarkIncidents50k measures, on each engine, at 50,000 incidents
// (ENTENTE_BENCH_INCIDENTS), for BSSN's analyst (who may see about 39,000
// of them: its own, the public ones, the peers' named to it): the list's
// first page and a filtered one (svc.List), the figures (svc.Figures), and
// the figures' page (its figures computed for each call, and kept) and the
// list's page through their handlers (templates included; no session, no
// gzip: the compressed size is reported).
func BenchmarkIncidents50k(b *testing.B) {
	for _, e := range storetest.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			n := newNode(b, e)
			orgs := map[string]string{}
			for _, o := range []string{"bssn", "kemlu", "polri"} {
				orgs[o] = n.Org(b, o, core.OrgStateCERT, "ID", strings.ToUpper(o))
			}
			total := benchIncidents()
			t0 := time.Now()
			benchSeed(b, n.DB, n.Host, orgs, total)
			b.Logf("%s: %d incidents stored in %v", e.Name, total, time.Since(t0).Round(time.Millisecond))
			rina := n.As("Rina", "bssn", core.RoleAnalyst)
			list := func(f incidents.Filter) func() error {
				return func() error {
					l, _, err := n.svc.List(rina, f)
					if err == nil && len(l) == 0 {
						err = fmt.Errorf("empty page")
					}
					return err
				}
			}
			b.Run("list-first", func(b *testing.B) { storetest.Percentiles(b, list(incidents.Filter{})) })
			b.Run("list-type-sector", func(b *testing.B) {
				storetest.Percentiles(b, list(incidents.Filter{Type: "ransomware", Sector: "healthcare"}))
			})
			b.Run("figures", func(b *testing.B) {
				storetest.Percentiles(b, func() error {
					f, err := n.svc.Figures(rina)
					if err == nil && f.Total < total/2 {
						err = fmt.Errorf("figures of %d incidents", f.Total)
					}
					return err
				})
			})
			srv, err := web.New(web.Deps{DB: n.DB, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Registry: prometheus.NewRegistry()}, webfiles.Files)
			if err != nil {
				b.Fatal(err)
			}
			m := incidents.NewModule(n.svc, srv)
			handler := func(m *incidents.Module, pattern string) http.HandlerFunc {
				for _, r := range m.Routes() {
					if r.Pattern == pattern {
						return r.Handler
					}
				}
				b.Fatalf("no route %s", pattern)
				return nil
			}
			for _, p := range []struct {
				name, pattern, path string
				cold                bool
			}{
				{"page-figures-cold", "GET /incidents/figures", "/incidents/figures", true},
				{"page-figures-kept", "GET /incidents/figures", "/incidents/figures", false},
				{"page-list", "GET /incidents", "/incidents", false},
			} {
				b.Run(p.name, func(b *testing.B) {
					warm := handler(m, p.pattern)
					h := func(w *httptest.ResponseRecorder) {
						hf := warm
						if p.cold {
							// A new module: its figures not yet computed.
							hf = handler(incidents.NewModule(n.svc, srv), p.pattern)
						}
						hf(w, httptest.NewRequest("GET", p.path, nil).WithContext(rina))
					}
					if !p.cold {
						h(httptest.NewRecorder()) // computed once, before the runs
					}
					var last []byte
					storetest.Percentiles(b, func() error {
						w := httptest.NewRecorder()
						h(w)
						if w.Code != 200 {
							return fmt.Errorf("%s: %d", p.path, w.Code)
						}
						last = w.Body.Bytes()
						return nil
					})
					var z bytes.Buffer
					gz := gzip.NewWriter(&z)
					gz.Write(last)
					gz.Close()
					b.ReportMetric(float64(z.Len())/1024, "KB-gzip")
				})
			}
		})
	}
}
