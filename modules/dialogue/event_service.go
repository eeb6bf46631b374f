package dialogue

import (
	"context"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store"
)

// eventDialogues shows a linked dialogue's title to a reader who may see
// the dialogue; the dialogues' service implements it.
type eventDialogues interface {
	VisibleTitle(ctx context.Context, id string) (string, bool)
}

// Events is the use cases of events: organising them, registration with a
// waiting list, invitations and reminders by e-mail, and calendars.
type Events struct {
	db        *store.DB
	fed       Fed
	people    notify.People
	dialogues eventDialogues
}

// NewEvents returns the events service. people sends its e-mail (its job
// queue, catalogue and base URL).
// Copies of events that invite organisations on peers travel through fed
// (event.* envelopes).
func NewEvents(db *store.DB, fed Fed, people notify.People) *Events {
	s := &Events{db: db, fed: fed, people: people}
	fed.Handle("event", s)
	return s
}

// UseDialogues lets an event show the title of the dialogue it is linked to.
func (s *Events) UseDialogues(d eventDialogues) { s.dialogues = d }

// Now is the service's clock.
func (s *Events) Now() time.Time { return s.db.Clock().Now() }

// Host is this node's host.
func (s *Events) Host() string { return s.fed.Host() }

var errEventNotFound = &core.Error{Kind: core.KindNotFound, Op: "events", Message: "err.not_found"}

// EventOrganisers lists the organisations for which the actor organises
// events: the choices of the form's organiser.
func EventOrganisers(a core.Actor) []core.OrgRef {
	var out []core.OrgRef
	for _, m := range a.Memberships {
		if access.EventOrganiser(a, m.Org.ID) {
			out = append(out, m.Org)
		}
	}
	return out
}

// DialogueTitle is the title of the event's linked dialogue when the
// reader may see it.
func (s *Events) DialogueTitle(ctx context.Context, e Event) (string, bool) {
	if e.DialogueID == "" || s.dialogues == nil {
		return "", false
	}
	return s.dialogues.VisibleTitle(ctx, e.DialogueID)
}

// Create records a new event organised by the actor's organisation org
// (its handle) and sends its invitations.
func (s *Events) Create(ctx context.Context, org string, in Event) (Event, error) {
	a := core.ActorFrom(ctx)
	if err := access.Check(a, access.EventsWrite, access.Resource{}); err != nil {
		return Event{}, err
	}
	p := in.Validate()
	var o core.OrgRef
	for _, x := range EventOrganisers(a) {
		if x.Handle == org {
			o = x
		}
	}
	if o.ID == "" {
		p.Add("org", "err.org_unknown")
	}
	if err := p.Err("events: create"); err != nil {
		return in, err
	}
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		// Tagged by this node, as dialogues are: a peer's copy is believed
		// only from the node its id names.
		in.ID = core.NewID(tx.Now) + "-" + hostTag(s.fed.Host())
		in.OrgID, in.Org, in.Status, in.CancelReason = o.ID, o.Handle, EventScheduled, ""
		in.Sequence, in.Taken, in.CreatedAt, in.UpdatedAt = 0, 0, tx.Now, tx.Now
		if _, err := tx.Exec(ctx, `INSERT INTO ev_events (id, org_id, kind, title, description, languages, online_url, venue_name, venue_address, zone,
			start_at, end_at, agenda, speakers, capacity, registration_open, audience, status, dialogue_id, minutes, outcomes, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			in.ID, in.OrgID, in.Kind, in.Title, in.Description, eventJSON(in.Languages), in.OnlineURL, in.VenueName, in.VenueAddress, in.Zone,
			in.Start.UTC(), in.End.UTC(), eventJSON(in.Agenda), eventJSON(in.Speakers), in.Capacity, in.RegistrationOpen, in.Audience, in.Status,
			in.DialogueID, in.Minutes, in.Outcomes, a.UserID, tx.Now, tx.Now); err != nil {
			return core.Wrap("events: create", err)
		}
		if err := s.setInvited(ctx, tx, in); err != nil {
			return err
		}
		if err := s.sendInvitations(ctx, tx, in.ID); err != nil {
			return err
		}
		if err := s.share(ctx, tx, in.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "events.create", "ev_event", in.ID, o.ID, in.Title)
	})
	if err != nil {
		return in, err
	}
	return s.Get(ctx, in.ID)
}

// Update changes an event. A change of time, place or status raises its
// SEQUENCE and sends the people invited and registered the new version;
// a larger capacity gives places to the waiting list.
func (s *Events) Update(ctx context.Context, id string, in Event) (Event, error) {
	old, err := s.organised(ctx, id)
	if err != nil {
		return Event{}, err
	}
	in.Status = old.Status
	p := in.Validate()
	if err := p.Err("events: update"); err != nil {
		return in, err
	}
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		cur, err := s.lockEvent(ctx, tx, id)
		if err != nil {
			return err
		}
		seq := cur.Sequence
		changed := timeOrPlaceChanged(cur, in)
		if changed {
			seq++
		}
		if _, err := tx.Exec(ctx, `UPDATE ev_events SET kind = ?, title = ?, description = ?, languages = ?, online_url = ?, venue_name = ?, venue_address = ?,
			zone = ?, start_at = ?, end_at = ?, agenda = ?, speakers = ?, capacity = ?, registration_open = ?, audience = ?, dialogue_id = ?,
			minutes = ?, outcomes = ?, sequence = ?, updated_at = ?, reminded_at = CASE WHEN start_at = ? THEN reminded_at ELSE NULL END WHERE id = ?`,
			in.Kind, in.Title, in.Description, eventJSON(in.Languages), in.OnlineURL, in.VenueName, in.VenueAddress, in.Zone, in.Start.UTC(), in.End.UTC(),
			eventJSON(in.Agenda), eventJSON(in.Speakers), in.Capacity, in.RegistrationOpen, in.Audience, in.DialogueID, in.Minutes, in.Outcomes,
			seq, tx.Now, in.Start.UTC(), id); err != nil {
			return core.Wrap("events: update", err)
		}
		if !cur.Start.Equal(in.Start) {
			if _, err := tx.Exec(ctx, `UPDATE ev_registrations SET reminded = FALSE WHERE event_id = ?`, id); err != nil {
				return core.Wrap("events: update", err)
			}
		}
		in.ID, in.OrgID = id, cur.OrgID
		if err := s.setInvited(ctx, tx, in); err != nil {
			return err
		}
		if err := s.promote(ctx, tx, id); err != nil {
			return err
		}
		if changed {
			if err := s.tellRegistered(ctx, tx, id, notify.EventUpdated); err != nil {
				return err
			}
		}
		if err := s.sendInvitations(ctx, tx, id); err != nil {
			return err
		}
		if err := s.share(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "events.update", "ev_event", id, cur.OrgID, in.Title)
	})
	if err != nil {
		return in, err
	}
	return s.Get(ctx, id)
}

// Cancel cancels an event, with a reason its people are told. It stays in
// calendars and feeds, marked cancelled.
func (s *Events) Cancel(ctx context.Context, id, reason string) (Event, error) {
	if _, err := s.organised(ctx, id); err != nil {
		return Event{}, err
	}
	reason = strings.TrimSpace(reason)
	p := core.Problems{}
	switch {
	case reason == "":
		p.Add("reason", "err.required")
	case len(reason) > 2000:
		p.Add("reason", "err.too_long")
	case core.CheckText(reason) != "":
		p.Add("reason", core.CheckText(reason))
	}
	if err := p.Err("events: cancel"); err != nil {
		return Event{}, err
	}
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		cur, err := s.lockEvent(ctx, tx, id)
		if err != nil {
			return err
		}
		if cur.Cancelled() {
			return &core.Error{Kind: core.KindConflict, Op: "events: cancel", Message: "err.ev_cancelled"}
		}
		if _, err := tx.Exec(ctx, `UPDATE ev_events SET status = ?, cancel_reason = ?, sequence = sequence + 1, registration_open = FALSE, updated_at = ? WHERE id = ?`,
			EventCancelled, reason, tx.Now, id); err != nil {
			return core.Wrap("events: cancel", err)
		}
		if err := s.tellRegistered(ctx, tx, id, notify.EventCancelled); err != nil {
			return err
		}
		if err := s.sendInvitations(ctx, tx, id); err != nil {
			return err
		}
		if err := s.share(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "events.cancel", "ev_event", id, cur.OrgID, reason)
	})
	if err != nil {
		return Event{}, err
	}
	return s.Get(ctx, id)
}

// Record keeps the minutes and outcomes of an event.
func (s *Events) Record(ctx context.Context, id, minutes, outcomes string) (Event, error) {
	e, err := s.organised(ctx, id)
	if err != nil {
		return Event{}, err
	}
	e.Minutes, e.Outcomes = minutes, outcomes
	if err := eventOnly(e.Validate(), "minutes", "outcomes").Err("events: minutes"); err != nil {
		return e, err
	}
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE ev_events SET minutes = ?, outcomes = ?, updated_at = ? WHERE id = ?`, e.Minutes, e.Outcomes, tx.Now, id); err != nil {
			return core.Wrap("events: minutes", err)
		}
		return audit.Record(ctx, tx, "events.minutes", "ev_event", id, e.OrgID, e.Title)
	})
	if err != nil {
		return e, err
	}
	return s.Get(ctx, id)
}

// eventOnly keeps the problems of some fields.
func eventOnly(p core.Problems, fields ...string) core.Problems {
	out := core.Problems{}
	for _, f := range fields {
		if v, ok := p[f]; ok {
			out[f] = v
		}
	}
	return out
}

// organised returns an event the actor organises; one it may see but not
// organise is forbidden, one it may not see is not found.
func (s *Events) organised(ctx context.Context, id string) (Event, error) {
	e, err := s.Get(ctx, id)
	if err != nil {
		return Event{}, err
	}
	if e.Host != "" || !access.EventOrganiser(core.ActorFrom(ctx), e.OrgID) {
		return Event{}, &core.Error{Kind: core.KindForbidden, Op: "events", Message: "err.forbidden"}
	}
	return e, nil
}

// CanOrganise reports whether the actor organises the event, for the
// pages' forms.
func (s *Events) CanOrganise(ctx context.Context, e Event) bool {
	return e.Host == "" && access.EventOrganiser(core.ActorFrom(ctx), e.OrgID)
}

// lockEvent reads the event for a change, holding its row until the
// transaction ends (the no-op update is the lock both engines share).
func (s *Events) lockEvent(ctx context.Context, tx *store.Tx, id string) (Event, error) {
	if n, err := tx.Exec(ctx, `UPDATE ev_events SET reg_seq = reg_seq WHERE id = ?`, id); err != nil {
		return Event{}, core.Wrap("events: lock", err)
	} else if n == 0 {
		return Event{}, errEventNotFound
	}
	var e Event
	if err := tx.Get(ctx, &e, `SELECT `+eventColumns+` FROM ev_events e JOIN organisations o ON o.id = e.org_id WHERE e.id = ?`, id); err != nil {
		return Event{}, core.Wrap("events: get", err)
	}
	return e, e.decode()
}

// setInvited replaces the invited organisations and adds the people to
// invite by e-mail: the addresses typed, and the people of invited
// organisations on this node.
func (s *Events) setInvited(ctx context.Context, tx *store.Tx, e Event) error {
	if _, err := tx.Exec(ctx, `DELETE FROM ev_invited WHERE event_id = ?`, e.ID); err != nil {
		return core.Wrap("events: invited", err)
	}
	host := s.fed.Host()
	var local []string
	for _, addr := range e.Invited {
		if _, err := tx.Exec(ctx, `INSERT INTO ev_invited (event_id, addr) VALUES (?, ?)`, e.ID, addr); err != nil {
			return core.Wrap("events: invited", err)
		}
		if h, ho, _ := strings.Cut(addr, "@"); ho == host {
			local = append(local, h)
		}
	}
	type person struct {
		ID    string `db:"id"`
		Email string `db:"email"`
		Lang  string `db:"lang"`
	}
	var people []person
	for _, h := range local {
		var ps []person
		if err := tx.Select(ctx, &ps, `SELECT DISTINCT u.id, u.email, u.lang FROM users u JOIN memberships m ON m.user_id = u.id JOIN organisations o ON o.id = m.org_id
			WHERE o.handle = ? AND u.disabled = FALSE ORDER BY u.id`, h); err != nil {
			return core.Wrap("events: invited", err)
		}
		people = append(people, ps...)
	}
	for _, m := range e.InviteEmails {
		people = append(people, person{Email: m})
	}
	for _, p := range people {
		email := strings.ToLower(strings.TrimSpace(p.Email))
		if email == "" {
			continue
		}
		lang := p.Lang
		if lang == "" {
			lang = "en"
		}
		if _, err := tx.Exec(ctx, `INSERT INTO ev_invites (event_id, email, user_id, lang, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (event_id, email) DO NOTHING`,
			e.ID, email, p.ID, lang, tx.Now); err != nil {
			return core.Wrap("events: invite", err)
		}
	}
	return nil
}

// InviteEmails lists the addresses the organiser typed, for the form.
func (s *Events) inviteEmails(ctx context.Context, id string) ([]string, error) {
	var out []string
	err := s.db.R().Select(ctx, &out, `SELECT email FROM ev_invites WHERE event_id = ? AND user_id = '' ORDER BY email`, id)
	return out, core.Wrap("events: invites", err)
}

// Get returns an event the actor may see; one it may not see is not found.
func (s *Events) Get(ctx context.Context, id string) (Event, error) {
	a := core.ActorFrom(ctx)
	f, args := access.EventFilter(a, s.fed.Host())
	var e Event
	err := s.db.R().Get(ctx, &e, `SELECT `+eventColumns+` FROM ev_events e JOIN organisations o ON o.id = e.org_id WHERE e.id = ? AND (`+f+`)`, append([]any{id}, args...)...)
	if core.KindOf(err) == core.KindNotFound {
		return s.getCopy(ctx, id)
	}
	if err != nil {
		return Event{}, core.Wrap("events: get", err)
	}
	if err := e.decode(); err != nil {
		return Event{}, err
	}
	if e.Audience == EventInvited || access.EventOrganiser(a, e.OrgID) {
		var invited []string
		if err := s.db.R().Select(ctx, &invited, `SELECT addr FROM ev_invited WHERE event_id = ? ORDER BY addr`, id); err != nil {
			return Event{}, core.Wrap("events: get", err)
		}
		e.Invited = invited
	}
	if access.EventOrganiser(a, e.OrgID) {
		if e.InviteEmails, err = s.inviteEmails(ctx, id); err != nil {
			return Event{}, err
		}
	}
	return e, nil
}

// EventListFilter narrows a list of events.
type EventListFilter struct {
	Past bool   // events that ended, latest first; else those to come, soonest first
	Org  string // an organisation's handle on this node
	// Limit is how many at most (50 when zero, 10,000 at most).
	Limit int
}

// List returns the events the actor may see.
func (s *Events) List(ctx context.Context, f EventListFilter) ([]Event, error) {
	cond, args := access.EventFilter(core.ActorFrom(ctx), s.fed.Host())
	where := []string{"(" + cond + ")"}
	order := `e.start_at, e.id`
	if f.Past {
		where, args = append(where, `e.end_at < ?`), append(args, s.Now().UTC())
		order = `e.start_at DESC, e.id DESC`
	} else {
		where, args = append(where, `e.end_at >= ?`), append(args, s.Now().UTC())
	}
	if f.Org != "" {
		where, args = append(where, `o.handle = ?`), append(args, f.Org)
	}
	local, err := s.selectEvents(ctx, strings.Join(where, " AND "), order, f.Limit, args)
	if err != nil || f.Org != "" {
		return local, err
	}
	return s.withCopies(ctx, local, f.Past, f.Limit, func(a core.Actor) (string, []any) {
		cond, args := access.EventCopyFilter(a, s.fed.Host())
		if f.Past {
			return `(` + cond + `) AND c.end_at < ?`, append(args, s.Now().UTC())
		}
		return `(` + cond + `) AND c.end_at >= ?`, append(args, s.Now().UTC())
	})
}

func (s *Events) selectEvents(ctx context.Context, where, order string, limit int, args []any) ([]Event, error) {
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 10000)
	var out []Event
	if err := s.db.R().Select(ctx, &out, `SELECT `+eventColumns+` FROM ev_events e JOIN organisations o ON o.id = e.org_id WHERE `+where+
		` ORDER BY `+order+` LIMIT ?`, append(args, limit)...); err != nil {
		return nil, core.Wrap("events: list", err)
	}
	for i := range out {
		if err := out[i].decode(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
