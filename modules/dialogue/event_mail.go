package dialogue

import (
	"context"
	"strconv"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/ical"
	"entente.example/entente/internal/jobs"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store"
)

// eventWhen is an event's start as e-mails say it: in the event's own
// zone, named, so that nobody converts it wrongly.
func eventWhen(e Event) string {
	return e.Start.In(e.Location()).Format("2006-01-02 15:04") + " (" + e.Zone + ")"
}

// eventPath is an event's page.
func eventPath(id string) string { return "/events/" + id }

// mail renders a notification in lang and queues it, with a calendar
// file when cal is not nil.
func (s *Events) mail(ctx context.Context, tx *store.Tx, to, lang string, k notify.Kind, link string, args notify.Args, cal *ical.Calendar) error {
	if lang == "" {
		lang = "en"
	}
	subject, body, err := notify.Render(s.people.Tr, lang, k, link, args)
	if err != nil {
		return err
	}
	m := notify.Message{To: to, Subject: subject, Body: body}
	if cal != nil {
		m.Attachments = []notify.Attachment{{Name: "invite.ics", ContentType: "text/calendar; charset=utf-8; method=" + cal.Method, Data: cal.Bytes()}}
	}
	return s.people.Jobs.Enqueue(ctx, tx, "notify.email", m, jobs.Options{})
}

// mailRegistration tells a registered person about their registration.
// Someone without an account gets the link that cancels (tok, when
// known); people with one, the event's page.
func (s *Events) mailRegistration(ctx context.Context, tx *store.Tx, r EventRegistration, tok string, k notify.Kind, extra notify.Args) error {
	if r.Origin != "" {
		// Their own node tells them; nobody here e-mails a peer's people.
		return s.sendStatus(ctx, tx, r, k.Name)
	}
	e, err := s.txEvent(ctx, tx, r.EventID)
	if err != nil {
		return err
	}
	link := s.people.BaseURL() + eventPath(e.ID)
	if r.UserID == "" && tok != "" {
		link = s.people.BaseURL() + "/event-registrations/" + tok
	}
	args := notify.Args{"title": e.Title}
	for _, p := range k.Params {
		switch p {
		case "when":
			args["when"] = eventWhen(e)
		case "place":
			args["place"] = e.Place()
		}
	}
	for k, v := range extra {
		args[k] = v
	}
	var cal *ical.Calendar
	if k.Name == notify.EventRegistered.Name || k.Name == notify.EventPromoted.Name {
		c, err := s.invitation(ctx, tx, e, r.Email, ical.MethodRequest)
		if err != nil {
			return err
		}
		cal = &c
	}
	return s.mail(ctx, tx, r.Email, r.Lang, k, link, args, cal)
}

func (s *Events) txEvent(ctx context.Context, tx *store.Tx, id string) (Event, error) {
	var e Event
	err := tx.Get(ctx, &e, `SELECT `+eventColumns+` FROM ev_events e JOIN organisations o ON o.id = e.org_id WHERE e.id = ?`, id)
	if core.KindOf(err) == core.KindNotFound {
		return s.txCopy(ctx, tx, id)
	}
	if err != nil {
		return e, core.Wrap("events: get", err)
	}
	return e, e.decode()
}

// tellRegistered e-mails everyone with a place or a turn of a change
// (k is EventUpdated or EventCancelled), with the calendar file that
// updates or removes the event.
func (s *Events) tellRegistered(ctx context.Context, tx *store.Tx, id string, k notify.Kind) error {
	e, err := s.txEvent(ctx, tx, id)
	if err != nil {
		return err
	}
	var regs []EventRegistration
	if err := tx.Select(ctx, &regs, `SELECT `+registrationColumns+` FROM ev_registrations r WHERE r.event_id = ? AND r.state <> 'cancelled' ORDER BY r.position`, id); err != nil {
		return core.Wrap("events: tell", err)
	}
	method := ical.MethodRequest
	args := notify.Args{"title": e.Title, "when": eventWhen(e)}
	if k.Name == notify.EventCancelled.Name {
		method = ical.MethodCancel
		args = notify.Args{"title": e.Title, "reason": e.CancelReason}
	}
	for _, r := range regs {
		// People invited are told by sendInvitations, once.
		var invited int
		if err := tx.Get(ctx, &invited, `SELECT COUNT(*) FROM ev_invites WHERE event_id = ? AND email = ?`, id, r.Email); err != nil {
			return core.Wrap("events: tell", err)
		}
		if invited > 0 || r.Origin != "" {
			continue // a peer's person is told by their node, from its copy
		}
		cal, err := s.invitation(ctx, tx, e, r.Email, method)
		if err != nil {
			return err
		}
		if err := s.mail(ctx, tx, r.Email, r.Lang, k, s.people.BaseURL()+eventPath(id), args, &cal); err != nil {
			return err
		}
	}
	return nil
}

// sendInvitations sends every person invited who has not had the event's
// current SEQUENCE: the invitation (METHOD:REQUEST), its update, or its
// cancellation (METHOD:CANCEL).
func (s *Events) sendInvitations(ctx context.Context, tx *store.Tx, id string) error {
	e, err := s.txEvent(ctx, tx, id)
	if err != nil {
		return err
	}
	return s.sendInvites(ctx, tx, e, "ev_invites")
}

// sendInvites is sendInvitations for the people listed in table: ev_invites
// for events organised here, ev_copy_invites for peers' (whose people this
// node e-mails itself).
func (s *Events) sendInvites(ctx context.Context, tx *store.Tx, e Event, table string) error {
	id := e.ID
	var invites []struct {
		Email string `db:"email"`
		Lang  string `db:"lang"`
		Sent  int    `db:"sent_sequence"`
	}
	if err := tx.Select(ctx, &invites, `SELECT email, lang, sent_sequence FROM `+table+` WHERE event_id = ? AND sent_sequence < ? ORDER BY email`, id, e.Sequence); err != nil {
		// sent_sequence starts at -1, so a new invite is always below.
		return core.Wrap("events: invitations", err)
	}
	link := s.people.BaseURL() + eventPath(id)
	for _, inv := range invites {
		var k notify.Kind
		args := notify.Args{"title": e.Title}
		method := ical.MethodRequest
		switch {
		case e.Cancelled() && inv.Sent < 0:
			continue // never invited to what is already cancelled
		case e.Cancelled():
			k, method, args["reason"] = notify.EventCancelled, ical.MethodCancel, e.CancelReason
		case inv.Sent < 0:
			k, args["org"], args["when"] = notify.EventInvited, e.OrgName, eventWhen(e)
		default:
			k, args["when"] = notify.EventUpdated, eventWhen(e)
		}
		cal, err := s.invitation(ctx, tx, e, inv.Email, method)
		if err != nil {
			return err
		}
		if err := s.mail(ctx, tx, inv.Email, inv.Lang, k, link, args, &cal); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE `+table+` SET sent_sequence = ? WHERE event_id = ? AND email = ?`, e.Sequence, id, inv.Email); err != nil {
			return core.Wrap("events: invitations", err)
		}
	}
	return nil
}

// invitation is the calendar an e-mail carries: the one event, with its
// organiser and the one attendee it is sent to (RFC 5546 wants both).
func (s *Events) invitation(ctx context.Context, tx *store.Tx, e Event, to, method string) (ical.Calendar, error) {
	ve := s.vevent(e, tx.Now)
	ve.Attendees = []ical.Person{{Email: to}}
	if e.Host != "" {
		// A peer's event: its organiser as the copy names them.
		ve.Organizer = ical.Person{Name: e.OrgName, Email: e.OrganiserEmail}
		if ve.Organizer.Email == "" {
			ve.Organizer.Email = "events@" + hostOnly(e.Host)
		}
		return ical.Calendar{ProdID: s.prodID(), Method: method, Events: []ical.Event{ve}}, nil
	}
	org, err := s.organiser(ctx, tx, e)
	if err != nil {
		return ical.Calendar{}, err
	}
	ve.Organizer = org
	return ical.Calendar{ProdID: s.prodID(), Method: method, Events: []ical.Event{ve}}, nil
}

// organiser is who organised an event here, for calendars: the
// organisation's name and its creator's address.
func (s *Events) organiser(ctx context.Context, tx *store.Tx, e Event) (ical.Person, error) {
	var org struct {
		Name  string `db:"name"`
		Email string `db:"email"`
	}
	err := tx.Get(ctx, &org, `SELECT u.name, u.email FROM ev_events e JOIN users u ON u.id = e.created_by WHERE e.id = ?`, e.ID)
	if err != nil && core.KindOf(err) != core.KindNotFound {
		return ical.Person{}, core.Wrap("events: organiser", err)
	}
	p := ical.Person{Name: e.OrgName, Email: org.Email}
	if p.Email == "" {
		p.Email = "events@" + hostOnly(s.fed.Host())
	}
	return p, nil
}

func auditAttendance(ctx context.Context, tx *store.Tx, e Event, present int) error {
	return audit.Record(ctx, tx, "events.attendance", "ev_event", e.ID, e.OrgID, strconv.Itoa(present))
}

// ScheduleEvents registers the reminders' job, run every quarter of an
// hour: a day before an event, everyone with a place is reminded once.
func (s *Events) ScheduleEvents(q *jobs.Queue) {
	q.Register(jobs.Kind{Name: "events.remind", Handle: func(ctx context.Context, _ []byte) error { return s.Remind(ctx) }})
	q.Every("events.remind", 15*time.Minute)
}

// Remind e-mails the people registered for events that start within a
// day and were not reminded yet. Marking the event and the registration
// in the transaction that queues the e-mail sends each reminder once,
// however many replicas run the job.
func (s *Events) Remind(ctx context.Context) error {
	now := s.Now().UTC()
	var due []string
	if err := s.db.R().Select(ctx, &due, `SELECT id FROM ev_events WHERE status = 'scheduled' AND reminded_at IS NULL AND start_at > ? AND start_at <= ? ORDER BY start_at LIMIT 100`,
		now, now.Add(24*time.Hour)); err != nil {
		return core.Wrap("events: remind", err)
	}
	for _, id := range due {
		err := s.db.WithTx(ctx, func(tx *store.Tx) error {
			n, err := tx.Exec(ctx, `UPDATE ev_events SET reminded_at = ? WHERE id = ? AND reminded_at IS NULL`, tx.Now, id)
			if err != nil || n == 0 {
				return core.Wrap("events: remind", err)
			}
			var regs []EventRegistration
			if err := tx.Select(ctx, &regs, `SELECT `+registrationColumns+` FROM ev_registrations r WHERE r.event_id = ? AND r.state = 'registered' AND r.reminded = FALSE ORDER BY r.position`, id); err != nil {
				return core.Wrap("events: remind", err)
			}
			for _, r := range regs {
				if err := s.mailRegistration(ctx, tx, r, "", notify.EventReminder, nil); err != nil {
					return err
				}
			}
			_, err = tx.Exec(ctx, `UPDATE ev_registrations SET reminded = TRUE WHERE event_id = ? AND state = 'registered'`, id)
			return core.Wrap("events: remind", err)
		})
		if err != nil {
			return err
		}
	}
	return nil
}
