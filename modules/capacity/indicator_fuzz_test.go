package capacity

import (
	"reflect"
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/internal/names"
)

// FuzzParseIndicatorCSV feeds the import parser any bytes: it never
// panics, gives rows or a refusal and never both, gives the same answer
// twice, and every row it accepts is text both engines store alike, of a
// real country, year and finite value, with a source address.
func FuzzParseIndicatorCSV(f *testing.F) {
	f.Add(SampleIndicators)
	f.Add([]byte("\xEF\xBB\xBFindicator,country,year,value,unit,source\nx,ID,2024,1.5,u,https://e.org\n"))
	f.Add([]byte("indicator;country;year;value;unit;source\nx;ID;2024;1,5;u;https://e.org\n"))
	f.Add([]byte("indicator,country,year,value,unit,source\nx,ID,2024,1\x00,u,https://e.org\nx,SG,2024,2,u,https://e.org/\xff\n"))
	f.Add([]byte("indicator,country,year,value,unit,source,note\n\"x,ID,2024,1,u,https://e.org,\"unclosed\n"))
	f.Add([]byte("source,unit,value,year,country,indicator,name,better,topic\nhttps://e.org,u,-0.25,1999,tl,New.Index,New index,lower,csirt\n"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, ref := ParseIndicatorCSV(data)
		if (rows == nil) == (ref == nil) {
			t.Fatalf("rows %d and refusal %v", len(rows), ref)
		}
		rows2, ref2 := ParseIndicatorCSV(data)
		if !reflect.DeepEqual(rows, rows2) || !reflect.DeepEqual(ref, ref2) {
			t.Fatal("two answers to the same bytes")
		}
		if ref != nil {
			if len(ref.Problems) == 0 || len(ref.Problems) > maxProblems || ref.Count < len(ref.Problems) {
				t.Fatalf("refusal %d of %d problems", len(ref.Problems), ref.Count)
			}
			for _, p := range ref.Problems {
				if p.Line < 0 || p.Key == "" || core.CheckText(p.Column) != "" {
					t.Fatalf("problem %+v", p)
				}
			}
			return
		}
		for _, r := range rows {
			o := r.Obs
			for _, s := range []string{o.Indicator, o.Country, o.Text, o.Unit, o.Source, o.Note, r.Def.Name.En, r.Def.Name.ID, r.Def.Topic} {
				if core.CheckText(s) != "" {
					t.Fatalf("row %d holds text an engine refuses: %q", r.Line, s)
				}
			}
			if !names.ValidCountry(o.Country) || o.Year < minYear || o.Year > maxYear || o.Source == "" || o.Unit == "" || o.Value != o.Value {
				t.Fatalf("row %d: %+v", r.Line, o)
			}
		}
	})
}
