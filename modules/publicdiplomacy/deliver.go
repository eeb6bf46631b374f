package publicdiplomacy

import (
	"context"
	"crypto/rsa"
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
	sendTimeout = 15 * time.Second
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
	// outcomes are attempts made and not yet written (flush).
	outcomes []outcome
	bodies   map[string][]byte // by activity
	keys     map[string]signer // by account
	// good are the hosts that answered lately. Until a host has answered,
	// it gets one delivery at a time: a host that hangs then holds one
	// worker, not perHost of them, and the live ones keep the rest.
	good map[string]time.Time
}

func newDeliverer(s *Service) *deliverer {
	return &deliverer{s: s, wake: make(chan struct{}, 1), busy: map[string]int{}, good: map[string]time.Time{}, bodies: map[string][]byte{}, keys: map[string]signer{}}
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
	flushed := make(chan struct{})
	go func() {
		defer close(flushed)
		t := time.NewTicker(50 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				wg.Wait()
				_ = s.dl.flush(context.WithoutCancel(ctx))
				return
			case <-t.C:
				_ = s.dl.flush(ctx)
			}
		}
	}()
	defer func() { <-flushed }()
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
		if ferr := s.dl.flush(ctx); err == nil {
			err = ferr
		}
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
	var chosen []due
	for _, r := range rows {
		if d.take(r.Host) {
			chosen = append(chosen, r)
		}
	}
	if len(chosen) == 0 {
		return 0, nil
	}
	// Claim them in one statement: what another worker or replica claimed
	// first has moved and is not returned.
	mine := map[string]bool{}
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		for start := 0; start < len(chosen); start += 500 {
			part := chosen[start:min(start+500, len(chosen))]
			args := []any{now.Add(claimFor)}
			for _, r := range part {
				args = append(args, r.ID)
			}
			var ids []string
			if err := tx.Select(ctx, &ids, `UPDATE pd_deliveries SET next_attempt_at = ? WHERE id IN (`+marks(len(part))+`) AND state = 'queued' AND next_attempt_at <= ? RETURNING id`,
				append(args, now)...); err != nil {
				return err
			}
			for _, id := range ids {
				mine[id] = true
			}
		}
		return nil
	})
	started := 0
	for _, r := range chosen {
		if err != nil || !mine[r.ID] || ctx.Err() != nil {
			d.release(r.Host)
			continue
		}
		started++
		sem <- struct{}{}
		wg.Add(1)
		go func(r due) {
			defer wg.Done()
			defer func() { <-sem }()
			defer d.nudge()
			defer d.release(r.Host)
			d.send(ctx, r)
		}(r)
	}
	return started, err
}

func (d *deliverer) take(host string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	limit := 1
	if time.Since(d.good[host]) < time.Hour {
		limit = perHost
	}
	if d.busy[host] >= limit {
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

// send makes one attempt and leaves its outcome to be recorded.
func (d *deliverer) send(ctx context.Context, r due) {
	s := d.s
	body, acc, key, err := d.material(ctx, r)
	if err != nil {
		d.done(outcome{r: r, err: err})
		return
	}
	if s.isLocal(r.Inbox) {
		// An account of this node writes to another one here (a hosted
		// node carries many organisations): no need to sign and send what
		// this node would verify against its own key.
		d.done(outcome{r: r, status: http.StatusAccepted, err: s.receiveLocal(ctx, body, acc)})
		return
	}
	sctx, cancel := context.WithTimeout(ctx, sendTimeout)
	defer cancel()
	status, after, err := s.client().Post(sctx, r.Inbox, body, s.ActorURL(acc.Username)+"#main-key", key)
	if ctx.Err() != nil {
		return // shutting down: the claim lapses and the delivery is retried
	}
	if err == nil && status < 500 {
		d.mu.Lock()
		if len(d.good) > 10000 {
			for h, at := range d.good {
				if time.Since(at) > time.Hour {
					delete(d.good, h)
				}
			}
		}
		d.good[r.Host] = time.Now()
		d.mu.Unlock()
	}
	d.done(outcome{r: r, status: status, after: after, err: err})
}

// material is what a delivery sends and signs with: the activity's bytes
// and the account's key, kept while the activity is being delivered
// (parsing a key or reading the body once per inbox would cost more than
// sending).
func (d *deliverer) material(ctx context.Context, r due) ([]byte, Account, *rsa.PrivateKey, error) {
	d.mu.Lock()
	body, okB := d.bodies[r.ActivityID]
	k, okK := d.keys[r.AccountID]
	d.mu.Unlock()
	if !okB {
		if err := d.s.db.R().Get(ctx, &body, `SELECT body FROM pd_activities WHERE id = ?`, r.ActivityID); err != nil {
			return nil, Account{}, nil, err
		}
	}
	if !okK {
		acc, err := d.s.Account(ctx, r.AccountID)
		if err != nil {
			return nil, Account{}, nil, err
		}
		key, err := ap.ParsePrivateKeyPEM(acc.PrivateKey)
		if err != nil {
			return nil, Account{}, nil, err
		}
		k = signer{acc, key}
	}
	d.mu.Lock()
	if len(d.bodies) > 64 {
		clear(d.bodies)
	}
	if len(d.keys) > 256 {
		clear(d.keys)
	}
	d.bodies[r.ActivityID], d.keys[r.AccountID] = body, k
	d.mu.Unlock()
	return body, k.acc, k.key, nil
}

type signer struct {
	acc Account
	key *rsa.PrivateKey
}

// outcome is one attempt's result, waiting to be written.
type outcome struct {
	r      due
	status int
	after  time.Duration
	err    error
}

func (d *deliverer) done(o outcome) {
	d.mu.Lock()
	d.outcomes = append(d.outcomes, o)
	d.mu.Unlock()
}

// flush writes the outcomes waiting, in one transaction: under a burst of
// deliveries, one write per attempt would make the database the limit.
func (d *deliverer) flush(ctx context.Context) error {
	d.mu.Lock()
	out := d.outcomes
	d.outcomes = nil
	d.mu.Unlock()
	if len(out) == 0 {
		return nil
	}
	err := d.s.db.WithTx(ctx, func(tx *store.Tx) error {
		for _, o := range out {
			if err := d.s.recordDelivery(ctx, tx, o.r, o.status, o.after, o.err); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		// Not written: the claims lapse and the deliveries are tried
		// again, which receivers take as the retries they are.
		return err
	}
	return nil
}

// recordDelivery writes an attempt's outcome on the delivery and on its
// instance's breaker.
func (s *Service) recordDelivery(ctx context.Context, tx *store.Tx, r due, status int, retryAfter time.Duration, sendErr error) error {
	{
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
	}
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
