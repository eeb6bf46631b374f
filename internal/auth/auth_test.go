package auth_test

import (
	"context"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"entente.example/entente/core"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/auth"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
)

func setup(t *testing.T, e storetest.Engine) (*auth.Service, *store.DB, *storetest.Clock) {
	clock := storetest.NewClock(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	db := storetest.Open(t, e, clock, auth.Migrations(), audit.Migrations())
	return auth.NewService(db, nil, 30*time.Minute, 8*time.Hour), db, clock
}

func mustUser(t *testing.T, s *auth.Service, db *store.DB, email, pw string) auth.User {
	t.Helper()
	var u auth.User
	err := db.WithTx(context.Background(), func(tx *store.Tx) error {
		var err error
		u, _, err = s.CreateUser(context.Background(), tx, auth.NewUser{Email: email, Name: "Test Person"})
		if err != nil {
			return err
		}
		return s.SetPasswordDirect(context.Background(), tx, u.ID, pw)
	})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		s, db, clock := setup(t, e)
		u := mustUser(t, s, db, "sari@kemlu.test", "twelve chars ok")
		res, err := s.Login(ctx, "Sari@Kemlu.test ", "twelve chars ok", auth.SessionMeta{IP: "192.0.2.1"})
		if err != nil || res.MFAPending {
			t.Fatalf("login: %+v %v", res, err)
		}
		a, err := s.Authenticate(ctx, res.Session)
		if err != nil || a.UserID != u.ID {
			t.Fatalf("authenticate: %+v %v", a, err)
		}
		// Used every 20 minutes, the session lives until its absolute limit.
		for i := 0; i < 23; i++ {
			clock.Advance(20 * time.Minute)
			if _, err := s.Authenticate(ctx, res.Session); err != nil {
				t.Fatalf("after %d×20 min: %v", i+1, err)
			}
		}
		clock.Advance(20 * time.Minute) // 8 h since sign-in
		if _, err := s.Authenticate(ctx, res.Session); !auth.ErrIsAuth(err) {
			t.Fatalf("after 8 h: %v; want the session to be over", err)
		}
		// Idle for 30 minutes: over.
		res, _ = s.Login(ctx, "sari@kemlu.test", "twelve chars ok", auth.SessionMeta{})
		clock.Advance(30 * time.Minute)
		if _, err := s.Authenticate(ctx, res.Session); !auth.ErrIsAuth(err) {
			t.Fatalf("idle 30 min: %v", err)
		}
		// Logout ends a session.
		res, _ = s.Login(ctx, "sari@kemlu.test", "twelve chars ok", auth.SessionMeta{})
		if err := s.Logout(ctx, res.Session); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, res.Session); !auth.ErrIsAuth(err) {
			t.Fatalf("after logout: %v", err)
		}
		// A disabled account cannot sign in, and its sessions are gone.
		res, _ = s.Login(ctx, "sari@kemlu.test", "twelve chars ok", auth.SessionMeta{})
		actx := core.WithActor(ctx, core.Actor{UserID: "someone-else", NodeAdmin: true})
		if err := s.SetDisabled(actx, u.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Authenticate(ctx, res.Session); !auth.ErrIsAuth(err) {
			t.Fatalf("disabled account's session: %v", err)
		}
		if _, err := s.Login(ctx, "sari@kemlu.test", "twelve chars ok", auth.SessionMeta{}); core.KindOf(err) != core.KindUnauthenticated {
			t.Fatalf("disabled login: %v", err)
		}
	})
}

func TestTwoFactor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		s, db, clock := setup(t, e)
		u := mustUser(t, s, db, "agus@bssn.test", "twelve chars ok")
		actx := core.WithActor(ctx, core.Actor{UserID: u.ID, Email: u.Email})
		enr, err := s.BeginTOTP(actx, "Entente test")
		if err != nil || enr.Secret == "" || enr.QRPNG == "" {
			t.Fatalf("begin: %+v %v", enr, err)
		}
		if err := s.ConfirmTOTP(actx, "000000"); core.KindOf(err) != core.KindInvalid {
			t.Fatalf("wrong code confirmed: %v", err)
		}
		code, _ := totp.GenerateCode(enr.Secret, clock.Now())
		if err := s.ConfirmTOTP(actx, code); err != nil {
			t.Fatalf("confirm: %v", err)
		}
		// Password alone now gives only a pending session that authenticates nobody.
		res, err := s.Login(ctx, u.Email, "twelve chars ok", auth.SessionMeta{IP: "192.0.2.9"})
		if err != nil || !res.MFAPending {
			t.Fatalf("login with 2FA: %+v %v", res, err)
		}
		if _, err := s.Authenticate(ctx, res.Session); !auth.ErrIsAuth(err) {
			t.Fatal("a pending session authenticated")
		}
		// The code used to confirm cannot be replayed.
		if _, err := s.LoginTOTP(ctx, res.Session, code, auth.SessionMeta{}); core.KindOf(err) != core.KindInvalid {
			t.Fatalf("replayed code: %v", err)
		}
		clock.Advance(30 * time.Second)
		code, _ = totp.GenerateCode(enr.Secret, clock.Now())
		full, err := s.LoginTOTP(ctx, res.Session, code, auth.SessionMeta{})
		if err != nil {
			t.Fatalf("second factor: %v", err)
		}
		if full == res.Session {
			t.Fatal("the session token was not renewed after the second factor")
		}
		if a, err := s.Authenticate(ctx, full); err != nil || a.UserID != u.ID {
			t.Fatalf("after second factor: %v", err)
		}
		if _, err := s.PendingUser(ctx, res.Session); err == nil {
			t.Fatal("the pending session survived")
		}
		// A pending session expires after five minutes.
		res, _ = s.Login(ctx, u.Email, "twelve chars ok", auth.SessionMeta{})
		clock.Advance(6 * time.Minute)
		code, _ = totp.GenerateCode(enr.Secret, clock.Now())
		if _, err := s.LoginTOTP(ctx, res.Session, code, auth.SessionMeta{}); !auth.ErrIsAuth(err) {
			t.Fatalf("stale pending session: %v", err)
		}
		// Guessing codes: a right password does not reset the count, so the
		// fifth wrong code locks the account whatever the password step says.
		locked := false
		for round := 0; round < 3 && !locked; round++ {
			res, err := s.Login(ctx, u.Email, "twelve chars ok", auth.SessionMeta{IP: "198.51.100.7"})
			if core.KindOf(err) == core.KindRateLimited {
				locked = true
				break
			}
			for i := 0; i < 4; i++ {
				if _, err := s.LoginTOTP(ctx, res.Session, "000000", auth.SessionMeta{IP: "198.51.100.7"}); core.KindOf(err) == core.KindRateLimited {
					locked = true
					break
				}
			}
		}
		if !locked {
			t.Fatal("twelve wrong codes across three password sign-ins were not throttled")
		}
		clock.Advance(16 * time.Minute)
		// Re-enrolling while two-factor is on is refused.
		if _, err := s.BeginTOTP(actx, "x"); core.KindOf(err) != core.KindConflict {
			t.Fatalf("re-enrolment while on: %v", err)
		}
		// Turning it off needs the password.
		if err := s.DisableTOTP(actx, "wrong password!"); core.KindOf(err) != core.KindInvalid {
			t.Fatalf("disable with wrong password: %v", err)
		}
		if err := s.DisableTOTP(actx, "twelve chars ok"); err != nil {
			t.Fatal(err)
		}
	})
}

func TestTokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		s, db, clock := setup(t, e)
		u := mustUser(t, s, db, "rina@bssn.test", "twelve chars ok")
		actx := core.WithActor(ctx, core.Actor{UserID: u.ID})
		for _, bad := range []auth.NewToken{
			{Name: "", Scopes: []string{"read"}, TTL: time.Hour},
			{Name: "x", Scopes: nil, TTL: time.Hour},
			{Name: "x", Scopes: []string{"admin"}, TTL: time.Hour},
			{Name: "x", Scopes: []string{"read"}, TTL: 400 * 24 * time.Hour},
		} {
			if _, _, err := s.CreateToken(actx, bad); core.KindOf(err) != core.KindInvalid {
				t.Errorf("CreateToken(%+v) = %v; want invalid", bad, err)
			}
		}
		tok, secret, err := s.CreateToken(actx, auth.NewToken{Name: "feed", Scopes: []string{"read"}, TTL: 24 * time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		a, err := s.AuthenticateToken(ctx, secret)
		if err != nil || a.UserID != u.ID || a.TokenID != tok.ID || len(a.Scopes) != 1 {
			t.Fatalf("token actor: %+v %v", a, err)
		}
		// A read token cannot mint a write token.
		if _, _, err := s.CreateToken(core.WithActor(ctx, a), auth.NewToken{Name: "up", Scopes: []string{"write"}, TTL: time.Hour}); core.KindOf(err) != core.KindForbidden {
			t.Fatalf("escalation: %v", err)
		}
		// Only the hash is stored.
		var n int
		db.R().Get(ctx, &n, `SELECT COUNT(*) FROM api_tokens WHERE token_hash = ?`, secret)
		if n != 0 {
			t.Fatal("the token secret is stored in clear")
		}
		clock.Advance(25 * time.Hour)
		if _, err := s.AuthenticateToken(ctx, secret); core.KindOf(err) != core.KindUnauthenticated {
			t.Fatalf("expired token: %v", err)
		}
		_, secret2, _ := s.CreateToken(actx, auth.NewToken{Name: "feed2", Scopes: []string{"read", "write"}, TTL: time.Hour})
		other := core.WithActor(ctx, core.Actor{UserID: "someone-else"})
		ts, _ := s.ListTokens(actx)
		if err := s.RevokeToken(other, ts[0].ID); core.KindOf(err) != core.KindNotFound {
			t.Fatalf("someone else revoked my token: %v", err)
		}
		if err := s.RevokeToken(actx, ts[0].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := s.AuthenticateToken(ctx, secret2); core.KindOf(err) != core.KindUnauthenticated {
			t.Fatalf("revoked token: %v", err)
		}
	})
}

func TestInviteLinks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		s, db, clock := setup(t, e)
		var tok string
		db.WithTx(ctx, func(tx *store.Tx) error {
			_, t2, err := s.CreateUser(ctx, tx, auth.NewUser{Email: "new@x.test", Name: "New"})
			tok = t2
			return err
		})
		if _, _, err := s.AcceptInvite(ctx, tok, "short", auth.SessionMeta{}); core.KindOf(err) != core.KindInvalid {
			t.Fatalf("weak password: %v", err)
		}
		// The failed attempt did not use the link up.
		if _, _, err := s.AcceptInvite(ctx, tok, "a good long password", auth.SessionMeta{}); err != nil {
			t.Fatalf("accept: %v", err)
		}
		if _, _, err := s.AcceptInvite(ctx, tok, "another long password", auth.SessionMeta{}); core.KindOf(err) != core.KindNotFound {
			t.Fatalf("second use: %v", err)
		}
		// Setup links expire.
		setupTok, _ := s.IssueSetupLink(ctx)
		clock.Advance(25 * time.Hour)
		if _, _, err := s.Setup(ctx, setupTok, auth.NewUser{Email: "a@x.test", Name: "A"}, "a good long password", auth.SessionMeta{}); core.KindOf(err) != core.KindNotFound {
			t.Fatalf("expired setup link: %v", err)
		}
	})
}

func TestPasswordHash(t *testing.T) {
	h := auth.HashPassword("kata sandi rahasia")
	if ok, err := auth.CheckPassword(h, "kata sandi rahasia"); !ok || err != nil {
		t.Fatal("right password refused")
	}
	if ok, _ := auth.CheckPassword(h, "kata sandi rahasiA"); ok {
		t.Fatal("wrong password accepted")
	}
	if h == auth.HashPassword("kata sandi rahasia") {
		t.Fatal("no salt")
	}
	if _, err := auth.CheckPassword("$2a$10$bcrypt", "x"); err == nil {
		t.Fatal("foreign hash accepted")
	}
}
