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

// PostState is where a post is in the newsroom.
type PostState string

// A post is drafted, submitted for review, approved by a second person
// (which schedules it: now, or at the time chosen), published when its
// time comes, and may be deleted (which the fediverse is told).
const (
	PostDraft     PostState = "draft"
	PostReview    PostState = "review"
	PostScheduled PostState = "scheduled"
	PostPublished PostState = "published"
	PostDeleted   PostState = "deleted"
)

// Visibilities a post may have, as the fediverse addresses them.
const (
	VisPublic    = "public"
	VisUnlisted  = "unlisted"
	VisFollowers = "followers"
	VisDirect    = "direct"
)

// Post is one language of a message; its translations share GroupID.
type Post struct {
	ID            string     `db:"id" json:"id"`
	AccountID     string     `db:"account_id" json:"account_id"`
	Username      string     `db:"username" json:"account"`
	OrgID         string     `db:"org_id" json:"-"`
	GroupID       string     `db:"group_id" json:"group_id"`
	Language      string     `db:"language" json:"language"`
	Content       string     `db:"content" json:"content"`
	Warning       string     `db:"warning" json:"content_warning,omitempty"`
	Visibility    string     `db:"visibility" json:"visibility"`
	InReplyTo     string     `db:"in_reply_to" json:"in_reply_to,omitempty"`
	ReplyItem     string     `db:"reply_item" json:"reply_item,omitempty"`
	CaseID        string     `db:"case_id" json:"case_id,omitempty"`
	State         PostState  `db:"state" json:"state"`
	ScheduledAt   *time.Time `db:"scheduled_at" json:"scheduled_at,omitempty"`
	PublishedAt   *time.Time `db:"published_at" json:"published_at,omitempty"`
	EditedAt      *time.Time `db:"edited_at" json:"edited_at,omitempty"`
	CreatedBy     string     `db:"created_by" json:"-"`
	CreatedByName string     `db:"created_by_name" json:"created_by"`
	Authors       string     `db:"authors" json:"-"` // who wrote, changed or submitted it
	// A correction of a published post, waiting for a second person.
	Correction        string     `db:"correction" json:"correction,omitempty"`
	CorrectionWarning string     `db:"correction_warning" json:"correction_warning,omitempty"`
	CorrectionBy      string     `db:"correction_by" json:"-"`
	CorrectionByName  string     `db:"correction_by_name" json:"correction_by,omitempty"`
	CorrectionAt      *time.Time `db:"correction_at" json:"correction_at,omitempty"`
	SubmittedAt       *time.Time `db:"submitted_at" json:"submitted_at,omitempty"`
	ApprovedBy        string     `db:"approved_by" json:"-"`
	ApprovedByName    string     `db:"approved_by_name" json:"approved_by,omitempty"`
	ApprovedAt        *time.Time `db:"approved_at" json:"approved_at,omitempty"`
	Version           int        `db:"version" json:"version"`
	CreatedAt         time.Time  `db:"created_at" json:"created_at"`
	UpdatedAt         time.Time  `db:"updated_at" json:"updated_at"`
	Media             []Media    `db:"-" json:"media,omitempty"`
	// TimeZone is the zone the writer chose for its time (IANA; "" is
	// UTC): times are stored in UTC and shown in it.
	TimeZone string `db:"time_zone" json:"time_zone,omitempty"`
	// Why it was last returned to its writer, by whom and when.
	ReturnedNote   string     `db:"returned_note" json:"returned_note,omitempty"`
	ReturnedByName string     `db:"returned_by_name" json:"returned_by,omitempty"`
	ReturnedAt     *time.Time `db:"returned_at" json:"returned_at,omitempty"`
	// Reach, counted from what instances sent back.
	Boosts  int `db:"boosts" json:"boosts"`
	Likes   int `db:"likes" json:"likes"`
	Replies int `db:"replies" json:"replies"`
}

// Media is an image of a post with its alt text.
type Media struct {
	ID        string `db:"id" json:"id"`
	PostID    string `db:"post_id" json:"-"`
	MediaType string `db:"media_type" json:"media_type"`
	Alt       string `db:"alt" json:"alt"`
}

// Translation is one language of a message being drafted.
type Translation struct {
	Language string
	Content  string
	Warning  string
}

// Draft is a message as the newsroom's form gives it: one account, one
// visibility and time, several languages.
type Draft struct {
	AccountID    string
	Visibility   string
	ScheduledAt  *time.Time // nil: as soon as it is approved
	TimeZone     string     // the zone ScheduledAt was given in ("" UTC)
	Translations []Translation
	CaseID       string // a disinformation case this post answers
	InReplyTo    string // a remote post's id, for web-care answers
	ReplyItem    string // the web-care item answered
}

// MaxPost is the length of a post, as Mastodon counts it by default.
const MaxPost = 500

func (d *Draft) validate() core.Problems {
	p := core.Problems{}
	if d.AccountID == "" {
		p.Add("account", "err.required")
	}
	switch d.Visibility {
	case "":
		d.Visibility = VisPublic
	case VisPublic, VisUnlisted, VisFollowers:
	case VisDirect:
		// A direct message is a conversation: an answer, or a mention.
		if d.InReplyTo == "" {
			p.Add("visibility", "err.pd_visibility")
		}
	default:
		p.Add("visibility", "err.pd_visibility")
	}
	if d.TimeZone == "UTC" {
		d.TimeZone = ""
	} else if d.TimeZone != "" && !ValidTimeZone(d.TimeZone) {
		p.Add("time_zone", "err.pd_time_zone")
	}
	var kept []Translation
	seen := map[string]bool{}
	for i, t := range d.Translations {
		t.Content, t.Warning = strings.TrimSpace(t.Content), strings.TrimSpace(t.Warning)
		if t.Content == "" && t.Warning == "" && i > 0 {
			continue
		}
		field := "content_" + t.Language
		switch {
		case !validLanguage(t.Language):
			p.Add("language", "err.pd_language")
		case seen[t.Language]:
			p.Add("language", "err.pd_language_twice")
		case t.Content == "":
			p.Add(field, "err.required")
		case len([]rune(t.Content))+len([]rune(t.Warning)) > MaxPost:
			p.Add(field, "err.pd_too_long")
		}
		if msg := core.CheckText(t.Content + t.Warning); msg != "" {
			p.Add(field, msg)
		}
		seen[t.Language] = true
		kept = append(kept, t)
	}
	if len(kept) == 0 {
		p.Add("content_en", "err.required")
	}
	d.Translations = kept
	return p
}

// postCols selects a post with its account and reach.
const postCols = `p.id, p.account_id, a.username, a.org_id, p.group_id, p.language, p.content, p.warning, p.visibility, p.in_reply_to, p.reply_item, p.case_id,
	p.state, p.scheduled_at, p.published_at, p.edited_at, p.created_by, p.created_by_name, p.authors,
	p.correction, p.correction_warning, p.correction_by, p.correction_by_name, p.correction_at, p.submitted_at, p.approved_by, p.approved_by_name, p.approved_at,
	p.version, p.created_at, p.updated_at, p.time_zone, p.returned_note, p.returned_by_name, p.returned_at,
	(SELECT COUNT(*) FROM pd_reactions r WHERE r.post_id = p.id AND r.type = 'Announce') AS boosts,
	(SELECT COUNT(*) FROM pd_reactions r WHERE r.post_id = p.id AND r.type = 'Like') AS likes,
	(SELECT COUNT(*) FROM pd_inbox i WHERE i.reply_to_post = p.id AND NOT i.deleted) AS replies`

const postFrom = ` FROM pd_posts p JOIN pd_accounts a ON a.id = p.account_id `

// CreateDraft records a message's translations as drafts of one group.
func (s *Service) CreateDraft(ctx context.Context, d Draft) ([]Post, error) {
	p := d.validate()
	acc, err := s.Account(ctx, d.AccountID)
	if err != nil {
		p.Add("account", "err.pd_account_unknown")
	} else if err := may(ctx, access.PDWrite, acc.OrgID); err != nil {
		return nil, err
	}
	if err == nil {
		s.checkCase(ctx, d, acc, p)
	}
	if err := p.Err("publicdiplomacy: draft"); err != nil {
		return nil, err
	}
	a := core.ActorFrom(ctx)
	var group string
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		group = core.NewID(tx.Now)
		for _, t := range d.Translations {
			id := core.NewID(tx.Now)
			if _, err := tx.Exec(ctx, `INSERT INTO pd_posts (id, account_id, group_id, language, content, warning, visibility, in_reply_to, reply_item, case_id, state, scheduled_at, time_zone, created_by, created_by_name, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?)`, id, acc.ID, group, t.Language, t.Content, t.Warning, d.Visibility, d.InReplyTo, d.ReplyItem, d.CaseID,
				d.ScheduledAt, d.TimeZone, a.UserID, a.Name, tx.Now, tx.Now); err != nil {
				return err
			}
		}
		if err := wrote(ctx, tx, group); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "publicdiplomacy.draft", "pd_post", group, acc.OrgID, firstLine(d.Translations[0].Content))
	})
	if err != nil {
		return nil, err
	}
	return s.Group(ctx, group)
}

// checkCase refuses a case of another organisation: a post answers one of
// its own organisation's cases.
func (s *Service) checkCase(ctx context.Context, d Draft, acc Account, p core.Problems) {
	if d.CaseID == "" {
		return
	}
	var n int
	if err := s.db.R().Get(ctx, &n, `SELECT COUNT(*) FROM pd_cases WHERE id = ? AND org_id = ?`, d.CaseID, acc.OrgID); err != nil || n == 0 {
		p.Add("case", "err.pd_case_unknown")
	}
}

// Group returns a message's translations, for people of its organisation.
func (s *Service) Group(ctx context.Context, group string) ([]Post, error) {
	var out []Post
	if err := s.db.R().Select(ctx, &out, `SELECT `+postCols+postFrom+` WHERE p.group_id = ? ORDER BY p.created_at, p.id`, group); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, errNotFound
	}
	if err := may(ctx, access.PDRead, out[0].OrgID); err != nil {
		return nil, errNotFound
	}
	return out, s.loadMedia(ctx, out)
}

func (s *Service) loadMedia(ctx context.Context, posts []Post) error {
	for i := range posts {
		if err := s.db.R().Select(ctx, &posts[i].Media, `SELECT id, post_id, media_type, alt FROM pd_media WHERE post_id = ? ORDER BY id`, posts[i].ID); err != nil {
			return err
		}
	}
	return nil
}

// EditDraft replaces a draft message's translations and time. A message
// under review goes back to draft: what was reviewed is not what is there.
func (s *Service) EditDraft(ctx context.Context, group string, version int, d Draft) ([]Post, error) {
	cur, err := s.Group(ctx, group)
	if err != nil {
		return nil, err
	}
	d.AccountID = cur[0].AccountID
	p := d.validate()
	if err := may(ctx, access.PDWrite, cur[0].OrgID); err != nil {
		return nil, err
	}
	if st := cur[0].State; st != PostDraft && st != PostReview {
		return nil, conflict("err.pd_not_draft")
	}
	if version != 0 && version != cur[0].Version {
		return nil, conflict("err.pd_changed")
	}
	if err := p.Err("publicdiplomacy: draft"); err != nil {
		return cur, err
	}
	a := core.ActorFrom(ctx)
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		n, err := tx.Exec(ctx, `DELETE FROM pd_posts WHERE group_id = ? AND state IN ('draft', 'review') AND version = ?`, group, cur[0].Version)
		if err != nil {
			return err
		}
		if int(n) != len(cur) {
			return conflict("err.pd_changed")
		}
		// A language keeps its post (and so its images); a new one gets a
		// new post, and a language dropped loses its own.
		byLang := map[string]string{}
		for _, p := range cur {
			byLang[p.Language] = p.ID
		}
		for _, t := range d.Translations {
			id := byLang[t.Language]
			if id == "" {
				id = core.NewID(tx.Now)
			}
			// Why it was returned stays with it while it is reworked.
			if _, err := tx.Exec(ctx, `INSERT INTO pd_posts (id, account_id, group_id, language, content, warning, visibility, in_reply_to, reply_item, case_id, state, scheduled_at, time_zone, created_by, created_by_name,
				returned_note, returned_by_name, returned_at, version, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, id, cur[0].AccountID, group, t.Language, t.Content, t.Warning, d.Visibility, cur[0].InReplyTo, cur[0].ReplyItem, d.CaseID,
				d.ScheduledAt, d.TimeZone, cur[0].CreatedBy, cur[0].CreatedByName, cur[0].ReturnedNote, cur[0].ReturnedByName, cur[0].ReturnedAt, cur[0].Version+1, cur[0].CreatedAt, tx.Now); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM pd_media WHERE post_id NOT IN (SELECT id FROM pd_posts)`); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE pd_posts SET authors = ? WHERE group_id = ?`, cur[0].Authors, group); err != nil {
			return err
		}
		if err := wrote(ctx, tx, group); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "publicdiplomacy.edit", "pd_post", group, cur[0].OrgID, a.Name)
	})
	if err != nil {
		return nil, err
	}
	return s.Group(ctx, group)
}

// Submit asks for a message's review by a second person.
func (s *Service) Submit(ctx context.Context, group string) ([]Post, error) {
	return s.step(ctx, group, access.PDWrite, []PostState{PostDraft}, func(ctx context.Context, tx *store.Tx, cur []Post) error {
		if _, err := tx.Exec(ctx, `UPDATE pd_posts SET state = 'review', submitted_at = ?, version = version + 1, updated_at = ? WHERE group_id = ?`, tx.Now, tx.Now, group); err != nil {
			return err
		}
		if err := wrote(ctx, tx, group); err != nil {
			return err
		}
		if s.opt.Notify == nil {
			return nil
		}
		return s.opt.Notify.NotifyOrg(ctx, tx, cur[0].OrgID, []core.Role{core.RoleAdmin, core.RoleOfficer}, notify.PDReview, "/newsroom/"+group,
			notify.Args{"account": s.Handle(cur[0].Username), "by": core.ActorFrom(ctx).Name, "text": firstLine(cur[0].Content)})
	}, "publicdiplomacy.submit")
}

// Return sends a message under review back to its author, without
// saying why (ReturnWithNote says why).
func (s *Service) Return(ctx context.Context, group string) ([]Post, error) {
	return s.returnGroup(ctx, group, "")
}

// Approve is the second pair of eyes: someone other than the author (and
// other than who submitted it) approves the message, which schedules it.
// It goes out when its time comes, or at once if that time has passed.
func (s *Service) Approve(ctx context.Context, group string) ([]Post, error) {
	return s.ApproveVersion(ctx, group, 0)
}

// ApproveVersion approves the message only as it was at version (the one
// the approver read), 0 for any.
func (s *Service) ApproveVersion(ctx context.Context, group string, version int) ([]Post, error) {
	a := core.ActorFrom(ctx)
	out, err := s.stepAt(ctx, group, version, access.PDApprove, []PostState{PostReview}, func(ctx context.Context, tx *store.Tx, cur []Post) error {
		if mine, err := isAuthor(ctx, tx, group); err != nil || mine {
			if err != nil {
				return err
			}
			return &core.Error{Kind: core.KindForbidden, Op: "publicdiplomacy: approve", Message: "err.pd_four_eyes"}
		}
		_, err := tx.Exec(ctx, `UPDATE pd_posts SET state = 'scheduled', approved_by = ?, approved_by_name = ?, approved_at = ?, version = version + 1, updated_at = ? WHERE group_id = ?`,
			a.UserID, a.Name, tx.Now, tx.Now, group)
		if err == nil {
			tx.AfterCommit(s.wakePublisher)
		}
		return err
	}, "publicdiplomacy.approve")
	return out, err
}

// step moves a message from one of states, under act, in one transaction
// that holds the group's rows to the version read.
func (s *Service) step(ctx context.Context, group string, act access.Action, states []PostState, f func(context.Context, *store.Tx, []Post) error, what string) ([]Post, error) {
	return s.stepAt(ctx, group, 0, act, states, f, what)
}

// stepAt is step for the version the person read (0: the one loaded now).
func (s *Service) stepAt(ctx context.Context, group string, version int, act access.Action, states []PostState, f func(context.Context, *store.Tx, []Post) error, what string) ([]Post, error) {
	cur, err := s.Group(ctx, group)
	if err != nil {
		return nil, err
	}
	if version != 0 && version != cur[0].Version {
		return cur, conflict("err.pd_changed")
	}
	if err := may(ctx, act, cur[0].OrgID); err != nil {
		return nil, err
	}
	ok := false
	for _, st := range states {
		ok = ok || cur[0].State == st
	}
	if !ok {
		return cur, conflict("err.pd_state")
	}
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		// Writing the rows at the version read holds them (a concurrent
		// edit waits, then finds the version moved): what is approved is
		// what was read.
		n, err := tx.Exec(ctx, `UPDATE pd_posts SET version = version WHERE group_id = ? AND version = ? AND state = ?`, group, cur[0].Version, string(cur[0].State))
		if err != nil {
			return err
		}
		if int(n) != len(cur) {
			return conflict("err.pd_changed")
		}
		if err := f(ctx, tx, cur); err != nil {
			return err
		}
		return audit.Record(ctx, tx, what, "pd_post", group, cur[0].OrgID, firstLine(cur[0].Content))
	})
	if err != nil {
		return cur, err
	}
	return s.Group(ctx, group)
}

// wrote records that the actor wrote, changed or submitted a message:
// none of its authors may approve it.
func wrote(ctx context.Context, tx *store.Tx, group string) error {
	id := core.ActorFrom(ctx).UserID
	_, err := tx.Exec(ctx, `UPDATE pd_posts SET authors = TRIM(authors || ' ' || ?) WHERE group_id = ? AND (' ' || authors || ' ') NOT LIKE ?`, id, group, "% "+id+" %")
	return err
}

// isAuthor reports whether the actor wrote, changed or submitted the
// message.
func isAuthor(ctx context.Context, tx *store.Tx, group string) (bool, error) {
	id := core.ActorFrom(ctx).UserID
	var n int
	err := tx.Get(ctx, &n, `SELECT COUNT(*) FROM pd_posts WHERE group_id = ? AND (created_by = ? OR (' ' || authors || ' ') LIKE ?)`, group, id, "% "+id+" %")
	return n > 0, err
}

func conflict(key string) error {
	return &core.Error{Kind: core.KindConflict, Op: "publicdiplomacy", Message: key}
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if r := []rune(s); len(r) > 80 {
		s = string(r[:79]) + "…"
	}
	return s
}
