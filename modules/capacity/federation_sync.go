package capacity

import (
	"context"
	"encoding/json"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/jobs"
	"entente.example/entente/internal/store"
)

// ScheduleSync catches up the peers verified since a record last changed
// (publish sends only to verified peers): every quarter of an hour, a
// record of this node whose readers' nodes lack its copy is published
// again.
func (s *Service) ScheduleSync(q *jobs.Queue) {
	q.Register(jobs.Kind{Name: "capacity.sync", Handle: func(ctx context.Context, _ []byte) error { return s.Sync(ctx) }})
	q.Every("capacity.sync", 15*time.Minute)
}

// Sync publishes again every record of this node that a verified peer
// should hold and does not, as far as this node knows.
func (s *Service) Sync(ctx context.Context) error {
	if s.fed == nil {
		return nil
	}
	orgs, err := s.fed.RemoteOrgs(ctx)
	if err != nil {
		return err
	}
	verified := map[string]bool{}
	for _, o := range orgs {
		verified[o.Host] = true
	}
	if len(verified) == 0 {
		return nil
	}
	for _, k := range []struct{ kind, table string }{{kindNeed, "cap_needs"}, {kindOffer, "cap_offers"}, {kindProject, "cap_projects"}} {
		var rows []struct {
			ID         string `db:"id"`
			Visibility string `db:"visibility"`
			SharedWith string `db:"shared_with"`
		}
		if err := s.db.R().Select(ctx, &rows, `SELECT id, visibility, shared_with FROM `+k.table+` WHERE origin = '' AND visibility IN ('public', 'shared') ORDER BY id`); err != nil {
			return core.Wrap("capacity: sync", err)
		}
		var held []struct {
			ID   string `db:"record_id"`
			Host string `db:"host"`
		}
		if err := s.db.R().Select(ctx, &held, `SELECT record_id, host FROM cap_copies WHERE kind = ?`, k.kind); err != nil {
			return core.Wrap("capacity: sync", err)
		}
		has := map[[2]string]bool{}
		for _, h := range held {
			has[[2]string{h.ID, h.Host}] = true
		}
		for _, r := range rows {
			if !federation.TaggedBy(r.ID, s.fed.Host()) || !s.missing(r.ID, r.Visibility, r.SharedWith, verified, has) {
				continue
			}
			if err := s.db.WithTx(ctx, func(tx *store.Tx) error { return s.publish(ctx, tx, k.kind, r.ID) }); err != nil {
				return err
			}
		}
	}
	return nil
}

// missing reports whether a verified node that may read the record lacks
// its copy.
func (s *Service) missing(id, vis, sharedJSON string, verified map[string]bool, has map[[2]string]bool) bool {
	if vis == Public {
		for h := range verified {
			if !has[[2]string{id, h}] {
				return true
			}
		}
		return false
	}
	var shared []string
	if json.Unmarshal([]byte(sharedJSON), &shared) != nil {
		return false
	}
	for _, a := range shared {
		if _, h, ok := federation.Address(a); ok && verified[h] && !has[[2]string{id, h}] {
			return true
		}
	}
	return false
}
