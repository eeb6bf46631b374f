package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"embed"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/store"
)

//go:embed schema/*.sql
var schemaFS embed.FS

// Migrations returns the accounts schema.
func Migrations() store.Migrations { return store.Embedded("auth", schemaFS) }

// RoleLoader returns a person's memberships. The directory module implements it;
// auth declares it so that internal never imports a module.
type RoleLoader interface {
	Memberships(ctx context.Context, userID string) ([]core.Membership, error)
}

// Service is the accounts use cases.
type Service struct {
	db     *store.DB
	roles  RoleLoader
	hashes *hashGate
	// IdleTimeout and MaxAge bound a session's life.
	IdleTimeout time.Duration
	MaxAge      time.Duration
}

// UseRoles sets where memberships come from. The directory module needs the
// accounts service to create people, and the accounts service needs the
// directory to know their roles, so main wires this after both exist.
func (s *Service) UseRoles(r RoleLoader) { s.roles = r }

// NewService returns the accounts service. roles may be nil (no memberships).
func NewService(db *store.DB, roles RoleLoader, idle, max time.Duration) *Service {
	return &Service{db: db, roles: roles, hashes: newHashGate(0), IdleTimeout: idle, MaxAge: max}
}

// Throttle limits: failures per e-mail and per address within the window.
const (
	throttleWindow   = 15 * time.Minute
	maxFailsPerEmail = 5
	maxFailsPerIP    = 50
	inviteTTL        = 7 * 24 * time.Hour
	setupTTL         = 24 * time.Hour
	mfaPendingTTL    = 5 * time.Minute
	lastSeenEvery    = time.Minute
)

// Purposes of one-time links.
const (
	PurposeSetup  = "setup"
	PurposeInvite = "invite"
)

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// newSecret returns a random URL-safe token with 160 bits of entropy.
func newSecret(prefix string) string {
	b := make([]byte, 20)
	rand.Read(b)
	return prefix + strings.ToLower(b32.EncodeToString(b))
}

func hashSecret(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// UserByID returns an account.
func (s *Service) UserByID(ctx context.Context, id string) (User, error) {
	var u User
	err := s.db.R().Get(ctx, &u, `SELECT `+userColumns+` FROM users WHERE id = ?`, id)
	return u, core.Wrap("auth: user by id", err)
}

// CreateUser creates an account without a password inside tx and returns it
// with a one-time invitation link token that lets the person choose one.
func (s *Service) CreateUser(ctx context.Context, tx *store.Tx, n NewUser) (User, string, error) {
	if err := n.Validate().Err("auth: create user"); err != nil {
		return User{}, "", err
	}
	var count int
	if err := tx.Get(ctx, &count, `SELECT COUNT(*) FROM users WHERE email = ?`, n.Email); err != nil {
		return User{}, "", core.Wrap("auth: create user", err)
	}
	if count > 0 {
		return User{}, "", &core.Error{Kind: core.KindConflict, Op: "auth: create user", Message: "err.form", Fields: core.Problems{"email": "err.email_taken"}}
	}
	u := User{ID: core.NewID(tx.Now), Email: n.Email, Name: n.Name, Title: n.Title, NodeAdmin: n.NodeAdmin, Lang: n.Lang, CreatedAt: tx.Now}
	if _, err := tx.Exec(ctx, `INSERT INTO users (id, email, name, title, node_admin, lang, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		u.ID, u.Email, u.Name, u.Title, u.NodeAdmin, u.Lang, u.CreatedAt); err != nil {
		return User{}, "", core.Wrap("auth: create user", err)
	}
	tok, err := s.issueLink(ctx, tx, PurposeInvite, u.ID, inviteTTL)
	if err != nil {
		return User{}, "", err
	}
	if err := audit.Record(ctx, tx, "auth.user.create", "user", u.ID, "", u.Email); err != nil {
		return User{}, "", err
	}
	return u, tok, nil
}

// SetPasswordDirect sets a password without a link, for the command line and the
// demo world, which run with the operator's authority.
func (s *Service) SetPasswordDirect(ctx context.Context, tx *store.Tx, userID, pw string) error {
	var u User
	if err := tx.Get(ctx, &u, `SELECT `+userColumns+` FROM users WHERE id = ?`, userID); err != nil {
		return core.Wrap("auth: set password", err)
	}
	p := core.Problems{}
	validatePassword(p, "password", pw, u.Email)
	if err := p.Err("auth: set password"); err != nil {
		return err
	}
	hash, err := s.hashPassword(ctx, "auth: set password", pw)
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `UPDATE users SET password_hash = ?, activated_at = COALESCE(activated_at, ?) WHERE id = ?`, hash, tx.Now, userID)
	return core.Wrap("auth: set password", err)
}

// ChangePassword replaces the actor's password after checking the current one,
// and ends their other sessions.
func (s *Service) ChangePassword(ctx context.Context, current, next, keepSession string) error {
	a := core.ActorFrom(ctx)
	u, err := s.UserByID(ctx, a.UserID)
	if err != nil {
		return err
	}
	p := core.Problems{}
	ok, err := s.checkPassword(ctx, "auth: change password", u.PasswordHash, current)
	if err != nil {
		return err
	}
	if !ok {
		p.Add("current", "err.password_wrong")
	}
	validatePassword(p, "password", next, u.Email)
	if err := p.Err("auth: change password"); err != nil {
		return err
	}
	hash, err := s.hashPassword(ctx, "auth: change password", next)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, hash, u.ID); err != nil {
			return core.Wrap("auth: change password", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = ? AND id_hash <> ?`, u.ID, hashSecret(keepSession)); err != nil {
			return core.Wrap("auth: change password", err)
		}
		return audit.Record(ctx, tx, "auth.password.change", "user", u.ID, "", "")
	})
}

// SetLang records the language the person chose.
func (s *Service) SetLang(ctx context.Context, lang string) error {
	a := core.ActorFrom(ctx)
	if lang != "en" && lang != "id" {
		return &core.Error{Kind: core.KindInvalid, Op: "auth: set lang", Message: "err.form", Fields: core.Problems{"lang": "err.lang"}}
	}
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE users SET lang = ? WHERE id = ?`, lang, a.UserID); err != nil {
			return core.Wrap("auth: set lang", err)
		}
		return audit.Record(ctx, tx, "auth.lang.set", "user", a.UserID, "", lang)
	})
}

// SetDisabled turns an account off or on; turning it off ends its sessions.
// Only callers that have passed the access check reach here.
func (s *Service) SetDisabled(ctx context.Context, userID string, disabled bool) error {
	if userID == core.ActorFrom(ctx).UserID && disabled {
		return &core.Error{Kind: core.KindConflict, Op: "auth: disable", Message: "err.disable_self"}
	}
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		n, err := tx.Exec(ctx, `UPDATE users SET disabled = ? WHERE id = ?`, disabled, userID)
		if err != nil {
			return core.Wrap("auth: disable", err)
		}
		if n == 0 {
			return &core.Error{Kind: core.KindNotFound, Op: "auth: disable", Message: "err.not_found"}
		}
		if disabled {
			if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
				return core.Wrap("auth: disable", err)
			}
			if _, err := tx.Exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`, tx.Now, userID); err != nil {
				return core.Wrap("auth: disable", err)
			}
		}
		action := "auth.user.enable"
		if disabled {
			action = "auth.user.disable"
		}
		return audit.Record(ctx, tx, action, "user", userID, "", "")
	})
}

// ListUsers returns accounts by name for administrators.
func (s *Service) ListUsers(ctx context.Context, q string, page core.Page) ([]User, string, error) {
	page = page.Normalize(50, 200)
	args := []any{}
	sqlq := `SELECT ` + userColumns + ` FROM users WHERE id > ?`
	args = append(args, page.Cursor)
	if q != "" {
		sqlq += ` AND (LOWER(name) LIKE ? ESCAPE '\' OR email LIKE ? ESCAPE '\')`
		args = append(args, store.Like(q), store.Like(q))
	}
	sqlq += ` ORDER BY id LIMIT ?`
	args = append(args, page.Limit+1)
	var us []User
	if err := s.db.R().Select(ctx, &us, sqlq, args...); err != nil {
		return nil, "", core.Wrap("auth: list users", err)
	}
	next := ""
	if len(us) > page.Limit {
		us = us[:page.Limit]
		next = us[len(us)-1].ID
	}
	return us, next, nil
}

// CleanupExpired deletes sessions, links and throttle rows that can no longer
// matter. It runs as a periodic job.
func (s *Service) CleanupExpired(ctx context.Context) (int64, error) {
	var total int64
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		for _, q := range []struct {
			sql string
			arg time.Time
		}{
			{`DELETE FROM sessions WHERE expires_at <= ?`, tx.Now},
			{`DELETE FROM sessions WHERE last_seen_at <= ?`, tx.Now.Add(-s.IdleTimeout)},
			{`DELETE FROM one_time_links WHERE expires_at <= ?`, tx.Now.Add(-24 * time.Hour)},
			{`DELETE FROM login_throttle WHERE window_start <= ?`, tx.Now.Add(-throttleWindow)},
		} {
			n, err := tx.Exec(ctx, q.sql, q.arg)
			if err != nil {
				return core.Wrap("auth: cleanup", err)
			}
			total += n
		}
		return nil
	})
	return total, err
}

// ErrIsAuth reports whether err means "not signed in".
func ErrIsAuth(err error) bool {
	return errors.Is(err, errNoSession) || core.KindOf(err) == core.KindUnauthenticated
}

// SetNodeAdmin makes a person a node administrator or not. The node always
// keeps at least one active administrator.
func (s *Service) SetNodeAdmin(ctx context.Context, userID string, admin bool) error {
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		if !admin {
			var others int
			if err := tx.Get(ctx, &others, `SELECT COUNT(*) FROM users WHERE node_admin = TRUE AND disabled = FALSE AND id <> ?`, userID); err != nil {
				return core.Wrap("auth: node admin", err)
			}
			if others == 0 {
				return &core.Error{Kind: core.KindConflict, Op: "auth: node admin", Message: "err.last_node_admin"}
			}
		}
		n, err := tx.Exec(ctx, `UPDATE users SET node_admin = ? WHERE id = ? AND disabled = FALSE`, admin, userID)
		if err != nil {
			return core.Wrap("auth: node admin", err)
		}
		if n == 0 {
			return &core.Error{Kind: core.KindNotFound, Op: "auth: node admin", Message: "err.not_found"}
		}
		action := "auth.node_admin.grant"
		if !admin {
			action = "auth.node_admin.revoke"
		}
		return audit.Record(ctx, tx, action, "user", userID, "", "")
	})
}
