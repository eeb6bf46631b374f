package capacity

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"entente.example/entente/internal/names"
	"entente.example/entente/internal/store/storetest"
)

// benchCountries are the first n ISO 3166-1 alpha-2 codes.
func benchCountries(n int) []string {
	var out []string
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			if c := string([]rune{a, b}); names.ValidCountry(c) && len(out) < n {
				out = append(out, c)
			}
		}
	}
	return out
}

// benchCSV is an import of inds indicators for countries over years.
func benchCSV(countries []string, inds int, years []int) []byte {
	var b strings.Builder
	b.WriteString("indicator,name,unit,country,year,value,source\n")
	for i := 0; i < inds; i++ {
		for _, c := range countries {
			for _, y := range years {
				fmt.Fprintf(&b, "bench-%02d,Bench indicator %d,score 0-100,%s,%d,%d.%02d,https://example.org/bench/%d\n", i, i, c, y, (i*7+len(c)*y)%100, y%100, i)
			}
		}
	}
	return []byte(b.String())
}

// BenchmarkImportIndicators imports 10,000 rows (50 indicators × 200
// countries, one year) an operation, and reports rows a second; from the
// 21st operation on, the rows replace earlier ones.
//
//	go test ./modules/capacity/ -run XXX -bench ImportIndicators -benchtime 20x
func BenchmarkImportIndicators(b *testing.B) {
	for _, e := range storetest.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			m := indServer(b, e)
			cs := benchCountries(200)
			files := make([][]byte, 20)
			for y := range files {
				files[y] = benchCSV(cs, 50, []int{2005 + y})
			}
			ctx := analyst("en")
			b.ResetTimer()
			start := time.Now()
			for i := 0; i < b.N; i++ {
				if _, err := m.svc.ImportIndicators(ctx, "kominfo", files[i%len(files)]); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(10000*b.N)/time.Since(start).Seconds(), "rows/s")
		})
	}
}

// BenchmarkProfilePage renders country profiles, rotating over 200
// countries, over 200 countries × 50 indicators × 20 years (200,000
// observations), and reports the 50th and 99th percentiles of a page.
//
//	go test ./modules/capacity/ -run XXX -bench ProfilePage -benchtime 400x
func BenchmarkProfilePage(b *testing.B) {
	for _, e := range storetest.Engines(b) {
		b.Run(e.Name, func(b *testing.B) {
			m := indServer(b, e)
			cs := benchCountries(200)
			ctx := analyst("en")
			for y := 0; y < 20; y += 5 {
				if _, err := m.svc.ImportIndicators(ctx, "kominfo", benchCSV(cs, 50, []int{2005 + y, 2006 + y, 2007 + y, 2008 + y, 2009 + y})); err != nil {
					b.Fatal(err)
				}
			}
			var n int
			if err := m.svc.db.R().Get(ctx, &n, `SELECT COUNT(*) FROM cap_observations`); err != nil || n != 200000 {
				b.Fatalf("%d observations, %v", n, err)
			}
			durs := make([]time.Duration, 0, b.N)
			var size int
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				c := cs[i%len(cs)]
				t0 := time.Now()
				res := get(b, m.profile, anonymous("en"), "/capacity/indicators/countries/"+c, "code", c)
				durs = append(durs, time.Since(t0))
				if res.Code != 200 {
					b.Fatalf("%s: %d", c, res.Code)
				}
				size = res.Body.Len()
			}
			b.StopTimer()
			slices.Sort(durs)
			b.ReportMetric(float64(durs[len(durs)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(durs[min(len(durs)-1, len(durs)*99/100)].Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(size)/1024, "page-KiB")
		})
	}
}
