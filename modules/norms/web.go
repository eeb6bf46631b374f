package norms

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
)

// Module is the norms' slice of the product.
type Module struct {
	svc *Service
	web *web.Server
}

// NewModule returns the module.
func NewModule(svc *Service, w *web.Server) *Module { return &Module{svc: svc, web: w} }

// Name implements web.Module.
func (m *Module) Name() string { return "norms" }

// Routes implements web.Module. Transitions are guarded at the route by
// ReportRead (someone of a state); the service then asks for the step's own
// action on the report's organisation.
func (m *Module) Routes() []web.Route {
	return []web.Route{
		{Pattern: "GET /norms", Action: access.NormsPublic, Handler: m.framework},
		{Pattern: "GET /norms/{code}", Action: access.NormsPublic, Handler: m.norm},
		{Pattern: "GET /reports", Action: access.NormsPublic, Handler: m.reports},
		{Pattern: "POST /reports", Action: access.ReportEdit, Handler: m.create},
		{Pattern: "GET /reports/compare", Action: access.NormsPublic, Handler: m.compare},
		{Pattern: "GET /reports/{id}", Action: access.NormsPublic, Handler: m.show},
		{Pattern: "GET /reports/{id}/edit", Action: access.ReportEdit, Handler: m.edit},
		{Pattern: "POST /reports/{id}/answers", Action: access.ReportEdit, Handler: m.save},
		{Pattern: "POST /reports/{id}/transition", Action: access.ReportRead, Handler: m.transition},
		{Pattern: "POST /reports/{id}/versions", Action: access.ReportEdit, Handler: m.newVersion},
		{Pattern: "POST /reports/{id}/withdraw", Action: access.ReportRead, Handler: m.withdraw},
		{Pattern: "GET /reports/{id}/history", Action: access.NormsPublic, Handler: m.history},
		{Pattern: "GET /reports/{id}/print", Action: access.NormsPublic, Handler: m.print},
		{Pattern: "GET /reports/{id}/export.json", Action: access.NormsPublic, Handler: m.export},

		{Pattern: "GET /api/v1/norms", Action: access.NormsPublic, Handler: m.apiFramework},
		{Pattern: "GET /api/v1/reports", Action: access.NormsPublic, Handler: m.apiReports},
		{Pattern: "POST /api/v1/reports", Action: access.ReportEdit, Handler: m.apiCreate},
		{Pattern: "GET /api/v1/reports/{id}", Action: access.NormsPublic, Handler: m.apiReport},
		{Pattern: "PUT /api/v1/reports/{id}/answers", Action: access.ReportEdit, Handler: m.apiSave},
		{Pattern: "POST /api/v1/reports/{id}/transitions", Action: access.ReportRead, Handler: m.apiTransition},
		{Pattern: "GET /api/v1/reports/{id}/versions", Action: access.NormsPublic, Handler: m.apiVersions},
		{Pattern: "POST /api/v1/reports/{id}/versions", Action: access.ReportEdit, Handler: m.apiNewVersion},
		{Pattern: "POST /api/v1/reports/{id}/withdrawal", Action: access.ReportRead, Handler: m.apiWithdraw},
	}
}

type frameworkView struct {
	web.Page
	F Framework
}

func (v frameworkView) InSet(set string) []Norm {
	return slices.DeleteFunc(slices.Clone(v.F.Norms), func(n Norm) bool { return n.Set != set })
}

func (m *Module) framework(w http.ResponseWriter, r *http.Request) {
	v := frameworkView{Page: m.web.Page(r, "title.norms"), F: m.svc.Framework()}
	v.Nav = "norms"
	m.web.Render(w, r, http.StatusOK, "norms/framework", v)
}

type normView struct {
	web.Page
	Norm    Norm
	Answers []NormAnswer
	Links   []Link
}

func (m *Module) norm(w http.ResponseWriter, r *http.Request) {
	n, ok := m.svc.Framework().Norm(r.PathValue("code"))
	if !ok {
		m.web.Error(w, r, errOp("norm", core.KindNotFound, "err.not_found"))
		return
	}
	v := normView{Page: m.web.Page(r, "title.norm", n.Label(), n.Title(web.Lang(r.Context()))), Norm: n}
	v.Nav = "norms"
	var err error
	if v.Answers, v.Links, err = m.svc.OnNorm(r.Context(), n.Code); err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "norms/norm", v)
}

type reportsView struct {
	web.Page
	F         Framework
	Published []Report
	Mine      []Report
	Norm, Q   string
	Form      web.Form
	Orgs      []core.OrgRef // where the actor may start a report
	Networks  []AudienceNetworkChoice
}

func (m *Module) reportsView(r *http.Request) (reportsView, error) {
	q := r.URL.Query()
	v := reportsView{Page: m.web.Page(r, "title.reports"), F: m.svc.Framework(), Norm: q.Get("norm"), Q: q.Get("q")}
	v.Nav = "norms"
	a := core.ActorFrom(r.Context())
	for _, ms := range a.Memberships {
		if access.Check(a, access.ReportEdit, access.Resource{OrgID: ms.Org.ID}) == nil && ms.Kind.State() {
			v.Orgs = append(v.Orgs, ms.Org)
		}
	}
	var err error
	v.Published, v.Mine, err = m.svc.Reports(r.Context(), ReportFilter{Norm: v.Norm, Q: v.Q})
	if err == nil && len(v.Orgs) > 0 {
		v.Networks, err = m.svc.AudienceNetworks(r.Context())
	}
	return v, err
}

func (m *Module) reports(w http.ResponseWriter, r *http.Request) {
	v, err := m.reportsView(r)
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "norms/reports", v)
}

func (m *Module) create(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	rep, err := m.svc.Create(r.Context(), ReportInput{Org: f.Get("organisation"), Title: f.Get("title"), Audience: f.Get("audience")})
	if err != nil {
		v, verr := m.reportsView(r)
		if verr == nil && f.Take(err) {
			v.Form = f
			m.web.Render(w, r, web.FormStatus(err), "norms/reports", v)
			return
		}
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/reports/"+rep.ID, "flash.report_created")
}

type reportView struct {
	web.Page
	F          Framework
	R          Report
	CanEdit    bool
	Steps      []string
	Versions   []Report
	NewVersion bool // the actor may start the next version
	Withdraw   bool // the actor may withdraw this published version
}

// NextVersion is the number the next version of the report would have.
func (v reportView) NextVersion() int { return v.R.Version + 1 }

func (m *Module) reportView(r *http.Request, title string) (reportView, error) {
	rep, err := m.svc.Report(r.Context(), r.PathValue("id"))
	if err != nil {
		return reportView{}, err
	}
	v := reportView{Page: m.web.Page(r, title, rep.OrgNameIn(web.Lang(r.Context())), rep.Version), F: m.svc.Framework(), R: rep}
	v.Nav = "norms"
	a := core.ActorFrom(r.Context())
	v.CanEdit = rep.Status == StatusDraft && access.Check(a, access.ReportEdit, access.Resource{OrgID: rep.OrgID}) == nil
	for _, s := range []struct {
		act  string
		from string
		need access.Action
	}{{ActSubmit, StatusDraft, access.ReportEdit}, {ActReturn, StatusInReview, access.ReportApprove}, {ActApprove, StatusInReview, access.ReportApprove}, {ActPublish, StatusApproved, access.ReportPublish}} {
		if rep.Status == s.from && access.Check(a, s.need, access.Resource{OrgID: rep.OrgID}) == nil {
			v.Steps = append(v.Steps, s.act)
		}
	}
	if v.Versions, err = m.svc.Versions(r.Context(), rep.ID); err != nil {
		return v, err
	}
	if !rep.Received() && len(v.Versions) > 0 && v.Versions[0].ID == rep.ID {
		open := rep.Status == StatusDraft || rep.Status == StatusInReview || rep.Status == StatusApproved
		v.NewVersion = !open && access.Check(a, access.ReportEdit, access.Resource{OrgID: rep.OrgID}) == nil
	}
	v.Withdraw = rep.Status == StatusPublished && !rep.Received() && access.Check(a, access.ReportPublish, access.Resource{OrgID: rep.OrgID}) == nil
	return v, nil
}

func (m *Module) show(w http.ResponseWriter, r *http.Request) {
	v, err := m.reportView(r, "title.report")
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "norms/report", v)
}

func (m *Module) print(w http.ResponseWriter, r *http.Request) {
	v, err := m.reportView(r, "title.report")
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "norms/report_print", v)
}

type editView struct {
	web.Page
	F       Framework
	R       Report
	Section Section
	Norm    *Norm
	Pillar  Pillar
	Form    web.Form
}

func (m *Module) editView(r *http.Request, sec Section, f web.Form) (editView, error) {
	rep, err := m.svc.Report(r.Context(), r.PathValue("id"))
	if err != nil {
		return editView{}, err
	}
	fw := m.svc.Framework()
	v := editView{Page: m.web.Page(r, "title.report_edit", rep.OrgNameIn(web.Lang(r.Context())), rep.Version), F: fw, R: rep, Section: sec, Form: f}
	v.Nav = "norms"
	p, ok := fw.Pillar(sec.Part)
	if !ok {
		return v, errOp("edit", core.KindNotFound, "err.not_found")
	}
	v.Pillar = p
	if sec.Part == "norms" {
		n, ok := fw.Norm(sec.Norm)
		if !ok {
			return v, errOp("edit", core.KindNotFound, "err.not_found")
		}
		v.Norm = &n
	}
	if v.Form.Values == nil {
		a := rep.Answer(sec.Part, sec.Norm)
		v.Form = web.Form{Values: url.Values{"measures": {a.Measures}, "challenges": {a.Challenges}, "capacity_gaps": {a.Gaps}, "links": {a.Links}}}
	}
	return v, nil
}

func (m *Module) edit(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	v, err := m.editView(r, Section{Part: q.Get("part"), Norm: q.Get("norm")}, web.Form{})
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "norms/edit", v)
}

func (m *Module) save(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	sec := Section{Part: f.Get("part"), Norm: f.Get("norm")}
	err := m.svc.SaveAnswer(r.Context(), r.PathValue("id"), Answer{Section: sec, Measures: f.Get("measures"), Challenges: f.Get("challenges"), Gaps: f.Get("capacity_gaps"), Links: f.Get("links")})
	if err != nil {
		v, verr := m.editView(r, sec, f)
		if verr == nil && v.Form.Take(err) {
			m.web.Render(w, r, web.FormStatus(err), "norms/edit", v)
			return
		}
		m.web.Error(w, r, err)
		return
	}
	anchor := sec.Part
	if sec.Norm != "" {
		anchor = "norm-" + sec.Norm
	}
	m.web.Redirect(w, r, "/reports/"+r.PathValue("id")+"#"+anchor, "flash.answer_saved")
}

func (m *Module) transition(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	if _, err := m.svc.Transition(r.Context(), r.PathValue("id"), f.Get("action")); err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/reports/"+r.PathValue("id"), stepFlash(f.Get("action")))
}

func (m *Module) newVersion(w http.ResponseWriter, r *http.Request) {
	rep, err := m.svc.NewVersion(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/reports/"+rep.ID, "flash.report_version")
}

func (m *Module) withdraw(w http.ResponseWriter, r *http.Request) {
	if _, err := m.svc.Withdraw(r.Context(), r.PathValue("id")); err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Redirect(w, r, "/reports/"+r.PathValue("id"), "flash.report_withdrawn")
}

// stepFlash names the notice of a step; unknown steps never get here.
func stepFlash(action string) string {
	switch action {
	case ActSubmit:
		return "flash.report_submitted"
	case ActReturn:
		return "flash.report_returned"
	case ActApprove:
		return "flash.report_approved"
	}
	return "flash.report_published"
}

type historyView struct {
	web.Page
	F       Framework
	R       Report
	Changes []Change
}

func (m *Module) history(w http.ResponseWriter, r *http.Request) {
	v, err := m.reportView(r, "title.report_history")
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	hv := historyView{Page: v.Page, F: v.F, R: v.R}
	if hv.Changes, err = m.svc.History(r.Context(), v.R.ID); err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "norms/history", hv)
}

func (m *Module) export(w http.ResponseWriter, r *http.Request) {
	rep, err := m.svc.Report(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	w.Header().Set("Content-Disposition", `attachment; filename="report-`+strings.ToLower(rep.Country)+`-v`+itoa(rep.Version)+`.json"`)
	m.web.JSON(w, http.StatusOK, rep)
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

type compareView struct {
	web.Page
	F        Framework
	Reports  []Report
	Choices  []Report
	Selected []string
	Form     web.Form
}

// IsSelected reports whether a report is among those compared.
func (v compareView) IsSelected(id string) bool { return slices.Contains(v.Selected, id) }

func (m *Module) compare(w http.ResponseWriter, r *http.Request) {
	v := compareView{Page: m.web.Page(r, "title.compare"), F: m.svc.Framework(), Selected: r.URL.Query()["r"]}
	v.Nav = "norms"
	var err error
	if v.Choices, _, err = m.svc.Reports(r.Context(), ReportFilter{}); err != nil {
		m.web.Error(w, r, err)
		return
	}
	if len(v.Selected) > 0 {
		if v.Reports, err = m.svc.Compare(r.Context(), v.Selected); err != nil {
			if v.Form.Take(err) {
				m.web.Render(w, r, web.FormStatus(err), "norms/compare", v)
				return
			}
			m.web.Error(w, r, err)
			return
		}
	}
	m.web.Render(w, r, http.StatusOK, "norms/compare", v)
}
