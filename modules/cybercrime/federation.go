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
		return s.deliver(ctx, tx, env.From, env.To, w, env.ID)
	case TypeUpdate:
		var u update
		if err := json.Unmarshal(payload, &u); err != nil {
			return malformed("update")
		}
		return s.receiveUpdate(ctx, tx, env.From, u)
	case TypeEvidence:
		return s.receiveEvidence(ctx, tx, env, payload)
	}
	return &core.Error{Kind: core.KindInvalid, Message: "err.form", Err: errors.New("unknown type " + env.Type)}
}

var _ federation.Handler = (*Service)(nil)

// deliver stores a request arriving for one of this node's organisations,
// after the checks a person's draft went through: the fields its kind
// requires, the countries of both organisations as this node knows them,
// and a legal basis this node also finds valid.
func (s *Service) deliver(ctx context.Context, tx *store.Tx, fromAddr, toAddr string, w requestWire, envelopeID string) error {
	handle, _, _ := federation.Address(toAddr)
	to, err := s.localOrg(ctx, tx.Conn, handle)
	if err != nil {
		return &core.Error{Kind: core.KindNotFound, Message: "err.recipient_unknown"}
	}
	in := Input{From: "x", To: "x", Kind: w.Kind, Basis: w.Basis, Language: w.Language, Reference: w.Reference, Fields: w.Fields}
	in.normalize()
	if w.OriginID == "" || len(in.validate()) > 0 || w.ToCountry != to.Country || !w.Kind.Reaches(to.Kind == string(core.OrgCompany)) {
		return malformed("request fields")
	}
	if w.Sent.After(tx.Now.Add(time.Hour)) || w.RespondBy.Before(w.Sent) || w.RespondBy.After(w.Sent.Add(Specs[w.Kind].Respond+time.Minute)) {
		return malformed("request times")
	}
	if !s.local(fromAddr) {
		// The requesting state is the one its own node's directory gives.
		o, ok, err := s.counterpart(ctx, fromAddr)
		if err != nil {
			return err
		}
		if !ok || o.Country != w.FromCountry {
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
		// Only a preservation this node holds from the same requester.
		var n int
		if err := tx.Get(ctx, &n, `SELECT COUNT(*) FROM cyb_requests WHERE from_addr = ? AND origin_id = ? AND direction = 'in' AND kind = 'preservation'`, fromAddr, w.Follows); err != nil {
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
// the sender is that side and that the step is one the rules allow from
// the state this node holds.
func (s *Service) receiveUpdate(ctx context.Context, tx *store.Tx, from string, u update) error {
	var r Request
	err := tx.Get(ctx, &r, `SELECT `+requestColumns+` FROM cyb_requests WHERE from_addr = ? AND origin_id = ? AND (from_addr = ? AND direction = 'in' OR to_addr = ? AND direction = 'out')`,
		u.RequestFrom, u.OriginID, from, from)
	if err != nil {
		if core.KindOf(err) == core.KindNotFound {
			return &core.Error{Kind: core.KindNotFound, Message: "err.not_found", Err: errors.New("unknown request")}
		}
		return core.Wrap("cybercrime: receive step", err)
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
	if u.EventID == "" || u.Action == ActApprove || u.Action == ActSend || next(theirs, u.Action) != u.State {
		return malformed("step")
	}
	if u.At.After(tx.Now.Add(time.Hour)) {
		return malformed("step time")
	}
	u.Note, u.By = trunc(u.Note, maxField), trunc(u.By, 120)
	if u.Until != nil {
		t := u.Until.UTC()
		u.Until = &t
	}
	if p := (Step{Action: u.Action, Note: u.Note, Ground: u.Ground, Until: u.Until}).check(theirs, u.At, s.legal); len(p) > 0 {
		return malformed("step fields")
	}
	if err := s.apply(ctx, tx, r, u, from); err != nil {
		return err
	}
	return s.told(ctx, tx, r, u, from)
}

func trunc(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}
