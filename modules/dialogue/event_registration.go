package dialogue

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"slices"
	"strconv"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store"
)

// The states of a registration.
const (
	EventRegistered = "registered"
	EventWaitlisted = "waitlisted"
	EventWithdrawn  = "cancelled"
	// eventPending is a registration for a peer's event until the
	// organiser's node answers.
	eventPending = "pending"
)

// eventSignupsPerHour bounds registrations without an account from one
// address: enough for a family or an office behind one router, too few to
// fill an event's places by script.
const eventSignupsPerHour = 10

// EventRegistration is one person's registration for an event.
type EventRegistration struct {
	ID        string    `db:"id" json:"id"`
	EventID   string    `db:"event_id" json:"event_id"`
	UserID    string    `db:"user_id" json:"-"`
	Name      string    `db:"name" json:"name"`
	Email     string    `db:"email" json:"email"`
	Lang      string    `db:"lang" json:"-"`
	State     string    `db:"state" json:"state"`
	Position  int       `db:"position" json:"-"`
	Attended  bool      `db:"attended" json:"attended"`
	CreatedAt time.Time `db:"created_at" json:"created_at"`
	// Waiting is the place on the waiting list, from 1; 0 when not waiting.
	Waiting int `db:"waiting" json:"waiting_position,omitempty"`
	// Origin is the organisation on a peer's node the person registered
	// through, and OriginRef that node's id of the registration: the
	// person is told there, not by e-mail from here.
	Origin    string `db:"origin" json:"-"`
	OriginRef string `db:"origin_ref" json:"-"`
	// Remote marks this node's person's registration for a peer's event.
	Remote bool `db:"-" json:"-"`
}

const registrationColumns = `r.id, r.event_id, r.user_id, r.name, r.email, r.lang, r.state, r.position, r.attended, r.created_at, r.origin, r.origin_ref,
	CASE WHEN r.state = 'waitlisted' THEN (SELECT COUNT(*) FROM ev_registrations x WHERE x.event_id = r.event_id AND x.state = 'waitlisted' AND x.position <= r.position) ELSE 0 END AS waiting`

func eventTokenHash(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}

func eventNewToken() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Register registers the signed-in actor for an event they may see: a
// place while there is one, else the waiting list.
func (s *Events) Register(ctx context.Context, id string) (EventRegistration, error) {
	a := core.ActorFrom(ctx)
	if a.Anonymous() {
		return EventRegistration{}, &core.Error{Kind: core.KindUnauthenticated, Op: "events: register", Message: "err.unauthenticated"}
	}
	e, err := s.Get(ctx, id)
	if err != nil {
		return EventRegistration{}, err
	}
	if e.Host != "" {
		return s.registerRemote(ctx, e)
	}
	lang := a.Lang
	if lang == "" {
		lang = "en"
	}
	reg, _, err := s.register(ctx, id, EventRegistration{UserID: a.UserID, Name: a.Name, Email: a.Email, Lang: lang}, "")
	return reg, err
}

// RegisterPublic registers someone without an account for a public event,
// by name and e-mail. It returns the secret of the link that cancels.
func (s *Events) RegisterPublic(ctx context.Context, id, name, email, lang string) (EventRegistration, string, error) {
	e, err := s.Get(core.WithActor(ctx, core.Actor{}), id)
	if err != nil {
		return EventRegistration{}, "", err
	}
	if e.Audience != EventPublic {
		return EventRegistration{}, "", errEventNotFound
	}
	name, email = strings.TrimSpace(name), strings.ToLower(strings.TrimSpace(email))
	p := core.Problems{}
	switch {
	case name == "":
		p.Add("name", "err.required")
	case len(name) > eventMaxTitle:
		p.Add("name", "err.too_long")
	case core.CheckText(name) != "":
		p.Add("name", core.CheckText(name))
	}
	if email == "" {
		p.Add("email", "err.required")
	} else if !eventEmail(email) {
		p.Add("email", "err.ev_email_one")
	}
	if err := p.Err("events: register"); err != nil {
		return EventRegistration{}, "", err
	}
	if lang != "id" {
		lang = "en"
	}
	ip := core.RequestFrom(ctx).IP
	if ip != "" {
		var n int
		if err := s.db.R().Get(ctx, &n, `SELECT COUNT(*) FROM ev_registrations WHERE ip = ? AND created_at > ?`, ip, s.Now().Add(-time.Hour).UTC()); err != nil {
			return EventRegistration{}, "", core.Wrap("events: register", err)
		}
		if n >= eventSignupsPerHour {
			return EventRegistration{}, "", &core.Error{Kind: core.KindRateLimited, Op: "events: register", Message: "err.ev_throttled"}
		}
	}
	return s.register(ctx, id, EventRegistration{Name: name, Email: email, Lang: lang}, ip)
}

// register takes a place or a turn on the waiting list. The first
// statement updates the event's row, which holds it until commit: on
// PostgreSQL concurrent registrations queue on that row lock, on SQLite
// on the one writer, so places are counted once and reg_seq gives the
// waiting list its order.
func (s *Events) register(ctx context.Context, id string, who EventRegistration, ip string) (EventRegistration, string, error) {
	tok := eventNewToken()
	var reg EventRegistration
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		reg, err = s.registerTx(ctx, tx, id, who, ip, tok)
		return err
	})
	return reg, tok, err
}

// registerTx is register in the caller's transaction: a sign-up here and
// one from a peer's node take the same turn on the same row. who holds
// the person (and, from a peer, where they registered).
func (s *Events) registerTx(ctx context.Context, tx *store.Tx, id string, who EventRegistration, ip, tok string) (EventRegistration, error) {
	var reg EventRegistration
	n, err := tx.Exec(ctx, `UPDATE ev_events SET reg_seq = reg_seq + 1 WHERE id = ? AND status = 'scheduled' AND registration_open = TRUE AND end_at > ?`, id, tx.Now)
	if err != nil {
		return reg, core.Wrap("events: register", err)
	}
	if n == 0 {
		return reg, &core.Error{Kind: core.KindConflict, Op: "events: register", Message: "err.ev_closed"}
	}
	// Counted again under the event's lock: sign-ups sent at once from one
	// address would all pass a count read before it.
	if ip != "" && who.UserID == "" {
		var k int
		if err := tx.Get(ctx, &k, `SELECT COUNT(*) FROM ev_registrations WHERE ip = ? AND created_at > ?`, ip, tx.Now.Add(-time.Hour)); err != nil {
			return reg, core.Wrap("events: register", err)
		}
		if k >= eventSignupsPerHour {
			return reg, &core.Error{Kind: core.KindRateLimited, Op: "events: register", Message: "err.ev_throttled"}
		}
	}
	var ev struct {
		Capacity int `db:"capacity"`
		Taken    int `db:"places_taken"`
		Seq      int `db:"reg_seq"`
	}
	if err := tx.Get(ctx, &ev, `SELECT capacity, places_taken, reg_seq FROM ev_events WHERE id = ?`, id); err != nil {
		return reg, core.Wrap("events: register", err)
	}
	var dup int
	if err := tx.Get(ctx, &dup, `SELECT COUNT(*) FROM ev_registrations WHERE event_id = ? AND state <> 'cancelled' AND (email = ? OR (user_id <> '' AND user_id = ?))`,
		id, who.Email, who.UserID); err != nil {
		return reg, core.Wrap("events: register", err)
	}
	if dup > 0 {
		return reg, &core.Error{Kind: core.KindConflict, Op: "events: register", Message: "err.ev_already", Fields: map[string]string{"email": "err.ev_already"}}
	}
	state := EventWaitlisted
	if ev.Capacity == 0 || ev.Taken < ev.Capacity {
		state = EventRegistered
		if _, err := tx.Exec(ctx, `UPDATE ev_events SET places_taken = places_taken + 1 WHERE id = ?`, id); err != nil {
			return reg, core.Wrap("events: register", err)
		}
	}
	reg = EventRegistration{ID: core.NewID(tx.Now), EventID: id, UserID: who.UserID, Name: who.Name, Email: who.Email, Lang: who.Lang, State: state, Position: ev.Seq,
		CreatedAt: tx.Now, Origin: who.Origin, OriginRef: who.OriginRef}
	if _, err := tx.Exec(ctx, `INSERT INTO ev_registrations (id, event_id, user_id, name, email, lang, state, position, token_hash, ip, created_at, updated_at, origin, origin_ref)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, reg.ID, id, reg.UserID, reg.Name, reg.Email, reg.Lang, state, ev.Seq, eventTokenHash(tok), ip, tx.Now, tx.Now,
		reg.Origin, reg.OriginRef); err != nil {
		return reg, core.Wrap("events: register", err)
	}
	if err := s.share(ctx, tx, id); err != nil {
		return reg, err
	}
	if state == EventWaitlisted {
		if err := tx.Get(ctx, &reg.Waiting, `SELECT COUNT(*) FROM ev_registrations WHERE event_id = ? AND state = 'waitlisted' AND position <= ?`, id, ev.Seq); err != nil {
			return reg, core.Wrap("events: register", err)
		}
		return reg, s.mailRegistration(ctx, tx, reg, tok, notify.EventWaitlisted, notify.Args{"position": strconv.Itoa(reg.Waiting)})
	}
	return reg, s.mailRegistration(ctx, tx, reg, tok, notify.EventRegistered, nil)
}

// MyRegistration is the actor's live registration for an event, if any.
func (s *Events) MyRegistration(ctx context.Context, id string) (*EventRegistration, error) {
	a := core.ActorFrom(ctx)
	if a.Anonymous() {
		return nil, nil
	}
	var r []EventRegistration
	if err := s.db.R().Select(ctx, &r, `SELECT `+registrationColumns+` FROM ev_registrations r WHERE r.event_id = ? AND r.user_id = ? AND r.state <> 'cancelled'`, id, a.UserID); err != nil {
		return nil, core.Wrap("events: registration", err)
	}
	if len(r) == 0 {
		return s.myRemoteRegistration(ctx, id)
	}
	return &r[0], nil
}

// RegistrationByToken is the registration a cancel link holds, with its
// event.
func (s *Events) RegistrationByToken(ctx context.Context, tok string) (EventRegistration, Event, error) {
	var r EventRegistration
	err := s.db.R().Get(ctx, &r, `SELECT `+registrationColumns+` FROM ev_registrations r WHERE r.token_hash = ?`, eventTokenHash(tok))
	if core.KindOf(err) == core.KindNotFound {
		return r, Event{}, errEventNotFound
	}
	if err != nil {
		return r, Event{}, core.Wrap("events: registration", err)
	}
	e, err := s.eventByID(ctx, r.EventID)
	return r, e, err
}

// eventByID reads an event whoever asks: for the holder of a secret
// (a cancel link) and for jobs.
func (s *Events) eventByID(ctx context.Context, id string) (Event, error) {
	var e Event
	err := s.db.R().Get(ctx, &e, `SELECT `+eventColumns+` FROM ev_events e JOIN organisations o ON o.id = e.org_id WHERE e.id = ?`, id)
	if core.KindOf(err) == core.KindNotFound {
		return e, errEventNotFound
	}
	if err != nil {
		return e, core.Wrap("events: get", err)
	}
	return e, e.decode()
}

// CancelRegistration gives up the actor's place (or turn) at an event.
func (s *Events) CancelRegistration(ctx context.Context, id string) error {
	r, err := s.MyRegistration(ctx, id)
	if err != nil {
		return err
	}
	if r == nil {
		return errEventNotFound
	}
	if r.Remote {
		return s.cancelRemote(ctx, *r)
	}
	return s.withdraw(ctx, *r)
}

// CancelByToken gives up a place through the link of its e-mail.
func (s *Events) CancelByToken(ctx context.Context, tok string) error {
	r, _, err := s.RegistrationByToken(ctx, tok)
	if err != nil {
		return err
	}
	if r.State == EventWithdrawn {
		return nil
	}
	return s.withdraw(ctx, r)
}

func (s *Events) withdraw(ctx context.Context, r EventRegistration) error {
	return s.db.WithTx(ctx, func(tx *store.Tx) error { return s.withdrawTx(ctx, tx, r) })
}

// withdrawTx is withdraw in the caller's transaction, for a cancellation
// from a peer's node too.
func (s *Events) withdrawTx(ctx context.Context, tx *store.Tx, r EventRegistration) error {
	if _, err := s.lockEvent(ctx, tx, r.EventID); err != nil {
		return err
	}
	// The state as it is now the event is locked: a promotion that landed
	// since r was read gave this person a place, which goes back.
	if err := tx.Get(ctx, &r.State, `SELECT state FROM ev_registrations WHERE id = ?`, r.ID); err != nil {
		return core.Wrap("events: withdraw", err)
	}
	n, err := tx.Exec(ctx, `UPDATE ev_registrations SET state = 'cancelled', updated_at = ? WHERE id = ? AND state <> 'cancelled'`, tx.Now, r.ID)
	if err != nil || n == 0 {
		return core.Wrap("events: withdraw", err)
	}
	if r.State == EventRegistered {
		if _, err := tx.Exec(ctx, `UPDATE ev_events SET places_taken = places_taken - 1 WHERE id = ?`, r.EventID); err != nil {
			return core.Wrap("events: withdraw", err)
		}
	}
	if err := s.promote(ctx, tx, r.EventID); err != nil {
		return err
	}
	// Those still waiting through a peer's node learn their new place
	// (people here read it on the page).
	var waiting []EventRegistration
	if err := tx.Select(ctx, &waiting, `SELECT `+registrationColumns+` FROM ev_registrations r WHERE r.event_id = ? AND r.state = 'waitlisted' AND r.origin <> '' ORDER BY r.position`,
		r.EventID); err != nil {
		return core.Wrap("events: withdraw", err)
	}
	for _, w := range waiting {
		if err := s.sendStatus(ctx, tx, w, ""); err != nil {
			return err
		}
	}
	return s.share(ctx, tx, r.EventID)
}

// promote gives free places to the waiting list in its order, and tells
// each person promoted. The caller holds the event's row.
func (s *Events) promote(ctx context.Context, tx *store.Tx, id string) error {
	for {
		var ev struct {
			Capacity int    `db:"capacity"`
			Taken    int    `db:"places_taken"`
			Status   string `db:"status"`
		}
		if err := tx.Get(ctx, &ev, `SELECT capacity, places_taken, status FROM ev_events WHERE id = ?`, id); err != nil {
			return core.Wrap("events: promote", err)
		}
		if ev.Status != EventScheduled || (ev.Capacity > 0 && ev.Taken >= ev.Capacity) {
			return nil
		}
		var next []EventRegistration
		if err := tx.Select(ctx, &next, `SELECT `+registrationColumns+` FROM ev_registrations r WHERE r.event_id = ? AND r.state = 'waitlisted' ORDER BY r.position LIMIT 1`, id); err != nil {
			return core.Wrap("events: promote", err)
		}
		if len(next) == 0 {
			return nil
		}
		r := next[0]
		if _, err := tx.Exec(ctx, `UPDATE ev_registrations SET state = 'registered', updated_at = ? WHERE id = ?`, tx.Now, r.ID); err != nil {
			return core.Wrap("events: promote", err)
		}
		if _, err := tx.Exec(ctx, `UPDATE ev_events SET places_taken = places_taken + 1 WHERE id = ?`, id); err != nil {
			return core.Wrap("events: promote", err)
		}
		r.State, r.Waiting = EventRegistered, 0
		if err := s.mailRegistration(ctx, tx, r, "", notify.EventPromoted, nil); err != nil {
			return err
		}
	}
}

// Registrations lists an event's registrations for its organiser: places
// in the order taken, then the waiting list in its order, then those
// cancelled.
func (s *Events) Registrations(ctx context.Context, id string) ([]EventRegistration, error) {
	if _, err := s.organised(ctx, id); err != nil {
		return nil, err
	}
	var out []EventRegistration
	err := s.db.R().Select(ctx, &out, `SELECT `+registrationColumns+` FROM ev_registrations r WHERE r.event_id = ?
		ORDER BY CASE r.state WHEN 'registered' THEN 0 WHEN 'waitlisted' THEN 1 ELSE 2 END, r.position`, id)
	return out, core.Wrap("events: registrations", err)
}

// MarkAttendance records who came: the registered people listed attended,
// the others did not.
func (s *Events) MarkAttendance(ctx context.Context, id string, present []string) error {
	e, err := s.organised(ctx, id)
	if err != nil {
		return err
	}
	regs, err := s.Registrations(ctx, id)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		for _, r := range regs {
			if r.State != EventRegistered {
				continue
			}
			if _, err := tx.Exec(ctx, `UPDATE ev_registrations SET attended = ?, updated_at = ? WHERE id = ?`, slices.Contains(present, r.ID), tx.Now, r.ID); err != nil {
				return core.Wrap("events: attendance", err)
			}
		}
		return core.Wrap("events: attendance", auditAttendance(ctx, tx, e, len(present)))
	})
}
