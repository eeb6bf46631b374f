package geo

import (
	"errors"
	"testing"
)

// TestDecodeTopoJSONSpecExample decodes the shape of the TopoJSON
// specification's example by hand-checked numbers: quantized, delta-encoded
// arcs, a reversed arc (~1) and a shared end point kept once.
func TestDecodeTopoJSONSpecExample(t *testing.T) {
	in := `{"type":"Topology","transform":{"scale":[0.5,0.25],"translate":[100,-10]},
	"objects":{"countries":{"type":"GeometryCollection","geometries":[
		{"type":"Polygon","id":"360","properties":{"name":"A"},"arcs":[[0,-2]]},
		{"type":"MultiPolygon","properties":{"name":"B"},"arcs":[[[1,-3]]]},
		{"type":"Point","coordinates":[0,0]}]}},
	"arcs":[[[0,0],[4,0],[0,4]],[[0,0],[2,8],[2,-4]],[[0,0],[4,4]]]}`
	cs, err := DecodeTopoJSON([]byte(in), "countries")
	if err != nil {
		t.Fatal(err)
	}
	if len(cs) != 2 || cs[0].ID != "360" || cs[0].Name != "A" || cs[1].ID != "" {
		t.Fatalf("countries = %+v", cs)
	}
	// arc 0: (100,-10) (102,-10) (102,-9); arc 1: (100,-10) (101,-8)
	// (102,-9), which ~1 walks backwards from arc 0's end.
	want := Ring{{100, -10}, {102, -10}, {102, -9}, {101, -8}, {100, -10}}
	got := cs[0].Polygons[0][0]
	if len(got) != len(want) {
		t.Fatalf("ring = %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("ring = %v, want %v", got, want)
		}
	}
	if b := cs[0].Box; b.West != 100 || b.East != 102 || b.South != -10 || b.North != -8 {
		t.Errorf("box = %+v", b)
	}
}

func TestDecodeTopoJSONRefuses(t *testing.T) {
	for _, tc := range []struct{ in, code string }{
		{`{`, "topojson.syntax"},
		{`{"type":"FeatureCollection"}`, "topojson.bad_type"},
		{`{"type":"Topology","objects":{}}`, "topojson.missing_object"},
		{`{"type":"Topology","arcs":[[[0]]],"objects":{"countries":{"type":"Polygon","arcs":[[0]]}}}`, "topojson.bad_position"},
		{`{"type":"Topology","arcs":[],"objects":{"countries":{"type":"Polygon","arcs":[[3]]}}}`, "topojson.bad_arc_index"},
		{`{"type":"Topology","arcs":[],"objects":{"countries":{"type":"Polygon","arcs":[[-9223372036854775808]]}}}`, "topojson.bad_arc_index"},
		{`{"type":"Topology","arcs":[],"objects":{"countries":{"type":"Polygon","arcs":"x"}}}`, "topojson.bad_arcs"},
		{`{"type":"Topology","arcs":[],"objects":{"countries":{"type":"Polygon","arcs":[]}}}`, "topojson.bad_arcs"},
		{`{"type":"Topology","arcs":[[[0,0],[1,1]]],"objects":{"countries":{"type":"Polygon","arcs":[[0]]}}}`, "topojson.bad_ring"},
	} {
		_, err := DecodeTopoJSON([]byte(tc.in), "countries")
		var ge *Error
		if !errors.As(err, &ge) || ge.Code != tc.code {
			t.Errorf("%s: err = %v, want %s", tc.in, err, tc.code)
		}
	}
}

// TestShippedBoundaries: both scales decode whole, with Indonesia (ISO
// 360) around Sulawesi and South Africa holding Lesotho as a hole.
func TestShippedBoundaries(t *testing.T) {
	for _, tc := range []struct {
		s Scale
		n int
	}{{Scale110m, 177}, {Scale50m, 241}} {
		cs := mustCountries(t, tc.s)
		if len(cs) != tc.n {
			t.Errorf("%s: %d countries, want %d", tc.s, len(cs), tc.n)
		}
		var idn, zaf *Country
		for i := range cs {
			switch cs[i].ID {
			case "360":
				idn = &cs[i]
			case "710":
				zaf = &cs[i]
			}
		}
		if idn == nil || idn.Name != "Indonesia" || !idn.Box.intersects(sulawesi) || idn.Box.West > 96 || idn.Box.East < 140 {
			t.Errorf("%s: Indonesia = %+v", tc.s, idn)
		}
		if zaf == nil || len(zaf.Polygons[0]) != 2 {
			t.Errorf("%s: South Africa should have Lesotho as a hole", tc.s)
		}
	}
	if _, err := LoadCountries("10m"); err == nil {
		t.Error("10m is not shipped")
	}
}
