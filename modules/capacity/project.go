package capacity

import (
	"encoding/json"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/currency"

	"entente.example/entente/core"
	"entente.example/entente/internal/names"
)

// Status is where a project stands.
type Status string

// The statuses of a project.
const (
	Planned   Status = "planned"
	Ongoing   Status = "ongoing"
	Completed Status = "completed"
	Cancelled Status = "cancelled"
)

// Statuses lists every status in the order forms offer them.
var Statuses = []Status{Planned, Ongoing, Completed, Cancelled}

// Visibility says who sees a project: anyone, or the owner and the
// organisations it is shared with.
const (
	Public = "public"
	Shared = "shared"
)

// Project is a capacity-building project, owned by an organisation on this
// node. Funders and implementers are names or addresses (handle@host) of
// organisations here or on peers; dates are ISO dates (YYYY-MM-DD).
type Project struct {
	ID           string    `json:"id"`
	OrgID        string    `json:"-"`
	Owner        string    `json:"owner"` // handle@host
	Title        string    `json:"title"`
	Summary      string    `json:"summary"`
	Themes       []string  `json:"themes"`
	Topics       []string  `json:"topics"`
	Funders      []string  `json:"funders"`
	Implementers []string  `json:"implementers"`
	Countries    []string  `json:"countries"`
	Regions      []string  `json:"regions"`
	Budget       int64     `json:"budget"`
	Currency     string    `json:"currency"`
	Start        string    `json:"start"`
	End          string    `json:"end"`
	Status       Status    `json:"status"`
	Outputs      []string  `json:"outputs"`
	Contact      string    `json:"contact"`
	Visibility   string    `json:"visibility"`
	SharedWith   []string  `json:"shared_with"`
	Origin       string    `json:"origin,omitempty"` // the node it lives on, when not this one
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Limits on what a project holds.
const (
	maxTitle   = 300
	maxText    = 10000
	maxEntries = 50
)

// Normalize trims entries, upper-cases codes and drops empty entries and
// repeats, so that what is stored is what is compared.
func (p *Project) Normalize() {
	p.Title, p.Summary, p.Contact = strings.TrimSpace(p.Title), strings.TrimSpace(p.Summary), strings.TrimSpace(p.Contact)
	p.Currency = strings.ToUpper(strings.TrimSpace(p.Currency))
	p.Start, p.End = strings.TrimSpace(p.Start), strings.TrimSpace(p.End)
	p.Themes, p.Topics, p.Regions = clean(p.Themes, false), clean(p.Topics, false), clean(p.Regions, false)
	p.Countries = clean(p.Countries, true)
	p.Funders, p.Implementers, p.Outputs, p.SharedWith = clean(p.Funders, false), clean(p.Implementers, false), clean(p.Outputs, false), clean(p.SharedWith, false)
	if p.Visibility == "" {
		p.Visibility = Public
	}
}

func clean(in []string, upper bool) []string {
	out := []string{}
	for _, s := range in {
		s = strings.TrimSpace(s)
		if upper {
			s = strings.ToUpper(s)
		}
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// Validate returns the problems with the project's fields, by field name.
// A topic implies its theme, which is added when missing.
func (p *Project) Validate() core.Problems {
	p.Normalize()
	pr := core.Problems{}
	text(pr, "title", p.Title, maxTitle, true)
	text(pr, "summary", p.Summary, maxText, false)
	text(pr, "contact", p.Contact, maxTitle, false)
	for _, t := range p.Topics {
		th, ok := Themes.TopicTheme(t)
		if !ok {
			pr.AddEntry("topics", "err.cap_topic", t)
			continue
		}
		if !slices.Contains(p.Themes, th) {
			p.Themes = append(p.Themes, th)
		}
	}
	if len(p.Themes) == 0 {
		pr.Add("themes", "err.required")
	}
	for _, t := range p.Themes {
		if _, ok := Themes.Theme(t); !ok {
			pr.AddEntry("themes", "err.cap_theme", t)
		}
	}
	for _, c := range p.Countries {
		if !names.ValidCountry(c) {
			pr.AddEntry("countries", "err.cap_country", c)
		}
	}
	for _, r := range p.Regions {
		if _, ok := Themes.Region(r); !ok {
			pr.AddEntry("regions", "err.cap_region", r)
		}
	}
	entries(pr, "funders", p.Funders)
	entries(pr, "implementers", p.Implementers)
	entries(pr, "outputs", p.Outputs)
	entries(pr, "shared_with", p.SharedWith)
	if len(p.Countries) > maxEntries || len(p.Themes) > maxEntries || len(p.Topics) > maxEntries {
		pr.Add("countries", "err.too_many")
	}
	if p.Budget < 0 {
		pr.Add("budget", "err.number")
	}
	if p.Currency != "" || p.Budget > 0 {
		currencyCheck(pr, p.Currency)
	}
	start, okS := date(pr, "start", p.Start)
	end, okE := date(pr, "end", p.End)
	if okS && okE && !start.IsZero() && !end.IsZero() && end.Before(start) {
		pr.Add("end", "err.cap_end_before_start")
	}
	if !slices.Contains(Statuses, p.Status) {
		pr.Add("status", "err.choice")
	}
	switch p.Visibility {
	case Public:
		p.SharedWith = []string{}
	case Shared:
		for _, a := range p.SharedWith {
			if !validAddr(a) {
				pr.AddEntry("shared_with", "err.cap_address", a)
			}
		}
	default:
		pr.Add("visibility", "err.choice")
	}
	return pr
}

func text(pr core.Problems, field, s string, max int, required bool) {
	switch {
	case required && s == "":
		pr.Add(field, "err.required")
	case len(s) > max:
		pr.Add(field, "err.too_long")
	case core.CheckText(s) != "":
		pr.Add(field, core.CheckText(s))
	}
}

func entries(pr core.Problems, field string, list []string) {
	if len(list) > maxEntries {
		pr.Add(field, "err.too_many")
	}
	for _, s := range list {
		text(pr, field, s, maxTitle, false)
	}
}

// currencyCheck wants an ISO 4217 code.
func currencyCheck(pr core.Problems, c string) {
	if _, err := currency.ParseISO(c); err != nil || len(c) != 3 {
		pr.Add("currency", "err.cap_currency")
	}
}

// date parses an optional ISO date.
func date(pr core.Problems, field, s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, true
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		pr.Add(field, "err.date")
		return t, false
	}
	return t, true
}

// validAddr says whether s looks like handle@host.
func validAddr(s string) bool {
	h, host, ok := strings.Cut(s, "@")
	return ok && h != "" && host != "" && !strings.ContainsAny(s, " \t/") && strings.Count(s, "@") == 1
}

// row is a project as its table holds it: lists are JSON text.
type row struct {
	ID           string    `db:"id"`
	OrgID        string    `db:"org_id"`
	Owner        string    `db:"owner"`
	Title        string    `db:"title"`
	Summary      string    `db:"summary"`
	Themes       string    `db:"themes"`
	Topics       string    `db:"topics"`
	Funders      string    `db:"funders"`
	Implementers string    `db:"implementers"`
	Countries    string    `db:"countries"`
	Regions      string    `db:"regions"`
	Budget       int64     `db:"budget"`
	Currency     string    `db:"currency"`
	Start        string    `db:"start_on"`
	End          string    `db:"end_on"`
	Status       string    `db:"status"`
	Outputs      string    `db:"outputs"`
	Contact      string    `db:"contact"`
	Visibility   string    `db:"visibility"`
	SharedWith   string    `db:"shared_with"`
	Origin       string    `db:"origin"`
	Rev          int64     `db:"rev"`
	CreatedAt    time.Time `db:"created_at"`
	UpdatedAt    time.Time `db:"updated_at"`
}

func (r row) project() (Project, error) {
	p := Project{ID: r.ID, OrgID: r.OrgID, Owner: r.Owner, Title: r.Title, Summary: r.Summary, Budget: r.Budget, Currency: r.Currency,
		Start: r.Start, End: r.End, Status: Status(r.Status), Contact: r.Contact, Visibility: r.Visibility, Origin: r.Origin, CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
	for _, f := range []struct {
		s   string
		dst *[]string
	}{{r.Themes, &p.Themes}, {r.Topics, &p.Topics}, {r.Funders, &p.Funders}, {r.Implementers, &p.Implementers},
		{r.Countries, &p.Countries}, {r.Regions, &p.Regions}, {r.Outputs, &p.Outputs}, {r.SharedWith, &p.SharedWith}} {
		if err := json.Unmarshal([]byte(f.s), f.dst); err != nil {
			return p, core.Wrap("capacity: decode project "+r.ID, err)
		}
	}
	return p, nil
}

func list(l []string) string {
	if l == nil {
		l = []string{}
	}
	b, _ := json.Marshal(l)
	return string(b)
}
