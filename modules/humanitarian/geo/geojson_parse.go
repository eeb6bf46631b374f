package geo

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxDepth bounds nested GeometryCollections, which RFC 7946 §3.1.8 says
// SHOULD be avoided; without a bound a hostile file could nest deeply.
const maxDepth = 8

// Document is a parsed GeoJSON text. A FeatureCollection gives its
// features; a lone Feature gives one; a bare geometry gives one feature
// with no properties. Warnings hold what RFC 7946 asks parsers not to
// reject, such as a clockwise exterior ring (§3.1.6).
type Document struct {
	Features []Feature
	Warnings []*Error
}

// ParseGeoJSON parses b strictly as RFC 7946 GeoJSON: known types only,
// longitudes in [-180, 180] and latitudes in [-90, 90], positions of two or
// three numbers (altitude is dropped), closed rings of at least four
// positions, no "crs" member (data in another reference system would be
// drawn in the wrong place). The first error is returned as an *Error.
func ParseGeoJSON(b []byte) (*Document, error) {
	p := parser{}
	obj, err := p.object(b, "$")
	if err != nil {
		return nil, err
	}
	doc := &Document{}
	typ, err := p.typeOf(obj, "$")
	if err != nil {
		return nil, err
	}
	switch typ {
	case "FeatureCollection":
		raw, ok := obj["features"]
		if !ok {
			return nil, newError("geojson.missing_member", "$.features", "")
		}
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil || items == nil {
			return nil, newError("geojson.bad_features", "$.features", "not an array")
		}
		doc.Features = make([]Feature, 0, len(items))
		for i, it := range items {
			path := "features[" + strconv.Itoa(i) + "]"
			fo, err := p.object(it, path)
			if err != nil {
				return nil, err
			}
			if t, err := p.typeOf(fo, path); err != nil {
				return nil, err
			} else if t != "Feature" {
				return nil, newError("geojson.bad_type", path+".type", "%q", t)
			}
			f, err := p.feature(fo, path)
			if err != nil {
				return nil, err
			}
			doc.Features = append(doc.Features, f)
		}
	case "Feature":
		f, err := p.feature(obj, "$")
		if err != nil {
			return nil, err
		}
		doc.Features = []Feature{f}
	default:
		g, err := p.geometry(obj, typ, "$", 0)
		if err != nil {
			return nil, err
		}
		doc.Features = []Feature{{Geometry: &g}}
	}
	doc.Warnings = p.warnings
	return doc, nil
}

type parser struct {
	warnings []*Error
}

// object decodes one JSON object and checks the members every GeoJSON
// object may carry: no "crs", and a well-formed "bbox".
func (p *parser) object(b []byte, path string) (map[string]json.RawMessage, error) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(b, &obj); err != nil || obj == nil {
		return nil, newError("geojson.not_object", path, "%s", short(b))
	}
	if _, ok := obj["crs"]; ok {
		return nil, newError("geojson.crs", path+".crs", "")
	}
	if raw, ok := obj["bbox"]; ok {
		var box []float64
		if err := json.Unmarshal(raw, &box); err != nil || (len(box) != 4 && len(box) != 6) {
			return nil, newError("geojson.bad_bbox", path+".bbox", "%s", short(raw))
		}
	}
	return obj, nil
}

func (p *parser) typeOf(obj map[string]json.RawMessage, path string) (string, error) {
	raw, ok := obj["type"]
	if !ok {
		return "", newError("geojson.missing_member", path+".type", "")
	}
	var t string
	if err := json.Unmarshal(raw, &t); err != nil {
		return "", newError("geojson.bad_type", path+".type", "%s", short(raw))
	}
	return t, nil
}

func (p *parser) feature(obj map[string]json.RawMessage, path string) (Feature, error) {
	var f Feature
	if raw, ok := obj["id"]; ok {
		var s string
		var n json.Number
		switch {
		case json.Unmarshal(raw, &s) == nil:
			f.ID = s
		case json.Unmarshal(raw, &n) == nil:
			f.ID = n.String()
		default: // §3.2: a string or a number
			return f, newError("geojson.bad_id", path+".id", "%s", short(raw))
		}
	}
	rawGeom, ok := obj["geometry"]
	if !ok {
		return f, newError("geojson.missing_member", path+".geometry", "")
	}
	if !isNull(rawGeom) {
		gpath := path + ".geometry"
		gobj, err := p.object(rawGeom, gpath)
		if err != nil {
			return f, err
		}
		t, err := p.typeOf(gobj, gpath)
		if err != nil {
			return f, err
		}
		g, err := p.geometry(gobj, t, gpath, 0)
		if err != nil {
			return f, err
		}
		f.Geometry = &g
	}
	rawProps, ok := obj["properties"]
	if !ok {
		return f, newError("geojson.missing_member", path+".properties", "")
	}
	if !isNull(rawProps) {
		d := json.NewDecoder(bytes.NewReader(rawProps))
		d.UseNumber() // keep numbers exactly as written
		if err := d.Decode(&f.Properties); err != nil || f.Properties == nil {
			return f, newError("geojson.bad_properties", path+".properties", "%s", short(rawProps))
		}
	}
	return f, nil
}

func (p *parser) geometry(obj map[string]json.RawMessage, typ, path string, depth int) (Geometry, error) {
	g := Geometry{Type: typ}
	if depth > maxDepth {
		return g, newError("geojson.too_deep", path, "%d", depth)
	}
	if typ == TypeGeometryCollection {
		var items []json.RawMessage
		if err := json.Unmarshal(obj["geometries"], &items); err != nil || items == nil {
			return g, newError("geojson.bad_geometries", path+".geometries", "not an array")
		}
		for i, it := range items {
			ip := path + ".geometries[" + strconv.Itoa(i) + "]"
			o, err := p.object(it, ip)
			if err != nil {
				return g, err
			}
			t, err := p.typeOf(o, ip)
			if err != nil {
				return g, err
			}
			sub, err := p.geometry(o, t, ip, depth+1)
			if err != nil {
				return g, err
			}
			g.Geometries = append(g.Geometries, sub)
		}
		return g, nil
	}
	raw, ok := obj["coordinates"]
	if !ok {
		if !knownGeometry(typ) {
			return g, newError("geojson.bad_type", path+".type", "%q", typ)
		}
		return g, newError("geojson.missing_member", path+".coordinates", "")
	}
	var c any
	if err := json.Unmarshal(raw, &c); err != nil {
		return g, newError("geojson.bad_coordinates", path+".coordinates", "%s", short(raw))
	}
	cp := path + ".coordinates"
	var err error
	switch typ {
	case TypePoint:
		g.Point, err = position(c, cp)
	case TypeMultiPoint:
		g.Points, err = positions(c, cp)
	case TypeLineString:
		g.Points, err = line(c, cp)
	case TypeMultiLineString:
		err = eachItem(c, cp, func(v any, ip string) error {
			l, err := line(v, ip)
			g.Lines = append(g.Lines, l)
			return err
		})
	case TypePolygon:
		var poly Polygon
		poly, err = p.polygon(c, cp)
		g.Polygons = []Polygon{poly}
	case TypeMultiPolygon:
		err = eachItem(c, cp, func(v any, ip string) error {
			poly, err := p.polygon(v, ip)
			g.Polygons = append(g.Polygons, poly)
			return err
		})
	default:
		return g, newError("geojson.bad_type", path+".type", "%q", typ)
	}
	return g, err
}

func (p *parser) polygon(v any, path string) (Polygon, error) {
	var poly Polygon
	err := eachItem(v, path, func(rv any, rp string) error {
		r, err := positions(rv, rp)
		if err != nil {
			return err
		}
		if len(r) < 4 {
			return newError("geojson.ring_short", rp, "%d", len(r))
		}
		if r[0] != r[len(r)-1] {
			return newError("geojson.ring_open", rp, "")
		}
		exterior := len(poly) == 0
		if ccw := signedArea(Ring(r)) > 0; exterior && !ccw {
			p.warnings = append(p.warnings, newError("geojson.exterior_clockwise", rp, ""))
		} else if !exterior && ccw {
			p.warnings = append(p.warnings, newError("geojson.hole_counterclockwise", rp, ""))
		}
		poly = append(poly, Ring(r))
		return nil
	})
	if err == nil && len(poly) == 0 {
		err = newError("geojson.bad_polygon", path, "no rings")
	}
	return poly, err
}

func eachItem(v any, path string, fn func(any, string) error) error {
	arr, ok := v.([]any)
	if !ok {
		return newError("geojson.bad_coordinates", path, "not an array")
	}
	for i, it := range arr {
		if err := fn(it, path+"["+strconv.Itoa(i)+"]"); err != nil {
			return err
		}
	}
	return nil
}

func line(v any, path string) ([]Point, error) {
	ps, err := positions(v, path)
	if err == nil && len(ps) < 2 {
		err = newError("geojson.line_short", path, "%d", len(ps))
	}
	return ps, err
}

func positions(v any, path string) ([]Point, error) {
	var ps []Point
	err := eachItem(v, path, func(pv any, pp string) error {
		pt, err := position(pv, pp)
		ps = append(ps, pt)
		return err
	})
	return ps, err
}

// position reads [lon, lat] or [lon, lat, alt]; null or a string where a
// number belongs is an error, not a zero.
func position(v any, path string) (Point, error) {
	arr, ok := v.([]any)
	if !ok || len(arr) < 2 || len(arr) > 3 {
		return Point{}, newError("geojson.bad_position", path, "%s", describe(v))
	}
	var n [3]float64
	for i, x := range arr {
		f, ok := x.(float64)
		if !ok {
			return Point{}, newError("geojson.bad_position", path, "%s", describe(v))
		}
		n[i] = f
	}
	pt := Point{Lon: n[0], Lat: n[1]}
	return pt, checkPosition(pt, path)
}

func knownGeometry(t string) bool {
	switch t {
	case TypePoint, TypeMultiPoint, TypeLineString, TypeMultiLineString, TypePolygon, TypeMultiPolygon:
		return true
	}
	return false
}

func isNull(raw json.RawMessage) bool {
	return string(bytes.TrimSpace(raw)) == "null"
}

func describe(v any) string {
	b, _ := json.Marshal(v)
	return short(b)
}

// short keeps values in error messages readable and bounded.
func short(b []byte) string {
	const max = 40
	if len(b) > max {
		b = b[:max]
		// Cut on a rune boundary so the message stays valid UTF-8.
		for len(b) > 0 && !utf8.Valid(b) {
			b = b[:len(b)-1]
		}
		return string(b) + "…"
	}
	return strings.ToValidUTF8(string(b), "\uFFFD")
}
