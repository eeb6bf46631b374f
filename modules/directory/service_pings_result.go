package directory

import (
	"context"
	"slices"
	"sort"
	"time"

	"entente.example/entente/core"
)

// PingView is a ping with its targets and its figures.
type PingView struct {
	Ping
	Network    Network
	Targets    []Target
	ByMember   []Tally
	ByCategory []Tally
	Total      Tally
}

// PingResult returns a ping of a hosted network, for its secretariat.
func (s *Networks) PingResult(ctx context.Context, id string) (PingView, error) {
	var v PingView
	if err := s.db.R().Get(ctx, &v.Ping, `SELECT id, network_id, started_by, started_at, deadline, state, finished_at, message, message_id, 0 AS targets, 0 AS acknowledged FROM poc_pings WHERE id = ?`, id); err != nil {
		return v, core.Wrap("directory: ping", err)
	}
	n, err := s.network(ctx, s.db.R(), v.NetworkID)
	if err != nil {
		return v, err
	}
	if err := s.checkManage(ctx, n); err != nil {
		return v, err
	}
	v.Network = n
	if err := s.db.R().Select(ctx, &v.Targets, `SELECT `+targetColumns+` FROM poc_ping_targets WHERE ping_id = ? ORDER BY member_addr, category, escalated_from, id`, id); err != nil {
		return v, core.Wrap("directory: ping", err)
	}
	// Whether a ping reached a node is the outbox's word, with its receipt.
	var envs []string
	for _, t := range v.Targets {
		if t.EnvelopeID != "" && t.DeliveredAt == nil {
			envs = append(envs, t.EnvelopeID)
		}
	}
	ds, err := s.fed.Deliveries(ctx, envs)
	if err != nil {
		return v, err
	}
	for i, t := range v.Targets {
		if d, ok := ds[t.EnvelopeID]; ok && d.DeliveredAt != nil {
			v.Targets[i].DeliveredAt = d.DeliveredAt
		}
	}
	primary := slices.DeleteFunc(slices.Clone(v.Targets), func(t Target) bool { return t.EscalatedFrom != "" })
	v.ByMember = tally(primary, func(t Target) string { return t.Member })
	v.ByCategory = tally(slices.DeleteFunc(slices.Clone(primary), func(t Target) bool { return t.State == TargetNoContact }), func(t Target) string { return t.Category })
	all := tally(primary, func(Target) string { return "" })
	if len(all) > 0 {
		v.Total = all[0]
	}
	v.Ping.Targets, v.Ping.Acknowledged = v.Total.Targets, v.Total.Acknowledged
	return v, nil
}

// tally groups targets and counts their outcomes; the median response time
// is over those that acknowledged.
func tally(ts []Target, key func(Target) string) []Tally {
	by := map[string]*Tally{}
	times := map[string][]time.Duration{}
	var keys []string
	for _, t := range ts {
		k := key(t)
		x, ok := by[k]
		if !ok {
			x = &Tally{Key: k}
			by[k] = x
			keys = append(keys, k)
		}
		if t.State == TargetNoContact {
			// A member with no contact was never asked: it is shown, not
			// counted against the rate.
			x.NoContact++
			continue
		}
		x.Targets++
		switch t.State {
		case TargetAcknowledged:
			x.Acknowledged++
			times[k] = append(times[k], t.ResponseTime())
		case TargetOverdue:
			x.Overdue++
		case TargetUnreachable:
			x.Unreachable++
		default:
			x.Pending++
		}
	}
	sort.Strings(keys)
	out := make([]Tally, len(keys))
	for i, k := range keys {
		d := times[k]
		slices.Sort(d)
		if len(d) > 0 {
			by[k].Median = d[len(d)/2]
		}
		out[i] = *by[k]
	}
	return out
}
