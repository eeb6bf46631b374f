package publicdiplomacy

import (
	"encoding/csv"
	"html/template"
	"net/http"
	"slices"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/names"
	"entente.example/entente/internal/web"
)

// The public fact-check database: the published cases, searchable by
// words, country, language, keyword and verdict, each on its own page
// with its ClaimReview, and the whole in CSV and JSON. No sign-in, no
// script, a light first load.

func (m *Module) factcheckRoutes() []web.Route {
	return []web.Route{
		{Pattern: "GET /factchecks", Action: access.PDPublic, Handler: m.factchecks},
		{Pattern: "GET /factchecks/{id}", Action: access.PDPublic, Handler: m.factcheck},
		{Pattern: "GET /factchecks.csv", Action: access.PDPublic, Handler: m.factchecksCSV},
		{Pattern: "GET /factchecks.json", Action: access.PDPublic, Handler: m.factchecksJSON},
	}
}

// factchecksPerPage is one page of the public list: small enough for a
// phone on a slow network.
const factchecksPerPage = 20

// maxExport is the most cases an export holds.
const maxExport = 10000

// factchecksView is the public database's list.
type factchecksView struct {
	web.Page
	Cases  []Case
	Next   string
	Filter CaseFilter
	Facets CaseFacets
	// OrgName names the organisation the list is narrowed to.
	OrgName string
}

// Verdicts are the filter's choices and the rating scale's rows.
func (v factchecksView) Verdicts() []string        { return Verdicts }
func (v factchecksView) Rating(verdict string) int { return VerdictRating(verdict) }
func (v factchecksView) Country(c string) string   { return countryName(c, v.Lang) }
func (v factchecksView) LangName(c string) string  { return langName(c, v.Lang) }
func (v factchecksView) Export(ext string) template.URL {
	return template.URL("/factchecks." + ext + "?" + v.Filter.Query(""))
}

func (m *Module) factchecks(w http.ResponseWriter, r *http.Request) {
	f, _ := ParseCaseFilter(r.URL.Query())
	v := factchecksView{Page: m.web.Page(r, "title.pd_factchecks"), Filter: f}
	v.Nav = "factchecks"
	var err error
	if v.Cases, v.Next, err = m.svc.PublishedCases(r.Context(), f, factchecksPerPage, factchecksPerPage); err != nil {
		m.web.Error(w, r, err)
		return
	}
	if v.Facets, err = m.svc.Facets(r.Context(), true); err != nil {
		m.web.Error(w, r, err)
		return
	}
	// Each fact check in the reader's language when it has a translation.
	for i := range v.Cases {
		v.Cases[i] = v.Cases[i].In(v.Lang)
	}
	if f.Org != "" && len(v.Cases) > 0 {
		v.OrgName = v.Cases[0].OrgNameIn(v.Lang)
	}
	m.web.Render(w, r, http.StatusOK, "pd_factchecks", v)
}

// factcheckView is one published case for the public.
type factcheckView struct {
	web.Page
	C       Case
	Answers []CaseAnswer
	LD      template.JS
	Meta    pageMeta
	// Other is the case's other language version, if it has one: its
	// address, and the link's text in that language.
	Other *otherVersion
}

// otherVersion is the link from a case's page to its other language.
type otherVersion struct{ Lang, URL, Text string }

func (v factcheckView) Country(c string) string  { return countryName(c, v.Lang) }
func (v factcheckView) LangName(c string) string { return langName(c, v.Lang) }

func (m *Module) factcheck(w http.ResponseWriter, r *http.Request) {
	c, err := m.svc.PublishedCase(r.Context(), r.PathValue("id"))
	if err != nil {
		m.web.Error(w, r, err)
		return
	}
	page := m.web.Page(r, "title.pd_factcheck", c.Title)
	// The reader's language, unless the address asks for a version.
	lang := page.Lang
	if q := r.URL.Query().Get("lang"); q != "" && slices.Contains(c.Versions(), q) {
		lang = q
	}
	c = c.In(lang)
	page.TitleArgs = []any{c.Title}
	v := factcheckView{Page: page, C: c, LD: m.svc.ClaimReview(c, m.verdictText(c)).JSONLD()}
	v.Meta = m.factcheckMeta(c)
	if t := c.Translation; t != nil {
		other := c.In(t.Language)
		v.Other = &otherVersion{Lang: t.Language, URL: m.svc.CaseVersionURL(other), Text: m.web.Catalog().T(t.Language, "pd.fc.read_in")}
	}
	v.Nav = "factchecks"
	if v.Answers, err = m.svc.CaseAnswers(r.Context(), c.ID); err != nil {
		m.web.Error(w, r, err)
		return
	}
	m.web.Render(w, r, http.StatusOK, "pd_factcheck", v)
}

// verdictText is a case's verdict in the case's own language (English
// when the catalogue has not that language): the text ClaimReview
// carries beside the case's text.
func (m *Module) verdictText(c Case) string {
	lang := c.Language
	if lang != "id" {
		lang = "en"
	}
	return m.web.Catalog().T(lang, "pd.verdict."+c.Verdict)
}

// exportCases reads the export's filters and its cases; a filter that is
// not one is refused by field.
func (m *Module) exportCases(w http.ResponseWriter, r *http.Request) ([]Case, bool) {
	f, err := ParseCaseFilter(r.URL.Query())
	if err != nil {
		m.web.Error(w, r, err)
		return nil, false
	}
	f.Page = core.Page{}
	cases, _, err := m.svc.PublishedCases(r.Context(), f, maxExport, maxExport)
	if err != nil {
		m.web.Error(w, r, err)
		return nil, false
	}
	return cases, true
}

// PublicCase is a published case as the exports give it: the case, its
// address and its ClaimReview, without the names of the people who wrote
// and published it.
type PublicCase struct {
	ID               string       `json:"id"`
	URL              string       `json:"url"`
	Org              string       `json:"org"`
	OrgName          string       `json:"org_name"`
	Language         string       `json:"language"`
	Title            string       `json:"title"`
	Claim            string       `json:"claim"`
	Summary          string       `json:"summary"`
	Disproof         string       `json:"disproof"`
	Verdict          string       `json:"verdict"`
	FirstSeen        string       `json:"first_seen"`
	ClaimAuthor      string       `json:"claim_author,omitempty"`
	Appearances      []Appearance `json:"appearances"`
	Outlets          []string     `json:"outlets"`
	Languages        []string     `json:"languages"`
	Countries        []string     `json:"countries"`
	Keywords         []string     `json:"keywords"`
	FirstPublishedAt time.Time    `json:"first_published_at"`
	PublishedAt      time.Time    `json:"published_at"`
	ClaimReview      ClaimReview  `json:"claim_review"`
	// Translation is the case's text in the node's other language, if
	// any.
	Translation *CaseTranslation `json:"translation,omitempty"`
}

func (m *Module) publicCase(c Case) PublicCase {
	p := PublicCase{ID: c.ID, URL: m.svc.CaseURL(c.ID), Org: c.Org, OrgName: c.OrgName, Language: c.Language, Title: c.Title, Claim: c.Claim,
		Summary: c.Summary, Disproof: c.Disproof, Verdict: c.Verdict, ClaimAuthor: c.ClaimAuthor, Appearances: c.Appearances,
		Outlets: c.Outlets, Languages: c.Languages, Countries: c.Countries, Keywords: c.Keywords, ClaimReview: m.svc.ClaimReview(c, m.verdictText(c)),
		Translation: c.Translation}
	if c.FirstSeen != nil {
		p.FirstSeen = c.FirstSeen.Format("2006-01-02")
	}
	if c.FirstPublishedAt != nil {
		p.FirstPublishedAt = c.FirstPublishedAt.UTC()
	}
	if c.PublishedAt != nil {
		p.PublishedAt = c.PublishedAt.UTC()
	}
	return p
}

func (m *Module) factchecksJSON(w http.ResponseWriter, r *http.Request) {
	cases, ok := m.exportCases(w, r)
	if !ok {
		return
	}
	out := web.List[PublicCase]{Items: []PublicCase{}}
	for _, c := range cases {
		out.Items = append(out.Items, m.publicCase(c))
	}
	w.Header().Set("Content-Disposition", `attachment; filename="factchecks.json"`)
	m.web.JSON(w, http.StatusOK, out)
}

// factcheckColumns are the CSV's columns. Lists are separated by "; ";
// appearances are one per line, as url | outlet | language | date |
// archived copy. The translation's columns come last, so that the
// columns before them keep their places; they are empty when the case
// has no translation.
var factcheckColumns = []string{"id", "url", "title", "claim", "verdict", "summary", "disproof", "first_seen", "countries", "languages", "keywords",
	"outlets", "appearances", "org", "org_name", "language", "first_published_at", "published_at",
	"translation_language", "translation_title", "translation_claim", "translation_summary", "translation_disproof"}

func (m *Module) factchecksCSV(w http.ResponseWriter, r *http.Request) {
	cases, ok := m.exportCases(w, r)
	if !ok {
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="factchecks.csv"`)
	cw := csv.NewWriter(w)
	cw.Write(factcheckColumns)
	for _, c := range cases {
		cw.Write(csvSafe(factcheckRecord(m.publicCase(c))))
	}
	cw.Flush()
}

func factcheckRecord(p PublicCase) []string {
	var aps []string
	for _, a := range p.Appearances {
		aps = append(aps, strings.Join([]string{a.URL, a.Outlet, a.Language, a.Date, a.Archive}, " | "))
	}
	var t CaseTranslation
	if p.Translation != nil {
		t = *p.Translation
	}
	return []string{p.ID, p.URL, p.Title, p.Claim, p.Verdict, p.Summary, p.Disproof, p.FirstSeen, strings.Join(p.Countries, "; "),
		strings.Join(p.Languages, "; "), strings.Join(p.Keywords, "; "), strings.Join(p.Outlets, "; "), strings.Join(aps, "\n"),
		p.Org, p.OrgName, p.Language, p.FirstPublishedAt.Format(time.RFC3339), p.PublishedAt.Format(time.RFC3339),
		t.Language, t.Title, t.Claim, t.Summary, t.Disproof}
}

// csvSafe keeps a spreadsheet from reading a cell as a formula: a cell
// that starts with =, +, -, @, a tab or a carriage return is written with
// a leading apostrophe.
func csvSafe(rec []string) []string {
	for k, c := range rec {
		if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			rec[k] = "'" + c
		}
	}
	return rec
}

func countryName(code, lang string) string { return names.Country(code, lang) }

// caseTextHTML is a case's plain text as paragraphs, its web addresses as
// links (the sources of a disproof, web.Linkify): everything else is
// escaped.
func caseTextHTML(text string) template.HTML {
	var b strings.Builder
	for _, p := range strings.Split(strings.ReplaceAll(strings.TrimSpace(text), "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		b.WriteString("<p>")
		for i, line := range strings.Split(p, "\n") {
			if i > 0 {
				b.WriteString("<br>")
			}
			b.WriteString(string(web.Linkify(line)))
		}
		b.WriteString("</p>")
	}
	return template.HTML(b.String())
}

// Text renders a case's text for the pages.
func (v factcheckView) Text(s string) template.HTML { return caseTextHTML(s) }
func (v caseView) Text(s string) template.HTML      { return caseTextHTML(s) }

// caseDay says a day (a time, or a date as YYYY-MM-DD) as the node says
// times, without the hour.
func caseDay(lang string, v any) string {
	s, _, _ := strings.Cut(web.HumanTime(lang, v), ",")
	return s
}

func (v factcheckView) Day(t any) string  { return caseDay(v.Lang, t) }
func (v caseView) Day(t any) string       { return caseDay(v.Lang, t) }
func (v factchecksView) Day(t any) string { return caseDay(v.Lang, t) }

// NextLink is the next page of the list, with its filters.
func (v factchecksView) NextLink() template.URL {
	return template.URL("/factchecks?" + v.Filter.Query(v.Next))
}

// NextLink is the next page of the list, with its filters.
func (v caseListView) NextLink() template.URL {
	return template.URL("/disinfo?" + v.Filter.Query(v.Next))
}
