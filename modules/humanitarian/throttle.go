package humanitarian

import (
	"context"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/store"
)

// Throttle limits for what arrives without an account: reports per
// client address from the public form, and per sender from a gateway. A
// person in a disaster may send several; a script sends thousands.
const (
	throttleWindow = time.Hour
	formPerHour    = 20
	senderPerHour  = 30
)

// Throttle counts one more arrival under key (such as "ip:203.0.113.9" or
// "sms:+6281234") and refuses it, rate limited, once limit arrivals came
// within the window. The count is in the database, so every replica of a
// node shares it.
func (s *Service) Throttle(ctx context.Context, key string, limit int) error {
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		old := tx.Now.Add(-throttleWindow)
		var n int
		if err := tx.Get(ctx, &n, `INSERT INTO hum_throttle (key, n, window_start) VALUES (?, 1, ?)
			ON CONFLICT (key) DO UPDATE SET
				n = CASE WHEN hum_throttle.window_start <= ? THEN 1 ELSE hum_throttle.n + 1 END,
				window_start = CASE WHEN hum_throttle.window_start <= ? THEN excluded.window_start ELSE hum_throttle.window_start END
			RETURNING n`, key, tx.Now, old, old); err != nil {
			return err
		}
		if n > limit {
			return &core.Error{Kind: core.KindRateLimited, Op: "humanitarian: throttle", Message: "err.hum_throttled"}
		}
		return nil
	})
}

// CleanupThrottle forgets windows that have passed.
func (s *Service) CleanupThrottle(ctx context.Context) error {
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `DELETE FROM hum_throttle WHERE window_start <= ?`, tx.Now.Add(-throttleWindow))
		return err
	})
}
