package geo

import (
	"bufio"
	"encoding/json"
	"io"
	"math"
	"strconv"
)

// MediaType is the registered media type of GeoJSON (RFC 7946 §12).
const MediaType = "application/geo+json"

// Geometry types of RFC 7946 §1.4.
const (
	TypePoint              = "Point"
	TypeMultiPoint         = "MultiPoint"
	TypeLineString         = "LineString"
	TypeMultiLineString    = "MultiLineString"
	TypePolygon            = "Polygon"
	TypeMultiPolygon       = "MultiPolygon"
	TypeGeometryCollection = "GeometryCollection"
)

// Point is a WGS 84 position in degrees. Altitude is not kept: no map here
// needs it, and dropping it keeps every position the same shape.
type Point struct {
	Lon, Lat float64
}

// Ring is a closed line of a polygon. The writer closes and orients rings
// itself, so callers may pass them open and in either direction.
type Ring []Point

// Polygon is an exterior ring followed by its holes.
type Polygon []Ring

// Geometry is one GeoJSON geometry. Type says which field holds its
// coordinates: Point for Point; Points for MultiPoint and LineString; Lines
// for MultiLineString; Polygons for Polygon (exactly one) and MultiPolygon;
// Geometries for GeometryCollection.
type Geometry struct {
	Type       string
	Point      Point
	Points     []Point
	Lines      [][]Point
	Polygons   []Polygon
	Geometries []Geometry
}

// PointGeometry returns a Point geometry.
func PointGeometry(lon, lat float64) Geometry {
	return Geometry{Type: TypePoint, Point: Point{lon, lat}}
}

// PolygonGeometry returns a Polygon, or a MultiPolygon when given several.
func PolygonGeometry(polys ...Polygon) Geometry {
	if len(polys) == 1 {
		return Geometry{Type: TypePolygon, Polygons: polys}
	}
	return Geometry{Type: TypeMultiPolygon, Polygons: polys}
}

// Feature is a geometry with properties. ID is written as a string when not
// empty. Properties are written with encoding/json, whose map keys come out
// sorted, so the output is deterministic.
type Feature struct {
	ID         string
	Geometry   *Geometry
	Properties map[string]any
}

// Decimals is the number of decimals written for degrees: 7 decimals is
// about 1 cm at the equator, more than any report's location is worth
// (RFC 7946 §11.2 says 6 is about 10 cm).
const Decimals = 7

// WriteFeatureCollection writes features as one RFC 7946 FeatureCollection:
// no "crs" member, positions rounded to Decimals, rings closed, exterior
// rings counter-clockwise and holes clockwise. It checks every geometry
// and encodes every properties member first, so nothing half-written
// reaches w when one of them is refused.
func WriteFeatureCollection(w io.Writer, features []Feature) error {
	props := make([][]byte, len(features))
	for i := range features {
		path := "features[" + strconv.Itoa(i) + "]"
		if features[i].Geometry != nil {
			if err := checkGeometry(features[i].Geometry, path+".geometry", 0); err != nil {
				return err
			}
		}
		if features[i].Properties != nil {
			p, err := json.Marshal(features[i].Properties)
			if err != nil {
				return newError("geojson.bad_properties", path+".properties", "%v", err)
			}
			props[i] = p
		}
	}
	bw := bufio.NewWriter(w)
	var buf []byte
	buf = append(buf, `{"type":"FeatureCollection","features":[`...)
	for i := range features {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendFeature(buf, &features[i], props[i])
		if len(buf) > 32<<10 {
			if _, err := bw.Write(buf); err != nil {
				return err
			}
			buf = buf[:0]
		}
	}
	buf = append(buf, "]}\n"...)
	if _, err := bw.Write(buf); err != nil {
		return err
	}
	return bw.Flush()
}

func appendFeature(buf []byte, f *Feature, props []byte) []byte {
	buf = append(buf, `{"type":"Feature"`...)
	if f.ID != "" {
		buf = append(buf, `,"id":`...)
		id, _ := json.Marshal(f.ID) // JSON's escapes, not Go's (strconv.Quote writes \x01)
		buf = append(buf, id...)
	}
	buf = append(buf, `,"geometry":`...)
	if f.Geometry == nil {
		buf = append(buf, "null"...)
	} else {
		buf = appendGeometry(buf, f.Geometry)
	}
	buf = append(buf, `,"properties":`...)
	if props == nil {
		buf = append(buf, "null"...)
	} else {
		buf = append(buf, props...)
	}
	return append(buf, '}')
}

func appendGeometry(buf []byte, g *Geometry) []byte {
	buf = append(buf, `{"type":`...)
	buf = strconv.AppendQuote(buf, g.Type)
	if g.Type == TypeGeometryCollection {
		buf = append(buf, `,"geometries":[`...)
		for i := range g.Geometries {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendGeometry(buf, &g.Geometries[i])
		}
		return append(buf, "]}"...)
	}
	buf = append(buf, `,"coordinates":`...)
	switch g.Type {
	case TypePoint:
		buf = appendPosition(buf, g.Point)
	case TypeMultiPoint, TypeLineString:
		buf = appendPositions(buf, g.Points)
	case TypeMultiLineString:
		buf = append(buf, '[')
		for i, l := range g.Lines {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendPositions(buf, l)
		}
		buf = append(buf, ']')
	case TypePolygon:
		buf = appendPolygon(buf, g.Polygons[0])
	case TypeMultiPolygon:
		buf = append(buf, '[')
		for i, p := range g.Polygons {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendPolygon(buf, p)
		}
		buf = append(buf, ']')
	}
	return append(buf, '}')
}

func appendPolygon(buf []byte, p Polygon) []byte {
	buf = append(buf, '[')
	for i, r := range p {
		if i > 0 {
			buf = append(buf, ',')
		}
		// RFC 7946 §3.1.6: exterior counter-clockwise, holes clockwise.
		r = closeRing(r)
		if ccw := signedArea(r) > 0; ccw != (i == 0) {
			r = reversed(r)
		}
		buf = appendPositions(buf, r)
	}
	return append(buf, ']')
}

func appendPositions(buf []byte, ps []Point) []byte {
	buf = append(buf, '[')
	for i, p := range ps {
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = appendPosition(buf, p)
	}
	return append(buf, ']')
}

func appendPosition(buf []byte, p Point) []byte {
	buf = append(buf, '[')
	buf = appendDegrees(buf, p.Lon)
	buf = append(buf, ',')
	buf = appendDegrees(buf, p.Lat)
	return append(buf, ']')
}

// appendDegrees writes v rounded to Decimals without trailing zeros, so
// 120.5 stays "120.5" and the output stays small.
func appendDegrees(buf []byte, v float64) []byte {
	v = roundDegrees(v)
	if v == 0 {
		v = 0 // no "-0"
	}
	return strconv.AppendFloat(buf, v, 'f', -1, 64)
}

func roundDegrees(v float64) float64 {
	const scale = 1e7
	return math.Round(v*scale) / scale
}

// checkGeometry refuses what the writer could only write wrongly: unknown
// types, positions out of range or not finite, rings too short to close.
func checkGeometry(g *Geometry, path string, depth int) error {
	if depth > maxDepth {
		return newError("geojson.too_deep", path, "%d", depth)
	}
	switch g.Type {
	case TypePoint:
		return checkPosition(g.Point, path+".coordinates")
	case TypeMultiPoint, TypeLineString:
		if g.Type == TypeLineString && len(g.Points) < 2 {
			return newError("geojson.line_short", path+".coordinates", "%d", len(g.Points))
		}
		return checkPositions(g.Points, path+".coordinates")
	case TypeMultiLineString:
		for i, l := range g.Lines {
			p := path + ".coordinates[" + strconv.Itoa(i) + "]"
			if len(l) < 2 {
				return newError("geojson.line_short", p, "%d", len(l))
			}
			if err := checkPositions(l, p); err != nil {
				return err
			}
		}
		return nil
	case TypePolygon, TypeMultiPolygon:
		if g.Type == TypePolygon && len(g.Polygons) != 1 {
			return newError("geojson.bad_polygon", path, "%d polygons", len(g.Polygons))
		}
		for i, poly := range g.Polygons {
			if len(poly) == 0 {
				return newError("geojson.bad_polygon", path+".coordinates["+strconv.Itoa(i)+"]", "no rings")
			}
			for j, r := range poly {
				p := path + ".coordinates[" + strconv.Itoa(i) + "][" + strconv.Itoa(j) + "]"
				if len(closeRing(r)) < 4 {
					return newError("geojson.ring_short", p, "%d", len(r))
				}
				if err := checkPositions(r, p); err != nil {
					return err
				}
			}
		}
		return nil
	case TypeGeometryCollection:
		for i := range g.Geometries {
			if err := checkGeometry(&g.Geometries[i], path+".geometries["+strconv.Itoa(i)+"]", depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	return newError("geojson.bad_type", path+".type", "%q", g.Type)
}

func checkPositions(ps []Point, path string) error {
	for i, p := range ps {
		if err := checkPosition(p, path+"["+strconv.Itoa(i)+"]"); err != nil {
			return err
		}
	}
	return nil
}

func checkPosition(p Point, path string) error {
	if math.IsNaN(p.Lon) || p.Lon < -180 || p.Lon > 180 {
		return newError("geojson.lon_range", path, "%g", p.Lon)
	}
	if math.IsNaN(p.Lat) || p.Lat < -90 || p.Lat > 90 {
		return newError("geojson.lat_range", path, "%g", p.Lat)
	}
	return nil
}

// closeRing returns r with its first position repeated at the end when it
// is not already there (after rounding, which is what a reader compares).
func closeRing(r Ring) Ring {
	if len(r) == 0 {
		return r
	}
	a, b := r[0], r[len(r)-1]
	if roundDegrees(a.Lon) == roundDegrees(b.Lon) && roundDegrees(a.Lat) == roundDegrees(b.Lat) {
		return r
	}
	out := make(Ring, len(r)+1)
	copy(out, r)
	out[len(r)] = r[0]
	return out
}

// signedArea is the shoelace sum in the plane of longitude and latitude,
// the plane in which RFC 7946 §3.1.6 defines orientation: positive means
// counter-clockwise.
func signedArea(r Ring) float64 {
	var s float64
	for i := 0; i+1 < len(r); i++ {
		s += r[i].Lon*r[i+1].Lat - r[i+1].Lon*r[i].Lat
	}
	if n := len(r); n > 0 && r[0] != r[n-1] {
		s += r[n-1].Lon*r[0].Lat - r[0].Lon*r[n-1].Lat
	}
	return s / 2
}

func reversed(r Ring) Ring {
	out := make(Ring, len(r))
	for i, p := range r {
		out[len(r)-1-i] = p
	}
	return out
}
