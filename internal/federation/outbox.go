package federation

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/ledger"
	"entente.example/entente/internal/store"
)

// peerState is one peer's share of delivery: its own concurrency limit and
// circuit breaker, so a slow or dead peer only ever holds its own slots.
type peerState struct {
	sem       chan struct{}
	mu        sync.Mutex
	failures  int
	openUntil time.Time
}

func (s *Service) peerState(id string) *peerState {
	s.mu.Lock()
	defer s.mu.Unlock()
	ps, ok := s.peers[id]
	if !ok {
		ps = &peerState{sem: make(chan struct{}, s.opt.PerPeer)}
		s.peers[id] = ps
	}
	return ps
}

// open reports whether the breaker refuses attempts now.
func (ps *peerState) open(now time.Time) bool {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return now.Before(ps.openUntil)
}

// record notes an attempt's outcome; five failures in a row open the breaker
// for a time that doubles up to five minutes.
func (ps *peerState) record(ok bool, now time.Time) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if ok {
		ps.failures = 0
		ps.openUntil = time.Time{}
		return
	}
	ps.failures++
	if ps.failures >= 5 {
		d := time.Duration(math.Min(float64(5*time.Minute), float64(time.Second)*math.Pow(2, float64(ps.failures-5))))
		ps.openUntil = now.Add(d)
	}
}

// Wake nudges the deliverer.
func (s *Service) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// backoff waits 2 s × 2^(attempt-1), capped at 10 minutes, ±20 %.
func backoff(attempt int) time.Duration {
	d := 2 * time.Second * time.Duration(math.Pow(2, float64(attempt-1)))
	if d > 10*time.Minute || d <= 0 {
		d = 10 * time.Minute
	}
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

type outRow struct {
	ID         string    `db:"id"`
	PeerID     string    `db:"peer_id"`
	EnvelopeID string    `db:"envelope_id"`
	Body       []byte    `db:"body"`
	Attempts   int       `db:"attempts"`
	ExpiresAt  time.Time `db:"expires_at"`
	Host       string    `db:"host"`
	BaseURL    string    `db:"base_url"`
	SigningKey []byte    `db:"signing_key"`
	Status     string    `db:"status"`
}

var claimOutbox = map[store.Engine]string{
	store.SQLite: `UPDATE outbox SET locked_until = ? WHERE id IN (
		SELECT o.id FROM outbox o JOIN peers p ON p.id = o.peer_id
		WHERE o.state = 'queued' AND o.next_attempt_at <= ? AND (o.locked_until IS NULL OR o.locked_until <= ?) AND o.peer_id = ? AND p.status = 'verified'
		ORDER BY o.created_at LIMIT ?) RETURNING id`,
	store.Postgres: `UPDATE outbox SET locked_until = ? WHERE id IN (
		SELECT o.id FROM outbox o JOIN peers p ON p.id = o.peer_id
		WHERE o.state = 'queued' AND o.next_attempt_at <= ? AND (o.locked_until IS NULL OR o.locked_until <= ?) AND o.peer_id = ? AND p.status = 'verified'
		ORDER BY o.created_at LIMIT ? FOR UPDATE OF o SKIP LOCKED) RETURNING id`,
}

// Run delivers the outbox until ctx ends: each peer in its own goroutines,
// at most PerPeer at a time, skipped while its breaker is open.
func (s *Service) Run(ctx context.Context) {
	// On SQLite this process is the only one using the database (the data
	// directory is locked), so claims left by a process that died are stale:
	// release them rather than wait out their lease. Replicas on PostgreSQL
	// wait for the lease, which outlasts the longest request.
	if s.db.Engine == store.SQLite {
		if err := s.db.WithTx(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE outbox SET locked_until = NULL WHERE state = 'queued' AND locked_until IS NOT NULL`)
			return err
		}); err != nil {
			s.log.Error("federation: release claims", "err", err)
		}
	}
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	// Talking to peers about ledgers and directories runs beside delivery:
	// a peer that hangs there must not hold up any envelope.
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.background(ctx)
	}()
	for {
		if err := s.expire(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("federation: expire", "err", err)
		}
		if err := s.dispatch(ctx, &wg); err != nil && ctx.Err() == nil {
			s.log.Error("federation: deliver", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-s.wake:
		}
	}
}

// dispatch claims due envelopes peer by peer and starts their deliveries.
func (s *Service) dispatch(ctx context.Context, wg *sync.WaitGroup) error {
	var peerIDs []string
	now := s.db.Clock().Now()
	if err := s.db.R().Select(ctx, &peerIDs, `SELECT DISTINCT peer_id FROM outbox WHERE state = 'queued' AND next_attempt_at <= ?`, now); err != nil {
		return err
	}
	for _, pid := range peerIDs {
		ps := s.peerState(pid)
		if ps.open(now) {
			continue
		}
		free := cap(ps.sem) - len(ps.sem)
		if free <= 0 {
			continue
		}
		for slot := 0; slot < free; slot++ {
			var ids []string
			err := s.db.WithTx(ctx, func(tx *store.Tx) error {
				return tx.Select(ctx, &ids, claimOutbox[s.db.Engine], tx.Now.Add(s.opt.RequestTimeout+30*time.Second), tx.Now, tx.Now, pid, batchSize)
			})
			if err != nil {
				return err
			}
			if len(ids) == 0 {
				break
			}
			ps.sem <- struct{}{}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { <-ps.sem; s.Wake() }() // a free slot: look for more work at once
				s.deliverBatch(context.WithoutCancel(ctx), ids, ps)
			}()
		}
	}
	return nil
}

// batchSize is how many envelopes go to a peer in one request: one signature,
// one transaction on each side.
const batchSize = 200

// permanent is a refusal by the peer that retrying cannot change.
type permanent struct{ error }

// slowDown is a peer's rate limit: try again shortly, without counting it as
// a failure of the peer.
type slowDown struct{ error }

// deliverBatch sends claimed envelopes to their peer in one request and
// records every outcome in one transaction.
func (s *Service) deliverBatch(ctx context.Context, ids []string, ps *peerState) {
	marks := make([]string, len(ids))
	args := make([]any, len(ids))
	for i, id := range ids {
		marks[i], args[i] = "?", id
	}
	var rows []outRow
	if err := s.db.R().Select(ctx, &rows, `SELECT o.id, o.peer_id, o.envelope_id, o.body, o.attempts, o.expires_at, p.host, p.base_url, p.signing_key, p.status
		FROM outbox o JOIN peers p ON p.id = o.peer_id WHERE o.id IN (`+strings.Join(marks, ",")+`) ORDER BY o.created_at`, args...); err != nil || len(rows) == 0 {
		s.log.Error("federation: load outbox rows", "err", err)
		return
	}
	// One claim is one request, well under the receiver's body limit
	// whatever the envelopes weigh (a batch of one always goes); the rows that
	// do not fit are released for the next round, so a claim never outlives
	// its lease and every row's outcome is its own request's.
	end, size := 0, 2
	for end < len(rows) && (end == 0 || size+len(rows[end].Body)+1 <= MaxBatch/2) {
		size += len(rows[end].Body) + 1
		end++
	}
	rows, rest := rows[:end], rows[end:]
	results := map[string]BatchResult{}
	rs, err := s.postBatch(ctx, rows)
	for _, r := range rs {
		results[r.Envelope] = r
	}
	now := s.db.Clock().Now()
	var perm permanent
	var slow slowDown
	ps.record(err == nil || errors.As(err, &perm) || errors.As(err, &slow), now)
	ferr := s.db.WithTx(ctx, func(tx *store.Tx) error {
		var receipts []ledger.Entry
		for _, r := range rows {
			rerr := err
			var receipt []byte
			if err == nil {
				receipt, rerr = checkResult(r, results, func() (Descriptor, error) { return s.storedDescriptor(ctx, r.PeerID) })
			}
			if rerr == nil {
				if _, err := tx.Exec(ctx, `UPDATE outbox SET state = 'delivered', attempts = attempts + 1, delivered_at = ?, receipt = ?, locked_until = NULL, last_error = '' WHERE id = ?`, tx.Now, string(receipt), r.ID); err != nil {
					return err
				}
				// The sender keeps every receipt, and its own log says so.
				receipts = append(receipts, ledger.Entry{Kind: ledger.KindReceipt, Ref: r.EnvelopeID, Digest: ledger.Digest(receipt)})
				continue
			}
			msg := rerr.Error()
			s.log.Warn("federation: delivery failed", "peer", r.Host, "envelope", r.EnvelopeID, "attempt", r.Attempts+1, "err", msg)
			if len(msg) > 500 {
				msg = msg[:500]
			}
			if errors.As(rerr, &perm) || !tx.Now.Add(backoff(r.Attempts+1)).Before(r.ExpiresAt) {
				if _, err := tx.Exec(ctx, `UPDATE outbox SET state = 'undelivered', attempts = attempts + 1, last_error = ?, locked_until = NULL WHERE id = ?`, msg, r.ID); err != nil {
					return err
				}
				if err := s.undelivered(ctx, tx, r.EnvelopeID, msg); err != nil {
					return err
				}
				continue
			}
			next := tx.Now.Add(backoff(r.Attempts + 1))
			if errors.As(rerr, &slow) {
				next = tx.Now.Add(250 * time.Millisecond)
			}
			if _, err := tx.Exec(ctx, `UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_attempt_at = ?, locked_until = NULL WHERE id = ?`, msg, next, r.ID); err != nil {
				return err
			}
		}
		for _, r := range rest {
			if _, err := tx.Exec(ctx, `UPDATE outbox SET locked_until = NULL WHERE id = ?`, r.ID); err != nil {
				return err
			}
		}
		_, err := s.ledger.Append(ctx, tx, receipts...)
		return err
	})
	if ferr != nil {
		s.log.Error("federation: record delivery", "peer", rows[0].Host, "err", ferr)
	}
}

// checkResult verifies the receipt the peer returned for a row; descriptor
// gives the peer's stored descriptor, read only when a receipt is signed with
// a key the peer has since retired.
func checkResult(r outRow, results map[string]BatchResult, descriptor func() (Descriptor, error)) ([]byte, error) {
	res, ok := results[r.EnvelopeID]
	if !ok {
		return nil, fmt.Errorf("peer %s: no answer for envelope %s", r.Host, r.EnvelopeID)
	}
	if res.Error != "" {
		if res.Kind == core.KindRateLimited || res.Kind == core.KindUnavailable || res.Kind == core.KindInternal {
			return nil, fmt.Errorf("peer %s: %s", r.Host, res.Error)
		}
		return nil, permanent{fmt.Errorf("peer %s refused the envelope: %s", r.Host, res.Error)}
	}
	rc, err := OpenReceipt(res.Receipt, r.SigningKey)
	if err != nil {
		// Stored before the peer rotated its key, and answered again now:
		// its receipt carries the key it had then.
		if d, derr := descriptor(); derr == nil && bytes.Equal(d.SigningKey, r.SigningKey) {
			rc, err = OpenReceiptOf(res.Receipt, d)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("peer %s: %w", r.Host, err)
	}
	if rc.Envelope != r.EnvelopeID || rc.Digest != ledger.Digest(r.Body) || rc.Node != r.Host {
		return nil, fmt.Errorf("peer %s: the receipt is for another envelope", r.Host)
	}
	return res.Receipt, nil
}

func (s *Service) undelivered(ctx context.Context, tx *store.Tx, envelopeID, reason string) error {
	var typ string
	if err := tx.Get(ctx, &typ, `SELECT type FROM outbox WHERE envelope_id = ?`, envelopeID); err != nil {
		return err
	}
	prefix, _, _ := strings.Cut(typ, ".")
	if h, ok := s.handlers[prefix].(UndeliveredHandler); ok {
		return h.Undelivered(ctx, tx, envelopeID, reason)
	}
	return nil
}

// expire marks envelopes past the retry horizon undelivered, even for a peer
// whose breaker keeps it from being tried: never a silent drop.
func (s *Service) expire(ctx context.Context) error {
	var ids []string
	now := s.db.Clock().Now()
	if err := s.db.R().Select(ctx, &ids, `SELECT envelope_id FROM outbox WHERE state = 'queued' AND expires_at <= ? AND (locked_until IS NULL OR locked_until <= ?) LIMIT 500`, now, now); err != nil {
		return err
	}
	for _, id := range ids {
		err := s.db.WithTx(ctx, func(tx *store.Tx) error {
			n, err := tx.Exec(ctx, `UPDATE outbox SET state = 'undelivered', last_error = CASE WHEN last_error = '' THEN 'retry horizon passed' ELSE last_error END WHERE envelope_id = ? AND state = 'queued' AND (locked_until IS NULL OR locked_until <= ?)`, id, tx.Now)
			if err != nil || n == 0 {
				return err
			}
			return s.undelivered(ctx, tx, id, "retry horizon passed")
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// postBatch sends rows (all for one peer) as a JSON array of the exact
// envelope bytes and returns the peer's answer for each.
func (s *Service) postBatch(ctx context.Context, rows []outRow) ([]BatchResult, error) {
	r := rows[0]
	if r.Status != PeerVerified {
		return nil, fmt.Errorf("peer %s is %s", r.Host, r.Status)
	}
	var body bytes.Buffer
	body.WriteByte('[')
	for i, row := range rows {
		if i > 0 {
			body.WriteByte(',')
		}
		body.Write(row.Body)
	}
	body.WriteByte(']')
	target := r.BaseURL + "/federation/v1/inbox"
	ctx, cancel := context.WithTimeout(ctx, s.opt.RequestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body.Bytes()))
	if err != nil {
		return nil, permanent{err}
	}
	req.Header.Set("Content-Type", "application/json")
	if err := Sign(req, body.Bytes(), target, s.keys.Signing, SignParams{KeyID: s.host, Alg: true, Created: s.db.Clock().Now()}); err != nil {
		return nil, permanent{err}
	}
	res, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 16<<20))
	if err != nil {
		return nil, err
	}
	switch {
	case res.StatusCode == http.StatusOK:
	case res.StatusCode == http.StatusTooManyRequests:
		return nil, slowDown{fmt.Errorf("peer %s asked to slow down (429)", r.Host)}
	default:
		// A refusal of the whole request (a signature outside the peer's
		// clock window, a peer that has not verified this node yet, a body
		// too large) is about the two nodes, not the envelopes: retried, and
		// counted against the peer's breaker. Only an envelope's own refusal
		// is final.
		return nil, fmt.Errorf("peer %s answered %d: %s", r.Host, res.StatusCode, truncate(string(b), 300))
	}
	var results []BatchResult
	if err := json.Unmarshal(b, &results); err != nil {
		return nil, fmt.Errorf("peer %s: answer: %w", r.Host, err)
	}
	return results, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Retry puts undelivered or waiting envelopes of a peer back at the front of
// the queue, for an administrator who fixed the cause.
func (s *Service) Retry(ctx context.Context, peerID string) (int64, error) {
	var n int64
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		n, err = tx.Exec(ctx, `UPDATE outbox SET state = 'queued', next_attempt_at = ?, expires_at = CASE WHEN expires_at < ? THEN ? ELSE expires_at END WHERE peer_id = ? AND state IN ('queued', 'undelivered')`,
			tx.Now, tx.Now.Add(s.opt.Horizon), tx.Now.Add(s.opt.Horizon), peerID)
		return core.Wrap("federation: retry", err)
	})
	ps := s.peerState(peerID)
	ps.record(true, time.Now())
	s.Wake()
	return n, err
}

// Nudge makes every envelope still queued for any peer due now and closes
// the breakers, without reviving what was given up (Retry does that, for
// one peer): for tests that wait on delivery across a loaded machine,
// where a transient failure must not push an envelope past their wait.
func (s *Service) Nudge(ctx context.Context) error {
	var peers []string
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		if err := tx.Select(ctx, &peers, `SELECT DISTINCT peer_id FROM outbox WHERE state = 'queued'`); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE outbox SET next_attempt_at = ? WHERE state = 'queued' AND next_attempt_at > ?`, tx.Now, tx.Now)
		return err
	})
	for _, id := range peers {
		s.peerState(id).record(true, time.Now())
	}
	s.Wake()
	return core.Wrap("federation: nudge", err)
}

// QueueStats is one peer's outbox, for administrators.
type QueueStats struct {
	PeerID      string `db:"peer_id"`
	Queued      int    `db:"queued"`
	Delivered   int    `db:"delivered"`
	Undelivered int    `db:"undelivered"`
	LastError   string `db:"last_error"`
}

// Queues returns per-peer outbox counts.
func (s *Service) Queues(ctx context.Context) (map[string]QueueStats, error) {
	var rows []QueueStats
	err := s.db.R().Select(ctx, &rows, `SELECT peer_id,
		SUM(CASE WHEN state = 'queued' THEN 1 ELSE 0 END) AS queued,
		SUM(CASE WHEN state = 'delivered' THEN 1 ELSE 0 END) AS delivered,
		SUM(CASE WHEN state = 'undelivered' THEN 1 ELSE 0 END) AS undelivered,
		MAX(last_error) AS last_error
		FROM outbox GROUP BY peer_id`)
	out := map[string]QueueStats{}
	for _, r := range rows {
		out[r.PeerID] = r
	}
	return out, core.Wrap("federation: queues", err)
}

func (s *Service) refreshMissingDirectories(ctx context.Context) {
	var ps []Peer
	if err := s.db.R().Select(ctx, &ps, `SELECT `+peerColumns+` FROM peers p WHERE status = 'verified' AND NOT EXISTS (SELECT 1 FROM peer_orgs o WHERE o.peer_id = p.id)`); err != nil {
		return
	}
	for _, p := range ps {
		if err := s.RefreshDirectory(ctx, p); err != nil {
			s.log.Debug("federation: directory", "peer", p.Host, "err", err)
		}
	}
}

// background re-asks for directories refused before mutual verification
// (every 5 s) and witnesses peers' ledgers (every 15 s), each peer on its own.
func (s *Service) background(ctx context.Context) {
	t := time.NewTicker(5 * time.Second)
	defer t.Stop()
	for i := 0; ; i++ {
		s.refreshMissingDirectories(ctx)
		if i%3 == 0 {
			if err := s.Witness(ctx); err != nil && ctx.Err() == nil {
				s.log.Debug("federation: witness", "err", err)
			}
		}
		if i%12 == 0 {
			s.refreshPeers(ctx) // every minute: rotated keys, new encryption keys
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
