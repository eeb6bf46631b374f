package geo

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// FuzzParseGeoJSON: any bytes either fail with an *Error or parse into
// features that our writer accepts and that parse again without error.
func FuzzParseGeoJSON(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join("testdata", "features.geojson")); err == nil {
		f.Add(b)
	}
	for _, s := range []string{
		`{"type":"Point","coordinates":[119.87,-0.89,12]}`,
		`{"type":"Feature","id":7,"geometry":{"type":"MultiLineString","coordinates":[[[0,0],[1,1]]]},"properties":{"a":[1,{"b":null}]}}`,
		`{"type":"GeometryCollection","geometries":[{"type":"MultiPoint","coordinates":[[1,2]]},{"type":"LineString","coordinates":[[1,2],[3,4]]}]}`,
		`{"type":"MultiPolygon","coordinates":[[[[0,0],[0,1],[1,1],[0,0]],[[0.1,0.1],[0.2,0.1],[0.2,0.2],[0.1,0.1]]]]}`,
		`{"type":"Polygon","coordinates":[[[0,0],[0,0],[0,0],[0,0]]],"bbox":[0,0,0,0]}`,
		`{"type":"Point","coordinates":[1e400,0]}`,
		`{"type":"FeatureCollection","features":[],"crs":null}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		doc, err := ParseGeoJSON(b)
		if err != nil {
			var ge *Error
			if !errors.As(err, &ge) || ge.Code == "" {
				t.Fatalf("error without a code: %v", err)
			}
			return
		}
		var out bytes.Buffer
		if err := WriteFeatureCollection(&out, doc.Features); err != nil {
			t.Fatalf("writer refused parsed features: %v\n%s", err, b)
		}
		if _, err := ParseGeoJSON(out.Bytes()); err != nil {
			t.Fatalf("our output does not parse: %v\n%s", err, out.Bytes())
		}
	})
}

// FuzzDecodeTopoJSON: a broken topology is an *Error, never a panic, and
// every decoded ring is made only of arc points.
func FuzzDecodeTopoJSON(f *testing.F) {
	f.Add([]byte(`{"type":"Topology","transform":{"scale":[0.5,0.25],"translate":[100,-10]},"objects":{"countries":{"type":"GeometryCollection","geometries":[{"type":"Polygon","id":"360","arcs":[[0,-2]]},{"type":"MultiPolygon","arcs":[[[1,-3]]]}]}},"arcs":[[[0,0],[4,0],[0,4]],[[0,0],[2,8],[2,-4]],[[0,0],[4,4]]]}`))
	f.Add([]byte(`{"type":"Topology","arcs":[[[1,2],[3,4]]],"objects":{"countries":{"type":"Polygon","arcs":[[0,-1,~0]]}}}`))
	f.Add([]byte(`{"type":"Topology","arcs":[[[1,2]]],"objects":{"countries":{"type":"MultiPolygon","arcs":[[[-1]],[[0,0]]]}}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		cs, err := DecodeTopoJSON(b, "countries")
		if err != nil {
			var ge *Error
			if !errors.As(err, &ge) || ge.Code == "" {
				t.Fatalf("error without a code: %v", err)
			}
			return
		}
		for _, c := range cs {
			for _, poly := range c.Polygons {
				if len(poly) == 0 {
					t.Fatalf("empty polygon in %+v", c)
				}
				for _, r := range poly {
					if len(r) < 4 || r[0] != r[len(r)-1] {
						t.Fatalf("open or short ring %v", r)
					}
				}
			}
		}
	})
}
