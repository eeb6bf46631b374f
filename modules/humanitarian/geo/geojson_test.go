package geo

import (
	"bytes"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// geojsonPython finds a python3 with Debian's python3-geojson, the
// independent validator: ENTENTE_TEST_GEOJSON, else /usr/bin/python3 when
// it has the module. Under ENTENTE_TEST_STRICT=1 a missing one fails.
func geojsonPython(t *testing.T) string {
	t.Helper()
	py := os.Getenv("ENTENTE_TEST_GEOJSON")
	if py == "" {
		py = "/usr/bin/python3"
	}
	if err := exec.Command(py, "-c", "import geojson").Run(); err != nil {
		if os.Getenv("ENTENTE_TEST_STRICT") == "1" {
			t.Fatalf("ENTENTE_TEST_STRICT=1 but %s cannot import geojson (apt-get install python3-geojson, or set ENTENTE_TEST_GEOJSON): %v", py, err)
		}
		t.Skipf("SKIPPING the GeoJSON validation: %s cannot import geojson (apt-get install python3-geojson)", py)
	}
	return py
}

// validateScript has python3-geojson load the file and check it; it
// prints the features' count so the test knows it read them all.
const validateScript = `
import sys, geojson
obj = geojson.load(open(sys.argv[1]))
if obj.get("crs") is not None:
    sys.exit("crs present")
if not obj.is_valid:
    sys.exit("invalid: %r" % (obj.errors(),))
for f in obj["features"]:
    if not f.is_valid:
        sys.exit("invalid feature: %r" % (f.errors(),))
print(len(obj["features"]))
`

// sampleFeatures has what the module exports: report points with
// properties, and a polygon given clockwise and open, with a hole given
// counter-clockwise, which the writer must close and turn around.
func sampleFeatures() []Feature {
	palu := Ring{{119.80, -0.95}, {119.80, -0.80}, {119.95, -0.80}, {119.95, -0.95}} // clockwise, open
	hole := Ring{{119.85, -0.90}, {119.90, -0.90}, {119.90, -0.85}, {119.85, -0.85}, {119.85, -0.90}}
	return []Feature{
		{ID: "r-1", Geometry: ptr(PointGeometry(119.8707614, -0.8949936)), Properties: map[string]any{"category": "shelter", "verified": true, "people": 40}},
		{ID: "r-2", Geometry: ptr(PointGeometry(119.84000004, -0.7)), Properties: map[string]any{"category": "water", "text": "Air bersih \"habis\" — Donggala"}},
		{ID: "area-palu", Geometry: ptr(PolygonGeometry(Polygon{palu, hole})), Properties: map[string]any{"name": "Palu"}},
		{Geometry: nil, Properties: nil},
	}
}

func ptr[T any](v T) *T { return &v }

func mustWrite(t *testing.T, fs []Feature) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := WriteFeatureCollection(&b, fs); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestGeoJSONMatchesGolden pins the exact bytes: 7 decimals at most, no
// trailing zeros, sorted property keys, rings closed and oriented.
func TestGeoJSONMatchesGolden(t *testing.T) {
	got := mustWrite(t, sampleFeatures())
	golden := filepath.Join("testdata", "features.geojson")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("GeoJSON differs from %s:\n%s", golden, got)
	}
	for _, s := range []string{`[119.84,-0.7]`, `"crs"`} {
		if strings.Contains(string(got), s) == (s == `"crs"`) {
			t.Errorf("output and %q: %s", s, got)
		}
	}
}

// TestGeoJSONIsValidForPython3GeoJSON has the independent validator read
// our sample and Indonesia's boundary (a MultiPolygon of many islands).
func TestGeoJSONIsValidForPython3GeoJSON(t *testing.T) {
	py := geojsonPython(t)
	fs := sampleFeatures()
	for _, c := range mustCountries(t, Scale50m) {
		if c.Name == "Indonesia" || c.Name == "Lesotho" { // Lesotho: a hole in South Africa
			fs = append(fs, Feature{ID: c.ID, Geometry: ptr(PolygonGeometry(c.Polygons...)), Properties: map[string]any{"name": c.Name}})
		}
	}
	for _, c := range mustCountries(t, Scale50m) {
		if c.Name == "South Africa" {
			fs = append(fs, Feature{ID: c.ID, Geometry: ptr(PolygonGeometry(c.Polygons...)), Properties: map[string]any{"name": c.Name}})
		}
	}
	if len(fs) != 7 {
		t.Fatalf("want 7 features, have %d", len(fs))
	}
	file := filepath.Join(t.TempDir(), "out.geojson")
	if err := os.WriteFile(file, mustWrite(t, fs), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(py, "-c", validateScript, file).CombinedOutput()
	if err != nil {
		t.Fatalf("python3-geojson: %v\n%s", err, out)
	}
	if strings.TrimSpace(string(out)) != "7" {
		t.Errorf("python3-geojson read %q features, want 7", out)
	}
	// Our own strict parser agrees and finds every ring the right way round.
	doc, err := ParseGeoJSON(mustWrite(t, fs))
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Features) != 7 || len(doc.Warnings) != 0 {
		t.Errorf("%d features, warnings %v", len(doc.Features), doc.Warnings)
	}
}

// TestGeoJSONRoundTrip: what we write parses back to the same features.
func TestGeoJSONRoundTrip(t *testing.T) {
	first := mustWrite(t, sampleFeatures())
	doc, err := ParseGeoJSON(first)
	if err != nil {
		t.Fatal(err)
	}
	if again := mustWrite(t, doc.Features); !bytes.Equal(first, again) {
		t.Errorf("round trip changed the output:\n%s\n%s", first, again)
	}
	poly := doc.Features[2].Geometry.Polygons[0]
	if len(poly) != 2 || signedArea(poly[0]) <= 0 || signedArea(poly[1]) >= 0 || poly[0][0] != poly[0][len(poly[0])-1] {
		t.Errorf("polygon not closed and oriented: %v", poly)
	}
}

func TestWriterRefusesOutOfRange(t *testing.T) {
	var b bytes.Buffer
	err := WriteFeatureCollection(&b, []Feature{{Geometry: ptr(PointGeometry(119, 0))}, {Geometry: ptr(PointGeometry(200, 0))}})
	var ge *Error
	if !errors.As(err, &ge) || ge.Code != "geojson.lon_range" || ge.Path != "features[1].geometry.coordinates" {
		t.Fatalf("err = %v", err)
	}
	if b.Len() != 0 {
		t.Errorf("half-written output: %s", b.String())
	}
	err = WriteFeatureCollection(&b, []Feature{{Properties: map[string]any{"a": 1}}, {Properties: map[string]any{"n": math.NaN()}}})
	if !errors.As(err, &ge) || ge.Code != "geojson.bad_properties" || ge.Path != "features[1].properties" || b.Len() != 0 {
		t.Fatalf("err = %v, output %q", err, b.String())
	}
}

// TestParserRejects names each refusal by its code and where it is.
func TestParserRejects(t *testing.T) {
	for _, tc := range []struct{ in, code, path string }{
		{`[]`, "geojson.not_object", "$"},
		{`{"type":"Topology"}`, "geojson.bad_type", "$.type"},
		{`{"features":[]}`, "geojson.missing_member", "$.type"},
		{`{"type":"FeatureCollection","crs":{"type":"name"},"features":[]}`, "geojson.crs", "$.crs"},
		{`{"type":"FeatureCollection","features":{}}`, "geojson.bad_features", "$.features"},
		{`{"type":"FeatureCollection","features":[{"type":"Point","coordinates":[1,2]}]}`, "geojson.bad_type", "features[0].type"},
		{`{"type":"Feature","geometry":null}`, "geojson.missing_member", "$.properties"},
		{`{"type":"Feature","properties":null}`, "geojson.missing_member", "$.geometry"},
		{`{"type":"Feature","id":{},"geometry":null,"properties":null}`, "geojson.bad_id", "$.id"},
		{`{"type":"Feature","geometry":null,"properties":[1]}`, "geojson.bad_properties", "$.properties"},
		{`{"type":"Point","coordinates":[181,0]}`, "geojson.lon_range", "$.coordinates"},
		{`{"type":"Point","coordinates":[0,-90.5]}`, "geojson.lat_range", "$.coordinates"},
		{`{"type":"Point","coordinates":[null,1]}`, "geojson.bad_position", "$.coordinates"},
		{`{"type":"Point","coordinates":[1,2,3,4]}`, "geojson.bad_position", "$.coordinates"},
		{`{"type":"Point","coordinates":[1,2],"bbox":[1,2]}`, "geojson.bad_bbox", "$.bbox"},
		{`{"type":"Point"}`, "geojson.missing_member", "$.coordinates"},
		{`{"type":"Circle","coordinates":[1,2]}`, "geojson.bad_type", "$.type"},
		{`{"type":"LineString","coordinates":[[1,2]]}`, "geojson.line_short", "$.coordinates"},
		{`{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1]]]}`, "geojson.ring_open", "$.coordinates[0]"},
		{`{"type":"Polygon","coordinates":[[[0,0],[1,0],[0,0]]]}`, "geojson.ring_short", "$.coordinates[0]"},
		{`{"type":"Polygon","coordinates":[]}`, "geojson.bad_polygon", "$.coordinates"},
		{`{"type":"MultiPolygon","coordinates":[[[[0,0],[1,0],[1,1],[0,0]]],[[[0,0],[1,0],[1,"x"],[0,0]]]]}`, "geojson.bad_position", "$.coordinates[1][0][2]"},
		{`{"type":"GeometryCollection","geometries":[` + strings.Repeat(`{"type":"GeometryCollection","geometries":[`, 9) + strings.Repeat(`]}`, 9) + `]}`, "geojson.too_deep", "$" + strings.Repeat(".geometries[0]", 9)},
	} {
		_, err := ParseGeoJSON([]byte(tc.in))
		var ge *Error
		if !errors.As(err, &ge) || ge.Code != tc.code || ge.Path != tc.path {
			t.Errorf("%s: err = %v, want %s at %s", tc.in, err, tc.code, tc.path)
		}
	}
}

// TestParserReportsOrientation: RFC 7946 §3.1.6 asks parsers not to reject
// wrongly wound rings, so they come back as warnings, with the ring named.
func TestParserReportsOrientation(t *testing.T) {
	in := `{"type":"Feature","geometry":{"type":"Polygon","coordinates":[
		[[0,0],[0,10],[10,10],[10,0],[0,0]],
		[[2,2],[4,2],[4,4],[2,4],[2,2]]]},"properties":{"n":1.50}}`
	doc, err := ParseGeoJSON([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, w := range doc.Warnings {
		codes = append(codes, w.Code+"@"+w.Path)
	}
	want := "geojson.exterior_clockwise@$.geometry.coordinates[0] geojson.hole_counterclockwise@$.geometry.coordinates[1]"
	if strings.Join(codes, " ") != want {
		t.Errorf("warnings = %v, want %s", codes, want)
	}
	if n := doc.Features[0].Properties["n"]; n.(interface{ String() string }).String() != "1.50" {
		t.Errorf("number property = %v, want it kept as written", n)
	}
}
