package publicdiplomacy

import (
	"context"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store"
)

// Web-care: what the public sends an account (replies, mentions, direct
// messages) waits in its organisation's queue until someone takes it,
// answers it (the answer goes out as a reply, at once: web-care is a
// conversation, and the one who answers is recorded) or marks it handled.

// Item is one thing that arrived.
type Item struct {
	ID          string     `db:"id" json:"id"`
	URI         string     `db:"uri" json:"uri"`
	AccountID   string     `db:"account_id" json:"account_id"`
	Username    string     `db:"username" json:"account"`
	OrgID       string     `db:"org_id" json:"-"`
	Actor       string     `db:"actor" json:"actor"`
	ActorHandle string     `db:"actor_handle" json:"actor_handle"`
	ActorName   string     `db:"actor_name" json:"actor_name"`
	Host        string     `db:"host" json:"instance"`
	URL         string     `db:"url" json:"url,omitempty"`
	Text        string     `db:"text" json:"text"`
	Warning     string     `db:"warning" json:"content_warning,omitempty"`
	Language    string     `db:"language" json:"language,omitempty"`
	InReplyTo   string     `db:"in_reply_to" json:"in_reply_to,omitempty"`
	ReplyToPost string     `db:"reply_to_post" json:"reply_to_post,omitempty"`
	Visibility  string     `db:"visibility" json:"visibility"`
	Kind        string     `db:"kind" json:"kind"`
	Queue       bool       `db:"queue" json:"-"`
	State       string     `db:"state" json:"state"`
	AssigneeID  string     `db:"assignee_id" json:"-"`
	Assignee    string     `db:"assignee_name" json:"assignee,omitempty"`
	AnswerPost  string     `db:"answer_post" json:"answer_post,omitempty"`
	HandledBy   string     `db:"handled_by_name" json:"handled_by,omitempty"`
	HandledAt   *time.Time `db:"handled_at" json:"handled_at,omitempty"`
	PublishedAt time.Time  `db:"published_at" json:"published_at"`
	UpdatedAt   *time.Time `db:"updated_at" json:"updated_at,omitempty"`
	ReceivedAt  time.Time  `db:"received_at" json:"received_at"`
	Deleted     bool       `db:"deleted" json:"deleted"`
	// MediaJSON is its attachments, kept as links (see Images).
	MediaJSON string `db:"media" json:"-"`
}

// States of a web-care item.
const (
	ItemNew      = "new"
	ItemAssigned = "assigned"
	ItemAnswered = "answered"
	ItemHandled  = "handled"
)

const itemCols = `i.id, i.uri, i.account_id, a.username, a.org_id, i.actor, i.actor_handle, i.actor_name, i.host, i.url, i.text, i.warning, i.language,
	i.in_reply_to, i.reply_to_post, i.visibility, i.kind, i.queue, i.state, i.assignee_id, i.assignee_name, i.answer_post, i.handled_by_name, i.handled_at,
	i.published_at, i.updated_at, i.received_at, i.deleted, i.media`

const itemFrom = ` FROM pd_inbox i JOIN pd_accounts a ON a.id = i.account_id `

// arrived tells the organisation's press office of a new item: the home
// page counts it; a direct message is also e-mailed, since someone wrote
// to the organisation and waits.
func (s *Service) arrived(ctx context.Context, tx *store.Tx, acc Account, id, kind, from, text string) error {
	if kind != ItemDirect || s.opt.Notify == nil {
		return nil
	}
	return s.opt.Notify.NotifyOrg(ctx, tx, acc.OrgID, []core.Role{core.RoleAdmin, core.RoleOfficer, core.RoleAnalyst}, notify.PDDirect, "/webcare/"+id,
		notify.Args{"account": s.Handle(acc.Username), "from": from, "text": firstLine(text)})
}

// QueueFilter narrows the web-care queue.
type QueueFilter struct {
	State string // "" (open: new and assigned), or one state, or "all"
	Mine  bool
}

// Queue lists the web-care items of the actor's organisations, oldest
// waiting first.
func (s *Service) Queue(ctx context.Context, f QueueFilter) ([]Item, error) {
	orgs := access.Orgs(core.ActorFrom(ctx), access.PDRead)
	if len(orgs) == 0 {
		return nil, nil
	}
	q := `SELECT ` + itemCols + itemFrom + ` WHERE i.queue AND NOT i.deleted AND a.org_id IN (` + marks(len(orgs)) + `)`
	var args []any
	for _, o := range orgs {
		args = append(args, o)
	}
	switch f.State {
	case "":
		q += ` AND i.state IN ('new', 'assigned')`
	case "all":
	default:
		q += ` AND i.state = ?`
		args = append(args, f.State)
	}
	if f.Mine {
		q += ` AND i.assignee_id = ?`
		args = append(args, core.ActorFrom(ctx).UserID)
	}
	var out []Item
	err := s.db.R().Select(ctx, &out, q+` ORDER BY i.received_at, i.id LIMIT 500`, args...)
	return out, err
}

func marks(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

// Item returns one item, for its organisation's people.
func (s *Service) Item(ctx context.Context, id string) (Item, error) {
	var it Item
	if err := s.db.R().Get(ctx, &it, `SELECT `+itemCols+itemFrom+` WHERE i.id = ?`, id); err != nil {
		return it, err
	}
	if err := may(ctx, access.PDRead, it.OrgID); err != nil {
		return Item{}, errNotFound
	}
	return it, nil
}

// Thread is what an item answers: our post it replies to (if any) and the
// answers already sent.
func (s *Service) Thread(ctx context.Context, it Item) (replied *Post, answers []Post, err error) {
	if it.ReplyToPost != "" {
		if p, err := s.Post(ctx, it.ReplyToPost); err == nil {
			replied = &p
		}
	}
	err = s.db.R().Select(ctx, &answers, `SELECT `+postCols+postFrom+` WHERE p.reply_item = ? ORDER BY p.created_at`, it.ID)
	return replied, answers, err
}

// Assign gives an item to the actor (or takes it back: assign false).
func (s *Service) Assign(ctx context.Context, id string, take bool) (Item, error) {
	a := core.ActorFrom(ctx)
	return s.itemStep(ctx, id, "publicdiplomacy.assign", func(tx *store.Tx) error {
		var err error
		if take {
			_, err = tx.Exec(ctx, `UPDATE pd_inbox SET state = CASE WHEN state = 'new' THEN 'assigned' ELSE state END, assignee_id = ?, assignee_name = ? WHERE id = ?`, a.UserID, a.Name, id)
		} else {
			_, err = tx.Exec(ctx, `UPDATE pd_inbox SET state = CASE WHEN state = 'assigned' THEN 'new' ELSE state END, assignee_id = '', assignee_name = '' WHERE id = ?`, id)
		}
		return err
	})
}

// MarkHandled marks an item handled without an answer (or opens it again).
func (s *Service) MarkHandled(ctx context.Context, id string, done bool) (Item, error) {
	a := core.ActorFrom(ctx)
	return s.itemStep(ctx, id, "publicdiplomacy.handle", func(tx *store.Tx) error {
		var err error
		if done {
			_, err = tx.Exec(ctx, `UPDATE pd_inbox SET state = 'handled', handled_by_name = ?, handled_at = COALESCE(handled_at, ?) WHERE id = ?`, a.Name, tx.Now, id)
		} else {
			_, err = tx.Exec(ctx, `UPDATE pd_inbox SET state = CASE WHEN assignee_id <> '' THEN 'assigned' ELSE 'new' END, handled_by_name = '', handled_at = NULL WHERE id = ? AND answer_post = ''`, id)
		}
		return err
	})
}

// itemStep changes an item the actor's organisation may write, in one
// transaction with its audit record, and returns it as it is then.
func (s *Service) itemStep(ctx context.Context, id, what string, change func(tx *store.Tx) error) (Item, error) {
	it, err := s.Item(ctx, id)
	if err != nil {
		return it, err
	}
	if err := may(ctx, access.PDWrite, it.OrgID); err != nil {
		return it, err
	}
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		if err := change(tx); err != nil {
			return err
		}
		return audit.Record(ctx, tx, what, "pd_inbox", id, it.OrgID, core.ActorFrom(ctx).Name)
	})
	if err != nil {
		return it, err
	}
	return s.Item(ctx, id)
}

// Answer replies to an item from the account it was addressed to; the
// reply goes out at once and the item is answered.
func (s *Service) Answer(ctx context.Context, id string, t Translation) (Post, error) {
	it, err := s.Item(ctx, id)
	if err != nil {
		return Post{}, err
	}
	if err := may(ctx, access.PDWrite, it.OrgID); err != nil {
		return Post{}, err
	}
	if it.Deleted {
		return Post{}, conflict("err.pd_item_deleted")
	}
	// A reply names whom it answers first, as the fediverse writes them.
	// An item from the press (media monitoring) has nobody to reply to on
	// the fediverse: its answer is a post of its own.
	press := it.Kind == ItemPress
	if press {
		// A post of its own goes to every follower: only an approver may
		// send one without the newsroom's review.
		if err := may(ctx, access.PDApprove, it.OrgID); err != nil {
			return Post{}, err
		}
	}
	if c := strings.TrimSpace(t.Content); c != "" && !press && !strings.Contains(strings.ToLower(c), "@"+strings.ToLower(it.ActorHandle)) {
		t.Content = "@" + it.ActorHandle + " " + c
	}
	vis := VisPublic
	if it.Visibility == "direct" || it.Visibility == "followers" {
		vis = VisDirect
	} else if it.Visibility == "unlisted" {
		vis = VisUnlisted
	}
	inReplyTo := it.URI
	if press {
		vis, inReplyTo = VisPublic, ""
	}
	if t.Language == "" {
		t.Language = it.Language
	}
	if !validLanguage(t.Language) {
		t.Language = "en"
	}
	d := Draft{AccountID: it.AccountID, Visibility: vis, InReplyTo: inReplyTo, ReplyItem: it.ID, Translations: []Translation{t}}
	if err := d.validate().Err("publicdiplomacy: answer"); err != nil {
		return Post{}, err
	}
	a := core.ActorFrom(ctx)
	var postID string
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		postID = core.NewID(tx.Now)
		_, err := tx.Exec(ctx, `INSERT INTO pd_posts (id, account_id, group_id, language, content, warning, visibility, in_reply_to, reply_item, state, created_by, created_by_name,
			submitted_at, approved_by, approved_by_name, approved_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'scheduled', ?, ?, ?, ?, ?, ?, ?, ?)`,
			postID, it.AccountID, postID, d.Translations[0].Language, d.Translations[0].Content, d.Translations[0].Warning, vis, inReplyTo, it.ID, a.UserID, a.Name, tx.Now, a.UserID, a.Name, tx.Now, tx.Now, tx.Now)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE pd_inbox SET assignee_id = CASE WHEN assignee_id = '' THEN ? ELSE assignee_id END, assignee_name = CASE WHEN assignee_name = '' THEN ? ELSE assignee_name END,
			handled_by_name = ? WHERE id = ?`, a.UserID, a.Name, a.Name, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "publicdiplomacy.answer", "pd_inbox", id, it.OrgID, firstLine(d.Translations[0].Content))
	})
	if err != nil {
		return Post{}, err
	}
	if _, err := s.publish(ctx, postID); err != nil {
		return Post{}, err
	}
	return s.Post(ctx, postID)
}
