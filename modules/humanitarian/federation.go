package humanitarian

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"

	"entente.example/entente/core"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/store"
)

// Funding across nodes. A donor's node reports a contribution to a
// recipient on a peer as a signed claim (humanitarian.flow); the
// recipient's node keeps it as the donor reported it, and a writer of the
// recipient confirms it there, perhaps with other figures: the signed
// confirmation (humanitarian.confirmation) goes back. A later status of
// the donor's travels as a new claim with a higher rev. Both statements
// are kept as received, byte for byte, on both nodes. A peer is believed
// only about its own: a claim only from the donor's node and about a flow
// that node made, a confirmation only from the recipient's node.

// The envelopes of funding.
const (
	TypeFlow         = "humanitarian.flow"
	TypeConfirmation = "humanitarian.confirmation"
)

// UseFederation lets contributions travel between the donor's node and
// the recipient's, and registers the module's envelopes.
func (s *Service) UseFederation(f Fed) {
	s.fed = f
	f.Handle("humanitarian", s)
}

var _ federation.Handler = (*Service)(nil)

// statement is an envelope's payload: a signed statement, kept as
// received.
type statement struct {
	Statement string `json:"statement"`
}

// flowClaim is the donor's statement of a flow.
type flowClaim struct {
	ID          string `json:"id"`
	Rev         int64  `json:"rev"`
	Donor       string `json:"donor"`
	Recipient   string `json:"recipient"`
	Emergency   string `json:"emergency"` // on the recipient's node
	Appeal      string `json:"appeal"`
	Title       string `json:"title"`
	Sector      string `json:"sector"`
	Amount      int64  `json:"amount"`
	Currency    string `json:"currency"`
	RateE8      int64  `json:"rate_e8"`
	USD         int64  `json:"usd"`
	Status      string `json:"status"`
	Date        string `json:"date"`
	Description string `json:"description"`
}

// confirmationMsg is the recipient's statement of what it received.
type confirmationMsg struct {
	Flow      string `json:"flow"`
	Rev       int64  `json:"rev"`           // the donor's claim it answers
	Seq       int64  `json:"seq,omitempty"` // the recipient's confirmations of the flow so far, this one included
	Donor     string `json:"donor"`
	Recipient string `json:"recipient"`
	Sector    string `json:"sector"`
	Amount    int64  `json:"amount"`
	Currency  string `json:"currency"`
	RateE8    int64  `json:"rate_e8"`
	USD       int64  `json:"usd"`
	Status    string `json:"status"`
	Date      string `json:"date"`
	Note      string `json:"note"`
}

func malformed(what string) error {
	return &core.Error{Kind: core.KindInvalid, Message: "err.form", Err: errors.New("malformed " + what)}
}

func forbidden(why string) error {
	return &core.Error{Kind: core.KindForbidden, Message: "err.forbidden", Err: errors.New(why)}
}

// decodeStrict reads a statement's body: no NUL, no invalid UTF-8, no key
// twice, no field this node does not know, nothing after the object.
func decodeStrict(what string, body []byte, v any) error {
	if err := core.CheckJSON(body); err != nil {
		return &core.Error{Kind: core.KindInvalid, Message: "err.form", Err: err}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return malformed(what + ": " + err.Error())
	}
	if dec.More() {
		return malformed(what + ": more after the object")
	}
	return nil
}

// checkFigures checks the figures both statements carry.
func checkFigures(what, sector string, amount int64, currency string, rate, usd int64, status, date string) error {
	switch {
	case !slices.Contains(Clusters, sector):
		return malformed(what + " sector")
	case amount <= 0 || amount > maxMoney || !validCurrency(currency):
		return malformed(what + " amount")
	case rate <= 0 || rate > 1_000_000*rateScale || (currency == "USD" && rate != rateScale):
		return malformed(what + " rate")
	case usd != ToUSD(amount, rate) || !validUSD(usd):
		return malformed(what + " usd")
	case !slices.Contains(FlowStatuses, status):
		return malformed(what + " status")
	case !validDate(date):
		return malformed(what + " date")
	}
	return nil
}

// checkFlowClaim reads a claim that the organisation from on the node
// host sent to this node (local), and checks all that needs no database:
// the flow is the sender's own (made on its node, its donor the sender),
// its recipient is on this node, and it is well formed.
func checkFlowClaim(host, local, from string, body []byte) (flowClaim, error) {
	var m flowClaim
	if err := decodeStrict(TypeFlow, body, &m); err != nil {
		return m, err
	}
	_, rhost, rok := federation.Address(m.Recipient)
	switch {
	case !federation.HostedID(m.ID, host):
		return m, forbidden("a flow made elsewhere")
	case m.Donor != from:
		return m, forbidden("a flow of " + m.Donor + " sent by " + from)
	case !rok || rhost != local:
		return m, forbidden("a flow to another node")
	case m.Rev < 1:
		return m, malformed("flow rev")
	case (m.Emergency == "") == (m.Appeal == ""):
		return m, malformed("flow emergency or appeal")
	case m.Emergency != "" && !federation.HostedID(m.Emergency, local), m.Appeal != "" && !federation.HostedID(m.Appeal, local):
		return m, malformed("flow reference")
	}
	if _, h, ok := federation.Address(m.Donor); !ok || h != host {
		return m, forbidden("a donor on another node")
	}
	pr := core.Problems{}
	text(pr, "title", m.Title, maxTitle, true)
	text(pr, "description", m.Description, maxText, false)
	if len(pr) > 0 {
		return m, malformed("flow text")
	}
	return m, checkFigures("flow", m.Sector, m.Amount, m.Currency, m.RateE8, m.USD, m.Status, m.Date)
}

// checkConfirmation reads a confirmation that the organisation from on
// the node host sent to this node (local), and checks all that needs no
// database: the flow was made here, and the sender is its recipient.
func checkConfirmation(host, local, from string, body []byte) (confirmationMsg, error) {
	var m confirmationMsg
	if err := decodeStrict(TypeConfirmation, body, &m); err != nil {
		return m, err
	}
	_, dhost, dok := federation.Address(m.Donor)
	_, rhost, rok := federation.Address(m.Recipient)
	switch {
	case !federation.HostedID(m.Flow, local):
		return m, forbidden("a confirmation of a flow made elsewhere")
	case m.Recipient != from || !rok || rhost != host:
		return m, forbidden("a confirmation by " + m.Recipient + " sent by " + from)
	case !dok || dhost != local:
		return m, forbidden("a confirmation for a donor on another node")
	case m.Rev < 1 || m.Seq < 0:
		return m, malformed("confirmation rev")
	}
	pr := core.Problems{}
	text(pr, "note", m.Note, maxText, false)
	if len(pr) > 0 {
		return m, malformed("confirmation note")
	}
	return m, checkFigures("confirmation", m.Sector, m.Amount, m.Currency, m.RateE8, m.USD, m.Status, m.Date)
}

// sendClaim signs the flow's claim as it is now, keeps it on the flow and
// sends it to the recipient's node.
func (s *Service) sendClaim(ctx context.Context, tx *store.Tx, f *Flow) error {
	m := flowClaim{ID: f.ID, Rev: f.Rev, Donor: f.Donor, Recipient: f.Recipient, Emergency: f.RefEmergency, Appeal: f.RefAppeal, Title: f.RefTitle,
		Sector: f.Sector, Amount: f.Amount, Currency: f.Currency, RateE8: f.RateE8, USD: f.USD, Status: f.Status, Date: f.Date, Description: f.Description}
	signed, err := s.sign(ctx, tx, TypeFlow, f.Donor, f.Recipient, m)
	f.Claim = signed
	return err
}

// sendConfirmation signs the recipient's confirmation, keeps it and sends
// it to the donor's node.
func (s *Service) sendConfirmation(ctx context.Context, tx *store.Tx, f *Flow) error {
	c := f.Confirmation
	// The sequence orders two confirmations of one rev, which may arrive
	// in either order: the donor's node keeps the later.
	var seq int64
	if err := tx.Get(ctx, &seq, `SELECT COUNT(*) FROM hum_flow_events WHERE flow_id = ? AND side = 'recipient'`, f.ID); err != nil {
		return core.Wrap("humanitarian: confirmation sequence", err)
	}
	m := confirmationMsg{Flow: f.ID, Rev: f.ConfirmedRev, Seq: seq + 1, Donor: f.Donor, Recipient: f.Recipient, Sector: c.Sector, Amount: c.Amount,
		Currency: c.Currency, RateE8: c.RateE8, USD: c.USD, Status: c.Status, Date: c.Date, Note: c.Note}
	signed, err := s.sign(ctx, tx, TypeConfirmation, f.Recipient, f.Donor, m)
	c.Statement = signed
	return err
}

// sign signs v as a statement of typ and sends it from the local address
// from to the address to. A peer that is not verified is the field's
// problem: the person learns at once that nothing went.
func (s *Service) sign(ctx context.Context, tx *store.Tx, typ, from, to string, v any) (string, error) {
	b, err := s.fed.SignStatement(typ, v)
	if err != nil {
		return "", core.Wrap("humanitarian: sign "+typ, err)
	}
	handle, _, _ := federation.Address(from)
	_, err = s.fed.Send(ctx, tx, federation.Outgoing{Type: typ, From: handle, To: to, TLP: core.TLPClear, Payload: statement{Statement: string(b)}})
	if errors.Is(err, federation.ErrPeerNotVerified) {
		field := "recipient"
		if typ == TypeConfirmation {
			field = "donor"
		}
		return "", core.Problems{field: "err.peer_not_verified"}.Err("humanitarian: send " + typ)
	}
	return string(b), err
}
