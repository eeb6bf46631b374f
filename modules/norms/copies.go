package norms

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/ledger"
	"entente.example/entente/internal/store"
)

// Receive implements federation.Handler for the norms' envelopes: signed
// copies of reports published on peers, and their withdrawals.
func (s *Service) Receive(ctx context.Context, tx *store.Tx, env federation.Envelope, payload []byte) error {
	var pl statementPayload
	if err := strictJSON(payload, &pl); err != nil || pl.Statement == "" {
		return malformed("payload")
	}
	switch env.Type {
	case TypeReport:
		return s.receiveReport(ctx, tx, env, pl.Statement)
	case TypeWithdrawal:
		return s.receiveWithdrawal(ctx, tx, env, pl.Statement)
	}
	return malformed("type " + env.Type)
}

var _ federation.Handler = (*Service)(nil)

func malformed(what string) error {
	return &core.Error{Kind: core.KindInvalid, Op: "norms: receive", Message: "err.form", Err: errors.New("malformed " + what)}
}

func refused(why string) error {
	return &core.Error{Kind: core.KindForbidden, Op: "norms: receive", Message: "err.forbidden", Err: errors.New(why)}
}

func strictJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("trailing data")
	}
	return nil
}

// open checks a statement's signature by the sending node over the exact
// bytes received, and that the state it speaks for is on that node and is
// the envelope's sender.
func (s *Service) open(ctx context.Context, env federation.Envelope, context, statement string, decode func([]byte) (string, error)) (host, fp string, err error) {
	fromHandle, host, _ := federation.Address(env.From)
	body, fp, err := s.sign.OpenStatement(ctx, context, []byte(statement), host)
	if err != nil {
		return "", "", &core.Error{Kind: core.KindInvalid, Op: "norms: receive", Message: "err.form", Err: err}
	}
	org, err := decode(body)
	if err != nil {
		return "", "", err
	}
	handle, orgHost, ok := federation.Address(org)
	if !ok || orgHost != host || handle != fromHandle {
		return "", "", refused("a report of a state on another node")
	}
	return host, fp, nil
}

// decodePublication reads a peer's publication from the bytes it signed and
// checks what this node relies on: identity, state, audience, and answers
// that fit the framework and the limits of this node's own.
func decodePublication(body []byte, fw Framework) (Publication, error) {
	var pub Publication
	if err := strictJSON(body, &pub); err != nil {
		return pub, malformed("publication: " + err.Error())
	}
	switch {
	case !core.ValidID(pub.Report) || !core.ValidID(pub.Series) || pub.Version < 1 || pub.At.IsZero():
		return pub, malformed("publication: identity")
	case len(pub.Country) != 2 || trimTitle(pub.Title) == "" || strings.TrimSpace(pub.NameEN) == "":
		return pub, malformed("publication: state or title")
	case pub.Audience != "public" && (!strings.HasPrefix(pub.Audience, AudienceNetwork) || len(pub.Audience) > 100):
		return pub, malformed("publication: audience")
	}
	if _, _, ok := federation.Address(pub.Organisation); !ok {
		return pub, malformed("publication: organisation")
	}
	for _, a := range pub.Answers {
		if len(a.validate(fw)) > 0 {
			return pub, malformed("publication: answer " + a.Part + " " + a.Norm)
		}
	}
	return pub, nil
}

// receiveReport keeps a peer's signed copy of a published version. Older
// versions never replace newer ones: one arriving after a newer version of
// the same report is refused.
func (s *Service) receiveReport(ctx context.Context, tx *store.Tx, env federation.Envelope, statement string) error {
	var pub Publication
	host, fp, err := s.open(ctx, env, TypeReport, statement, func(body []byte) (string, error) {
		var err error
		pub, err = decodePublication(body, s.fw)
		return pub.Organisation, err
	})
	if err != nil {
		return err
	}
	handle, _, _ := federation.Address(pub.Organisation)
	// Reports are states': one the peer's directory calls something else is
	// not believed (an organisation the directory does not list yet is).
	var kind string
	err = tx.Get(ctx, &kind, `SELECT o.kind FROM peer_orgs o JOIN peers p ON p.id = o.peer_id WHERE p.host = ? AND o.handle = ?`, host, handle)
	if err == nil && !core.OrgKind(kind).State() {
		return refused("a report of an organisation that is not a state")
	} else if err != nil && core.KindOf(err) != core.KindNotFound {
		return core.Wrap("norms: receive", err)
	}
	if n, ok := strings.CutPrefix(pub.Audience, AudienceNetwork); ok {
		// Only a node with a member of the network may hold its reports.
		var members int
		if err := tx.Get(ctx, &members, `SELECT COUNT(*) FROM poc_members WHERE network_id = ? AND addr LIKE ?`, n, "%@"+s.sign.Host()); err != nil {
			return core.Wrap("norms: receive", err)
		}
		if members == 0 {
			return refused("no member of the report's network on this node")
		}
	}
	var held []struct {
		Origin    string `db:"origin_id"`
		Version   int    `db:"version"`
		Statement string `db:"statement"`
	}
	if err := tx.Select(ctx, &held, `SELECT origin_id, version, statement FROM norm_copies WHERE host = ? AND (series_id = ? OR origin_id = ?) ORDER BY version DESC`, host, pub.Series, pub.Report); err != nil {
		return core.Wrap("norms: receive", err)
	}
	for _, h := range held {
		switch {
		case h.Origin == pub.Report && h.Statement == statement:
			return nil // the same copy again
		case h.Origin == pub.Report || h.Version == pub.Version:
			return &core.Error{Kind: core.KindConflict, Op: "norms: receive", Message: "err.conflict", Err: errors.New("another statement for a version already held")}
		case h.Version > pub.Version:
			return &core.Error{Kind: core.KindConflict, Op: "norms: receive", Message: "err.conflict", Err: errors.New("an older version than the one held")}
		}
	}
	id := core.NewID(tx.Now)
	if _, err := tx.Exec(ctx, `INSERT INTO norm_copies (id, host, origin_id, series_id, org_handle, org_name_en, org_name_id, country, title, version, status, audience, published_by, published_at, statement, signed_by, received_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'published', ?, ?, ?, ?, ?, ?)`,
		id, host, pub.Report, pub.Series, handle, trimTitle(pub.NameEN), trimTitle(pub.NameID), strings.ToUpper(pub.Country), trimTitle(pub.Title), pub.Version,
		pub.Audience, trimTitle(pub.PublishedBy), pub.At, statement, fp, tx.Now); err != nil {
		return core.Wrap("norms: receive", err)
	}
	for _, a := range pub.Answers {
		if _, err := tx.Exec(ctx, `INSERT INTO norm_copy_answers (report_id, part, norm, measures, challenges, gaps, links, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (report_id, part, norm) DO NOTHING`, id, a.Part, a.Norm, a.Measures, a.Challenges, a.Gaps, a.Links, a.UpdatedAt, trimTitle(a.UpdatedBy)); err != nil {
			return core.Wrap("norms: receive", err)
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE norm_copies SET status = 'superseded' WHERE host = ? AND series_id = ? AND status = 'published' AND version < ?`, host, pub.Series, pub.Version); err != nil {
		return core.Wrap("norms: receive", err)
	}
	// The ledger records the envelope; this entry names the statement kept.
	_, err = s.ledger.Append(ctx, tx, ledger.Entry{Kind: ledger.KindReceived, Ref: "report:" + pub.Report + "@" + host, Digest: ledger.Digest([]byte(statement))})
	return err
}

// receiveWithdrawal applies a peer's signed withdrawal of a version this
// node holds a copy of; a withdrawal of a copy never received changes
// nothing.
func (s *Service) receiveWithdrawal(ctx context.Context, tx *store.Tx, env federation.Envelope, statement string) error {
	var w Withdrawal
	host, _, err := s.open(ctx, env, TypeWithdrawal, statement, func(body []byte) (string, error) {
		if err := strictJSON(body, &w); err != nil || !core.ValidID(w.Report) || w.At.IsZero() {
			return "", malformed("withdrawal")
		}
		return w.Organisation, nil
	})
	if err != nil {
		return err
	}
	var held struct {
		Series  string `db:"series_id"`
		Version int    `db:"version"`
	}
	err = tx.Get(ctx, &held, `SELECT series_id, version FROM norm_copies WHERE host = ? AND origin_id = ?`, host, w.Report)
	if core.KindOf(err) == core.KindNotFound {
		return nil
	} else if err != nil {
		return core.Wrap("norms: receive withdrawal", err)
	}
	if held.Series != w.Series || held.Version != w.Version {
		return malformed("withdrawal: not the version held")
	}
	if _, err := tx.Exec(ctx, `UPDATE norm_copies SET status = 'withdrawn', withdrawn_at = ?, withdrawal = ? WHERE host = ? AND origin_id = ?`, w.At, statement, host, w.Report); err != nil {
		return core.Wrap("norms: receive withdrawal", err)
	}
	_, err = s.ledger.Append(ctx, tx, ledger.Entry{Kind: ledger.KindReceived, Ref: "report:" + w.Report + "@" + host + ":withdrawn", Digest: ledger.Digest([]byte(statement))})
	return err
}
