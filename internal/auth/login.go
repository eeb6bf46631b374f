package auth

import (
	"context"
	"errors"
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
// password, disabled account — the caller learns only that the login failed,
// so the answer never tells whether an account exists. Too many attempts is
// said as such, for an account that exists or not alike, and costs no hash.
func (s *Service) Login(ctx context.Context, email, pw string, meta SessionMeta) (LoginResult, error) {
	const op = "auth: login"
	email = normalizeEmail(email)
	ek, ik := throttleKeys(email, meta.IP)
	if err := s.reserveAttempt(ctx, op, ek, ik); err != nil {
		return LoginResult{}, err
	}
	var u User
	err := s.db.R().Get(ctx, &u, `SELECT `+userColumns+` FROM users WHERE email = ?`, email)
	found := err == nil
	if err != nil && core.KindOf(err) != core.KindNotFound {
		s.refundAttempt(ctx, ek, ik)
		return LoginResult{}, core.Wrap(op, err)
	}
	hash := dummyHash // a missing account costs as much as a wrong password
	if found && u.PasswordHash != "" {
		hash = u.PasswordHash
	}
	ok, err := s.checkPassword(ctx, op, hash, pw)
	if err != nil {
		// Not evaluated, so not counted: a busy node must not lock people out.
		s.refundAttempt(ctx, ek, ik)
		return LoginResult{}, err
	}
	ok = ok && found && u.PasswordHash != "" && !u.Disabled
	var res LoginResult
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		if !ok {
			// The attempt was counted before the hash; it stays counted.
			actx := ctx
			if found {
				actx = core.WithActor(ctx, core.Actor{UserID: u.ID, Name: u.Name})
			}
			return audit.Record(actx, tx, "auth.login.fail", "user", u.ID, "", "")
		}
		// The account's count is cleared only when sign-in is complete: with
		// two-factor on, a right password must not reset the guesses of the
		// code, so it only gives back its own attempt.
		if !u.TOTPEnabled {
			if _, err := tx.Exec(ctx, `DELETE FROM login_throttle WHERE key = ?`, ek); err != nil {
				return core.Wrap(op, err)
			}
		} else if err := refund(ctx, tx, ek); err != nil {
			return err
		}
		// The address counts failures only, so an office behind one address
		// can sign in all morning.
		if err := refund(ctx, tx, ik); err != nil {
			return err
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

// errOverLimit rolls back the counting transaction of a refused attempt.
var errOverLimit = errors.New("over the limit")

// reserveAttempt counts an attempt against the account and the address before
// anything is checked, and refuses it when either is over its limit. Counting
// and deciding happen in one transaction on the shared database, so parallel
// requests, on one replica or many, each get a distinct count and at most the
// limit are ever evaluated; reading the count first and recording the failure
// after the hash let a burst of 100 evaluate 72. A refused attempt is rolled
// back: it counts nothing, so an address that is shut out cannot keep an
// account locked, and the window is never extended.
func (s *Service) reserveAttempt(ctx context.Context, op, emailKey, ipKey string) error {
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		for _, k := range []struct {
			key   string
			limit int
		}{{emailKey, maxFailsPerEmail}, {ipKey, maxFailsPerIP}} {
			n, err := countAttempt(ctx, tx, k.key)
			if err != nil {
				return err
			}
			if n > k.limit {
				return errOverLimit
			}
		}
		return nil
	})
	if errors.Is(err, errOverLimit) {
		return &core.Error{Kind: core.KindRateLimited, Op: op, Message: "err.login_throttled"}
	}
	return core.Wrap(op, err)
}

// countAttempt adds one to key's count in the current window, starting a new
// window when the last one is over, and returns the new count. The column is
// still called failures: an attempt counts as one until it proves right.
// INSERT … ON CONFLICT … RETURNING is one atomic statement on SQLite and
// PostgreSQL alike; on PostgreSQL the row lock orders concurrent callers, and
// the account key is always taken before the address key, so two attempts
// never wait on each other in a circle.
func countAttempt(ctx context.Context, tx *store.Tx, key string) (int, error) {
	old := tx.Now.Add(-throttleWindow)
	var n int
	err := tx.Get(ctx, &n, `INSERT INTO login_throttle (key, failures, window_start) VALUES (?, 1, ?)
		ON CONFLICT (key) DO UPDATE SET
			failures = CASE WHEN login_throttle.window_start <= ? THEN 1 ELSE login_throttle.failures + 1 END,
			window_start = CASE WHEN login_throttle.window_start <= ? THEN excluded.window_start ELSE login_throttle.window_start END
		RETURNING failures`,
		key, tx.Now, old, old)
	return n, core.Wrap("auth: count attempt", err)
}

// refund gives back an attempt that proved right or was never evaluated.
func refund(ctx context.Context, tx *store.Tx, key string) error {
	_, err := tx.Exec(ctx, `UPDATE login_throttle SET failures = failures - 1 WHERE key = ? AND failures > 0`, key)
	return core.Wrap("auth: refund attempt", err)
}

// refundAttempt gives back an attempt that was counted but never evaluated
// (the database or the hashing gate failed). It runs even if the request has
// gone, and a failure only leaves the count one too high until the window
// ends.
func (s *Service) refundAttempt(ctx context.Context, keys ...string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_ = s.db.WithTx(ctx, func(tx *store.Tx) error {
		for _, k := range keys {
			if err := refund(ctx, tx, k); err != nil {
				return err
			}
		}
		return nil
	})
}
