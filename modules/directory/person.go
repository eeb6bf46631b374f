package directory

import (
	"strings"
	"time"

	"entente.example/entente/core"
)

// Person is a person in the directory with their roles.
type Person struct {
	ID          string       `db:"id" json:"id"`
	Name        string       `db:"name" json:"name"`
	Email       string       `db:"email" json:"email"`
	Title       string       `db:"title" json:"title"`
	ActivatedAt *time.Time   `db:"activated_at" json:"activated_at"`
	Disabled    bool         `db:"disabled" json:"disabled"`
	Roles       []PersonRole `db:"-" json:"memberships"`
}

// PersonRole is one of a person's memberships, seen from the person.
type PersonRole struct {
	UserID string       `db:"user_id" json:"-"`
	OrgID  string       `db:"org_id" json:"org_id"`
	Handle string       `db:"handle" json:"org_handle"`
	NameEN string       `db:"name_en" json:"org_name_en"`
	NameID string       `db:"name_id" json:"org_name_id"`
	Kind   core.OrgKind `db:"kind" json:"org_kind"`
	Role   core.Role    `db:"role" json:"role"`
}

// OrgName returns the organisation's name in lang.
func (r PersonRole) OrgName(lang string) string {
	if lang == "id" && r.NameID != "" {
		return r.NameID
	}
	return r.NameEN
}

// PersonInput creates a person in an organisation.
type PersonInput struct {
	Name      string    `json:"name"`
	Email     string    `json:"email"`
	Title     string    `json:"title"`
	OrgHandle string    `json:"org_handle"`
	Role      core.Role `json:"role"`
	Lang      string    `json:"lang"`
}

// Validate checks the membership part; the account part is auth's.
func (in *PersonInput) Validate() core.Problems {
	p := core.Problems{}
	in.OrgHandle = strings.ToLower(strings.TrimSpace(in.OrgHandle))
	if in.OrgHandle == "" {
		p.Add("org_handle", "err.required")
	}
	switch {
	case in.Role == "":
		p.Add("role", "err.required")
	case !in.Role.Valid():
		p.Add("role", "err.choice")
	}
	return p
}

// PersonFilter narrows a listing of people.
type PersonFilter struct {
	Q         string
	OrgHandle string
	Role      core.Role
}
