package publicdiplomacy

import (
	"context"
	"encoding/csv"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
)

// figureMemo keeps the web-care figures and reach computed for a scope
// (the reader's organisations), a period and an account, for a minute: a
// page people reload, its CSV and the API then read the rows once.
type figureMemo struct {
	svc     *Service
	webcare *web.Memo[WebcareFigures]
	reach   *web.Memo[Reach]
}

func newFigureMemo(s *Service) *figureMemo {
	return &figureMemo{svc: s, webcare: web.NewMemo[WebcareFigures](time.Minute, 256, s.Now), reach: web.NewMemo[Reach](time.Minute, 256, s.Now)}
}

// key is what the figures depend on: the organisations the reader may
// read, and the rest given.
func (m *figureMemo) key(ctx context.Context, rest ...string) string {
	orgs := slices.Clone(access.Orgs(core.ActorFrom(ctx), access.PDRead))
	slices.Sort(orgs)
	return strings.Join(orgs, ",") + "|" + strings.Join(rest, "|")
}

// Webcare returns the web-care figures of a period.
func (m *figureMemo) Webcare(ctx context.Context, p Period) (WebcareFigures, error) {
	return m.webcare.Get(m.key(ctx, p.From.Format(time.DateOnly), p.To.Format(time.DateOnly)), func() (WebcareFigures, error) { return m.svc.WebcareFigures(ctx, p) })
}

// Reach returns the reach of a period.
func (m *figureMemo) Reach(ctx context.Context, p Period, account string) (Reach, error) {
	return m.reach.Get(m.key(ctx, p.From.Format(time.DateOnly), p.To.Format(time.DateOnly), account), func() (Reach, error) { return m.svc.Reach(ctx, p, account) })
}

// periodForm reads the period of a figures page from its query; a bad
// date comes back in the form, named, and the default period is shown.
func (h *webcareHandlers) periodForm(r *http.Request) (Period, web.Form) {
	q := r.URL.Query()
	form := web.Form{Values: q, Problems: core.Problems{}}
	p, err := ParsePeriod(q.Get("from"), q.Get("to"), h.svc.Now())
	if err != nil {
		form.Take(err)
		return p, form
	}
	// The form shows the period it counts, the default one too.
	form.Values.Set("from", p.From.Format(time.DateOnly))
	form.Values.Set("to", p.Last().Format(time.DateOnly))
	return p, form
}

// figuresView is the web-care figures of a period.
type figuresView struct {
	web.Page
	F                      WebcareFigures
	Form                   web.Form
	Outcomes, Kinds, Weeks web.Chart
	// ShownWeeks are the weeks the chart of weeks draws.
	ShownWeeks int
	cat        web.Catalog
}

// Dur says a response time: minutes and hours, or days and hours.
func (v figuresView) Dur(d time.Duration) string { return humanDur(v.cat, v.Lang, d) }

// Day says a day in the page's language.
func (v figuresView) Day(t time.Time) string { return humanDay(v.Lang, t) }

// Week says the week that starts on a Monday (2006-01-02).
func (v figuresView) Week(key string) string {
	t, err := time.Parse(time.DateOnly, key)
	if err != nil {
		return key
	}
	return v.cat.T(v.Lang, "pd.fig.week_of", humanDay(v.Lang, t))
}

// Kind names a kind of item.
func (v figuresView) Kind(k string) string { return v.cat.T(v.Lang, "pd.kind."+k) }

// humanDur says a duration as the node says response times; from two days
// on, in days and hours.
func humanDur(cat web.Catalog, lang string, d time.Duration) string {
	if d >= 48*time.Hour {
		h := int(d.Round(time.Hour).Hours())
		return cat.T(lang, "dur.dh", h/24, h%24)
	}
	return cat.Duration(lang, d)
}

// humanDay says a day as the node says times, without the hour.
func humanDay(lang string, t time.Time) string {
	s, _, _ := strings.Cut(web.HumanTime(lang, t), ",")
	return s
}

func (h *webcareHandlers) figures(w http.ResponseWriter, r *http.Request) {
	p, form := h.periodForm(r)
	v := figuresView{Page: h.web.Page(r, "title.pd_webcare_figures"), Form: form, cat: h.web.Catalog()}
	v.Nav = "webcare"
	f, err := h.figs.Webcare(r.Context(), p)
	if err != nil {
		h.web.Error(w, r, err)
		return
	}
	v.F = f
	t := func(k string) string { return v.cat.T(v.Lang, k) }
	v.Outcomes = countBars([]string{t("pd.fig.answered"), t("pd.fig.handled"), t("pd.fig.withdrawn"), t("pd.fig.open")}, []int{f.Answered, f.Handled, f.Withdrawn, f.Open})
	v.Kinds = timeBars(f.ByKind, v.Kind, v.Dur, chartRows, false)
	v.Weeks = timeBars(f.ByWeek, v.Week, v.Dur, chartWeeks, true)
	v.ShownWeeks = len(v.Weeks.Rows)
	status := http.StatusOK
	if len(form.Problems) > 0 {
		status = http.StatusUnprocessableEntity
	}
	h.web.Render(w, r, status, "pd_webcare_figures", v)
}

// figuresCSV writes the same figures as rows of (figure, key, received,
// answered, median and 90th percentile in seconds): the outcomes, every
// kind and every week.
func (h *webcareHandlers) figuresCSV(w http.ResponseWriter, r *http.Request) {
	p, form := h.periodForm(r)
	if len(form.Problems) > 0 {
		h.web.Error(w, r, (form.Problems).Err("publicdiplomacy: figures"))
		return
	}
	f, err := h.figs.Webcare(r.Context(), p)
	if err != nil {
		h.web.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="webcare-`+p.From.Format(time.DateOnly)+`-`+p.Last().Format(time.DateOnly)+`.csv"`)
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"figure", "key", "received", "answered", "median_seconds", "p90_seconds"})
	n := strconv.Itoa
	for _, o := range []struct {
		k string
		n int
	}{{"received", f.Received}, {"answered", f.Answered}, {"handled", f.Handled}, {"withdrawn", f.Withdrawn}, {"open", f.Open}} {
		_ = cw.Write([]string{"outcome", o.k, n(o.n), "", "", ""})
	}
	row := func(fig string, t ResponseTimes) {
		med, p90 := "", ""
		if t.Answered > 0 {
			med, p90 = n(int(t.Median/time.Second)), n(int(t.P90/time.Second))
		}
		_ = cw.Write([]string{fig, t.Key, n(t.Received), n(t.Answered), med, p90})
	}
	row("all", f.All)
	for _, t := range f.ByKind {
		row("kind", t)
	}
	for _, t := range f.ByWeek {
		row("week", t)
	}
	cw.Flush()
}
