package hxl

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

func write(t *testing.T, d *Dataset) string {
	t.Helper()
	var b bytes.Buffer
	if err := Write(&b, d); err != nil {
		t.Fatalf("Write: %v", err)
	}
	return b.String()
}

// sameData compares what a round trip must keep: columns (tag, attributes
// in order, header) and every row's cells.
func sameData(t *testing.T, a, b *Dataset) {
	t.Helper()
	if len(a.Columns) != len(b.Columns) {
		t.Fatalf("columns %d vs %d", len(a.Columns), len(b.Columns))
	}
	for i := range a.Columns {
		if a.Columns[i].Spec() != b.Columns[i].Spec() || a.Columns[i].Header != b.Columns[i].Header {
			t.Errorf("column %d: %q %q vs %q %q", i, a.Columns[i].Spec(), a.Columns[i].Header, b.Columns[i].Spec(), b.Columns[i].Header)
		}
	}
	if len(a.Rows) != len(b.Rows) {
		t.Fatalf("rows %d vs %d", len(a.Rows), len(b.Rows))
	}
	for i := range a.Rows {
		if !slices.Equal(a.Rows[i].Values, b.Rows[i].Values) {
			t.Errorf("row %d: %q vs %q", i, a.Rows[i].Values, b.Rows[i].Values)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	for _, name := range []string{"threew.csv", "libhxl-input-valid.csv", "libhxl-input-valid-latin1.csv", "libhxl-input-multiple-headers.csv"} {
		t.Run(name, func(t *testing.T) {
			first := readFile(t, name)
			out := write(t, first)
			second := mustRead(t, out, Options{})
			sameData(t, first, second)
			if second.HashtagRow != 2 || len(second.Preamble) != 1 {
				t.Errorf("written file: hashtag row %d, preamble %d rows", second.HashtagRow, len(second.Preamble))
			}
			// A second trip changes nothing at all, byte for byte.
			if again := write(t, second); again != out {
				t.Errorf("second export differs:\n%s\n---\n%s", out, again)
			}
		})
	}
}

func TestWriteRFC4180(t *testing.T) {
	cols := []Column{
		{Tag: "#org", Attributes: []string{"impl", "name"}, Header: "Organisation"},
		{Header: "Notes, internal"},
		{Tag: "#activity", Header: "Activity"},
		{Tag: "#geo", Attributes: []string{"lon"}, Header: "Longitude"},
	}
	var b bytes.Buffer
	w, err := NewWriter(&b, cols)
	if err != nil {
		t.Fatal(err)
	}
	rows := [][]string{
		{"PMI", "", `Tarpaulins, "family" kits`, "119.87"},
		{"WFP", "line one\nline two", "=HYPERLINK(\"http://x\")", "-0.5"},
		{"@SUM(A1)", "+62 812", "-cmd", "+1e3"},
	}
	for _, r := range rows {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "Organisation,\"Notes, internal\",Activity,Longitude\r\n" +
		"#org+impl+name,,#activity,#geo+lon\r\n" +
		"PMI,,\"Tarpaulins, \"\"family\"\" kits\",119.87\r\n" +
		"WFP,\"line one\r\nline two\",\"'=HYPERLINK(\"\"http://x\"\")\",-0.5\r\n" +
		"'@SUM(A1),'+62 812,'-cmd,+1e3\r\n"
	if b.String() != want {
		t.Errorf("got:\n%q\nwant:\n%q", b.String(), want)
	}
	d := mustRead(t, b.String(), Options{})
	if got := d.Rows[1].Values[1]; got != "line one\nline two" {
		t.Errorf("line break cell read back as %q", got)
	}
	if got := d.Rows[1].Values[2]; got != `'=HYPERLINK("http://x")` {
		t.Errorf("formula cell read back as %q", got)
	}

	if err := w.Write([]string{"too", "few"}); codeOf(err) != CodeColumnCount {
		t.Errorf("short row: err = %v", err)
	}
}

func TestWriterRefusesBadTagsAndEmptyDatasetStillHasHeaders(t *testing.T) {
	for _, c := range []Column{{Tag: "org"}, {Tag: "#org", Attributes: []string{"im pl"}}, {Tag: "#Org"}, {Tag: "#org", Attributes: []string{""}}} {
		if _, err := NewWriter(&bytes.Buffer{}, []Column{c}); codeOf(err) != CodeBadTag {
			t.Errorf("column %+v: err = %v, want %s", c, err, CodeBadTag)
		}
	}
	var b bytes.Buffer
	w, err := NewWriter(&b, []Column{{Tag: "#org", Header: "Org"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if b.String() != "Org\r\n#org\r\n" {
		t.Errorf("empty export = %q", b.String())
	}
}

func TestHeaderThatLooksLikeHashtagsIsNotTakenForTheHashtagRow(t *testing.T) {
	// The text header above was "#a" with wider text cells, so it was not
	// the hashtag row; cut to the hashtag row's width it would be.
	d := mustRead(t, "#a,x,y\n#b\n1\n", Options{})
	if d.HashtagRow != 2 || d.Columns[0].Header != "#a" {
		t.Fatalf("setup: hashtag row %d, header %q", d.HashtagRow, d.Columns[0].Header)
	}
	out := write(t, d)
	if !strings.HasPrefix(out, "'#a\r\n#b\r\n") {
		t.Errorf("export = %q", out)
	}
	back := mustRead(t, out, Options{})
	if back.HashtagRow != 2 || back.Rows[0].Values[0] != "1" {
		t.Errorf("re-read: hashtag row %d, rows %+v", back.HashtagRow, back.Rows)
	}
}
