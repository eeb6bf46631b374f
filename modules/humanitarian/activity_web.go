package humanitarian

import (
	"bytes"
	"html/template"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
)

// importMaxBody lets an upload carry a whole 3W and its form.
const importMaxBody = ImportMaxBytes + 64<<10

// pageActivities is how many activities a page lists; the file has all.
const pageActivities = 300

func (m *Module) activityRoutes() []web.Route {
	pub, wr := access.HumPublic, access.HumWrite
	return []web.Route{
		{Pattern: "GET /humanitarian/emergencies/{id}/activities", Action: pub, Handler: m.activities},
		{Pattern: "POST /humanitarian/emergencies/{id}/activities", Action: wr, Handler: m.createActivity},
		{Pattern: "GET /humanitarian/emergencies/{id}/activities/matrix", Action: pub, Handler: m.activityMatrix},
		{Pattern: "GET /humanitarian/emergencies/{id}/activities/gaps", Action: pub, Handler: m.activityGaps},
		{Pattern: "GET /humanitarian/emergencies/{id}/activities.csv", Action: pub, Handler: m.activitiesCSV},
		{Pattern: "POST /humanitarian/emergencies/{id}/activities/import", Action: wr, Handler: m.importActivities, MaxBody: importMaxBody},
		{Pattern: "GET /humanitarian/activities/{aid}", Action: pub, Handler: m.activityPage},
		{Pattern: "POST /humanitarian/activities/{aid}", Action: wr, Handler: m.updateActivity},
		{Pattern: "POST /humanitarian/activities/{aid}/delete", Action: wr, Handler: m.deleteActivity},
		{Pattern: "GET /api/v1/humanitarian/emergencies/{id}/activities", Action: pub, Handler: m.apiActivities},
		{Pattern: "POST /api/v1/humanitarian/emergencies/{id}/activities", Action: wr, Handler: m.apiCreateActivity},
		{Pattern: "GET /api/v1/humanitarian/emergencies/{id}/activities/matrix", Action: pub, Handler: m.apiActivityMatrix},
		{Pattern: "GET /api/v1/humanitarian/emergencies/{id}/activities/gaps", Action: pub, Handler: m.apiActivityGaps},
		{Pattern: "POST /api/v1/humanitarian/emergencies/{id}/activities.hxl", Action: wr, Handler: m.apiImportActivities, MaxBody: importMaxBody},
		{Pattern: "GET /api/v1/humanitarian/activities/{aid}", Action: pub, Handler: m.apiActivity},
		{Pattern: "PUT /api/v1/humanitarian/activities/{aid}", Action: wr, Handler: m.apiUpdateActivity},
		{Pattern: "DELETE /api/v1/humanitarian/activities/{aid}", Action: wr, Handler: m.apiDeleteActivity},
	}
}

// activityFilter reads a list's filter from the query.
func activityFilter(r *http.Request) ActivityFilter {
	q := r.URL.Query()
	return ActivityFilter{Sector: q.Get("sector"), Area: q.Get("area"), Org: q.Get("org"), Status: q.Get("status")}
}

// ProblemRow is an import problem as a page shows it.
type ProblemRow struct {
	Row    int
	Column string // "H (#date+start)", or "" for the whole file
	Reason string
	Value  string
}

type activitiesView struct {
	view
	Activities []Activity
	More       bool
	Filter     ActivityFilter
	Query      template.URL // the filter, encoded: a query, not a value
	Areas      []string     // the filter's areas: the emergency's, then those of level 2
	Orgs       []string     // organisations named in the 3W
	Writable   []core.OrgRef
	Form       web.Form // the new activity
	Import     web.Form
	Problems   []ProblemRow
	Cut        bool // the problems stop at the import's limit
	Sectors    []string
	Roles      []string
	Statuses   []string
	Places     []Place
}

func (m *Module) activitiesView(r *http.Request, e Emergency) (activitiesView, error) {
	v := activitiesView{view: m.emergencyView(r, e, "/activities", "hum.3w.title", e.Title), Filter: activityFilter(r),
		Sectors: Clusters, Roles: Roles, Statuses: ActivityStatuses, Form: web.Form{Problems: core.Problems{}}, Import: web.Form{Problems: core.Problems{}}}
	v.Query = template.URL(r.URL.Query().Encode())
	v.Writable = Writable(v.Actor)
	for _, a := range append(append([]string{}, e.Areas...), m.svc.areas(e, 2)...) {
		if !slices.Contains(v.Areas, a) {
			v.Areas = append(v.Areas, a)
		}
	}
	for _, p := range m.svc.places.Places() {
		if p.Level > 0 && e.covers(m.svc.places, p.PCode) {
			v.Places = append(v.Places, p)
		}
	}
	var err error
	if v.Activities, err = m.svc.Activities(r.Context(), e, v.Filter); err != nil {
		return v, err
	}
	if len(v.Activities) > pageActivities {
		v.Activities, v.More = v.Activities[:pageActivities], true
	}
	v.Orgs, err = m.svc.ActivityOrgs(r.Context(), e)
	return v, err
}

func (m *Module) activities(w http.ResponseWriter, r *http.Request) {
	e, ok := m.load(w, r)
	if !ok {
		return
	}
	v, err := m.activitiesView(r, e)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	v.Form.Values = map[string][]string{"start_on": {m.svc.Today()}, "status": {ActivityOngoing}}
	m.web.Render(w, r, http.StatusOK, "humanitarian/activities", v)
}

// activityForm reads an activity from a form. A count that is not a whole
// number is read as -1, which the service refuses on its field.
func activityForm(f web.Form) Activity {
	a := Activity{Role: f.Get("role"), Partner: f.Get("partner"), PartnerRole: f.Get("partner_role"), Sector: f.Get("sector"),
		Activity: f.Get("activity"), Place: f.Get("place"), StartOn: f.Get("start_on"), EndOn: f.Get("end_on"), Status: f.Get("status")}
	people := func(field string) People {
		var p People
		if n := formCount(f, field); n != nil {
			p.Total = *n
		}
		p.Women, p.Men = formCount(f, field+"_women"), formCount(f, field+"_men")
		p.Girls, p.Boys = formCount(f, field+"_girls"), formCount(f, field+"_boys")
		return p
	}
	a.Targeted, a.Reached = people("targeted"), people("reached")
	return a
}

func formCount(f web.Form, field string) *int64 {
	s := strings.TrimSpace(f.Get(field))
	if s == "" {
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		n = -1
	}
	return &n
}

func (m *Module) createActivity(w http.ResponseWriter, r *http.Request) {
	e, ok := m.load(w, r)
	if !ok {
		return
	}
	f := web.NewForm(r)
	_, err := m.svc.CreateActivity(r.Context(), e.ID, f.Get("org"), activityForm(f))
	if err == nil {
		m.web.Redirect(w, r, "/humanitarian/emergencies/"+e.ID+"/activities", "flash.hum_3w_saved")
		return
	}
	if !f.Take(err) {
		m.web.Error(w, r, err)
		return
	}
	v, verr := m.activitiesView(r, e)
	if verr != nil {
		m.web.Error(w, r, verr)
		return
	}
	v.Form = f
	m.web.Render(w, r, http.StatusUnprocessableEntity, "humanitarian/activities", v)
}

// importActivities takes an uploaded 3W; a refused file comes back with
// its problems listed by row and column.
func (m *Module) importActivities(w http.ResponseWriter, r *http.Request) {
	e, ok := m.load(w, r)
	if !ok {
		return
	}
	f := web.Form{Problems: core.Problems{}}
	var body []byte
	if err := r.ParseMultipartForm(importMaxBody); err == nil {
		f.Values = r.MultipartForm.Value
		if fh := r.MultipartForm.File["file"]; len(fh) > 0 {
			if fd, err := fh[0].Open(); err == nil {
				body, _ = io.ReadAll(io.LimitReader(fd, ImportMaxBytes+1))
				fd.Close()
			}
		}
	} else {
		f = web.NewForm(r)
	}
	var res ImportResult
	err := core.Problems{"file": "err.hum_3w_no_file"}.Err("humanitarian: import form")
	if len(body) > 0 {
		res, err = m.svc.ImportActivities(r.Context(), e.ID, f.Get("org"), bytes.NewReader(body))
	}
	if err == nil {
		m.web.Redirect(w, r, "/humanitarian/emergencies/"+e.ID+"/activities", "flash.hum_3w_imported")
		return
	}
	if !f.Take(err) {
		m.web.Error(w, r, err)
		return
	}
	v, verr := m.activitiesView(r, e)
	if verr != nil {
		m.web.Error(w, r, verr)
		return
	}
	v.Import = f
	v.Problems = m.problemRows(v.Lang, res.Problems)
	v.Cut = len(res.Problems) >= maxProblems
	m.web.Render(w, r, http.StatusUnprocessableEntity, "humanitarian/activities", v)
}

// columnName is a spreadsheet's column letter with its hashtag: "H
// (#date+start)".
func columnName(col int, tag string) string {
	if col <= 0 {
		return tag
	}
	var s string
	for n := col; n > 0; n = (n - 1) / 26 {
		s = string(rune('A'+(n-1)%26)) + s
	}
	if tag != "" {
		s += " (" + tag + ")"
	}
	return s
}

func (m *Module) problemRows(lang string, problems []ImportProblem) []ProblemRow {
	out := make([]ProblemRow, len(problems))
	for i, p := range problems {
		out[i] = ProblemRow{Row: p.Row, Column: columnName(p.Column, p.Tag), Reason: m.web.Catalog().T(lang, p.Code), Value: p.Value}
	}
	return out
}

func (m *Module) activitiesCSV(w http.ResponseWriter, r *http.Request) {
	e, ok := m.load(w, r)
	if !ok {
		return
	}
	lang := web.Lang(r.Context())
	var b bytes.Buffer
	header := func(k string) string { return m.web.Catalog().T(lang, k) }
	if err := m.svc.ExportActivities(r.Context(), e, activityFilter(r), &b, header); err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="3w-`+e.ID+`.csv"`)
	_, _ = w.Write(b.Bytes())
}

type activityViewsView struct {
	view
	Gaps    bool // the gaps, else the matrix
	Level   int
	Matrix  Matrix
	GapList []Gap
}

func (m *Module) activityViews(w http.ResponseWriter, r *http.Request, gaps bool) {
	e, ok := m.load(w, r)
	if !ok {
		return
	}
	level, _ := strconv.Atoi(r.URL.Query().Get("level"))
	title := "hum.3w.matrix_title"
	if gaps {
		title = "hum.3w.gaps_title"
	}
	v := activityViewsView{view: m.emergencyView(r, e, "/activities", title, e.Title), Gaps: gaps}
	var err error
	if gaps {
		v.GapList, err = m.svc.ActivityGaps(r.Context(), e, level)
	} else {
		v.Matrix, err = m.svc.ActivityMatrix(r.Context(), e, level)
	}
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	v.Level = max(v.Matrix.Level, 2)
	if level == 3 {
		v.Level = 3
	}
	m.web.Render(w, r, http.StatusOK, "humanitarian/activities_views", v)
}

func (m *Module) activityMatrix(w http.ResponseWriter, r *http.Request) { m.activityViews(w, r, false) }
func (m *Module) activityGaps(w http.ResponseWriter, r *http.Request)   { m.activityViews(w, r, true) }

type activityView struct {
	view
	A        Activity
	CanEdit  bool
	Form     web.Form
	Sectors  []string
	Roles    []string
	Statuses []string
	Places   []Place
}

// activityValues fills a form from an activity.
func activityValues(a Activity) web.Form {
	v := map[string][]string{"role": {a.Role}, "partner": {a.Partner}, "partner_role": {a.PartnerRole}, "sector": {a.Sector},
		"activity": {a.Activity}, "place": {a.PCode}, "start_on": {a.StartOn}, "end_on": {a.EndOn}, "status": {a.Status}}
	for field, p := range map[string]People{"targeted": a.Targeted, "reached": a.Reached} {
		v[field] = []string{strconv.FormatInt(p.Total, 10)}
		for i, n := range p.parts() {
			if n != nil {
				v[field+"_"+partNames[i]] = []string{strconv.FormatInt(*n, 10)}
			}
		}
	}
	return web.Form{Values: v, Problems: core.Problems{}}
}

func (m *Module) activityPageWith(w http.ResponseWriter, r *http.Request, f *web.Form, status int) {
	a, err := m.svc.Activity(r.Context(), r.PathValue("aid"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	e, err := m.svc.Emergency(r.Context(), a.EmergencyID)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	v := activityView{view: m.emergencyView(r, e, "/activities", "hum.3w.activity_title", a.Activity), A: a,
		CanEdit: m.svc.CanEditActivity(r.Context(), a), Sectors: Clusters, Roles: Roles, Statuses: ActivityStatuses}
	if f != nil {
		v.Form = *f
	} else {
		v.Form = activityValues(a)
	}
	for _, p := range m.svc.places.Places() {
		if p.Level > 0 && e.covers(m.svc.places, p.PCode) {
			v.Places = append(v.Places, p)
		}
	}
	m.web.Render(w, r, status, "humanitarian/activity", v)
}

func (m *Module) activityPage(w http.ResponseWriter, r *http.Request) {
	m.activityPageWith(w, r, nil, http.StatusOK)
}

func (m *Module) updateActivity(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	_, err := m.svc.UpdateActivity(r.Context(), r.PathValue("aid"), activityForm(f))
	if err == nil {
		m.web.Redirect(w, r, "/humanitarian/activities/"+r.PathValue("aid"), "flash.hum_3w_saved")
		return
	}
	if !f.Take(err) {
		m.web.Error(w, r, err)
		return
	}
	m.activityPageWith(w, r, &f, http.StatusUnprocessableEntity)
}

func (m *Module) deleteActivity(w http.ResponseWriter, r *http.Request) {
	a, err := m.svc.DeleteActivity(r.Context(), r.PathValue("aid"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/humanitarian/emergencies/"+a.EmergencyID+"/activities", "flash.hum_3w_deleted")
}
