package publicdiplomacy

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
)

// caseRoutes are the disinformation cases: the press office's pages under
// /disinfo (list, form, a case and its review steps), the public
// fact-check database under /factchecks with its exports
// (web_factchecks.go), and the JSON API (api_cases.go).
func (m *Module) caseRoutes() []web.Route {
	out := []web.Route{
		{Pattern: "GET /disinfo", Action: access.PDRead, Handler: m.caseList},
		{Pattern: "GET /disinfo/new", Action: access.PDWrite, Handler: m.caseNew},
		{Pattern: "POST /disinfo", Action: access.PDWrite, Handler: m.caseCreate},
		{Pattern: "GET /disinfo/{id}", Action: access.PDRead, Handler: m.caseShow},
		{Pattern: "GET /disinfo/{id}/edit", Action: access.PDWrite, Handler: m.caseEditForm},
		{Pattern: "POST /disinfo/{id}/edit", Action: access.PDWrite, Handler: m.caseUpdate},
		{Pattern: "POST /disinfo/{id}/submit", Action: access.PDWrite, Handler: m.caseStepHandler("submit")},
		{Pattern: "POST /disinfo/{id}/return", Action: access.PDApprove, Handler: m.caseStepHandler("return")},
		{Pattern: "POST /disinfo/{id}/publish", Action: access.PDApprove, Handler: m.caseStepHandler("publish")},
		{Pattern: "POST /disinfo/{id}/withdraw", Action: access.PDApprove, Handler: m.caseStepHandler("withdraw")},
	}
	out = append(out, m.factcheckRoutes()...)
	return append(out, m.caseAPIRoutes()...)
}

// caseListView is the press office's list of cases.
type caseListView struct {
	web.Page
	Cases  []Case
	Next   string
	Filter CaseFilter
	Facets CaseFacets
}

// Verdicts and States are the filters' choices.
func (v caseListView) Verdicts() []string       { return Verdicts }
func (v caseListView) States() []CaseState      { return CaseStates }
func (v caseListView) Country(c string) string  { return countryName(c, v.Lang) }
func (v caseListView) LangName(c string) string { return langName(c, v.Lang) }

func (m *Module) caseList(w http.ResponseWriter, r *http.Request) {
	// A filter value that is not one is left out (and out of the form).
	f, _ := ParseCaseFilter(r.URL.Query())
	v := caseListView{Page: m.web.Page(r, "title.pd_cases"), Filter: f}
	v.Nav = "disinfo"
	var err error
	if v.Cases, v.Next, err = m.svc.Cases(r.Context(), f); err != nil {
		m.web.Error(w, r, err)
		return
	}
	if v.Facets, err = m.svc.Facets(r.Context(), false); err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "pd_cases", v)
}

// caseFormView is the form of a case, new or edited.
type caseFormView struct {
	web.Page
	Form web.Form
	Edit *Case
	Orgs []core.OrgRef
	Rows []int
}

// Verdicts, Languages and AuthorTypes are the form's choices.
func (v caseFormView) Verdicts() []string       { return Verdicts }
func (v caseFormView) Languages() []string      { return Languages }
func (v caseFormView) AuthorTypes() []string    { return ClaimAuthorTypes }
func (v caseFormView) LangName(c string) string { return langName(c, v.Lang) }

// TranslationLanguages are the translation's choices.
func (v caseFormView) TranslationLanguages() []string { return TranslationLanguages }

// Row is the value of an appearance row's field; RowName its name.
func (v caseFormView) Row(k int, f string) string     { return v.Form.Get(caseRow(k, f)) }
func (v caseFormView) RowName(k int, f string) string { return caseRow(k, f) }
func (v caseFormView) RowNumber(k int) int            { return k + 1 }

// caseFormRows is how many appearance rows a new form offers; "add a row"
// reloads the form with one more, so no script is needed.
const caseFormRows = 2

func caseRow(k int, f string) string { return "ap" + strconv.Itoa(k) + "_" + f }

// caseRowCount is the appearance rows a form holds, within the limit.
func caseRowCount(v url.Values) int {
	n, _ := strconv.Atoi(v.Get("rows"))
	return min(max(n, caseFormRows), maxAppearances)
}

// caseInputFromForm reads a case from the posted form: lists typed as
// comma-separated items, appearances as rows ap0_url, ap0_outlet…
func caseInputFromForm(v url.Values) CaseInput {
	in := CaseInput{Org: v.Get("org"), Language: v.Get("language"), Title: v.Get("title"), Claim: v.Get("claim"), Summary: v.Get("summary"),
		Disproof: v.Get("disproof"), Verdict: v.Get("verdict"), FirstSeen: v.Get("first_seen"), ClaimAuthor: v.Get("claim_author"),
		ClaimAuthorType: v.Get("claim_author_type"), Outlets: SplitList(v.Get("outlets")), Languages: SplitList(v.Get("languages")),
		Countries: SplitList(v.Get("countries")), Keywords: SplitList(v.Get("keywords"))}
	in.Version, _ = strconv.Atoi(v.Get("version"))
	// normalize drops a translation with no text.
	in.Translation = &CaseTranslation{Language: v.Get("tr_language"), Title: v.Get("tr_title"), Claim: v.Get("tr_claim"),
		Summary: v.Get("tr_summary"), Disproof: v.Get("tr_disproof")}
	for k := range caseRowCount(v) {
		in.Appearances = append(in.Appearances, Appearance{URL: v.Get(caseRow(k, "url")), Outlet: v.Get(caseRow(k, "outlet")),
			Language: v.Get(caseRow(k, "lang")), Date: v.Get(caseRow(k, "date")), Archive: v.Get(caseRow(k, "archive"))})
	}
	return in
}

// caseFormValues is a case as its form shows it.
func caseFormValues(c Case) url.Values {
	v := url.Values{}
	for k, s := range map[string]string{"language": c.Language, "title": c.Title, "claim": c.Claim, "summary": c.Summary, "disproof": c.Disproof,
		"verdict": c.Verdict, "claim_author": c.ClaimAuthor, "claim_author_type": c.ClaimAuthorType, "outlets": strings.Join(c.Outlets, ", "),
		"languages": strings.Join(c.Languages, ", "), "countries": strings.Join(c.Countries, ", "), "keywords": strings.Join(c.Keywords, ", "),
		"version": strconv.Itoa(c.Version), "rows": strconv.Itoa(len(c.Appearances) + 1)} {
		v.Set(k, s)
	}
	if c.FirstSeen != nil {
		v.Set("first_seen", c.FirstSeen.Format("2006-01-02"))
	}
	v.Set("tr_language", otherLanguage(c.Language))
	if t := c.Translation; t != nil {
		for k, s := range map[string]string{"tr_language": t.Language, "tr_title": t.Title, "tr_claim": t.Claim, "tr_summary": t.Summary, "tr_disproof": t.Disproof} {
			v.Set(k, s)
		}
	}
	for k, a := range c.Appearances {
		for f, s := range map[string]string{"url": a.URL, "outlet": a.Outlet, "lang": a.Language, "date": a.Date, "archive": a.Archive} {
			v.Set(caseRow(k, f), s)
		}
	}
	return v
}

func (m *Module) caseFormView(r *http.Request, title string, f web.Form, edit *Case, args ...any) caseFormView {
	v := caseFormView{Page: m.web.Page(r, title, args...), Form: f, Edit: edit, Orgs: CaseOrgs(core.ActorFrom(r.Context()))}
	v.Nav = "disinfo"
	for k := range caseRowCount(f.Values) {
		v.Rows = append(v.Rows, k)
	}
	return v
}

// caseNew is the form of a new case, prefilled from the query when it
// comes from a monitored feed's item: its title, link (the first
// appearance) and language.
func (m *Module) caseNew(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	vals := url.Values{"language": {"en"}, "tr_language": {"id"}}
	if t := strings.TrimSpace(q.Get("title")); t != "" && core.CheckText(t) == "" {
		vals.Set("title", caseTrunc(t, maxCaseTitle))
	}
	if l := strings.TrimSpace(q.Get("link")); WebURL(l) {
		vals.Set(caseRow(0, "url"), l)
		if u, err := url.Parse(l); err == nil {
			vals.Set(caseRow(0, "outlet"), strings.TrimPrefix(u.Hostname(), "www."))
		}
	}
	// A feed says its language as a tag (en-GB, id-ID): its base is the
	// appearance's language, and the case's own when it is one of ours.
	if l, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(q.Get("lang"))), "-"); LanguageCode(l) {
		vals.Set(caseRow(0, "lang"), l)
		if validLanguage(l) {
			vals.Set("language", l)
			vals.Set("tr_language", otherLanguage(l))
		}
	}
	if orgs := CaseOrgs(core.ActorFrom(r.Context())); len(orgs) > 0 {
		vals.Set("org", orgs[0].Handle)
	}
	m.web.Render(w, r, http.StatusOK, "pd_case_form", m.caseFormView(r, "title.pd_case_new", web.Form{Values: vals, Problems: core.Problems{}}, nil))
}

// caseMoreRows answers the form's "add a row" button: the same form, with
// what was typed and one more appearance row.
func (m *Module) caseMoreRows(w http.ResponseWriter, r *http.Request, f web.Form, title string, edit *Case, args ...any) bool {
	if f.Get("add_row") == "" {
		return false
	}
	f.Values.Set("rows", strconv.Itoa(caseRowCount(f.Values)+1))
	m.web.Render(w, r, http.StatusOK, "pd_case_form", m.caseFormView(r, title, f, edit, args...))
	return true
}

func (m *Module) caseFormBack(w http.ResponseWriter, r *http.Request, f web.Form, err error, title string, edit *Case, args ...any) {
	if !f.Take(err) {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, web.FormStatus(err), "pd_case_form", m.caseFormView(r, title, f, edit, args...))
}

func (m *Module) caseCreate(w http.ResponseWriter, r *http.Request) {
	f := web.NewForm(r)
	if m.caseMoreRows(w, r, f, "title.pd_case_new", nil) {
		return
	}
	c, err := m.svc.CreateCase(r.Context(), caseInputFromForm(f.Values))
	if err != nil {
		m.caseFormBack(w, r, f, err, "title.pd_case_new", nil)
		return
	}
	m.web.Redirect(w, r, "/disinfo/"+c.ID, "flash.pd_case_saved")
}

func (m *Module) caseEditable(w http.ResponseWriter, r *http.Request) (Case, bool) {
	c, err := m.svc.Case(r.Context(), r.PathValue("id"))
	if err == nil {
		err = may(r.Context(), access.PDWrite, c.OrgID)
	}
	if err == nil && !c.Editable() {
		err = conflict("err.pd_case_published")
	}
	if err != nil {
		m.web.Error(w, r, err)
		return c, false
	}
	return c, true
}

func (m *Module) caseEditForm(w http.ResponseWriter, r *http.Request) {
	c, ok := m.caseEditable(w, r)
	if !ok {
		return
	}
	m.web.Render(w, r, http.StatusOK, "pd_case_form", m.caseFormView(r, "title.pd_case_edit", web.Form{Values: caseFormValues(c), Problems: core.Problems{}}, &c, c.Title))
}

func (m *Module) caseUpdate(w http.ResponseWriter, r *http.Request) {
	c, ok := m.caseEditable(w, r)
	if !ok {
		return
	}
	f := web.NewForm(r)
	if m.caseMoreRows(w, r, f, "title.pd_case_edit", &c, c.Title) {
		return
	}
	if _, err := m.svc.EditCase(r.Context(), c.ID, caseInputFromForm(f.Values)); err != nil {
		m.caseFormBack(w, r, f, err, "title.pd_case_edit", &c, c.Title)
		return
	}
	m.web.Redirect(w, r, "/disinfo/"+c.ID, "flash.pd_case_saved")
}

// caseView is a case as its organisation's people see it, with what they
// may do to it.
type caseView struct {
	web.Page
	C                                           Case
	Answers                                     []CaseAnswer
	CanEdit, CanSubmit, CanApprove, CanWithdraw bool
	// OwnWork is set when the viewer may approve but wrote or last
	// changed the case, so someone else must publish it.
	OwnWork bool
	// StepForm is the form of a step that came back refused (the
	// withdrawal's reason, or a case not yet complete).
	StepForm web.Form
}

// Text, Country and LangName render the case for the page.
func (v caseView) Country(c string) string  { return countryName(c, v.Lang) }
func (v caseView) LangName(c string) string { return langName(c, v.Lang) }

func (m *Module) caseShow(w http.ResponseWriter, r *http.Request) {
	m.renderCase(w, r, http.StatusOK, web.Form{Problems: core.Problems{}})
}

func (m *Module) renderCase(w http.ResponseWriter, r *http.Request, status int, step web.Form) {
	ctx := r.Context()
	c, err := m.svc.Case(ctx, r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	a := core.ActorFrom(ctx)
	write, approve := may(ctx, access.PDWrite, c.OrgID) == nil, may(ctx, access.PDApprove, c.OrgID) == nil
	v := caseView{Page: m.web.Page(r, "title.pd_case", c.Title), C: c, StepForm: step,
		CanEdit: write && c.Editable(), CanSubmit: write && c.State == CaseDraft,
		CanApprove: approve && c.State == CaseReview, CanWithdraw: approve && c.State != CaseWithdrawn}
	v.OwnWork = v.CanApprove && (c.CreatedBy == a.UserID || c.EditedBy == a.UserID)
	v.Nav = "disinfo"
	if v.Answers, err = m.svc.CaseAnswers(ctx, c.ID); err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, status, "pd_case", v)
}

// caseStepHandler runs one review step from the case page's buttons; a
// refused step (an incomplete case, a missing reason) shows the page
// again with why.
func (m *Module) caseStepHandler(step string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f := web.NewForm(r)
		id := r.PathValue("id")
		version, _ := strconv.Atoi(f.Get("version"))
		var err error
		var flash string
		switch step {
		case "submit":
			_, err = m.svc.SubmitCase(r.Context(), id, version)
			flash = "flash.pd_case_submitted"
		case "return":
			_, err = m.svc.ReturnCase(r.Context(), id, version)
			flash = "flash.pd_case_returned"
		case "publish":
			_, err = m.svc.PublishCase(r.Context(), id, version)
			flash = "flash.pd_case_published"
		case "withdraw":
			_, err = m.svc.WithdrawCase(r.Context(), id, version, f.Get("reason"))
			flash = "flash.pd_case_withdrawn"
		}
		if err != nil {
			if !f.Take(err) {
				m.web.Error(w, r, err)
				return
			}
			m.renderCase(w, r, web.FormStatus(err), f)
			return
		}
		m.web.Redirect(w, r, "/disinfo/"+id, flash)
	}
}

// caseAttention is what cases ask of a person on the home page: the
// cases of their organisations waiting for them to review and publish.
func (m *Module) caseAttention(ctx context.Context, a core.Actor) ([]web.Attention, error) {
	cases, err := m.svc.CasesToReview(core.WithActor(ctx, a))
	if err != nil {
		return nil, err
	}
	var out []web.Attention
	for _, c := range cases {
		out = append(out, web.Attention{Key: "attn.pd_case_review", Args: []any{c.Title}, Link: "/disinfo/" + c.ID})
	}
	return out, nil
}
