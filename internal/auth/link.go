package auth

import (
	"context"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/store"
)

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
	hash, err := s.hashPassword(ctx, "auth: setup", pw)
	if err != nil {
		return User{}, "", err
	}
	var u User
	var sess string
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
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
	const op = "auth: accept invite"
	invalid := &core.Error{Kind: core.KindNotFound, Op: op, Message: "err.link_invalid"}
	// The password is checked and hashed before the write transaction: a
	// hash may wait for a slot (hashgate.go), and must not hold SQLite's one
	// writer while it does. The link is spent inside the transaction.
	var l link
	err := s.db.R().Get(ctx, &l, `SELECT purpose, user_id, expires_at, used_at FROM one_time_links WHERE token_hash = ?`, hashSecret(tok))
	if err != nil || l.Purpose != PurposeInvite || l.UserID == nil || l.UsedAt != nil || !s.db.Clock().Now().Before(l.ExpiresAt) {
		return User{}, "", invalid
	}
	u, err := s.UserByID(ctx, *l.UserID)
	if err != nil {
		return User{}, "", invalid
	}
	p := core.Problems{}
	validatePassword(p, "password", pw, u.Email)
	if err := p.Err(op); err != nil {
		return User{}, "", err
	}
	hash, err := s.hashPassword(ctx, op, pw)
	if err != nil {
		return User{}, "", err
	}
	var sess string
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		l, err := useLink(ctx, tx, tok, PurposeInvite)
		if err != nil || l.UserID == nil || *l.UserID != u.ID {
			return invalid
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET password_hash = ?, activated_at = COALESCE(activated_at, ?) WHERE id = ?`, hash, tx.Now, u.ID); err != nil {
			return core.Wrap(op, err)
		}
		ctx = core.WithActor(ctx, core.Actor{UserID: u.ID, Name: u.Name})
		if err := audit.Record(ctx, tx, "auth.invite.accept", "user", u.ID, "", ""); err != nil {
			return err
		}
		sess, err = s.newSession(ctx, tx, u.ID, false, meta)
		return err
	})
	if err != nil {
		return User{}, "", err
	}
	return u, sess, nil
}
