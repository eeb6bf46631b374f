package directory

import (
	"context"
	"fmt"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/jobs"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store"
)

// noContactTargets records, for a check being started, the members that have
// no primary point of contact: nobody can be asked, and the results must
// show them rather than leave them out.
func (s *Networks) noContactTargets(ctx context.Context, tx *store.Tx, pg Ping) error {
	var addrs []string
	if err := tx.Select(ctx, &addrs, `SELECT m.addr FROM poc_members m WHERE m.network_id = ?
		AND NOT EXISTS (SELECT 1 FROM poc_entries e WHERE e.network_id = m.network_id AND e.member_addr = m.addr AND e.deputy = FALSE) ORDER BY m.addr`, pg.NetworkID); err != nil {
		return core.Wrap("directory: ping members without contact", err)
	}
	for _, addr := range addrs {
		if _, err := tx.Exec(ctx, `INSERT INTO poc_ping_targets (id, ping_id, entry_id, member_addr, category, name, state, deadline, sent_at) VALUES (?, ?, '', ?, '', '', ?, ?, ?)`,
			core.NewID(tx.Now), pg.ID, addr, TargetNoContact, pg.Deadline, tx.Now); err != nil {
			return core.Wrap("directory: ping members without contact", err)
		}
	}
	return nil
}

// ReceivedView is a received ping and what the actor may do with it, with
// whom it is for: the point of contact, the state and the network.
type ReceivedView struct {
	Received
	CanAck bool
	// Contact is the point of contact's name as the directory holds it;
	// Deputy is set when the ping reached them as a deputy.
	Contact string `json:"contact,omitempty"`
	Deputy  bool   `json:"deputy,omitempty"`
	// Member is the member (the state) as the network lists it; Network
	// the network's copy, for its category names. The API has the
	// member's address and the network's id already.
	Member  NetworkMember `json:"-"`
	Network Network       `json:"-"`
	// Closed is set when the secretariat, on this node, ended the check
	// before the deadline: it is no longer offered for confirmation.
	Closed bool `json:"closed,omitempty"`
}

// describeReceived fills in whom each received ping is for.
func (s *Networks) describeReceived(ctx context.Context, rs []ReceivedView) error {
	nets := map[string]*Network{}
	for i := range rs {
		r := &rs[i]
		var e struct {
			Name   string `db:"name"`
			Deputy bool   `db:"deputy"`
		}
		if err := s.db.R().Get(ctx, &e, `SELECT name, deputy FROM poc_entries WHERE id = ? AND network_id = ?`, r.EntryID, r.NetworkID); err == nil {
			r.Contact, r.Deputy = e.Name, e.Deputy
		} else if core.KindOf(err) != core.KindNotFound {
			return core.Wrap("directory: my pings", err)
		}
		if err := s.db.R().Get(ctx, &r.Member, `SELECT network_id, addr, org_id, name_en, name_id, country, joined_at, 0 AS entries, NULL AS confirmed_at
			FROM poc_members WHERE network_id = ? AND addr = ?`, r.NetworkID, r.Received.Member); err != nil {
			r.Member = NetworkMember{Addr: r.Received.Member, NameEN: r.Received.Member}
		}
		if r.AckedAt == nil && s.local(r.From) {
			var state string
			if err := s.db.R().Get(ctx, &state, `SELECT state FROM poc_pings WHERE id = ?`, r.PingID); err == nil && state == PingFinished {
				r.Closed, r.CanAck = true, false
			}
		}
		n, ok := nets[r.NetworkID]
		if !ok {
			if x, err := s.network(ctx, s.db.R(), r.NetworkID); err == nil {
				n = &x
			}
			nets[r.NetworkID] = n
		}
		if n != nil {
			r.Network = *n
		}
	}
	return nil
}

// checkOpen refuses a confirmation once the check is over: past the
// deadline the ping reached the member with, or, on the secretariat's own
// node, once the secretariat closed it. A confirmation that comes too late
// is refused, not recorded: the secretariat already counts the contact as
// not having answered, and the person is told so at once.
func (s *Networks) checkOpen(ctx context.Context, tx *store.Tx, r Received) error {
	if tx.Now.After(r.Deadline) {
		return errOp("acknowledge ping", core.KindConflict, "err.ping_over")
	}
	if !s.local(r.From) {
		return nil
	}
	var state string
	if err := tx.Get(ctx, &state, `SELECT p.state FROM poc_ping_targets t JOIN poc_pings p ON p.id = t.ping_id WHERE t.id = ?`, r.TargetID); err == nil && state == PingFinished {
		return errOp("acknowledge ping", core.KindConflict, "err.ping_over")
	}
	return nil
}

// PingAction is what a secretariat's action on a running check did.
type PingAction struct {
	Done    int // contacts reminded, escalated, or settled
	Skipped int // contacts it could not reach (no address, no deputy)
}

// runningPing reads a hosted ping for its secretariat, refusing a finished one.
func (s *Networks) runningPing(ctx context.Context, tx *store.Tx, id string) (Ping, Network, error) {
	var pg Ping
	if err := tx.Get(ctx, &pg, `SELECT id, network_id, started_by, started_at, deadline, state, finished_at, message, message_id, 0 AS targets, 0 AS acknowledged FROM poc_pings WHERE id = ?`, id); err != nil {
		return pg, Network{}, core.Wrap("directory: ping", err)
	}
	n, err := s.network(ctx, tx.Conn, pg.NetworkID)
	if err != nil {
		return pg, n, err
	}
	if err := s.checkManage(ctx, n); err != nil {
		return pg, n, err
	}
	if pg.State == PingFinished {
		return pg, n, errOp("ping", core.KindConflict, "err.ping_finished")
	}
	return pg, n, nil
}

type unanswered struct {
	Target
	Email     string `db:"email"`
	PersonRef string `db:"person_ref"`
}

// RemindPing notifies again every point of contact of a running check who
// has not answered yet. Each gets a fresh link that confirms without an
// account: a person on this node by e-mail in their own language (the
// people notify path), anyone else at the directory's address, in both
// languages, as the half-time reminder does.
func (s *Networks) RemindPing(ctx context.Context, id string) (PingAction, error) {
	var out PingAction
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		pg, n, err := s.runningPing(ctx, tx, id)
		if err != nil {
			return err
		}
		var ts []unanswered
		if err := tx.Select(ctx, &ts, `SELECT `+prefixed("t.", targetColumns)+`, t.email, COALESCE(e.person_ref, '') AS person_ref FROM poc_ping_targets t
			LEFT JOIN poc_entries e ON e.id = t.entry_id AND e.network_id = ? WHERE t.ping_id = ? AND t.state IN ('pending', 'unreachable') AND t.acked_at IS NULL ORDER BY t.member_addr, t.id`, n.ID, pg.ID); err != nil {
			return core.Wrap("directory: remind", err)
		}
		for _, t := range ts {
			if t.Email == "" && !(s.local(t.Member) && t.PersonRef != "") {
				out.Skipped++
				continue
			}
			token, hash := newToken()
			if _, err := tx.Exec(ctx, `UPDATE poc_ping_targets SET reminded_at = ?, token_hash = ? WHERE id = ?`, tx.Now, hash, t.ID); err != nil {
				return core.Wrap("directory: remind", err)
			}
			args := notify.Args{"name": t.Name, "network": n.NameEN, "network@id": n.NameID, "deadline": t.Deadline.UTC().Format(notify.DeadlineFormat)}
			path := "/ping-ack?t=" + token
			if s.local(t.Member) && t.PersonRef != "" {
				if err := s.people.Notify(ctx, tx, t.PersonRef, notify.PingRemind, path, args); err != nil {
					return err
				}
			} else if err := s.mailBoth(ctx, tx, t.Email, notify.PingRemind, s.baseURL()+path, args); err != nil {
				return err
			}
			out.Done++
		}
		sec, _ := s.secretariatOrg(ctx, tx.Conn, n)
		return audit.Record(ctx, tx, "directory.ping.remind", "ping", pg.ID, sec.ID, fmt.Sprintf("%d reminded, %d without address", out.Done, out.Skipped))
	})
	return out, err
}

// mailBoth e-mails an address that may belong to no account, so no
// language is known: the message goes in English and in Indonesian.
func (s *Networks) mailBoth(ctx context.Context, tx *store.Tx, to string, k notify.Kind, link string, args notify.Args) error {
	enSubject, enBody, err := notify.Render(s.tr, "en", k, link, args)
	if err != nil {
		return err
	}
	idSubject, idBody, err := notify.Render(s.tr, "id", k, link, args)
	if err != nil {
		return err
	}
	msg := notify.Message{To: to, Subject: enSubject + " / " + idSubject, Body: enBody + "\n\n---\n\n" + idBody}
	return s.jobs.Enqueue(ctx, tx, EmailJob, msg, jobs.Options{})
}

// EscalatePing asks, now, the deputies of every member whose primary point
// of contact has not answered a running check, as the deadline would. The
// deputies answer by the check's deadline, or within the check's window
// when that is nearer than an hour away.
func (s *Networks) EscalatePing(ctx context.Context, id string) (PingAction, error) {
	var out PingAction
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		pg, n, err := s.runningPing(ctx, tx, id)
		if err != nil {
			return err
		}
		var ts []Target
		if err := tx.Select(ctx, &ts, `SELECT `+targetColumns+` FROM poc_ping_targets WHERE ping_id = ? AND escalated_from = '' AND escalated_at IS NULL
			AND acked_at IS NULL AND state IN ('pending', 'overdue', 'unreachable') ORDER BY member_addr, id`, pg.ID); err != nil {
			return core.Wrap("directory: escalate", err)
		}
		deadline := pg.Deadline
		if deadline.Sub(tx.Now) < time.Hour {
			deadline = tx.Now.Add(pg.Deadline.Sub(pg.StartedAt))
		}
		asked := map[string]bool{}
		for _, t := range ts {
			ok, err := s.askDeputies(ctx, tx, n, pg, t, asked, deadline)
			if err != nil {
				return err
			}
			if !ok {
				out.Skipped++
				continue
			}
			out.Done++
		}
		if out.Done > 0 && deadline.After(pg.Deadline) {
			if err := s.jobs.Enqueue(ctx, tx, jobPingDeadline, pingJob{PingID: pg.ID}, jobs.Options{RunAt: deadline.Add(time.Second)}); err != nil {
				return err
			}
		}
		sec, _ := s.secretariatOrg(ctx, tx.Conn, n)
		return audit.Record(ctx, tx, "directory.ping.escalate", "ping", pg.ID, sec.ID, fmt.Sprintf("%d escalated, %d without deputy", out.Done, out.Skipped))
	})
	return out, err
}

// ClosePing ends a running check before its deadline: whoever has not
// answered is overdue (unreachable when the ping never reached their node),
// and the check is finished.
func (s *Networks) ClosePing(ctx context.Context, id string) (PingAction, error) {
	var out PingAction
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		pg, n, err := s.runningPing(ctx, tx, id)
		if err != nil {
			return err
		}
		var due []Target
		if err := tx.Select(ctx, &due, `SELECT `+targetColumns+` FROM poc_ping_targets WHERE ping_id = ? AND state = 'pending'`, pg.ID); err != nil {
			return core.Wrap("directory: close ping", err)
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
		for _, t := range due {
			state := TargetOverdue
			if t.EnvelopeID != "" && ds[t.EnvelopeID].State != "delivered" {
				state = TargetUnreachable
			}
			if _, err := tx.Exec(ctx, `UPDATE poc_ping_targets SET state = ? WHERE id = ? AND state = 'pending'`, state, t.ID); err != nil {
				return core.Wrap("directory: close ping", err)
			}
			out.Done++
		}
		if _, err := tx.Exec(ctx, `UPDATE poc_pings SET state = 'finished', finished_at = ? WHERE id = ?`, tx.Now, pg.ID); err != nil {
			return core.Wrap("directory: close ping", err)
		}
		sec, _ := s.secretariatOrg(ctx, tx.Conn, n)
		if err := audit.Record(ctx, tx, "directory.ping.close", "ping", pg.ID, sec.ID, fmt.Sprintf("closed early, %d unanswered", out.Done)); err != nil {
			return err
		}
		// The confirmation dates reach the members' copies, as at the end.
		return s.changed(ctx, tx, n.ID)
	})
	return out, err
}

// tokenOver reports whether a target's check is over for the e-mailed link:
// past the target's deadline, or finished.
func (s *Networks) tokenOver(ctx context.Context, q store.Conn, t Target) (bool, error) {
	if s.db.Clock().Now().After(t.Deadline) {
		return true, nil
	}
	var state string
	if err := q.Get(ctx, &state, `SELECT state FROM poc_pings WHERE id = ?`, t.PingID); err != nil {
		return false, core.Wrap("directory: ping link", err)
	}
	return state == PingFinished, nil
}

// askDeputies sends the check to the deputies of a target who did not
// answer, those not asked yet in this round (asked), to answer by deadline,
// and marks the target escalated. It reports false when the member named no
// deputy for the target's category.
func (s *Networks) askDeputies(ctx context.Context, tx *store.Tx, n Network, pg Ping, t Target, asked map[string]bool, deadline time.Time) (bool, error) {
	var deputies []Entry
	if err := tx.Select(ctx, &deputies, `SELECT `+entryColumns+` FROM poc_entries WHERE network_id = ? AND member_addr = ? AND category = ? AND deputy = TRUE ORDER BY id`, n.ID, t.Member, t.Category); err != nil {
		return false, core.Wrap("directory: escalate", err)
	}
	if len(deputies) == 0 {
		return false, nil
	}
	for _, d := range deputies {
		if asked[d.ID] {
			continue
		}
		asked[d.ID] = true
		if err := s.sendTarget(ctx, tx, n, pg, d, t.ID, deadline); err != nil {
			return false, err
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE poc_ping_targets SET escalated_at = ? WHERE id = ?`, tx.Now, t.ID); err != nil {
		return false, core.Wrap("directory: escalate", err)
	}
	return true, nil
}
