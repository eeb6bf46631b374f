package correspondence

// Reading: lists, search, one message, threads, acknowledgments, attachments and deadlines.

import (
	"context"
	"errors"
	"io"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store"
)

// orgIDs returns the organisations of the actor that may read correspondence.
func orgIDs(a core.Actor) []any {
	var out []any
	for _, m := range a.Memberships {
		if access.Can(a, access.MessageRead, access.Resource{OrgID: m.Org.ID}) {
			out = append(out, m.Org.ID)
		}
	}
	return out
}

func marks(n int) string { return strings.TrimSuffix(strings.Repeat("?,", n), ",") }

// List returns the actor's inbox ("in": addressed to one of their
// organisations) or sent box ("out"), newest first. The access rule is in the
// SQL: only rows of the actor's organisations are read at all.
func (s *Service) List(ctx context.Context, box string, page core.Page) ([]Message, string, error) {
	return s.Search(ctx, box, "", page)
}

// Search is List narrowed to messages whose subject, body or sender contain q.
func (s *Service) Search(ctx context.Context, box, q string, page core.Page) ([]Message, string, error) {
	a := core.ActorFrom(ctx)
	if err := access.Check(a, access.MessageRead, access.Resource{}); err != nil {
		return nil, "", err
	}
	orgs := orgIDs(a)
	if len(orgs) == 0 {
		return nil, "", nil
	}
	page = page.Normalize(50, 200)
	cursor := page.Cursor
	if cursor == "" {
		cursor = "~" // after every id
	}
	var query string
	switch box {
	case "in":
		query = `SELECT ` + messageColumns + ` FROM messages m WHERE m.id < ? AND EXISTS (SELECT 1 FROM message_recipients r WHERE r.message_id = m.id AND r.to_org_id IN (` + marks(len(orgs)) + `)) ORDER BY m.id DESC LIMIT ?`
	case "out":
		query = `SELECT ` + messageColumns + ` FROM messages m WHERE m.id < ? AND m.from_org_id IN (` + marks(len(orgs)) + `) ORDER BY m.id DESC LIMIT ?`
	default:
		return nil, "", core.Problems{"box": "err.choice"}.Err("correspondence: list")
	}
	query = strings.Replace(query, " ORDER BY", redFilter+" ORDER BY", 1)
	args := append([]any{cursor}, orgs...)
	args = append(args, a.UserID, a.UserID)
	if q != "" {
		// The access filter above stays; the search only narrows it.
		query = strings.Replace(query, " ORDER BY", ` AND (LOWER(m.subject) LIKE ? ESCAPE '\' OR LOWER(m.body) LIKE ? ESCAPE '\' OR LOWER(m.from_addr) LIKE ? ESCAPE '\' OR LOWER(m.author) LIKE ? ESCAPE '\') ORDER BY`, 1)
		l := store.Like(q)
		args = append(args, l, l, l, l)
	}
	args = append(args, page.Limit+1)
	var ms []Message
	if err := s.db.R().Select(ctx, &ms, query, args...); err != nil {
		return nil, "", core.Wrap("correspondence: list", err)
	}
	next := ""
	if len(ms) > page.Limit {
		ms = ms[:page.Limit]
		next = ms[len(ms)-1].ID
	}
	return ms, next, s.attach(ctx, ms)
}

// attach loads the recipients of messages, with their receipts.
func (s *Service) attach(ctx context.Context, ms []Message) error {
	if len(ms) == 0 {
		return nil
	}
	ids := make([]any, len(ms))
	idx := map[string]int{}
	for i, m := range ms {
		ids[i], idx[m.ID] = m.ID, i
	}
	var rs []Recipient
	if err := s.db.R().Select(ctx, &rs, `SELECT message_id, to_addr, to_org_id, envelope_id, state, delivered_at, read_at, read_by, acked_at, acked_by, note
		FROM message_recipients WHERE message_id IN (`+marks(len(ids))+`) ORDER BY to_addr`, ids...); err != nil {
		return core.Wrap("correspondence: recipients", err)
	}
	var envs []string
	for _, r := range rs {
		if r.EnvelopeID != "" {
			envs = append(envs, r.EnvelopeID)
		}
	}
	var ats []Attachment
	if err := s.db.R().Select(ctx, &ats, `SELECT id, message_id, name, content_type, size, sha256 FROM attachments WHERE message_id IN (`+marks(len(ids))+`) ORDER BY name`, ids...); err != nil {
		return core.Wrap("correspondence: attachments", err)
	}
	for _, at := range ats {
		i := idx[at.MessageID]
		ms[i].Attachments = append(ms[i].Attachments, at)
	}
	ds, err := s.fed.Deliveries(ctx, envs)
	if err != nil {
		return err
	}
	for _, r := range rs {
		if d, ok := ds[r.EnvelopeID]; ok {
			r.Receipt = d.Receipt
			if d.State == "delivered" && r.DeliveredAt == nil {
				r.DeliveredAt = d.DeliveredAt
			}
			// The outbox is the truth about delivery: a message retried after
			// being given up on shows as delivered once it was.
			if (r.State == StateQueued || r.State == StateUndelivered) && d.State == "delivered" {
				r.State, r.Note = StateDelivered, ""
			}
			if r.State == StateQueued && d.LastError != "" {
				r.Note = d.LastError
			}
		}
		i := idx[r.MessageID]
		ms[i].Recipients = append(ms[i].Recipients, r)
	}
	return nil
}

// Get returns a message the actor may read, and marks it read for the
// actor's organisations among its recipients.
func (s *Service) Get(ctx context.Context, id string) (Message, error) { return s.Read(ctx, id, true) }

// Read returns a message the actor may read; with mark, it also records that
// the actor's organisations read it (and tells the sender's node).
func (s *Service) Read(ctx context.Context, id string, mark bool) (Message, error) {
	a := core.ActorFrom(ctx)
	var m Message
	if err := s.db.R().Get(ctx, &m, `SELECT `+messageColumns+` FROM messages m WHERE m.id = ?`, id); err != nil {
		return Message{}, core.Wrap("correspondence: get", err)
	}
	ms := []Message{m}
	if err := s.attach(ctx, ms); err != nil {
		return Message{}, err
	}
	m = ms[0]
	allowed := access.Can(a, access.MessageRead, access.Resource{OrgID: m.FromOrgID}) && m.FromOrgID != ""
	var mine []string
	for _, r := range m.Recipients {
		if r.ToOrgID != "" && access.Can(a, access.MessageRead, access.Resource{OrgID: r.ToOrgID}) {
			allowed = true
			if r.ReadAt == nil {
				mine = append(mine, r.To)
			}
		}
	}
	if allowed && m.TLP == core.TLPRed && m.AuthorID != a.UserID {
		var n int
		s.db.R().Get(ctx, &n, `SELECT COUNT(*) FROM message_named WHERE message_id = ? AND user_id = ? AND user_id <> ''`, m.ID, a.UserID)
		allowed = n > 0
	}
	if allowed && m.TLP == core.TLPRed {
		// Who a RED message is for is part of what it is: both sides see it.
		if err := s.db.R().Select(ctx, &m.Named, `SELECT email FROM message_named WHERE message_id = ? ORDER BY email`, m.ID); err != nil {
			return Message{}, core.Wrap("correspondence: named", err)
		}
	}
	if !allowed {
		// Not found rather than forbidden: ids of others' messages are not
		// confirmed to exist.
		return Message{}, &core.Error{Kind: core.KindNotFound, Op: "correspondence: get", Message: "err.not_found"}
	}
	if mark && len(mine) > 0 && a.TokenID == "" {
		err := s.db.WithTx(ctx, func(tx *store.Tx) error {
			for _, to := range mine {
				n, err := tx.Exec(ctx, `UPDATE message_recipients SET read_at = ?, read_by = ? WHERE message_id = ? AND to_addr = ? AND read_at IS NULL`, tx.Now, a.Name, m.ID, to)
				if err != nil {
					return err
				}
				// The page being shown is this reading: it says so.
				if n == 1 {
					for i := range m.Recipients {
						if m.Recipients[i].To == to && m.Recipients[i].ReadAt == nil {
							at := tx.Now
							m.Recipients[i].ReadAt, m.Recipients[i].ReadBy = &at, a.Name
						}
					}
				}
				// The sender's node learns it was read, once, as its own
				// receipted envelope.
				if n == 1 && m.Direction == "in" {
					handle, _, _ := federation.Address(to)
					var originID string
					if err := tx.Get(ctx, &originID, `SELECT origin_id FROM messages WHERE id = ?`, m.ID); err != nil {
						return err
					}
					if _, err := s.fed.Send(ctx, tx, federation.Outgoing{Type: TypeRead, From: handle, To: m.From, TLP: m.TLP, Payload: ackPayload{OriginID: originID, By: a.Name, At: tx.Now}}); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return Message{}, core.Wrap("correspondence: mark read", err)
		}
	}
	return m, nil
}

// Acknowledge records that a receiving organisation has taken note of a
// message. For a message from another node the acknowledgment travels back as
// its own envelope, with its own receipt.
func (s *Service) Acknowledge(ctx context.Context, id string) error {
	a := core.ActorFrom(ctx)
	m, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	var target *Recipient
	for i, r := range m.Recipients {
		if r.ToOrgID != "" && access.Can(a, access.MessageAck, access.Resource{OrgID: r.ToOrgID}) && r.AckedAt == nil {
			target = &m.Recipients[i]
			break
		}
	}
	if target == nil {
		return &core.Error{Kind: core.KindForbidden, Op: "correspondence: acknowledge", Message: "err.ack_not_yours"}
	}
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		n, err := tx.Exec(ctx, `UPDATE message_recipients SET state = 'acknowledged', acked_at = ?, acked_by = ? WHERE message_id = ? AND to_addr = ? AND acked_at IS NULL`, tx.Now, a.Name, m.ID, target.To)
		if err != nil {
			return core.Wrap("correspondence: acknowledge", err)
		}
		if n == 0 {
			return &core.Error{Kind: core.KindConflict, Op: "correspondence: acknowledge", Message: "err.ack_not_yours"}
		}
		if m.Direction == "in" {
			handle, _, _ := federation.Address(target.To)
			var originID string
			if err := tx.Get(ctx, &originID, `SELECT origin_id FROM messages WHERE id = ?`, m.ID); err != nil {
				return err
			}
			envID, err := s.fed.Send(ctx, tx, federation.Outgoing{Type: TypeAck, From: handle, To: m.From, TLP: m.TLP, Payload: ackPayload{OriginID: originID, By: a.Name, At: tx.Now}})
			if err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE message_recipients SET ack_envelope = ? WHERE message_id = ? AND to_addr = ?`, envID, m.ID, target.To); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, "correspondence.acknowledge", "message", m.ID, target.ToOrgID, "")
	})
}

func utcPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}

// AttachmentData returns one attachment of a message the actor may read.
func (s *Service) AttachmentData(ctx context.Context, messageID, attachmentID string) (Attachment, error) {
	if _, err := s.Read(ctx, messageID, false); err != nil {
		return Attachment{}, err
	}
	var at struct {
		Attachment
		Blob string `db:"blob"`
	}
	err := s.db.R().Get(ctx, &at, `SELECT id, message_id, name, content_type, size, sha256, data, blob FROM attachments WHERE id = ? AND message_id = ?`, attachmentID, messageID)
	if err != nil || at.Blob == "" {
		return at.Attachment, core.Wrap("correspondence: attachment", err)
	}
	if s.blobs == nil {
		return Attachment{}, core.Wrap("correspondence: attachment", errors.New("attachment in the blob store, and the node has none"))
	}
	// Attachments are bounded (MaxAttachment), so reading one whole is safe.
	rc, _, err := s.blobs.Open(ctx, at.Blob)
	if err != nil {
		return Attachment{}, core.Wrap("correspondence: attachment", err)
	}
	defer rc.Close()
	if at.Data, err = io.ReadAll(io.LimitReader(rc, MaxAttachment+1)); err != nil {
		return Attachment{}, core.Wrap("correspondence: attachment", err)
	}
	return at.Attachment, nil
}

// CheckDeadlines tells people about acknowledgments asked for by a time that
// has passed: the author of a message sent from here, and the admins and
// officers of a receiving organisation here. Each recipient is reported once.
func (s *Service) CheckDeadlines(ctx context.Context) error {
	var due []struct {
		MessageID string `db:"message_id"`
		To        string `db:"to_addr"`
		ToOrgID   string `db:"to_org_id"`
		Direction string `db:"direction"`
		AuthorID  string `db:"author_id"`
		From      string `db:"from_addr"`
		Subject   string `db:"subject"`
	}
	now := s.db.Clock().Now()
	if err := s.db.R().Select(ctx, &due, `SELECT r.message_id, r.to_addr, r.to_org_id, m.direction, m.author_id, m.from_addr, m.subject
		FROM message_recipients r JOIN messages m ON m.id = r.message_id
		WHERE m.ack_by IS NOT NULL AND m.ack_by <= ? AND r.acked_at IS NULL AND r.deadline_notified_at IS NULL AND r.state <> 'undelivered' LIMIT 500`, now); err != nil {
		return core.Wrap("correspondence: deadlines", err)
	}
	for _, d := range due {
		err := s.db.WithTx(ctx, func(tx *store.Tx) error {
			n, err := tx.Exec(ctx, `UPDATE message_recipients SET deadline_notified_at = ? WHERE message_id = ? AND to_addr = ? AND deadline_notified_at IS NULL`, tx.Now, d.MessageID, d.To)
			if err != nil || n == 0 {
				return err
			}
			if d.Direction == "out" && d.AuthorID != "" && s.notify != nil {
				if err := s.notify.Notify(ctx, tx, d.AuthorID, notify.AckOverdueOut, "/mail/"+d.MessageID, notify.Args{"to": d.To, "subject": d.Subject}); err != nil {
					return err
				}
			}
			if d.ToOrgID != "" {
				return s.tell(ctx, tx, d.ToOrgID, notify.AckOverdueIn, d.MessageID, notify.Args{"from": d.From, "subject": d.Subject})
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Thread returns the messages of a thread that the actor may read, oldest
// first: what was said on both sides, on this node.
func (s *Service) Thread(ctx context.Context, threadID string) ([]Message, error) {
	a := core.ActorFrom(ctx)
	orgs := orgIDs(a)
	if len(orgs) == 0 {
		return nil, nil
	}
	args := append([]any{threadID}, orgs...)
	args = append(args, orgs...)
	args = append(args, a.UserID, a.UserID)
	var ms []Message
	if err := s.db.R().Select(ctx, &ms, `SELECT `+messageColumns+` FROM messages m WHERE m.thread_id = ? AND (m.from_org_id IN (`+marks(len(orgs))+`)
		OR EXISTS (SELECT 1 FROM message_recipients r WHERE r.message_id = m.id AND r.to_org_id IN (`+marks(len(orgs))+`)))`+redFilter+` ORDER BY m.created_at, m.id LIMIT 200`, args...); err != nil {
		return nil, core.Wrap("correspondence: thread", err)
	}
	return ms, nil
}
