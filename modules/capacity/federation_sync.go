package capacity

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
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

// Sync sends the peers what they are owed, as far as this node knows: the
// copy of a record a verified peer may read and does not hold, or holds at
// an older rev; the withdrawal of one it may no longer read; a decision
// made while the donor's node was not verified.
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
	// One record that fails (a peer's key gone, a busy database) does not
	// keep the others from their peers.
	var errs []error
	for _, k := range []struct{ kind, table string }{{kindNeed, "cap_needs"}, {kindOffer, "cap_offers"}, {kindProject, "cap_projects"}} {
		var rows []syncRow
		if err := s.db.R().Select(ctx, &rows, `SELECT id, visibility, shared_with, rev FROM `+k.table+` WHERE origin = '' ORDER BY id`); err != nil {
			return core.Wrap("capacity: sync", err)
		}
		var held []struct {
			ID   string `db:"record_id"`
			Host string `db:"host"`
			Rev  int64  `db:"rev"`
		}
		if err := s.db.R().Select(ctx, &held, `SELECT record_id, host, rev FROM cap_copies WHERE kind = ?`, k.kind); err != nil {
			return core.Wrap("capacity: sync", err)
		}
		has := map[string]map[string]int64{}
		for _, h := range held {
			if has[h.ID] == nil {
				has[h.ID] = map[string]int64{}
			}
			has[h.ID][h.Host] = h.Rev
		}
		for _, r := range rows {
			if !federation.TaggedBy(r.ID, s.fed.Host()) || !s.owed(ctx, k.kind, r, verified, has[r.ID]) {
				continue
			}
			if err := s.db.WithTx(ctx, func(tx *store.Tx) error { return s.publish(ctx, tx, k.kind, r.ID) }); err != nil {
				errs = append(errs, fmt.Errorf("capacity: sync %s %s: %w", k.kind, r.ID, err))
			}
		}
	}
	errs = append(errs, s.sendOwedAnswers(ctx, verified))
	return errors.Join(errs...)
}

type syncRow struct {
	ID         string `db:"id"`
	Visibility string `db:"visibility"`
	SharedWith string `db:"shared_with"`
	Rev        int64  `db:"rev"`
}

// owed reports whether a verified peer lacks the record's copy (or holds
// an older one), or holds one it may no longer read.
func (s *Service) owed(ctx context.Context, kind string, r syncRow, verified map[string]bool, held map[string]int64) bool {
	readers := map[string]bool{}
	if r.Visibility == Public {
		readers = verified
	} else {
		var shared []string
		if json.Unmarshal([]byte(r.SharedWith), &shared) != nil {
			return false
		}
		for _, a := range shared {
			if _, h, ok := federation.Address(a); ok {
				readers[h] = true
			}
		}
	}
	for h := range readers {
		if rev, ok := held[h]; verified[h] && (!ok || rev < r.Rev) {
			return true
		}
	}
	for h, rev := range held {
		if !verified[h] || readers[h] {
			continue
		}
		// Held by a node that may not read it: a party to its Clearing
		// House (kept in step), or owed a withdrawal.
		if rev < r.Rev || !s.party(ctx, kind, r.ID, h) {
			return true
		}
	}
	return false
}

// party reports whether host's organisations take part in the record's
// Clearing House: a donor there proposed for the need, or the offer was
// proposed to a need there.
func (s *Service) party(ctx context.Context, kind, id, host string) bool {
	var addrs []string
	switch kind {
	case kindNeed:
		_ = s.db.R().Select(ctx, &addrs, `SELECT proposer FROM cap_proposals WHERE need_id = ? AND origin <> '' AND status IN ('proposed', 'accepted')`, id)
	case kindOffer:
		_ = s.db.R().Select(ctx, &addrs, `SELECT n.owner FROM cap_proposals p JOIN cap_needs n ON n.id = p.need_id WHERE p.offer_id = ? AND n.origin <> '' AND p.status IN ('proposed', 'accepted')`, id)
	}
	return len(onHost(addrs, host)) > 0
}

// sendOwedAnswers sends the decisions made while their donors' nodes were
// not verified, as they were signed then.
func (s *Service) sendOwedAnswers(ctx context.Context, verified map[string]bool) error {
	var owed []Proposal
	if err := s.db.R().Select(ctx, &owed, `SELECT `+proposalCols+` FROM cap_proposals p JOIN cap_offers o ON o.id = p.offer_id WHERE p.answer_owed = 1 ORDER BY p.id`); err != nil {
		return core.Wrap("capacity: sync", err)
	}
	var errs []error
	for _, p := range owed {
		if _, h, ok := federation.Address(p.Proposer); !ok || !verified[h] {
			continue
		}
		err := s.db.WithTx(ctx, func(tx *store.Tx) error {
			var owner string
			if err := tx.Get(ctx, &owner, `SELECT owner FROM cap_needs WHERE id = ?`, p.NeedID); err != nil {
				return core.Wrap("capacity: sync", err)
			}
			from, _, _ := federation.Address(owner)
			n, err := tx.Exec(ctx, `UPDATE cap_proposals SET answer_owed = 0 WHERE id = ? AND answer_owed = 1`, p.ID)
			if err != nil || n == 0 {
				return core.Wrap("capacity: sync", err)
			}
			return s.sendStatement(ctx, tx, TypeDecision, from, p.Proposer, p.Decision)
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("capacity: sync decision %s: %w", p.ID, err))
		}
	}
	return errors.Join(errs...)
}
