package capacity

import (
	"slices"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/names"
)

// Priority is how urgent a need is to the state that posts it.
type Priority string

// The priorities of a need.
const (
	High   Priority = "high"
	Medium Priority = "medium"
	Low    Priority = "low"
)

// Priorities lists every priority, highest first.
var Priorities = []Priority{High, Medium, Low}

// Need is what a state's organisation asks for: a theme's topics in one
// country, in some languages, over a time frame.
type Need struct {
	ID          string    `json:"id"`
	OrgID       string    `json:"-"`
	Owner       string    `json:"owner"` // handle@host
	Title       string    `json:"title"`
	Description string    `json:"description"`
	Themes      []string  `json:"themes"`
	Topics      []string  `json:"topics"`
	Country     string    `json:"country"`
	Priority    Priority  `json:"priority"`
	Languages   []string  `json:"languages"`
	From        string    `json:"from"` // ISO dates; either may be open
	To          string    `json:"to"`
	Status      string    `json:"status"` // open, matched, closed
	Visibility  string    `json:"visibility"`
	SharedWith  []string  `json:"shared_with"`
	ProjectID   string    `json:"project_id,omitempty"` // the project it became
	Origin      string    `json:"origin,omitempty"`     // the node it lives on, when not this one
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Offer is what a donor or implementer can give: themes and topics, in
// regions or countries, in languages, over a time frame, within a budget
// range. An offer naming no region and no country is open to any.
type Offer struct {
	ID          string    `json:"id"`
	OrgID       string    `json:"-"`
	Owner       string    `json:"owner"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	Themes      []string  `json:"themes"`
	Topics      []string  `json:"topics"`
	Regions     []string  `json:"regions"`
	Countries   []string  `json:"countries"`
	Languages   []string  `json:"languages"`
	From        string    `json:"from"`
	To          string    `json:"to"`
	BudgetMin   int64     `json:"budget_min"`
	BudgetMax   int64     `json:"budget_max"`
	Currency    string    `json:"currency"`
	Visibility  string    `json:"visibility"`
	SharedWith  []string  `json:"shared_with"`
	Origin      string    `json:"origin,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// The states of a need.
const (
	NeedOpen    = "open"
	NeedMatched = "matched"
	NeedClosed  = "closed"
)

// themesTopics checks topics and themes, adding each topic's theme.
func themesTopics(pr core.Problems, themes, topics *[]string) {
	for _, t := range *topics {
		th, ok := Themes.TopicTheme(t)
		if !ok {
			pr.AddEntry("topics", "err.cap_topic", t)
			continue
		}
		if !slices.Contains(*themes, th) {
			*themes = append(*themes, th)
		}
	}
	if len(*themes) == 0 {
		pr.Add("themes", "err.required")
	}
	for _, t := range *themes {
		if _, ok := Themes.Theme(t); !ok {
			pr.AddEntry("themes", "err.cap_theme", t)
		}
	}
}

func languages(pr core.Problems, l []string) {
	for _, code := range l {
		if len(code) < 2 || len(code) > 3 || strings.Trim(code, "abcdefghijklmnopqrstuvwxyz") != "" || names.Language(code, "en") == code {
			pr.AddEntry("languages", "err.cap_language", code)
		}
	}
}

func frame(pr core.Problems, from, to string) {
	f, okF := date(pr, "from", from)
	t, okT := date(pr, "to", to)
	if okF && okT && !f.IsZero() && !t.IsZero() && t.Before(f) {
		pr.Add("to", "err.cap_end_before_start")
	}
}

func visibility(pr core.Problems, vis *string, shared *[]string) {
	switch *vis {
	case "":
		*vis = Public
		*shared = []string{}
	case Public:
		*shared = []string{}
	case Shared:
		for _, a := range *shared {
			if !validAddr(a) {
				pr.AddEntry("shared_with", "err.cap_address", a)
			}
		}
	default:
		pr.Add("visibility", "err.choice")
	}
}

// Validate normalises the need and returns its problems by field.
func (n *Need) Validate() core.Problems {
	n.Title, n.Description = strings.TrimSpace(n.Title), strings.TrimSpace(n.Description)
	n.Country = strings.ToUpper(strings.TrimSpace(n.Country))
	n.Themes, n.Topics, n.Languages, n.SharedWith = clean(n.Themes, false), clean(n.Topics, false), lower(n.Languages), clean(n.SharedWith, false)
	n.From, n.To = strings.TrimSpace(n.From), strings.TrimSpace(n.To)
	pr := core.Problems{}
	text(pr, "title", n.Title, maxTitle, true)
	text(pr, "description", n.Description, maxText, false)
	themesTopics(pr, &n.Themes, &n.Topics)
	if !names.ValidCountry(n.Country) {
		pr.Add("country", "err.country")
	}
	if n.Priority == "" {
		n.Priority = Medium
	}
	if !slices.Contains(Priorities, n.Priority) {
		pr.Add("priority", "err.choice")
	}
	languages(pr, n.Languages)
	frame(pr, n.From, n.To)
	visibility(pr, &n.Visibility, &n.SharedWith)
	entries(pr, "shared_with", n.SharedWith)
	if n.Status == "" {
		n.Status = NeedOpen
	}
	return pr
}

// Validate normalises the offer and returns its problems by field.
func (o *Offer) Validate() core.Problems {
	o.Title, o.Description = strings.TrimSpace(o.Title), strings.TrimSpace(o.Description)
	o.Currency = strings.ToUpper(strings.TrimSpace(o.Currency))
	o.Themes, o.Topics, o.Regions, o.Languages, o.SharedWith = clean(o.Themes, false), clean(o.Topics, false), clean(o.Regions, false), lower(o.Languages), clean(o.SharedWith, false)
	o.Countries = clean(o.Countries, true)
	o.From, o.To = strings.TrimSpace(o.From), strings.TrimSpace(o.To)
	pr := core.Problems{}
	text(pr, "title", o.Title, maxTitle, true)
	text(pr, "description", o.Description, maxText, false)
	themesTopics(pr, &o.Themes, &o.Topics)
	for _, c := range o.Countries {
		if !names.ValidCountry(c) {
			pr.AddEntry("countries", "err.cap_country", c)
		}
	}
	for _, r := range o.Regions {
		if _, ok := Themes.Region(r); !ok {
			pr.AddEntry("regions", "err.cap_region", r)
		}
	}
	languages(pr, o.Languages)
	frame(pr, o.From, o.To)
	if o.BudgetMin < 0 || o.BudgetMax < 0 || (o.BudgetMax > 0 && o.BudgetMax < o.BudgetMin) {
		pr.Add("budget_max", "err.cap_budget_range")
	}
	if o.BudgetMin > 0 || o.BudgetMax > 0 || o.Currency != "" {
		currencyCheck(pr, o.Currency)
	}
	visibility(pr, &o.Visibility, &o.SharedWith)
	entries(pr, "shared_with", o.SharedWith)
	return pr
}

func lower(in []string) []string {
	out := clean(in, false)
	for i := range out {
		out[i] = strings.ToLower(out[i])
	}
	return clean(out, false)
}
