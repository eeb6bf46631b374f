package humanitarian

import (
	"html/template"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
)

func (m *Module) reportRoutes() []web.Route {
	pub, wr := access.HumPublic, access.HumWrite
	return []web.Route{
		{Pattern: "GET /humanitarian/emergencies/{id}/report", Action: pub, Handler: m.reportForm},
		{Pattern: "POST /humanitarian/emergencies/{id}/report", Action: access.HumReport, Handler: m.submitReport, MaxBody: formMaxBody},
		{Pattern: "GET /humanitarian/emergencies/{id}/reports", Action: pub, Handler: m.reports},
		{Pattern: "GET /humanitarian/emergencies/{id}/map", Action: pub, Handler: m.crisisMap},
		{Pattern: "GET /humanitarian/emergencies/{id}/reports.geojson", Action: pub, Handler: m.geoJSON},
		{Pattern: "GET /humanitarian/reports/{id}", Action: pub, Handler: m.report},
		{Pattern: "POST /humanitarian/reports/{id}/decision", Action: wr, Handler: m.decide},
		{Pattern: "POST /humanitarian/reports/{id}/text", Action: wr, Handler: m.editText},
		{Pattern: "GET /humanitarian/reports/{id}/photos/{n}", Action: pub, Handler: m.photo},
	}
}

// formMaxBody lets the public form carry its photos.
const formMaxBody = maxPhotos*maxPhotoBytes + 1<<20

// decidedFlash is the notice after a decision, by the report's new status.
var decidedFlash = map[string]string{
	ReportVerified: "flash.hum_decided_verified",
	ReportRejected: "flash.hum_decided_rejected",
	ReportNew:      "flash.hum_decided_new",
}

// honeypot is the form field people never see and scripts fill in.
const honeypot = "website"

type reportFormView struct {
	view
	Form       web.Form
	Categories []string
	Sent       bool
}

func (m *Module) reportForm(w http.ResponseWriter, r *http.Request) {
	e, ok := m.load(w, r)
	if !ok {
		return
	}
	v := reportFormView{view: m.emergencyView(r, e, "/report", "hum.report_title", e.Title), Categories: Categories, Sent: r.URL.Query().Get("sent") == "1"}
	m.web.Render(w, r, http.StatusOK, "humanitarian/report_form", v)
}

// submitReport takes a report from the public form. A filled honeypot
// gets the same thanks as a person, so a script learns nothing; a person
// over the limit is told to wait.
func (m *Module) submitReport(w http.ResponseWriter, r *http.Request) {
	e, ok := m.load(w, r)
	if !ok {
		return
	}
	f, photos, err := readReportForm(r)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	done := "/humanitarian/emergencies/" + e.ID + "/report?sent=1"
	if f.Get(honeypot) != "" {
		m.web.Redirect(w, r, done, "")
		return
	}
	in := ReportInput{EmergencyID: e.ID, Channel: ChannelWeb, Text: f.Get("text"), Category: f.Get("category"), Place: f.Get("place"),
		Name: f.Get("name"), Contact: f.Get("contact"), Lang: web.Lang(r.Context()), Photos: photos}
	pr := core.Problems{}
	in.Lat, in.Lon = parseCoord(pr, "lat", f.Get("lat")), parseCoord(pr, "lon", f.Get("lon"))
	if s := strings.TrimSpace(f.Get("occurred_at")); s != "" {
		t, perr := time.ParseInLocation("2006-01-02T15:04", s, time.UTC)
		if perr != nil {
			pr.Add("occurred_at", "err.datetime")
		}
		in.OccurredAt = t
	}
	err = pr.Err("humanitarian: report form")
	if err == nil {
		err = m.svc.Throttle(r.Context(), clientKey(core.RequestFrom(r.Context()).IP), formPerHour)
	}
	if err == nil {
		_, err = m.svc.Submit(r.Context(), in)
	}
	if err == nil {
		m.web.Redirect(w, r, done, "")
		return
	}
	if !f.Take(err) {
		m.web.Error(w, r, err)
		return
	}
	v := reportFormView{view: m.emergencyView(r, e, "/report", "hum.report_title", e.Title), Form: f, Categories: Categories}
	m.web.Render(w, r, http.StatusUnprocessableEntity, "humanitarian/report_form", v)
}

// readReportForm reads the public form, with photos when it was sent as
// multipart. Empty file inputs are not photos.
func readReportForm(r *http.Request) (web.Form, []Photo, error) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		return web.NewForm(r), nil, nil
	}
	if err := r.ParseMultipartForm(formMaxBody); err != nil {
		return web.Form{}, nil, core.E(core.KindInvalid, "humanitarian: report form", "err.form")
	}
	f := web.Form{Values: r.MultipartForm.Value, Problems: core.Problems{}}
	var photos []Photo
	for _, fh := range r.MultipartForm.File["photos"] {
		if fh.Size == 0 {
			continue
		}
		p, err := readPhoto(fh)
		if err != nil {
			return f, nil, err
		}
		photos = append(photos, p)
	}
	return f, photos, nil
}

func readPhoto(fh *multipart.FileHeader) (Photo, error) {
	fd, err := fh.Open()
	if err != nil {
		return Photo{}, err
	}
	defer fd.Close()
	b, err := io.ReadAll(io.LimitReader(fd, maxPhotoBytes+1))
	if err != nil {
		return Photo{}, err
	}
	// The type is what the bytes are, not what the browser claims.
	return Photo{Name: fh.Filename, MediaType: http.DetectContentType(b), Data: b}, nil
}

// parseCoord reads a latitude or longitude typed in a form; empty is none.
func parseCoord(pr core.Problems, field, s string) *float64 {
	s = strings.TrimSpace(strings.ReplaceAll(s, ",", "."))
	if s == "" {
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		pr.Add(field, "err.hum_position")
		return nil
	}
	return &v
}

type reportsView struct {
	view
	Reports    []Report
	Filter     ReportFilter
	Categories []string
	Statuses   []string
	Next       template.URL // the query of the next page, if any
	Query      template.URL // the filter's query, encoded, for links that keep it
	Since      string       // the period chosen
	Counts     map[string]int
}

// filterFrom reads a list's filter from the query: category, status, and
// a period as "since" (last 6h, 24h, 3d, 7d) or a date range.
func filterFrom(r *http.Request, now time.Time) ReportFilter {
	q := r.URL.Query()
	f := ReportFilter{Category: q.Get("category"), Status: q.Get("status"), Before: q.Get("before")}
	switch q.Get("since") {
	case "6h":
		f.Since = now.Add(-6 * time.Hour)
	case "24h":
		f.Since = now.Add(-24 * time.Hour)
	case "3d":
		f.Since = now.Add(-72 * time.Hour)
	case "7d":
		f.Since = now.Add(-7 * 24 * time.Hour)
	}
	if t, err := time.Parse(time.DateOnly, q.Get("from")); err == nil {
		f.Since = t
	}
	if t, err := time.Parse(time.DateOnly, q.Get("to")); err == nil {
		f.Until = t.AddDate(0, 0, 1)
	}
	return f
}

// filterQuery is the filter's part of a query string, without the page.
func filterQuery(r *http.Request) string {
	q := r.URL.Query()
	q.Del("before")
	return q.Encode()
}

func (m *Module) reports(w http.ResponseWriter, r *http.Request) {
	e, ok := m.load(w, r)
	if !ok {
		return
	}
	f := filterFrom(r, m.svc.db.Clock().Now())
	v := reportsView{view: m.emergencyView(r, e, "/reports", "hum.reports_title", e.Title), Filter: f, Categories: Categories,
		Statuses: []string{ReportNew, ReportVerified, ReportRejected}, Query: template.URL(filterQuery(r)), Since: r.URL.Query().Get("since")}
	var err error
	f.Limit = 50
	if v.Reports, err = m.svc.Reports(r.Context(), e, f); err == nil {
		v.Counts, err = m.svc.ReportCounts(r.Context(), e)
	}
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	if len(v.Reports) == f.Limit {
		v.Next = template.URL(filterQuery(r) + "&before=" + url.QueryEscape(v.Reports[len(v.Reports)-1].ID))
	}
	m.web.Render(w, r, http.StatusOK, "humanitarian/reports", v)
}

type reportView struct {
	view
	R    Report
	Form web.Form
}

func (m *Module) reportPage(w http.ResponseWriter, r *http.Request, f web.Form, status int) {
	rep, err := m.svc.Report(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	e, err := m.svc.Emergency(r.Context(), rep.EmergencyID)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	v := reportView{view: m.emergencyView(r, e, "/reports", "hum.report_page_title", e.Title), R: rep, Form: f}
	m.web.Render(w, r, status, "humanitarian/report", v)
}

func (m *Module) report(w http.ResponseWriter, r *http.Request) {
	m.reportPage(w, r, web.Form{}, http.StatusOK)
}

func (m *Module) decide(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	rep, err := m.svc.Decide(r.Context(), r.PathValue("id"), f.Get("verdict"), f.Get("reason"))
	if err == nil {
		m.web.Redirect(w, r, "/humanitarian/reports/"+rep.ID, decidedFlash[rep.Status])
		return
	}
	if !f.Take(err) {
		m.web.Error(w, r, err)
		return
	}
	m.reportPage(w, r, f, http.StatusUnprocessableEntity)
}

func (m *Module) photo(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 {
		m.web.Error(w, r, core.E(core.KindNotFound, "humanitarian: photo", "err.not_found"))
		return
	}
	p, err := m.svc.Photo(r.Context(), r.PathValue("id"), n)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	// Only images the sniffer recognised are served as such; the rest
	// download, so a crafted file never runs as a page of this origin.
	h := w.Header()
	switch p.MediaType {
	case "image/jpeg", "image/png", "image/gif", "image/webp":
		h.Set("Content-Type", p.MediaType)
	default:
		h.Set("Content-Type", "application/octet-stream")
		h.Set("Content-Disposition", "attachment")
	}
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "private, max-age=300")
	_, _ = w.Write(p.Data)
}
