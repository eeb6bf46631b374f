package capacity

import (
	"slices"
	"strconv"
	"strings"
	"testing"
)

func refusalLines(ref *ImportRefused) []string {
	var out []string
	for _, p := range ref.Problems {
		out = append(out, strings.Join(slices.DeleteFunc(append([]string{strconv.Itoa(p.Line), p.Column, p.Key}, p.Args...), func(s string) bool { return s == "" }), " "))
	}
	return out
}

// TestParseIndicatorCSVFile covers what is wrong with a file as a whole:
// its header, its syntax, its size.
func TestParseIndicatorCSVFile(t *testing.T) {
	row := "x,ID,2024,1.5,u,https://e.org\n"
	head := "indicator,country,year,value,unit,source\n"
	var b strings.Builder
	b.WriteString(head)
	for i := 0; i <= MaxImportRows; i++ {
		b.WriteString("x" + strconv.Itoa(i) + ",ID,2024,1,u,https://e.org\n")
	}
	for _, c := range []struct {
		name, file string
		want       []string
	}{
		{"empty", "", []string{"1 err.ind_empty"}},
		{"header only", head, []string{"2 err.ind_no_rows"}},
		{"semicolons", strings.ReplaceAll(head+row, ",", ";"), []string{"1 err.ind_semicolon", "1 indicator err.ind_column_missing", "1 country err.ind_column_missing",
			"1 year err.ind_column_missing", "1 value err.ind_column_missing", "1 unit err.ind_column_missing", "1 source err.ind_column_missing"}},
		{"columns", "indicator,Country,yaer,value,value,source\n" + row, []string{"1 yaer err.ind_column_unknown", "1 value err.ind_column_twice", "1 year err.ind_column_missing", "1 unit err.ind_column_missing"}},
		{"bare quote", head + `x,ID,2024,1"5,u,https://e.org` + "\n" + row, []string{"2 err.ind_csv_bare_quote"}},
		{"open quote", head + row + `x,ID,2024,"1.5,u,https://e.org` + "\n", []string{"3 err.ind_csv_quote"}},
		{"too large", head + strings.Repeat("#", MaxImportBytes), []string{"0 err.ind_too_large 4"}},
		{"too many rows", b.String(), []string{"50002 err.ind_too_many_rows 50000"}},
		{"definition differs", "indicator,name,better,country,year,value,unit,source\nn,N,higher,ID,2024,1,u,https://e.org\nn,N,lower,SG,2024,1,u,https://e.org\n",
			[]string{"3 name err.ind_definition_differs 2"}},
	} {
		rows, ref := ParseIndicatorCSV([]byte(c.file))
		if rows != nil || ref == nil {
			t.Errorf("%s: accepted %d rows", c.name, len(rows))
			continue
		}
		if got := refusalLines(ref); !slices.Equal(got, c.want) {
			t.Errorf("%s:\n got %q\nwant %q", c.name, got, c.want)
		}
	}
	// A byte order mark, columns in any order, a definition on the first
	// line only: accepted.
	rows, ref := ParseIndicatorCSV([]byte("\xEF\xBB\xBFsource,year,value,country,unit,indicator,name,better\nhttps://e.org,2023,-0.50,tl,u,Own.Index,Own index,lower\nhttps://e.org,2024,7,TL,u,own.index,,\n"))
	if ref != nil {
		t.Fatalf("refused: %q", refusalLines(ref))
	}
	if len(rows) != 2 || rows[0].Obs.Country != "TL" || rows[0].Obs.Text != "-0.50" || rows[0].Obs.Value != -0.5 || rows[1].Def.Name.En != "Own index" || rows[1].Def.HigherBetter {
		t.Errorf("rows %+v", rows)
	}
}
