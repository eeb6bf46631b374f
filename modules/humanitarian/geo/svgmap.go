package geo

import (
	"bufio"
	"encoding/xml"
	"io"
	"math"
	"slices"
	"strconv"
)

// Projection is how degrees become the plane of the SVG.
type Projection int

const (
	// Equirectangular (plate carrée) maps degrees linearly: simple and
	// true near the equator, where Indonesia lies.
	Equirectangular Projection = iota
	// WebMercator is the projection of web maps (EPSG:3857), for maps
	// that people will compare with one; latitudes beyond ±85.05° are
	// clamped.
	WebMercator
)

// Map is what RenderSVG draws: the countries clipped to Box, then the
// points, grouped into grid clusters when Cell > 0.
type Map struct {
	Box        BBox
	Projection Projection
	// Width is the viewBox width in SVG units (default 600, so that at
	// 390 px wide a unit is 0.65 px and the counts stay readable); the
	// height follows from the box and projection. The SVG carries no width
	// or height, so it scales to its container.
	Width float64
	// ID prefixes the ids of <title> and <desc>, which must be unique in
	// a page (default "map").
	ID          string
	Title, Desc string
	Countries   []Country
	Points      []Point
	// Weights, when set, counts each point as that many (a group of
	// reports the database has already gathered at one place), so a map
	// of a hundred thousand reports needs only their groups. A missing or
	// non-positive weight counts one.
	Weights []int
	// Cell is the clustering grid's cell size in viewBox units; 0 draws
	// every point. Points in one cell become one circle with their count.
	Cell float64
	// Labels name places on the map (the affected towns), drawn under
	// the reports so a cluster is never hidden by a name.
	Labels []Label
}

// Label is a place's name at its position; a label outside the box is
// not drawn.
type Label struct {
	At   Point
	Text string
}

// Summary says what RenderSVG drew, for the text beside the map.
type Summary struct {
	Points   int // points inside the box
	Outside  int // points outside the box, not drawn
	Singles  int // cells (or points) drawn as a dot
	Clusters int // cells drawn as a circle with a count
	Bytes    int
}

// RenderSVG writes m as a standalone, deterministic SVG document with
// role="img", <title> and <desc>: the same Map gives the same bytes.
// Coordinates are whole viewBox units (0.65 px at 390 px wide) to keep it
// small, and no script or style sheet is needed.
func RenderSVG(w io.Writer, m *Map) (Summary, error) {
	var sum Summary
	b := m.Box
	if !(b.West >= -180 && b.East <= 180 && b.West < b.East && b.South >= -90 && b.North <= 90 && b.South < b.North) {
		return sum, newError("geo.bad_bbox", "box", "%g,%g,%g,%g", b.West, b.South, b.East, b.North)
	}
	if !(m.Cell >= 0 && m.Cell <= 1e5) {
		return sum, newError("geo.bad_cell", "cell", "%g", m.Cell)
	}
	if !(m.Width >= 0 && m.Width <= 1e5) {
		return sum, newError("geo.bad_width", "width", "%g", m.Width)
	}
	pr := newProjector(m)
	id := m.ID
	if id == "" {
		id = "map"
	}
	var buf []byte
	buf = append(buf, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 `...)
	buf = strconv.AppendInt(buf, int64(pr.w), 10)
	buf = append(buf, ' ')
	buf = strconv.AppendInt(buf, int64(pr.h), 10)
	buf = append(buf, `" role="img" aria-labelledby="`+id+`-t `+id+`-d"><title id="`+id+`-t">`...)
	buf = appendEscaped(buf, m.Title)
	buf = append(buf, `</title><desc id="`+id+`-d">`...)
	buf = appendEscaped(buf, m.Desc)
	buf = append(buf, "</desc>\n"...)
	buf = append(buf, `<rect width="100%" height="100%" fill="#d4e6f4"/>`+"\n"...)
	buf = append(buf, `<g fill="#f4f1ea" stroke="#9a9a9a" stroke-width="1" stroke-linejoin="round" fill-rule="evenodd">`+"\n"...)
	view := pr.degreeBox()
	for i := range m.Countries {
		c := &m.Countries[i]
		if !c.Box.intersects(view) {
			continue
		}
		d := pr.countryPath(c)
		if len(d) == 0 {
			continue
		}
		buf = append(buf, `<path d="`...)
		buf = append(buf, d...)
		buf = append(buf, "\"/>\n"...)
	}
	buf = append(buf, "</g>\n"...)
	buf = pr.appendLabels(buf, m.Labels)
	buf = pr.appendPoints(buf, m, &sum)
	buf = append(buf, "</svg>\n"...)
	sum.Bytes = len(buf)
	bw := bufio.NewWriter(w)
	if _, err := bw.Write(buf); err != nil {
		return sum, err
	}
	return sum, bw.Flush()
}

type projector struct {
	proj     Projection
	box      BBox
	k        float64 // units per degree (or per Mercator degree)
	top      float64 // projected y of the north edge
	w, h     float64
	clipping [4]float64 // xmin, ymin, xmax, ymax
}

func newProjector(m *Map) *projector {
	w := m.Width
	if w <= 0 {
		w = 600
	}
	p := &projector{proj: m.Projection, box: m.Box, w: math.Round(w)}
	p.k = p.w / (m.Box.East - m.Box.West)
	p.top = p.my(m.Box.North)
	p.h = math.Max(1, math.Round((p.top-p.my(m.Box.South))*p.k))
	// A small margin hides the boundary strokes that clipping adds.
	p.clipping = [4]float64{-4, -4, p.w + 4, p.h + 4}
	return p
}

// my is the projected latitude in degree-like units.
func (p *projector) my(lat float64) float64 {
	if p.proj != WebMercator {
		return lat
	}
	lat = math.Max(-85.05112878, math.Min(85.05112878, lat))
	return math.Log(math.Tan(math.Pi/4+lat*math.Pi/360)) * 180 / math.Pi
}

func (p *projector) xy(pt Point) (float64, float64) {
	return (pt.Lon - p.box.West) * p.k, (p.top - p.my(pt.Lat)) * p.k
}

// degreeBox is the clipping rectangle back in degrees, to skip countries
// that cannot show before projecting them.
func (p *projector) degreeBox() BBox {
	m := 4 / p.k
	return BBox{West: p.box.West - m, South: p.box.South - m, East: p.box.East + m, North: p.box.North + m}
}

type xy struct{ x, y float64 }

func (p *projector) countryPath(c *Country) []byte {
	var d []byte
	for _, poly := range c.Polygons {
		for _, r := range poly {
			pts := make([]xy, len(r))
			for i, pt := range r {
				pts[i].x, pts[i].y = p.xy(pt)
			}
			pts = clipRing(pts, p.clipping)
			d = appendRing(d, pts)
		}
	}
	return d
}

// clipRing clips a ring to a rectangle (Sutherland–Hodgman, one edge at a
// time). Parts of a ring that run outside become segments along the edge,
// which the margin keeps out of sight.
func clipRing(pts []xy, r [4]float64) []xy {
	inside := []func(xy) bool{
		func(q xy) bool { return q.x >= r[0] },
		func(q xy) bool { return q.y >= r[1] },
		func(q xy) bool { return q.x <= r[2] },
		func(q xy) bool { return q.y <= r[3] },
	}
	cross := []func(a, b xy) xy{
		func(a, b xy) xy { t := (r[0] - a.x) / (b.x - a.x); return xy{r[0], a.y + t*(b.y-a.y)} },
		func(a, b xy) xy { t := (r[1] - a.y) / (b.y - a.y); return xy{a.x + t*(b.x-a.x), r[1]} },
		func(a, b xy) xy { t := (r[2] - a.x) / (b.x - a.x); return xy{r[2], a.y + t*(b.y-a.y)} },
		func(a, b xy) xy { t := (r[3] - a.y) / (b.y - a.y); return xy{a.x + t*(b.x-a.x), r[3]} },
	}
	for e := 0; e < 4 && len(pts) > 0; e++ {
		out := make([]xy, 0, len(pts)+4)
		prev := pts[len(pts)-1]
		for _, cur := range pts {
			switch cin, pin := inside[e](cur), inside[e](prev); {
			case cin && pin:
				out = append(out, cur)
			case cin:
				out = append(out, cross[e](prev, cur), cur)
			case pin:
				out = append(out, cross[e](prev, cur))
			}
			prev = cur
		}
		pts = out
	}
	return pts
}

// appendRing writes a ring as "M x y l dx dy …z" in whole units, dropping
// points that round onto the previous one; rings that shrink below a
// triangle are left out.
func appendRing(d []byte, pts []xy) []byte {
	rounded := make([][2]int64, 0, len(pts))
	for _, q := range pts {
		c := [2]int64{int64(math.Round(q.x)), int64(math.Round(q.y))}
		if n := len(rounded); n > 0 && rounded[n-1] == c {
			continue
		}
		rounded = append(rounded, c)
	}
	if n := len(rounded); n > 1 && rounded[0] == rounded[n-1] {
		rounded = rounded[:n-1]
	}
	if len(rounded) < 3 {
		return d
	}
	d = append(d, 'M')
	d = strconv.AppendInt(d, rounded[0][0], 10)
	d = append(d, ' ')
	d = strconv.AppendInt(d, rounded[0][1], 10)
	d = append(d, 'l')
	for i := 1; i < len(rounded); i++ {
		dx, dy := rounded[i][0]-rounded[i-1][0], rounded[i][1]-rounded[i-1][1]
		if i > 1 && dx >= 0 {
			d = append(d, ' ')
		}
		d = strconv.AppendInt(d, dx, 10)
		if dy >= 0 {
			d = append(d, ' ')
		}
		d = strconv.AppendInt(d, dy, 10)
	}
	return append(d, 'z')
}

type cell struct {
	col, row int64
	n        int
	sx, sy   float64
}

// appendPoints draws dots as one path of zero-length round-capped lines
// ("M x yh0"), the smallest SVG for many dots, and clusters as circles
// with their count.
func (p *projector) appendPoints(buf []byte, m *Map, sum *Summary) []byte {
	cells := map[[2]int64]*cell{}
	var order []*cell
	for i, pt := range m.Points {
		x, y := p.xy(pt)
		wt := 1
		if i < len(m.Weights) && m.Weights[i] > 1 {
			wt = m.Weights[i]
		}
		if !(x >= 0 && x <= p.w && y >= 0 && y <= p.h) {
			sum.Outside += wt
			continue
		}
		sum.Points += wt
		key := [2]int64{int64(i), 0} // no clustering: every point its own cell
		if m.Cell > 0 {
			key = [2]int64{int64(x / m.Cell), int64(y / m.Cell)}
		}
		c := cells[key]
		if c == nil {
			c = &cell{col: key[0], row: key[1]}
			cells[key] = c
			order = append(order, c)
		}
		c.n += wt
		c.sx += x * float64(wt)
		c.sy += y * float64(wt)
	}
	// Row by row, so the output does not depend on the points' order.
	slices.SortFunc(order, func(a, b *cell) int {
		if a.row != b.row {
			return int(a.row - b.row)
		}
		return int(a.col - b.col)
	})
	var dots, circles, labels []byte
	for _, c := range order {
		x, y := int64(math.Round(c.sx/float64(c.n))), int64(math.Round(c.sy/float64(c.n)))
		if c.n == 1 {
			sum.Singles++
			dots = append(dots, 'M')
			dots = strconv.AppendInt(dots, x, 10)
			dots = append(dots, ' ')
			dots = strconv.AppendInt(dots, y, 10)
			dots = append(dots, "h0"...)
			continue
		}
		sum.Clusters++
		label := strconv.Itoa(c.n)
		r := 11 + 5*len(label)
		// Keep each circle inside its own cell so neighbours never cover
		// each other's counts; it still leans towards where its points are.
		x = clampInCell(x, c.col, r, m.Cell)
		y = clampInCell(y, c.row, r, m.Cell)
		circles = append(circles, `<circle cx="`...)
		circles = strconv.AppendInt(circles, x, 10)
		circles = append(circles, `" cy="`...)
		circles = strconv.AppendInt(circles, y, 10)
		circles = append(circles, `" r="`...)
		circles = strconv.AppendInt(circles, int64(r), 10)
		circles = append(circles, "\"/>\n"...)
		labels = append(labels, `<text x="`...)
		labels = strconv.AppendInt(labels, x, 10)
		labels = append(labels, `" y="`...)
		labels = strconv.AppendInt(labels, y+6, 10) // baseline: centres 18-unit digits
		labels = append(labels, `">`...)
		labels = append(labels, label...)
		labels = append(labels, "</text>\n"...)
	}
	if len(dots) > 0 {
		buf = append(buf, `<path fill="none" stroke="#b3261e" stroke-width="10" stroke-linecap="round" d="`...)
		buf = append(buf, dots...)
		buf = append(buf, "\"/>\n"...)
	}
	if len(circles) > 0 {
		buf = append(buf, `<g fill="#b3261e" fill-opacity="0.9" stroke="#fff" stroke-width="2">`+"\n"...)
		buf = append(buf, circles...)
		buf = append(buf, "</g>\n"...)
		buf = append(buf, `<g fill="#fff" font-family="sans-serif" font-size="18" font-weight="bold" text-anchor="middle">`+"\n"...)
		buf = append(buf, labels...)
		buf = append(buf, "</g>\n"...)
	}
	return buf
}

// appendLabels writes the places' names, each with a light halo so it
// reads over land and sea alike.
func (p *projector) appendLabels(buf []byte, labels []Label) []byte {
	var out []byte
	for _, l := range labels {
		x, y := p.xy(l.At)
		if !(x >= 0 && x <= p.w && y >= 0 && y <= p.h) || l.Text == "" {
			continue
		}
		out = append(out, `<text x="`...)
		out = strconv.AppendInt(out, int64(math.Round(x)), 10)
		out = append(out, `" y="`...)
		out = strconv.AppendInt(out, int64(math.Round(y))-8, 10)
		out = append(out, `">`...)
		out = appendEscaped(out, l.Text)
		out = append(out, "</text>\n"...)
	}
	if len(out) == 0 {
		return buf
	}
	buf = append(buf, `<g fill="#333" font-family="sans-serif" font-size="22" text-anchor="middle" stroke="#fff" stroke-width="4" paint-order="stroke">`+"\n"...)
	buf = append(buf, out...)
	return append(buf, "</g>\n"...)
}

func appendEscaped(buf []byte, s string) []byte {
	w := &byteWriter{buf}
	_ = xml.EscapeText(w, []byte(s)) // writing to memory cannot fail
	return w.b
}

type byteWriter struct{ b []byte }

func (w *byteWriter) Write(p []byte) (int, error) {
	w.b = append(w.b, p...)
	return len(p), nil
}

// clampInCell keeps a circle of radius r centred at v inside cell i of
// size size, or centres it when the cell is too small for it.
func clampInCell(v, i int64, r int, size float64) int64 {
	lo := math.Ceil(float64(i)*size) + float64(r)
	hi := math.Floor(float64(i+1)*size) - float64(r)
	if lo > hi {
		return int64(math.Round((float64(i) + 0.5) * size))
	}
	return int64(math.Max(lo, math.Min(hi, float64(v))))
}
