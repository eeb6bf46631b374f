package publicdiplomacy

import (
	"context"
	"strconv"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
)

// The newsroom's lists: messages by state, the calendar of what goes out
// when, and how a published post reached the instances of its followers.
// A message is the translations of one group; web-care answers are posts
// too, but they belong to the web-care queue, not to the newsroom's lists.

// Message is one message of the newsroom: its translations, the first
// one leading (they share account, state, visibility and times).
type Message struct {
	Posts []Post `json:"translations"`
}

// Lead is the message's first translation, which carries what they share.
func (m Message) Lead() Post { return m.Posts[0] }

// Languages are the message's languages, in the order written.
func (m Message) Languages() []string {
	out := make([]string, len(m.Posts))
	for i, p := range m.Posts {
		out[i] = p.Language
	}
	return out
}

// When is when the message goes out or went out: its publication, else
// the time chosen, else (approved, without a time) its approval; nil for
// a draft without a time.
func (m Message) When() *time.Time {
	p := m.Lead()
	switch {
	case p.PublishedAt != nil:
		return p.PublishedAt
	case p.ScheduledAt != nil:
		return p.ScheduledAt
	case p.State == PostScheduled:
		return p.ApprovedAt
	}
	return nil
}

// readerOrgs are the organisations whose newsroom the actor reads, as
// query arguments; nil when none.
func readerOrgs(ctx context.Context) []any {
	var out []any
	for _, o := range access.Orgs(core.ActorFrom(ctx), access.PDRead) {
		out = append(out, o)
	}
	return out
}

// MessagesLimit is how many messages a state's list shows.
const MessagesLimit = 100

// Messages lists the messages in one state of the actor's organisations:
// drafts and those under review by last change, scheduled ones by when
// they go out, published ones newest first (the last MessagesLimit).
func (s *Service) Messages(ctx context.Context, state PostState) ([]Message, error) {
	orgs := readerOrgs(ctx)
	if len(orgs) == 0 {
		return nil, nil
	}
	order := `MAX(p.updated_at) DESC`
	switch state {
	case PostScheduled:
		order = `MIN(COALESCE(p.scheduled_at, p.approved_at))`
	case PostPublished:
		order = `MAX(p.published_at) DESC`
	}
	// The groups first, limited; then all their translations.
	var groups []string
	args := append([]any{string(state)}, orgs...)
	if err := s.db.R().Select(ctx, &groups, `SELECT p.group_id FROM pd_posts p JOIN pd_accounts a ON a.id = p.account_id
		WHERE p.state = ? AND p.reply_item = '' AND a.org_id IN (`+marks(len(orgs))+`)
		GROUP BY p.group_id ORDER BY `+order+`, p.group_id LIMIT `+strconv.Itoa(MessagesLimit), args...); err != nil {
		return nil, core.Wrap("publicdiplomacy: messages", err)
	}
	return s.groups(ctx, groups, state)
}

// groups loads the posts of the given groups (in one state, if set), in
// the order of the list.
func (s *Service) groups(ctx context.Context, groups []string, state PostState) ([]Message, error) {
	if len(groups) == 0 {
		return nil, nil
	}
	var args []any
	for _, g := range groups {
		args = append(args, g)
	}
	q := `SELECT ` + postCols + postFrom + ` WHERE p.group_id IN (` + marks(len(groups)) + `)`
	if state != "" {
		q += ` AND p.state = ?`
		args = append(args, string(state))
	}
	var posts []Post
	if err := s.db.R().Select(ctx, &posts, q+` ORDER BY p.created_at, p.id`, args...); err != nil {
		return nil, core.Wrap("publicdiplomacy: messages", err)
	}
	if err := s.loadMedia(ctx, posts); err != nil {
		return nil, err
	}
	by := map[string][]Post{}
	for _, p := range posts {
		by[p.GroupID] = append(by[p.GroupID], p)
	}
	var out []Message
	for _, g := range groups {
		if ps := by[g]; len(ps) > 0 {
			out = append(out, Message{Posts: ps})
		}
	}
	return out, nil
}

// Calendar lists the messages of the actor's organisations that go out
// or went out in [from, to): published, scheduled, and drafts or messages
// under review that have a time (not yet approved, and shown as such).
func (s *Service) Calendar(ctx context.Context, from, to time.Time) ([]Message, error) {
	orgs := readerOrgs(ctx)
	if len(orgs) == 0 {
		return nil, nil
	}
	args := append([]any{from, to, from, to, from, to}, orgs...)
	var groups []string
	if err := s.db.R().Select(ctx, &groups, `SELECT p.group_id FROM pd_posts p JOIN pd_accounts a ON a.id = p.account_id
		WHERE p.reply_item = '' AND (
			(p.state = 'published' AND p.published_at >= ? AND p.published_at < ?)
			OR (p.state IN ('draft', 'review', 'scheduled') AND p.scheduled_at >= ? AND p.scheduled_at < ?)
			OR (p.state = 'scheduled' AND p.scheduled_at IS NULL AND p.approved_at >= ? AND p.approved_at < ?))
		AND a.org_id IN (`+marks(len(orgs))+`)
		GROUP BY p.group_id ORDER BY MIN(COALESCE(p.published_at, p.scheduled_at, p.approved_at)), p.group_id LIMIT 500`, args...); err != nil {
		return nil, core.Wrap("publicdiplomacy: calendar", err)
	}
	return s.groups(ctx, groups, "")
}

// Delivery is how a published post reached its followers' instances.
type Delivery struct {
	Delivered, Queued, Failed, Skipped int
	// Troubled are the instances where it failed, was skipped or waits
	// after an error, with the last error.
	Troubled []InstanceDelivery
}

// Total is the number of inboxes the post went to.
func (d Delivery) Total() int { return d.Delivered + d.Queued + d.Failed + d.Skipped }

// InstanceDelivery is one instance's delivery of a post.
type InstanceDelivery struct {
	Host      string    `db:"host"`
	State     string    `db:"state"`
	Attempts  int       `db:"attempts"`
	LastError string    `db:"last_error"`
	Next      time.Time `db:"next_attempt_at"` // of a queued delivery
	Dead      bool      `db:"dead"`
}

// DeliveryOf reports the delivery of a published post's Create, for the
// people of its organisation.
func (s *Service) DeliveryOf(ctx context.Context, p Post) (Delivery, error) {
	var d Delivery
	if err := may(ctx, access.PDRead, p.OrgID); err != nil {
		return d, errNotFound
	}
	act := s.PostURL(p.Username, p.ID) + "/activity"
	var counts []struct {
		State string `db:"state"`
		N     int    `db:"n"`
	}
	if err := s.db.R().Select(ctx, &counts, `SELECT state, COUNT(*) AS n FROM pd_deliveries WHERE activity_id = ? GROUP BY state`, act); err != nil {
		return d, core.Wrap("publicdiplomacy: delivery", err)
	}
	for _, c := range counts {
		switch c.State {
		case "delivered":
			d.Delivered = c.N
		case "queued":
			d.Queued = c.N
		case "failed":
			d.Failed = c.N
		case "skipped":
			d.Skipped = c.N
		}
	}
	err := s.db.R().Select(ctx, &d.Troubled, `SELECT d.host, d.state, d.attempts, d.last_error,
		d.next_attempt_at, COALESCE(i.dead, FALSE) AS dead
		FROM pd_deliveries d LEFT JOIN pd_instances i ON i.host = d.host
		WHERE d.activity_id = ? AND (d.state IN ('failed', 'skipped') OR (d.state = 'queued' AND d.last_error <> ''))
		ORDER BY d.host LIMIT 200`, act)
	return d, core.Wrap("publicdiplomacy: delivery", err)
}

// Excerpt is the message's first line, for lists.
func (m Message) Excerpt() string {
	if t := firstLine(m.Lead().Content); t != "" {
		return t
	}
	return firstLine(m.Lead().Warning)
}

// AccountFor returns an account for someone who may perform act for its
// organisation: the newsroom's pages of an account. To anyone else it
// does not exist.
func (s *Service) AccountFor(ctx context.Context, id string, act access.Action) (Account, error) {
	acc, err := s.Account(ctx, id)
	if err != nil {
		if core.KindOf(err) == core.KindNotFound {
			return Account{}, errNotFound
		}
		return Account{}, err
	}
	if may(ctx, act, acc.OrgID) != nil {
		return Account{}, errNotFound
	}
	return acc, nil
}

// AccountOrgs are the organisations for which the actor may create
// accounts: the choices of the account form.
func (s *Service) AccountOrgs(ctx context.Context) []core.OrgRef {
	return orgsFor(core.ActorFrom(ctx), access.PDAccounts)
}
