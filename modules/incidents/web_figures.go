package incidents

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"time"

	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
)

// figureRoutes are the figures of the incidents the reader may see: the
// page with its charts and tables, the same figures as CSV and as JSON.
// The three share one cache of computed figures, kept a minute.
func (m *Module) figureRoutes() []web.Route {
	h := figureHandlers{Module: m, figs: newFigureCache(m.svc, time.Minute)}
	return []web.Route{
		{Pattern: "GET /incidents/figures", Action: access.IncidentsRead, Handler: h.figures},
		{Pattern: "GET /incidents/figures.csv", Action: access.IncidentsRead, Handler: h.figuresCSV},
		{Pattern: "GET /api/v1/incidents/figures", Action: access.IncidentsRead, Handler: h.apiFigures},
	}
}

// figureHandlers are the module's figure routes with their cache.
type figureHandlers struct {
	*Module
	figs *figureCache
}

type figuresView struct {
	web.Page
	F Figures
	// The charts, drawn from F.
	Months, Types, Sectors, Initiators, Delays, Years, Responses web.Chart
	// ShownMonths are the months the chart draws, for its table.
	ShownMonths []Count
	cat         web.Catalog
}

// Days says a delay in whole days, as attribution delays are told.
func (v figuresView) Days(d time.Duration) string {
	return v.cat.T(v.Lang, "inc.fig.days", int((d+12*time.Hour)/(24*time.Hour)))
}

// Month names a month (2026-10) in the page's language.
func (v figuresView) Month(key string) string {
	t, err := time.Parse("2006-01", key)
	if err != nil {
		return key
	}
	return v.cat.T(v.Lang, "inc.fig.month_"+t.Format("01")) + " " + t.Format("2006")
}

// Label names a vocabulary's value in the page's language.
func (v figuresView) Label(vocab, key string) string { return v.cat.T(v.Lang, "inc."+vocab+"."+key) }

func (m figureHandlers) figuresView(r *http.Request) (figuresView, error) {
	v := figuresView{Page: m.web.Page(r, "title.inc_figures"), cat: m.web.Catalog()}
	v.Nav = "incidents"
	f, err := m.figs.Figures(r.Context())
	if err != nil {
		return v, err
	}
	v.F = f
	label := func(vocab string) func(string) string { return func(k string) string { return v.Label(vocab, k) } }
	v.Months = monthChart(f.Months, func(c Count) string { return v.Month(c.Key) + ": " + strconv.Itoa(c.N) })
	v.ShownMonths = f.Months[v.Months.More:]
	v.Types = countChart(f.Types, label("types"))
	v.Sectors = countChart(f.Sectors, label("sectors"))
	v.Initiators = countChart(f.Initiators, label("initiator_categories"))
	v.Responses = countChart(f.Responses, label("response_kinds"))
	v.Delays = delayChart(f.ByInitiator, label("initiator_categories"), v.Days)
	v.Years = delayChart(f.ByYear, func(y string) string { return y }, v.Days)
	return v, nil
}

func (m figureHandlers) figures(w http.ResponseWriter, r *http.Request) {
	v, err := m.figuresView(r)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "incidents/figures", v)
}

// figuresCSV writes the same figures as rows of (figure, key, n, median
// days, 90th percentile days): one table a spreadsheet can pivot, with the
// vocabularies' codes as the codebook documents them.
func (m figureHandlers) figuresCSV(w http.ResponseWriter, r *http.Request) {
	f, err := m.figs.Figures(r.Context())
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="incident-figures-`+f.Now.Format("2006-01-02")+`.csv"`)
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"figure", "key", "n", "median_days", "p90_days"})
	for _, g := range []struct {
		name string
		l    []Count
	}{{"month", f.Months}, {"type", f.Types}, {"sector", f.Sectors}, {"initiator_category", f.Initiators}, {"response_kind", f.Responses}} {
		for _, c := range g.l {
			_ = cw.Write([]string{g.name, c.Key, strconv.Itoa(c.N), "", ""})
		}
	}
	days := func(d time.Duration) string { return strconv.FormatFloat(d.Hours()/24, 'f', 1, 64) }
	for _, g := range []struct {
		name string
		l    []Delay
	}{{"attribution_by_initiator_category", f.ByInitiator}, {"attribution_by_year", f.ByYear}, {"attribution_all", []Delay{f.AllDelays}}} {
		for _, d := range g.l {
			if d.N > 0 {
				_ = cw.Write([]string{g.name, d.Key, strconv.Itoa(d.N), days(d.Median), days(d.P90)})
			}
		}
	}
	cw.Flush()
}

// apiDelay is a Delay in seconds, for programs.
type apiDelay struct {
	Key     string `json:"key,omitempty"`
	N       int    `json:"n"`
	MedianS int64  `json:"median_s"`
	P90S    int64  `json:"p90_s"`
}

func (m figureHandlers) apiFigures(w http.ResponseWriter, r *http.Request) {
	f, err := m.figs.Figures(r.Context())
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	nonNil := func(l []Count) []Count {
		if l == nil {
			return []Count{}
		}
		return l
	}
	delays := func(l []Delay) []apiDelay {
		out := []apiDelay{}
		for _, d := range l {
			out = append(out, apiDelay{d.Key, d.N, int64(d.Median / time.Second), int64(d.P90 / time.Second)})
		}
		return out
	}
	m.web.JSON(w, http.StatusOK, map[string]any{
		"at": f.Now, "total": f.Total, "months": nonNil(f.Months), "types": nonNil(f.Types), "sectors": nonNil(f.Sectors),
		"initiator_categories": nonNil(f.Initiators), "responses": nonNil(f.Responses), "attributed": f.Attributed,
		"attribution_by_initiator_category": delays(f.ByInitiator), "attribution_by_year": delays(f.ByYear),
		"attribution_all": delays([]Delay{f.AllDelays})[0],
	})
}
