package auth

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"entente.example/entente/core"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/store"
)

// Token scopes. A token acts for its owner but never beyond its scopes.
const (
	ScopeRead  = "read"
	ScopeWrite = "write"
)

// TokenPrefix starts every API token so that secret scanners can spot a leaked one.
const TokenPrefix = "ent_"

// Token is an API token as the owner sees it; the secret itself is shown once.
type Token struct {
	ID         string     `db:"id" json:"id"`
	UserID     string     `db:"user_id" json:"-"`
	Name       string     `db:"name" json:"name"`
	Scopes     string     `db:"scopes" json:"-"`
	CreatedAt  time.Time  `db:"created_at" json:"created_at"`
	ExpiresAt  time.Time  `db:"expires_at" json:"expires_at"`
	RevokedAt  *time.Time `db:"revoked_at" json:"revoked_at"`
	LastUsedAt *time.Time `db:"last_used_at" json:"last_used_at"`
}

// ScopeList returns the scopes as a list.
func (t Token) ScopeList() []string { return strings.Fields(t.Scopes) }

// Active reports whether the token can be used at now.
func (t Token) Active(now time.Time) bool { return t.RevokedAt == nil && now.Before(t.ExpiresAt) }

const tokenColumns = `id, user_id, name, scopes, created_at, expires_at, revoked_at, last_used_at`

// NewToken is a request for a token.
type NewToken struct {
	Name   string
	Scopes []string
	TTL    time.Duration
}

// MaxTokenTTL caps a token's life: long-lived secrets are how systems leak.
const MaxTokenTTL = 366 * 24 * time.Hour

// CreateToken creates a token for the actor and returns its secret, shown once.
func (s *Service) CreateToken(ctx context.Context, n NewToken) (Token, string, error) {
	a := core.ActorFrom(ctx)
	p := core.Problems{}
	n.Name = strings.TrimSpace(n.Name)
	switch {
	case n.Name == "":
		p.Add("name", "err.required")
	case utf8.RuneCountInString(n.Name) > 80:
		p.Add("name", "err.too_long")
	}
	if len(n.Scopes) == 0 {
		p.Add("scopes", "err.required")
	}
	for _, sc := range n.Scopes {
		if sc != ScopeRead && sc != ScopeWrite {
			p.Add("scopes", "err.scope")
		}
	}
	if n.TTL <= 0 || n.TTL > MaxTokenTTL {
		p.Add("ttl", "err.token_ttl")
	}
	if err := p.Err("auth: create token"); err != nil {
		return Token{}, "", err
	}
	// A token carries no more than its owner has: a token made with another
	// token cannot widen that token's scopes.
	if a.TokenID != "" {
		for _, sc := range n.Scopes {
			if !slices.Contains(a.Scopes, sc) {
				return Token{}, "", &core.Error{Kind: core.KindForbidden, Op: "auth: create token", Message: "err.forbidden"}
			}
		}
	}
	if a.TokenID != "" {
		var parentExp time.Time
		if err := s.db.R().Get(ctx, &parentExp, `SELECT expires_at FROM api_tokens WHERE id = ?`, a.TokenID); err != nil {
			return Token{}, "", core.Wrap("auth: create token", err)
		}
		// A token cannot outlive the one that made it.
		if left := parentExp.Sub(s.db.Clock().Now()); n.TTL > left {
			n.TTL = left
		}
	}
	slices.Sort(n.Scopes)
	n.Scopes = slices.Compact(n.Scopes)
	secret := newSecret(TokenPrefix)
	var t Token
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		t = Token{ID: core.NewID(tx.Now), UserID: a.UserID, Name: n.Name, Scopes: strings.Join(n.Scopes, " "), CreatedAt: tx.Now, ExpiresAt: tx.Now.Add(n.TTL)}
		if _, err := tx.Exec(ctx, `INSERT INTO api_tokens (id, user_id, name, token_hash, scopes, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			t.ID, t.UserID, t.Name, hashSecret(secret), t.Scopes, t.CreatedAt, t.ExpiresAt); err != nil {
			return core.Wrap("auth: create token", err)
		}
		return audit.Record(ctx, tx, "auth.token.create", "token", t.ID, "", t.Name+" ["+t.Scopes+"]")
	})
	if err != nil {
		return Token{}, "", err
	}
	return t, secret, nil
}

// ListTokens returns the actor's tokens, newest first.
func (s *Service) ListTokens(ctx context.Context) ([]Token, error) {
	var ts []Token
	err := s.db.R().Select(ctx, &ts, `SELECT `+tokenColumns+` FROM api_tokens WHERE user_id = ? ORDER BY id DESC`, core.ActorFrom(ctx).UserID)
	return ts, core.Wrap("auth: list tokens", err)
}

// RevokeToken revokes one of the actor's tokens. Someone else's token is "not
// found", so token ids cannot be probed.
func (s *Service) RevokeToken(ctx context.Context, id string) error {
	a := core.ActorFrom(ctx)
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		n, err := tx.Exec(ctx, `UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ? AND user_id = ?`, tx.Now, id, a.UserID)
		if err != nil {
			return core.Wrap("auth: revoke token", err)
		}
		if n == 0 {
			return &core.Error{Kind: core.KindNotFound, Op: "auth: revoke token", Message: "err.not_found"}
		}
		return audit.Record(ctx, tx, "auth.token.revoke", "token", id, "", "")
	})
}

// AuthenticateToken returns the actor behind a bearer token.
func (s *Service) AuthenticateToken(ctx context.Context, secret string) (core.Actor, error) {
	bad := &core.Error{Kind: core.KindUnauthenticated, Message: "err.token_invalid"}
	if !strings.HasPrefix(secret, TokenPrefix) || len(secret) > 100 {
		return core.Actor{}, bad
	}
	var t Token
	if err := s.db.R().Get(ctx, &t, `SELECT `+tokenColumns+` FROM api_tokens WHERE token_hash = ?`, hashSecret(secret)); err != nil {
		if core.KindOf(err) == core.KindNotFound {
			return core.Actor{}, bad
		}
		return core.Actor{}, core.Wrap("auth: token", err)
	}
	now := s.db.Clock().Now()
	if !t.Active(now) {
		return core.Actor{}, bad
	}
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) >= lastSeenEvery {
		if err := s.db.WithTx(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, tx.Now, t.ID)
			return err
		}); err != nil {
			return core.Actor{}, core.Wrap("auth: token", err)
		}
	}
	a, err := s.actor(ctx, t.UserID)
	if err != nil {
		return core.Actor{}, bad
	}
	a.TokenID = t.ID
	a.Scopes = t.ScopeList()
	return a, nil
}
