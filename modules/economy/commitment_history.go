package economy

import (
	"context"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/store"
)

// Change is one change of a commitment's status or deadline.
type Change struct {
	At       time.Time `db:"at" json:"at"`
	ByName   string    `db:"by_name" json:"by"`
	Status   string    `db:"status" json:"status"`
	Deadline string    `db:"deadline" json:"deadline,omitempty"`
}

// recordChange notes the commitment's status and deadline as the actor
// left them, in the transaction that changed them.
func recordChange(ctx context.Context, tx *store.Tx, c Commitment) error {
	a := core.ActorFrom(ctx)
	name := a.Name
	if name == "" {
		name = a.UserID
	}
	_, err := tx.Exec(ctx, `INSERT INTO eco_commitment_history (commitment_id, at, by_id, by_name, status, deadline) VALUES (?, ?, ?, ?, ?, ?)`,
		c.ID, tx.Now, a.UserID, name, c.Status, c.Deadline)
	return err
}

// History lists the changes of a commitment's status and deadline, oldest
// first, to those who may read the commitment.
func (s *Service) History(ctx context.Context, id string) ([]Change, error) {
	if _, err := s.Commitment(ctx, id); err != nil {
		return nil, err
	}
	out := []Change{}
	err := s.db.R().Select(ctx, &out, `SELECT at, by_name, status, deadline FROM eco_commitment_history WHERE commitment_id = ? ORDER BY at, status`, id)
	return out, core.Wrap("economy: history", err)
}
