package correspondence

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/audit"
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
}

// NewService returns the service and registers it with federation for its
// envelope types. notify may be nil (no e-mail).
func NewService(db *store.DB, fed *federation.Service, notify Notifier) *Service {
	s := &Service{db: db, fed: fed, notify: notify}
	fed.Handle("correspondence", s)
	return s
}

type orgRow struct {
	ID     string `db:"id"`
	Handle string `db:"handle"`
}

func (s *Service) localOrg(ctx context.Context, q store.Conn, handle string) (orgRow, error) {
	var o orgRow
	err := q.Get(ctx, &o, `SELECT id, handle FROM organisations WHERE handle = ?`, handle)
	return o, err
}

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
			if err := insertAttachment(ctx, tx, m.ID, *at); err != nil {
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
			if err := insertAttachment(ctx, tx, id, at); err != nil {
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

func utcPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UTC()
}

func insertAttachment(ctx context.Context, tx *store.Tx, messageID string, at Attachment) error {
	_, err := tx.Exec(ctx, `INSERT INTO attachments (id, message_id, name, content_type, size, sha256, data) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		core.NewID(tx.Now), messageID, at.Name, at.ContentType, at.Size, at.SHA256, at.Data)
	return core.Wrap("correspondence: attachment", err)
}

// AttachmentData returns one attachment of a message the actor may read.
func (s *Service) AttachmentData(ctx context.Context, messageID, attachmentID string) (Attachment, error) {
	if _, err := s.Read(ctx, messageID, false); err != nil {
		return Attachment{}, err
	}
	var at Attachment
	err := s.db.R().Get(ctx, &at, `SELECT id, message_id, name, content_type, size, sha256, data FROM attachments WHERE id = ? AND message_id = ?`, attachmentID, messageID)
	return at, core.Wrap("correspondence: attachment", err)
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
