package cybercrime_test

import (
	"slices"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/federation/fedtest"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/cybercrime"
)

// BenchmarkSendToReceipt measures the time from the moment a request is
// sent on one node to the moment the other node's signed receipt for it is
// back, over real HTTP on loopback: the time an investigator waits before
// the page says "received". It reports the median and the 99th percentile.
//
//	ENTENTE_TEST_POSTGRES=… go test ./modules/cybercrime -run '^$' -bench SendToReceipt -benchtime 300x
func BenchmarkSendToReceipt(b *testing.B) {
	for _, e := range storetest.Engines(b) {
		b.Run(e.Name, func(b *testing.B) { benchSendToReceipt(b, e) })
	}
}

func benchSendToReceipt(b *testing.B, e storetest.Engine) {
	au, jp := newNode(b, e), newNode(b, e)
	au.Org(b, "afp", core.OrgStateLawEnforcement, "AU", "Australian Federal Police")
	jp.Org(b, "npa", core.OrgStateLawEnforcement, "JP", "National Police Agency")
	au.Start(b)
	jp.Start(b)
	fedtest.Peer(b, au.Served, jp.Served)
	ca := au.As("Carl", "afp", core.RoleAuthority)
	var waits []time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		r, err := au.svc.Create(ca, preservation(jp.Addr("npa")))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := au.svc.Act(ca, r.ID, cybercrime.Step{Action: cybercrime.ActApprove}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		if _, err := au.svc.Act(ca, r.ID, cybercrime.Step{Action: cybercrime.ActSend}); err != nil {
			b.Fatal(err)
		}
		for {
			got, err := au.svc.Request(ca, r.ID)
			if err != nil {
				b.Fatal(err)
			}
			if got.Receipt != "" {
				break
			}
			time.Sleep(time.Millisecond)
			if time.Since(start) > 30*time.Second {
				b.Fatal("no receipt after 30 s")
			}
		}
		waits = append(waits, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(waits)
	b.ReportMetric(float64(waits[len(waits)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(waits[min(len(waits)-1, len(waits)*99/100)].Microseconds())/1000, "p99-ms")
}
