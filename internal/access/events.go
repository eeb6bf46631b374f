package access

import (
	"strings"

	"entente.example/entente/core"
)

// Events. Anyone signed in sees the events list and may register for an
// event they can see; which events they see is EventFilter's (public
// events, their organisations' own, those their organisations are invited
// to, and those they registered for). An organisation's admins, officers
// and analysts organise its events: create, edit, cancel, invite, see who
// registered and mark attendance. A public event is open without signing
// in: its page, its calendar file, its organisation's public feed, and
// registration by name and e-mail with a link to cancel; so is a person's
// own feed, reached by a secret address because calendar programs cannot
// sign in. Node administrators get no pass.
const (
	EventsRead   Action = "events.read"
	EventsWrite  Action = "events.write"
	EventsPublic Action = "events.public"
	// EventsSignUp is registering for, or cancelling a place at, a public
	// event without an account (the service throttles it).
	EventsSignUp Action = "events.signup"
)

func init() {
	policy[EventsRead] = rule{}
	policy[EventsWrite] = rule{write: true, allow: memberWith(core.RoleAdmin, core.RoleOfficer, core.RoleAnalyst)}
	policy[EventsPublic] = rule{anonymous: true}
	policy[EventsSignUp] = rule{anonymous: true, write: true}
}

// EventOrganiser reports whether a organises events for the organisation.
func EventOrganiser(a core.Actor, orgID string) bool {
	return Check(a, EventsWrite, Resource{OrgID: orgID}) == nil
}

// EventFilter is the condition on the ev_events row aliased e that lets
// the actor see it: a public event is anyone's; an organisation's people
// see its events whatever their audience; an invited organisation's
// people (ids on this node, addrs their addresses handle@host) see the
// events it is invited to; a person sees the events they registered for
// or were invited to by e-mail. An anonymous actor sees only public events.
func EventFilter(a core.Actor, host string) (string, []any) {
	public := `(e.audience = 'public')`
	if a.Anonymous() {
		return public, nil
	}
	var ids, addrs []any
	for _, m := range a.Memberships {
		ids = append(ids, m.Org.ID)
		addrs = append(addrs, m.Org.Handle+"@"+host)
	}
	marks := func(n int) string { return "(" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")" }
	cond := public + ` OR e.id IN (SELECT r.event_id FROM ev_registrations r WHERE r.user_id = ? AND r.state <> 'cancelled')`
	args := []any{a.UserID}
	if a.Email != "" {
		cond += ` OR e.id IN (SELECT i.event_id FROM ev_invites i WHERE i.email = ?)`
		args = append(args, strings.ToLower(a.Email))
	}
	if len(ids) > 0 {
		cond += ` OR e.org_id IN ` + marks(len(ids)) + ` OR (e.audience = 'invited' AND e.id IN (SELECT v.event_id FROM ev_invited v WHERE v.addr IN ` + marks(len(addrs)) + `))`
		args = append(append(args, ids...), addrs...)
	}
	return cond, args
}

// EventCopyFilter is the condition on the ev_copies row aliased c (the
// copy of an event organised on a peer's node) that lets the actor see
// it: the people of the organisations of this node it invites, and the
// people who registered for it from this node. Nobody else, anonymous
// readers and node administrators included: the organiser shared it with
// those organisations only.
func EventCopyFilter(a core.Actor, host string) (string, []any) {
	if a.Anonymous() {
		return `1 = 0`, nil
	}
	cond := `c.id IN (SELECT g.event_id FROM ev_remote_regs g WHERE g.user_id = ? AND g.state <> 'cancelled')`
	args := []any{a.UserID}
	if len(a.Memberships) > 0 {
		cond += ` OR c.id IN (SELECT v.event_id FROM ev_copy_invited v WHERE v.addr IN ` + Marks(len(a.Memberships)) + `)`
		for _, m := range a.Memberships {
			args = append(args, m.Org.Handle+"@"+host)
		}
	}
	return cond, args
}

// Marks is n placeholders in parentheses, for an IN list.
func Marks(n int) string { return "(" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")" }
