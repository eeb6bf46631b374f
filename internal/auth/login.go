package auth

import (
	"context"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/store"
)

var errBadLogin = &core.Error{Kind: core.KindUnauthenticated, Message: "err.login_failed"}

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
