package auth

import (
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"entente.example/entente/core"
)

// User is an account.
type User struct {
	ID           string     `db:"id" json:"id"`
	Email        string     `db:"email" json:"email"`
	Name         string     `db:"name" json:"name"`
	Title        string     `db:"title" json:"title"`
	PasswordHash string     `db:"password_hash" json:"-"`
	TOTPSecret   string     `db:"totp_secret" json:"-"`
	TOTPPending  string     `db:"totp_pending" json:"-"`
	TOTPEnabled  bool       `db:"totp_enabled" json:"two_factor"`
	TOTPLastStep int64      `db:"totp_last_step" json:"-"`
	NodeAdmin    bool       `db:"node_admin" json:"node_admin"`
	Lang         string     `db:"lang" json:"lang"`
	Disabled     bool       `db:"disabled" json:"disabled"`
	CreatedAt    time.Time  `db:"created_at" json:"created_at"`
	ActivatedAt  *time.Time `db:"activated_at" json:"activated_at"`
}

const userColumns = `id, email, name, title, password_hash, totp_secret, totp_pending, totp_enabled, totp_last_step, node_admin, lang, disabled, created_at, activated_at`

// NewUser is what it takes to create an account.
type NewUser struct {
	Email     string
	Name      string
	Title     string
	NodeAdmin bool
	Lang      string
}

// normalizeEmail lower-cases and trims an address so that one person cannot hold
// two accounts that differ only in case.
func normalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Validate checks the fields and normalises them.
func (n *NewUser) Validate() core.Problems {
	p := core.Problems{}
	n.Email = normalizeEmail(n.Email)
	n.Name = strings.TrimSpace(n.Name)
	n.Title = strings.TrimSpace(n.Title)
	validateEmail(p, "email", n.Email)
	switch {
	case n.Name == "":
		p.Add("name", "err.required")
	case utf8.RuneCountInString(n.Name) > 120:
		p.Add("name", "err.too_long")
	}
	if utf8.RuneCountInString(n.Title) > 120 {
		p.Add("title", "err.too_long")
	}
	if n.Lang != "" && n.Lang != "en" && n.Lang != "id" {
		p.Add("lang", "err.lang")
	}
	return p
}

func validateEmail(p core.Problems, field, email string) {
	if email == "" {
		p.Add(field, "err.required")
		return
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || len(email) > 254 {
		p.Add(field, "err.email")
	}
}

// validatePassword enforces length only (NIST SP 800-63B): at least 12
// characters, at most 256, and not the e-mail address itself.
func validatePassword(p core.Problems, field, pw, email string) {
	n := utf8.RuneCountInString(pw)
	switch {
	case pw == "":
		p.Add(field, "err.required")
	case n < 12:
		p.Add(field, "err.password_short")
	case n > 256:
		p.Add(field, "err.too_long")
	case strings.EqualFold(pw, email):
		p.Add(field, "err.password_email")
	}
}
