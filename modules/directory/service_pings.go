package directory

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/jobs"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store"
)

// PingInput starts a communication check.
type PingInput struct {
	// Deadline for acknowledgments; zero means the network's rule
	// (acknowledgment within AckHours).
	Deadline time.Time `json:"deadline"`
	Message  string    `json:"message"` // empty: the template's text
}

// StartPing sends a communication check to every primary point of contact
// of a hosted network: through Entente to their node, with an e-mail to the
// listed address as the fallback when it is not acknowledged by half-time.
func (s *Networks) StartPing(ctx context.Context, networkID string, in PingInput) (Ping, error) {
	a := core.ActorFrom(ctx)
	n, err := s.network(ctx, s.db.R(), networkID)
	if err != nil {
		return Ping{}, err
	}
	if err := s.checkManage(ctx, n); err != nil {
		return Ping{}, err
	}
	var out Ping
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		out, err = s.startPing(ctx, tx, n, a.Name, in)
		return err
	})
	return out, err
}

func (s *Networks) startPing(ctx context.Context, tx *store.Tx, n Network, by string, in PingInput) (Ping, error) {
	in.Message = strings.TrimSpace(in.Message)
	messageID := in.Message // a message the secretariat wrote goes as written
	if in.Message == "" {
		in.Message, messageID = n.Template.PingText("en"), n.Template.PingText("id")
	}
	if in.Deadline.IsZero() {
		in.Deadline = tx.Now.Add(time.Duration(n.AckHours) * time.Hour)
	}
	p := core.Problems{}
	if !in.Deadline.After(tx.Now) || in.Deadline.After(tx.Now.AddDate(0, 1, 0)) {
		p.Add("deadline", "err.deadline")
	}
	if len(in.Message) > 2000 {
		p.Add("message", "err.too_long")
	}
	if err := p.Err("directory: start ping"); err != nil {
		return Ping{}, err
	}
	var entries []Entry
	if err := tx.Select(ctx, &entries, `SELECT `+entryColumns+` FROM poc_entries WHERE network_id = ? AND deputy = FALSE ORDER BY member_addr, category`, n.ID); err != nil {
		return Ping{}, core.Wrap("directory: start ping", err)
	}
	if len(entries) == 0 {
		return Ping{}, errOp("start ping", core.KindConflict, "err.ping_no_entries")
	}
	pg := Ping{ID: core.NewID(tx.Now), NetworkID: n.ID, StartedBy: by, StartedAt: tx.Now, Deadline: in.Deadline.UTC(), State: PingRunning, Message: in.Message, MessageID: messageID, Targets: len(entries)}
	if _, err := tx.Exec(ctx, `INSERT INTO poc_pings (id, network_id, started_by, started_at, deadline, state, message, message_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		pg.ID, pg.NetworkID, pg.StartedBy, pg.StartedAt, pg.Deadline, pg.State, pg.Message, pg.MessageID); err != nil {
		return Ping{}, core.Wrap("directory: start ping", err)
	}
	for _, e := range entries {
		if err := s.sendTarget(ctx, tx, n, pg, e, "", pg.Deadline); err != nil {
			return Ping{}, err
		}
	}
	if err := s.noContactTargets(ctx, tx, pg); err != nil {
		return Ping{}, err
	}
	sec, _ := s.secretariatOrg(ctx, tx.Conn, n)
	if err := audit.Record(ctx, tx, "directory.ping.start", "ping", pg.ID, sec.ID, n.ID); err != nil {
		return Ping{}, err
	}
	if err := s.jobs.Enqueue(ctx, tx, jobPingRemind, pingJob{PingID: pg.ID}, jobs.Options{RunAt: tx.Now.Add(pg.Deadline.Sub(tx.Now) / 2)}); err != nil {
		return Ping{}, err
	}
	return pg, s.jobs.Enqueue(ctx, tx, jobPingDeadline, pingJob{PingID: pg.ID}, jobs.Options{RunAt: pg.Deadline.Add(time.Second)})
}

type pingJob struct {
	PingID string `json:"ping_id"`
}

type pingPayload struct {
	PingID    string    `json:"ping_id"`
	TargetID  string    `json:"target_id"`
	EntryID   string    `json:"entry_id"`
	NetworkID string    `json:"network_id"`
	Category  string    `json:"category"`
	PersonRef string    `json:"person_ref"`
	Message   string    `json:"message"`
	MessageID string    `json:"message_id,omitempty"`
	Deadline  time.Time `json:"deadline"`
}

// sendTarget asks one point of contact to acknowledge: directly when its
// organisation is on this node, as an envelope otherwise.
func (s *Networks) sendTarget(ctx context.Context, tx *store.Tx, n Network, pg Ping, e Entry, escalatedFrom string, deadline time.Time) error {
	t := Target{ID: core.NewID(tx.Now), PingID: pg.ID, EntryID: e.ID, Member: e.Member, Category: e.Category, Name: e.Name, Deputy: e.Deputy,
		EscalatedFrom: escalatedFrom, State: TargetPending, Deadline: deadline, SentAt: tx.Now}
	payload := pingPayload{PingID: pg.ID, TargetID: t.ID, EntryID: e.ID, NetworkID: n.ID, Category: e.Category, PersonRef: e.PersonRef, Message: pg.Message, MessageID: pg.MessageID, Deadline: deadline}
	if s.local(e.Member) {
		if err := s.storeReceived(ctx, tx, n.Secretariat, e.Member, payload); err != nil {
			return err
		}
		now := tx.Now
		t.DeliveredAt = &now
	} else if _, host, _ := federation.Address(e.Member); !s.reachable(ctx, host) {
		// A suspended peer cannot be sent to: it is unreachable now, and
		// the check goes on for everyone else.
		t.State = TargetUnreachable
	} else {
		from, _, _ := federation.Address(n.Secretariat)
		id, err := s.fed.Send(ctx, tx, federation.Outgoing{Type: TypePing, From: from, To: e.Member, TLP: core.TLPGreen, Payload: payload})
		if err != nil {
			return err
		}
		t.EnvelopeID = id
	}
	_, err := tx.Exec(ctx, `INSERT INTO poc_ping_targets (id, ping_id, entry_id, member_addr, category, name, email, deputy, escalated_from, envelope_id, state, deadline, sent_at, delivered_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, t.ID, t.PingID, t.EntryID, t.Member, t.Category, t.Name, e.Email, t.Deputy, t.EscalatedFrom, t.EnvelopeID, t.State, t.Deadline, t.SentAt, t.DeliveredAt)
	return core.Wrap("directory: ping target", err)
}

// storeReceived keeps a ping for a member organisation of this node and
// tells its point of contact.
func (s *Networks) storeReceived(ctx context.Context, tx *store.Tx, from, member string, p pingPayload) error {
	org, err := s.orgByAddr(ctx, tx.Conn, member)
	if err != nil {
		// The key itself is the reason the sending node shows, in words.
		return &core.Error{Kind: core.KindNotFound, Message: "err.recipient_unknown"}
	}
	id := core.NewID(tx.Now)
	c, err := tx.Exec(ctx, `INSERT INTO poc_pings_received (id, ping_id, target_id, entry_id, network_id, from_addr, member_addr, org_id, person_ref, category, message, message_id, deadline, received_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (from_addr, target_id) DO NOTHING`,
		id, p.PingID, p.TargetID, p.EntryID, p.NetworkID, from, member, org.ID, p.PersonRef, p.Category, p.Message, p.MessageID, p.Deadline.UTC(), tx.Now)
	if err != nil || c == 0 {
		return core.Wrap("directory: receive ping", err)
	}
	// The nominee, if still in the organisation; else its focal points.
	var inOrg int
	if p.PersonRef != "" {
		if err := tx.Get(ctx, &inOrg, `SELECT COUNT(*) FROM memberships WHERE user_id = ? AND org_id = ?`, p.PersonRef, org.ID); err != nil {
			return core.Wrap("directory: receive ping", err)
		}
	}
	var name networkNames
	_ = tx.Get(ctx, &name, `SELECT name_en, name_id FROM poc_networks WHERE id = ?`, p.NetworkID)
	if name.EN == "" {
		name.EN = p.NetworkID // a network this node has no copy of yet still has a name to show
	}
	args := notify.Args{"network": name.EN, "network@id": name.ID, "deadline": p.Deadline.UTC().Format(notify.DeadlineFormat)}
	if inOrg > 0 {
		return s.people.Notify(ctx, tx, p.PersonRef, notify.Ping, "/pocs", args)
	}
	return s.people.NotifyOrg(ctx, tx, org.ID, []core.Role{core.RoleAdmin}, notify.Ping, "/pocs", args)
}

// networkNames is a network's name in each language, for e-mails.
type networkNames struct {
	EN string `db:"name_en"`
	ID string `db:"name_id"`
}

// receivePing stores a ping from a network's secretariat.
func (s *Networks) receivePing(ctx context.Context, tx *store.Tx, env federation.Envelope, payload []byte) error {
	var p pingPayload
	if err := json.Unmarshal(payload, &p); err != nil || p.PingID == "" || p.TargetID == "" || len(p.Message) > 2000 || len(p.MessageID) > 2000 {
		return malformed("ping")
	}
	var sec string
	if err := tx.Get(ctx, &sec, `SELECT secretariat FROM poc_networks WHERE id = ?`, p.NetworkID); err != nil || sec != env.From {
		return &core.Error{Kind: core.KindForbidden, Message: "err.forbidden", Err: errors.New("not the network's secretariat")}
	}
	var isMember int
	if err := tx.Get(ctx, &isMember, `SELECT COUNT(*) FROM poc_members WHERE network_id = ? AND addr = ?`, p.NetworkID, env.To); err != nil || isMember == 0 {
		return &core.Error{Kind: core.KindNotFound, Message: "err.not_network_member", Err: errors.New("not a member")}
	}
	// Who may acknowledge is this node's word, from its own copy of the
	// directory, not the sender's.
	var e struct {
		PersonRef string `db:"person_ref"`
		Category  string `db:"category"`
	}
	if err := tx.Get(ctx, &e, `SELECT person_ref, category FROM poc_entries WHERE network_id = ? AND id = ? AND member_addr = ?`, p.NetworkID, p.EntryID, env.To); err == nil {
		p.PersonRef, p.Category = e.PersonRef, e.Category
	} else {
		p.PersonRef = ""
		p.Category = trunc(p.Category, 60)
	}
	return s.storeReceived(ctx, tx, env.From, env.To, p)
}

// deputiesOf lists the people who may acknowledge a ping for an entry: the
// nominee and the deputies of the same member and category.
func deputiesOf(ctx context.Context, q store.Conn, networkID, member, category, personRef string) ([]string, error) {
	var refs []string
	if err := q.Select(ctx, &refs, `SELECT person_ref FROM poc_entries WHERE network_id = ? AND member_addr = ? AND category = ? AND person_ref <> ''`, networkID, member, category); err != nil {
		return nil, core.Wrap("directory: deputies", err)
	}
	if personRef != "" && !slices.Contains(refs, personRef) {
		refs = append(refs, personRef)
	}
	return refs, nil
}

// MyPings lists the pings received by the actor's organisations, newest
// first, with whether the actor may acknowledge each.
func (s *Networks) MyPings(ctx context.Context) ([]ReceivedView, error) {
	a := core.ActorFrom(ctx)
	if err := access.Check(a, access.NetworkRead, access.Resource{}); err != nil {
		return nil, err
	}
	orgs := access.Orgs(a, access.PingAck)
	if len(orgs) == 0 {
		return nil, nil
	}
	args := make([]any, len(orgs))
	for i, o := range orgs {
		args[i] = o
	}
	var rs []Received
	if err := s.db.R().Select(ctx, &rs, `SELECT `+receivedColumns+` FROM poc_pings_received r LEFT JOIN poc_networks n ON n.id = r.network_id
		WHERE r.org_id IN (`+strings.TrimSuffix(strings.Repeat("?,", len(orgs)), ",")+`) ORDER BY r.received_at DESC, r.id DESC LIMIT 100`, args...); err != nil {
		return nil, core.Wrap("directory: my pings", err)
	}
	out := make([]ReceivedView, len(rs))
	known := map[[4]string][]string{} // one query per entry, not per ping
	for i, r := range rs {
		k := [4]string{r.NetworkID, r.Member, r.Category, r.PersonRef}
		people, ok := known[k]
		if !ok {
			var err error
			if people, err = deputiesOf(ctx, s.db.R(), r.NetworkID, r.Member, r.Category, r.PersonRef); err != nil {
				return nil, err
			}
			known[k] = people
		}
		out[i] = ReceivedView{Received: r, CanAck: r.AckedAt == nil && !s.db.Clock().Now().After(r.Deadline) && access.Check(a, access.PingAck, access.Resource{OrgID: r.OrgID, People: people}) == nil}
	}
	return out, s.describeReceived(ctx, out)
}

// AckPing acknowledges a ping received by the actor's organisation. Only the
// nominee or a deputy for the entry may.
func (s *Networks) AckPing(ctx context.Context, receivedID string) error {
	a := core.ActorFrom(ctx)
	var r Received
	if err := s.db.R().Get(ctx, &r, `SELECT `+receivedColumns+` FROM poc_pings_received r LEFT JOIN poc_networks n ON n.id = r.network_id WHERE r.id = ?`, receivedID); err != nil {
		return core.Wrap("directory: acknowledge ping", err)
	}
	if len(access.Orgs(a, access.NetworkRead)) == 0 || !slices.Contains(access.Orgs(a, access.NetworkRead), r.OrgID) {
		// Another organisation's ping: its existence is not the actor's.
		return errOp("acknowledge ping", core.KindNotFound, "err.not_found")
	}
	people, err := deputiesOf(ctx, s.db.R(), r.NetworkID, r.Member, r.Category, r.PersonRef)
	if err != nil {
		return err
	}
	if err := access.Check(a, access.PingAck, access.Resource{OrgID: r.OrgID, People: people}); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		if err := s.checkOpen(ctx, tx, r); err != nil {
			return err
		}
		c, err := tx.Exec(ctx, `UPDATE poc_pings_received SET acked_at = ?, acked_by = ? WHERE id = ? AND acked_at IS NULL`, tx.Now, a.Name, r.ID)
		if err != nil {
			return core.Wrap("directory: acknowledge ping", err)
		}
		if c == 0 {
			return nil // already acknowledged: acknowledging twice is harmless
		}
		if err := audit.Record(ctx, tx, "directory.ping.ack", "ping", r.PingID, r.OrgID, r.TargetID); err != nil {
			return err
		}
		if s.local(r.From) {
			return s.markAcked(ctx, tx, r.TargetID, r.Member, a.Name, tx.Now, "entente")
		}
		handle, _, _ := federation.Address(r.Member)
		_, err = s.fed.Send(ctx, tx, federation.Outgoing{Type: TypePingAck, From: handle, To: r.From, TLP: core.TLPGreen,
			Payload: pingAckPayload{TargetID: r.TargetID, By: a.Name, At: tx.Now}})
		return err
	})
}

type pingAckPayload struct {
	TargetID string    `json:"target_id"`
	By       string    `json:"by"`
	At       time.Time `json:"at"`
}

// markAcked records an acknowledgment on the secretariat's side. A member
// acknowledges only its own targets; a late acknowledgment still counts as
// one, with its time.
func (s *Networks) markAcked(ctx context.Context, tx *store.Tx, targetID, member, by string, at time.Time, channel string) error {
	var t Target
	if err := tx.Get(ctx, &t, `SELECT `+targetColumns+` FROM poc_ping_targets WHERE id = ?`, targetID); err != nil {
		return &core.Error{Kind: core.KindNotFound, Message: "err.not_found", Err: errors.New("no such ping target")}
	}
	if t.Member != member {
		return &core.Error{Kind: core.KindForbidden, Message: "err.forbidden", Err: errors.New("a target of another member")}
	}
	if t.AckedAt != nil {
		return nil
	}
	if at.Before(t.SentAt) || at.After(tx.Now.Add(5*time.Minute)) {
		at = tx.Now // a peer's clock does not decide the response time
	}
	if _, err := tx.Exec(ctx, `UPDATE poc_ping_targets SET state = 'acknowledged', acked_at = ?, acked_by = ?, channel = ?, delivered_at = COALESCE(delivered_at, ?) WHERE id = ?`,
		at, trunc(by, 120), channel, at, t.ID); err != nil {
		return core.Wrap("directory: acknowledge ping", err)
	}
	_, err := tx.Exec(ctx, `UPDATE poc_entries SET confirmed_at = ? WHERE id = ? AND network_id = (SELECT network_id FROM poc_pings WHERE id = ?)`, at, t.EntryID, t.PingID)
	return core.Wrap("directory: acknowledge ping", err)
}

func (s *Networks) receivePingAck(ctx context.Context, tx *store.Tx, env federation.Envelope, payload []byte) error {
	var p pingAckPayload
	if err := json.Unmarshal(payload, &p); err != nil || p.TargetID == "" {
		return malformed("ping acknowledgment")
	}
	return s.markAcked(ctx, tx, p.TargetID, env.From, p.By, p.At.UTC(), "entente")
}

// pingRemindJob is the fallback at half-time: every point of contact who
// has not acknowledged gets an e-mail at the listed address with a link
// that acknowledges without an account.
func (s *Networks) pingRemindJob(ctx context.Context, b []byte) error {
	var j pingJob
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		var ts []struct {
			Target
			Email string `db:"email"`
		}
		if err := tx.Select(ctx, &ts, `SELECT `+targetColumns+`, email FROM poc_ping_targets WHERE ping_id = ? AND state IN ('pending', 'unreachable') AND acked_at IS NULL AND reminded_at IS NULL AND email <> ''
			AND ping_id IN (SELECT id FROM poc_pings WHERE state = 'running')`, j.PingID); err != nil {
			return core.Wrap("directory: remind", err)
		}
		var network networkNames
		_ = tx.Get(ctx, &network, `SELECT n.name_en, n.name_id FROM poc_networks n JOIN poc_pings p ON p.network_id = n.id WHERE p.id = ?`, j.PingID)
		for _, t := range ts {
			token, hash := newToken()
			if _, err := tx.Exec(ctx, `UPDATE poc_ping_targets SET reminded_at = ?, token_hash = ? WHERE id = ?`, tx.Now, hash, t.ID); err != nil {
				return core.Wrap("directory: remind", err)
			}
			link := s.baseURL() + "/ping-ack?t=" + token
			// The address may belong to no account, so no language is known:
			// the reminder goes in both.
			args := notify.Args{"name": t.Name, "network": network.EN, "network@id": network.ID, "deadline": t.Deadline.UTC().Format(notify.DeadlineFormat)}
			enSubject, enBody, err := notify.Render(s.tr, "en", notify.PingRemind, link, args)
			if err != nil {
				return err
			}
			idSubject, idBody, err := notify.Render(s.tr, "id", notify.PingRemind, link, args)
			if err != nil {
				return err
			}
			msg := notify.Message{To: t.Email, Subject: enSubject + " / " + idSubject, Body: enBody + "\n\n---\n\n" + idBody}
			if err := s.jobs.Enqueue(ctx, tx, EmailJob, msg, jobs.Options{}); err != nil {
				return err
			}
		}
		return nil
	})
}

func newToken() (token, hash string) {
	b := make([]byte, 32)
	rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, tokenHash(token)
}

func tokenHash(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// TokenTarget is what the e-mail link shows before acknowledging.
type TokenTarget struct {
	Name     string
	Network  string
	Deadline time.Time
	Acked    bool
	Over     bool // past the deadline or closed: it can no longer be confirmed
}

// TargetByToken finds the ping an e-mailed link is for.
func (s *Networks) TargetByToken(ctx context.Context, token string) (TokenTarget, error) {
	var t TokenTarget
	var acked *time.Time
	row := struct {
		Name     string     `db:"name"`
		Network  string     `db:"network"`
		Deadline time.Time  `db:"deadline"`
		AckedAt  *time.Time `db:"acked_at"`
		PingID   string     `db:"ping_id"`
	}{}
	if token == "" || len(token) > 100 {
		return t, errOp("ping link", core.KindNotFound, "err.ping_link")
	}
	if err := s.db.R().Get(ctx, &row, `SELECT t.name, n.name_en AS network, t.deadline, t.acked_at, t.ping_id FROM poc_ping_targets t JOIN poc_pings p ON p.id = t.ping_id
		JOIN poc_networks n ON n.id = p.network_id WHERE t.token_hash = ?`, tokenHash(token)); err != nil {
		return t, errOp("ping link", core.KindNotFound, "err.ping_link")
	}
	acked = row.AckedAt
	over, err := s.tokenOver(ctx, s.db.R(), Target{PingID: row.PingID, Deadline: row.Deadline})
	return TokenTarget{Name: row.Name, Network: row.Network, Deadline: row.Deadline, Acked: acked != nil, Over: over}, err
}

// AckByToken acknowledges through the e-mailed link.
func (s *Networks) AckByToken(ctx context.Context, token string) error {
	if _, err := s.TargetByToken(ctx, token); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		var t Target
		if err := tx.Get(ctx, &t, `SELECT `+targetColumns+` FROM poc_ping_targets WHERE token_hash = ?`, tokenHash(token)); err != nil {
			return core.Wrap("directory: acknowledge by e-mail", err)
		}
		if over, err := s.tokenOver(ctx, tx.Conn, t); err != nil {
			return err
		} else if over {
			return errOp("acknowledge by e-mail", core.KindConflict, "err.ping_over")
		}
		return s.markAcked(ctx, tx, t.ID, t.Member, t.Name+" (e-mail)", tx.Now, "email")
	})
}

// pingDeadlineJob settles the targets whose deadline passed: overdue when the
// ping reached their node, unreachable when it never did. Each escalates to
// the entry's deputies, with a new deadline as long as the first.
func (s *Networks) pingDeadlineJob(ctx context.Context, b []byte) error {
	var j pingJob
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	return s.Settle(ctx, j.PingID)
}

// Settle settles a ping's targets whose deadline has passed and escalates
// them; the deadline job calls it, and so may anyone who knows the deadline
// passed (it is idempotent).
func (s *Networks) Settle(ctx context.Context, pingID string) error {
	var due []Target
	now := s.db.Clock().Now()
	if err := s.db.R().Select(ctx, &due, `SELECT `+targetColumns+` FROM poc_ping_targets WHERE ping_id = ? AND state = 'pending' AND deadline <= ?`, pingID, now.UTC()); err != nil {
		return core.Wrap("directory: settle ping", err)
	}
	var envs []string
	for _, t := range due {
		if t.EnvelopeID != "" {
			envs = append(envs, t.EnvelopeID)
		}
	}
	ds, err := s.fed.Deliveries(ctx, envs)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		var pg Ping
		if err := tx.Get(ctx, &pg, `SELECT id, network_id, started_by, started_at, deadline, state, finished_at, message, message_id, 0 AS targets, 0 AS acknowledged FROM poc_pings WHERE id = ?`, pingID); err != nil {
			return core.Wrap("directory: settle ping", err)
		}
		n, err := s.network(ctx, tx.Conn, pg.NetworkID)
		if err != nil {
			return err
		}
		window := pg.Deadline.Sub(pg.StartedAt)
		next := time.Time{}
		asked := map[string]bool{} // deputies already asked in this round
		for _, t := range due {
			state := TargetOverdue
			if t.EnvelopeID != "" && ds[t.EnvelopeID].State != "delivered" {
				state = TargetUnreachable
			}
			c, err := tx.Exec(ctx, `UPDATE poc_ping_targets SET state = ? WHERE id = ? AND state = 'pending'`, state, t.ID)
			if err != nil {
				return core.Wrap("directory: settle ping", err)
			}
			// A deputy's own row, or a contact whose deputies the
			// secretariat already asked, is not escalated again.
			if c == 0 || t.EscalatedFrom != "" || t.EscalatedAt != nil {
				continue
			}
			deadline := tx.Now.Add(window)
			ok, err := s.askDeputies(ctx, tx, n, pg, t, asked, deadline)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			next = deadline
		}
		if !next.IsZero() {
			// The deputies get the e-mail fallback at half-time too.
			if err := s.jobs.Enqueue(ctx, tx, jobPingRemind, pingJob{PingID: pg.ID}, jobs.Options{RunAt: tx.Now.Add(window / 2)}); err != nil {
				return err
			}
			return s.jobs.Enqueue(ctx, tx, jobPingDeadline, pingJob{PingID: pg.ID}, jobs.Options{RunAt: next.Add(time.Second)})
		}
		var pending int
		if err := tx.Get(ctx, &pending, `SELECT COUNT(*) FROM poc_ping_targets WHERE ping_id = ? AND state = 'pending'`, pg.ID); err != nil {
			return core.Wrap("directory: settle ping", err)
		}
		if pending > 0 || pg.State == PingFinished {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE poc_pings SET state = 'finished', finished_at = ? WHERE id = ?`, tx.Now, pg.ID); err != nil {
			return core.Wrap("directory: finish ping", err)
		}
		// The new confirmation dates reach the members' copies.
		return s.changed(ctx, tx, n.ID)
	})
}

// Pings lists a hosted network's pings with their response rates, newest
// first, for the secretariat.
func (s *Networks) Pings(ctx context.Context, networkID string) ([]Ping, error) {
	n, err := s.network(ctx, s.db.R(), networkID)
	if err != nil {
		return nil, err
	}
	if err := s.checkManage(ctx, n); err != nil {
		return nil, err
	}
	return s.pingsOf(ctx, n.ID, 100)
}

func (s *Networks) pingsOf(ctx context.Context, networkID string, limit int) ([]Ping, error) {
	var out []Ping
	err := s.db.R().Select(ctx, &out, `SELECT p.id, p.network_id, p.started_by, p.started_at, p.deadline, p.state, p.finished_at, p.message, p.message_id,
		(SELECT COUNT(*) FROM poc_ping_targets t WHERE t.ping_id = p.id AND t.escalated_from = '' AND t.state <> 'no_contact') AS targets,
		(SELECT COUNT(*) FROM poc_ping_targets t WHERE t.ping_id = p.id AND t.escalated_from = '' AND t.state = 'acknowledged') AS acknowledged
		FROM poc_pings p WHERE p.network_id = ? ORDER BY p.started_at DESC, p.id DESC LIMIT ?`, networkID, limit)
	return out, core.Wrap("directory: pings", err)
}
