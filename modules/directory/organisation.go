package directory

import (
	"net/url"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"entente.example/entente/core"
	"entente.example/entente/internal/names"
)

// Organisation is an organisation on this node.
type Organisation struct {
	ID          string       `db:"id" json:"id"`
	Handle      string       `db:"handle" json:"handle"`
	Kind        core.OrgKind `db:"kind" json:"kind"`
	Country     string       `db:"country" json:"country,omitempty"`
	NameEN      string       `db:"name_en" json:"name_en"`
	NameID      string       `db:"name_id" json:"name_id"`
	Acronym     string       `db:"acronym" json:"acronym,omitempty"`
	Website     string       `db:"website" json:"website,omitempty"`
	Description string       `db:"description" json:"description,omitempty"`
	CreatedAt   time.Time    `db:"created_at" json:"created_at"`
	UpdatedAt   time.Time    `db:"updated_at" json:"updated_at"`
}

const orgColumns = `id, handle, kind, country, name_en, name_id, acronym, website, description, created_at, updated_at`

// Name returns the organisation's name in lang, falling back to English.
func (o Organisation) Name(lang string) string {
	if lang == "id" && o.NameID != "" {
		return o.NameID
	}
	return o.NameEN
}

// CountryName returns the country's name in lang.
func (o Organisation) CountryName(lang string) string { return CountryName(o.Country, lang) }

// CountryName names an ISO 3166-1 alpha-2 code in lang ("en" or "id").
func CountryName(code, lang string) string { return names.Country(code, lang) }

// ValidCountry reports whether code is an ISO 3166-1 alpha-2 country code.
func ValidCountry(code string) bool { return names.ValidCountry(code) }

// OrgInput is what a person submits to create or change an organisation.
type OrgInput struct {
	Handle      string       `json:"handle"`
	Kind        core.OrgKind `json:"kind"`
	Country     string       `json:"country"`
	NameEN      string       `json:"name_en"`
	NameID      string       `json:"name_id"`
	Acronym     string       `json:"acronym"`
	Website     string       `json:"website"`
	Description string       `json:"description"`
}

var handleRE = regexp.MustCompile(`^[a-z][a-z0-9-]{1,31}$`)

// ValidHandle reports whether h is a well-formed handle.
func ValidHandle(h string) bool { return handleRE.MatchString(h) && !strings.HasSuffix(h, "-") }

// Normalize trims every field and upper-cases the country.
func (in *OrgInput) Normalize() {
	in.Handle = strings.ToLower(strings.TrimSpace(in.Handle))
	in.Country = strings.ToUpper(strings.TrimSpace(in.Country))
	in.NameEN = strings.TrimSpace(in.NameEN)
	in.NameID = strings.TrimSpace(in.NameID)
	in.Acronym = strings.TrimSpace(in.Acronym)
	in.Website = strings.TrimSpace(in.Website)
	in.Description = strings.TrimSpace(in.Description)
}

// Validate returns one problem per wrong field.
func (in OrgInput) Validate() core.Problems {
	p := core.Problems{}
	switch {
	case in.Handle == "":
		p.Add("handle", "err.required")
	case !ValidHandle(in.Handle):
		p.Add("handle", "err.handle")
	}
	switch {
	case in.Kind == "":
		p.Add("kind", "err.required")
	case !in.Kind.Valid():
		p.Add("kind", "err.choice")
	}
	switch {
	case in.Kind.State() && in.Country == "":
		p.Add("country", "err.country_required")
	case in.Country != "" && !ValidCountry(in.Country):
		p.Add("country", "err.country")
	}
	for field, v := range map[string]string{"name_en": in.NameEN, "name_id": in.NameID} {
		if utf8.RuneCountInString(v) > 200 {
			p.Add(field, "err.too_long")
		}
	}
	if in.NameEN == "" {
		p.Add("name_en", "err.required")
	}
	if utf8.RuneCountInString(in.Acronym) > 20 {
		p.Add("acronym", "err.too_long")
	}
	if in.Website != "" {
		u, err := url.Parse(in.Website)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(in.Website) > 300 {
			p.Add("website", "err.url")
		}
	}
	if utf8.RuneCountInString(in.Description) > 4000 {
		p.Add("description", "err.too_long")
	}
	return p
}

// Member is a person's membership seen from an organisation.
type Member struct {
	UserID      string     `db:"user_id" json:"person_id"`
	Name        string     `db:"name" json:"name"`
	Email       string     `db:"email" json:"email"`
	Title       string     `db:"title" json:"title"`
	Role        core.Role  `db:"role" json:"role"`
	ActivatedAt *time.Time `db:"activated_at" json:"activated_at"`
	Disabled    bool       `db:"disabled" json:"disabled"`
}

// OrgFilter narrows a listing of organisations.
type OrgFilter struct {
	Q       string
	Kind    core.OrgKind
	Country string
}
