package publicdiplomacy

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"time"

	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
)

// reachView is the reach of a period: followers of each account over it,
// the posts most boosted, liked and replied to, and the instances.
type reachView struct {
	web.Page
	R        Reach
	Form     web.Form
	Accounts []Account // the choice of account
	// A chart of followers per account, the top posts and the instances.
	Followers       []web.Chart
	Posts           web.Chart
	Instances       web.Chart
	TopPosts        []PostReach
	TopInstances    []InstanceReach
	MorePosts       int
	MoreInstances   int
	cat             web.Catalog
	FollowersWeekly [][]DayCount // each account's followers at the end of each week, for the tables
}

// Day says a day in the page's language.
func (v reachView) Day(t time.Time) string { return humanDay(v.Lang, t) }

func (h *webcareHandlers) reach(w http.ResponseWriter, r *http.Request) {
	p, form := h.periodForm(r)
	v := reachView{Page: h.web.Page(r, "title.pd_reach"), Form: form, cat: h.web.Catalog()}
	v.Nav = "newsroom"
	var err error
	if v.Accounts, err = h.svc.MyAccounts(r.Context(), access.PDRead); err != nil {
		h.web.Error(w, r, err)
		return
	}
	account := form.Get("account")
	rc, err := h.figs.Reach(r.Context(), p, account)
	if err != nil {
		if !v.Form.Take(err) {
			h.web.Error(w, r, err)
			return
		}
		if rc, err = h.figs.Reach(r.Context(), p, ""); err != nil {
			h.web.Error(w, r, err)
			return
		}
	}
	v.R = rc
	for _, a := range rc.Accounts {
		v.Followers = append(v.Followers, seriesChart(a.Days, v.Day, func(d DayCount) string { return v.Day(d.Day) + ": " + strconv.Itoa(d.N) }))
		v.FollowersWeekly = append(v.FollowersWeekly, weekly(a.Days))
	}
	v.TopPosts = rc.Posts[:min(len(rc.Posts), TopPosts)]
	v.MorePosts = len(rc.Posts) - len(v.TopPosts)
	v.TopInstances = rc.Instances[:min(len(rc.Instances), TopInstances)]
	v.MoreInstances = len(rc.Instances) - len(v.TopInstances)
	var labels []string
	var counts []int
	for _, x := range v.TopPosts {
		labels, counts = append(labels, x.Content), append(counts, x.Total())
	}
	v.Posts = countBars(labels, counts)
	labels, counts = nil, nil
	for _, x := range v.TopInstances {
		labels, counts = append(labels, x.Host), append(counts, x.Total())
	}
	v.Instances = countBars(labels, counts)
	status := http.StatusOK
	if len(v.Form.Problems) > 0 {
		status = http.StatusUnprocessableEntity
	}
	h.web.Render(w, r, status, "pd_reach", v)
}

// weekly keeps the count at the end of each seventh day and of the last:
// a table a person reads, where the chart and the CSV have every day.
func weekly(days []DayCount) []DayCount {
	var out []DayCount
	for i := 6; i < len(days); i += 7 {
		out = append(out, days[i])
	}
	if n := len(days); n > 0 && (n < 7 || (n-7)%7 != 0) {
		out = append(out, days[n-1])
	}
	return out
}

// reachCSV writes the reach of a period as rows of (figure, key, day, n,
// boosts, likes, replies, followers, text): every account's followers day
// by day, every post of the period and every instance.
func (h *webcareHandlers) reachCSV(w http.ResponseWriter, r *http.Request) {
	p, form := h.periodForm(r)
	if len(form.Problems) > 0 {
		h.web.Error(w, r, form.Problems.Err("publicdiplomacy: reach"))
		return
	}
	rc, err := h.figs.Reach(r.Context(), p, form.Get("account"))
	if err != nil {
		h.web.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="reach-`+p.From.Format(time.DateOnly)+`-`+p.Last().Format(time.DateOnly)+`.csv"`)
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"figure", "key", "day", "n", "boosts", "likes", "replies", "followers", "text"})
	n := strconv.Itoa
	for _, a := range rc.Accounts {
		for _, d := range a.Days {
			_ = cw.Write([]string{"followers", a.Handle, d.Day.Format(time.DateOnly), n(d.N), "", "", "", "", ""})
		}
	}
	for _, x := range rc.Posts {
		_ = cw.Write([]string{"post", x.ID, x.PublishedAt.UTC().Format(time.DateOnly), n(x.Total()), n(x.Boosts), n(x.Likes), n(x.Replies), "", reachCSVCell(x.Content)})
	}
	for _, x := range rc.Instances {
		_ = cw.Write([]string{"instance", reachCSVCell(x.Host), "", n(x.Total()), n(x.Boosts), n(x.Likes), n(x.Replies), n(x.Followers), ""})
	}
	cw.Flush()
}

// reachCSVCell keeps a spreadsheet from reading a post's words (which may
// begin with @, a mention) as a formula.
func reachCSVCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
