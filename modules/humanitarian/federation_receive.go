package humanitarian

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/store"
)

// Receive implements federation.Handler for the humanitarian.*
// envelopes.
func (s *Service) Receive(ctx context.Context, tx *store.Tx, env federation.Envelope, payload []byte) error {
	switch env.Type {
	case TypeFlow:
		return s.receiveClaim(ctx, tx, env, payload)
	case TypeConfirmation:
		return s.receiveConfirmation(ctx, tx, env, payload)
	}
	return malformed("type " + env.Type)
}

// open checks the envelope's signed statement over the exact bytes
// received, as signed by the sending node for the envelope's type.
func (s *Service) open(ctx context.Context, env federation.Envelope, payload []byte) (signed string, body []byte, host string, err error) {
	_, host, _ = federation.Address(env.From)
	var pl statement
	if err := decodeStrict("payload", payload, &pl); err != nil {
		return "", nil, "", err
	}
	body, _, err = s.fed.OpenStatement(ctx, env.Type, []byte(pl.Statement), host)
	if err != nil {
		return "", nil, "", &core.Error{Kind: core.KindInvalid, Message: "err.form", Err: err}
	}
	return pl.Statement, body, host, nil
}

// notAhead refuses an id made later than now (with a day's leeway for
// clocks): lists show the newest first, and an id from the future would
// stay at their top.
func notAhead(id string, now time.Time) error {
	t, err := core.IDTime(id[:min(len(id), 26)])
	if err != nil || t.After(now.Add(24*time.Hour)) {
		return malformed("an id made in the future")
	}
	return nil
}

// receiveClaim keeps a donor's report of a contribution to an
// organisation of this node, or its later status.
func (s *Service) receiveClaim(ctx context.Context, tx *store.Tx, env federation.Envelope, payload []byte) error {
	signed, body, host, err := s.open(ctx, env, payload)
	if err != nil {
		return err
	}
	m, err := checkFlowClaim(host, s.fed.Host(), env.From, body)
	if err != nil {
		return err
	}
	if err := notAhead(m.ID, tx.Now); err != nil {
		return err
	}
	// Take the row first: two claims of one flow delivered at once land
	// one after the other.
	if _, err := tx.Exec(ctx, `UPDATE hum_flows SET rev = rev WHERE id = ?`, m.ID); err != nil {
		return core.Wrap("humanitarian: receive flow", err)
	}
	var held flowRow
	err = tx.Get(ctx, &held, `SELECT `+flowCols+` FROM hum_flows WHERE id = ?`, m.ID)
	if err != nil && core.KindOf(err) != core.KindNotFound {
		return core.Wrap("humanitarian: receive flow", err)
	}
	if err == nil {
		old := held.flow()
		switch {
		case old.Origin != host || old.Donor != m.Donor || old.Recipient != m.Recipient:
			return forbidden("a flow of another node")
		case m.Rev <= old.Rev:
			return nil // a late claim: this node holds a newer one
		case slices.Index(FlowStatuses, m.Status) < slices.Index(FlowStatuses, old.Status):
			return malformed("a flow moved back")
		}
		if _, err := tx.Exec(ctx, `UPDATE hum_flows SET sector = ?, amount = ?, currency = ?, rate_e8 = ?, usd = ?, status = ?, flow_date = ?,
			description = ?, rev = ?, claim = ?, updated_at = ? WHERE id = ?`, m.Sector, m.Amount, m.Currency, m.RateE8, m.USD, m.Status, m.Date,
			m.Description, m.Rev, signed, tx.Now, m.ID); err != nil {
			return core.Wrap("humanitarian: receive flow", err)
		}
		return addEvent(ctx, tx, m.ID, "donor", m.Status, m.USD, signed)
	}
	handle, _, _ := federation.Address(m.Recipient)
	orgID, err := localOrg(ctx, tx, handle)
	if err != nil {
		return &core.Error{Kind: core.KindNotFound, Message: "err.not_found", Err: err}
	}
	f := Flow{ID: m.ID, RefEmergency: m.Emergency, RefAppeal: m.Appeal, RefTitle: m.Title, Donor: m.Donor, Recipient: m.Recipient,
		RecipientOrgID: orgID, Sector: m.Sector, Amount: m.Amount, Currency: m.Currency, RateE8: m.RateE8, USD: m.USD, Status: m.Status,
		Date: m.Date, Description: m.Description, Rev: m.Rev, Origin: host, Claim: signed, CreatedAt: tx.Now, UpdatedAt: tx.Now}
	// The reference is this node's own appeal or emergency: the flow is
	// counted there when it exists; a reference to nothing is kept, shown
	// on the flow's page, and counted nowhere. An appeal counts only
	// money to the organisation that made it: money to another is
	// counted under the appeal's emergency alone.
	if m.Appeal != "" {
		var a struct {
			ID          string `db:"id"`
			EmergencyID string `db:"emergency_id"`
			OrgID       string `db:"org_id"`
			Title       string `db:"title"`
		}
		if err := tx.Get(ctx, &a, `SELECT id, emergency_id, org_id, title FROM hum_appeals WHERE id = ?`, m.Appeal); err == nil {
			f.EmergencyID = a.EmergencyID
			if a.OrgID == orgID {
				f.AppealID, f.RefTitle = a.ID, a.Title
			}
		}
	} else {
		var e struct {
			ID    string `db:"id"`
			Title string `db:"title"`
		}
		if err := tx.Get(ctx, &e, `SELECT id, title FROM hum_emergencies WHERE id = ?`, m.Emergency); err == nil {
			f.EmergencyID, f.RefTitle = e.ID, e.Title
		}
	}
	err = tx.Savepoint(ctx, func() error { return insertFlow(ctx, tx, f) })
	if core.KindOf(err) == core.KindConflict {
		// Two claims of a new flow received side by side (PostgreSQL runs
		// them at once): the other stored it between the read above and
		// this insert, so this claim is weighed against it, once.
		var n int
		if tx.Get(ctx, &n, `SELECT COUNT(*) FROM hum_flows WHERE id = ?`, f.ID) == nil && n == 1 {
			return s.receiveClaim(ctx, tx, env, payload)
		}
	}
	if err != nil {
		return err
	}
	if err := addEvent(ctx, tx, f.ID, "donor", f.Status, f.USD, signed); err != nil {
		return err
	}
	return s.tellReported(ctx, tx, f)
}

// receiveConfirmation keeps the recipient's confirmation of a flow this
// node's donor reported.
func (s *Service) receiveConfirmation(ctx context.Context, tx *store.Tx, env federation.Envelope, payload []byte) error {
	signed, body, host, err := s.open(ctx, env, payload)
	if err != nil {
		return err
	}
	m, err := checkConfirmation(host, s.fed.Host(), env.From, body)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE hum_flows SET rev = rev WHERE id = ?`, m.Flow); err != nil {
		return core.Wrap("humanitarian: receive confirmation", err)
	}
	var r flowRow
	if err := tx.Get(ctx, &r, `SELECT `+flowCols+` FROM hum_flows WHERE id = ? AND origin = '' AND donor = ? AND recipient = ?`, m.Flow, m.Donor, m.Recipient); err != nil {
		if core.KindOf(err) == core.KindNotFound {
			return forbidden("no flow " + m.Flow + " of this node to " + m.Recipient)
		}
		return core.Wrap("humanitarian: receive confirmation", err)
	}
	f := r.flow()
	if m.Rev > f.Rev {
		return malformed("a confirmation of a report not made")
	}
	if m.Rev < f.ConfirmedRev || (m.Rev == f.ConfirmedRev && m.Seq <= s.heldSeq(ctx, f, host)) {
		return nil // a late or repeated confirmation: a newer one is held
	}
	f.ConfirmedRev, f.UpdatedAt = m.Rev, tx.Now
	f.Confirmation = &Confirmation{Sector: m.Sector, Amount: m.Amount, Currency: m.Currency, RateE8: m.RateE8, USD: m.USD, Status: m.Status,
		Date: m.Date, Note: m.Note, Statement: signed}
	if err := saveConfirmation(ctx, tx, f); err != nil {
		return err
	}
	if err := addEvent(ctx, tx, f.ID, "recipient", m.Status, m.USD, signed); err != nil {
		return err
	}
	return s.tellConfirmed(ctx, tx, f)
}

// heldSeq is the sequence of the confirmation a flow holds, read from its
// statement as kept; 0 when none is held.
func (s *Service) heldSeq(ctx context.Context, f Flow, host string) int64 {
	if f.Confirmation == nil || f.Confirmation.Statement == "" {
		return 0
	}
	body, _, err := s.fed.OpenStatement(ctx, TypeConfirmation, []byte(f.Confirmation.Statement), host)
	var held confirmationMsg
	if err != nil || json.Unmarshal(body, &held) != nil {
		return 0
	}
	return held.Seq
}

// CheckStatement opens a statement kept on a flow again, over its exact
// bytes, with the key of the node that signed it: what the flow's page
// shows as proven. It returns the statement's body as indented JSON.
func (s *Service) CheckStatement(ctx context.Context, typ, signed, host string) (string, error) {
	if s.fed == nil || signed == "" {
		return "", core.E(core.KindNotFound, "humanitarian: check statement", "err.not_found")
	}
	body, _, err := s.fed.OpenStatement(ctx, typ, []byte(signed), host)
	if err != nil {
		return "", &core.Error{Kind: core.KindInvalid, Message: "err.form", Err: err}
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return "", malformed(typ)
	}
	b, _ := json.MarshalIndent(v, "", "  ")
	return string(b), nil
}
