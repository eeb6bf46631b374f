package auth

import (
	"context"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/store"
)

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
