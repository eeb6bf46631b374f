package cybercrime

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store"
)

// The module's envelope types.
const (
	TypeRequest = "cybercrime.request"
	TypeUpdate  = "cybercrime.update"
)

// requestWire is a request as it travels to the requested node.
type requestWire struct {
	OriginID    string            `json:"origin_id"`
	FromCountry string            `json:"from_country"`
	ToCountry   string            `json:"to_country"`
	Kind        Kind              `json:"kind"`
	Basis       string            `json:"basis"`
	Language    string            `json:"language"`
	Reference   string            `json:"reference,omitempty"`
	Fields      map[string]string `json:"fields"`
	Follows     string            `json:"follows,omitempty"`
	Author      string            `json:"author"`
	ApprovedBy  string            `json:"approved_by"`
	Created     time.Time         `json:"created"`
	Sent        time.Time         `json:"sent"`
	RespondBy   time.Time         `json:"respond_by"`
	EventID     string            `json:"event_id"`
	// Evidence is the manifest of the files sent with the request (see
	// evidence_federation.go); the other node fetches them.
	Evidence *evidenceWire `json:"evidence,omitempty"`
}

// Receive implements federation.Handler. A node speaks only for its own
// organisations: a request is believed only from the requesting
// organisation's node, a step only from the side whose step it is.
func (s *Service) Receive(ctx context.Context, tx *store.Tx, env federation.Envelope, payload []byte) error {
	switch env.Type {
	case TypeRequest:
		var w requestWire
		if err := json.Unmarshal(payload, &w); err != nil {
			return malformed("request")
		}
		return s.deliver(ctx, tx, env.From, env.To, w, env.ID, env.Created)
	case TypeUpdate:
		var u update
		if err := json.Unmarshal(payload, &u); err != nil {
			return malformed("update")
		}
		return s.receiveUpdate(ctx, tx, env, u)
	case TypeEvidence:
		return s.receiveEvidence(ctx, tx, env, payload)
	}
	return &core.Error{Kind: core.KindInvalid, Message: "err.form", Err: errors.New("unknown type " + env.Type)}
}

var _ federation.Handler = (*Service)(nil)

// wireSlack is how far the times a peer gives for a request or a step may
// be from its envelope's created: the sending node takes both from the
// same clock in the same transaction, and federation bounds created (not in
// the future, not older than its retry horizon). A time further off is
// backdated or postdated, and would put absurd dates in the figures and the
// clocks of both sides.
const wireSlack = 5 * time.Minute

// near reports whether a peer's time t is within wireSlack of created.
func near(t, created time.Time) bool {
	d := t.Sub(created)
	return d <= wireSlack && d >= -wireSlack
}

// deliver stores a request arriving for one of this node's organisations,
// after the checks a person's draft went through: the fields its kind
// requires, the countries of both organisations as this node knows them,
// and a legal basis this node also finds valid.
func (s *Service) deliver(ctx context.Context, tx *store.Tx, fromAddr, toAddr string, w requestWire, envelopeID string, created time.Time) error {
	handle, _, _ := federation.Address(toAddr)
	to, err := s.localOrg(ctx, tx.Conn, handle)
	if err != nil {
		return &core.Error{Kind: core.KindNotFound, Message: "err.recipient_unknown"}
	}
	in := Input{From: "x", To: "x", Kind: w.Kind, Basis: w.Basis, Language: w.Language, Reference: w.Reference, Fields: w.Fields}
	in.normalize()
	// The ids are NewID's, as every node makes them: nothing longer goes
	// into the indexes (PostgreSQL refuses a key over 2,700 bytes, and the
	// peer would retry the envelope for a month).
	if !core.ValidID(w.OriginID) || !core.ValidID(w.EventID) || (w.Follows != "" && !core.ValidID(w.Follows)) || len(in.validate()) > 0 || w.ToCountry != to.Country || !w.Kind.Reaches(to.Kind == string(core.OrgCompany)) {
		return malformed("request fields")
	}
	// Sent is the envelope's own moment; the deadline is the kind's clock
	// from it, which the requested side keeps too (an earlier one would
	// make it overdue at once); the draft is older than the sending, by
	// less than the longest a preservation may last.
	due := clock(w.Kind, w.Sent)
	if w.Sent.After(tx.Now.Add(time.Hour)) || !near(w.Sent, created) || w.RespondBy.Sub(*due).Abs() > time.Minute ||
		w.Created.After(w.Sent) || w.Created.Before(w.Sent.AddDate(-2, 0, 0)) {
		return malformed("request times")
	}
	if !s.local(fromAddr) {
		// The requesting state is the one its own node's directory gives,
		// and the requester one of its organisations.
		o, ok, err := s.counterpart(ctx, fromAddr)
		if err != nil {
			return err
		}
		if !ok || o.Country != w.FromCountry || !isState(o.Kind) {
			return malformed("requesting organisation")
		}
	}
	if key, ok := s.basisProblem(ctx, w.FromCountry, w.ToCountry, w.Kind, w.Basis, w.Sent); !ok {
		return &core.Error{Kind: core.KindInvalid, Message: key, Err: errors.New("legal basis not valid here")}
	}
	var seen int
	if err := tx.Get(ctx, &seen, `SELECT COUNT(*) FROM cyb_requests WHERE from_addr = ? AND origin_id = ? AND direction = 'in'`, fromAddr, w.OriginID); err != nil || seen > 0 {
		return core.Wrap("cybercrime: receive", err)
	}
	var follows string
	if w.Follows != "" {
		// Only a preservation this node holds from the same requester to
		// the same organisation: a request to one organisation is never
		// threaded onto another's.
		var n int
		if err := tx.Get(ctx, &n, `SELECT COUNT(*) FROM cyb_requests WHERE from_addr = ? AND origin_id = ? AND direction = 'in' AND kind = 'preservation' AND to_addr = ?`,
			fromAddr, w.Follows, toAddr); err != nil {
			return core.Wrap("cybercrime: receive", err)
		}
		if n == 1 {
			follows = w.Follows
		}
	}
	fields, _ := json.Marshal(in.Fields)
	sent, respond := w.Sent.UTC(), w.RespondBy.UTC()
	r := Request{ID: core.NewID(tx.Now), OriginID: w.OriginID, Direction: "in", OrgID: to.ID, From: fromAddr, To: toAddr, FromCountry: w.FromCountry,
		ToCountry: w.ToCountry, Kind: w.Kind, Basis: w.Basis, Language: in.Language, Reference: in.Reference, FieldsJSON: string(fields), Fields: in.Fields,
		State: StateReceived, RespondBy: &respond, Follows: follows, Author: trunc(w.Author, 120), ApprovedBy: trunc(w.ApprovedBy, 120), EnvelopeID: envelopeID,
		CreatedAt: w.Created.UTC(), SentAt: &sent, UpdatedAt: tx.Now}
	if err := insertRequest(ctx, tx, r); err != nil {
		return err
	}
	if err := insertEvent(ctx, tx, Event{ID: core.NewID(tx.Now), OriginID: w.EventID, RequestID: r.ID, At: tx.Now, Action: "receive", State: StateReceived, By: r.Author, ByAddr: fromAddr}); err != nil {
		return err
	}
	if w.Evidence != nil && !s.local(fromAddr) {
		if err := s.takeEvidence(ctx, tx, r, fromAddr, *w.Evidence); err != nil {
			return err
		}
	}
	if s.notify == nil {
		return nil
	}
	return s.notify.NotifyOrg(ctx, tx, to.ID, workers, notify.CybArrived, "/cybercrime/requests/"+r.ID, s.args(map[string]string{"from": fromAddr}, map[string]string{"kind": "cyb.kind." + string(r.Kind)}))
}

// receiveUpdate applies a step the other side took, after checking that
// the sender is that side, that it is addressed to this side's
// organisation, and that the step is one the rules allow from the state
// this node holds.
func (s *Service) receiveUpdate(ctx context.Context, tx *store.Tx, env federation.Envelope, u update) error {
	from := env.From
	if !core.ValidID(u.OriginID) || !core.ValidID(u.EventID) {
		return malformed("step ids")
	}
	// Two of the peer's steps delivered at once are taken one after the
	// other, each judged against the state the other left: on PostgreSQL
	// the row is locked until this one is stored (SQLite writes one
	// transaction at a time).
	lock := ""
	if tx.Engine() == store.Postgres {
		lock = " FOR UPDATE"
	}
	var r Request
	err := tx.Get(ctx, &r, `SELECT `+requestColumns+` FROM cyb_requests WHERE from_addr = ? AND origin_id = ? AND (from_addr = ? AND direction = 'in' OR to_addr = ? AND direction = 'out')`+lock,
		u.RequestFrom, u.OriginID, from, from)
	if err != nil {
		if core.KindOf(err) == core.KindNotFound {
			return &core.Error{Kind: core.KindNotFound, Message: "err.not_found", Err: errors.New("unknown request")}
		}
		return core.Wrap("cybercrime: receive step", err)
	}
	if env.To != r.mine() {
		// The request is between the sender and another organisation of
		// this node: the step is not for this one.
		return &core.Error{Kind: core.KindNotFound, Message: "err.not_found", Err: errors.New("unknown request")}
	}
	var seen int
	if err := tx.Get(ctx, &seen, `SELECT COUNT(*) FROM cyb_events WHERE request_id = ? AND origin_id = ?`, r.ID, u.EventID); err != nil || seen > 0 {
		return core.Wrap("cybercrime: receive step", err)
	}
	// The step is the other side's: judge it as that side would.
	theirs := r
	theirs.Direction = map[string]string{"out": "in", "in": "out"}[r.Direction]
	if theirs.State == StateSent {
		theirs.State = StateReceived
	}
	// Steps that crossed: the requester withdrew while the requested side
	// acted, or the requested side executed or refused while the
	// requester withdrew. Each side judges the other's step against the
	// state before its own, and both end in the same state (crossing).
	cross, err := s.crossing(ctx, tx, r, u)
	if err != nil {
		return err
	}
	if cross != "" {
		theirs.State = cross
	}
	if u.EventID == "" || u.Action == ActApprove || u.Action == ActSend || next(theirs, u.Action) != u.State {
		return malformed("step")
	}
	if u.At.After(tx.Now.Add(time.Hour)) || !near(u.At, env.Created) {
		return malformed("step time")
	}
	u.Note, u.By = trunc(u.Note, maxField), trunc(u.By, 120)
	st := Step{Action: u.Action, Note: u.Note, Ground: u.Ground, Until: u.Until}.tidy()
	u.Ground, u.Until = st.Ground, st.Until
	if p := st.check(theirs, u.At, s.legal); len(p) > 0 {
		return malformed("step fields")
	}
	if cross != "" && !outcome(r, u) {
		// The step stands in the thread, but the state stays: the other
		// side will take this side's step and come to the same state.
		return insertEvent(ctx, tx, Event{ID: core.NewID(tx.Now), OriginID: u.EventID, RequestID: r.ID, At: u.At, Action: u.Action, State: r.State,
			By: u.By, ByAddr: from, Note: u.Note, Ground: u.Ground, Until: u.Until})
	}
	if err := s.apply(ctx, tx, r, u, from); err != nil {
		if errors.Is(err, errMoved) {
			// Another of the peer's steps was stored meanwhile: the peer
			// sends this one again and it is judged against the new state.
			return &core.Error{Kind: core.KindUnavailable, Op: "cybercrime: receive step", Err: err}
		}
		return err
	}
	return s.told(ctx, tx, r, u, from)
}

// crossing returns, when a step from the other side crossed one of this
// side's, the state the other side was judging from: the state before this
// side's crossing step. It is "" when the steps did not cross.
//
// The rule that makes both sides agree: an outcome the requested side
// reached (executed, refused) stands over a withdrawal it had not yet
// received, because the data was handed over or the answer given; any
// other step of the requested side (acknowledged, preserved, partly
// executed) gives way to the withdrawal, which the requested side then
// takes from the requester's envelope.
func (s *Service) crossing(ctx context.Context, tx *store.Tx, r Request, u update) (State, error) {
	var mine Action
	switch {
	case r.Direction == "out" && r.State == StateWithdrawn && u.Action != ActWithdraw && u.Action != ActClose && u.Action != ActNote:
		mine = ActWithdraw
	case r.Direction == "in" && (r.State == StateExecuted || r.State == StateRefused) && u.Action == ActWithdraw:
		mine = Action(map[State]Action{StateExecuted: ActExecute, StateRefused: ActRefuse}[r.State])
	default:
		return "", nil
	}
	// The state before this side's step is the one the last earlier event
	// left.
	var before []State
	err := tx.Select(ctx, &before, `SELECT state FROM cyb_events WHERE request_id = ? AND action NOT IN (?, 'note') ORDER BY at DESC, id DESC LIMIT 2`, r.ID, string(mine))
	if err != nil {
		return "", core.Wrap("cybercrime: crossing", err)
	}
	if len(before) == 0 {
		return "", nil
	}
	st := before[0]
	if st == StateSent {
		st = StateReceived
	}
	return st, nil
}

// outcome reports whether a crossing step changes this side's state: the
// requested side's execution or refusal does, on the requesting side.
func outcome(r Request, u update) bool {
	return r.Direction == "out" && (u.Action == ActExecute || u.Action == ActRefuse)
}

func trunc(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
