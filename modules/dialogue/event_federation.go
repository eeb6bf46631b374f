package dialogue

import (
	"context"
	"errors"
	"slices"
	"sort"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/store"
)

// The envelopes of events between nodes: the organiser's signed copy to
// each node holding an invited organisation; a person's registration (or
// its cancellation) from their node to the organiser's; and its status
// back.
const (
	TypeEventCopy     = "event.copy"
	TypeEventRegister = "event.register"
	TypeEventStatus   = "event.status"
)

// eventCopy is what the organiser's node signs for a peer: the event as
// its invited people read it (its invited organisations only those on
// that node; no invitee's e-mail, no one's registration, no minutes) and
// the rev that orders copies.
type eventCopy struct {
	Event Event `json:"event"`
	Rev   int64 `json:"rev"`
}

// eventAct is a person's registration, or its cancellation, sent by their
// node to the organiser's: only their name, e-mail and organisation.
type eventAct struct {
	ID     string `json:"id"` // the person's node's id of the registration
	Event  string `json:"event"`
	By     string `json:"by"` // the invited organisation, handle@host
	Name   string `json:"name"`
	Email  string `json:"email"`
	Cancel bool   `json:"cancel,omitempty"`
}

// eventStatus is the organiser's answer about one registration: its state
// now, and what the person is to be told (a notify kind's name, or "").
type eventStatus struct {
	Event   string `json:"event"`
	Ref     string `json:"ref"`
	State   string `json:"state"`
	Waiting int    `json:"waiting,omitempty"`
	Tell    string `json:"tell,omitempty"`
}

// Receive implements federation.Handler for the event.* envelopes.
func (s *Events) Receive(ctx context.Context, tx *store.Tx, env federation.Envelope, payload []byte) error {
	switch env.Type {
	case TypeEventCopy:
		return s.receiveCopy(ctx, tx, env, payload)
	case TypeEventRegister:
		return s.receiveRegister(ctx, tx, env, payload)
	case TypeEventStatus:
		return s.receiveStatus(ctx, tx, env, payload)
	}
	return malformed("type " + env.Type)
}

var _ federation.Handler = (*Events)(nil)

// share sends the nodes of the invited organisations the event as it is
// now, signed, and a node that no longer has one the event without them
// (so it drops its copy). The caller holds the event's row. A node that
// is not a verified peer now gets the copy with the next change.
func (s *Events) share(ctx context.Context, tx *store.Tx, id string) error {
	if !taggedBy(id, s.fed.Host()) {
		return nil // made before ids carried their node's tag: no peer would believe it
	}
	var invited []string
	if err := tx.Select(ctx, &invited, `SELECT addr FROM ev_invited WHERE event_id = ? ORDER BY addr`, id); err != nil {
		return core.Wrap("events: share", err)
	}
	byHost := map[string][]string{}
	for _, a := range invited {
		if _, h, ok := federation.Address(a); ok && h != s.fed.Host() {
			byHost[h] = append(byHost[h], a)
		}
	}
	var shared []struct {
		Host string `db:"host"`
		Addr string `db:"addr"`
	}
	if err := tx.Select(ctx, &shared, `SELECT host, addr FROM ev_shared WHERE event_id = ? ORDER BY host`, id); err != nil {
		return core.Wrap("events: share", err)
	}
	if len(byHost) == 0 && len(shared) == 0 {
		return nil
	}
	if _, err := tx.Exec(ctx, `UPDATE ev_events SET fed_rev = fed_rev + 1 WHERE id = ?`, id); err != nil {
		return core.Wrap("events: share", err)
	}
	var rev int64
	if err := tx.Get(ctx, &rev, `SELECT fed_rev FROM ev_events WHERE id = ?`, id); err != nil {
		return core.Wrap("events: share", err)
	}
	e, err := s.txEvent(ctx, tx, id)
	if err != nil {
		return err
	}
	org, err := s.organiser(ctx, tx, e)
	if err != nil {
		return err
	}
	e.InviteEmails, e.Minutes, e.Outcomes, e.Host, e.OrganiserEmail = nil, "", "", "", org.Email
	send := func(to string, addrs []string) (bool, error) {
		c := e
		c.Invited = addrs
		signed, err := s.fed.SignStatement(TypeEventCopy, eventCopy{Event: c, Rev: rev})
		if err != nil {
			return false, err
		}
		_, err = s.fed.Send(ctx, tx, federation.Outgoing{Type: TypeEventCopy, From: e.Org, To: to, TLP: core.TLPAmber, Payload: statement{Statement: string(signed)}})
		if errors.Is(err, federation.ErrPeerNotVerified) {
			return false, nil
		}
		return err == nil, err
	}
	hosts := make([]string, 0, len(byHost))
	for h := range byHost {
		hosts = append(hosts, h)
	}
	sort.Strings(hosts)
	for _, h := range hosts {
		sent, err := send(byHost[h][0], byHost[h])
		if err != nil {
			return err
		}
		if sent {
			if _, err := tx.Exec(ctx, `INSERT INTO ev_shared (event_id, host, addr) VALUES (?, ?, ?) ON CONFLICT (event_id, host) DO UPDATE SET addr = excluded.addr`,
				id, h, byHost[h][0]); err != nil {
				return core.Wrap("events: share", err)
			}
		}
	}
	for _, x := range shared {
		if slices.Contains(hosts, x.Host) {
			continue
		}
		if _, err := send(x.Addr, nil); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM ev_shared WHERE event_id = ? AND host = ?`, id, x.Host); err != nil {
			return core.Wrap("events: share", err)
		}
	}
	return nil
}

// eventIDShape reports whether id is an event's id as Create makes it: an
// id and the tag of the node that made it.
func eventIDShape(id string) bool {
	return len(id) == 26+9 && core.ValidID(id[:26]) && id[26] == '-' && strings.Trim(id[27:], "abcdefghijklmnopqrstuvwxyz234567") == ""
}

// wellFormed checks what a person's node sent, before anything is looked
// up: an act for the organisation that sent it, with a name and one
// e-mail address.
func (x *eventAct) wellFormed(from string) error {
	if x.By != from || !core.ValidID(x.ID) || !eventIDShape(x.Event) {
		return forbidden("an act for another organisation")
	}
	p := core.Problems{}
	checkText(p, "name", x.Name, true, eventMaxTitle)
	if len(p) > 0 || !eventEmail(x.Email) {
		return malformed("event.register")
	}
	return nil
}

// receiveRegister takes a registration, or its cancellation, from an
// invited organisation's node. It goes through the same turn on the
// event's row as a sign-up here; its status goes back to that node.
func (s *Events) receiveRegister(ctx context.Context, tx *store.Tx, env federation.Envelope, payload []byte) error {
	_, host, _ := federation.Address(env.From)
	var x eventAct
	if _, err := openStatement(ctx, s.fed, TypeEventRegister, payload, host, &x); err != nil {
		return err
	}
	if err := x.wellFormed(env.From); err != nil {
		return err
	}
	e, err := s.lockEvent(ctx, tx, x.Event)
	if err != nil {
		return err
	}
	var invited int
	if err := tx.Get(ctx, &invited, `SELECT COUNT(*) FROM ev_invited WHERE event_id = ? AND addr = ?`, e.ID, x.By); err != nil {
		return core.Wrap("events: receive", err)
	}
	if invited == 0 || env.To != e.Org+"@"+s.fed.Host() {
		return forbidden("not invited")
	}
	var prev []EventRegistration
	if err := tx.Select(ctx, &prev, `SELECT `+registrationColumns+` FROM ev_registrations r WHERE r.event_id = ? AND r.origin = ? AND r.origin_ref = ?`,
		e.ID, x.By, x.ID); err != nil {
		return core.Wrap("events: receive", err)
	}
	who := EventRegistration{Name: x.Name, Email: x.Email, Lang: "en", Origin: x.By, OriginRef: x.ID}
	switch {
	case x.Cancel && len(prev) > 0:
		return s.withdrawTx(ctx, tx, prev[0])
	case x.Cancel:
		// The cancellation overtook its registration: a cancelled row makes
		// the registration, when it comes, one applied before.
		_, err := tx.Exec(ctx, `INSERT INTO ev_registrations (id, event_id, name, email, state, position, token_hash, created_at, updated_at, origin, origin_ref)
			VALUES (?, ?, ?, ?, 'cancelled', 0, ?, ?, ?, ?, ?)`, core.NewID(tx.Now), e.ID, who.Name, who.Email, eventTokenHash(eventNewToken()), tx.Now, tx.Now, x.By, x.ID)
		return core.Wrap("events: receive", err)
	case len(prev) > 0:
		return nil // applied before
	}
	_, err = s.registerTx(ctx, tx, e.ID, who, "", eventNewToken())
	if core.KindOf(err) == core.KindConflict {
		// Closed, or the address is registered already: the person's node
		// is told, and shows it.
		return s.sendStatus(ctx, tx, EventRegistration{EventID: e.ID, State: EventWithdrawn, Origin: x.By, OriginRef: x.ID}, "")
	}
	return err
}

// sendStatus tells a registration's node its state and what to tell the
// person (tell: a notify kind's name).
func (s *Events) sendStatus(ctx context.Context, tx *store.Tx, r EventRegistration, tell string) error {
	var org string
	if err := tx.Get(ctx, &org, `SELECT o.handle FROM ev_events e JOIN organisations o ON o.id = e.org_id WHERE e.id = ?`, r.EventID); err != nil {
		return core.Wrap("events: status", err)
	}
	st := eventStatus{Event: r.EventID, Ref: r.OriginRef, State: r.State, Waiting: r.Waiting, Tell: tell}
	if st.State == EventWaitlisted && st.Waiting == 0 {
		if err := tx.Get(ctx, &st.Waiting, `SELECT COUNT(*) FROM ev_registrations WHERE event_id = ? AND state = 'waitlisted' AND position <= ?`, r.EventID, r.Position); err != nil {
			return core.Wrap("events: status", err)
		}
	}
	signed, err := s.fed.SignStatement(TypeEventStatus, st)
	if err != nil {
		return err
	}
	_, err = s.fed.Send(ctx, tx, federation.Outgoing{Type: TypeEventStatus, From: org, To: r.Origin, TLP: core.TLPAmber, Payload: statement{Statement: string(signed)}})
	if errors.Is(err, federation.ErrPeerNotVerified) {
		return nil // no longer a peer: nobody there to tell
	}
	return err
}
