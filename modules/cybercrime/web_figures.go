package cybercrime

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
)

func (m *Module) figureRoutes() []web.Route {
	h := figureHandlers{Module: m, figs: NewFigureCache(m.svc, time.Minute)}
	return []web.Route{
		{Pattern: "GET /cybercrime/figures", Action: access.CybercrimeFigures, Handler: h.figures},
		{Pattern: "GET /cybercrime/figures.csv", Action: access.CybercrimeFigures, Handler: h.figuresCSV},
		{Pattern: "GET /api/v1/cybercrime/figures", Action: access.CybercrimeFigures, Handler: h.apiFigures},
	}
}

// figureHandlers are the figures' page, CSV and JSON, which share one cache
// of computed figures.
type figureHandlers struct {
	*Module
	figs *FigureCache
}

type figuresView struct {
	web.Page
	F     Figures
	Form  web.Form
	Kinds []Kind
	// Ack and Grounds are the two charts, drawn from F.
	Ack, Grounds web.Chart
	// Rows are the table's lines: F.Pairs, or F.States when there are more
	// pairs and kinds than a first page should carry (ByState).
	Rows    []PairFigures
	ByState bool
	// CSV is the download of the same figures: the same query.
	CSV string
	cat web.Catalog
}

// Dur says a duration for people: hours and minutes up to two days, then
// days and hours, which is how long a formal request's steps take.
func (v figuresView) Dur(d time.Duration) string {
	if d >= 48*time.Hour {
		h := int(d.Round(time.Hour).Hours())
		return v.cat.T(v.Lang, "dur.dh", h/24, h%24)
	}
	return v.cat.Duration(v.Lang, d)
}

// Pair names a pair of states in the page's language.
func (v figuresView) Pair(p PairFigures) string {
	return CountryName(p.From, v.Lang) + " → " + CountryName(p.To, v.Lang)
}

// AckSummary is the words the acknowledgment chart stands for, for those
// who do not see it.
func (v figuresView) AckSummary() string {
	return v.cat.T(v.Lang, "cyb.fig.chart_ack_desc", len(v.Ack.Rows))
}

func (m figureHandlers) figuresView(r *http.Request) (figuresView, error) {
	q := r.URL.Query()
	v := figuresView{Page: m.web.Page(r, "cyb.title.figures"), Kinds: Kinds, cat: m.web.Catalog(),
		Form: web.Form{Values: q}, CSV: "/cybercrime/figures.csv"}
	v.Nav = "cybercrime"
	if enc := figureQuery(q).encode(); enc != "" {
		v.CSV += "?" + enc
	}
	f, err := m.figs.Figures(r.Context(), figureQuery(q))
	if err != nil {
		if !v.Form.Take(err) {
			return v, err
		}
		return v, nil
	}
	v.F, v.Rows = f, f.Pairs
	if len(f.Pairs) > figureRows && f.Kind == "" {
		v.Rows, v.ByState = f.States, true
	}
	v.Ack = ackChart(f.States, v.Pair, v.Dur)
	v.Grounds = groundChart(f.Total.Grounds, func(g string) string { return v.cat.T(v.Lang, "cyb.ground."+g) })
	return v, nil
}

// figureRows is the most lines of pair and kind the page shows before it
// shows pairs over all kinds instead: 60 lines are about 3 KB compressed,
// and the page stays under the 14 KB of a first load (at 100,000 requests
// between 10 states: 12.7 KB with every pair and kind, measured).
const figureRows = 60

func figureQuery(q url.Values) FigureQuery {
	return FigureQuery{From: q.Get("from"), To: q.Get("to"), Kind: q.Get("kind")}
}

func (q FigureQuery) encode() string {
	v := url.Values{}
	for k, s := range map[string]string{"from": q.From, "to": q.To, "kind": q.Kind} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v.Encode()
}

func (m figureHandlers) figures(w http.ResponseWriter, r *http.Request) {
	v, err := m.figuresView(r)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	status := http.StatusOK
	if len(v.Form.Problems) > 0 {
		status = http.StatusBadRequest
	}
	m.web.Render(w, r, status, "cybercrime/figures", v)
}

// figureColumns are the CSV's columns: the pair as ISO codes, the kind's
// code, the counts, each duration in seconds and in hours, then one column
// per refusal ground found.
var figureColumns = []string{"from_country", "to_country", "kind", "sent", "open", "overdue", "executed", "refused"}

func (m figureHandlers) figuresCSV(w http.ResponseWriter, r *http.Request) {
	f, err := m.figs.Figures(r.Context(), figureQuery(r.URL.Query()))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	var grounds []string
	for _, g := range f.Total.Grounds {
		grounds = append(grounds, g.Ground)
	}
	slices.Sort(grounds)
	head := slices.Clone(figureColumns)
	for _, step := range []string{"ack", "preserve", "execute"} {
		head = append(head, step+"_n", step+"_median_s", step+"_median_h", step+"_p90_s", step+"_p90_h")
	}
	for _, g := range grounds {
		head = append(head, "refused_"+g)
	}
	name := "cybercrime-figures-" + f.Now.Format("2006-01-02") + ".csv"
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	cw := csv.NewWriter(w)
	_ = cw.Write(head)
	for _, p := range f.Pairs {
		row := []string{p.From, p.To, string(p.Kind), strconv.Itoa(p.Sent), strconv.Itoa(p.Open), strconv.Itoa(p.Overdue), strconv.Itoa(p.Executed), strconv.Itoa(p.Refused)}
		for _, s := range []Stat{p.Ack, p.Preserve, p.Execute} {
			row = append(row, strconv.Itoa(s.N))
			if s.N == 0 || s.Hidden {
				row = append(row, "", "", "", "")
				continue
			}
			for _, d := range []time.Duration{s.Median, s.P90} {
				row = append(row, strconv.FormatInt(int64(d/time.Second), 10), fmt.Sprintf("%.2f", d.Hours()))
			}
		}
		for _, g := range grounds {
			// A ground left out of the pair's counts is blank, not 0.
			n := ""
			if !p.GroundsHidden {
				n = "0"
			}
			for _, c := range p.Grounds {
				if c.Ground == g {
					n = strconv.Itoa(c.N)
				}
			}
			row = append(row, n)
		}
		_ = cw.Write(row)
	}
	cw.Flush()
}

// apiStat is a Stat in seconds, for programs.
type apiStat struct {
	N       int   `json:"n"`
	MedianS int64 `json:"median_s"`
	P90S    int64 `json:"p90_s"`
	Hidden  bool  `json:"hidden,omitempty"`
}

type apiPair struct {
	From        string        `json:"from_country"`
	To          string        `json:"to_country"`
	Kind        Kind          `json:"kind,omitempty"`
	Sent        int           `json:"sent"`
	Open        int           `json:"open"`
	Overdue     int           `json:"overdue"`
	Executed    int           `json:"executed"`
	Refused     int           `json:"refused"`
	Acknowledge apiStat       `json:"acknowledge"`
	Preserve    apiStat       `json:"preserve"`
	Execute     apiStat       `json:"execute"`
	Refusals    []GroundCount `json:"refusals"`
}

func toAPIPair(p PairFigures) apiPair {
	st := func(s Stat) apiStat {
		return apiStat{s.N, int64(s.Median / time.Second), int64(s.P90 / time.Second), s.Hidden}
	}
	g := p.Grounds
	if g == nil {
		g = []GroundCount{}
	}
	return apiPair{p.From, p.To, p.Kind, p.Sent, p.Open, p.Overdue, p.Executed, p.Refused, st(p.Ack), st(p.Preserve), st(p.Execute), g}
}

func (m figureHandlers) apiFigures(w http.ResponseWriter, r *http.Request) {
	f, err := m.figs.Figures(r.Context(), figureQuery(r.URL.Query()))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	out := struct {
		From     string    `json:"from,omitempty"`
		To       string    `json:"to,omitempty"`
		Kind     Kind      `json:"kind,omitempty"`
		Node     bool      `json:"node"`
		MinGroup int       `json:"min_group,omitempty"`
		At       time.Time `json:"at"`
		Pairs    []apiPair `json:"pairs"`
		Total    apiPair   `json:"total"`
	}{Kind: f.Kind, Node: f.Node, MinGroup: f.MinGroup, At: f.Now, Pairs: []apiPair{}, Total: toAPIPair(f.Total)}
	if !f.From.IsZero() {
		out.From = f.From.Format("2006-01-02")
	}
	if !f.To.IsZero() {
		out.To = f.To.Format("2006-01-02")
	}
	for _, p := range f.Pairs {
		out.Pairs = append(out.Pairs, toAPIPair(p))
	}
	m.web.JSON(w, http.StatusOK, out)
}
