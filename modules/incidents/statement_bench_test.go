package incidents_test

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/federation/fedtest"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/incidents"
)

// BenchmarkStatementVisibleEverywhere measures the figure: from the
// moment the last co-signer's node has signed (its Sign returned) to the
// statement shown as published, verified, on every co-signer's node, with
// the initiator publishing as soon as the last signature has reached it.
// Three nodes on loopback, each with its own database; the time is split
// into the signature's way to the initiator and the publication's way back.
//
//	go test ./modules/incidents -run '^$' -bench StatementVisibleEverywhere -benchtime 20x
func BenchmarkStatementVisibleEverywhere(b *testing.B) {
	for _, e := range storetest.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			id, sg, au := newStmtNode(b, e), newStmtNode(b, e), newStmtNode(b, e)
			id.Org(b, "kemlu", core.OrgStateMinistry, "ID", "Ministry of Foreign Affairs of Indonesia")
			sg.Org(b, "csa", core.OrgStateAgency, "SG", "Cyber Security Agency of Singapore")
			au.Org(b, "dfat", core.OrgStateMinistry, "AU", "Department of Foreign Affairs and Trade")
			visible := make(chan string, 16)
			for _, n := range []*stmtNode{sg, au} {
				n.svc.OnPublished(func(origin string) { visible <- origin })
			}
			for _, n := range []*stmtNode{id, sg, au} {
				n.Start(b)
			}
			fedtest.Peer(b, id.Served, sg.Served, au.Served)
			kemlu, csa, dfat := id.As("Retno", "kemlu", core.RoleAdmin), sg.As("David", "csa", core.RoleAdmin), au.As("Penny", "dfat", core.RoleAdmin)
			var toInit, back, total []time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				title := fmt.Sprintf("Joint statement %d", i)
				st, err := id.svc.Draft(kemlu, draft(id, sg, au, title))
				if err != nil {
					b.Fatal(err)
				}
				if st, err = id.svc.Open(kemlu, st.ID); err != nil {
					b.Fatal(err)
				}
				var sgID, auID string
				fedtest.Eventually(b, "invitations", func() bool {
					a, ok1 := copyOf(b, sg, csa, title)
					c, ok2 := copyOf(b, au, dfat, title)
					sgID, auID = a.ID, c.ID
					return ok1 && ok2
				})
				if _, err := sg.svc.Sign(csa, sgID, ""); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if _, err := au.svc.Sign(dfat, auID, ""); err != nil {
					b.Fatal(err)
				}
				t0 := time.Now()
				for {
					cur, err := id.svc.Statement(kemlu, st.ID)
					if err != nil {
						b.Fatal(err)
					}
					if signerState(cur, sg.Addr("csa")) == incidents.SignerSigned && signerState(cur, au.Addr("dfat")) == incidents.SignerSigned {
						break
					}
					time.Sleep(time.Millisecond)
				}
				t1 := time.Now()
				if _, err := id.svc.Publish(kemlu, st.ID); err != nil {
					b.Fatal(err)
				}
				for seen := 0; seen < 2; {
					select {
					case o := <-visible:
						if o == st.OriginID {
							seen++
						}
					case <-time.After(20 * time.Second):
						b.Fatal("the publication did not reach every co-signer")
					}
				}
				t2 := time.Now()
				toInit, back, total = append(toInit, t1.Sub(t0)), append(back, t2.Sub(t1)), append(total, t2.Sub(t0))
			}
			b.StopTimer()
			p := func(ds []time.Duration, q float64) float64 {
				s := append([]time.Duration(nil), ds...)
				sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
				return float64(s[int(q*float64(len(s)-1))].Microseconds()) / 1000
			}
			b.ReportMetric(p(total, 0.5), "ms-p50-total")
			b.ReportMetric(p(total, 0.99), "ms-p99-total")
			b.ReportMetric(p(toInit, 0.5), "ms-p50-sig-to-initiator")
			b.ReportMetric(p(back, 0.5), "ms-p50-publish-to-all")
		})
	}
}
