package dialogue

import (
	"context"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
)

// Invitations waits on a person: the events to come, open for
// registration, to which they were invited by e-mail or their
// organisation was invited, for which they have not registered. An
// event's own organisation's people are not counted as invited.
func (s *Events) Invitations(ctx context.Context) ([]Event, error) {
	a := core.ActorFrom(ctx)
	if a.Anonymous() {
		return nil, nil
	}
	cond := `e.status = 'scheduled' AND e.registration_open = TRUE AND e.start_at > ?
		AND e.id NOT IN (SELECT r.event_id FROM ev_registrations r WHERE r.state <> 'cancelled' AND (r.user_id = ? OR r.email = ?))`
	email := strings.ToLower(a.Email)
	args := []any{s.Now().UTC(), a.UserID, email}
	invited := `e.id IN (SELECT i.event_id FROM ev_invites i WHERE i.email = ?)`
	args = append(args, email)
	var own []string
	for _, m := range a.Memberships {
		invited += ` OR e.id IN (SELECT v.event_id FROM ev_invited v WHERE v.addr = ?)`
		args = append(args, m.Org.Handle+"@"+s.fed.Host())
		own = append(own, m.Org.ID)
	}
	cond += ` AND (` + invited + `)`
	for _, id := range own {
		cond += ` AND e.org_id <> ?`
		args = append(args, id)
	}
	local, err := s.selectEvents(ctx, cond, `e.start_at, e.id`, 10, args)
	if err != nil {
		return nil, err
	}
	// Peers' events inviting the actor's organisations, not answered here.
	return s.withCopies(ctx, local, false, 10, func(a core.Actor) (string, []any) {
		if len(a.Memberships) == 0 {
			return `1 = 0`, nil
		}
		cond, args := access.EventCopyFilter(a, s.fed.Host())
		return `(` + cond + `) AND c.status = 'scheduled' AND c.registration_open = TRUE AND c.start_at > ?
			AND c.id IN (SELECT v.event_id FROM ev_copy_invited v WHERE v.addr IN ` + access.Marks(len(a.Memberships)) + `)
			AND c.id NOT IN (SELECT g.event_id FROM ev_remote_regs g WHERE g.user_id = ? AND g.state <> 'cancelled')`,
			append(append(append(args, s.Now().UTC()), orgAddrs(a, s.fed.Host())...), a.UserID)
	})
}

// orgAddrs are the addresses (handle@host) of the actor's organisations.
func orgAddrs(a core.Actor, host string) []any {
	var out []any
	for _, m := range a.Memberships {
		out = append(out, m.Org.Handle+"@"+host)
	}
	return out
}

// Attention implements web.AttentionSource: the invitations not answered,
// the soonest first.
func (m *EventsModule) Attention(ctx context.Context, a core.Actor) ([]web.Attention, error) {
	events, err := m.svc.Invitations(core.WithActor(ctx, a))
	if err != nil {
		return nil, err
	}
	var out []web.Attention
	for _, e := range events {
		start := e.Start
		out = append(out, web.Attention{Key: "ev.attention_invited", Args: []any{e.Title}, Link: eventPath(e.ID), Due: &start})
	}
	return out, nil
}
