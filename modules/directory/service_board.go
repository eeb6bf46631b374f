package directory

import (
	"context"
	"slices"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
)

// BoardLine is one network as a focal point sees its own state in it: its
// entries, how each answered the last ping, and nominations still pending.
type BoardLine struct {
	Network  Network
	Member   NetworkMember
	Entries  []BoardEntry
	Pings    int // pings received in this network
	OnTime   int // acknowledged before the deadline
	Late     int
	Missed   int
	Pending  int // nominations waiting for the secretariat
	LastPing *time.Time
}

// Rate is the share of pings acknowledged on time, in percent.
func (b BoardLine) Rate() int { return percent(b.OnTime, b.Pings) }

// BoardEntry is an entry and its last ping.
type BoardEntry struct {
	Entry
	Last *Received
}

// Board is the reachability board of the actor's own points of contact
// across every network its organisations belong to (for a focal point: the
// organisations it is admin of).
func (s *Networks) Board(ctx context.Context) ([]BoardLine, error) {
	a := core.ActorFrom(ctx)
	if err := access.Check(a, access.NetworkRead, access.Resource{}); err != nil {
		return nil, err
	}
	orgs := access.Orgs(a, access.Nominate)
	if len(orgs) == 0 {
		return nil, nil
	}
	marks := strings.TrimSuffix(strings.Repeat("?,", len(orgs)), ",")
	args := make([]any, len(orgs))
	for i, o := range orgs {
		args[i] = o
	}
	var members []NetworkMember
	if err := s.db.R().Select(ctx, &members, `SELECT network_id, addr, org_id, name_en, name_id, country, joined_at, 0 AS entries, NULL AS confirmed_at
		FROM poc_members WHERE org_id IN (`+marks+`) ORDER BY network_id, addr`, args...); err != nil {
		return nil, core.Wrap("directory: board", err)
	}
	var received []Received
	if err := s.db.R().Select(ctx, &received, `SELECT `+receivedColumns+` FROM poc_pings_received r LEFT JOIN poc_networks n ON n.id = r.network_id
		WHERE r.org_id IN (`+marks+`) ORDER BY r.received_at DESC, r.id DESC LIMIT 5000`, args...); err != nil {
		return nil, core.Wrap("directory: board", err)
	}
	var pending []struct {
		NetworkID string `db:"network_id"`
		Member    string `db:"member_addr"`
		N         int    `db:"n"`
	}
	if err := s.db.R().Select(ctx, &pending, `SELECT p.network_id, p.member_addr, COUNT(*) AS n FROM poc_nominations p JOIN poc_members m ON m.network_id = p.network_id AND m.addr = p.member_addr
		WHERE p.status = 'pending' AND m.org_id IN (`+marks+`) GROUP BY p.network_id, p.member_addr`, args...); err != nil {
		return nil, core.Wrap("directory: board", err)
	}
	now := s.db.Clock().Now()
	var out []BoardLine
	for _, m := range members {
		n, err := s.network(ctx, s.db.R(), m.NetworkID)
		if err != nil {
			return nil, err
		}
		line := BoardLine{Network: n, Member: m}
		var es []Entry
		if err := s.db.R().Select(ctx, &es, `SELECT `+entryColumns+` FROM poc_entries WHERE network_id = ? AND member_addr = ? ORDER BY category, deputy, name`, n.ID, m.Addr); err != nil {
			return nil, core.Wrap("directory: board", err)
		}
		for _, e := range es {
			be := BoardEntry{Entry: e}
			if i := slices.IndexFunc(received, func(r Received) bool { return r.EntryID == e.ID }); i >= 0 {
				be.Last = &received[i]
			}
			line.Entries = append(line.Entries, be)
		}
		for _, r := range received {
			if r.NetworkID != n.ID || r.Member != m.Addr {
				continue
			}
			line.Pings++
			if line.LastPing == nil {
				t := r.ReceivedAt
				line.LastPing = &t
			}
			switch {
			case r.AckedAt != nil && !r.AckedAt.After(r.Deadline):
				line.OnTime++
			case r.AckedAt != nil:
				line.Late++
			case now.After(r.Deadline):
				line.Missed++
			}
		}
		for _, p := range pending {
			if p.NetworkID == n.ID && p.Member == m.Addr {
				line.Pending = p.N
			}
		}
		out = append(out, line)
	}
	return out, nil
}

// Transparency is what a secretariat publishes about its network: counts
// and response rates, never contacts.
type Transparency struct {
	Network    Network
	Members    int
	Nominated  int
	ByCategory []Tally // Targets = members with an entry in the category
	Pings      []PingFigures
}

// PingFigures is one ping's published figures.
type PingFigures struct {
	Ping
	Total Tally
}

// PublicFigures returns a hosted network's published figures. A network
// that does not publish is not found.
func (s *Networks) PublicFigures(ctx context.Context, id string) (Transparency, error) {
	n, err := s.network(ctx, s.db.R(), id)
	if err != nil || !n.Transparency || !s.Hosted(n) {
		return Transparency{}, errOp("transparency", core.KindNotFound, "err.not_found")
	}
	t := Transparency{Network: n}
	if err := s.db.R().Get(ctx, &t.Members, `SELECT COUNT(*) FROM poc_members WHERE network_id = ?`, id); err != nil {
		return t, core.Wrap("directory: transparency", err)
	}
	if err := s.db.R().Get(ctx, &t.Nominated, `SELECT COUNT(DISTINCT e.member_addr) FROM poc_entries e JOIN poc_members m ON m.network_id = e.network_id AND m.addr = e.member_addr WHERE e.network_id = ?`, id); err != nil {
		return t, core.Wrap("directory: transparency", err)
	}
	for _, c := range n.Categories {
		var k int
		if err := s.db.R().Get(ctx, &k, `SELECT COUNT(DISTINCT member_addr) FROM poc_entries WHERE network_id = ? AND category = ?`, id, c.Code); err != nil {
			return t, core.Wrap("directory: transparency", err)
		}
		t.ByCategory = append(t.ByCategory, Tally{Key: c.Code, Targets: k})
	}
	pings, err := s.pingsOf(ctx, id, 24)
	if err != nil {
		return t, err
	}
	for _, p := range pings {
		if p.State != PingFinished {
			continue
		}
		var ts []Target
		if err := s.db.R().Select(ctx, &ts, `SELECT `+targetColumns+` FROM poc_ping_targets WHERE ping_id = ? AND escalated_from = ''`, p.ID); err != nil {
			return t, core.Wrap("directory: transparency", err)
		}
		f := PingFigures{Ping: p}
		if all := tally(ts, func(Target) string { return "" }); len(all) > 0 {
			f.Total = all[0]
		}
		t.Pings = append(t.Pings, f)
	}
	return t, nil
}

// MemberResults is, for the secretariat, each member's figures over the
// last finished pings of a network.
func (s *Networks) MemberResults(ctx context.Context, id string, last int) ([]Tally, []Tally, error) {
	n, err := s.network(ctx, s.db.R(), id)
	if err != nil {
		return nil, nil, err
	}
	if err := s.checkManage(ctx, n); err != nil {
		return nil, nil, err
	}
	var ts []Target
	if err := s.db.R().Select(ctx, &ts, `SELECT `+prefixed("t.", targetColumns)+` FROM poc_ping_targets t JOIN poc_pings p ON p.id = t.ping_id
		WHERE p.id IN (SELECT id FROM poc_pings WHERE network_id = ? AND state = 'finished' ORDER BY started_at DESC LIMIT ?) AND t.escalated_from = ''`, id, last); err != nil {
		return nil, nil, core.Wrap("directory: results", err)
	}
	// A member with no contact has no category to count it in.
	cats := slices.DeleteFunc(slices.Clone(ts), func(t Target) bool { return t.State == TargetNoContact })
	return tally(ts, func(t Target) string { return t.Member }), tally(cats, func(t Target) string { return t.Category }), nil
}
