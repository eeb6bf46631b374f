package humanitarian

import (
	"bytes"
	"html/template"
	"net/http"

	"entente.example/entente/modules/humanitarian/geo"
)

// mapCell is the clustering grid in viewBox units (of 600): about 28 px on
// a 390 px phone, large enough to tap and to read a count.
const mapCell = 44

type mapView struct {
	view
	SVG        template.HTML
	Summary    geo.Summary
	Filter     ReportFilter
	Query      template.URL // the filter, encoded: a query, not a value
	Since      string
	Categories []string
	Statuses   []string
	Reports    []Report // the list beside the map
	More       bool
	Unplaced   int
}

// frame pads an emergency's box so reports at its edge are not cut, and
// keeps it within the world.
func frame(b Box) geo.BBox {
	dx, dy := (b.East-b.West)*0.08+0.05, (b.North-b.South)*0.08+0.05
	return geo.BBox{West: max(b.West-dx, -180), South: max(b.South-dy, -85), East: min(b.East+dx, 180), North: min(b.North+dy, 85)}
}

// crisisMap draws the reports the reader may see, on the server: an SVG
// that needs no script and no tile server, with the list beside it.
func (m *Module) crisisMap(w http.ResponseWriter, r *http.Request) {
	e, ok := m.load(w, r)
	if !ok {
		return
	}
	f := filterFrom(r, m.svc.db.Clock().Now())
	v := mapView{view: m.emergencyView(r, e, "/map", "hum.map_title", e.Title), Filter: f, Query: template.URL(filterQuery(r)),
		Categories: Categories, Statuses: []string{ReportNew, ReportVerified, ReportRejected}, Since: r.URL.Query().Get("since")}
	fr := frame(e.Box)
	// Squares of a quarter of a cluster cell: the clusters stay where
	// their reports are, and the database returns a few thousand rows.
	step := (fr.East - fr.West) / 600 * mapCell / 4
	groups, outside, err := m.svc.MapGroups(r.Context(), e, f, Box{West: fr.West, South: fr.South, East: fr.East, North: fr.North}, step)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	countries, err := m.svc.Countries()
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	gp, wt := make([]geo.Point, len(groups)), make([]int, len(groups))
	total := outside
	for i, g := range groups {
		gp[i], wt[i] = geo.Point{Lon: g.Lon, Lat: g.Lat}, g.N
		total += g.N
	}
	tr := m.web.Catalog()
	var buf bytes.Buffer
	v.Summary, err = geo.RenderSVG(&buf, &geo.Map{Box: fr, Projection: geo.WebMercator, ID: "crisis",
		Title: tr.T(v.Lang, "hum.map_svg_title", e.Title), Desc: tr.T(v.Lang, "hum.map_svg_desc", total),
		Countries: countries, Points: gp, Weights: wt, Cell: mapCell, Labels: m.labels(e)})
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	v.Summary.Outside += outside
	v.SVG = template.HTML(buf.String()) // RenderSVG escapes every text it writes
	f.Limit = 20
	if v.Reports, err = m.svc.Reports(r.Context(), e, f); err != nil {
		m.web.Error(w, r, err)
		return
	}
	v.More = len(v.Reports) == f.Limit
	m.web.Render(w, r, http.StatusOK, "humanitarian/map", v)
}

// geoJSON exports the reports the reader may see as an RFC 7946
// FeatureCollection: verified ones for the public, with what a report is
// and where, never who sent it.
func (m *Module) geoJSON(w http.ResponseWriter, r *http.Request) {
	e, ok := m.load(w, r)
	if !ok {
		return
	}
	f := filterFrom(r, m.svc.db.Clock().Now())
	f.Limit = 500
	var features []geo.Feature
	for {
		page, err := m.svc.Reports(r.Context(), e, f)
		if err != nil {
			m.web.Error(w, r, err)
			return
		}
		for _, rep := range page {
			if !rep.Located() {
				continue
			}
			g := geo.PointGeometry(*rep.Lon, *rep.Lat)
			props := map[string]any{"category": rep.Category, "text": rep.Text, "status": rep.Status, "channel": rep.Channel,
				"occurred_at": rep.OccurredAt.Format("2006-01-02T15:04:05Z"), "emergency": e.ID}
			if rep.PCode != "" {
				props["pcode"] = rep.PCode
			}
			features = append(features, geo.Feature{ID: rep.ID, Geometry: &g, Properties: props})
		}
		if len(page) < f.Limit || len(features) >= maxExport {
			break
		}
		f.Before = page[len(page)-1].ID
	}
	w.Header().Set("Content-Type", geo.MediaType)
	w.Header().Set("Content-Disposition", `attachment; filename="reports-`+e.ID+`.geojson"`)
	if err := geo.WriteFeatureCollection(w, features); err != nil {
		m.web.Error(w, r, err)
	}
}

// maxExport bounds one export; a larger one is asked for by period.
const maxExport = 200000

// Groups is how many marks the map drew: clusters and single dots.
func (v mapView) Groups() int { return v.Summary.Clusters + v.Summary.Singles }

// labels name the emergency's areas on its map: each area, or when it is a
// province, its regencies and cities.
func (m *Module) labels(e Emergency) []geo.Label {
	var out []geo.Label
	add := func(p Place) { out = append(out, geo.Label{At: geo.Point{Lon: p.Lon, Lat: p.Lat}, Text: p.Name}) }
	for _, a := range e.Areas {
		p, ok := m.svc.places.Get(a)
		if !ok {
			continue
		}
		if p.Level > 1 {
			add(p)
			continue
		}
		for _, c := range m.svc.places.Children(p.PCode) {
			add(c)
		}
	}
	return out
}
