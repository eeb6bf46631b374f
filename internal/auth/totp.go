package auth

import (
	"bytes"
	"context"
	"encoding/base64"
	"image/png"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"entente.example/entente/core"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/store"
)

// TOTPEnrolment is what a person needs to add Entente to an authenticator app.
type TOTPEnrolment struct {
	Secret string // base32, for typing in by hand
	URL    string // otpauth:// URL
	QRPNG  string // data: URL of a QR code of URL
}

// BeginTOTP creates a new pending secret for the actor (replacing any earlier
// pending one); it takes effect only once a code from it is confirmed.
func (s *Service) BeginTOTP(ctx context.Context, issuer string) (TOTPEnrolment, error) {
	a := core.ActorFrom(ctx)
	u, err := s.UserByID(ctx, a.UserID)
	if err != nil {
		return TOTPEnrolment{}, err
	}
	if u.TOTPEnabled {
		// Swapping the second factor needs it turned off first, which asks
		// for the password.
		return TOTPEnrolment{}, &core.Error{Kind: core.KindConflict, Op: "auth: begin totp", Message: "err.totp_already_on"}
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: a.Email})
	if err != nil {
		return TOTPEnrolment{}, core.Wrap("auth: begin totp", err)
	}
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE users SET totp_pending = ? WHERE id = ?`, key.Secret(), a.UserID)
		return core.Wrap("auth: begin totp", err)
	})
	if err != nil {
		return TOTPEnrolment{}, err
	}
	return enrolment(key), nil
}

// PendingTOTP returns the enrolment in progress, if any, so the page can be
// shown again after a wrong code.
func (s *Service) PendingTOTP(ctx context.Context, issuer string) (TOTPEnrolment, bool, error) {
	u, err := s.UserByID(ctx, core.ActorFrom(ctx).UserID)
	if err != nil || u.TOTPPending == "" {
		return TOTPEnrolment{}, false, err
	}
	k, err := totpKey(issuer, u.Email, u.TOTPPending)
	if err != nil {
		return TOTPEnrolment{}, false, err
	}
	return enrolment(k), true, nil
}

func totpKey(issuer, account, secret string) (*otp.Key, error) {
	return otp.NewKeyFromURL("otpauth://totp/" + issuer + ":" + account + "?secret=" + secret + "&issuer=" + issuer + "&algorithm=SHA1&digits=6&period=30")
}

func enrolment(key *otp.Key) TOTPEnrolment {
	e := TOTPEnrolment{Secret: key.Secret(), URL: key.URL()}
	if img, err := key.Image(200, 200); err == nil {
		var buf bytes.Buffer
		if png.Encode(&buf, img) == nil {
			e.QRPNG = "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())
		}
	}
	return e
}

// checkCode validates a 6-digit code against secret, allowing one step of clock
// drift either way, and refuses a step at or before lastStep so a code seen over
// someone's shoulder cannot be replayed.
func checkCode(secret, code string, now time.Time, lastStep int64) (int64, bool) {
	for _, skew := range []int64{0, -1, 1} {
		step := now.Unix()/30 + skew
		want, err := totp.GenerateCodeCustom(secret, time.Unix(step*30, 0), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
		if err == nil && want == code && step > lastStep {
			return step, true
		}
	}
	return 0, false
}

// ConfirmTOTP turns two-factor on once the person proves their app has the
// pending secret.
func (s *Service) ConfirmTOTP(ctx context.Context, code string) error {
	a := core.ActorFrom(ctx)
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		var u User
		if err := tx.Get(ctx, &u, `SELECT `+userColumns+` FROM users WHERE id = ?`, a.UserID); err != nil {
			return core.Wrap("auth: confirm totp", err)
		}
		if u.TOTPPending == "" {
			return &core.Error{Kind: core.KindConflict, Op: "auth: confirm totp", Message: "err.totp_not_started"}
		}
		step, ok := checkCode(u.TOTPPending, code, tx.Now, 0)
		if !ok {
			return &core.Error{Kind: core.KindInvalid, Op: "auth: confirm totp", Message: "err.form", Fields: core.Problems{"code": "err.totp_code"}}
		}
		if _, err := tx.Exec(ctx, `UPDATE users SET totp_secret = totp_pending, totp_pending = '', totp_enabled = TRUE, totp_last_step = ? WHERE id = ?`, step, a.UserID); err != nil {
			return core.Wrap("auth: confirm totp", err)
		}
		return audit.Record(ctx, tx, "auth.totp.enable", "user", a.UserID, "", "")
	})
}

// DisableTOTP turns two-factor off after checking the password.
func (s *Service) DisableTOTP(ctx context.Context, password string) error {
	a := core.ActorFrom(ctx)
	u, err := s.UserByID(ctx, a.UserID)
	if err != nil {
		return err
	}
	ok, err := s.checkPassword(ctx, "auth: disable totp", u.PasswordHash, password)
	if err != nil {
		return err
	}
	if !ok {
		return &core.Error{Kind: core.KindInvalid, Op: "auth: disable totp", Message: "err.form", Fields: core.Problems{"current": "err.password_wrong"}}
	}
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE users SET totp_secret = '', totp_pending = '', totp_enabled = FALSE, totp_last_step = 0 WHERE id = ?`, a.UserID); err != nil {
			return core.Wrap("auth: disable totp", err)
		}
		return audit.Record(ctx, tx, "auth.totp.disable", "user", a.UserID, "", "")
	})
}

// LoginTOTP completes a login whose password step passed. On success the
// pending session is replaced by a full one (a new cookie value, so a token
// seen before the second factor is worthless).
func (s *Service) LoginTOTP(ctx context.Context, pending, code string, meta SessionMeta) (string, error) {
	u, err := s.PendingUser(ctx, pending)
	if err != nil {
		return "", err
	}
	// Codes are counted before they are checked, like passwords, so a burst
	// of guesses cannot slip past the limit.
	ek, ik := throttleKeys(u.Email, meta.IP)
	if err := s.reserveAttempt(ctx, "auth: login totp", ek, ik); err != nil {
		return "", err
	}
	var sess string
	var bad bool
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		actx := core.WithActor(ctx, core.Actor{UserID: u.ID, Name: u.Name})
		step, ok := checkCode(u.TOTPSecret, code, tx.Now, u.TOTPLastStep)
		if !ok {
			bad = true
			return audit.Record(actx, tx, "auth.login.totp_fail", "user", u.ID, "", "")
		}
		n, err := tx.Exec(ctx, `UPDATE users SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?`, step, u.ID, step)
		if err != nil {
			return core.Wrap("auth: login totp", err)
		}
		if n == 0 {
			bad = true
			return nil
		}
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE id_hash = ?`, hashSecret(pending)); err != nil {
			return core.Wrap("auth: login totp", err)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM login_throttle WHERE key = ?`, ek); err != nil {
			return core.Wrap("auth: login totp", err)
		}
		if err := refund(ctx, tx, ik); err != nil {
			return err
		}
		sess, err = s.newSession(ctx, tx, u.ID, false, meta)
		if err != nil {
			return err
		}
		return audit.Record(actx, tx, "auth.login", "user", u.ID, "", "two-factor")
	})
	if err != nil {
		return "", err
	}
	if bad {
		return "", &core.Error{Kind: core.KindInvalid, Op: "auth: login totp", Message: "err.form", Fields: core.Problems{"code": "err.totp_code"}}
	}
	return sess, nil
}
