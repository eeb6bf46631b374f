package publicdiplomacy

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/names"
)

// CaseFilter narrows a list of cases. Empty fields match everything.
type CaseFilter struct {
	Words    string // every word must appear (title, claim, texts, keywords, outlets)
	Country  string // ISO 3166-1 alpha-2, targeted
	Language string // ISO 639 code of an appearance
	Keyword  string
	Verdict  string
	Org      string    // handle of the writing organisation
	State    CaseState // staff lists only
	Page     core.Page
}

// Limits of a search.
const (
	maxSearchWords  = 10
	maxSearchLength = 200
)

// ParseCaseFilter reads a list's filters from a query string (the pages',
// the exports' and the API's). Every value that is not one is dropped
// from the filter and named in the error, so a page can show the list
// without it and the API can refuse it by field.
func ParseCaseFilter(q url.Values) (CaseFilter, error) {
	p := core.Problems{}
	get := func(k string) string {
		v := strings.TrimSpace(q.Get(k))
		if core.CheckText(v) != "" {
			p.Add(k, core.CheckText(v))
			return ""
		}
		return v
	}
	f := CaseFilter{Words: get("q"), Country: strings.ToUpper(get("country")), Language: strings.ToLower(get("lang")), Keyword: get("keyword"),
		Verdict: get("verdict"), Org: get("org"), State: CaseState(get("state"))}
	if utf8.RuneCountInString(f.Words) > maxSearchLength || len(strings.Fields(f.Words)) > maxSearchWords {
		p.Add("q", "err.too_long")
		f.Words = ""
	}
	if f.Country != "" && !names.ValidCountry(f.Country) {
		p.Add("country", "err.pd_case_vocab")
		f.Country = ""
	}
	if f.Language != "" && !LanguageCode(f.Language) {
		p.Add("lang", "err.pd_case_vocab")
		f.Language = ""
	}
	if utf8.RuneCountInString(f.Keyword) > maxCaseKeyword {
		p.Add("keyword", "err.too_long")
		f.Keyword = ""
	}
	if f.Verdict != "" && !slices.Contains(Verdicts, f.Verdict) {
		p.Add("verdict", "err.pd_case_vocab")
		f.Verdict = ""
	}
	if f.Org != "" && (len(f.Org) > 64 || strings.ContainsAny(f.Org, " %_\\")) {
		p.Add("org", "err.pd_case_vocab")
		f.Org = ""
	}
	if f.State != "" && !slices.Contains(CaseStates, f.State) {
		p.Add("state", "err.pd_case_vocab")
		f.State = ""
	}
	if c := q.Get("cursor"); c != "" {
		if _, _, ok := parseCaseCursor(c); ok {
			f.Page.Cursor = c
		} else {
			p.Add("cursor", "err.cursor")
		}
	}
	if l := q.Get("limit"); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 1000 {
			p.Add("limit", "err.limit")
		} else {
			f.Page.Limit = n
		}
	}
	return f, p.Err("publicdiplomacy: case filter")
}

// Query is the filter as a query string with another cursor, for the
// next page's link.
func (f CaseFilter) Query(cursor string) string {
	v := url.Values{}
	for k, s := range map[string]string{"q": f.Words, "country": f.Country, "lang": f.Language, "keyword": f.Keyword, "verdict": f.Verdict, "org": f.Org, "state": string(f.State), "cursor": cursor} {
		if s != "" {
			v.Set(k, s)
		}
	}
	return v.Encode()
}

// A cursor is the sort time of the last case of a page, in microseconds
// since 1970, a dot and its id: cases sort newest first by that time,
// then by id.
func caseCursor(t time.Time, id string) string {
	return strconv.FormatInt(t.UnixMicro(), 10) + "." + id
}

func parseCaseCursor(s string) (time.Time, string, bool) {
	num, id, ok := strings.Cut(s, ".")
	if !ok || num == "" || len(num) > 17 || !core.ValidID(id) {
		return time.Time{}, "", false
	}
	for _, c := range num {
		if c < '0' || c > '9' {
			return time.Time{}, "", false
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil {
		return time.Time{}, "", false
	}
	return time.UnixMicro(n).UTC(), id, true
}

// Cases lists the cases the actor may see — every case of their
// organisations, the published ones of others — most recently changed
// first, with the cursor of the next page ("" at the end).
func (s *Service) Cases(ctx context.Context, f CaseFilter) ([]Case, string, error) {
	orgs := access.Orgs(core.ActorFrom(ctx), access.PDRead)
	where, args := []string{"c.state = 'published'"}, []any{}
	if len(orgs) > 0 {
		where[0] = "(c.state = 'published' OR c.org_id IN (" + caseMarks(len(orgs)) + "))"
		for _, o := range orgs {
			args = append(args, o)
		}
	}
	if f.State != "" {
		where, args = append(where, "c.state = ?"), append(args, string(f.State))
	}
	return s.listCases(ctx, f, "c.updated_at", where, args, 50, 200)
}

// PublishedCases lists the public fact-check database: published cases,
// most recently published first.
func (s *Service) PublishedCases(ctx context.Context, f CaseFilter, def, max int) ([]Case, string, error) {
	f.State = ""
	return s.listCases(ctx, f, "c.published_at", []string{"c.state = 'published'"}, nil, def, max)
}

func (s *Service) listCases(ctx context.Context, f CaseFilter, sortCol string, where []string, args []any, def, max int) ([]Case, string, error) {
	for _, w := range strings.Fields(strings.ToLower(f.Words)) {
		where, args = append(where, `c.search LIKE ? ESCAPE '\'`), append(args, "%"+caseLike(w)+"%")
	}
	for _, t := range []struct{ kind, v string }{{"country", f.Country}, {"language", f.Language}, {"keyword", f.Keyword}} {
		if t.v != "" {
			where = append(where, `EXISTS (SELECT 1 FROM pd_case_terms t WHERE t.case_id = c.id AND t.kind = ? AND t.value = ?)`)
			args = append(args, t.kind, termValue(t.kind, t.v))
		}
	}
	if f.Verdict != "" {
		where, args = append(where, "c.verdict = ?"), append(args, f.Verdict)
	}
	if f.Org != "" {
		where, args = append(where, "o.handle = ?"), append(args, f.Org)
	}
	page := f.Page.Normalize(def, max)
	if t, id, ok := parseCaseCursor(page.Cursor); ok {
		where = append(where, "("+sortCol+" < ? OR ("+sortCol+" = ? AND c.id < ?))")
		args = append(args, t, t, id)
	}
	args = append(args, page.Limit+1)
	var out []Case
	if err := s.db.R().Select(ctx, &out, `SELECT `+caseCols+caseFrom+`WHERE `+strings.Join(where, " AND ")+` ORDER BY `+sortCol+` DESC, c.id DESC LIMIT ?`, args...); err != nil {
		return nil, "", core.Wrap("publicdiplomacy: cases", err)
	}
	for i := range out {
		if err := out[i].decode(); err != nil {
			return nil, "", err
		}
	}
	next := ""
	if len(out) > page.Limit {
		out = out[:page.Limit]
		last := out[len(out)-1]
		at := last.UpdatedAt
		if sortCol == "c.published_at" && last.PublishedAt != nil {
			at = *last.PublishedAt
		}
		next = caseCursor(at, last.ID)
	}
	return out, next, nil
}

func caseLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// CaseFacets are the values the filters offer: the countries targeted and
// the languages of the cases a list may show.
type CaseFacets struct {
	Countries []string
	Languages []string
}

// Facets returns the filters' choices over the published cases (public)
// or over the cases the actor may see.
func (s *Service) Facets(ctx context.Context, public bool) (CaseFacets, error) {
	where, args := "c.state = 'published'", []any{}
	if orgs := access.Orgs(core.ActorFrom(ctx), access.PDRead); !public && len(orgs) > 0 {
		where = "(c.state = 'published' OR c.org_id IN (" + caseMarks(len(orgs)) + "))"
		for _, o := range orgs {
			args = append(args, o)
		}
	}
	var rows []struct {
		Kind  string `db:"kind"`
		Value string `db:"value"`
	}
	if err := s.db.R().Select(ctx, &rows, `SELECT DISTINCT t.kind, t.value FROM pd_case_terms t JOIN pd_cases c ON c.id = t.case_id
		WHERE t.kind IN ('country', 'language') AND `+where+` ORDER BY t.kind, t.value`, args...); err != nil {
		return CaseFacets{}, core.Wrap("publicdiplomacy: case facets", err)
	}
	var f CaseFacets
	for _, r := range rows {
		if r.Kind == "country" {
			f.Countries = append(f.Countries, r.Value)
		} else {
			f.Languages = append(f.Languages, r.Value)
		}
	}
	return f, nil
}
