package hxl

import (
	"bytes"
	"fmt"
	"io"
	"testing"
)

// threeW builds an n-row 3W in HXL's shape, like a regional 3W exported
// from a spreadsheet.
func threeW(n int) []byte {
	var b bytes.Buffer
	b.WriteString("Organisation,Type,Sector,Province,Province P-code,District,District P-code,Activity,Status,Start,End,Targeted women,Targeted men,Targeted children,Reached women,Reached men,Reached children\n")
	b.WriteString("#org+impl+name,#org+impl+type,#sector+cluster,#adm1+name,#adm1+code,#adm2+name,#adm2+code,#activity,#status,#date+start,#date+end,#targeted+f,#targeted+m,#targeted+children,#reached+f,#reached+m,#reached+children\n")
	orgs := []string{"Palang Merah Indonesia", "UNICEF", "WFP", "Save the Children", "Wahana Visi Indonesia"}
	sectors := []string{"Shelter", "WASH", "Food Security", "Education", "Protection"}
	districts := [][2]string{{"Kota Palu", "ID7271"}, {"Sigi", "ID7210"}, {"Donggala", "ID7203"}, {"Parigi Moutong", "ID7208"}}
	for i := 0; i < n; i++ {
		d := districts[i%len(districts)]
		fmt.Fprintf(&b, "%s,NGO,%s,Sulawesi Tengah,ID72,%s,%s,\"Distribution %d, with follow-up\",Ongoing,2018-10-%02d,2018-12-31,%d,%d,%d,%d,%d,%d\n",
			orgs[i%len(orgs)], sectors[i%len(sectors)], d[0], d[1], i, 1+i%28, 1000+i%500, 900+i%400, 800+i%300, 700+i%200, 600+i%100, 500+i%50)
	}
	return b.Bytes()
}

// BenchmarkRead3W reads a 100,000-row 3W; rows/s is the figure to report.
func BenchmarkRead3W(b *testing.B) {
	const n = 100_000
	data := threeW(n)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for b.Loop() {
		d, err := Read(bytes.NewReader(data), Options{})
		if err != nil {
			b.Fatal(err)
		}
		if len(d.Rows) != n || len(d.Problems) != 0 {
			b.Fatalf("%d rows, %d problems", len(d.Rows), len(d.Problems))
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
}

// BenchmarkWrite3W writes the same 100,000 rows back out.
func BenchmarkWrite3W(b *testing.B) {
	const n = 100_000
	d, err := Read(bytes.NewReader(threeW(n)), Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := Write(io.Discard, d); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "rows/s")
}
