package humanitarian

import (
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/internal/web"
)

// BenchmarkMapPage draws the public crisis map of an emergency with
// 100,000 verified reports spread over its area (and 10,000 waiting, which
// the public never sees), through the real handler and templates: the
// map, its clusters and the list beside it. One run in ten filters by a
// category and one in ten by the last 24 hours.
func BenchmarkMapPage(b *testing.B) {
	for _, e := range storetest.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			w, m := newSite(b, e)
			em := mustEmergency(b, w)
			rnd := rand.New(rand.NewPCG(1, 2))
			ctx := as("bnpb", core.RoleAdmin)
			err := w.db.WithTx(ctx, func(tx *store.Tx) error {
				var rows [][]any
				for i := range 110_000 {
					status := ReportVerified
					if i%11 == 0 {
						status = ReportNew
					}
					lat := em.Box.South + rnd.Float64()*(em.Box.North-em.Box.South)
					lon := em.Box.West + rnd.Float64()*(em.Box.East-em.Box.West)
					at := start.Add(-time.Duration(rnd.IntN(72*3600)) * time.Second)
					rows = append(rows, []any{core.NewID(at) + fmt.Sprintf("%06d", i), em.ID, ChannelSMS, "Laporan uji " + fmt.Sprint(i),
						Categories[i%len(Categories)], lat, lon, "", "", at, at, status, "+628000" + fmt.Sprint(i)})
				}
				return storetest.Insert(ctx, tx, "hum_reports", "id, emergency_id, channel, text, category, lat, lon, pcode, place, occurred_at, received_at, status, reporter_contact", rows)
			})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := m.svc.Countries(); err != nil { // loaded once at start in a running node
				b.Fatal(err)
			}
			targets := []string{"", "?category=water", "?since=24h"}
			durs := make([]time.Duration, 0, b.N)
			var size int
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				q := targets[0]
				switch i % 10 {
				case 3:
					q = targets[1]
				case 7:
					q = targets[2]
				}
				r := httptest.NewRequest("GET", "/humanitarian/emergencies/"+em.ID+"/map"+q, nil)
				t0 := time.Now()
				res := serve(b, m.crisisMap, web.WithLang(anonymous("198.51.100.9"), "id"), r, "id", em.ID)
				durs = append(durs, time.Since(t0))
				if res.Code != 200 || !strings.Contains(res.Body.String(), "<svg") {
					b.Fatalf("status %d", res.Code)
				}
				if q == "" {
					size = res.Body.Len()
				}
			}
			b.StopTimer()
			slices.Sort(durs)
			b.ReportMetric(float64(durs[len(durs)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(durs[min(len(durs)-1, len(durs)*99/100)].Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(size)/1024, "page-KiB")
		})
	}
}
