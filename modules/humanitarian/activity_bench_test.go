package humanitarian

import (
	"bytes"
	"fmt"
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/internal/store/storetest"
)

// sheet3W writes an HXL 3W of n rows across the clusters and the districts
// and regencies of Central Sulawesi, disaggregated as OCHA asks.
func sheet3W(n int) []byte {
	places := []string{"ID7271010", "ID7271011", "ID7271020", "ID7271", "ID7210", "ID7205", "ID72"}
	statuses := []string{"Planned", "Ongoing", "Completed"}
	var b bytes.Buffer
	b.WriteString("Organisation,Partner,Sector,Activity,Place,Start,End,Status,Targeted,Women,Men,Girls,Boys,Reached\n")
	b.WriteString("#org+prog+code,#org+impl+name,#sector+cluster+code,#activity+name,#adm3+code,#date+start,#date+end,#status,#targeted+ind,#targeted+f+adults,#targeted+m+adults,#targeted+f+children,#targeted+m+children,#reached+ind\n")
	for i := range n {
		fmt.Fprintf(&b, "pmi@node.test,Mitra %d,%s,Distribution %d,%s,2026-12-%02d,2027-01-31,%s,%d,%d,%d,%d,%d,%d\n",
			i%40, Clusters[i%len(Clusters)], i, places[i%len(places)], 1+i%28, statuses[i%3], 400+i%100, 100, 100, 100, 100+i%100, i%300)
	}
	return b.Bytes()
}

// BenchmarkActivitiesImport imports a 10,000-row 3W into a fresh emergency
// on SQLite, reading, checking and writing every row in one transaction.
func BenchmarkActivitiesImport(b *testing.B) {
	const rows = 10_000
	sheet := sheet3W(rows)
	w := newWorld(b, storetest.Engines(b)[0])
	ctx := as("pmi", core.RoleOfficer)
	b.SetBytes(int64(len(sheet)))
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		e := mustEmergency(b, w)
		b.StartTimer()
		res, err := w.svc.ImportActivities(ctx, e.ID, "pmi", bytes.NewReader(sheet))
		if err != nil || res.Imported != rows {
			b.Fatalf("import: %v %+v", err, res.Problems[:min(3, len(res.Problems))])
		}
	}
	b.ReportMetric(float64(rows*b.N)/b.Elapsed().Seconds(), "rows/s")
}
