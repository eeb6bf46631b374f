package geo

import (
	"embed"
	"encoding/json"
	"strconv"
)

// Country is one country's boundary from Natural Earth: ISO 3166-1
// numeric code (empty for areas without one, such as Kosovo), English
// short name as Natural Earth gives it, and its polygons.
type Country struct {
	ID       string
	Name     string
	Polygons []Polygon
	Box      BBox
}

// Scale picks one of the shipped boundary files.
type Scale string

// Shipped scales: 1:110m is small (108 kB) and coarse, for the world or a
// region; 1:50m (756 kB) shows islands such as Sulawesi's coast well.
const (
	Scale110m Scale = "110m"
	Scale50m  Scale = "50m"
)

//go:embed data/countries-110m.json data/countries-50m.json
var boundaryFiles embed.FS

// LoadCountries decodes the shipped Natural Earth countries at scale.
// Decoding takes tens of milliseconds, so a caller keeps the result.
func LoadCountries(s Scale) ([]Country, error) {
	if s != Scale110m && s != Scale50m {
		return nil, newError("geo.bad_scale", "scale", "%q", string(s))
	}
	b, err := boundaryFiles.ReadFile("data/countries-" + string(s) + ".json")
	if err != nil {
		return nil, err
	}
	return DecodeTopoJSON(b, "countries")
}

type topology struct {
	Type      string                     `json:"type"`
	Transform *topoTransform             `json:"transform"`
	Arcs      [][][]float64              `json:"arcs"`
	Objects   map[string]json.RawMessage `json:"objects"`
}

type topoTransform struct {
	Scale     [2]float64 `json:"scale"`
	Translate [2]float64 `json:"translate"`
}

type topoGeometry struct {
	Type       string          `json:"type"`
	ID         json.RawMessage `json:"id"`
	Properties struct {
		Name string `json:"name"`
	} `json:"properties"`
	Arcs       json.RawMessage `json:"arcs"`
	Geometries []topoGeometry  `json:"geometries"`
}

// DecodeTopoJSON reads the polygons of the named object of a TopoJSON
// topology (a GeometryCollection of Polygons and MultiPolygons, as Natural
// Earth's world-atlas ships): arcs are delta-decoded and un-quantized when
// the topology has a transform, negative arc indexes (~i) are arc i
// reversed, and joined arcs share their end point, which is kept once.
func DecodeTopoJSON(b []byte, object string) ([]Country, error) {
	var t topology
	if err := json.Unmarshal(b, &t); err != nil {
		return nil, newError("topojson.syntax", "$", "%v", err)
	}
	if t.Type != "Topology" {
		return nil, newError("topojson.bad_type", "$.type", "%q", t.Type)
	}
	arcs := make([][]Point, len(t.Arcs))
	for i, a := range t.Arcs {
		pts := make([]Point, len(a))
		var x, y float64
		for j, pos := range a {
			if len(pos) < 2 {
				return nil, newError("topojson.bad_position", "$.arcs["+strconv.Itoa(i)+"]["+strconv.Itoa(j)+"]", "")
			}
			if t.Transform != nil {
				// Quantized arcs hold the first position and then deltas.
				x += pos[0]
				y += pos[1]
				pts[j] = Point{x*t.Transform.Scale[0] + t.Transform.Translate[0], y*t.Transform.Scale[1] + t.Transform.Translate[1]}
			} else {
				pts[j] = Point{pos[0], pos[1]}
			}
		}
		arcs[i] = pts
	}
	raw, ok := t.Objects[object]
	if !ok {
		return nil, newError("topojson.missing_object", "$.objects", "%q", object)
	}
	var root topoGeometry
	if err := json.Unmarshal(raw, &root); err != nil {
		return nil, newError("topojson.syntax", "$.objects."+object, "%v", err)
	}
	geoms := root.Geometries
	if root.Type != TypeGeometryCollection {
		geoms = []topoGeometry{root}
	}
	out := make([]Country, 0, len(geoms))
	for i, g := range geoms {
		path := "$.objects." + object + ".geometries[" + strconv.Itoa(i) + "]"
		c := Country{Name: g.Properties.Name}
		if len(g.ID) > 0 {
			var s string
			if json.Unmarshal(g.ID, &s) != nil {
				s = string(g.ID)
			}
			c.ID = s
		}
		var polys [][][]int
		switch g.Type {
		case TypePolygon:
			var rings [][]int
			if err := json.Unmarshal(g.Arcs, &rings); err != nil {
				return nil, newError("topojson.bad_arcs", path, "%v", err)
			}
			polys = [][][]int{rings}
		case TypeMultiPolygon:
			if err := json.Unmarshal(g.Arcs, &polys); err != nil {
				return nil, newError("topojson.bad_arcs", path, "%v", err)
			}
		default:
			continue // points and lines are not boundaries
		}
		for _, rings := range polys {
			if len(rings) == 0 {
				return nil, newError("topojson.bad_arcs", path, "polygon without rings")
			}
			var poly Polygon
			for _, idx := range rings {
				r, err := joinArcs(arcs, idx, path)
				if err != nil {
					return nil, err
				}
				// A closed ring has at least 4 positions (RFC 7946 §3.1.6
				// asks the same of GeoJSON, which we export these as).
				if len(r) < 4 || r[0] != r[len(r)-1] {
					return nil, newError("topojson.bad_ring", path, "%d positions", len(r))
				}
				poly = append(poly, r)
			}
			c.Polygons = append(c.Polygons, poly)
		}
		c.Box = boxOf(c.Polygons)
		out = append(out, c)
	}
	return out, nil
}

func joinArcs(arcs [][]Point, idx []int, path string) (Ring, error) {
	var r Ring
	for _, k := range idx {
		rev := k < 0
		if rev {
			k = ^k
		}
		if k >= len(arcs) {
			return nil, newError("topojson.bad_arc_index", path, "%d", k)
		}
		a := arcs[k]
		for j := range a {
			p := a[j]
			if rev {
				p = a[len(a)-1-j]
			}
			if j == 0 && len(r) > 0 {
				continue // shared with the previous arc's last point
			}
			r = append(r, p)
		}
	}
	return r, nil
}

// BBox is a box in degrees, West < East (boxes across the antimeridian
// are not supported: no emergency map here needs one yet).
type BBox struct {
	West, South, East, North float64
}

func boxOf(polys []Polygon) BBox {
	b := BBox{West: 180, South: 90, East: -180, North: -90}
	for _, poly := range polys {
		for _, r := range poly {
			for _, p := range r {
				b.West = min(b.West, p.Lon)
				b.East = max(b.East, p.Lon)
				b.South = min(b.South, p.Lat)
				b.North = max(b.North, p.Lat)
			}
		}
	}
	return b
}

func (b BBox) intersects(o BBox) bool {
	return b.West <= o.East && o.West <= b.East && b.South <= o.North && o.South <= b.North
}
