package publicdiplomacy

import (
	"cmp"
	"context"
	"slices"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
)

// Reach, counted from what other instances send back: followers over time
// (each follower's row keeps when it came and when it left), the boosts,
// likes and replies of each post, and where they came from. An instance
// that never tells us of a boost is not counted: these are lower bounds,
// and the page says so.

// DayCount is a count at the end of a day.
type DayCount struct {
	Day time.Time `json:"day"`
	N   int       `json:"n"`
}

// AccountReach is one account's followers over a period.
type AccountReach struct {
	ID       string `json:"id"`
	Username string `json:"account"`
	Handle   string `json:"handle"`
	// Start and End are the followers before the period and at its end;
	// Gained and Lost how many came and left in it.
	Start  int        `json:"start"`
	End    int        `json:"end"`
	Gained int        `json:"gained"`
	Lost   int        `json:"lost"`
	Days   []DayCount `json:"days"`
}

// PostReach is one post's boosts, likes and replies, however late they
// came.
type PostReach struct {
	ID      string `db:"id" json:"id"`
	GroupID string `db:"group_id" json:"message"`
	// Languages are the message's languages: its translations are one
	// message, counted together.
	Languages   []string  `db:"-" json:"languages"`
	Username    string    `db:"username" json:"account"`
	Language    string    `db:"language" json:"language"`
	Content     string    `db:"content" json:"text"`
	PublishedAt time.Time `db:"published_at" json:"published_at"`
	Boosts      int       `db:"-" json:"boosts"`
	Likes       int       `db:"-" json:"likes"`
	Replies     int       `db:"-" json:"replies"`
}

// Total is the post's boosts, likes and replies together.
func (p PostReach) Total() int { return p.Boosts + p.Likes + p.Replies }

// InstanceReach is what came from one instance in a period, and how many
// of its accounts follow now.
type InstanceReach struct {
	Host      string `json:"instance"`
	Boosts    int    `json:"boosts"`
	Likes     int    `json:"likes"`
	Replies   int    `json:"replies"` // replies, mentions and direct messages
	Followers int    `json:"followers"`
}

// Total is the instance's boosts, likes and replies together.
func (i InstanceReach) Total() int { return i.Boosts + i.Likes + i.Replies }

// Reach is the figures of a period for the actor's accounts.
type Reach struct {
	Period   Period         `json:"-"`
	Accounts []AccountReach `json:"accounts"`
	// Posts published in the period (not web-care answers), most reached
	// first; pages name the first TopPosts.
	Posts []PostReach `json:"posts"`
	// Instances, the most active in the period first; pages name the
	// first TopInstances.
	Instances []InstanceReach `json:"instances"`
	// Boosts, likes and replies received in the period, on any post.
	Boosts  int `json:"boosts"`
	Likes   int `json:"likes"`
	Replies int `json:"replies"`
}

// How many posts and instances a page names; the CSV has them all.
const (
	TopPosts     = 20
	TopInstances = 20
)

// maxAccounts bounds the accounts whose followers are drawn.
const maxAccounts = 50

// Reach computes the reach of the actor's organisations' accounts (or of
// one, accountID) over a period.
func (s *Service) Reach(ctx context.Context, p Period, accountID string) (Reach, error) {
	r := Reach{Period: p}
	accs, err := s.MyAccounts(ctx, access.PDRead)
	if err != nil {
		return r, err
	}
	if accountID != "" {
		accs = slices.DeleteFunc(accs, func(a Account) bool { return a.ID != accountID })
		if len(accs) == 0 {
			return r, (core.Problems{"account": "err.pd_account_unknown"}).Err("publicdiplomacy: reach")
		}
	}
	if len(accs) > maxAccounts {
		accs = accs[:maxAccounts]
	}
	if len(accs) == 0 {
		return r, nil
	}
	in := marks(len(accs))
	var ids []any
	for _, a := range accs {
		ids = append(ids, a.ID)
	}
	if err := s.followersOver(ctx, &r, accs, in, ids); err != nil {
		return r, err
	}
	if err := s.postsReach(ctx, &r, in, ids); err != nil {
		return r, err
	}
	return r, s.instancesReach(ctx, &r, in, ids)
}

// followersOver counts each account's followers at the end of each day.
// A follower who left and followed again counts from its latest follow.
func (s *Service) followersOver(ctx context.Context, r *Reach, accs []Account, in string, ids []any) error {
	p := r.Period
	var rows []struct {
		Account   string     `db:"account_id"`
		CreatedAt time.Time  `db:"created_at"`
		RemovedAt *time.Time `db:"removed_at"`
	}
	if err := s.db.R().Select(ctx, &rows, `SELECT account_id, created_at, removed_at FROM pd_followers WHERE account_id IN (`+in+`) AND state IN ('accepted', 'removed')
		AND created_at < ? AND (removed_at IS NULL OR removed_at >= ?) LIMIT ?`, append(slices.Clone(ids), p.To, p.From, 10*maxFigureRows)...); err != nil {
		return err
	}
	days := p.Days()
	day := 24 * time.Hour
	// The count at the end of day d: a follower counts from the day it came
	// up to the day before it left. diff holds the changes, d by d.
	diff := map[string][]int{}
	for _, a := range accs {
		diff[a.ID] = make([]int, days+1)
		r.Accounts = append(r.Accounts, AccountReach{ID: a.ID, Username: a.Username, Handle: s.Handle(a.Username)})
	}
	at := map[string]*AccountReach{}
	for i := range r.Accounts {
		at[r.Accounts[i].ID] = &r.Accounts[i]
	}
	for _, f := range rows {
		a, d := at[f.Account], diff[f.Account]
		start := 0
		if !f.CreatedAt.Before(p.From) {
			start = int(f.CreatedAt.Sub(p.From) / day)
			a.Gained++
		} else {
			a.Start++
		}
		end := days
		if f.RemovedAt != nil && f.RemovedAt.Before(p.To) {
			end = int(f.RemovedAt.Sub(p.From) / day)
			a.Lost++
		}
		if end > start {
			d[start]++
			d[end]--
		}
	}
	for i := range r.Accounts {
		a, d := &r.Accounts[i], diff[r.Accounts[i].ID]
		n := 0
		a.Days = make([]DayCount, days)
		for k := range days {
			n += d[k]
			a.Days[k] = DayCount{Day: p.From.Add(time.Duration(k) * day), N: n}
		}
		a.End = a.Start + a.Gained - a.Lost
	}
	return nil
}

// postsReach counts the boosts, likes and replies of the posts published
// in the period.
func (s *Service) postsReach(ctx context.Context, r *Reach, in string, ids []any) error {
	p := r.Period
	var posts []PostReach
	if err := s.db.R().Select(ctx, &posts, `SELECT p.id, p.group_id, a.username, p.language, p.content, p.published_at FROM pd_posts p JOIN pd_accounts a ON a.id = p.account_id
		WHERE p.account_id IN (`+in+`) AND p.state = 'published' AND p.published_at >= ? AND p.published_at < ? AND p.reply_item = ''
		ORDER BY p.published_at, p.id LIMIT ?`, append(slices.Clone(ids), p.From, p.To, maxFigureRows)...); err != nil {
		return err
	}
	byID := map[string]*PostReach{}
	for i := range posts {
		byID[posts[i].ID] = &posts[i]
	}
	var reactions []struct {
		Post string `db:"post_id"`
		Type string `db:"type"`
		N    int    `db:"n"`
	}
	if err := s.db.R().Select(ctx, &reactions, `SELECT r.post_id, r.type, COUNT(*) AS n FROM pd_reactions r JOIN pd_posts p ON p.id = r.post_id
		WHERE p.account_id IN (`+in+`) AND p.state = 'published' AND p.published_at >= ? AND p.published_at < ? GROUP BY r.post_id, r.type`,
		append(slices.Clone(ids), p.From, p.To)...); err != nil {
		return err
	}
	for _, x := range reactions {
		if q := byID[x.Post]; q != nil {
			switch x.Type {
			case "Announce":
				q.Boosts += x.N
			case "Like":
				q.Likes += x.N
			}
		}
	}
	// A reply comes after its post: those received since the period began
	// are read by the inbox's index on account and arrival.
	var replies []struct {
		Post string `db:"reply_to_post"`
		N    int    `db:"n"`
	}
	if err := s.db.R().Select(ctx, &replies, `SELECT i.reply_to_post, COUNT(*) AS n FROM pd_inbox i WHERE i.account_id IN (`+in+`) AND i.queue = TRUE AND i.received_at >= ?
		AND i.reply_to_post <> '' AND NOT i.deleted GROUP BY i.reply_to_post LIMIT ?`, append(slices.Clone(ids), p.From, maxFigureRows)...); err != nil {
		return err
	}
	for _, x := range replies {
		if q := byID[x.Post]; q != nil {
			q.Replies += x.N
		}
	}
	// One message, one row: its translations' counts add up, under the
	// first translation's text.
	var merged []PostReach
	at := map[string]int{}
	for _, q := range posts {
		if i, ok := at[q.GroupID]; ok {
			m := &merged[i]
			m.Boosts, m.Likes, m.Replies = m.Boosts+q.Boosts, m.Likes+q.Likes, m.Replies+q.Replies
			m.Languages = append(m.Languages, q.Language)
			continue
		}
		q.Languages = []string{q.Language}
		at[q.GroupID] = len(merged)
		merged = append(merged, q)
	}
	posts = merged
	slices.SortStableFunc(posts, func(a, b PostReach) int { return cmp.Compare(b.Total(), a.Total()) })
	for i := range posts {
		posts[i].Content = firstLine(posts[i].Content)
	}
	r.Posts = posts
	return nil
}

// instancesReach counts, per instance, the boosts and likes of any of the
// accounts' posts and the replies, mentions and messages that arrived in
// the period, and the followers it has now.
func (s *Service) instancesReach(ctx context.Context, r *Reach, in string, ids []any) error {
	p := r.Period
	hosts := map[string]*InstanceReach{}
	host := func(h string) *InstanceReach {
		if hosts[h] == nil {
			hosts[h] = &InstanceReach{Host: h}
		}
		return hosts[h]
	}
	var reactions []struct {
		Host string `db:"host"`
		Type string `db:"type"`
		N    int    `db:"n"`
	}
	if err := s.db.R().Select(ctx, &reactions, `SELECT r.host, r.type, COUNT(*) AS n FROM pd_reactions r JOIN pd_posts p ON p.id = r.post_id
		WHERE p.account_id IN (`+in+`) AND r.created_at >= ? AND r.created_at < ? GROUP BY r.host, r.type LIMIT ?`, append(slices.Clone(ids), p.From, p.To, maxFigureRows)...); err != nil {
		return err
	}
	for _, x := range reactions {
		switch x.Type {
		case "Announce":
			host(x.Host).Boosts += x.N
			r.Boosts += x.N
		case "Like":
			host(x.Host).Likes += x.N
			r.Likes += x.N
		}
	}
	var counts []struct {
		Host string `db:"host"`
		N    int    `db:"n"`
	}
	if err := s.db.R().Select(ctx, &counts, `SELECT i.host, COUNT(*) AS n FROM pd_inbox i WHERE i.account_id IN (`+in+`) AND i.queue = TRUE AND i.received_at >= ? AND i.received_at < ?
		AND NOT i.deleted GROUP BY i.host LIMIT ?`, append(slices.Clone(ids), p.From, p.To, maxFigureRows)...); err != nil {
		return err
	}
	for _, x := range counts {
		host(x.Host).Replies += x.N
		r.Replies += x.N
	}
	counts = nil
	if err := s.db.R().Select(ctx, &counts, `SELECT host, COUNT(*) AS n FROM pd_followers WHERE account_id IN (`+in+`) AND state = 'accepted' GROUP BY host LIMIT ?`,
		append(slices.Clone(ids), maxFigureRows)...); err != nil {
		return err
	}
	for _, x := range counts {
		host(x.Host).Followers += x.N
	}
	all := make([]InstanceReach, 0, len(hosts))
	for _, h := range hosts {
		all = append(all, *h)
	}
	slices.SortFunc(all, func(a, b InstanceReach) int {
		return cmp.Or(cmp.Compare(b.Total(), a.Total()), cmp.Compare(b.Followers, a.Followers), cmp.Compare(a.Host, b.Host))
	})
	r.Instances = all
	return nil
}
