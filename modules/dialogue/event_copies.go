package dialogue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store"
)

// decodeEventCopy parses the signed body of an event's copy from host and
// checks it whole, before anything of it is stored: an event host tagged
// and organised by one of its organisations, within the limits of an
// event written here.
func decodeEventCopy(body []byte, host string) (eventCopy, error) {
	var c eventCopy
	if err := json.Unmarshal(body, &c); err != nil {
		return c, malformed(TypeEventCopy)
	}
	e := &c.Event
	if !taggedBy(e.ID, host) || !eventIDShape(e.ID) {
		return c, forbidden("an event organised elsewhere")
	}
	if p := e.Validate(); len(p) > 0 && !(len(p) == 1 && p["invited"] != "" && len(e.Invited) == 0) {
		return c, malformed("event: fields out of range")
	}
	switch {
	case c.Rev < 1 || e.Sequence < 0 || e.Sequence > 1<<30:
		return c, malformed("event: a number")
	case e.Audience != EventInvited || len(e.InviteEmails) > 0:
		return c, malformed("event: not for invited organisations")
	case e.Status != EventScheduled && e.Status != EventCancelled:
		return c, malformed("event: a status")
	case e.Taken < 0 || e.Waiting < 0 || e.Waiting > 10*eventMaxCapacity || (e.Capacity > 0 && e.Taken > e.Capacity):
		return c, malformed("event: places")
	case len(e.CancelReason) > 2000 || core.CheckText(e.CancelReason) != "":
		return c, malformed("event: a reason")
	case !eventHandle(e.Org, host) || len(e.OrgName) > 400 || core.CheckText(e.OrgName) != "":
		return c, malformed("event: its organiser")
	case e.OrganiserEmail != "" && !eventEmail(e.OrganiserEmail):
		return c, malformed("event: its organiser's address")
	}
	for _, a := range e.Invited {
		if _, h, _ := federation.Address(a); h == host {
			return c, malformed("event: an invited organisation on its organiser's node")
		}
	}
	e.Host, e.OrgID, e.Minutes, e.Outcomes = host, "", "", ""
	return c, nil
}

// eventHandle reports whether handle names an organisation on host.
func eventHandle(handle, host string) bool {
	h, ho, ok := federation.Address(handle + "@" + host)
	return ok && h == handle && ho == host && len(handle) <= 100
}

// receiveCopy keeps the organiser's signed copy of an event that invites
// organisations of this node, and e-mails their people the invitation, its
// updates and its cancellation. The sender is believed only about events
// its id tags as its own; a copy that invites none of this node's
// organisations drops it.
func (s *Events) receiveCopy(ctx context.Context, tx *store.Tx, env federation.Envelope, payload []byte) error {
	_, host, _ := federation.Address(env.From)
	var raw json.RawMessage
	signed, err := openStatement(ctx, s.fed, TypeEventCopy, payload, host, &raw)
	if err != nil {
		return err
	}
	c, err := decodeEventCopy(raw, host)
	if err != nil {
		return err
	}
	e := c.Event
	if env.From != e.Org+"@"+host {
		return forbidden("an event of another organisation")
	}
	var cur []struct {
		Host string `db:"host"`
		Rev  int64  `db:"rev"`
	}
	if err := tx.Select(ctx, &cur, `SELECT host, rev FROM ev_copies WHERE id = ?`, e.ID); err != nil {
		return core.Wrap("events: receive", err)
	}
	if len(cur) > 0 && (cur[0].Host != host || cur[0].Rev >= c.Rev) {
		return nil // older than the one kept (a host mismatch cannot pass the tag)
	}
	var local []string
	for _, a := range e.Invited {
		if h, ho, _ := federation.Address(a); ho == s.fed.Host() {
			var n int
			if err := tx.Get(ctx, &n, `SELECT COUNT(*) FROM organisations WHERE handle = ?`, h); err != nil {
				return core.Wrap("events: receive", err)
			}
			if n > 0 {
				local = append(local, a)
			}
		}
	}
	if len(local) == 0 {
		_, err := tx.Exec(ctx, `DELETE FROM ev_copies WHERE id = ?`, e.ID)
		return core.Wrap("events: receive", err)
	}
	e.Invited = local
	doc, err := json.Marshal(e)
	if err != nil {
		return err
	}
	q := `UPDATE ev_copies SET host = ?, rev = ?, status = ?, registration_open = ?, start_at = ?, end_at = ?, doc = ?, signed = ?, received_at = ? WHERE id = ?`
	if len(cur) == 0 {
		q = `INSERT INTO ev_copies (host, rev, status, registration_open, start_at, end_at, doc, signed, received_at, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	}
	if _, err := tx.Exec(ctx, q, host, c.Rev, e.Status, e.RegistrationOpen, e.Start.UTC(), e.End.UTC(), string(doc), signed, tx.Now, e.ID); err != nil {
		if len(cur) == 0 && core.KindOf(err) == core.KindConflict {
			// Two copies delivered at once both found none (PostgreSQL):
			// this one is tried again and then compared by rev. Refused,
			// it would never come again.
			return &core.Error{Kind: core.KindUnavailable, Message: "err.conflict", Err: fmt.Errorf("event %s stored concurrently: %w", e.ID, err)}
		}
		return core.Wrap("events: receive", err)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM ev_copy_invited WHERE event_id = ?`, e.ID); err != nil {
		return core.Wrap("events: receive", err)
	}
	for _, a := range local {
		h, _, _ := federation.Address(a)
		if _, err := tx.Exec(ctx, `INSERT INTO ev_copy_invited (event_id, addr) VALUES (?, ?)`, e.ID, a); err != nil {
			return core.Wrap("events: receive", err)
		}
		var people []struct {
			ID    string `db:"id"`
			Email string `db:"email"`
			Lang  string `db:"lang"`
		}
		if err := tx.Select(ctx, &people, `SELECT DISTINCT u.id, u.email, u.lang FROM users u JOIN memberships m ON m.user_id = u.id JOIN organisations o ON o.id = m.org_id
			WHERE o.handle = ? AND u.disabled = FALSE ORDER BY u.id`, h); err != nil {
			return core.Wrap("events: receive", err)
		}
		for _, p := range people {
			if p.Email == "" {
				continue
			}
			if _, err := tx.Exec(ctx, `INSERT INTO ev_copy_invites (event_id, email, user_id, lang, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (event_id, email) DO NOTHING`,
				e.ID, strings.ToLower(p.Email), p.ID, p.Lang, tx.Now); err != nil {
				return core.Wrap("events: receive", err)
			}
		}
	}
	return s.sendInvites(ctx, tx, e, "ev_copy_invites")
}

// wellFormed checks an organiser's answer about a registration.
func (st eventStatus) wellFormed() error {
	switch {
	case !eventIDShape(st.Event) || !core.ValidID(st.Ref):
		return errors.New("an id")
	case !slices.Contains([]string{EventRegistered, EventWaitlisted, EventWithdrawn}, st.State):
		return errors.New("a state")
	case st.Waiting < 0 || st.Waiting > 10*eventMaxCapacity || (st.State == EventWaitlisted) != (st.Waiting > 0):
		return errors.New("a position")
	case st.Tell != "" && eventTells[st.Tell].Name == "":
		return errors.New("a notice")
	}
	return nil
}

// eventTells are what an organiser's node may have a person told.
var eventTells = map[string]notify.Kind{
	notify.EventRegistered.Name: notify.EventRegistered,
	notify.EventWaitlisted.Name: notify.EventWaitlisted,
	notify.EventPromoted.Name:   notify.EventPromoted,
	notify.EventReminder.Name:   notify.EventReminder,
}

// decodeEventStatus parses the signed body of a registration's status.
func decodeEventStatus(body []byte) (eventStatus, error) {
	var st eventStatus
	if err := json.Unmarshal(body, &st); err != nil {
		return st, malformed(TypeEventStatus)
	}
	if err := st.wellFormed(); err != nil {
		return st, malformed("event.status: " + err.Error())
	}
	return st, nil
}

// receiveStatus keeps what the organiser's node says of one of this
// node's registrations, and tells the person as it asks. Only the node
// that organises the event is believed.
func (s *Events) receiveStatus(ctx context.Context, tx *store.Tx, env federation.Envelope, payload []byte) error {
	_, host, _ := federation.Address(env.From)
	var raw json.RawMessage
	if _, err := openStatement(ctx, s.fed, TypeEventStatus, payload, host, &raw); err != nil {
		return err
	}
	st, err := decodeEventStatus(raw)
	if err != nil {
		return err
	}
	if !taggedBy(st.Event, host) {
		return forbidden("an event organised elsewhere")
	}
	var regs []EventRegistration
	if err := tx.Select(ctx, &regs, `SELECT g.id, g.event_id, g.user_id, g.name, g.email, g.lang, g.state, g.waiting AS waiting, g.via AS origin
		FROM ev_remote_regs g JOIN ev_copies c ON c.id = g.event_id WHERE g.id = ? AND g.event_id = ? AND c.host = ?`, st.Ref, st.Event, host); err != nil {
		return core.Wrap("events: receive", err)
	}
	if len(regs) == 0 || regs[0].State == EventWithdrawn || env.To != regs[0].Origin {
		return nil // cancelled here meanwhile, or dropped with its copy
	}
	r := regs[0]
	if _, err := tx.Exec(ctx, `UPDATE ev_remote_regs SET state = ?, waiting = ?, updated_at = ? WHERE id = ?`, st.State, st.Waiting, tx.Now, r.ID); err != nil {
		return core.Wrap("events: receive", err)
	}
	if st.Tell == "" {
		return nil
	}
	r.State, r.Waiting, r.Origin = st.State, st.Waiting, ""
	var extra notify.Args
	if st.Tell == notify.EventWaitlisted.Name {
		extra = notify.Args{"position": strconv.Itoa(st.Waiting)}
	}
	return s.mailRegistration(ctx, tx, r, "", eventTells[st.Tell], extra)
}

// registerRemote asks the organiser's node for a place for the actor, as
// a person of an invited organisation of this node. It stays pending until
// that node answers.
func (s *Events) registerRemote(ctx context.Context, e Event) (EventRegistration, error) {
	a := core.ActorFrom(ctx)
	var via string
	for _, m := range a.Memberships {
		if addr := m.Org.Handle + "@" + s.fed.Host(); slices.Contains(e.Invited, addr) {
			via = addr
			break
		}
	}
	if via == "" {
		return EventRegistration{}, &core.Error{Kind: core.KindForbidden, Op: "events: register", Message: "err.forbidden"}
	}
	if e.Cancelled() || !e.RegistrationOpen || !e.End.After(s.Now()) {
		return EventRegistration{}, &core.Error{Kind: core.KindConflict, Op: "events: register", Message: "err.ev_closed"}
	}
	lang := a.Lang
	if lang != "id" {
		lang = "en"
	}
	reg := EventRegistration{EventID: e.ID, UserID: a.UserID, Name: a.Name, Email: strings.ToLower(a.Email), Lang: lang, State: eventPending, Remote: true}
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		var n int
		if err := tx.Get(ctx, &n, `SELECT COUNT(*) FROM ev_remote_regs WHERE event_id = ? AND user_id = ? AND state <> 'cancelled'`, e.ID, a.UserID); err != nil {
			return core.Wrap("events: register", err)
		}
		if n > 0 {
			return &core.Error{Kind: core.KindConflict, Op: "events: register", Message: "err.ev_already"}
		}
		reg.ID, reg.CreatedAt = core.NewID(tx.Now), tx.Now
		if _, err := tx.Exec(ctx, `INSERT INTO ev_remote_regs (id, event_id, user_id, via, name, email, lang, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
			reg.ID, e.ID, a.UserID, via, reg.Name, reg.Email, lang, tx.Now, tx.Now); err != nil {
			return core.Wrap("events: register", err)
		}
		return s.sendAct(ctx, tx, e, via, eventAct{ID: reg.ID, Event: e.ID, By: via, Name: reg.Name, Email: reg.Email})
	})
	return reg, err
}

// cancelRemote gives up the actor's place at a peer's event: at once
// here, and at the organiser's node when the envelope arrives.
func (s *Events) cancelRemote(ctx context.Context, r EventRegistration) error {
	e, err := s.Get(ctx, r.EventID)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		n, err := tx.Exec(ctx, `UPDATE ev_remote_regs SET state = 'cancelled', updated_at = ? WHERE id = ? AND state <> 'cancelled'`, tx.Now, r.ID)
		if err != nil || n == 0 {
			return core.Wrap("events: withdraw", err)
		}
		return s.sendAct(ctx, tx, e, r.Origin, eventAct{ID: r.ID, Event: e.ID, By: r.Origin, Name: r.Name, Email: r.Email, Cancel: true})
	})
}

func (s *Events) sendAct(ctx context.Context, tx *store.Tx, e Event, via string, x eventAct) error {
	signed, err := s.fed.SignStatement(TypeEventRegister, x)
	if err != nil {
		return err
	}
	handle, _, _ := federation.Address(via)
	_, err = s.fed.Send(ctx, tx, federation.Outgoing{Type: TypeEventRegister, From: handle, To: e.Org + "@" + e.Host, TLP: core.TLPAmber, Payload: statement{Statement: string(signed)}})
	return err
}

// myRemoteRegistration is the actor's live registration for a peer's event.
func (s *Events) myRemoteRegistration(ctx context.Context, id string) (*EventRegistration, error) {
	var r []EventRegistration
	if err := s.db.R().Select(ctx, &r, `SELECT g.id, g.event_id, g.user_id, g.name, g.email, g.lang, g.state, g.waiting AS waiting, g.via AS origin, g.created_at
		FROM ev_remote_regs g WHERE g.event_id = ? AND g.user_id = ? AND g.state <> 'cancelled'`, id, core.ActorFrom(ctx).UserID); err != nil {
		return nil, core.Wrap("events: registration", err)
	}
	if len(r) == 0 {
		return nil, nil
	}
	r[0].Remote = true
	return &r[0], nil
}

// selectCopies reads peers' events kept here (ev_copies aliased c).
func (s *Events) selectCopies(ctx context.Context, q store.Conn, where, order string, limit int, args []any) ([]Event, error) {
	var docs []string
	if err := q.Select(ctx, &docs, `SELECT c.doc FROM ev_copies c WHERE `+where+` ORDER BY `+order+` LIMIT ?`, append(args, limit)...); err != nil {
		return nil, core.Wrap("events: copies", err)
	}
	out := make([]Event, 0, len(docs))
	for _, d := range docs {
		var e Event
		if err := json.Unmarshal([]byte(d), &e); err != nil {
			return nil, core.Wrap("events: copies", err)
		}
		e.Start, e.End = e.Start.UTC(), e.End.UTC()
		out = append(out, e)
	}
	return out, nil
}

// getCopy is a peer's event the actor may see.
func (s *Events) getCopy(ctx context.Context, id string) (Event, error) {
	cond, args := access.EventCopyFilter(core.ActorFrom(ctx), s.fed.Host())
	got, err := s.selectCopies(ctx, s.db.R(), `c.id = ? AND (`+cond+`)`, `c.id`, 1, append([]any{id}, args...))
	if err != nil {
		return Event{}, err
	}
	if len(got) == 0 {
		return Event{}, errEventNotFound
	}
	return got[0], nil
}

// txCopy reads a peer's event whoever asks, for e-mail.
func (s *Events) txCopy(ctx context.Context, tx *store.Tx, id string) (Event, error) {
	got, err := s.selectCopies(ctx, tx.Conn, `c.id = ?`, `c.id`, 1, []any{id})
	if err != nil {
		return Event{}, err
	}
	if len(got) == 0 {
		return Event{}, errEventNotFound
	}
	return got[0], nil
}

// withCopies adds to events organised here the peers' events the actor
// may see under the condition filter gives (on ev_copies aliased c), in
// the same order (latest first when desc), at most limit.
func (s *Events) withCopies(ctx context.Context, local []Event, desc bool, limit int, filter func(core.Actor) (string, []any)) ([]Event, error) {
	a := core.ActorFrom(ctx)
	if a.Anonymous() {
		return local, nil
	}
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, 10000)
	order := `c.start_at, c.id`
	if desc {
		order = `c.start_at DESC, c.id DESC`
	}
	cond, args := filter(a)
	copies, err := s.selectCopies(ctx, s.db.R(), cond, order, limit, args)
	if err != nil || len(copies) == 0 {
		return local, err
	}
	all := append(local, copies...)
	sort.SliceStable(all, func(i, j int) bool {
		if !all[i].Start.Equal(all[j].Start) {
			return all[i].Start.Before(all[j].Start) != desc
		}
		return (all[i].ID < all[j].ID) != desc
	})
	return all[:min(len(all), limit)], nil
}
