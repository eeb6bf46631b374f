package humanitarian

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/netip"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/jobs"
	"entente.example/entente/internal/store"
)

// Throttle limits for what arrives without an account: reports per
// client address from the public form, and per sender from a gateway. A
// person in a disaster may send several; a script sends thousands.
const (
	throttleWindow = time.Hour
	formPerHour    = 20
	senderPerHour  = 30
	// A mail gateway's senders name themselves, so a gateway as a whole
	// is limited too; so are urgent e-mails to an emergency's
	// coordinators, which a flood of reports must not turn into a storm.
	gatewayPerHour = 600
	urgentPerHour  = 20
)

// Throttle counts one more arrival under key (such as clientKey(ip) or
// "sms:+6281234") and refuses it, rate limited, once limit arrivals came
// within the window. The count is in the database, so every replica of a
// node shares it.
func (s *Service) Throttle(ctx context.Context, key string, limit int) error {
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		ok, err := throttleTx(ctx, tx, key, limit)
		if err == nil && !ok {
			err = &core.Error{Kind: core.KindRateLimited, Op: "humanitarian: throttle", Message: "err.hum_throttled"}
		}
		return err
	})
}

// throttleTx is Throttle inside the caller's transaction: false when the
// arrival is one too many. The key is kept as its SHA-256 only, since it
// names a person's address, number or mailbox, and only for the window
// (CleanupThrottle).
func throttleTx(ctx context.Context, tx *store.Tx, key string, limit int) (bool, error) {
	sum := sha256.Sum256([]byte(key))
	old := tx.Now.Add(-throttleWindow)
	var n int
	if err := tx.Get(ctx, &n, `INSERT INTO hum_throttle (key, n, window_start) VALUES (?, 1, ?)
		ON CONFLICT (key) DO UPDATE SET
			n = CASE WHEN hum_throttle.window_start <= ? THEN 1 ELSE hum_throttle.n + 1 END,
			window_start = CASE WHEN hum_throttle.window_start <= ? THEN excluded.window_start ELSE hum_throttle.window_start END
		RETURNING n`, hex.EncodeToString(sum[:]), tx.Now, old, old); err != nil {
		return false, err
	}
	return n <= limit, nil
}

// clientKey is the throttle's key for a client address: an IPv6 client
// holds a whole /64, so it is counted by its /64, not by each address.
func clientKey(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return "ip:" + ip
	}
	a = a.Unmap()
	if a.Is6() {
		p, _ := a.Prefix(64)
		return "ip:" + p.String()
	}
	return "ip:" + a.String()
}

// ScheduleCleanup forgets throttle windows that have passed, every quarter
// of an hour, so what names a person is kept about an hour and no longer.
func (s *Service) ScheduleCleanup(q *jobs.Queue) {
	q.Register(jobs.Kind{Name: "humanitarian.cleanup", Handle: func(ctx context.Context, _ []byte) error { return s.CleanupThrottle(ctx) }})
	q.Every("humanitarian.cleanup", 15*time.Minute)
}

// CleanupThrottle forgets windows that have passed.
func (s *Service) CleanupThrottle(ctx context.Context) error {
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM hum_throttle WHERE window_start <= ?`, tx.Now.Add(-throttleWindow))
		return err
	})
}
