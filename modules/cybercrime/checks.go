package cybercrime

import (
	"context"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/jobs"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store"
)

const jobChecks = "cybercrime.checks"

// Schedule runs the clocks' checks every few minutes.
func (s *Service) Schedule(q *jobs.Queue) {
	q.Register(jobs.Kind{Name: jobChecks, Handle: func(ctx context.Context, _ []byte) error { return s.Checks(ctx) }})
	q.Every(jobChecks, 5*time.Minute)
}

// RemindBefore is how long before a preservation ends both sides are told.
const RemindBefore = 7 * day

// Checks is the periodic work of the clocks, run on each node for its own
// copies, so both sides learn from the same dates without a message
// between them: a reminder a week before a preservation ends and notice
// when it has; notice when a deadline to acknowledge or to execute passes;
// and, once a closed request's retention is over, its content deleted.
func (s *Service) Checks(ctx context.Context) error {
	now := s.db.Clock().Now().UTC()
	var due []Request
	if err := s.db.R().Select(ctx, &due, `SELECT `+requestColumns+` FROM cyb_requests WHERE purged = FALSE AND (
		(state = 'preserved' AND preserved_until < ? AND (reminded_at IS NULL OR (preserved_until <= ? AND reminded_at < preserved_until)))
		OR (state IN ('sent', 'received') AND respond_by < ? AND reminded_at IS NULL)
		OR (state IN ('acknowledged', 'partly_executed') AND execute_by < ? AND reminded_at IS NULL)
		OR (purge_after < ?)) ORDER BY id LIMIT 500`, now.Add(RemindBefore), now, now, now, now); err != nil {
		return core.Wrap("cybercrime: checks", err)
	}
	for _, r := range due {
		if err := r.decode(); err != nil {
			return core.Wrap("cybercrime: checks", err)
		}
		err := s.db.WithTx(ctx, func(tx *store.Tx) error { return s.check(ctx, tx, r, now) })
		if err != nil {
			return core.Wrap("cybercrime: checks", err)
		}
	}
	return nil
}

// check does what is due for one request. A preservation is reminded once
// when a week is left and once more when it has run out (reminded_at then
// passes preserved_until).
func (s *Service) check(ctx context.Context, tx *store.Tx, r Request, now time.Time) error {
	if r.PurgeAfter != nil && now.After(*r.PurgeAfter) {
		return s.purge(ctx, tx, r)
	}
	path := "/cybercrime/requests/" + r.ID
	other := map[string]string{"other": r.other()}
	kind := map[string]string{"kind": "cyb.kind." + string(r.Kind)}
	mark := func() error {
		_, err := tx.Exec(ctx, `UPDATE cyb_requests SET reminded_at = ? WHERE id = ?`, now, r.ID)
		return err
	}
	switch {
	case r.State == StatePreserved && r.PreservedUntil != nil && !now.Before(*r.PreservedUntil):
		if err := mark(); err != nil {
			return err
		}
		return s.tellOrg(ctx, tx, r.OrgID, notify.CybPreservedOver, path, s.args(other, kind))
	case r.State == StatePreserved && r.RemindedAt == nil:
		if err := mark(); err != nil {
			return err
		}
		a := s.args(other, kind)
		a["deadline"] = r.PreservedUntil.UTC().Format(notify.DeadlineFormat)
		return s.tellOrg(ctx, tx, r.OrgID, notify.CybPreservation, path, a)
	case r.State != StatePreserved && r.RemindedAt == nil:
		deadline := r.RespondBy
		if r.State == StateAcknowledged || r.State == StatePartly {
			deadline = r.ExecuteBy
		}
		if deadline == nil || now.Before(*deadline) {
			return nil
		}
		if err := mark(); err != nil {
			return err
		}
		a := s.args(other, kind)
		a["deadline"] = deadline.UTC().Format(notify.DeadlineFormat)
		return s.tellOrg(ctx, tx, r.OrgID, notify.CybOverdue, path, a)
	}
	return nil
}

func (s *Service) tellOrg(ctx context.Context, tx *store.Tx, orgID string, k notify.Kind, path string, args notify.Args) error {
	if s.notify == nil {
		return nil
	}
	return s.notify.NotifyOrg(ctx, tx, orgID, workers, k, path, args)
}

// purge deletes a closed request's content once its retention is over:
// the fields, the notes and the evidence go; who asked whom, under which
// basis, when, and the ledger's hashes of every envelope remain.
func (s *Service) purge(ctx context.Context, tx *store.Tx, r Request) error {
	if _, err := tx.Exec(ctx, `UPDATE cyb_requests SET fields = '{}', reference = '', purged = TRUE, updated_at = ? WHERE id = ?`, tx.Now, r.ID); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE cyb_events SET note = '' WHERE request_id = ?`, r.ID); err != nil {
		return err
	}
	for _, h := range s.purgeHooks {
		if err := h(ctx, tx, r.ID); err != nil {
			return err
		}
	}
	return nil
}

// OnPurge registers what else goes when a request's content is deleted
// (its evidence files).
func (s *Service) OnPurge(h func(ctx context.Context, tx *store.Tx, requestID string) error) {
	s.purgeHooks = append(s.purgeHooks, h)
}

// Backdate moves every date of a request's copies on this node back by d:
// for demonstrations and tests of the clocks, never for real requests (no
// route calls it).
func Backdate(ctx context.Context, db *store.DB, originID string, d time.Duration) error {
	return db.WithTx(ctx, func(tx *store.Tx) error {
		var ids []string
		if err := tx.Select(ctx, &ids, `SELECT id FROM cyb_requests WHERE origin_id = ?`, originID); err != nil {
			return err
		}
		for _, id := range ids {
			var r Request
			if err := tx.Get(ctx, &r, `SELECT `+requestColumns+` FROM cyb_requests WHERE id = ?`, id); err != nil {
				return err
			}
			back := func(t *time.Time) *time.Time {
				if t == nil {
					return nil
				}
				b := t.Add(-d)
				return &b
			}
			if _, err := tx.Exec(ctx, `UPDATE cyb_requests SET created_at = ?, sent_at = ?, respond_by = ?, execute_by = ?, acknowledged_at = ?, preserved_at = ?,
				preserved_until = ?, executed_at = ? WHERE id = ?`, r.CreatedAt.Add(-d), back(r.SentAt), back(r.RespondBy), back(r.ExecuteBy), back(r.AckAt),
				back(r.PreservAt), back(r.PreservedUntil), back(r.ExecutedAt), id); err != nil {
				return err
			}
			var evs []Event
			if err := tx.Select(ctx, &evs, `SELECT `+eventColumns+` FROM cyb_events WHERE request_id = ?`, id); err != nil {
				return err
			}
			for _, e := range evs {
				if _, err := tx.Exec(ctx, `UPDATE cyb_events SET at = ?, until_at = ? WHERE id = ?`, e.At.Add(-d), back(e.Until), e.ID); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
