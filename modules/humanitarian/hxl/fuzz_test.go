package hxl

import (
	"bytes"
	"os"
	"slices"
	"testing"
)

// FuzzRead feeds arbitrary bytes to the reader. It must not panic, must
// respect its limits, and whatever it reads must survive a write and a
// second read with the same columns and cells (cells a spreadsheet would
// run being quoted by the writer on purpose).
func FuzzRead(f *testing.F) {
	for _, name := range []string{"threew.csv", "libhxl-input-valid.csv", "libhxl-input-fuzzy.csv", "libhxl-input-multiple-headers.csv", "libhxl-input-valid-latin1.csv"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		"#org,#targeted\nA,x\n",
		"#a,x,y\n#b\n1\n",
		"\xef\xbb\xbf#org\n\"a\nb\",\n\n=1+1\n",
		"#org,#sector\nUN\"ICEF,WASH\n\"open",
		"#date+start,#geo+lat,#geo+lon\n2018-02-30,91,-181\n",
		"#ORG +Impl,# bad\n\r\n a \r",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		opts := Options{MaxRows: 500, MaxColumns: 50, MaxProblems: 20}
		d, err := Read(bytes.NewReader(data), opts)
		if err != nil {
			if codeOf(err) == "" {
				t.Fatalf("error without a code: %v", err)
			}
			return
		}
		if len(d.Rows) > opts.MaxRows || len(d.Columns) > opts.MaxColumns || len(d.Problems) > opts.MaxProblems {
			t.Fatalf("limits passed: %d rows, %d columns, %d problems", len(d.Rows), len(d.Columns), len(d.Problems))
		}
		var out bytes.Buffer
		if err := Write(&out, d); err != nil {
			t.Fatalf("write: %v", err)
		}
		back, err := Read(bytes.NewReader(out.Bytes()), opts)
		if err != nil {
			t.Fatalf("re-read: %v\n%q", err, out.String())
		}
		if len(back.Columns) != len(d.Columns) {
			t.Fatalf("columns %d then %d\n%q", len(d.Columns), len(back.Columns), out.String())
		}
		for i, c := range d.Columns {
			b := back.Columns[i]
			if b.Spec() != c.Spec() || (b.Header != defuse(c.Header) && b.Header != "'"+c.Header) {
				t.Fatalf("column %d: %q %q then %q %q", i, c.Spec(), c.Header, b.Spec(), b.Header)
			}
		}
		if len(back.Rows) != len(d.Rows) {
			t.Fatalf("rows %d then %d\n%q", len(d.Rows), len(back.Rows), out.String())
		}
		for i, r := range d.Rows {
			want := make([]string, len(r.Values))
			for j, v := range r.Values {
				want[j] = defuse(v)
			}
			if !slices.Equal(back.Rows[i].Values, want) {
				t.Fatalf("row %d: %q then %q", i, want, back.Rows[i].Values)
			}
		}
	})
}
