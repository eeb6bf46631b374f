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
	db    *store.DB
	roles RoleLoader
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
	return &Service{db: db, roles: roles, IdleTimeout: idle, MaxAge: max}
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

var errBadLogin = &core.Error{Kind: core.KindUnauthenticated, Message: "err.login_failed"}

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
	_, err := tx.Exec(ctx, `UPDATE users SET password_hash = ?, activated_at = COALESCE(activated_at, ?) WHERE id = ?`, HashPassword(pw), tx.Now, userID)
	return core.Wrap("auth: set password", err)
}

func (s *Service) issueLink(ctx context.Context, tx *store.Tx, purpose, userID string, ttl time.Duration) (string, error) {
	tok := newSecret("")
	var uid any
	if userID != "" {
		uid = userID
	}
	_, err := tx.Exec(ctx, `INSERT INTO one_time_links (token_hash, purpose, user_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		hashSecret(tok), purpose, uid, tx.Now, tx.Now.Add(ttl))
	return tok, core.Wrap("auth: issue link", err)
}

// NewInvite issues a fresh invitation link for an account that has not set a
// password yet, for an administrator who lost the first one.
func (s *Service) NewInvite(ctx context.Context, userID string) (string, error) {
	var tok string
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		var activated *time.Time
		if err := tx.Get(ctx, &activated, `SELECT activated_at FROM users WHERE id = ?`, userID); err != nil {
			return core.Wrap("auth: new invite", err)
		}
		if activated != nil {
			// An invitation sets a password: for an active account that
			// would be a takeover.
			return &core.Error{Kind: core.KindConflict, Op: "auth: new invite", Message: "err.already_active"}
		}
		var err error
		tok, err = s.issueLink(ctx, tx, PurposeInvite, userID, inviteTTL)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, "auth.user.invite", "user", userID, "", "")
	})
	return tok, err
}

type link struct {
	Purpose   string     `db:"purpose"`
	UserID    *string    `db:"user_id"`
	ExpiresAt time.Time  `db:"expires_at"`
	UsedAt    *time.Time `db:"used_at"`
}

// useLink consumes a one-time link in tx; a used, expired or unknown link is one
// and the same error.
func useLink(ctx context.Context, tx *store.Tx, tok, purpose string) (link, error) {
	var l link
	err := tx.Get(ctx, &l, `SELECT purpose, user_id, expires_at, used_at FROM one_time_links WHERE token_hash = ?`, hashSecret(tok))
	if err != nil || l.Purpose != purpose || l.UsedAt != nil || !tx.Now.Before(l.ExpiresAt) {
		return link{}, &core.Error{Kind: core.KindNotFound, Op: "auth: use link", Message: "err.link_invalid"}
	}
	// Exactly one request may use a link, even two at once on PostgreSQL.
	n, err := tx.Exec(ctx, `UPDATE one_time_links SET used_at = ? WHERE token_hash = ? AND used_at IS NULL`, tx.Now, hashSecret(tok))
	if err != nil {
		return link{}, core.Wrap("auth: use link", err)
	}
	if n != 1 {
		return link{}, &core.Error{Kind: core.KindNotFound, Op: "auth: use link", Message: "err.link_invalid"}
	}
	return l, nil
}

// CheckLink reports whether a one-time link is still usable, so a page can say
// so before the person fills in a form.
func (s *Service) CheckLink(ctx context.Context, tok, purpose string) error {
	var l link
	err := s.db.R().Get(ctx, &l, `SELECT purpose, user_id, expires_at, used_at FROM one_time_links WHERE token_hash = ?`, hashSecret(tok))
	if err != nil || l.Purpose != purpose || l.UsedAt != nil || !s.db.Clock().Now().Before(l.ExpiresAt) {
		return &core.Error{Kind: core.KindNotFound, Op: "auth: check link", Message: "err.link_invalid"}
	}
	return nil
}

// SetupNeeded reports whether the node has no administrator yet.
func (s *Service) SetupNeeded(ctx context.Context) (bool, error) {
	var n int
	err := s.db.R().Get(ctx, &n, `SELECT COUNT(*) FROM users WHERE node_admin = TRUE AND disabled = FALSE`)
	return n == 0, core.Wrap("auth: setup needed", err)
}

// IssueSetupLink returns a one-time token for creating the first administrator.
// Earlier unused setup links are revoked, so only the latest printed one works.
func (s *Service) IssueSetupLink(ctx context.Context) (string, error) {
	var tok string
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE one_time_links SET used_at = ? WHERE purpose = ? AND used_at IS NULL`, tx.Now, PurposeSetup); err != nil {
			return core.Wrap("auth: setup link", err)
		}
		var err error
		tok, err = s.issueLink(ctx, tx, PurposeSetup, "", setupTTL)
		return err
	})
	return tok, err
}

// Setup creates the first node administrator from a setup link and signs them in.
func (s *Service) Setup(ctx context.Context, tok string, n NewUser, pw string, meta SessionMeta) (User, string, error) {
	n.NodeAdmin = true
	p := n.Validate()
	validatePassword(p, "password", pw, n.Email)
	if err := p.Err("auth: setup"); err != nil {
		return User{}, "", err
	}
	hash := HashPassword(pw)
	var u User
	var sess string
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		if _, err := useLink(ctx, tx, tok, PurposeSetup); err != nil {
			return err
		}
		var admins int
		if err := tx.Get(ctx, &admins, `SELECT COUNT(*) FROM users WHERE node_admin = TRUE AND disabled = FALSE`); err != nil {
			return core.Wrap("auth: setup", err)
		}
		if admins > 0 {
			// Someone became administrator another way since the link was
			// printed; the link is spent.
			return &core.Error{Kind: core.KindNotFound, Op: "auth: setup", Message: "err.link_invalid"}
		}
		var err error
		u, _, err = s.CreateUser(ctx, tx, n)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET password_hash = ?, activated_at = ? WHERE id = ?`, hash, tx.Now, u.ID); err != nil {
			return core.Wrap("auth: setup", err)
		}
		ctx = core.WithActor(ctx, core.Actor{UserID: u.ID, Name: u.Name, NodeAdmin: true})
		if err := audit.Record(ctx, tx, "auth.setup", "user", u.ID, "", ""); err != nil {
			return err
		}
		sess, err = s.newSession(ctx, tx, u.ID, false, meta)
		return err
	})
	return u, sess, err
}

// AcceptInvite sets the password of an invited person from their link and signs
// them in.
func (s *Service) AcceptInvite(ctx context.Context, tok, pw string, meta SessionMeta) (User, string, error) {
	var u User
	var sess string
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		l, err := useLink(ctx, tx, tok, PurposeInvite)
		if err != nil || l.UserID == nil {
			return &core.Error{Kind: core.KindNotFound, Op: "auth: accept invite", Message: "err.link_invalid"}
		}
		if err := tx.Get(ctx, &u, `SELECT `+userColumns+` FROM users WHERE id = ?`, *l.UserID); err != nil {
			return core.Wrap("auth: accept invite", err)
		}
		p := core.Problems{}
		validatePassword(p, "password", pw, u.Email)
		if err := p.Err("auth: accept invite"); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET password_hash = ?, activated_at = COALESCE(activated_at, ?) WHERE id = ?`, HashPassword(pw), tx.Now, u.ID); err != nil {
			return core.Wrap("auth: accept invite", err)
		}
		ctx = core.WithActor(ctx, core.Actor{UserID: u.ID, Name: u.Name})
		if err := audit.Record(ctx, tx, "auth.invite.accept", "user", u.ID, "", ""); err != nil {
			return err
		}
		sess, err = s.newSession(ctx, tx, u.ID, false, meta)
		return err
	})
	return u, sess, err
}

// SessionMeta is what a new session remembers about where it came from.
type SessionMeta struct {
	IP        string
	UserAgent string
}

func (s *Service) newSession(ctx context.Context, tx *store.Tx, userID string, mfaPending bool, meta SessionMeta) (string, error) {
	tok := newSecret("")
	exp := tx.Now.Add(s.MaxAge)
	if mfaPending {
		exp = tx.Now.Add(mfaPendingTTL)
	}
	ua := meta.UserAgent
	if len(ua) > 200 {
		ua = ua[:200]
	}
	_, err := tx.Exec(ctx, `INSERT INTO sessions (id_hash, user_id, mfa_pending, created_at, last_seen_at, expires_at, ip, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		hashSecret(tok), userID, mfaPending, tx.Now, tx.Now, exp, meta.IP, ua)
	return tok, core.Wrap("auth: new session", err)
}

// LoginResult says what happened at the password step.
type LoginResult struct {
	Session    string // the cookie value
	MFAPending bool   // the session only allows the second factor
	User       User
}

func throttleKeys(email, ip string) (string, string) {
	return "email:" + normalizeEmail(email), "ip:" + ip
}

// Login checks an e-mail and password. Whatever fails — no such account, wrong
// password, disabled account, too many attempts — the caller learns only that
// the login failed, so the answer never tells whether an account exists.
func (s *Service) Login(ctx context.Context, email, pw string, meta SessionMeta) (LoginResult, error) {
	email = normalizeEmail(email)
	ek, ik := throttleKeys(email, meta.IP)
	now := s.db.Clock().Now()
	if locked, err := s.throttled(ctx, now, ek, ik); err != nil {
		return LoginResult{}, err
	} else if locked {
		CheckPassword(dummyHash, pw) // same cost as a real attempt
		return LoginResult{}, &core.Error{Kind: core.KindRateLimited, Op: "auth: login", Message: "err.login_throttled"}
	}
	var u User
	err := s.db.R().Get(ctx, &u, `SELECT `+userColumns+` FROM users WHERE email = ?`, email)
	found := err == nil
	if err != nil && core.KindOf(err) != core.KindNotFound {
		return LoginResult{}, core.Wrap("auth: login", err)
	}
	hash := dummyHash
	if found && u.PasswordHash != "" {
		hash = u.PasswordHash
	}
	ok, _ := CheckPassword(hash, pw)
	ok = ok && found && u.PasswordHash != "" && !u.Disabled
	var res LoginResult
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		if !ok {
			for _, k := range []string{ek, ik} {
				if err := recordFailure(ctx, tx, k); err != nil {
					return err
				}
			}
			actx := ctx
			if found {
				actx = core.WithActor(ctx, core.Actor{UserID: u.ID, Name: u.Name})
			}
			return audit.Record(actx, tx, "auth.login.fail", "user", u.ID, "", "")
		}
		// The count is cleared only when sign-in is complete: with two-factor
		// on, a right password must not reset the guesses of the code.
		if !u.TOTPEnabled {
			if _, err := tx.Exec(ctx, `DELETE FROM login_throttle WHERE key = ?`, ek); err != nil {
				return core.Wrap("auth: login", err)
			}
		}
		var err error
		res.Session, err = s.newSession(ctx, tx, u.ID, u.TOTPEnabled, meta)
		if err != nil {
			return err
		}
		res.MFAPending = u.TOTPEnabled
		res.User = u
		actx := core.WithActor(ctx, core.Actor{UserID: u.ID, Name: u.Name})
		action := "auth.login"
		if u.TOTPEnabled {
			action = "auth.login.password_ok"
		}
		return audit.Record(actx, tx, action, "user", u.ID, "", "")
	})
	if err != nil {
		return LoginResult{}, err
	}
	if !ok {
		return LoginResult{}, errBadLogin
	}
	return res, nil
}

func (s *Service) throttled(ctx context.Context, now time.Time, emailKey, ipKey string) (bool, error) {
	var rows []struct {
		Key         string    `db:"key"`
		Failures    int       `db:"failures"`
		WindowStart time.Time `db:"window_start"`
	}
	if err := s.db.R().Select(ctx, &rows, `SELECT key, failures, window_start FROM login_throttle WHERE key IN (?, ?)`, emailKey, ipKey); err != nil {
		return false, core.Wrap("auth: throttle", err)
	}
	for _, r := range rows {
		if now.Sub(r.WindowStart) >= throttleWindow {
			continue
		}
		limit := maxFailsPerEmail
		if strings.HasPrefix(r.Key, "ip:") {
			limit = maxFailsPerIP
		}
		if r.Failures >= limit {
			return true, nil
		}
	}
	return false, nil
}

func recordFailure(ctx context.Context, tx *store.Tx, key string) error {
	old := tx.Now.Add(-throttleWindow)
	_, err := tx.Exec(ctx, `INSERT INTO login_throttle (key, failures, window_start) VALUES (?, 1, ?)
		ON CONFLICT (key) DO UPDATE SET
			failures = CASE WHEN login_throttle.window_start <= ? THEN 1 ELSE login_throttle.failures + 1 END,
			window_start = CASE WHEN login_throttle.window_start <= ? THEN excluded.window_start ELSE login_throttle.window_start END`,
		key, tx.Now, old, old)
	return core.Wrap("auth: record failure", err)
}

type sessionRow struct {
	UserID     string    `db:"user_id"`
	MFAPending bool      `db:"mfa_pending"`
	CreatedAt  time.Time `db:"created_at"`
	LastSeenAt time.Time `db:"last_seen_at"`
	ExpiresAt  time.Time `db:"expires_at"`
}

// errNoSession is returned for every kind of unusable session.
var errNoSession = &core.Error{Kind: core.KindUnauthenticated, Message: "err.signin_required"}

// Authenticate returns the actor behind a session cookie. Sessions end after
// IdleTimeout without use and MaxAge after sign-in, whichever comes first. A
// session waiting for its second factor authenticates nobody.
func (s *Service) Authenticate(ctx context.Context, tok string) (core.Actor, error) {
	if tok == "" || len(tok) > 100 {
		return core.Actor{}, errNoSession
	}
	h := hashSecret(tok)
	var sr sessionRow
	if err := s.db.R().Get(ctx, &sr, `SELECT user_id, mfa_pending, created_at, last_seen_at, expires_at FROM sessions WHERE id_hash = ?`, h); err != nil {
		if core.KindOf(err) == core.KindNotFound {
			return core.Actor{}, errNoSession
		}
		return core.Actor{}, core.Wrap("auth: authenticate", err)
	}
	now := s.db.Clock().Now()
	if sr.MFAPending || !now.Before(sr.ExpiresAt) || now.Sub(sr.LastSeenAt) >= s.IdleTimeout {
		return core.Actor{}, errNoSession
	}
	// Touch the session at most once a minute: a write per page view would
	// serialise every reader behind SQLite's one writer.
	if now.Sub(sr.LastSeenAt) >= lastSeenEvery {
		if err := s.db.WithTx(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?`, tx.Now, h)
			return err
		}); err != nil {
			return core.Actor{}, core.Wrap("auth: touch session", err)
		}
	}
	return s.actor(ctx, sr.UserID)
}

func (s *Service) actor(ctx context.Context, userID string) (core.Actor, error) {
	u, err := s.UserByID(ctx, userID)
	if err != nil {
		if core.KindOf(err) == core.KindNotFound {
			return core.Actor{}, errNoSession
		}
		return core.Actor{}, err
	}
	if u.Disabled {
		return core.Actor{}, errNoSession
	}
	a := core.Actor{UserID: u.ID, Name: u.Name, Email: u.Email, NodeAdmin: u.NodeAdmin, Lang: u.Lang}
	if s.roles != nil {
		a.Memberships, err = s.roles.Memberships(ctx, u.ID)
		if err != nil {
			return core.Actor{}, core.Wrap("auth: memberships", err)
		}
	}
	return a, nil
}

// PendingUser returns the account behind a session that waits for its second
// factor.
func (s *Service) PendingUser(ctx context.Context, tok string) (User, error) {
	var sr sessionRow
	if err := s.db.R().Get(ctx, &sr, `SELECT user_id, mfa_pending, created_at, last_seen_at, expires_at FROM sessions WHERE id_hash = ?`, hashSecret(tok)); err != nil {
		return User{}, errNoSession
	}
	if !sr.MFAPending || !s.db.Clock().Now().Before(sr.ExpiresAt) {
		return User{}, errNoSession
	}
	return s.UserByID(ctx, sr.UserID)
}

// Logout ends a session. Ending a session that does not exist is not an error.
func (s *Service) Logout(ctx context.Context, tok string) error {
	if tok == "" {
		return nil
	}
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		n, err := tx.Exec(ctx, `DELETE FROM sessions WHERE id_hash = ?`, hashSecret(tok))
		if err != nil {
			return core.Wrap("auth: logout", err)
		}
		if n == 0 {
			return nil
		}
		return audit.Record(ctx, tx, "auth.logout", "user", core.ActorFrom(ctx).UserID, "", "")
	})
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
	if ok, _ := CheckPassword(u.PasswordHash, current); !ok {
		p.Add("current", "err.password_wrong")
	}
	validatePassword(p, "password", next, u.Email)
	if err := p.Err("auth: change password"); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, HashPassword(next), u.ID); err != nil {
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
