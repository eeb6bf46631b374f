package publicdiplomacy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"sync"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/jobs"
	"entente.example/entente/internal/store"
)

// The poller: a job that runs every minute takes the feeds that are due
// (at most feedBatch of them), leasing each so that a second round or
// another replica does not take it too, fetches them a few at a time,
// and records each answer in its own transaction: new items, the
// validators for the next conditional request, and when to ask again.

const (
	jobFeedPoll   = "publicdiplomacy.feed_poll"
	jobFeedDigest = "publicdiplomacy.feed_digest"

	// feedBatch is the most feeds one round takes: 200 a minute is 12,000
	// fetches an hour, three times what 1,000 feeds at the default
	// interval need; a backlog (after a stop) drains over a few rounds and
	// leaves the feeds spread over the interval instead of all due at once.
	feedBatch   = 200
	feedWorkers = 8
	// feedRoundBudget is how long a round goes on handing out fetches; the
	// last ones end at most feedFetchTimeout later.
	feedRoundBudget = 40 * time.Second
	// feedLease is how long a taken feed is not taken again; a round that
	// dies leaves its feeds due again after it.
	feedLease      = 10 * time.Minute
	maxFeedBackoff = 24 * time.Hour
	// alertHorizon: an item older than this when first seen (the back
	// catalogue of a new subscription) is flagged but not alerted on.
	alertHorizon = 7 * 24 * time.Hour
	// itemsKept is how long unflagged items are kept.
	itemsKept = 90 * 24 * time.Hour
)

// ScheduleFeeds registers media monitoring's jobs: the poller every
// minute and the digest once a day (at 00:00 UTC, 07:00 in Jakarta).
func (s *Service) ScheduleFeeds(q *jobs.Queue) {
	q.Register(jobs.Kind{Name: jobFeedPoll, MaxAttempts: 1, Timeout: 2 * time.Minute, Handle: func(ctx context.Context, _ []byte) error {
		_, err := s.PollFeeds(ctx)
		return err
	}})
	q.Every(jobFeedPoll, time.Minute)
	q.Register(jobs.Kind{Name: jobFeedDigest, MaxAttempts: 3, Timeout: 10 * time.Minute, Handle: func(ctx context.Context, _ []byte) error {
		_, err := s.SendDigests(ctx)
		return err
	}})
	q.Every(jobFeedDigest, 24*time.Hour)
}

// dueFeed is what the poller needs of a feed.
type dueFeed struct {
	ID           string `db:"id"`
	OrgID        string `db:"org_id"`
	URL          string `db:"url"`
	Title        string `db:"title"`
	Language     string `db:"language"`
	ETag         string `db:"etag"`
	LastModified string `db:"last_modified"`
	BodyHash     string `db:"body_hash"`
	Interval     int    `db:"interval_minutes"`
	Failures     int    `db:"failures"`
}

// PollFeeds fetches the feeds that are due and returns how many it
// fetched.
func (s *Service) PollFeeds(ctx context.Context) (int, error) {
	return s.pollRound(ctx, feedRoundBudget)
}

// pollRound is one round of the poller that hands out fetches for at most
// budget.
func (s *Service) pollRound(ctx context.Context, budget time.Duration) (int, error) {
	var due []dueFeed
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		q := `SELECT id, org_id, url, title, language, etag, last_modified, body_hash, interval_minutes, failures FROM pd_feeds
			WHERE paused = FALSE AND next_fetch_at <= ? ORDER BY next_fetch_at, id LIMIT ?`
		if tx.Engine() == store.Postgres {
			q += ` FOR UPDATE SKIP LOCKED`
		}
		if err := tx.Select(ctx, &due, q, tx.Now, feedBatch); err != nil {
			return err
		}
		if len(due) == 0 {
			return nil
		}
		args := []any{tx.Now.Add(feedLease)}
		for _, f := range due {
			args = append(args, f.ID)
		}
		_, err := tx.Exec(ctx, `UPDATE pd_feeds SET next_fetch_at = ? WHERE id IN (`+marks(len(due))+`)`, args...)
		return err
	})
	if err != nil || len(due) == 0 {
		return 0, core.Wrap("publicdiplomacy: poll feeds", err)
	}
	kw := &keywordCache{s: s, m: map[string]*matcher{}}
	work := make(chan dueFeed)
	errs := make(chan error, len(due))
	var wg sync.WaitGroup
	for range min(feedWorkers, len(due)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range work {
				if err := s.pollOne(ctx, f, kw); err != nil {
					errs <- err
				}
			}
		}()
	}
	// A round ends after feedRoundBudget of real time, whatever the
	// servers do: the job workers are shared with e-mail and publishing,
	// which must not wait behind slow feeds. The feeds it did not reach
	// are due again at once, for the next round.
	start, fetched := time.Now(), 0
	var left []any
	for _, f := range due {
		if time.Since(start) > budget {
			left = append(left, f.ID)
			continue
		}
		work <- f
		fetched++
	}
	close(work)
	wg.Wait()
	close(errs)
	if len(left) > 0 {
		err = s.db.WithTx(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE pd_feeds SET next_fetch_at = ? WHERE id IN (`+marks(len(left))+`)`, append([]any{tx.Now}, left...)...)
			return err
		})
	}
	// A feed's failure is the feed's (recorded on it); an error here is
	// the node's own (its database), reported once for the round.
	for e := range errs {
		err = e
	}
	return fetched, core.Wrap("publicdiplomacy: poll feeds", err)
}

// keywordCache loads each organisation's keywords once per round.
type keywordCache struct {
	s  *Service
	mu sync.Mutex
	m  map[string]*matcher
}

func (c *keywordCache) get(ctx context.Context, orgID string) (*matcher, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if m, ok := c.m[orgID]; ok {
		return m, nil
	}
	ks, err := orgKeywords(ctx, c.s.db.R(), orgID)
	if err != nil {
		return nil, err
	}
	c.m[orgID] = newMatcher(ks)
	return c.m[orgID], nil
}

// pollOne fetches one feed and records what came of it.
func (s *Service) pollOne(ctx context.Context, f dueFeed, kw *keywordCache) error {
	res := s.fetchFeed(ctx, f.URL, f.ETag, f.LastModified)
	if res.Fail != "" {
		return s.recordFailure(ctx, f, res)
	}
	if res.NotModified {
		return s.recordUnchanged(ctx, f, res.ETag, res.LastModified, f.BodyHash)
	}
	// A server without validators sends the same bytes again and again:
	// they are recognised without being parsed.
	h := bodyHash(res.Body)
	if h == f.BodyHash {
		return s.recordUnchanged(ctx, f, res.ETag, res.LastModified, h)
	}
	parsed, err := parseFeed(res.Body, res.URL)
	if err != nil {
		key := "pd.mon.fail.parse"
		if errors.Is(err, errNotFeed) {
			key = "pd.mon.fail.not_feed"
		}
		return s.recordFailure(ctx, f, failed(key, err.Error()))
	}
	m, err := kw.get(ctx, f.OrgID)
	if err != nil {
		return err
	}
	fresh, err := s.freshItems(ctx, f.ID, parsed.Items)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		if err := s.insertItems(ctx, tx, f, parsed.Language, fresh, m); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE pd_feeds SET status = 'ok', last_error = '', error_detail = '', failures = 0, etag = ?, last_modified = ?, body_hash = ?,
			title = CASE WHEN title = '' THEN ? ELSE title END, site_url = ?, format = ?, last_fetch_at = ?, last_success_at = ?, next_fetch_at = ? WHERE id = ?`,
			res.ETag, res.LastModified, h, parsed.Title, parsed.SiteURL, parsed.Format, tx.Now, tx.Now, tx.Now.Add(time.Duration(f.Interval)*time.Minute), f.ID)
		return err
	})
}

// recordUnchanged records an answer that brought nothing new.
func (s *Service) recordUnchanged(ctx context.Context, f dueFeed, etag, lastModified, hash string) error {
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE pd_feeds SET status = 'ok', last_error = '', error_detail = '', failures = 0, etag = ?, last_modified = ?, body_hash = ?,
			last_fetch_at = ?, last_success_at = ?, next_fetch_at = ? WHERE id = ?`,
			etag, lastModified, hash, tx.Now, tx.Now, tx.Now.Add(time.Duration(f.Interval)*time.Minute), f.ID)
		return err
	})
}

// recordFailure records a failed fetch: the feed waits longer each time
// (or as long as the server asked), and a feed that is gone is paused.
func (s *Service) recordFailure(ctx context.Context, f dueFeed, res fetchResult) error {
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		wait := max(feedBackoff(time.Duration(f.Interval)*time.Minute, f.Failures+1), res.RetryAfter)
		_, err := tx.Exec(ctx, `UPDATE pd_feeds SET status = 'error', last_error = ?, error_detail = ?, failures = failures + 1, paused = (paused OR ?),
			last_fetch_at = ?, next_fetch_at = ? WHERE id = ?`, res.Fail, cleanLine(res.Detail, maxFeedDetail), res.Gone, tx.Now, tx.Now.Add(wait), f.ID)
		return err
	})
}

// freshItems are the items not seen before in this feed, by id or by
// link (feeds that change an item's id keep its link), each once.
func (s *Service) freshItems(ctx context.Context, feedID string, items []parsedItem) ([]parsedItem, error) {
	if len(items) == 0 {
		return nil, nil
	}
	args := []any{feedID}
	for _, it := range items {
		args = append(args, it.GUID)
	}
	var links []any
	for _, it := range items {
		if it.Link != "" {
			links = append(links, it.Link)
		}
	}
	q := `SELECT guid, link FROM pd_feed_items WHERE feed_id = ? AND (guid IN (` + marks(len(items)) + `)`
	if len(links) > 0 {
		q += ` OR link IN (` + marks(len(links)) + `)`
		args = append(args, links...)
	}
	var known []struct {
		GUID string `db:"guid"`
		Link string `db:"link"`
	}
	if err := s.db.R().Select(ctx, &known, q+`)`, args...); err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, k := range known {
		seen["g "+k.GUID] = true
		if k.Link != "" {
			seen["l "+k.Link] = true
		}
	}
	var out []parsedItem
	for _, it := range items {
		if seen["g "+it.GUID] || it.Link != "" && seen["l "+it.Link] {
			continue
		}
		seen["g "+it.GUID] = true
		if it.Link != "" {
			seen["l "+it.Link] = true
		}
		out = append(out, it)
	}
	return out, nil
}

// insertItems stores new items, each flagged with the keywords it
// matches, in one statement.
func (s *Service) insertItems(ctx context.Context, tx *store.Tx, f dueFeed, lang string, items []parsedItem, m *matcher) error {
	if len(items) == 0 {
		return nil
	}
	if lang == "" {
		lang = f.Language
	}
	var b strings.Builder
	b.WriteString(`INSERT INTO pd_feed_items (id, feed_id, org_id, guid, link, title, summary, author, language, published_at, fetched_at, matched, alert) VALUES `)
	args := make([]any, 0, 13*len(items))
	for i, it := range items {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
		pub := it.Published
		// A feed's clock is its own: no date, or one in the future, is
		// read as now.
		if pub.IsZero() || pub.After(tx.Now.Add(time.Hour)) {
			pub = tx.Now
		}
		matched := m.match(it.Title, it.Summary)
		alert := len(matched) > 0 && pub.After(tx.Now.Add(-alertHorizon))
		args = append(args, core.NewID(tx.Now), f.ID, f.OrgID, it.GUID, it.Link, it.Title, it.Summary, it.Author, lang, pub.UTC(), tx.Now,
			strings.Join(matched, "\n"), alert)
	}
	_, err := tx.Exec(ctx, b.String()+` ON CONFLICT (feed_id, guid) DO NOTHING`, args...)
	return err
}

// feedBackoff is how long a feed that failed n times in a row waits: its
// interval doubled each time, at most a day.
func feedBackoff(interval time.Duration, n int) time.Duration {
	d := interval
	for i := 0; i < n && d < maxFeedBackoff; i++ {
		d *= 2
	}
	return min(d, maxFeedBackoff)
}

func bodyHash(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
