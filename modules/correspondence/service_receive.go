package correspondence

// Receiving from peers: messages, acknowledgments, and envelopes a peer never took.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/ledger"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store"
)

// messagePayload is what travels, sealed, to the recipient's node.
type messagePayload struct {
	Named          []string     `json:"named,omitempty"`
	Format         string       `json:"format,omitempty"`
	AckBy          *time.Time   `json:"acknowledge_by,omitempty"`
	Attachments    []Attachment `json:"attachments,omitempty"`
	OriginID       string       `json:"origin_id"`
	ThreadID       string       `json:"thread_id"`
	Author         string       `json:"author"`
	Subject        string       `json:"subject"`
	Body           string       `json:"body"`
	Classification string       `json:"classification,omitempty"`
	Created        time.Time    `json:"created"`
	To             []string     `json:"to"` // every recipient, so each sees who else was addressed
}

type ackPayload struct {
	OriginID string    `json:"origin_id"` // the id on the sender's node
	By       string    `json:"by"`        // the person who acknowledged
	At       time.Time `json:"at"`
}

// Receive implements federation.Handler for messages and acknowledgments.
func (s *Service) Receive(ctx context.Context, tx *store.Tx, env federation.Envelope, payload []byte) error {
	switch env.Type {
	case TypeMessage:
		return s.receiveMessage(ctx, tx, env, payload)
	case TypeAck, TypeRead:
		return s.receiveAck(ctx, tx, env, payload)
	}
	return &core.Error{Kind: core.KindInvalid, Message: "err.form", Err: errors.New("unknown type " + env.Type)}
}

func (s *Service) receiveMessage(ctx context.Context, tx *store.Tx, env federation.Envelope, payload []byte) error {
	var p messagePayload
	if err := json.Unmarshal(payload, &p); err != nil || p.OriginID == "" || p.Subject == "" || len(p.Subject) > 1000 || len(p.Body) > 400_000 {
		return &core.Error{Kind: core.KindInvalid, Message: "err.form", Err: errors.New("malformed message payload")}
	}
	if env.TLP == core.TLPRed && len(p.Named) == 0 {
		return &core.Error{Kind: core.KindInvalid, Message: "err.tlp_red_named", Err: errors.New("TLP:RED names no one")}
	}
	if hasControl(p.Subject) || strings.ContainsRune(p.Body, 0) || hasControl(p.Author) {
		return &core.Error{Kind: core.KindInvalid, Message: "err.form", Err: errors.New("control characters in the message")}
	}
	handle, _, _ := federation.Address(env.To)
	to, err := s.localOrg(ctx, tx.Conn, handle)
	if err != nil {
		// The key itself is the reason the sending node shows, in words.
		return &core.Error{Kind: core.KindNotFound, Message: "err.recipient_unknown"}
	}
	// A message to several organisations of this node arrives once for each;
	// they share one message here.
	var id string
	err = tx.Get(ctx, &id, `SELECT id FROM messages WHERE from_addr = ? AND origin_id = ?`, env.From, p.OriginID)
	switch {
	case core.KindOf(err) == core.KindNotFound:
		c := Compose{From: "x", To: []string{"x"}, Subject: "x", Body: "x", TLP: core.TLPGreen, Format: p.Format, Attachments: p.Attachments}
		if probs := c.Validate(); probs["attachments"] != "" || probs["format"] != "" {
			return &core.Error{Kind: core.KindInvalid, Message: "err.form", Err: errors.New("attachments or format out of bounds")}
		}
		id = core.NewID(tx.Now)
		// Two envelopes of one message can arrive at once (PostgreSQL runs
		// them side by side): the second finds the first's row.
		n, err := tx.Exec(ctx, `INSERT INTO messages (id, origin_id, thread_id, direction, from_addr, author, subject, body, tlp, classification, format, ack_by, envelope_id, created_at)
			VALUES (?, ?, ?, 'in', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (from_addr, origin_id) DO NOTHING`, id, p.OriginID, p.ThreadID, env.From, trunc(p.Author, 120), p.Subject, p.Body, string(env.TLP), trunc(p.Classification, 60), c.Format, utcPtr(p.AckBy), env.ID, p.Created.UTC())
		if err != nil {
			return core.Wrap("correspondence: receive", err)
		}
		if n == 0 {
			if err := tx.Get(ctx, &id, `SELECT id FROM messages WHERE from_addr = ? AND origin_id = ?`, env.From, p.OriginID); err != nil {
				return core.Wrap("correspondence: receive", err)
			}
			c.Attachments = nil // stored with the first
		}
		if env.TLP == core.TLPRed {
			if err := s.storeNamed(ctx, tx, id, p.Named, []string{to.ID}); err != nil {
				return err
			}
			var found int
			if err := tx.Get(ctx, &found, `SELECT COUNT(*) FROM message_named WHERE message_id = ? AND user_id <> ''`, id); err != nil {
				return err
			}
			if found == 0 {
				// Nobody here may read it: refuse rather than hold it unseen.
				// The key itself is the reason the sending node shows, in words.
				return &core.Error{Kind: core.KindInvalid, Message: "err.named_unknown"}
			}
		}
		for _, at := range c.Attachments {
			// The digest the sender recorded must be the file that arrived.
			if at.SHA256 != ledger.Digest(at.Data) {
				return &core.Error{Kind: core.KindInvalid, Message: "err.form", Err: fmt.Errorf("attachment %q: SHA-256 does not match", at.Name)}
			}
			at.Size = int64(len(at.Data))
			if err := s.insertAttachment(ctx, tx, id, at); err != nil {
				return err
			}
		}
	case err != nil:
		return core.Wrap("correspondence: receive", err)
	}
	if _, err = tx.Exec(ctx, `INSERT INTO message_recipients (message_id, to_addr, to_org_id, state, delivered_at) VALUES (?, ?, ?, ?, ?)`, id, env.To, to.ID, StateDelivered, tx.Now); err != nil {
		return core.Wrap("correspondence: receive", err)
	}
	return s.tell(ctx, tx, to.ID, notify.MessageArrived, id, notify.Args{"from": env.From, "subject": p.Subject})
}

// tell e-mails the admins and officers of an organisation (the people who
// can act on its correspondence), through the job queue in the same
// transaction.
func (s *Service) tell(ctx context.Context, tx *store.Tx, orgID string, k notify.Kind, messageID string, args notify.Args) error {
	if s.notify == nil {
		return nil
	}
	var users []string
	if err := tx.Select(ctx, &users, `SELECT m.user_id FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = ? AND m.role IN ('admin', 'officer') AND u.disabled = FALSE`, orgID); err != nil {
		return core.Wrap("correspondence: notify", err)
	}
	for _, u := range users {
		if err := s.notify.Notify(ctx, tx, u, k, "/mail/"+messageID, args); err != nil {
			return err
		}
	}
	return nil
}

func trunc(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

func (s *Service) receiveAck(ctx context.Context, tx *store.Tx, env federation.Envelope, payload []byte) error {
	var p ackPayload
	if err := json.Unmarshal(payload, &p); err != nil || p.OriginID == "" {
		return &core.Error{Kind: core.KindInvalid, Message: "err.form", Err: errors.New("malformed acknowledgment")}
	}
	// The acknowledging organisation is the envelope's sender: a peer can only
	// acknowledge (or report reading) for its own organisations.
	// The first acknowledgment stands: a peer sending another (a retry, or
	// an attempt to move its time) changes nothing and is answered as done.
	q := `UPDATE message_recipients SET state = 'acknowledged', acked_at = ?, acked_by = ? WHERE message_id = ? AND to_addr = ? AND acked_at IS NULL`
	if env.Type == TypeRead {
		q = `UPDATE message_recipients SET read_at = COALESCE(read_at, ?), read_by = CASE WHEN read_by = '' THEN ? ELSE read_by END WHERE message_id = ? AND to_addr = ?`
	}
	n, err := tx.Exec(ctx, q, p.At.UTC(), trunc(p.By, 120), p.OriginID, env.From)
	if err != nil {
		return core.Wrap("correspondence: receive ack", err)
	}
	if n == 0 {
		var found int
		if err := tx.Get(ctx, &found, `SELECT COUNT(*) FROM message_recipients WHERE message_id = ? AND to_addr = ?`, p.OriginID, env.From); err != nil {
			return core.Wrap("correspondence: receive ack", err)
		}
		if found == 0 {
			return &core.Error{Kind: core.KindNotFound, Message: "err.not_found", Err: errors.New("no such message for " + env.From)}
		}
	}
	return nil
}

// Undelivered implements federation.UndeliveredHandler: the recipient shows as
// undelivered, and the audit trail of the sending organisation says so.
func (s *Service) Undelivered(ctx context.Context, tx *store.Tx, envelopeID, reason string) error {
	var r struct {
		MessageID string `db:"message_id"`
		OrgID     string `db:"from_org_id"`
		AuthorID  string `db:"author_id"`
		To        string `db:"to_addr"`
		Subject   string `db:"subject"`
	}
	if err := tx.Get(ctx, &r, `SELECT mr.message_id, m.from_org_id, m.author_id, mr.to_addr, m.subject FROM message_recipients mr JOIN messages m ON m.id = mr.message_id WHERE mr.envelope_id = ?`, envelopeID); err != nil {
		if core.KindOf(err) != core.KindNotFound {
			return err
		}
		// An acknowledgment that did not reach the sender's node: say so on
		// the message here, so the person who acknowledged can tell them
		// another way. (A read notice that fails is not worth a word.)
		var ackMsg string
		if err := tx.Get(ctx, &ackMsg, `SELECT message_id FROM message_recipients WHERE ack_envelope = ?`, envelopeID); err != nil {
			if core.KindOf(err) == core.KindNotFound {
				return nil
			}
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE message_recipients SET note = ? WHERE ack_envelope = ?`, "acknowledgment not delivered to the sender: "+trunc(reason, 250), envelopeID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "correspondence.ack_undelivered", "message", ackMsg, "", reason)
	}
	if _, err := tx.Exec(ctx, `UPDATE message_recipients SET state = 'undelivered', note = ? WHERE envelope_id = ?`, trunc(reason, 300), envelopeID); err != nil {
		return err
	}
	if s.notify != nil && r.AuthorID != "" {
		if err := s.notify.Notify(ctx, tx, r.AuthorID, notify.MessageUndelivered, "/mail/"+r.MessageID, notify.Args{"to": r.To, "subject": r.Subject}); err != nil {
			return err
		}
	}
	return audit.Record(ctx, tx, "correspondence.undelivered", "message", r.MessageID, r.OrgID, reason)
}
