package capacity

import (
	"context"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/store"
)

// Changing and closing needs and offers. Each change travels to the nodes
// that hold a copy (and withdraws it from those that may no longer read
// it); closing a need declines what was proposed for it.

// ownNeed takes the row of a need of this node that the actor writes for,
// in tx.
func (s *Service) ownNeed(ctx context.Context, tx *store.Tx, id string) (Need, error) {
	if _, err := tx.Exec(ctx, `UPDATE cap_needs SET rev = rev WHERE id = ? AND origin = ''`, id); err != nil {
		return Need{}, core.Wrap("capacity: need", err)
	}
	n, err := s.getNeed(ctx, tx.Conn, id)
	if err != nil {
		return Need{}, err
	}
	if n.Origin != "" || n.OrgID == "" {
		return Need{}, core.E(core.KindForbidden, "capacity: need", "err.forbidden")
	}
	if err := access.Check(core.ActorFrom(ctx), access.CapacityWrite, access.Resource{OrgID: n.OrgID}); err != nil {
		return Need{}, err
	}
	return n, nil
}

// UpdateNeed changes what a need of the actor's organisation asks, and
// who sees it. Its status stays.
func (s *Service) UpdateNeed(ctx context.Context, id string, n Need) (Need, error) {
	if err := access.Check(core.ActorFrom(ctx), access.CapacityWrite, access.Resource{}); err != nil {
		return Need{}, err
	}
	if err := n.Validate().Err("capacity: update need"); err != nil {
		return n, err
	}
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		old, err := s.ownNeed(ctx, tx, id)
		if err != nil {
			return err
		}
		n.ID, n.OrgID, n.Owner, n.Status, n.ProjectID, n.Origin, n.CreatedAt, n.UpdatedAt = old.ID, old.OrgID, old.Owner, old.Status, old.ProjectID, "", old.CreatedAt, tx.Now
		if err := saveNeed(ctx, tx, n, false); err != nil {
			return err
		}
		if err := s.publish(ctx, tx, kindNeed, n.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "capacity.need.update", "cap_need", n.ID, n.OrgID, n.Title)
	})
	return n, err
}

// CloseNeed closes an open need of the actor's organisation: it takes no
// more proposals, and those waiting are declined.
func (s *Service) CloseNeed(ctx context.Context, id string) (Need, error) {
	if err := access.Check(core.ActorFrom(ctx), access.CapacityWrite, access.Resource{}); err != nil {
		return Need{}, err
	}
	var n Need
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		if n, err = s.ownNeed(ctx, tx, id); err != nil {
			return err
		}
		if n.Status != NeedOpen {
			return core.E(core.KindConflict, "capacity: close need", "err.cap_need_not_open")
		}
		n.Status, n.UpdatedAt = NeedClosed, tx.Now
		if _, err := tx.Exec(ctx, `UPDATE cap_needs SET status = ?, updated_at = ? WHERE id = ?`, n.Status, n.UpdatedAt, n.ID); err != nil {
			return core.Wrap("capacity: close need", err)
		}
		if err := s.declineOthers(ctx, tx, n, "", ReasonClosed); err != nil {
			return err
		}
		if err := s.publish(ctx, tx, kindNeed, n.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "capacity.need.close", "cap_need", n.ID, n.OrgID, n.Title)
	})
	return n, err
}

// UpdateOffer changes an offer of the actor's organisation.
func (s *Service) UpdateOffer(ctx context.Context, id string, o Offer) (Offer, error) {
	a := core.ActorFrom(ctx)
	if err := access.Check(a, access.CapacityWrite, access.Resource{}); err != nil {
		return Offer{}, err
	}
	if err := o.Validate().Err("capacity: update offer"); err != nil {
		return o, err
	}
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		old, err := s.getOffer(ctx, tx.Conn, id)
		if err != nil {
			return err
		}
		if old.Origin != "" || old.OrgID == "" {
			return core.E(core.KindForbidden, "capacity: update offer", "err.forbidden")
		}
		if err := access.Check(a, access.CapacityWrite, access.Resource{OrgID: old.OrgID}); err != nil {
			return err
		}
		o.ID, o.OrgID, o.Owner, o.Origin, o.CreatedAt, o.UpdatedAt = old.ID, old.OrgID, old.Owner, "", old.CreatedAt, tx.Now
		if err := saveOffer(ctx, tx, o, false); err != nil {
			return err
		}
		if err := s.publish(ctx, tx, kindOffer, o.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "capacity.offer.update", "cap_offer", o.ID, o.OrgID, o.Title)
	})
	return o, err
}
