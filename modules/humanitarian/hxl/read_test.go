package hxl

import (
	"errors"
	"io"
	"os"
	"slices"
	"strings"
	"testing"
)

func mustRead(t *testing.T, src string, opts Options) *Dataset {
	t.Helper()
	d, err := Read(strings.NewReader(src), opts)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return d
}

func specs(cols []Column) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Spec()
	}
	return out
}

func codeOf(err error) string {
	var p *Problem
	if errors.As(err, &p) {
		return p.Code
	}
	return ""
}

func TestHashtagRowAfterJunkRows(t *testing.T) {
	src := "Report of 3 October,,\n" +
		"#OCHA,see notes,\n" +
		",,\n" +
		"Organisation,Sector,Province\n" +
		"#org,#sector,#adm1\n" +
		"PMI,Shelter,Sulawesi Tengah\n"
	// Row 2 has one hashtag ("#OCHA" is a valid tag) among two non-empty
	// cells, which is half: libhxl takes it as the hashtag row. Check that
	// rule first, then the file as meant, where it is text.
	d := mustRead(t, src, Options{})
	if d.HashtagRow != 2 {
		t.Fatalf("half the cells hashtags: hashtag row = %d, want 2", d.HashtagRow)
	}
	src = strings.Replace(src, "#OCHA", "by OCHA", 1)
	d = mustRead(t, src, Options{})
	if d.HashtagRow != 5 {
		t.Fatalf("hashtag row = %d, want 5", d.HashtagRow)
	}
	if want := []string{"#org", "#sector", "#adm1"}; !slices.Equal(specs(d.Columns), want) {
		t.Errorf("columns = %v, want %v", specs(d.Columns), want)
	}
	if d.Columns[2].Header != "Province" {
		t.Errorf("header = %q, want the row just above", d.Columns[2].Header)
	}
	if len(d.Preamble) != 4 || d.Preamble[0][0] != "Report of 3 October" {
		t.Errorf("preamble = %q", d.Preamble)
	}
	if len(d.Rows) != 1 || d.Rows[0].Number != 6 || d.Rows[0].Get(MustPattern("#adm1")) != "Sulawesi Tengah" {
		t.Errorf("rows = %+v", d.Rows)
	}
}

func TestHashtagRowNeedsHalfTheCells(t *testing.T) {
	// Two hashtags of five non-empty cells is less than half.
	_, err := Read(strings.NewReader("#org,#sector,a,b,c\nx,y,z,w,v\n"), Options{})
	if codeOf(err) != CodeNoHashtagRow {
		t.Fatalf("err = %v, want %s", err, CodeNoHashtagRow)
	}
	// Two of four is half, and empty cells do not count.
	d := mustRead(t, "#org,,#sector,a,,b\nx,,y,z,,w\n", Options{})
	if got := specs(d.Columns); !slices.Equal(got, []string{"#org", "", "#sector", "", "", ""}) {
		t.Errorf("columns = %v", got)
	}
	if len(d.Problems) != 2 || d.Problems[0].Code != CodeBadTag || d.Problems[0].Column != 4 || d.Problems[0].Value != "a" {
		t.Errorf("problems = %+v, want bad tags in columns 4 and 6", d.Problems)
	}
}

func TestHashtagRowOnlyInFirst25Rows(t *testing.T) {
	var b strings.Builder
	for i := 0; i < 25; i++ {
		b.WriteString("title,text\n")
	}
	b.WriteString("#org,#sector\nPMI,Shelter\n")
	if _, err := Read(strings.NewReader(b.String()), Options{}); codeOf(err) != CodeNoHashtagRow {
		t.Fatalf("hashtag row at 26: err = %v, want %s", err, CodeNoHashtagRow)
	}
	d := mustRead(t, b.String()[len("title,text\n"):], Options{})
	if d.HashtagRow != 25 {
		t.Fatalf("hashtag row = %d, want 25", d.HashtagRow)
	}
	// A blank line is a row too: here it pushes the hashtag row to 26.
	if _, err := Read(strings.NewReader("\n"+b.String()[len("title,text\n"):]), Options{}); codeOf(err) != CodeNoHashtagRow {
		t.Fatalf("hashtag row after a blank line at 26: err = %v, want %s", err, CodeNoHashtagRow)
	}
}

func TestColumnsByPatternWhateverTheOrderAndCase(t *testing.T) {
	src := "#ORG+Name+IMPL,#org+funding,#Adm1+Code,#adm1+name,#targeted+m,#targeted+F,#x_Custom\n" +
		"PMI,ECHO,ID72,Sulawesi Tengah,10,12,yes\n"
	d := mustRead(t, src, Options{})
	r := d.Rows[0]
	checks := map[string]string{
		"#org+impl":      "PMI",
		"#org+impl+name": "PMI",
		"#org+funding":   "ECHO",
		"#adm1+code":     "ID72",
		"#adm1-code":     "Sulawesi Tengah",
		"#targeted+f":    "12",
		"#x_custom":      "yes",
		"#sector":        "",
	}
	for p, want := range checks {
		if got := r.Get(MustPattern(p)); got != want {
			t.Errorf("Get(%s) = %q, want %q", p, got, want)
		}
	}
	if got := r.GetAll(MustPattern("#targeted")); !slices.Equal(got, []string{"10", "12"}) {
		t.Errorf("GetAll(#targeted) = %v", got)
	}
	if got := d.Find(MustPattern("#org")); !slices.Equal(got, []int{0, 1}) {
		t.Errorf("Find(#org) = %v", got)
	}
	if !d.Has(MustPattern("#adm1+code")) || d.Has(MustPattern("#adm2")) {
		t.Error("Has is wrong")
	}
}

func TestBadCellsAreReportedAndOtherRowsKept(t *testing.T) {
	src := "Org,Targeted,Start,Lat,Lon\n" +
		"#org,#targeted,#date+start,#geo+lat,#geo+lon\n" +
		"PMI,1200,2018-10-01,-0.9,119.87\n" + // row 3
		"UNICEF,lots,2018-10-03,-0.9,119.87\n" + // row 4: bad number
		"\n" + // row 5: blank, skipped but counted
		"WFP,-5,next week,95,119.87\n" + // row 6: bad count, bad date, bad latitude
		"\"Save the\nChildren\",300,2018-11,-1.0,200\n" + // row 7 over two lines: bad longitude
		"WVI,250,2018-10-10,-1.0,120\n" // row 8, line 9
	d := mustRead(t, src, Options{})
	if len(d.Rows) != 5 {
		t.Fatalf("rows = %d, want 5 (bad rows kept)", len(d.Rows))
	}
	type loc struct {
		code     string
		row, col int
		line     int
		tag, val string
	}
	var got []loc
	for _, p := range d.Problems {
		got = append(got, loc{p.Code, p.Row, p.Column, p.Line, p.Tag, p.Value})
	}
	want := []loc{
		{CodeBadNumber, 4, 2, 4, "#targeted", "lots"},
		{CodeBadCount, 6, 2, 6, "#targeted", "-5"},
		{CodeBadDate, 6, 3, 6, "#date+start", "next week"},
		{CodeBadLatitude, 6, 4, 6, "#geo+lat", "95"},
		{CodeBadLongitude, 7, 5, 7, "#geo+lon", "200"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("problems:\n got %+v\nwant %+v", got, want)
	}
	var valid []string
	for _, r := range d.ValidRows() {
		valid = append(valid, r.Get(MustPattern("#org")))
	}
	if !slices.Equal(valid, []string{"PMI", "WVI"}) {
		t.Errorf("valid rows = %v", valid)
	}
	if last := d.Rows[4]; last.Number != 8 || last.Line != 9 {
		t.Errorf("last row number %d line %d, want 8 and 9", last.Number, last.Line)
	}
	if msg := d.Problems[0].Error(); !strings.Contains(msg, "hxl.bad_number row 4 column 2 #targeted") {
		t.Errorf("Error() = %q", msg)
	}
}

func TestKindsCanBeReplaced(t *testing.T) {
	src := "#targeted,#value+budget\nmany,x\n"
	d := mustRead(t, src, Options{Kinds: []KindRule{}})
	if len(d.Problems) != 0 || d.Rows[0].Invalid {
		t.Errorf("no kinds: problems %+v", d.Problems)
	}
	d = mustRead(t, src, Options{})
	if len(d.Problems) != 2 {
		t.Errorf("default kinds: problems %+v", d.Problems)
	}
}

func TestBrokenCSVRowIsSkippedNotFatal(t *testing.T) {
	src := "#org,#sector\nPMI,Shelter\nUN\"ICEF,WASH\nWFP,Food\n"
	d := mustRead(t, src, Options{})
	if len(d.Rows) != 2 || d.Rows[1].Get(MustPattern("#org")) != "WFP" || d.Rows[1].Number != 4 {
		t.Errorf("rows = %+v", d.Rows)
	}
	if len(d.Problems) != 1 || d.Problems[0].Code != CodeBadCSV || d.Problems[0].Row != 3 {
		t.Errorf("problems = %+v", d.Problems)
	}
}

func TestLimits(t *testing.T) {
	src := "#org,#sector\nA,1\nB,2\nC,3\n"
	if _, err := Read(strings.NewReader(src), Options{MaxRows: 2}); codeOf(err) != CodeTooManyRows {
		t.Errorf("rows: err = %v", err)
	}
	if _, err := Read(strings.NewReader(src), Options{MaxRows: 3}); err != nil {
		t.Errorf("exactly at the row limit: %v", err)
	}
	if _, err := Read(strings.NewReader(src), Options{MaxBytes: int64(len(src) - 1)}); codeOf(err) != CodeTooLarge {
		t.Errorf("bytes: err = %v", err)
	}
	if _, err := Read(strings.NewReader(src), Options{MaxBytes: int64(len(src))}); err != nil {
		t.Errorf("exactly at the byte limit: %v", err)
	}
	if _, err := Read(strings.NewReader(src+"D,4,x\n"), Options{MaxColumns: 2}); codeOf(err) != CodeTooManyColumns {
		t.Errorf("columns: err = %v", err)
	}
	var p *Problem
	_, err := Read(strings.NewReader(src), Options{MaxRows: 1})
	if !errors.As(err, &p) || p.Limit != 1 || p.Row != 3 {
		t.Errorf("limit problem = %+v", p)
	}
	many := "#targeted\n" + strings.Repeat("x\n", 30)
	d := mustRead(t, many, Options{MaxProblems: 10})
	if len(d.Problems) != 10 || d.MoreProblems != 20 || len(d.ValidRows()) != 0 {
		t.Errorf("kept %d problems, %d more, %d valid", len(d.Problems), d.MoreProblems, len(d.ValidRows()))
	}
}

func TestByteOrderMarkSemicolonAndLatin1(t *testing.T) {
	d := mustRead(t, "\xef\xbb\xbf#org;#adm1\nPMI;Sulawesi Tengah\n", Options{Comma: ';'})
	if got := specs(d.Columns); !slices.Equal(got, []string{"#org", "#adm1"}) {
		t.Errorf("columns = %v", got)
	}
	// The delimiter is guessed from the hashtag row when not given.
	for _, src := range []string{
		"Org;Notes\n#org;#description\nPMI;\"tarpaulins, kits\"\n",
		"Org\tNotes\n#org\t#description\nPMI\ttarpaulins, kits\n",
		"Org,Notes\n#org,#description\nPMI,\"tarpaulins, kits\"\n",
	} {
		d = mustRead(t, src, Options{})
		if len(d.Columns) != 2 || d.Rows[0].Get(MustPattern("#description")) != "tarpaulins, kits" {
			t.Errorf("guessed delimiter for %q: columns %v rows %+v", src, specs(d.Columns), d.Rows)
		}
	}
	d = mustRead(t, "#org\nCaf\xe9\n", Options{})
	if got := d.Rows[0].Values[0]; got != "Café" {
		t.Errorf("latin-1 cell = %q", got)
	}
}

func readFile(t *testing.T, name string) *Dataset {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return mustRead(t, string(b), Options{})
}

// TestLibhxlExamples reads the files of HXL's reference library (see
// testdata/README.md) and checks what libhxl's own tests expect of them.
func TestLibhxlExamples(t *testing.T) {
	valid := []string{"", "#sector+es", "#subsector+es", "#org+es", "#targeted+f", "#targeted+m", "#country", "#adm1", "#date+reported"}
	for _, name := range []string{"libhxl-input-valid.csv", "libhxl-input-valid-latin1.csv"} {
		d := readFile(t, name)
		if got := specs(d.Columns); !slices.Equal(got, valid) {
			t.Errorf("%s: columns = %v", name, got)
		}
		if d.HashtagRow != 3 || len(d.Preamble) != 2 || len(d.Rows) != 4 {
			t.Errorf("%s: hashtag row %d, preamble %d, rows %d", name, d.HashtagRow, len(d.Preamble), len(d.Rows))
		}
		if len(d.Problems) != 0 {
			t.Errorf("%s: problems %+v", name, d.Problems)
		}
		r := d.Rows[2]
		if r.Get(MustPattern("#org")) != "UNICEF" || r.Get(MustPattern("#targeted+m")) != "300" || r.Get(MustPattern("#adm1")) != "Chocó" {
			t.Errorf("%s: row 3 = %q", name, r.Values)
		}
		if d.Columns[1].Header != "Sector/Cluster" || d.Columns[7].Header != "Departamento/Provincia/Estado" {
			t.Errorf("%s: headers %q, %q", name, d.Columns[1].Header, d.Columns[7].Header)
		}
		if got, err := ParseDate(d.Rows[0].Get(MustPattern("#date+reported"))); err != nil || got.String() != "2015-03-01" {
			t.Errorf("%s: date = %v %v", name, got, err)
		}
	}

	d := readFile(t, "libhxl-input-multiple-headers.csv")
	if got := specs(d.Columns); !slices.Equal(got, []string{"#org", "", "#adm1", "#affected"}) || d.Columns[1].Header != "No hashtag" {
		t.Errorf("multiple headers: columns = %v", got)
	}
	if len(d.Rows) != 2 || d.Rows[1].Get(MustPattern("#affected")) != "200" || len(d.Problems) != 0 {
		t.Errorf("multiple headers: rows %+v problems %+v", d.Rows, d.Problems)
	}

	d = readFile(t, "libhxl-input-fuzzy.csv")
	if got := specs(d.Columns); !slices.Equal(got, []string{"", "#sector+es", "#subsector+es", "#org+es", "#targeted+f", "#targeted+f", "", ""}) {
		t.Errorf("fuzzy: columns = %v", got)
	}
	if len(d.Problems) != 2 || d.Problems[0].Code != CodeBadTag || d.Problems[0].Value != "country" || d.Problems[0].Row != 3 {
		t.Errorf("fuzzy: problems %+v", d.Problems)
	}

	b, err := os.ReadFile("testdata/libhxl-input-invalid.csv")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Read(strings.NewReader(string(b)), Options{}); codeOf(err) != CodeNoHashtagRow {
		t.Errorf("invalid: err = %v, want %s", err, CodeNoHashtagRow)
	}
}

// TestThreeW reads a 3W in HXL's shape and totals it as the module will.
func TestThreeW(t *testing.T) {
	d := readFile(t, "threew.csv")
	if len(d.Problems) != 0 || len(d.Rows) != 5 || d.HashtagRow != 3 {
		t.Fatalf("problems %+v, rows %d, hashtag row %d", d.Problems, len(d.Rows), d.HashtagRow)
	}
	for _, p := range []string{"#org+impl", "#sector+cluster", "#adm1+code", "#adm2+code", "#activity", "#status", "#date+start", "#targeted+f", "#reached+children"} {
		if !d.Has(MustPattern(p)) {
			t.Errorf("no column for %s", p)
		}
	}
	var reached int64
	sectors := map[string]string{}
	for _, r := range d.Rows {
		for _, v := range r.GetAll(MustPattern("#reached")) {
			if v == "" {
				continue
			}
			n, err := ParseCount(v)
			if err != nil {
				t.Fatal(err)
			}
			reached += n
		}
		sectors[r.Get(MustPattern("#adm2+code"))+" "+r.Get(MustPattern("#sector"))] = r.Get(MustPattern("#org+impl+name"))
	}
	if reached != 800+750+600+2400+2200+2000+5000+4800+3900+280+240+1650 {
		t.Errorf("reached = %d", reached)
	}
	if sectors["ID7210 WASH"] != "UNICEF" || sectors["ID7271 Education"] != "Save the Children" {
		t.Errorf("who where = %v", sectors)
	}
	if got := d.Rows[4].Get(MustPattern("#activity")); got != `Child-friendly spaces; "safe play" sessions` {
		t.Errorf("quoted activity = %q", got)
	}
}

func TestReaderStreams(t *testing.T) {
	rd, err := NewReader(strings.NewReader("Org,Reached\n#org,#reached\nPMI,10\nUNICEF,x\nWFP,30\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := specs(rd.Columns()); !slices.Equal(got, []string{"#org", "#reached"}) || len(rd.Preamble()) != 1 {
		t.Fatalf("columns %v preamble %q", got, rd.Preamble())
	}
	var orgs []string
	for {
		r, err := rd.Next()
		if err != nil {
			if err != io.EOF {
				t.Fatal(err)
			}
			break
		}
		orgs = append(orgs, r.Get(MustPattern("#org")))
	}
	problems, more := rd.Problems()
	if !slices.Equal(orgs, []string{"PMI", "UNICEF", "WFP"}) || len(problems) != 1 || problems[0].Row != 4 || more != 0 {
		t.Errorf("orgs %v problems %+v", orgs, problems)
	}
}
