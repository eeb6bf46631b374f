package geo

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// sulawesi is Central Sulawesi with Palu, Donggala and Sigi, where the
// 2018 earthquake and tsunami struck: the demo's emergency.
var sulawesi = BBox{West: 118.8, South: -3.6, East: 124.2, North: 1.5}

// mustCountries decodes a shipped scale once per test binary run.
func mustCountries(t testing.TB, s Scale) []Country {
	t.Helper()
	cs, err := LoadCountries(s)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// reportPoints returns n deterministic points, most around Palu and some
// spread over the box, like reports after an earthquake.
func reportPoints(n int) []Point {
	r := rand.New(rand.NewPCG(19, 2018))
	pts := make([]Point, n)
	for i := range pts {
		if i%4 == 0 {
			pts[i] = Point{119.4 + r.Float64()*4.5, -3.2 + r.Float64()*4.2}
			continue
		}
		pts[i] = Point{119.87 + r.NormFloat64()*0.12, -0.9 + r.NormFloat64()*0.15}
	}
	return pts
}

func sulawesiMap(t testing.TB, n int) *Map {
	return &Map{
		Box:       sulawesi,
		Title:     "Reports, Central Sulawesi earthquake",
		Desc:      "Verified reports around Palu, Donggala and Sigi, clustered by area.",
		Countries: mustCountries(t, Scale50m),
		Points:    reportPoints(n),
		Cell:      56,
	}
}

// TestSulawesiMapMatchesGolden renders the demo's map with 1,000 reports
// and compares it byte for byte with testdata/sulawesi.svg; the file is
// also what a person looks at in a browser (see the package report).
func TestSulawesiMapMatchesGolden(t *testing.T) {
	var b bytes.Buffer
	sum, err := RenderSVG(&b, sulawesiMap(t, 1000))
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("1,000 points: %d bytes, %d clusters, %d dots, %d outside", sum.Bytes, sum.Clusters, sum.Singles, sum.Outside)
	if sum.Bytes != b.Len() || sum.Points+sum.Outside != 1000 {
		t.Errorf("summary %+v does not add up (%d bytes written)", sum, b.Len())
	}
	if sum.Bytes > 40_000 {
		t.Errorf("map is %d bytes, want at most 40,000 for a light page", sum.Bytes)
	}
	golden := filepath.Join("testdata", "sulawesi.svg")
	if *update {
		if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), want) {
		t.Errorf("map differs from %s (run with -update after checking it in a browser)", golden)
	}
}

// TestMapIsDeterministicAndAccessible: the same points in another order
// give the same bytes; the SVG is well-formed XML with role="img", a
// viewBox and no fixed width, and its title and desc are escaped.
func TestMapIsDeterministicAndAccessible(t *testing.T) {
	m := sulawesiMap(t, 300)
	m.Title = `Palu <&> "Sigi"`
	var a, b bytes.Buffer
	if _, err := RenderSVG(&a, m); err != nil {
		t.Fatal(err)
	}
	rev := &Map{}
	*rev = *m
	rev.Points = append([]Point(nil), m.Points...)
	for i, j := 0, len(rev.Points)-1; i < j; i, j = i+1, j-1 {
		rev.Points[i], rev.Points[j] = rev.Points[j], rev.Points[i]
	}
	if _, err := RenderSVG(&b, rev); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Error("the order of points changed the output")
	}
	var doc struct {
		XMLName  xml.Name
		ViewBox  string `xml:"viewBox,attr"`
		Role     string `xml:"role,attr"`
		Width    string `xml:"width,attr"`
		Labelled string `xml:"aria-labelledby,attr"`
		Title    string `xml:"title"`
		Desc     string `xml:"desc"`
	}
	if err := xml.Unmarshal(a.Bytes(), &doc); err != nil {
		t.Fatalf("not well-formed XML: %v", err)
	}
	if doc.XMLName.Local != "svg" || doc.Role != "img" || doc.Width != "" || doc.Labelled != "map-t map-d" {
		t.Errorf("svg attributes: %+v", doc)
	}
	if doc.ViewBox != "0 0 600 567" {
		t.Errorf("viewBox = %q", doc.ViewBox)
	}
	if doc.Title != m.Title || doc.Desc != m.Desc {
		t.Errorf("title %q desc %q", doc.Title, doc.Desc)
	}
}

// TestClustersCountEveryPoint: the counts in the circles and the dots add
// up to the points inside the box; points outside are counted apart.
func TestClustersCountEveryPoint(t *testing.T) {
	m := &Map{Box: BBox{West: 0, South: 0, East: 10, North: 10}, Cell: 100, Points: []Point{
		{1, 1}, {1.2, 1.3}, {1.4, 1.1}, // one cell of three
		{9, 9},            // alone
		{20, 5}, {5, -40}, // outside
	}}
	var b bytes.Buffer
	sum, err := RenderSVG(&b, m)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Points != 4 || sum.Outside != 2 || sum.Clusters != 1 || sum.Singles != 1 {
		t.Errorf("summary = %+v", sum)
	}
	out := b.String()
	if !strings.Contains(out, ">3</text>") || strings.Count(out, "h0") != 1 {
		t.Errorf("want one cluster of 3 and one dot:\n%s", out)
	}
	m.Cell = 0 // no clustering: every point a dot
	b.Reset()
	if sum, _ = RenderSVG(&b, m); sum.Singles != 4 || sum.Clusters != 0 {
		t.Errorf("unclustered summary = %+v", sum)
	}
}

// TestWeightsCountAsRepeatedPoints: a point of weight three draws what
// three points at the same place draw, and counts three outside the box.
func TestWeightsCountAsRepeatedPoints(t *testing.T) {
	box := BBox{West: 0, South: 0, East: 10, North: 10}
	var a, b bytes.Buffer
	sa, err := RenderSVG(&a, &Map{Box: box, Cell: 100, Points: []Point{{1, 1}, {1, 1}, {1, 1}, {9, 9}, {20, 5}, {20, 5}}})
	if err != nil {
		t.Fatal(err)
	}
	sb, err := RenderSVG(&b, &Map{Box: box, Cell: 100, Points: []Point{{1, 1}, {9, 9}, {20, 5}}, Weights: []int{3, 0, 2}})
	if err != nil {
		t.Fatal(err)
	}
	if sa != sb || a.String() != b.String() {
		t.Errorf("weighted %+v, repeated %+v\n%s\n%s", sb, sa, b.String(), a.String())
	}
	if sb.Points != 4 || sb.Outside != 2 || sb.Clusters != 1 {
		t.Errorf("summary %+v", sb)
	}
}

// TestLabelsAreEscapedAndClipped: a place's name is text, escaped, and a
// label outside the box is left out.
func TestLabelsAreEscapedAndClipped(t *testing.T) {
	var b bytes.Buffer
	if _, err := RenderSVG(&b, &Map{Box: BBox{West: 0, South: 0, East: 10, North: 10},
		Labels: []Label{{At: Point{5, 5}, Text: "Palu <script>&"}, {At: Point{50, 5}, Text: "Far"}}}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.Contains(out, ">Palu &lt;script&gt;&amp;</text>") || strings.Contains(out, "Far") {
		t.Errorf("labels:\n%s", out)
	}
}

// TestProjections: Web-Mercator stretches the north of a box far from the
// equator, so its viewBox is taller than the equirectangular one:
// y(60°)-y(40°) = 75.46°-43.71° in Mercator degrees, × 600/20.
func TestProjections(t *testing.T) {
	box := BBox{West: 0, South: 40, East: 20, North: 60}
	for _, tc := range []struct {
		proj Projection
		want string
	}{{Equirectangular, `viewBox="0 0 600 600"`}, {WebMercator, `viewBox="0 0 600 952"`}} {
		var b bytes.Buffer
		if _, err := RenderSVG(&b, &Map{Box: box, Projection: tc.proj}); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), tc.want) {
			t.Errorf("projection %d: want %s in %.120s", tc.proj, tc.want, b.String())
		}
	}
}

func TestRenderRefusesBadOptions(t *testing.T) {
	for _, m := range []*Map{
		{Box: BBox{West: 10, South: 0, East: 5, North: 5}},
		{Box: BBox{West: 0, South: 0, East: 200, North: 5}},
		{Box: BBox{West: 0, South: 0, East: 5, North: 5}, Cell: -1},
		{Box: BBox{West: 0, South: 0, East: 5, North: 5}, Cell: math.Inf(1)},
		{Box: BBox{West: 0, South: 0, East: 5, North: 5}, Width: math.NaN()},
		{Box: BBox{West: 0, South: math.NaN(), East: 5, North: 5}},
	} {
		_, err := RenderSVG(&bytes.Buffer{}, m)
		var ge *Error
		if !errors.As(err, &ge) || (ge.Code != "geo.bad_bbox" && ge.Code != "geo.bad_cell" && ge.Code != "geo.bad_width") {
			t.Errorf("%+v: err = %v", m.Box, err)
		}
	}
}

// TestClipRingKeepsInsideOnly: a square larger than the window is cut to
// the window's edges.
func TestClipRingKeepsInsideOnly(t *testing.T) {
	got := clipRing([]xy{{-10, -10}, {20, -10}, {20, 20}, {-10, 20}}, [4]float64{0, 0, 10, 10})
	for _, q := range got {
		if q.x < 0 || q.x > 10 || q.y < 0 || q.y > 10 {
			t.Fatalf("point %v outside the window: %v", q, got)
		}
	}
	if d := string(appendRing(nil, got)); d != "M0 0l10 0 0 10-10 0z" && d != "M10 10l-10 0 0-10 10 0z" && !strings.HasPrefix(d, "M") {
		t.Errorf("path = %q", d)
	}
}

// BenchmarkRender100kClustered is the crisis map's hot path: 100,000
// reports clustered over Central Sulawesi with the 1:50m boundaries.
func BenchmarkRender100kClustered(b *testing.B) {
	m := sulawesiMap(b, 100_000)
	var out bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		out.Reset()
		if _, err := RenderSVG(&out, m); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(out.Len()), "bytes")
}

func BenchmarkLoadCountries50m(b *testing.B) {
	for b.Loop() {
		if _, err := LoadCountries(Scale50m); err != nil {
			b.Fatal(err)
		}
	}
}
