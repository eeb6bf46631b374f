package publicdiplomacy

import (
	"context"
	"net/url"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/store"
)

// Media monitoring: an organisation subscribes to the news feeds it
// follows (RSS 2.0, Atom, JSON Feed), the node fetches them on a schedule
// through its guarded client (feeds_fetch.go), items that carry one of the
// organisation's keywords are flagged (feeds_match.go) and sent to its
// people in a daily digest (feeds_digest.go), and any item becomes a
// disinformation case or a web-care item in one click (feeds_items.go).

// Feed is one subscription of an organisation.
type Feed struct {
	ID              string     `db:"id" json:"id"`
	OrgID           string     `db:"org_id" json:"-"`
	Org             string     `db:"org" json:"org"`
	URL             string     `db:"url" json:"url"`
	Title           string     `db:"title" json:"title"`
	SiteURL         string     `db:"site_url" json:"site_url,omitempty"`
	Language        string     `db:"language" json:"language,omitempty"`
	Format          string     `db:"format" json:"format,omitempty"`
	IntervalMinutes int        `db:"interval_minutes" json:"interval_minutes"`
	Paused          bool       `db:"paused" json:"paused"`
	Status          string     `db:"status" json:"status"`
	LastError       string     `db:"last_error" json:"error,omitempty"`
	ErrorDetail     string     `db:"error_detail" json:"error_detail,omitempty"`
	Failures        int        `db:"failures" json:"failures"`
	ETag            string     `db:"etag" json:"-"`
	LastModified    string     `db:"last_modified" json:"-"`
	BodyHash        string     `db:"body_hash" json:"-"`
	LastFetchAt     *time.Time `db:"last_fetch_at" json:"last_fetch_at,omitempty"`
	LastSuccessAt   *time.Time `db:"last_success_at" json:"last_success_at,omitempty"`
	NextFetchAt     time.Time  `db:"next_fetch_at" json:"next_fetch_at"`
	CreatedByName   string     `db:"created_by_name" json:"created_by"`
	CreatedAt       time.Time  `db:"created_at" json:"created_at"`
	UpdatedAt       time.Time  `db:"updated_at" json:"updated_at"`
	Items           int        `db:"items" json:"items"`
}

// Name is the feed's title, or its address until it has one.
func (f Feed) Name() string {
	if f.Title != "" {
		return f.Title
	}
	return f.URL
}

// ShortName is the feed's name cut to fit a menu on a phone.
func (f Feed) ShortName() string { return cleanLine(f.Name(), 36) }

// Every is how often the feed is fetched, for people.
func (f Feed) Every() Interval { return intervalOf(f.IntervalMinutes) }

// Interval is a feed's interval as a message: Key, with N when the
// message counts.
type Interval struct {
	Minutes int
	Key     string
	N       int
}

func intervalOf(min int) Interval {
	switch {
	case min == 24*60:
		return Interval{min, "pd.mon.every_day", 0}
	case min == 60:
		return Interval{min, "pd.mon.every_hour", 0}
	case min%60 == 0:
		return Interval{min, "pd.mon.every_hours", min / 60}
	}
	return Interval{min, "pd.mon.every_minutes", min}
}

// Feed statuses: not fetched yet, fetched, failing.
const (
	FeedNew   = "new"
	FeedOK    = "ok"
	FeedError = "error"
)

// Limits of monitoring. A feed is asked at most every MinInterval so that
// the node stays a polite reader; an organisation's lists are bounded so
// that one cannot fill the node.
const (
	DefaultInterval    = 15
	MinInterval        = 5
	MaxInterval        = 24 * 60
	maxFeedsPerOrg     = 2000
	maxKeywordsPerOrg  = 200
	maxFeedURL         = 2048
	maxFeedTitle       = 200
	maxKeywordRunes    = 100
	maxKeywordWords    = 8
	KeywordLanguageEN  = "en"
	KeywordLanguageID  = "id"
	monitoringPageSize = 25
)

// KeywordLanguages are the languages a keyword is kept in.
var KeywordLanguages = []string{KeywordLanguageEN, KeywordLanguageID}

const feedCols = `f.id, f.org_id, o.handle AS org, f.url, f.title, f.site_url, f.language, f.format, f.interval_minutes, f.paused, f.status,
	f.last_error, f.error_detail, f.failures, f.etag, f.last_modified, f.body_hash, f.last_fetch_at, f.last_success_at, f.next_fetch_at,
	f.created_by_name, f.created_at, f.updated_at, (SELECT COUNT(*) FROM pd_feed_items i WHERE i.feed_id = f.id) AS items`

const feedFrom = ` FROM pd_feeds f JOIN organisations o ON o.id = f.org_id `

// FeedInput is a new subscription.
type FeedInput struct {
	Org             string `json:"org"` // the organisation's handle
	URL             string `json:"url"`
	Title           string `json:"title"`
	Language        string `json:"language"`
	IntervalMinutes int    `json:"interval_minutes"`
}

// checkFeedURL returns the address a subscription keeps, or the problem
// with it. Only http and https are fetched; an address with a user name or
// password is refused, since it would be shown on pages to every member.
func checkFeedURL(raw string) (string, string) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return "", "err.required"
	}
	if len(raw) > maxFeedURL {
		return "", "err.too_long"
	}
	if msg := core.CheckText(raw); msg != "" {
		return "", msg
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "" || u.Opaque != "" {
		return "", "err.pd_feed_url"
	}
	if u.User != nil {
		return "", "err.pd_feed_url_credentials"
	}
	u.Fragment, u.RawFragment = "", ""
	u.Host = strings.ToLower(u.Host)
	return u.String(), ""
}

func (in *FeedInput) validate() core.Problems {
	p := core.Problems{}
	var msg string
	if in.URL, msg = checkFeedURL(in.URL); msg != "" {
		p.Add("url", msg)
	}
	in.Title = strings.Join(strings.Fields(in.Title), " ")
	if msg := core.CheckText(in.Title); msg != "" {
		p.Add("title", msg)
	} else if len([]rune(in.Title)) > maxFeedTitle {
		p.Add("title", "err.too_long")
	}
	if in.Language = strings.TrimSpace(in.Language); in.Language != "" && !validLanguage(in.Language) {
		p.Add("language", "err.pd_language")
	}
	if in.IntervalMinutes == 0 {
		in.IntervalMinutes = DefaultInterval
	}
	if in.IntervalMinutes < MinInterval || in.IntervalMinutes > MaxInterval {
		p.Add("interval_minutes", "err.pd_feed_interval")
	}
	return p
}

// orgFor finds, among the organisations for which the actor may perform
// act, the one with handle; a problem on field "org" otherwise (the only
// one when the actor has a single organisation and handle is empty).
func orgFor(a core.Actor, act access.Action, handle string, p core.Problems) core.OrgRef {
	orgs := orgsFor(a, act)
	if handle == "" && len(orgs) == 1 {
		return orgs[0]
	}
	for _, o := range orgs {
		if o.Handle == handle {
			return o
		}
	}
	if handle == "" {
		p.Add("org", "err.required")
	} else {
		p.Add("org", "err.pd_feed_org")
	}
	return core.OrgRef{}
}

// readOrgs are the organisations whose monitoring the actor reads, as
// arguments for an IN list.
func readOrgs(ctx context.Context) []any {
	var out []any
	for _, o := range access.Orgs(core.ActorFrom(ctx), access.PDRead) {
		out = append(out, o)
	}
	return out
}

// Feeds lists the subscriptions of the actor's organisations, by title.
func (s *Service) Feeds(ctx context.Context) ([]Feed, error) {
	orgs := readOrgs(ctx)
	if len(orgs) == 0 {
		return nil, nil
	}
	var out []Feed
	err := s.db.R().Select(ctx, &out, `SELECT `+feedCols+feedFrom+` WHERE f.org_id IN (`+marks(len(orgs))+`) ORDER BY o.handle, LOWER(f.title), f.url`, orgs...)
	return out, core.Wrap("publicdiplomacy: feeds", err)
}

// Feed returns one subscription, for its organisation's people.
func (s *Service) Feed(ctx context.Context, id string) (Feed, error) {
	var f Feed
	if err := s.db.R().Get(ctx, &f, `SELECT `+feedCols+feedFrom+` WHERE f.id = ?`, id); err != nil {
		return f, err
	}
	if err := may(ctx, access.PDRead, f.OrgID); err != nil {
		return Feed{}, errNotFound
	}
	return f, nil
}

// AddFeed subscribes one of the actor's organisations to a feed. It is
// fetched by the next round of the poller, not here: a person adding a
// feed never waits on someone else's server.
func (s *Service) AddFeed(ctx context.Context, in FeedInput) (Feed, error) {
	a := core.ActorFrom(ctx)
	p := in.validate()
	org := orgFor(a, access.PDWrite, in.Org, p)
	if len(p) == 0 {
		var n int
		if err := s.db.R().Get(ctx, &n, `SELECT COUNT(*) FROM pd_feeds WHERE org_id = ? AND url = ?`, org.ID, in.URL); err != nil {
			return Feed{}, err
		}
		if n > 0 {
			p.Add("url", "err.pd_feed_duplicate")
		}
	}
	if err := p.Err("publicdiplomacy: add feed"); err != nil {
		return Feed{}, err
	}
	var id string
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		var n int
		if err := tx.Get(ctx, &n, `SELECT COUNT(*) FROM pd_feeds WHERE org_id = ?`, org.ID); err != nil {
			return err
		}
		if n >= maxFeedsPerOrg {
			return conflict("err.pd_feed_too_many")
		}
		id = core.NewID(tx.Now)
		if _, err := tx.Exec(ctx, `INSERT INTO pd_feeds (id, org_id, url, title, language, interval_minutes, next_fetch_at, created_by_name, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, org.ID, in.URL, in.Title, in.Language, in.IntervalMinutes, tx.Now, a.Name, tx.Now, tx.Now); err != nil {
			if core.KindOf(err) == core.KindConflict {
				return (core.Problems{"url": "err.pd_feed_duplicate"}).Err("publicdiplomacy: add feed")
			}
			return err
		}
		return audit.Record(ctx, tx, "publicdiplomacy.feed_add", "pd_feeds", id, org.ID, in.URL)
	})
	if err != nil {
		return Feed{}, err
	}
	return s.Feed(ctx, id)
}

// FeedChange is what may change on a subscription; nil leaves a value as
// it is.
type FeedChange struct {
	Title           *string `json:"title,omitempty"`
	Language        *string `json:"language,omitempty"`
	IntervalMinutes *int    `json:"interval_minutes,omitempty"`
	Paused          *bool   `json:"paused,omitempty"`
}

// ChangeFeed pauses or resumes a subscription, renames it or changes how
// often it is fetched. Resuming a feed makes it due at once, and forgets
// its failures: someone has looked at it.
func (s *Service) ChangeFeed(ctx context.Context, id string, c FeedChange) (Feed, error) {
	f, err := s.Feed(ctx, id)
	if err != nil {
		return f, err
	}
	if err := may(ctx, access.PDWrite, f.OrgID); err != nil {
		return f, err
	}
	in := FeedInput{URL: f.URL, Title: f.Title, Language: f.Language, IntervalMinutes: f.IntervalMinutes}
	if c.Title != nil {
		in.Title = *c.Title
	}
	if c.Language != nil {
		in.Language = *c.Language
	}
	if c.IntervalMinutes != nil {
		in.IntervalMinutes = *c.IntervalMinutes
		if in.IntervalMinutes == 0 {
			in.IntervalMinutes = -1 // zero is not "the default" on a change
		}
	}
	if err := in.validate().Err("publicdiplomacy: change feed"); err != nil {
		return f, err
	}
	paused := f.Paused
	if c.Paused != nil {
		paused = *c.Paused
	}
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		next, failures := f.NextFetchAt, f.Failures
		if f.Paused && !paused {
			next, failures = tx.Now, 0
		}
		if _, err := tx.Exec(ctx, `UPDATE pd_feeds SET title = ?, language = ?, interval_minutes = ?, paused = ?, next_fetch_at = ?, failures = ?, updated_at = ? WHERE id = ?`,
			in.Title, in.Language, in.IntervalMinutes, paused, next, failures, tx.Now, id); err != nil {
			return err
		}
		action := "publicdiplomacy.feed_change"
		if paused != f.Paused {
			action = map[bool]string{true: "publicdiplomacy.feed_pause", false: "publicdiplomacy.feed_resume"}[paused]
		}
		return audit.Record(ctx, tx, action, "pd_feeds", id, f.OrgID, f.URL)
	})
	if err != nil {
		return f, err
	}
	return s.Feed(ctx, id)
}

// FetchSoon makes a feed due now: the next round of the poller fetches
// it, whatever its back-off.
func (s *Service) FetchSoon(ctx context.Context, id string) (Feed, error) {
	f, err := s.Feed(ctx, id)
	if err != nil {
		return f, err
	}
	if err := may(ctx, access.PDWrite, f.OrgID); err != nil {
		return f, err
	}
	if f.Paused {
		return f, conflict("err.pd_feed_paused")
	}
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE pd_feeds SET next_fetch_at = ? WHERE id = ?`, tx.Now, id); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return f, err
	}
	return s.Feed(ctx, id)
}

// RemoveFeed ends a subscription and forgets its items; web-care items
// made from them stay in the queue.
func (s *Service) RemoveFeed(ctx context.Context, id string) error {
	f, err := s.Feed(ctx, id)
	if err != nil {
		return err
	}
	if err := may(ctx, access.PDWrite, f.OrgID); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM pd_feed_items WHERE feed_id = ?`, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM pd_feeds WHERE id = ?`, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "publicdiplomacy.feed_remove", "pd_feeds", id, f.OrgID, f.URL)
	})
}

// Keyword is a word or phrase an organisation watches for.
type Keyword struct {
	ID            string    `db:"id" json:"id"`
	OrgID         string    `db:"org_id" json:"-"`
	Org           string    `db:"org" json:"org"`
	Word          string    `db:"word" json:"word"`
	Folded        string    `db:"folded" json:"-"`
	Language      string    `db:"language" json:"language"`
	CreatedByName string    `db:"created_by_name" json:"created_by"`
	CreatedAt     time.Time `db:"created_at" json:"created_at"`
}

// KeywordInput is a new keyword.
type KeywordInput struct {
	Org      string `json:"org"`
	Word     string `json:"word"`
	Language string `json:"language"`
}

const keywordCols = `k.id, k.org_id, o.handle AS org, k.word, k.folded, k.language, k.created_by_name, k.created_at`

// Keywords lists the keywords of the actor's organisations, by language
// and word.
func (s *Service) Keywords(ctx context.Context) ([]Keyword, error) {
	orgs := readOrgs(ctx)
	if len(orgs) == 0 {
		return nil, nil
	}
	var out []Keyword
	err := s.db.R().Select(ctx, &out, `SELECT `+keywordCols+` FROM pd_feed_keywords k JOIN organisations o ON o.id = k.org_id
		WHERE k.org_id IN (`+marks(len(orgs))+`) ORDER BY o.handle, k.language, k.folded`, orgs...)
	return out, core.Wrap("publicdiplomacy: keywords", err)
}

// AddKeyword adds a keyword to one of the actor's organisations. It
// applies to the items fetched from then on.
func (s *Service) AddKeyword(ctx context.Context, in KeywordInput) (Keyword, error) {
	a := core.ActorFrom(ctx)
	p := core.Problems{}
	in.Word = strings.Join(strings.Fields(in.Word), " ")
	folded := ""
	switch {
	case core.CheckText(in.Word) != "":
		p.Add("word", core.CheckText(in.Word))
	case in.Word == "":
		p.Add("word", "err.required")
	case len([]rune(in.Word)) > maxKeywordRunes:
		p.Add("word", "err.too_long")
	default:
		folded = foldKeyword(in.Word)
		if folded == "" {
			p.Add("word", "err.pd_keyword_word")
		} else if len(strings.Fields(folded)) > maxKeywordWords {
			p.Add("word", "err.pd_keyword_words")
		}
	}
	if in.Language != KeywordLanguageEN && in.Language != KeywordLanguageID {
		p.Add("language", "err.pd_keyword_language")
	}
	org := orgFor(a, access.PDWrite, in.Org, p)
	if err := p.Err("publicdiplomacy: add keyword"); err != nil {
		return Keyword{}, err
	}
	var id string
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		var n, same int
		if err := tx.Get(ctx, &n, `SELECT COUNT(*) FROM pd_feed_keywords WHERE org_id = ?`, org.ID); err != nil {
			return err
		}
		if n >= maxKeywordsPerOrg {
			return conflict("err.pd_keyword_too_many")
		}
		if err := tx.Get(ctx, &same, `SELECT COUNT(*) FROM pd_feed_keywords WHERE org_id = ? AND language = ? AND folded = ?`, org.ID, in.Language, folded); err != nil {
			return err
		}
		if same > 0 {
			return (core.Problems{"word": "err.pd_keyword_duplicate"}).Err("publicdiplomacy: add keyword")
		}
		id = core.NewID(tx.Now)
		if _, err := tx.Exec(ctx, `INSERT INTO pd_feed_keywords (id, org_id, word, folded, language, created_by_name, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			id, org.ID, in.Word, folded, in.Language, a.Name, tx.Now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "publicdiplomacy.keyword_add", "pd_feed_keywords", id, org.ID, in.Language+": "+in.Word)
	})
	if err != nil {
		return Keyword{}, err
	}
	var k Keyword
	err = s.db.R().Get(ctx, &k, `SELECT `+keywordCols+` FROM pd_feed_keywords k JOIN organisations o ON o.id = k.org_id WHERE k.id = ?`, id)
	return k, err
}

// RemoveKeyword removes a keyword; items it flagged stay flagged.
func (s *Service) RemoveKeyword(ctx context.Context, id string) error {
	var k Keyword
	if err := s.db.R().Get(ctx, &k, `SELECT `+keywordCols+` FROM pd_feed_keywords k JOIN organisations o ON o.id = k.org_id WHERE k.id = ?`, id); err != nil {
		return err
	}
	if may(ctx, access.PDRead, k.OrgID) != nil {
		return errNotFound
	}
	if err := may(ctx, access.PDWrite, k.OrgID); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM pd_feed_keywords WHERE id = ?`, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "publicdiplomacy.keyword_remove", "pd_feed_keywords", id, k.OrgID, k.Language+": "+k.Word)
	})
}

// orgKeywords are an organisation's keywords, for matching.
func orgKeywords(ctx context.Context, q interface {
	Select(ctx context.Context, dest any, query string, args ...any) error
}, orgID string) ([]Keyword, error) {
	var out []Keyword
	err := q.Select(ctx, &out, `SELECT k.id, k.org_id, '' AS org, k.word, k.folded, k.language, k.created_by_name, k.created_at FROM pd_feed_keywords k WHERE k.org_id = ? ORDER BY k.folded`, orgID)
	return out, err
}
