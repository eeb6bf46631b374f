package dialogue

import (
	"context"
	"net"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/ical"
	"entente.example/entente/internal/store"
)

// eventFeedLimit is how many events a feed holds: the latest-starting
// ones, which is what a calendar program shows.
const eventFeedLimit = 10000

func hostOnly(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		return h
	}
	return host
}

func (s *Events) prodID() string { return "-//Entente//" + s.fed.Host() + "//EN" }

// vevent is the event as a calendar holds it. Its UID is the event's id
// at this node's host, the same in every file, feed and e-mail, so that a
// calendar program replaces its copy rather than adding a second.
func (s *Events) vevent(e Event, now time.Time) ical.Event {
	desc := e.Description
	if e.OnlineURL != "" {
		desc = strings.TrimSpace(desc + "\n\n" + e.OnlineURL)
	}
	if e.Cancelled() && e.CancelReason != "" {
		desc = strings.TrimSpace(e.CancelReason + "\n\n" + desc)
	}
	// A peer's event keeps its organiser's UID: the same event in every
	// calendar, whichever node's feed or e-mail brought it.
	host := s.fed.Host()
	if e.Host != "" {
		host = e.Host
	}
	return ical.Event{
		UID: e.ID + "@" + hostOnly(host), Stamp: now, Start: e.Start, End: e.End, Zone: e.Location(),
		Sequence: e.Sequence, Cancelled: e.Cancelled(), Summary: e.Title, Description: desc, Location: e.Place(),
		URL: s.people.BaseURL() + eventPath(e.ID), Modified: e.UpdatedAt,
	}
}

// Calendar is events as one calendar (METHOD:PUBLISH) named name.
func (s *Events) Calendar(name string, events []Event) ical.Calendar {
	now := s.Now()
	c := ical.Calendar{ProdID: s.prodID(), Method: ical.MethodPublish, Name: name, Events: make([]ical.Event, 0, len(events))}
	for _, e := range events {
		c.Events = append(c.Events, s.vevent(e, now))
	}
	return c
}

// EventFile is the calendar file of one event the actor may see.
func (s *Events) EventFile(ctx context.Context, id string) (ical.Calendar, error) {
	e, err := s.Get(ctx, id)
	if err != nil {
		return ical.Calendar{}, err
	}
	if !s.ShowsLink(ctx, e) {
		e.OnlineURL = ""
	}
	return s.Calendar(e.Title, []Event{e}), nil
}

// OrgFeed is an organisation's public events, past and to come,
// cancelled ones included (marked so): what anyone may subscribe to.
func (s *Events) OrgFeed(ctx context.Context, handle string) (ical.Calendar, error) {
	var name string
	if err := s.db.R().Get(ctx, &name, `SELECT name_en FROM organisations WHERE handle = ?`, handle); err != nil {
		if core.KindOf(err) == core.KindNotFound {
			return ical.Calendar{}, errEventNotFound
		}
		return ical.Calendar{}, core.Wrap("events: feed", err)
	}
	events, err := s.selectEvents(ctx, `o.handle = ? AND e.audience = 'public'`, `e.start_at DESC, e.id DESC`, eventFeedLimit, []any{handle})
	if err != nil {
		return ical.Calendar{}, err
	}
	for i := range events {
		events[i].OnlineURL = "" // a public feed is anyone's: the link goes to people with a place
	}
	return s.Calendar(name, events), nil
}

// PersonFeed is the calendar of the person whose secret feed address
// this is: the events they may see and those they registered for.
func (s *Events) PersonFeed(ctx context.Context, tok string) (ical.Calendar, error) {
	var userID string
	if err := s.db.R().Get(ctx, &userID, `SELECT user_id FROM ev_feed_tokens WHERE token_hash = ?`, eventTokenHash(tok)); err != nil {
		if core.KindOf(err) == core.KindNotFound {
			return ical.Calendar{}, errEventNotFound
		}
		return ical.Calendar{}, core.Wrap("events: feed", err)
	}
	a, err := s.feedActor(ctx, userID)
	if err != nil {
		return ical.Calendar{}, err
	}
	events, err := s.FeedEvents(core.WithActor(ctx, a))
	if err != nil {
		return ical.Calendar{}, err
	}
	return s.Calendar("Entente — "+a.Name, events), nil
}

// FeedEvents are the events of the actor's own feed: those they may see
// of their organisations (public events of others only once they
// register), newest first.
func (s *Events) FeedEvents(ctx context.Context) ([]Event, error) {
	a := core.ActorFrom(ctx)
	cond, args := s.personalFilter(a)
	local, err := s.selectEvents(ctx, cond, `e.start_at DESC, e.id DESC`, eventFeedLimit, args)
	if err != nil {
		return nil, err
	}
	return s.withCopies(ctx, local, true, eventFeedLimit, func(a core.Actor) (string, []any) { return access.EventCopyFilter(a, s.fed.Host()) })
}

// personalFilter is EventFilter without "every public event": a person's
// calendar holds their organisations' events, those they are invited to,
// and those they registered for, not every public event of the node.
func (s *Events) personalFilter(a core.Actor) (string, []any) {
	var ids, addrs []any
	for _, m := range a.Memberships {
		ids = append(ids, m.Org.ID)
		addrs = append(addrs, m.Org.Handle+"@"+s.fed.Host())
	}
	cond := `(e.id IN (SELECT r.event_id FROM ev_registrations r WHERE r.user_id = ? AND r.state <> 'cancelled')`
	args := []any{a.UserID}
	if a.Email != "" {
		cond += ` OR e.id IN (SELECT i.event_id FROM ev_invites i WHERE i.email = ?)`
		args = append(args, strings.ToLower(a.Email))
	}
	if len(ids) > 0 {
		marks := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ") + ")"
		cond += ` OR e.org_id IN ` + marks + ` OR (e.audience = 'invited' AND e.id IN (SELECT v.event_id FROM ev_invited v WHERE v.addr IN ` + marks + `))`
		args = append(append(args, ids...), addrs...)
	}
	return cond + `)`, args
}

// feedActor is the person a feed belongs to, with their memberships as
// they are now (a person who left an organisation no longer sees its
// events in their feed), or not found for a disabled account.
func (s *Events) feedActor(ctx context.Context, userID string) (core.Actor, error) {
	var u struct {
		Name     string `db:"name"`
		Email    string `db:"email"`
		Disabled bool   `db:"disabled"`
	}
	if err := s.db.R().Get(ctx, &u, `SELECT name, email, disabled FROM users WHERE id = ?`, userID); err != nil || u.Disabled {
		return core.Actor{}, errEventNotFound
	}
	var ms []struct {
		ID     string `db:"id"`
		Handle string `db:"handle"`
		Role   string `db:"role"`
	}
	if err := s.db.R().Select(ctx, &ms, `SELECT o.id, o.handle, m.role FROM memberships m JOIN organisations o ON o.id = m.org_id WHERE m.user_id = ?`, userID); err != nil {
		return core.Actor{}, core.Wrap("events: feed", err)
	}
	a := core.Actor{UserID: userID, Name: u.Name, Email: u.Email}
	for _, m := range ms {
		a.Memberships = append(a.Memberships, core.Membership{Org: core.OrgRef{ID: m.ID, Handle: m.Handle}, Role: core.Role(m.Role)})
	}
	return a, nil
}

// ResetFeed gives the actor a new secret feed address (the old one stops
// working) and returns its secret, shown once.
func (s *Events) ResetFeed(ctx context.Context) (string, error) {
	a := core.ActorFrom(ctx)
	if a.Anonymous() {
		return "", &core.Error{Kind: core.KindUnauthenticated, Op: "events: feed", Message: "err.unauthenticated"}
	}
	tok := eventNewToken()
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM ev_feed_tokens WHERE user_id = ?`, a.UserID); err != nil {
			return core.Wrap("events: feed", err)
		}
		_, err := tx.Exec(ctx, `INSERT INTO ev_feed_tokens (user_id, token_hash, created_at) VALUES (?, ?, ?)`, a.UserID, eventTokenHash(tok), tx.Now)
		return core.Wrap("events: feed", err)
	})
	return tok, err
}

// HasFeed reports whether the actor has a feed address, and since when.
func (s *Events) HasFeed(ctx context.Context) (time.Time, bool) {
	var at []time.Time
	a := core.ActorFrom(ctx)
	if err := s.db.R().Select(ctx, &at, `SELECT created_at FROM ev_feed_tokens WHERE user_id = ?`, a.UserID); err != nil || len(at) == 0 {
		return time.Time{}, false
	}
	return at[0], true
}

// ShowsLink reports whether the actor may have a public event's online
// meeting link: its organisers and the people with a place. A full event's
// waiting list, and the public, do not: the link would let them in anyway.
// Events for an organisation or invited organisations keep it for whoever
// sees them.
func (s *Events) ShowsLink(ctx context.Context, e Event) bool {
	if e.Audience != EventPublic || s.CanOrganise(ctx, e) {
		return true
	}
	r, err := s.MyRegistration(ctx, e.ID)
	return err == nil && r != nil && r.State == EventRegistered
}
