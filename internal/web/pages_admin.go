package web

import (
	"encoding/csv"
	"encoding/json"
	"html/template"
	"net/http"
	"net/url"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/auth"
	"entente.example/entente/internal/jobs"
)

type adminView struct {
	Page
	JobCounts map[string]int
	Users     []auth.User
	Next      string
	Q         string
	Invite    string // a fresh invitation link, shown once
	InviteFor string
}

func (s *Server) admin(w http.ResponseWriter, r *http.Request) {
	v := adminView{Page: s.Page(r, "title.admin")}
	v.Nav = "admin"
	var err error
	if v.JobCounts, err = s.Jobs.Counts(r.Context()); err != nil {
		s.Error(w, r, err)
		return
	}
	s.Render(w, r, http.StatusOK, "admin", v)
}

func (s *Server) adminUsersView(r *http.Request) (adminView, error) {
	v := adminView{Page: s.Page(r, "title.admin_users"), Q: r.URL.Query().Get("q")}
	v.Nav = "admin"
	page, err := PageFromQuery(r)
	if err != nil {
		return v, err
	}
	v.Users, v.Next, err = s.Auth.ListUsers(r.Context(), v.Q, page)
	return v, err
}

func (s *Server) adminUsers(w http.ResponseWriter, r *http.Request) {
	v, err := s.adminUsersView(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	s.Render(w, r, http.StatusOK, "admin_users", v)
}

func (s *Server) adminUserDisable(w http.ResponseWriter, r *http.Request) {
	if err := s.Auth.SetDisabled(r.Context(), r.PathValue("id"), true); err != nil {
		s.Error(w, r, err)
		return
	}
	s.Redirect(w, r, "/admin/users", "flash.user_disabled")
}

func (s *Server) adminUserEnable(w http.ResponseWriter, r *http.Request) {
	if err := s.Auth.SetDisabled(r.Context(), r.PathValue("id"), false); err != nil {
		s.Error(w, r, err)
		return
	}
	s.Redirect(w, r, "/admin/users", "flash.user_enabled")
}

func (s *Server) adminUserNodeAdmin(w http.ResponseWriter, r *http.Request) {
	grant := NewForm(r).Get("grant") == "true"
	if err := s.Auth.SetNodeAdmin(r.Context(), r.PathValue("id"), grant); err != nil {
		s.Error(w, r, err)
		return
	}
	flash := "flash.node_admin_revoked"
	if grant {
		flash = "flash.node_admin_granted"
	}
	s.Redirect(w, r, "/admin/users", flash)
}

func (s *Server) adminUserInvite(w http.ResponseWriter, r *http.Request) {
	u, err := s.Auth.UserByID(r.Context(), r.PathValue("id"))
	if err != nil {
		s.Error(w, r, err)
		return
	}
	tok, err := s.Auth.NewInvite(r.Context(), u.ID)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v, err := s.adminUsersView(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v.Invite, v.InviteFor = s.InviteURL(r, tok), u.Email
	s.Render(w, r, http.StatusOK, "admin_users", v)
}

// InviteURL is the absolute link that lets a person set their password.
func (s *Server) InviteURL(r *http.Request, tok string) string {
	return s.baseURL(r) + "/invite?token=" + tok
}

func (s *Server) baseURL(r *http.Request) string {
	if s.BaseURL != "" {
		return s.BaseURL
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

type auditView struct {
	Page
	Events []audit.Event
	Next   string
	F      auditFilterForm
	// Links that keep the filter, built here so the template does not escape
	// their query strings.
	NextURL, CSVURL, JSONURL template.URL
}

type auditFilterForm struct {
	Actor, Action, Since, Until string
}

func parseAuditFilter(r *http.Request) (audit.Filter, auditFilterForm, error) {
	q := r.URL.Query()
	ff := auditFilterForm{Actor: q.Get("actor"), Action: q.Get("action"), Since: q.Get("since"), Until: q.Get("until")}
	f := audit.Filter{Actor: ff.Actor, Action: ff.Action, OrgID: q.Get("org")}
	p := core.Problems{}
	if ff.Since != "" {
		t, err := time.Parse("2006-01-02", ff.Since)
		if err != nil {
			p.Add("since", "err.date")
		}
		f.Since = t
	}
	if ff.Until != "" {
		t, err := time.Parse("2006-01-02", ff.Until)
		if err != nil {
			p.Add("until", "err.date")
		}
		f.Until = t.Add(24 * time.Hour)
	}
	return f, ff, p.Err("web: audit filter")
}

func (s *Server) adminAudit(w http.ResponseWriter, r *http.Request) {
	v := auditView{Page: s.Page(r, "title.audit")}
	v.Nav = "admin"
	f, ff, err := parseAuditFilter(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	v.F = ff
	page, err := PageFromQuery(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	if v.Events, v.Next, err = audit.List(r.Context(), s.DB, f, page); err != nil {
		s.Error(w, r, err)
		return
	}
	q := r.URL.Query()
	q.Del("cursor")
	q.Del("format")
	link := func(extra, val string) template.URL {
		q2 := url.Values{}
		for k, vs := range q {
			q2[k] = vs
		}
		q2.Set(extra, val)
		return template.URL(q2.Encode())
	}
	v.CSVURL, v.JSONURL = "/admin/audit/export?"+link("format", "csv"), "/admin/audit/export?"+link("format", "json")
	if v.Next != "" {
		v.NextURL = "/admin/audit?" + link("cursor", v.Next)
	}
	s.Render(w, r, http.StatusOK, "admin_audit", v)
}

// adminAuditExport streams the filtered trail as CSV or JSON lines, page by
// page, so an export never holds the whole table in memory.
func (s *Server) adminAuditExport(w http.ResponseWriter, r *http.Request) {
	f, _, err := parseAuditFilter(r)
	if err != nil {
		s.Error(w, r, err)
		return
	}
	format := r.URL.Query().Get("format")
	if format != "csv" && format != "json" {
		s.Error(w, r, &core.Error{Kind: core.KindInvalid, Message: "err.form", Fields: core.Problems{"format": "err.format"}})
		return
	}
	stamp := s.DB.Clock().Now().Format("20060102-150405")
	var cw *csv.Writer
	var enc *json.Encoder
	if format == "csv" {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="entente-audit-`+stamp+`.csv"`)
		cw = csv.NewWriter(w)
		cw.Write([]string{"id", "at", "actor_id", "actor_name", "org_id", "action", "target_type", "target_id", "detail", "ip", "request_id"})
	} else {
		w.Header().Set("Content-Type", "application/x-ndjson; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="entente-audit-`+stamp+`.jsonl"`)
		enc = json.NewEncoder(w)
	}
	page := core.Page{Limit: 500}
	for {
		evs, next, err := audit.List(r.Context(), s.DB, f, page)
		if err != nil {
			s.Log.Error("web: audit export", "err", err)
			return
		}
		for _, e := range evs {
			if cw != nil {
				cw.Write([]string{e.ID, e.At.UTC().Format(time.RFC3339Nano), e.ActorID, csvSafe(e.ActorName), e.OrgID, e.Action, e.TargetType, e.TargetID, csvSafe(e.Detail), e.IP, e.RequestID})
			} else {
				enc.Encode(e)
			}
		}
		if cw != nil {
			cw.Flush()
		}
		if next == "" {
			return
		}
		page.Cursor = next
	}
}

// csvSafe defuses cells that spreadsheets would run as formulas.
func csvSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r') {
		return "'" + s
	}
	return s
}

type jobsView struct {
	Page
	State  string
	Counts map[string]int
	Jobs   []jobs.Job
}

func (s *Server) adminJobs(w http.ResponseWriter, r *http.Request) {
	v := jobsView{Page: s.Page(r, "title.jobs"), State: r.URL.Query().Get("state")}
	v.Nav = "admin"
	switch v.State {
	case "", jobs.StateQueued, jobs.StateRunning, jobs.StateDone, jobs.StateDead:
	default:
		s.Error(w, r, &core.Error{Kind: core.KindInvalid, Message: "err.form", Fields: core.Problems{"state": "err.choice"}})
		return
	}
	var err error
	if v.Counts, err = s.Jobs.Counts(r.Context()); err != nil {
		s.Error(w, r, err)
		return
	}
	if v.Jobs, err = s.Jobs.Recent(r.Context(), v.State, 100); err != nil {
		s.Error(w, r, err)
		return
	}
	s.Render(w, r, http.StatusOK, "admin_jobs", v)
}
