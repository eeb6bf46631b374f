package publicdiplomacy

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/store"
)

// FeedItem is one item a feed brought.
type FeedItem struct {
	ID          string    `db:"id" json:"id"`
	FeedID      string    `db:"feed_id" json:"feed_id"`
	OrgID       string    `db:"org_id" json:"-"`
	Org         string    `db:"org" json:"org"`
	Feed        string    `db:"feed_title" json:"feed"`
	GUID        string    `db:"guid" json:"guid"`
	Link        string    `db:"link" json:"link,omitempty"`
	Title       string    `db:"title" json:"title"`
	Summary     string    `db:"summary" json:"summary,omitempty"`
	Author      string    `db:"author" json:"author,omitempty"`
	Language    string    `db:"language" json:"language,omitempty"`
	PublishedAt time.Time `db:"published_at" json:"published_at"`
	FetchedAt   time.Time `db:"fetched_at" json:"fetched_at"`
	MatchedText string    `db:"matched" json:"-"`
	Matched     []string  `db:"-" json:"matched"`
	Alert       bool      `db:"alert" json:"alert"`
	InboxID     string    `db:"inbox_id" json:"webcare_item,omitempty"`
}

func (it *FeedItem) decode() {
	it.Matched = []string{}
	if it.MatchedText != "" {
		it.Matched = strings.Split(it.MatchedText, "\n")
	}
}

// Excerpt is the summary cut for the list, which must stay light on a
// phone (the API gives it whole).
func (it FeedItem) Excerpt() string { return cleanLine(it.Summary, 300) }

// CaseLink is where "make a disinformation case" of the item goes: the
// case form, filled in with the item's title, link and language.
func (it FeedItem) CaseLink() string {
	v := url.Values{}
	v.Set("title", it.Title)
	if it.Link != "" {
		v.Set("link", it.Link)
	}
	if it.Language != "" {
		v.Set("lang", it.Language)
	}
	return "/disinfo/new?" + v.Encode()
}

const feedItemCols = `i.id, i.feed_id, i.org_id, o.handle AS org, CASE WHEN f.title = '' THEN f.url ELSE f.title END AS feed_title, i.guid, i.link, i.title,
	i.summary, i.author, i.language, i.published_at, i.fetched_at, i.matched, i.alert, i.inbox_id`

const feedItemFrom = ` FROM pd_feed_items i JOIN pd_feeds f ON f.id = i.feed_id JOIN organisations o ON o.id = i.org_id `

// ItemFilter narrows the monitoring list.
type ItemFilter struct {
	Matched bool   // only items that matched a keyword
	FeedID  string // one feed
	Words   string // every word in the title or summary
	Page    core.Page
}

// Items lists the items of the actor's organisations' feeds, newest first,
// a page at a time; next is the cursor of the following page.
func (s *Service) Items(ctx context.Context, f ItemFilter) (items []FeedItem, next string, err error) {
	p := core.Problems{}
	words := strings.Fields(f.Words)
	if len(words) > 8 || len(f.Words) > 200 {
		p.Add("q", "err.too_long")
	}
	var cur struct {
		t  time.Time
		id string
	}
	if f.Page.Cursor != "" {
		ts, id, ok := strings.Cut(f.Page.Cursor, "~")
		n, err := strconv.ParseInt(ts, 10, 64)
		if !ok || err != nil || !core.ValidID(id) {
			p.Add("cursor", "err.cursor")
		}
		cur.t, cur.id = time.UnixMicro(n).UTC(), id
	}
	if err := p.Err("publicdiplomacy: items"); err != nil {
		return nil, "", err
	}
	orgs := readOrgs(ctx)
	if len(orgs) == 0 {
		return nil, "", nil
	}
	page := f.Page.Normalize(monitoringPageSize, 200)
	q := `SELECT ` + feedItemCols + feedItemFrom + ` WHERE i.org_id IN (` + marks(len(orgs)) + `)`
	args := append([]any{}, orgs...)
	if f.Matched {
		q += ` AND i.matched <> ''`
	}
	if f.FeedID != "" {
		q += ` AND i.feed_id = ?`
		args = append(args, f.FeedID)
	}
	for _, w := range words {
		q += ` AND (LOWER(i.title) LIKE ? ESCAPE '\' OR LOWER(i.summary) LIKE ? ESCAPE '\')`
		args = append(args, store.Like(w), store.Like(w))
	}
	if cur.id != "" {
		q += ` AND (i.published_at < ? OR (i.published_at = ? AND i.id < ?))`
		args = append(args, cur.t, cur.t, cur.id)
	}
	q += ` ORDER BY i.published_at DESC, i.id DESC LIMIT ?`
	args = append(args, page.Limit+1)
	if err := s.db.R().Select(ctx, &items, q, args...); err != nil {
		return nil, "", core.Wrap("publicdiplomacy: items", err)
	}
	if len(items) > page.Limit {
		items = items[:page.Limit]
		last := items[len(items)-1]
		next = strconv.FormatInt(last.PublishedAt.UnixMicro(), 10) + "~" + last.ID
	}
	for i := range items {
		items[i].decode()
	}
	return items, next, nil
}

// FeedItem returns one item, for its organisation's people.
func (s *Service) FeedItem(ctx context.Context, id string) (FeedItem, error) {
	var it FeedItem
	if err := s.db.R().Get(ctx, &it, `SELECT `+feedItemCols+feedItemFrom+` WHERE i.id = ?`, id); err != nil {
		return it, err
	}
	if may(ctx, access.PDRead, it.OrgID) != nil {
		return FeedItem{}, errNotFound
	}
	it.decode()
	return it, nil
}

// AccountRef names one of an organisation's accounts, for choosing where
// a monitored item goes in web-care.
type AccountRef struct {
	ID          string `db:"id"`
	OrgID       string `db:"org_id"`
	Username    string `db:"username"`
	DisplayName string `db:"display_name"`
}

// OrgAccounts lists the accounts of the organisations the actor writes
// for, oldest first within each.
func (s *Service) OrgAccounts(ctx context.Context) ([]AccountRef, error) {
	var args []any
	for _, o := range access.Orgs(core.ActorFrom(ctx), access.PDWrite) {
		args = append(args, o)
	}
	if len(args) == 0 {
		return nil, nil
	}
	var out []AccountRef
	err := s.db.R().Select(ctx, &out, `SELECT id, org_id, username, display_name FROM pd_accounts WHERE org_id IN (`+marks(len(args))+`) ORDER BY org_id, created_at, id`, args...)
	return out, core.Wrap("publicdiplomacy: accounts", err)
}

// ItemToWebcare puts a monitored item in the web-care queue of one of its
// organisation's accounts (username; the oldest account when empty), as a
// press item: someone should answer what the press wrote. Doing it twice
// gives the item made the first time.
func (s *Service) ItemToWebcare(ctx context.Context, id, username string) (Item, error) {
	it, err := s.FeedItem(ctx, id)
	if err != nil {
		return Item{}, err
	}
	if err := may(ctx, access.PDWrite, it.OrgID); err != nil {
		return Item{}, err
	}
	if it.InboxID != "" {
		return s.Item(ctx, it.InboxID)
	}
	var accs []AccountRef
	if err := s.db.R().Select(ctx, &accs, `SELECT id, org_id, username, display_name FROM pd_accounts WHERE org_id = ? ORDER BY created_at, id`, it.OrgID); err != nil {
		return Item{}, err
	}
	var acc AccountRef
	for _, a := range accs {
		if username == "" || a.Username == username {
			acc = a
			break
		}
	}
	switch {
	case len(accs) == 0:
		return Item{}, (core.Problems{"account": "err.pd_feed_no_account"}).Err("publicdiplomacy: to web-care")
	case acc.ID == "":
		return Item{}, (core.Problems{"account": "err.pd_feed_account"}).Err("publicdiplomacy: to web-care")
	}
	uri, host := it.Link, ""
	if u, err := url.Parse(it.Link); err == nil && it.Link != "" {
		host = u.Hostname()
	} else {
		uri = "urn:entente:feed-item:" + it.ID
	}
	text := it.Title
	if it.Summary != "" {
		text += "\n\n" + it.Summary
	}
	var inboxID string
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		// The same article may already be in the queue (from another
		// feed): it is one conversation, not two.
		err := tx.Get(ctx, &inboxID, `SELECT id FROM pd_inbox WHERE account_id = ? AND uri = ?`, acc.ID, uri)
		if core.KindOf(err) == core.KindNotFound {
			inboxID = core.NewID(tx.Now)
			_, err = tx.Exec(ctx, `INSERT INTO pd_inbox (id, uri, account_id, actor, actor_handle, host, url, text, language, visibility, kind, queue, state, published_at, received_at)
				VALUES (?, ?, ?, '', ?, ?, ?, ?, ?, 'public', 'press', TRUE, 'new', ?, ?)`,
				inboxID, uri, acc.ID, it.Feed, host, it.Link, text, it.Language, it.PublishedAt, tx.Now)
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE pd_feed_items SET inbox_id = ? WHERE id = ?`, inboxID, it.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "publicdiplomacy.feed_to_webcare", "pd_inbox", inboxID, it.OrgID, firstLine(it.Title))
	})
	if err != nil {
		return Item{}, err
	}
	return s.Item(ctx, inboxID)
}
