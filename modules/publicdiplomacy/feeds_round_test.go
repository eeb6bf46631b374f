package publicdiplomacy

import (
	"context"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/auth"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/jobs"
	"entente.example/entente/internal/ledger"
	"entente.example/entente/internal/netguard"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/directory"
)

// TestRoundOverBudgetLeavesFeedsDue: a round out of time hands out no
// more fetches, and the feeds it took but did not reach are due again at
// once rather than held for the lease.
func TestRoundOverBudgetLeavesFeedsDue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
		db := storetest.Open(t, e, storetest.NewClock(now), auth.Migrations(), audit.Migrations(), jobs.Migrations(), ledger.Migrations(), federation.Migrations(), directory.Migrations(), Migrations())
		s := NewService(db, Options{BaseURL: func() string { return "https://kemlu.example" }, HTTP: netguard.Client(false)})
		ctx := context.Background()
		err := db.WithTx(ctx, func(tx *store.Tx) error {
			if _, err := tx.Exec(ctx, `INSERT INTO organisations (id, handle, kind, name_en, created_at, updated_at) VALUES ('o1', 'kemlu', 'ministry', 'Kemlu', ?, ?)`, tx.Now, tx.Now); err != nil {
				return err
			}
			for i := range 3 {
				if _, err := tx.Exec(ctx, `INSERT INTO pd_feeds (id, org_id, url, next_fetch_at, created_at, updated_at) VALUES (?, 'o1', ?, ?, ?, ?)`,
					core.NewID(tx.Now), "https://news.example/"+string(rune('a'+i)), tx.Now, tx.Now, tx.Now); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		n, err := s.pollRound(ctx, -time.Second)
		if err != nil || n != 0 {
			t.Fatalf("a round without time fetched %d, %v", n, err)
		}
		var due int
		if err := db.R().Get(ctx, &due, `SELECT COUNT(*) FROM pd_feeds WHERE next_fetch_at <= ? AND last_fetch_at IS NULL`, now); err != nil || due != 3 {
			t.Fatalf("%d feeds due again, %v", due, err)
		}
	})
}
