package publicdiplomacy

import (
	"encoding/json"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"

	"entente.example/entente/core"
	"entente.example/entente/internal/names"
)

// A disinformation case is written the way EUvsDisinfo writes them: the
// claim as it circulated (summary), where it appeared, with archived
// copies because such pages vanish, and why it is wrong (disproof), with a
// verdict. "Messages, not messengers": the public page is about the
// claim; outlets are listed as where it appeared, not judged.

// CaseState is where a case is in its review.
type CaseState string

// A case is drafted, submitted for review, published by a second person
// (never its author nor whoever last changed it), and may be withdrawn,
// which takes it off the public database; a withdrawn case is edited
// back into a draft to be reviewed again.
const (
	CaseDraft     CaseState = "draft"
	CaseReview    CaseState = "review"
	CasePublished CaseState = "published"
	CaseWithdrawn CaseState = "withdrawn"
)

// CaseStates lists the states in the order of the workflow.
var CaseStates = []CaseState{CaseDraft, CaseReview, CasePublished, CaseWithdrawn}

// Verdicts a case may give a claim; each has a label in both languages
// (pd.verdict.<code>) and a place on the numeric scale of reviewRating.
var Verdicts = []string{"false", "partly_false", "misleading", "missing_context", "unproven"}

// The numeric scale of a verdict, as Google asks ClaimReview's Rating to
// carry one besides its text: worstRating 1 (false) to bestRating 5
// (true, which a disinformation case never is). The public database says
// what each number means.
const (
	WorstRating = 1
	BestRating  = 5
)

// VerdictRating is a verdict's ratingValue.
func VerdictRating(v string) int {
	switch v {
	case "false":
		return 1
	case "partly_false", "misleading":
		return 2
	default: // missing_context, unproven
		return 3
	}
}

// ClaimAuthorTypes are what the author of a claim may be, as schema.org
// types the author of a Claim (Organization, Person).
var ClaimAuthorTypes = []string{"organization", "person"}

// Limits of a case, in characters unless said.
const (
	maxCaseTitle    = 200
	maxCaseClaim    = 300
	maxCaseText     = 20000
	maxCaseName     = 200
	maxCaseURL      = 2000
	maxAppearances  = 50
	maxCaseList     = 50
	maxCaseKeyword  = 60
	maxWithdrawNote = 1000
)

// Appearance is one place where the claim was published: a page, with the
// outlet that published it, its language, date, and an archived copy
// (web.archive.org, archive.today) that outlives it.
type Appearance struct {
	URL      string `json:"url"`
	Outlet   string `json:"outlet"`
	Language string `json:"language,omitempty"`
	Date     string `json:"date,omitempty"` // YYYY-MM-DD
	Archive  string `json:"archive,omitempty"`
}

// CaseInput is a case as its writer gives it, from the form or the API.
type CaseInput struct {
	// Org is the handle of the writing organisation, on creation.
	Org             string       `json:"org,omitempty"`
	Language        string       `json:"language,omitempty"`
	Title           string       `json:"title"`
	Claim           string       `json:"claim,omitempty"`
	Summary         string       `json:"summary,omitempty"`
	Disproof        string       `json:"disproof,omitempty"`
	Verdict         string       `json:"verdict,omitempty"`
	FirstSeen       string       `json:"first_seen,omitempty"` // YYYY-MM-DD
	ClaimAuthor     string       `json:"claim_author,omitempty"`
	ClaimAuthorType string       `json:"claim_author_type,omitempty"`
	Appearances     []Appearance `json:"appearances,omitempty"`
	Outlets         []string     `json:"outlets,omitempty"`
	Languages       []string     `json:"languages,omitempty"`
	Countries       []string     `json:"countries,omitempty"`
	Keywords        []string     `json:"keywords,omitempty"`
	// Translation is the case's text in the node's other language, if
	// any (cases_translation.go).
	Translation *CaseTranslation `json:"translation,omitempty"`
	// Version is the version edited, to refuse an edit over someone
	// else's (0: do not check).
	Version int `json:"version,omitempty"`
}

// Case is a disinformation case as its organisation's people see it.
type Case struct {
	ID              string           `db:"id" json:"id"`
	OrgID           string           `db:"org_id" json:"-"`
	Org             string           `db:"org" json:"org"`
	OrgName         string           `db:"org_name" json:"org_name"`
	OrgNameID       string           `db:"org_name_id" json:"-"`
	OrgWebsite      string           `db:"org_website" json:"-"`
	Language        string           `db:"language" json:"language"`
	Title           string           `db:"title" json:"title"`
	Claim           string           `db:"claim" json:"claim"`
	Summary         string           `db:"summary" json:"summary"`
	Disproof        string           `db:"disproof" json:"disproof"`
	Verdict         string           `db:"verdict" json:"verdict,omitempty"`
	FirstSeen       *time.Time       `db:"first_seen" json:"first_seen,omitempty"`
	ClaimAuthor     string           `db:"claim_author" json:"claim_author,omitempty"`
	ClaimAuthorType string           `db:"claim_author_type" json:"claim_author_type,omitempty"`
	Appearances     []Appearance     `db:"-" json:"appearances"`
	Outlets         []string         `db:"-" json:"outlets"`
	Languages       []string         `db:"-" json:"languages"`
	Countries       []string         `db:"-" json:"countries"`
	Keywords        []string         `db:"-" json:"keywords"`
	Translation     *CaseTranslation `db:"-" json:"translation,omitempty"`
	// Translated is set when the text is the translation's (In).
	Translated       bool       `db:"-" json:"-"`
	State            CaseState  `db:"state" json:"state"`
	CreatedBy        string     `db:"created_by" json:"-"`
	CreatedByName    string     `db:"created_by_name" json:"created_by"`
	EditedBy         string     `db:"edited_by" json:"-"`
	EditedByName     string     `db:"edited_by_name" json:"edited_by,omitempty"`
	SubmittedAt      *time.Time `db:"submitted_at" json:"submitted_at,omitempty"`
	PublishedBy      string     `db:"published_by" json:"-"`
	PublishedByName  string     `db:"published_by_name" json:"published_by,omitempty"`
	PublishedAt      *time.Time `db:"published_at" json:"published_at,omitempty"`
	FirstPublishedAt *time.Time `db:"first_published_at" json:"first_published_at,omitempty"`
	WithdrawnAt      *time.Time `db:"withdrawn_at" json:"withdrawn_at,omitempty"`
	WithdrawnByName  string     `db:"withdrawn_by_name" json:"withdrawn_by,omitempty"`
	WithdrawnReason  string     `db:"withdrawn_reason" json:"withdrawn_reason,omitempty"`
	Version          int        `db:"version" json:"version"`
	CreatedAt        time.Time  `db:"created_at" json:"created_at"`
	UpdatedAt        time.Time  `db:"updated_at" json:"updated_at"`

	AppearancesJSON string `db:"appearances" json:"-"`
	OutletsJSON     string `db:"outlets" json:"-"`
	LanguagesJSON   string `db:"languages" json:"-"`
	CountriesJSON   string `db:"countries" json:"-"`
	KeywordsJSON    string `db:"keywords" json:"-"`

	TrLanguage string `db:"tr_language" json:"-"`
	TrTitle    string `db:"tr_title" json:"-"`
	TrClaim    string `db:"tr_claim" json:"-"`
	TrSummary  string `db:"tr_summary" json:"-"`
	TrDisproof string `db:"tr_disproof" json:"-"`
}

func (c *Case) decode() error {
	for _, f := range []struct {
		src string
		dst any
	}{{c.AppearancesJSON, &c.Appearances}, {c.OutletsJSON, &c.Outlets}, {c.LanguagesJSON, &c.Languages}, {c.CountriesJSON, &c.Countries}, {c.KeywordsJSON, &c.Keywords}} {
		if err := json.Unmarshal([]byte(f.src), f.dst); err != nil {
			return core.Wrap("publicdiplomacy: case "+c.ID, err)
		}
	}
	for _, l := range []*[]string{&c.Outlets, &c.Languages, &c.Countries, &c.Keywords} {
		if *l == nil {
			*l = []string{}
		}
	}
	if c.Appearances == nil {
		c.Appearances = []Appearance{}
	}
	c.decodeTranslation()
	return nil
}

// OrgNameIn is the writing organisation's name in lang, its English name
// when it has none in that language.
func (c Case) OrgNameIn(lang string) string {
	if lang == "id" && c.OrgNameID != "" {
		return c.OrgNameID
	}
	return c.OrgName
}

// FirstAppearance is the appearance with the earliest date (the first
// listed among equals or undated ones), if any.
func (c Case) FirstAppearance() (Appearance, bool) {
	if len(c.Appearances) == 0 {
		return Appearance{}, false
	}
	best := c.Appearances[0]
	for _, a := range c.Appearances[1:] {
		if a.Date != "" && (best.Date == "" || a.Date < best.Date) {
			best = a
		}
	}
	return best, true
}

// Editable reports whether the case may still be changed: a published
// case is withdrawn first, so that what the public reads was always
// reviewed by a second person.
func (c Case) Editable() bool { return c.State != CasePublished }

// WebURL reports whether s is an absolute http or https address without
// credentials, spaces or control characters: what a case links to. It is
// the only check on addresses that come from outside (forms, the API,
// feeds), so the fuzz target holds it to its word.
func WebURL(s string) bool {
	if s == "" || len(s) > maxCaseURL {
		return false
	}
	for _, r := range s {
		if r <= ' ' || r == 0x7f || unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return false
		}
	}
	u, err := url.Parse(s)
	if err != nil || u.User != nil || u.Host == "" || u.Opaque != "" {
		return false
	}
	if sc := strings.ToLower(u.Scheme); sc != "http" && sc != "https" {
		return false
	}
	h := u.Hostname()
	if h == "" || strings.HasPrefix(h, ".") || strings.Contains(h, "..") {
		return false
	}
	return true
}

var langCodeRE = regexp.MustCompile(`^[a-z]{2,3}$`)

// LanguageCode reports whether s is an ISO 639 language code (two or
// three small letters) that Unicode's data knows.
func LanguageCode(s string) bool {
	if !langCodeRE.MatchString(s) {
		return false
	}
	_, err := language.ParseBase(s)
	return err == nil
}

// caseDate reads a date as YYYY-MM-DD.
func caseDate(s string) (time.Time, bool) {
	t, err := time.Parse("2006-01-02", s)
	return t, err == nil
}

// normalize trims the input and checks it as a draft may be: what is
// there must be right; what a review needs (complete) may still be
// missing. now bounds the dates (nothing seen in the future). The
// problems name the fields as the form and the API call them.
func (in *CaseInput) normalize(now time.Time) core.Problems {
	p := core.Problems{}
	trim := func(s *string) { *s = strings.TrimSpace(strings.ReplaceAll(*s, "\r\n", "\n")) }
	for _, s := range []*string{&in.Org, &in.Language, &in.Title, &in.Claim, &in.Summary, &in.Disproof, &in.Verdict, &in.FirstSeen, &in.ClaimAuthor, &in.ClaimAuthorType} {
		trim(s)
	}
	for field, s := range map[string]string{"title": in.Title, "claim": in.Claim, "summary": in.Summary, "disproof": in.Disproof, "claim_author": in.ClaimAuthor} {
		if k := core.CheckText(s); k != "" {
			p.Add(field, k)
		}
	}
	if in.Language == "" {
		in.Language = "en"
	}
	if !validLanguage(in.Language) {
		p.Add("language", "err.pd_language")
	}
	switch {
	case in.Title == "":
		p.Add("title", "err.required")
	case utf8.RuneCountInString(in.Title) > maxCaseTitle:
		p.Add("title", "err.too_long")
	}
	if utf8.RuneCountInString(in.Claim) > maxCaseClaim {
		p.Add("claim", "err.too_long")
	}
	for field, s := range map[string]string{"summary": in.Summary, "disproof": in.Disproof} {
		if utf8.RuneCountInString(s) > maxCaseText {
			p.Add(field, "err.too_long")
		}
	}
	if in.Verdict != "" && !slices.Contains(Verdicts, in.Verdict) {
		p.Add("verdict", "err.pd_case_verdict")
	}
	if in.FirstSeen != "" {
		if t, ok := caseDate(in.FirstSeen); !ok {
			p.Add("first_seen", "err.date")
		} else if t.After(now) {
			p.Add("first_seen", "err.pd_case_future")
		}
	}
	if utf8.RuneCountInString(in.ClaimAuthor) > maxCaseName {
		p.Add("claim_author", "err.too_long")
	}
	switch {
	case in.ClaimAuthor == "":
		in.ClaimAuthorType = ""
	case in.ClaimAuthorType == "":
		in.ClaimAuthorType = "organization"
	case !slices.Contains(ClaimAuthorTypes, in.ClaimAuthorType):
		p.Add("claim_author_type", "err.pd_case_vocab")
	}
	in.normalizeTranslation(p)
	in.normalizeAppearances(now, p)
	in.Outlets = cleanList(in.Outlets, false, p, "outlets", func(s string) bool { return utf8.RuneCountInString(s) <= maxCaseName })
	for _, a := range in.Appearances {
		in.Outlets = appendFold(in.Outlets, a.Outlet)
	}
	in.Languages = cleanList(in.Languages, false, p, "languages", func(s string) bool { return LanguageCode(strings.ToLower(s)) })
	for i := range in.Languages {
		in.Languages[i] = strings.ToLower(in.Languages[i])
	}
	for _, a := range in.Appearances {
		if a.Language != "" {
			in.Languages = appendFold(in.Languages, a.Language)
		}
	}
	in.Countries = cleanList(in.Countries, true, p, "countries", names.ValidCountry)
	in.Keywords = cleanList(in.Keywords, false, p, "keywords", func(s string) bool { return utf8.RuneCountInString(s) <= maxCaseKeyword })
	for _, l := range [][]string{in.Outlets, in.Languages, in.Countries, in.Keywords} {
		if len(l) > maxCaseList {
			p.Add("lists", "err.pd_case_too_many")
		}
	}
	return p
}

// normalizeAppearances checks each appearance; a problem names the
// appearance by its number, counted from 1 as the form shows them.
// Rows left wholly empty (the form's spare row) are dropped.
func (in *CaseInput) normalizeAppearances(now time.Time, p core.Problems) {
	var kept []Appearance
	for _, a := range in.Appearances {
		a.URL, a.Outlet, a.Archive = strings.TrimSpace(a.URL), strings.TrimSpace(a.Outlet), strings.TrimSpace(a.Archive)
		a.Language, a.Date = strings.ToLower(strings.TrimSpace(a.Language)), strings.TrimSpace(a.Date)
		if a == (Appearance{}) {
			continue
		}
		kept = append(kept, a)
	}
	in.Appearances = kept
	if len(kept) > maxAppearances {
		p.Add("appearances", "err.pd_case_too_many")
		return
	}
	for i, a := range kept {
		n := strconv.Itoa(i + 1)
		for _, s := range []string{a.URL, a.Outlet, a.Language, a.Date, a.Archive} {
			if k := core.CheckText(s); k != "" {
				p.Add("appearances", k)
			}
		}
		switch {
		case a.URL == "":
			p.AddEntry("appearances", "err.pd_case_appearance_url", n)
		case !WebURL(a.URL):
			p.AddEntry("appearances", "err.pd_case_appearance_url", n)
		case a.Outlet == "":
			p.AddEntry("appearances", "err.pd_case_appearance_outlet", n)
		case utf8.RuneCountInString(a.Outlet) > maxCaseName:
			p.AddEntry("appearances", "err.pd_case_appearance_outlet", n)
		case a.Language != "" && !LanguageCode(a.Language):
			p.AddEntry("appearances", "err.pd_case_appearance_language", n)
		case a.Archive != "" && !WebURL(a.Archive):
			p.AddEntry("appearances", "err.pd_case_appearance_archive", n)
		case a.Date != "":
			if t, ok := caseDate(a.Date); !ok || t.After(now) {
				p.AddEntry("appearances", "err.pd_case_appearance_date", n)
			}
		}
	}
}

// complete adds the problems that keep a case from review or publication:
// the public page and ClaimReview need a claim, its summary, the disproof,
// a verdict, when it was first seen, where it appeared, and which
// countries it targets.
func (c Case) complete() core.Problems {
	p := core.Problems{}
	for field, empty := range map[string]bool{"claim": c.Claim == "", "summary": c.Summary == "", "disproof": c.Disproof == "", "verdict": c.Verdict == "",
		"first_seen": c.FirstSeen == nil, "appearances": len(c.Appearances) == 0, "countries": len(c.Countries) == 0} {
		if empty {
			p.Add(field, "err.required")
		}
	}
	return p
}

// cleanList trims a list, drops empty and repeated items (ignoring case),
// puts codes in capitals when upper, and refuses items ok refuses.
func cleanList(l []string, upper bool, p core.Problems, field string, ok func(string) bool) []string {
	out := []string{}
	for _, s := range l {
		s = strings.TrimSpace(s)
		if upper {
			s = strings.ToUpper(s)
		}
		if s == "" {
			continue
		}
		if k := core.CheckText(s); k != "" {
			p.Add(field, k)
			continue
		}
		if !ok(s) {
			p.AddEntry(field, "err.pd_case_item", caseTrunc(s, 40))
			continue
		}
		out = appendFold(out, s)
	}
	return out
}

// appendFold appends s unless the list holds it in another case.
func appendFold(l []string, s string) []string {
	for _, x := range l {
		if strings.EqualFold(x, s) {
			return l
		}
	}
	return append(l, s)
}

// SplitList reads a list typed into one field: items separated by commas,
// semicolons or new lines.
func SplitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ';' || r == '\n' || r == '\r' })
}

func caseTrunc(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

// searchText is what the word search looks in, lowered once here so that
// both engines compare the same bytes.
func (in CaseInput) searchText() string {
	parts := []string{in.Title, in.Claim, in.Summary, in.Disproof, in.ClaimAuthor}
	if t := in.Translation; t != nil {
		parts = append(parts, t.Title, t.Claim, t.Summary, t.Disproof)
	}
	parts = append(parts, in.Keywords...)
	parts = append(parts, in.Outlets...)
	return strings.ToLower(strings.Join(parts, "\n"))
}
