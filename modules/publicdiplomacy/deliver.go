package publicdiplomacy

import (
	"context"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/store"
	"entente.example/entente/modules/publicdiplomacy/ap"
)

// Delivery to other instances. Each activity is written once (its exact
// bytes) and queued once per inbox, in the transaction that caused it, so
// nothing is sent that did not happen and nothing that happened is lost
// across a restart. A worker pool sends what is due; each instance has a
// circuit breaker (after a failure its deliveries wait, growing with each
// failure, up to an hour) and an instance that failed on DeadDays distinct
// days is dead: its deliveries are skipped until it is heard from again.
// A dead or slow instance only ever holds its own deliveries: the others
// go on.

const (
	// DeadDays is how many distinct days of failures make an instance
	// dead, as Mastodon counts them.
	DeadDays = 7
	// claimFor is how long a claimed delivery is left to its worker before
	// another may take it (a worker that died with it).
	claimFor = 2 * time.Minute
	// sendTimeout bounds one delivery attempt.
	sendTimeout = 20 * time.Second
	perHost     = 4
)

// backoff is the wait before attempt n+1, close to Mastodon's n⁴ + 15 s
// with jitter, so that retries over the horizon spread out.
func backoff(n int) time.Duration {
	d := time.Duration(n*n*n*n)*time.Second + 15*time.Second
	return d + time.Duration(rand.Int64N(int64(d/4)+1))
}

type deliverer struct {
	s    *Service
	wake chan struct{}
	mu   sync.Mutex
	busy map[string]int // deliveries in flight per host
}

func newDeliverer(s *Service) *deliverer {
	return &deliverer{s: s, wake: make(chan struct{}, 1), busy: map[string]int{}}
}

func (d *deliverer) nudge() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// queueDelivery records an activity and queues it for each inbox.
func (s *Service) queueDelivery(ctx context.Context, tx *store.Tx, acc Account, act ap.Activity, inboxes []string) error {
	body, err := act.MarshalJSON()
	if err != nil {
		return err
	}
	object := ""
	if id, ok := act.Object.(string); ok {
		object = id
	}
	if _, err := tx.Exec(ctx, `INSERT INTO pd_activities (id, account_id, type, object, body, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		act.ID, acc.ID, act.Type, object, body, tx.Now); err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, in := range inboxes {
		u, err := url.Parse(in)
		if err != nil || u.Host == "" || seen[in] {
			continue
		}
		seen[in] = true
		if _, err := tx.Exec(ctx, `INSERT INTO pd_deliveries (id, activity_id, account_id, inbox, host, state, next_attempt_at, expires_at, created_at)
			VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?)`, core.NewID(tx.Now), act.ID, acc.ID, in, strings.ToLower(u.Host), tx.Now, tx.Now.Add(s.opt.Horizon), tx.Now); err != nil {
			return err
		}
	}
	tx.AfterCommit(s.dl.nudge)
	return nil
}

// followerInboxes are the inboxes of an account's followers, one per
// instance where the instance has a shared inbox.
func (s *Service) followerInboxes(ctx context.Context, c store.Conn, accountID string) ([]string, error) {
	var out []string
	err := c.Select(ctx, &out, `SELECT DISTINCT CASE WHEN a.shared_inbox <> '' THEN a.shared_inbox ELSE a.inbox END
		FROM pd_followers f JOIN pd_actors a ON a.uri = f.actor WHERE f.account_id = ? AND f.state = 'accepted'`, accountID)
	return out, err
}

// sendToFollowers queues an activity for the account's followers and for
// the extra actors (mentioned, replied to).
func (s *Service) sendToFollowers(ctx context.Context, tx *store.Tx, acc Account, act ap.Activity, extra []string) error {
	inboxes, err := s.followerInboxes(ctx, tx.Conn, acc.ID)
	if err != nil {
		return err
	}
	for _, actor := range extra {
		var inbox string
		if err := tx.Get(ctx, &inbox, `SELECT inbox FROM pd_actors WHERE uri = ?`, actor); err == nil {
			inboxes = append(inboxes, inbox)
		}
	}
	return s.queueDelivery(ctx, tx, acc, act, inboxes)
}

type due struct {
	ID         string    `db:"id"`
	ActivityID string    `db:"activity_id"`
	AccountID  string    `db:"account_id"`
	Inbox      string    `db:"inbox"`
	Host       string    `db:"host"`
	Attempts   int       `db:"attempts"`
	Next       time.Time `db:"next_attempt_at"`
	Expires    time.Time `db:"expires_at"`
}

// Run delivers until ctx is done.
func (s *Service) Run(ctx context.Context) {
	sem := make(chan struct{}, s.opt.Workers)
	var wg sync.WaitGroup
	defer wg.Wait()
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		n, err := s.dl.round(ctx, sem, &wg)
		if err != nil && ctx.Err() == nil {
			time.Sleep(time.Second)
		}
		if n > 0 && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-s.dl.wake:
		}
	}
}

// DeliverNow runs delivery rounds until nothing is due, for tests and
// the command line.
func (s *Service) DeliverNow(ctx context.Context) error {
	sem := make(chan struct{}, s.opt.Workers)
	var wg sync.WaitGroup
	for {
		n, err := s.dl.round(ctx, sem, &wg)
		wg.Wait()
		if err != nil || n == 0 {
			return err
		}
	}
}

// round claims what is due and starts sending it; it returns how many it
// started. Deliveries to dead instances are skipped; those to an instance
// whose circuit is open wait for it.
func (d *deliverer) round(ctx context.Context, sem chan struct{}, wg *sync.WaitGroup) (int, error) {
	s := d.s
	now := s.Now()
	if err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE pd_deliveries SET state = 'skipped', last_error = 'instance dead'
			WHERE state = 'queued' AND host IN (SELECT host FROM pd_instances WHERE dead)`)
		return err
	}); err != nil {
		return 0, err
	}
	var rows []due
	if err := s.db.R().Select(ctx, &rows, `SELECT d.id, d.activity_id, d.account_id, d.inbox, d.host, d.attempts, d.next_attempt_at, d.expires_at
		FROM pd_deliveries d LEFT JOIN pd_instances i ON i.host = d.host
		WHERE d.state = 'queued' AND d.next_attempt_at <= ? AND (i.open_until IS NULL OR i.open_until <= ?)
		ORDER BY d.next_attempt_at LIMIT 1000`, now, now); err != nil {
		return 0, err
	}
	started := 0
	for _, r := range rows {
		if ctx.Err() != nil {
			break
		}
		if !d.take(r.Host) {
			continue
		}
		// Claim it: another worker or replica that read the same row finds
		// it moved and leaves it.
		var n int64
		err := s.db.WithTx(ctx, func(tx *store.Tx) error {
			var err error
			n, err = tx.Exec(ctx, `UPDATE pd_deliveries SET next_attempt_at = ? WHERE id = ? AND state = 'queued' AND next_attempt_at = ?`, now.Add(claimFor), r.ID, r.Next)
			return err
		})
		if err != nil || n == 0 {
			d.release(r.Host)
			continue
		}
		started++
		sem <- struct{}{}
		wg.Add(1)
		go func(r due) {
			defer wg.Done()
			defer func() { <-sem }()
			defer d.release(r.Host)
			d.send(ctx, r)
		}(r)
	}
	return started, nil
}

func (d *deliverer) take(host string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.busy[host] >= perHost {
		return false
	}
	d.busy[host]++
	return true
}

func (d *deliverer) release(host string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.busy[host]--; d.busy[host] <= 0 {
		delete(d.busy, host)
	}
}

// send makes one attempt and records its outcome.
func (d *deliverer) send(ctx context.Context, r due) {
	s := d.s
	var body []byte
	var acc Account
	err := s.db.R().Get(ctx, &body, `SELECT body FROM pd_activities WHERE id = ?`, r.ActivityID)
	if err == nil {
		acc, err = s.Account(ctx, r.AccountID)
	}
	if err != nil {
		s.recordDelivery(ctx, r, 0, 0, err)
		return
	}
	if s.isLocal(r.Inbox) {
		// An account of this node writes to another one here (a hosted
		// node carries many organisations): no need to sign and send what
		// this node would verify against its own key.
		s.recordDelivery(ctx, r, http.StatusAccepted, 0, s.receiveLocal(ctx, body, acc))
		return
	}
	key, err := ap.ParsePrivateKeyPEM(acc.PrivateKey)
	if err != nil {
		s.recordDelivery(ctx, r, 0, 0, err)
		return
	}
	sctx, cancel := context.WithTimeout(ctx, sendTimeout)
	defer cancel()
	status, after, err := s.client().Post(sctx, r.Inbox, body, s.ActorURL(acc.Username)+"#main-key", key)
	if ctx.Err() != nil {
		return // shutting down: the claim lapses and the delivery is retried
	}
	s.recordDelivery(ctx, r, status, after, err)
}

// recordDelivery writes an attempt's outcome on the delivery and on its
// instance's breaker.
func (s *Service) recordDelivery(ctx context.Context, r due, status int, retryAfter time.Duration, sendErr error) {
	_ = s.db.WithTx(ctx, func(tx *store.Tx) error {
		switch {
		case sendErr == nil && status >= 200 && status < 300:
			if _, err := tx.Exec(ctx, `UPDATE pd_deliveries SET state = 'delivered', attempts = attempts + 1, delivered_at = ?, last_error = '' WHERE id = ?`, tx.Now, r.ID); err != nil {
				return err
			}
			return instanceUp(ctx, tx, r.Host)
		case sendErr == nil && (status == 429 || status == 503) && retryAfter > 0:
			// The instance asked us to wait: no failure, no breaker.
			if retryAfter > 6*time.Hour {
				retryAfter = 6 * time.Hour
			}
			_, err := tx.Exec(ctx, `UPDATE pd_deliveries SET next_attempt_at = ?, last_error = ? WHERE id = ?`, tx.Now.Add(retryAfter), statusText(status), r.ID)
			return err
		case sendErr == nil && status >= 400 && status < 500 && status != 408 && status != 429:
			// Refused for good (GoToSocial: do not retry a 400); the
			// instance itself is up.
			if _, err := tx.Exec(ctx, `UPDATE pd_deliveries SET state = 'failed', attempts = attempts + 1, last_error = ? WHERE id = ?`, statusText(status), r.ID); err != nil {
				return err
			}
			return instanceUp(ctx, tx, r.Host)
		}
		msg := statusText(status)
		if sendErr != nil {
			msg = sendErr.Error()
			if len(msg) > 300 {
				msg = msg[:300]
			}
		}
		attempts := r.Attempts + 1
		next := tx.Now.Add(backoff(attempts))
		state := "queued"
		if next.After(r.Expires) || attempts >= 16 {
			state = "failed"
		}
		if _, err := tx.Exec(ctx, `UPDATE pd_deliveries SET state = ?, attempts = ?, next_attempt_at = ?, last_error = ? WHERE id = ?`, state, attempts, next, clean(msg), r.ID); err != nil {
			return err
		}
		return instanceDown(ctx, tx, r.Host, clean(msg))
	})
}

func statusText(status int) string { return "HTTP " + strconv.Itoa(status) }

// clean makes remote text storable on both engines: no NUL, valid UTF-8.
func clean(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
}

// instanceUp closes an instance's breaker: it answered.
func instanceUp(ctx context.Context, tx *store.Tx, host string) error {
	_, err := tx.Exec(ctx, `UPDATE pd_instances SET failures = 0, fail_days = 0, last_fail_day = '', open_until = NULL, dead = FALSE, last_error = '', last_success_at = ? WHERE host = ?`, tx.Now, host)
	return err
}

// instanceDown opens an instance's breaker for longer with each failure in
// a row, and counts the distinct days it failed on.
func instanceDown(ctx context.Context, tx *store.Tx, host, msg string) error {
	if _, err := tx.Exec(ctx, `INSERT INTO pd_instances (host) VALUES (?) ON CONFLICT (host) DO NOTHING`, host); err != nil {
		return err
	}
	var cur struct {
		Failures int    `db:"failures"`
		Days     int    `db:"fail_days"`
		LastDay  string `db:"last_fail_day"`
	}
	if err := tx.Get(ctx, &cur, `SELECT failures, fail_days, last_fail_day FROM pd_instances WHERE host = ?`, host); err != nil {
		return err
	}
	day := tx.Now.UTC().Format("2006-01-02")
	if day != cur.LastDay {
		cur.Days++
	}
	cur.Failures++
	wait := 30 * time.Second << min(cur.Failures-1, 7)
	if wait > time.Hour {
		wait = time.Hour
	}
	_, err := tx.Exec(ctx, `UPDATE pd_instances SET failures = ?, fail_days = ?, last_fail_day = ?, open_until = ?, dead = ?, last_error = ? WHERE host = ?`,
		cur.Failures, cur.Days, day, tx.Now.Add(wait), cur.Days >= DeadDays, msg, host)
	return err
}

// heardFrom revives an instance that sent us a verified activity: it is
// not dead, whatever our deliveries found.
func heardFrom(ctx context.Context, tx *store.Tx, host string) error {
	n, err := tx.Exec(ctx, `UPDATE pd_instances SET dead = FALSE, fail_days = 0, open_until = NULL WHERE host = ? AND (dead OR open_until IS NOT NULL)`, host)
	if err != nil || n == 0 {
		return err
	}
	_, err = tx.Exec(ctx, `UPDATE pd_deliveries SET state = 'queued', next_attempt_at = ? WHERE host = ? AND state = 'skipped' AND expires_at > ?`, tx.Now, host, tx.Now)
	return err
}

// client is the ActivityPub client over the node's guarded HTTP client.
func (s *Service) client() *ap.Client {
	return &ap.Client{HTTP: s.opt.HTTP, UserAgent: "Entente (+" + s.base() + ")", Now: s.Now, Insecure: s.opt.Insecure}
}
