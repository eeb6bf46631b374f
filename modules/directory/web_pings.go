package directory

// Pages of communication checks: start, live view, the secretariat's actions,
// acknowledgment by a contact or by a link, the reachability board and the
// published figures.

import (
	"context"
	"encoding/csv"
	"net/http"
	"strconv"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
)

// pingActionRoutes is the secretariat's actions on a running check.
func (m *Module) pingActionRoutes() []web.Route {
	return []web.Route{
		{Pattern: "POST /pings/{id}/remind", Action: access.NetworkManage, Handler: m.pingAction(m.nets.RemindPing, "flash.ping_reminded")},
		{Pattern: "POST /pings/{id}/escalate", Action: access.NetworkManage, Handler: m.pingAction(m.nets.EscalatePing, "flash.ping_escalated")},
		{Pattern: "POST /pings/{id}/close", Action: access.NetworkManage, Handler: m.pingAction(m.nets.ClosePing, "flash.ping_closed")},
	}
}

// pingAction runs one of the secretariat's actions and goes back to the
// check, saying what happened (or that there was nobody to act on).
func (m *Module) pingAction(do func(context.Context, string) (PingAction, error), flash string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		res, err := do(r.Context(), id)
		if err != nil {
			m.web.Error(w, r, err)
			return
		}
		if res.Done == 0 && flash != "flash.ping_closed" {
			flash = "flash.ping_nobody"
		}
		m.web.Redirect(w, r, "/pings/"+id, flash)
	}
}

func (m *Module) pingStart(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	in := PingInput{Message: f.Get("message")}
	if h := strings.TrimSpace(f.Get("hours")); h != "" {
		n, err := strconv.Atoi(h)
		if err != nil || n < 1 {
			problem := "err.number"
			if err == nil {
				problem = "err.ping_hours_min"
			}
			m.networkForm(w, r, f, core.Problems{"hours": problem}.Err("directory: start ping"), func(v *networkView, f web.Form) { v.PingForm = f })
			return
		}
		in.Deadline = time.Now().Add(time.Duration(n) * time.Hour)
	}
	p, err := m.nets.StartPing(r.Context(), r.PathValue("id"), in)
	if err != nil {
		// The form sets the deadline in hours: its problem goes there.
		if ce := core.AsError(err); ce != nil && ce.Fields["deadline"] != "" {
			ce.Fields["hours"] = ce.Fields["deadline"]
			delete(ce.Fields, "deadline")
		}
		m.networkForm(w, r, f, err, func(v *networkView, f web.Form) { v.PingForm = f })
		return
	}
	m.web.Redirect(w, r, "/pings/"+p.ID, "flash.ping_started")
}

type pingView struct {
	web.Page
	P          PingView
	Names      map[string]string
	ByCategory []Tally
}

func (v pingView) MemberName(addr string) string {
	if n, ok := v.Names[addr]; ok {
		return n
	}
	return addr
}

func (m *Module) pingShow(w http.ResponseWriter, r *http.Request) {
	p, err := m.nets.PingResult(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	v := pingView{Page: m.web.Page(r, "title.ping", p.Network.Name(web.Lang(r.Context()))), P: p, Names: map[string]string{}}
	v.Nav = "networks"
	if nv, err := m.nets.Network(r.Context(), p.NetworkID); err == nil {
		for _, mb := range nv.Members {
			v.Names[mb.Addr] = mb.Name(v.Lang)
		}
	}
	m.web.Render(w, r, http.StatusOK, "directory/ping", v)
}

type boardView struct {
	web.Page
	Pings []ReceivedView
	Board []BoardLine
	Now   time.Time
}

func (m *Module) board(w http.ResponseWriter, r *http.Request) {
	v := boardView{Page: m.web.Page(r, "title.pocs"), Now: time.Now()}
	v.Nav = "pocs"
	var err error
	if v.Pings, err = m.nets.MyPings(r.Context()); err != nil {
		m.web.Error(w, r, err)
		return
	}
	if v.Board, err = m.nets.Board(r.Context()); err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "directory/pocs", v)
}

func (m *Module) pingAck(w http.ResponseWriter, r *http.Request) {
	if err := m.nets.AckPing(r.Context(), r.PathValue("id")); err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/pocs", "flash.ping_acknowledged")
}

type tokenAckView struct {
	web.Page
	Token  string
	Target TokenTarget
	Done   bool
}

func (m *Module) tokenAckForm(w http.ResponseWriter, r *http.Request) {
	t := r.URL.Query().Get("t")
	target, err := m.nets.TargetByToken(r.Context(), t)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	v := tokenAckView{Page: m.web.Page(r, "title.ping_ack"), Token: t, Target: target, Done: target.Acked}
	m.web.Render(w, r, http.StatusOK, "directory/ping_ack", v)
}

func (m *Module) tokenAck(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	if err := m.nets.AckByToken(r.Context(), f.Get("t")); err != nil {
		m.web.Error(w, r, err)
		return
	}
	target, _ := m.nets.TargetByToken(r.Context(), f.Get("t"))
	v := tokenAckView{Page: m.web.Page(r, "title.ping_ack"), Target: target, Done: true}
	v.Flash = "flash.ping_acknowledged"
	m.web.Render(w, r, http.StatusOK, "directory/ping_ack", v)
}

type transparencyView struct {
	web.Page
	T Transparency
}

func (m *Module) transparency(w http.ResponseWriter, r *http.Request) {
	t, err := m.nets.PublicFigures(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	v := transparencyView{Page: m.web.Page(r, "title.transparency", t.Network.Name(web.Lang(r.Context()))), T: t}
	m.web.Render(w, r, http.StatusOK, "directory/transparency", v)
}

func (m *Module) transparencyCSV(w http.ResponseWriter, r *http.Request) {
	t, err := m.nets.PublicFigures(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+t.Network.Slug+`-figures.csv"`)
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"network", "members", "members_nominated"})
	_ = cw.Write([]string{t.Network.Slug, strconv.Itoa(t.Members), strconv.Itoa(t.Nominated)})
	_ = cw.Write(nil)
	_ = cw.Write([]string{"ping_started", "points_of_contact", "acknowledged", "overdue", "unreachable", "response_rate_percent", "median_response_seconds"})
	for _, p := range t.Pings {
		_ = cw.Write([]string{p.StartedAt.Format(time.RFC3339), strconv.Itoa(p.Total.Targets), strconv.Itoa(p.Total.Acknowledged), strconv.Itoa(p.Total.Overdue),
			strconv.Itoa(p.Total.Unreachable), strconv.Itoa(p.Total.Rate()), p.Total.MedianSeconds()})
	}
	cw.Flush()
}
