package correspondence

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/blobs"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/ledger"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store"
)

// Envelope types this module sends and receives.
const (
	TypeMessage = "correspondence.message"
	TypeRead    = "correspondence.read"
	TypeAck     = "correspondence.ack"
)

// Notifier sends e-mail through the job queue; main wires the platform's.
type Notifier interface {
	// Notify e-mails a person, in their language; path is a page on this node
	// that the message links to.
	Notify(ctx context.Context, tx *store.Tx, userID string, k notify.Kind, path string, args notify.Args) error
}

// Service is correspondence's use cases.
type Service struct {
	db     *store.DB
	fed    *federation.Service
	notify Notifier
	blobs  blobs.Store // nil keeps attachments in the database, as before
}

// NewService returns the service and registers it with federation for its
// envelope types. notify may be nil (no e-mail).
func NewService(db *store.DB, fed *federation.Service, notify Notifier) *Service {
	s := &Service{db: db, fed: fed, notify: notify}
	fed.Handle("correspondence", s)
	return s
}

// UseBlobs keeps the files of new attachments in b rather than in the
// database; attachments stored before stay readable where they are.
func (s *Service) UseBlobs(b blobs.Store) { s.blobs = b }

type orgRow struct {
	ID     string `db:"id"`
	Handle string `db:"handle"`
}

func (s *Service) localOrg(ctx context.Context, q store.Conn, handle string) (orgRow, error) {
	var o orgRow
	err := q.Get(ctx, &o, `SELECT id, handle FROM organisations WHERE handle = ?`, handle)
	return o, err
}

// Send writes a message from a local organisation to local and remote
// recipients. Remote recipients get an envelope through the outbox in the same
// transaction; local ones have it at once.
func (s *Service) Send(ctx context.Context, c Compose) (Message, error) {
	a := core.ActorFrom(ctx)
	p := c.Validate()
	if c.AckBy != nil {
		if key := core.CheckDeadline(*c.AckBy, s.db.Clock().Now()); key != "" {
			p.Add("acknowledge_by", key)
		}
	}
	if c.ThreadID != "" {
		// A reply continues a thread its author can read.
		var n int
		orgs := orgIDs(a)
		if len(orgs) > 0 {
			args := append([]any{c.ThreadID}, orgs...)
			args = append(args, orgs...)
			s.db.R().Get(ctx, &n, `SELECT COUNT(*) FROM messages m WHERE m.thread_id = ? AND (m.from_org_id IN (`+marks(len(orgs))+`) OR EXISTS (SELECT 1 FROM message_recipients r WHERE r.message_id = m.id AND r.to_org_id IN (`+marks(len(orgs))+`)))`, args...)
		}
		if n == 0 {
			p.Add("thread_id", "err.not_found")
		}
	}
	from, err := s.localOrg(ctx, s.db.R(), c.From)
	if err != nil {
		p.Add("from", "err.org_unknown")
	} else if !access.Can(a, access.MessageSend, access.Resource{OrgID: from.ID}) {
		return Message{}, &core.Error{Kind: core.KindForbidden, Op: "correspondence: send", Message: "err.forbidden"}
	}
	host := s.fed.Host()
	type dest = destination
	var dests []dest
	for _, t := range c.To {
		handle, h, ok := federation.Address(t)
		if !ok {
			handle, h = t, host
		}
		addr := handle + "@" + h
		if h == host {
			o, err := s.localOrg(ctx, s.db.R(), handle)
			if err != nil {
				p.AddEntry("to", "err.recipient_unknown_entry", addr)
				continue
			}
			if o.ID == from.ID {
				p.Add("to", "err.recipient_self")
				continue
			}
			dests = append(dests, dest{addr, o.ID})
		} else {
			if key := s.checkRemote(ctx, handle, h); key != "" {
				p.AddEntry("to", key, addr)
				continue
			}
			dests = append(dests, dest{addr: addr})
		}
	}
	if c.TLP == core.TLPRed && len(dests) > 0 && len(localOrgIDs(dests)) == len(dests) {
		// Every recipient is here: every named person must be in one of them.
		local := localOrgIDs(dests)
		for _, email := range c.Named {
			var n int
			args := append([]any{email}, toAny(local)...)
			s.db.R().Get(ctx, &n, `SELECT COUNT(*) FROM users u JOIN memberships m ON m.user_id = u.id WHERE u.email = ? AND m.org_id IN (`+marks(len(local))+`)`, args...)
			if n == 0 {
				p.Add("named", "err.named_unknown")
			}
		}
	}
	if err := p.Err("correspondence: send"); err != nil {
		return Message{}, err
	}
	var m Message
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		m = Message{ID: core.NewID(tx.Now), Direction: "out", From: from.Handle + "@" + host, FromOrgID: from.ID, Author: a.Name,
			Subject: c.Subject, Body: c.Body, TLP: c.TLP, Classification: c.Classification, CreatedAt: tx.Now}
		m.ThreadID = m.ID
		if c.ThreadID != "" {
			m.ThreadID = c.ThreadID
		}
		m.Format, m.AckBy = c.Format, c.AckBy
		if _, err := tx.Exec(ctx, `INSERT INTO messages (id, origin_id, thread_id, direction, from_addr, from_org_id, author, author_id, subject, body, tlp, classification, format, ack_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, m.ID, m.ID, m.ThreadID, m.Direction, m.From, m.FromOrgID, m.Author, a.UserID, m.Subject, m.Body, string(m.TLP), m.Classification, m.Format, utcPtr(m.AckBy), m.CreatedAt); err != nil {
			return core.Wrap("correspondence: send", err)
		}
		if err := s.storeNamed(ctx, tx, m.ID, c.Named, localOrgIDs(dests)); err != nil {
			return err
		}
		for i := range c.Attachments {
			at := &c.Attachments[i]
			at.SHA256, at.Size = ledger.Digest(at.Data), int64(len(at.Data))
			if err := s.insertAttachment(ctx, tx, m.ID, *at); err != nil {
				return err
			}
			meta := *at
			meta.Data = nil
			m.Attachments = append(m.Attachments, meta)
		}
		var all []string
		for _, d := range dests {
			all = append(all, d.addr)
		}
		for _, d := range dests {
			r := Recipient{MessageID: m.ID, To: d.addr, ToOrgID: d.orgID}
			if d.orgID != "" {
				r.State, r.DeliveredAt = StateDelivered, &tx.Now
			} else {
				r.State = StateQueued
				id, err := s.fed.Send(ctx, tx, federation.Outgoing{Type: TypeMessage, From: from.Handle, To: d.addr, TLP: c.TLP, Payload: messagePayload{
					OriginID: m.ID, ThreadID: m.ThreadID, Author: a.Name, Subject: m.Subject, Body: m.Body, Classification: m.Classification, Created: m.CreatedAt, To: all,
					Format: m.Format, AckBy: m.AckBy, Attachments: c.Attachments, Named: c.Named}})
				if err != nil {
					return err
				}
				r.EnvelopeID = id
			}
			if _, err := tx.Exec(ctx, `INSERT INTO message_recipients (message_id, to_addr, to_org_id, envelope_id, state, delivered_at) VALUES (?, ?, ?, ?, ?, ?)`,
				r.MessageID, r.To, r.ToOrgID, r.EnvelopeID, r.State, r.DeliveredAt); err != nil {
				return core.Wrap("correspondence: send", err)
			}
			m.Recipients = append(m.Recipients, r)
		}
		return audit.Record(ctx, tx, "correspondence.send", "message", m.ID, from.ID, strings.Join(all, " "))
	})
	return m, err
}

// hasControl reports control characters other than newlines and tabs: a NUL
// is refused by PostgreSQL, and none belongs in a subject or a name.
func hasControl(s string) bool {
	for _, r := range s {
		if r < 0x20 && r != '\n' && r != '\t' && r != '\r' || r == 0x7f {
			return true
		}
	}
	return false
}

// insertAttachment records an attachment, its file in the blob store when
// there is one. The file is written before the transaction commits: if it
// then rolls back, the blob is left unreferenced, which costs space but never
// a row without its file.
func (s *Service) insertAttachment(ctx context.Context, tx *store.Tx, messageID string, at Attachment) error {
	data, blob := at.Data, ""
	if s.blobs != nil {
		b, err := s.blobs.Put(ctx, bytes.NewReader(at.Data), MaxAttachment)
		if err != nil {
			return core.Wrap("correspondence: attachment", err)
		}
		if b.SHA256 != at.SHA256 {
			return core.Wrap("correspondence: attachment", fmt.Errorf("blob store named %q %s, want %s", at.Name, b.SHA256, at.SHA256))
		}
		data, blob = []byte{}, b.SHA256
	}
	_, err := tx.Exec(ctx, `INSERT INTO attachments (id, message_id, name, content_type, size, sha256, data, blob) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		core.NewID(tx.Now), messageID, at.Name, at.ContentType, at.Size, at.SHA256, data, blob)
	return core.Wrap("correspondence: attachment", err)
}

type destination struct{ addr, orgID string }

func localOrgIDs(ds []destination) []string {
	var out []string
	for _, d := range ds {
		if d.orgID != "" {
			out = append(out, d.orgID)
		}
	}
	return out
}

// storeNamed records the people a RED message is for. Those on this node are
// matched to accounts in the given local organisations; those elsewhere are
// matched by their own node.
func (s *Service) storeNamed(ctx context.Context, tx *store.Tx, messageID string, named []string, orgIDs []string) error {
	for _, email := range named {
		var userID string
		if len(orgIDs) > 0 {
			args := append([]any{email}, toAny(orgIDs)...)
			err := tx.Get(ctx, &userID, `SELECT u.id FROM users u JOIN memberships m ON m.user_id = u.id WHERE u.email = ? AND m.org_id IN (`+marks(len(orgIDs))+`) LIMIT 1`, args...)
			if err != nil && core.KindOf(err) != core.KindNotFound {
				return core.Wrap("correspondence: named", err)
			}
		}
		if _, err := tx.Exec(ctx, `INSERT INTO message_named (message_id, email, user_id) VALUES (?, ?, ?) ON CONFLICT (message_id, email) DO NOTHING`, messageID, email, userID); err != nil {
			return core.Wrap("correspondence: named", err)
		}
	}
	return nil
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// redFilter keeps TLP:RED messages to their author and the people named; it
// takes the actor's user id twice.
const redFilter = ` AND (m.tlp <> 'RED' OR m.author_id = ? OR EXISTS (SELECT 1 FROM message_named n WHERE n.message_id = m.id AND n.user_id = ? AND n.user_id <> ''))`
