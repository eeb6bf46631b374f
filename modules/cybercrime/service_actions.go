package cybercrime

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store"
)

// Step is an action a person takes on a request, with what it needs: a
// note, a refusal ground, a date until which data is preserved.
type Step struct {
	Action Action     `json:"action"`
	Note   string     `json:"note"`
	Ground string     `json:"ground"`
	Until  *time.Time `json:"until"`
}

// next returns the state an action leads to, for the side that acts, or ""
// when the action is not allowed: the one rule for people on this node and
// for steps arriving from the other side.
func next(r Request, act Action) State {
	st := r.State
	if st == StateClosed {
		return ""
	}
	in := []State{StateSent, StateReceived, StateAcknowledged, StatePreserved, StatePartly}
	if r.Direction == "out" {
		switch {
		case act == ActApprove && st == StateDraft:
			return StateApproved
		case act == ActSend && st == StateApproved:
			return StateSent
		case act == ActWithdraw && slices.Contains(in, st):
			return StateWithdrawn
		case act == ActClose && st != StateDraft && st != StateApproved:
			return StateClosed
		case act == ActNote && st != StateDraft && st != StateApproved:
			return st
		}
		return ""
	}
	if st == StateDraft || st == StateApproved {
		// Not sent: the requested side does not know of it yet, and a
		// step from it (a note from its node) is forged or misrouted.
		return ""
	}
	pres := r.Kind == KindPreservation
	switch {
	case act == ActNote:
		return st
	case act == ActAcknowledge && (st == StateReceived || st == StateSent):
		return StateAcknowledged
	case act == ActPreserve && pres && slices.Contains([]State{StateSent, StateReceived, StateAcknowledged}, st):
		return StatePreserved
	case act == ActExtend && pres && st == StatePreserved:
		return StatePreserved
	case act == ActPartly && !pres && slices.Contains([]State{StateSent, StateReceived, StateAcknowledged, StatePartly}, st):
		return StatePartly
	case act == ActExecute && !pres && slices.Contains([]State{StateSent, StateReceived, StateAcknowledged, StatePartly}, st):
		return StateExecuted
	case act == ActRefuse && slices.Contains([]State{StateSent, StateReceived, StateAcknowledged}, st):
		return StateRefused
	}
	return ""
}

// Actions lists what the actor may do to the request now, for the page's
// buttons.
func (s *Service) Actions(ctx context.Context, r Request) []Action {
	a := core.ActorFrom(ctx)
	var out []Action
	for _, act := range []Action{ActApprove, ActSend, ActAcknowledge, ActPreserve, ActExtend, ActPartly, ActExecute, ActRefuse, ActWithdraw, ActClose, ActNote} {
		if next(r, act) == "" || r.Purged {
			continue
		}
		need := access.CybercrimeAct
		if act == ActApprove || act == ActSend {
			need = access.CybercrimeApprove
		}
		if access.Check(a, need, access.Resource{OrgID: r.OrgID}) == nil {
			out = append(out, act)
		}
	}
	return out
}

// check validates a step against the request: the ground is one the
// article permits, a preservation lasts at least the kind's minimum, an
// extension goes beyond the current date.
func (st Step) check(r Request, now time.Time, legal Legal) core.Problems {
	p := core.Problems{}
	if next(r, st.Action) == "" {
		p.Add("action", "err.cyb_action")
		return p
	}
	if utf8.RuneCountInString(st.Note) > maxField {
		p.Add("note", "err.too_long")
	}
	switch st.Action {
	case ActNote, ActWithdraw:
		if strings.TrimSpace(st.Note) == "" {
			p.Add("note", "err.required")
		}
	case ActRefuse:
		if !slices.Contains(legal.Grounds(r.Kind, r.Basis), st.Ground) {
			p.Add("ground", "err.cyb_ground")
		}
	case ActPreserve:
		switch {
		case st.Until == nil:
			p.Add("until", "err.required")
		case st.Until.Before(now.Add(Specs[r.Kind].Keep - day)):
			p.Add("until", "err.cyb_keep")
		case st.Until.After(now.AddDate(2, 0, 0)):
			p.Add("until", "err.cyb_until_far")
		}
	case ActExtend:
		switch {
		case st.Until == nil:
			p.Add("until", "err.required")
		case r.PreservedUntil != nil && !st.Until.After(*r.PreservedUntil), !st.Until.After(now):
			// Beyond the current end and beyond today: a preservation
			// that ran out is not extended to a day already past.
			p.Add("until", "err.cyb_extend")
		case st.Until.After(now.AddDate(2, 0, 0)):
			p.Add("until", "err.cyb_until_far")
		}
	}
	return p
}

// tidy drops what an action does not take: a ground but for a refusal, a
// date but for a preservation or its extension. Neither is checked nor
// shown for the other actions, so neither is stored for them, whatever an
// API client or a peer put there.
func (st Step) tidy() Step {
	st.Note = strings.TrimSpace(st.Note)
	if st.Action != ActRefuse {
		st.Ground = ""
	}
	switch {
	case st.Action != ActPreserve && st.Action != ActExtend:
		st.Until = nil
	case st.Until != nil:
		u := st.Until.UTC().Truncate(time.Second)
		st.Until = &u
	}
	return st
}

// Act takes a step on a request. Approving and sending are for the
// requesting organisation's admins and central authorities; the rest for
// its investigators too. The other side learns of every step after
// approval through a signed envelope, with a receipt in both ledgers.
func (s *Service) Act(ctx context.Context, id string, st Step) (Request, error) {
	a := core.ActorFrom(ctx)
	r, err := s.readable(ctx, id)
	if err != nil {
		return Request{}, err
	}
	need := access.CybercrimeAct
	if st.Action == ActApprove || st.Action == ActSend {
		need = access.CybercrimeApprove
	}
	if err := access.Check(a, need, access.Resource{OrgID: r.OrgID}); err != nil {
		return Request{}, err
	}
	if r.Purged {
		return Request{}, errOp("act", core.KindConflict, "err.cyb_purged")
	}
	st = st.tidy()
	if err := st.check(r, s.db.Clock().Now(), s.legal).Err("cybercrime: act"); err != nil {
		return Request{}, err
	}
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		switch st.Action {
		case ActApprove:
			return s.approve(ctx, tx, r, a.Name)
		case ActSend:
			return s.send(ctx, tx, r, a.Name)
		}
		u := update{OriginID: r.OriginID, RequestFrom: r.From, EventID: core.NewID(tx.Now), Action: st.Action, State: next(r, st.Action),
			Note: st.Note, Ground: st.Ground, Until: st.Until, By: a.Name, At: tx.Now}
		if err := s.apply(ctx, tx, r, u, r.mine()); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, "cybercrime.request."+string(st.Action), "cyb_request", r.ID, r.OrgID, string(u.State)); err != nil {
			return err
		}
		return s.tell(ctx, tx, r, u)
	})
	if err != nil {
		return Request{}, err
	}
	return s.Request(ctx, id)
}

func (s *Service) approve(ctx context.Context, tx *store.Tx, r Request, by string) error {
	n, err := tx.Exec(ctx, `UPDATE cyb_requests SET state = 'approved', approved_by = ?, updated_at = ? WHERE id = ? AND state = 'draft'`, by, tx.Now, r.ID)
	if err != nil {
		return core.Wrap("cybercrime: approve", err)
	}
	if n != 1 {
		return errOp("approve", core.KindConflict, "err.cyb_action")
	}
	if err := insertEvent(ctx, tx, Event{ID: core.NewID(tx.Now), RequestID: r.ID, At: tx.Now, Action: ActApprove, State: StateApproved, By: by, ByAddr: r.From}); err != nil {
		return err
	}
	return audit.Record(ctx, tx, "cybercrime.request.approve", "cyb_request", r.ID, r.OrgID, "")
}

// send sends an approved request: to the other node in a sealed envelope,
// or, when both organisations are on this node, straight into the other's
// list. The clock starts now.
func (s *Service) send(ctx context.Context, tx *store.Tx, r Request, by string) error {
	now := tx.Now
	r.SentAt, r.RespondBy = &now, clock(r.Kind, now)
	eventID := core.NewID(tx.Now)
	w := requestWire{OriginID: r.OriginID, FromCountry: r.FromCountry, ToCountry: r.ToCountry, Kind: r.Kind, Basis: r.Basis, Language: r.Language,
		Reference: r.Reference, Fields: r.Fields, Follows: r.Follows, Author: r.Author, ApprovedBy: r.ApprovedBy, Created: r.CreatedAt, Sent: now,
		RespondBy: *r.RespondBy, EventID: eventID}
	var err error
	if w.Evidence, err = s.evidenceSent(ctx, tx, r, by); err != nil {
		return err
	}
	env := ""
	if s.local(r.To) {
		if err := s.deliver(ctx, tx, r.From, r.To, w, "", now); err != nil {
			return err
		}
	} else {
		handle, _, _ := federation.Address(r.From)
		id, err := s.fed.Send(ctx, tx, federation.Outgoing{Type: TypeRequest, From: handle, To: r.To, TLP: core.TLPAmberStrict, Payload: w})
		if err != nil {
			return err
		}
		env = id
	}
	n, err := tx.Exec(ctx, `UPDATE cyb_requests SET state = 'sent', sent_at = ?, respond_by = ?, envelope_id = ?, updated_at = ? WHERE id = ? AND state = 'approved'`,
		now, r.RespondBy, env, now, r.ID)
	if err != nil {
		return core.Wrap("cybercrime: send", err)
	}
	if n != 1 {
		return errOp("send", core.KindConflict, "err.cyb_action")
	}
	if err := insertEvent(ctx, tx, Event{ID: eventID, RequestID: r.ID, At: now, Action: ActSend, State: StateSent, By: by, ByAddr: r.From}); err != nil {
		return err
	}
	return audit.Record(ctx, tx, "cybercrime.request.send", "cyb_request", r.ID, r.OrgID, r.To)
}

// update is a step as it travels to the other side.
type update struct {
	OriginID    string     `json:"origin_id"`
	RequestFrom string     `json:"request_from"` // the requesting organisation's address
	EventID     string     `json:"event_id"`
	Action      Action     `json:"action"`
	State       State      `json:"state"`
	Note        string     `json:"note,omitempty"`
	Ground      string     `json:"ground,omitempty"`
	Until       *time.Time `json:"until,omitempty"`
	By          string     `json:"by"`
	At          time.Time  `json:"at"`
}

// errMoved is a step judged against a state the request has since left:
// two steps taken at once, the second checked before the first was stored.
var errMoved = errors.New("the request moved on while the step was checked")

// apply records a step on this node's copy of the request: its state, the
// time each milestone was reached (for the figures), and the event. It
// applies only if the request is still in the state the step was checked
// against, so that of two steps at once only one is taken and told.
func (s *Service) apply(ctx context.Context, tx *store.Tx, r Request, u update, byAddr string) error {
	set := []string{"state = ?", "updated_at = ?"}
	args := []any{string(u.State), tx.Now}
	at := u.At
	switch u.Action {
	case ActAcknowledge:
		set = append(set, "acknowledged_at = COALESCE(acknowledged_at, ?)")
		args = append(args, at)
		if ex := Specs[r.Kind].Execute; ex > 0 {
			t := at.Add(ex).UTC().Truncate(time.Second)
			set, args = append(set, "execute_by = ?"), append(args, t)
		}
	case ActPreserve, ActExtend:
		set = append(set, "preserved_until = ?", "preserved_at = COALESCE(preserved_at, ?)", "acknowledged_at = COALESCE(acknowledged_at, ?)", "reminded_at = NULL")
		args = append(args, u.Until, at, at)
	case ActPartly:
		set = append(set, "acknowledged_at = COALESCE(acknowledged_at, ?)")
		args = append(args, at)
	case ActExecute:
		set = append(set, "executed_at = ?", "acknowledged_at = COALESCE(acknowledged_at, ?)")
		args = append(args, at, at)
	case ActRefuse:
		set = append(set, "ground = ?", "executed_at = ?", "acknowledged_at = COALESCE(acknowledged_at, ?)")
		args = append(args, u.Ground, at, at)
	case ActClose:
		set = append(set, "closed_at = ?", "purge_after = ?")
		args = append(args, at, at.Add(s.opt.Retention))
	}
	args = append(args, r.ID, string(r.State))
	n, err := tx.Exec(ctx, `UPDATE cyb_requests SET `+strings.Join(set, ", ")+` WHERE id = ? AND state = ?`, args...)
	if err != nil {
		return core.Wrap("cybercrime: step", err)
	}
	if n != 1 {
		return &core.Error{Kind: core.KindConflict, Op: "cybercrime: step", Message: "err.cyb_action", Err: errMoved}
	}
	return insertEvent(ctx, tx, Event{ID: core.NewID(tx.Now), OriginID: u.EventID, RequestID: r.ID, At: at, Action: u.Action, State: u.State, By: u.By,
		ByAddr: byAddr, Note: u.Note, Ground: u.Ground, Until: u.Until})
}

// tell sends a step to the other side: to its node, or to its copy here.
func (s *Service) tell(ctx context.Context, tx *store.Tx, r Request, u update) error {
	if s.local(r.other()) {
		var theirs Request
		dir := map[string]string{"out": "in", "in": "out"}[r.Direction]
		if err := tx.Get(ctx, &theirs, `SELECT `+requestColumns+` FROM cyb_requests WHERE from_addr = ? AND origin_id = ? AND direction = ?`, r.From, r.OriginID, dir); err != nil {
			return core.Wrap("cybercrime: step", err)
		}
		if err := s.apply(ctx, tx, theirs, u, r.mine()); err != nil {
			return err
		}
		return s.told(ctx, tx, theirs, u, r.mine())
	}
	handle, _, _ := federation.Address(r.mine())
	id, err := s.fed.Send(ctx, tx, federation.Outgoing{Type: TypeUpdate, From: handle, To: r.other(), TLP: core.TLPAmberStrict, Payload: u})
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `UPDATE cyb_events SET envelope_id = ? WHERE request_id = ? AND origin_id = ?`, id, r.ID, u.EventID)
	return core.Wrap("cybercrime: step", err)
}

// told e-mails the people of the side that learns of a step.
func (s *Service) told(ctx context.Context, tx *store.Tx, r Request, u update, by string) error {
	if s.notify == nil {
		return nil
	}
	return s.notify.NotifyOrg(ctx, tx, r.OrgID, workers, notify.CybUpdate, "/cybercrime/requests/"+r.ID,
		s.args(map[string]string{"by": by}, map[string]string{"kind": "cyb.kind." + string(r.Kind), "state": "cyb.state." + string(u.State)}))
}
