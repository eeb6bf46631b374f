package publicdiplomacy

import (
	"context"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/jobs"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store"
	"entente.example/entente/modules/publicdiplomacy/ap"
)

// jobPublish publishes approved posts whose time has come. It runs every
// minute and, on approval, at the post's time; publishing moves a post
// from scheduled to published in the transaction that queues its
// delivery, so a post goes out once however often the job runs, on
// however many replicas, across restarts.
const jobPublish = "publicdiplomacy.publish"

// Schedule registers the publisher with the job queue.
func (s *Service) Schedule(q *jobs.Queue) {
	q.Register(jobs.Kind{Name: jobPublish, Handle: func(ctx context.Context, _ []byte) error {
		_, err := s.PublishDue(ctx)
		return err
	}})
	q.Every(jobPublish, time.Minute)
	s.scheduleLinks(q)
}

// wakePublisher asks for a publishing round now (after an approval).
func (s *Service) wakePublisher() {
	if s.opt.Jobs == nil {
		return
	}
	_ = s.db.WithTx(context.Background(), func(tx *store.Tx) error {
		return s.opt.Jobs.Enqueue(context.Background(), tx, jobPublish, nil, jobs.Options{})
	})
}

// PublishDue publishes every approved post whose time has come and
// returns how many it published.
func (s *Service) PublishDue(ctx context.Context) (int, error) {
	var ids []string
	if err := s.db.R().Select(ctx, &ids, `SELECT id FROM pd_posts WHERE state = 'scheduled' AND (scheduled_at IS NULL OR scheduled_at <= ?) ORDER BY created_at, id`, s.Now()); err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		ok, err := s.publish(ctx, id)
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}

// publish publishes one post if it is still scheduled.
func (s *Service) publish(ctx context.Context, id string) (bool, error) {
	var p Post
	if err := s.db.R().Get(ctx, &p, `SELECT `+postCols+postFrom+` WHERE p.id = ?`, id); err != nil {
		return false, err
	}
	acc, err := s.Account(ctx, p.AccountID)
	if err != nil {
		return false, err
	}
	// Mentions are resolved before the transaction: it may fetch actors.
	mentions := s.resolveMentions(ctx, acc, p.Content)
	published := false
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		// Only the version read is published: a message returned, rewritten
		// and approved again while its mentions were resolved goes out in
		// the next round with the text approved last, not this one.
		n, err := tx.Exec(ctx, `UPDATE pd_posts SET state = 'published', published_at = ?, updated_at = ? WHERE id = ? AND state = 'scheduled' AND version = ?`, tx.Now, tx.Now, id, p.Version)
		if err != nil || n == 0 {
			return err
		}
		published = true
		p.State, p.PublishedAt = PostPublished, &tx.Now
		if err := s.loadMedia(ctx, []Post{p}); err != nil {
			return err
		}
		note, extra := s.note(acc, p, mentions)
		act := ap.Activity{ID: note.ID + "/activity", Type: "Create", Actor: note.AttributedTo, Object: note, To: note.To, Cc: note.Cc, Published: tx.Now}
		if err := s.sendPost(ctx, tx, acc, p, act, extra); err != nil {
			return err
		}
		if p.ReplyItem != "" {
			if _, err := tx.Exec(ctx, `UPDATE pd_inbox SET state = 'answered', answer_post = ?, handled_at = ? WHERE id = ?`, p.ID, tx.Now, p.ReplyItem); err != nil {
				return err
			}
		}
		ctx := core.WithActor(ctx, core.Actor{UserID: "system", Name: "newsroom"})
		return audit.Record(ctx, tx, "publicdiplomacy.publish", "pd_post", p.ID, acc.OrgID, firstLine(p.Content))
	})
	return published, err
}

// sendPost queues a post's activity: a direct post only to the actors it
// names (extra), since a follower's instance that receives it holds a
// private message it was never addressed; any other to the followers too.
func (s *Service) sendPost(ctx context.Context, tx *store.Tx, acc Account, p Post, act ap.Activity, extra []string) error {
	// A reply is a conversation: it goes to those it answers and names,
	// not to every follower (web-care answers go out without the
	// newsroom's review, so they must not become broadcasts).
	if p.Visibility != VisDirect && (p.InReplyTo == "" || p.InReplyTo == "-") {
		return s.sendToFollowers(ctx, tx, acc, act, extra)
	}
	var inboxes []string
	for _, actor := range extra {
		var inbox string
		if err := tx.Get(ctx, &inbox, `SELECT inbox FROM pd_actors WHERE uri = ?`, actor); err == nil {
			inboxes = append(inboxes, inbox)
		}
	}
	return s.queueDelivery(ctx, tx, acc, act, inboxes)
}

// PostURL is a post's ActivityPub id and public page.
func (s *Service) PostURL(username, id string) string { return s.ActorURL(username) + "/" + id }

// note is a post as the fediverse receives it, and the actors it must also
// reach (those mentioned and, for a reply, the author replied to).
func (s *Service) note(acc Account, p Post, mentions []Mention) (*ap.Note, []string) {
	actor := s.ActorURL(acc.Username)
	hrefs := map[string]string{}
	for _, m := range mentions {
		hrefs[strings.ToLower(m.Acct)] = m.URL
	}
	r := s.render(p.Content, hrefs)
	n := &ap.Note{ID: s.PostURL(acc.Username, p.ID), URL: s.PostURL(acc.Username, p.ID), AttributedTo: actor, Content: r.HTML,
		Summary: p.Warning, Sensitive: p.Warning != "", InReplyTo: p.InReplyTo, Language: p.Language}
	if p.PublishedAt != nil {
		n.Published = p.PublishedAt.UTC()
	}
	if p.EditedAt != nil {
		t := p.EditedAt.UTC()
		n.Updated = &t
	}
	followers := actor + "/followers"
	var extra []string
	for _, m := range mentions {
		if m.Actor == "" {
			continue
		}
		n.Tag = append(n.Tag, ap.Tag{Type: "Mention", Name: "@" + m.Acct, Href: m.Actor})
		extra = append(extra, m.Actor)
	}
	for _, h := range r.Hashtags {
		n.Tag = append(n.Tag, ap.Tag{Type: "Hashtag", Name: "#" + h, Href: s.TagURL(h)})
	}
	switch p.Visibility {
	case VisUnlisted:
		n.To, n.Cc = []string{followers}, append([]string{ap.Public}, extra...)
	case VisFollowers:
		n.To, n.Cc = []string{followers}, extra
	case VisDirect:
		n.To = extra
	default:
		n.To, n.Cc = []string{ap.Public}, append([]string{followers}, extra...)
	}
	for _, m := range p.Media {
		n.Attachment = append(n.Attachment, ap.Attachment{Type: "Document", MediaType: m.MediaType, URL: s.MediaURL(m.ID), Name: m.Alt})
	}
	return n, extra
}

// MediaURL is where an image of a post is served.
func (s *Service) MediaURL(id string) string { return s.base() + "/social/media/" + id }

// resolveMentions finds the actors a post mentions; a mention that cannot
// be resolved stays text.
func (s *Service) resolveMentions(ctx context.Context, acc Account, text string) []Mention {
	var out []Mention
	for _, acct := range s.render(text, nil).Mentions {
		m := Mention{Acct: acct}
		if a, err := s.ResolveAcct(ctx, acc, acct); err == nil {
			m.Actor, m.URL = a.URI, a.URL
			if m.URL == "" {
				m.URL = a.URI
			}
		}
		out = append(out, m)
	}
	return out
}

// EditPublished proposes a correction of a published post. It waits, with
// the post unchanged, for a second person to approve it (ApproveCorrection):
// a correction is a new text, and a text goes out only under four eyes.
func (s *Service) EditPublished(ctx context.Context, id string, version int, t Translation) (Post, error) {
	p, err := s.Post(ctx, id)
	if err != nil {
		return p, err
	}
	if err := may(ctx, access.PDWrite, p.OrgID); err != nil {
		return p, err
	}
	if p.State != PostPublished {
		return p, conflict("err.pd_state")
	}
	if version != 0 && version != p.Version {
		return p, conflict("err.pd_changed")
	}
	d := Draft{AccountID: p.AccountID, Visibility: p.Visibility, InReplyTo: p.InReplyTo, Translations: []Translation{{Language: p.Language, Content: t.Content, Warning: t.Warning}}}
	if d.Visibility == VisDirect && d.InReplyTo == "" {
		d.InReplyTo = "-" // a direct mention: a conversation, as when it was sent
	}
	if err := d.validate().Err("publicdiplomacy: edit"); err != nil {
		return p, err
	}
	a := core.ActorFrom(ctx)
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		n, err := tx.Exec(ctx, `UPDATE pd_posts SET correction = ?, correction_warning = ?, correction_by = ?, correction_by_name = ?, correction_at = ?, version = version + 1, updated_at = ?
			WHERE id = ? AND version = ? AND state = 'published'`, d.Translations[0].Content, d.Translations[0].Warning, a.UserID, a.Name, tx.Now, tx.Now, id, p.Version)
		if err != nil {
			return err
		}
		if n == 0 {
			return conflict("err.pd_changed")
		}
		if s.opt.Notify != nil {
			if err := s.opt.Notify.NotifyOrg(ctx, tx, p.OrgID, []core.Role{core.RoleAdmin, core.RoleOfficer}, notify.PDReview, "/newsroom/"+p.GroupID,
				notify.Args{"account": s.Handle(p.Username), "by": a.Name, "text": firstLine(d.Translations[0].Content)}); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, "publicdiplomacy.correction", "pd_post", id, p.OrgID, firstLine(d.Translations[0].Content))
	})
	if err != nil {
		return p, err
	}
	return s.Post(ctx, id)
}

// ApproveCorrection is the second pair of eyes on a correction: someone
// other than who proposed it applies it, and the fediverse receives an
// Update. version is the one the approver read (0 for any).
func (s *Service) ApproveCorrection(ctx context.Context, id string, version int) (Post, error) {
	p, err := s.Post(ctx, id)
	if err != nil {
		return p, err
	}
	if err := may(ctx, access.PDApprove, p.OrgID); err != nil {
		return p, err
	}
	if p.State != PostPublished || p.CorrectionAt == nil {
		return p, conflict("err.pd_state")
	}
	if version != 0 && version != p.Version {
		return p, conflict("err.pd_changed")
	}
	a := core.ActorFrom(ctx)
	if p.CorrectionBy == a.UserID {
		return p, &core.Error{Kind: core.KindForbidden, Op: "publicdiplomacy: correction", Message: "err.pd_four_eyes"}
	}
	acc, err := s.Account(ctx, p.AccountID)
	if err != nil {
		return p, err
	}
	mentions := s.resolveMentions(ctx, acc, p.Correction)
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		n, err := tx.Exec(ctx, `UPDATE pd_posts SET content = correction, warning = correction_warning, correction = '', correction_warning = '', correction_by = '', correction_by_name = '',
			correction_at = NULL, edited_at = ?, approved_by = ?, approved_by_name = ?, approved_at = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ? AND state = 'published'`,
			tx.Now, a.UserID, a.Name, tx.Now, tx.Now, id, p.Version)
		if err != nil {
			return err
		}
		if n == 0 {
			return conflict("err.pd_changed")
		}
		p.Content, p.Warning, p.EditedAt = p.Correction, p.CorrectionWarning, &tx.Now
		note, extra := s.note(acc, p, mentions)
		act := ap.Activity{ID: note.ID + "#updates/" + core.NewID(tx.Now), Type: "Update", Actor: note.AttributedTo, Object: note, To: note.To, Cc: note.Cc, Published: tx.Now}
		if err := s.sendPost(ctx, tx, acc, p, act, extra); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "publicdiplomacy.edit_published", "pd_post", id, acc.OrgID, firstLine(p.Content))
	})
	if err != nil {
		return p, err
	}
	return s.Post(ctx, id)
}

// DiscardCorrection drops a correction waiting for approval.
func (s *Service) DiscardCorrection(ctx context.Context, id string) (Post, error) {
	p, err := s.Post(ctx, id)
	if err != nil {
		return p, err
	}
	if err := may(ctx, access.PDWrite, p.OrgID); err != nil {
		return p, err
	}
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE pd_posts SET correction = '', correction_warning = '', correction_by = '', correction_by_name = '', correction_at = NULL, version = version + 1, updated_at = ?
			WHERE id = ? AND correction_at IS NOT NULL`, tx.Now, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "publicdiplomacy.correction_discard", "pd_post", id, p.OrgID, firstLine(p.Correction))
	})
	if err != nil {
		return p, err
	}
	return s.Post(ctx, id)
}

// DeletePost deletes a message: a draft is gone; a published post becomes
// a tombstone and the fediverse is told to delete it.
func (s *Service) DeletePost(ctx context.Context, id string) error {
	p, err := s.Post(ctx, id)
	if err != nil {
		return err
	}
	act := access.PDWrite
	if p.State == PostPublished || p.State == PostScheduled {
		act = access.PDApprove
	}
	if err := may(ctx, act, p.OrgID); err != nil {
		return err
	}
	acc, err := s.Account(ctx, p.AccountID)
	if err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		if p.State != PostPublished {
			if _, err := tx.Exec(ctx, `DELETE FROM pd_media WHERE post_id = ?`, id); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `DELETE FROM pd_posts WHERE id = ? AND state = ?`, id, p.State); err != nil {
				return err
			}
			return audit.Record(ctx, tx, "publicdiplomacy.discard", "pd_post", id, acc.OrgID, firstLine(p.Content))
		}
		n, err := tx.Exec(ctx, `UPDATE pd_posts SET state = 'deleted', version = version + 1, updated_at = ? WHERE id = ? AND state = 'published'`, tx.Now, id)
		if err != nil || n == 0 {
			return err
		}
		uri := s.PostURL(acc.Username, id)
		act := ap.Activity{ID: uri + "#delete", Type: "Delete", Actor: s.ActorURL(acc.Username), Object: &ap.Tombstone{ID: uri}, To: []string{ap.Public}, Published: tx.Now}
		if err := s.sendToFollowers(ctx, tx, acc, act, nil); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "publicdiplomacy.delete", "pd_post", id, acc.OrgID, firstLine(p.Content))
	})
}

// Post returns one post, for people of its organisation.
func (s *Service) Post(ctx context.Context, id string) (Post, error) {
	var p Post
	if err := s.db.R().Get(ctx, &p, `SELECT `+postCols+postFrom+` WHERE p.id = ?`, id); err != nil {
		return p, err
	}
	if err := may(ctx, access.PDRead, p.OrgID); err != nil {
		return Post{}, errNotFound
	}
	ps := []Post{p}
	err := s.loadMedia(ctx, ps)
	return ps[0], err
}

// PublicPost returns a published post of an account, for anyone.
func (s *Service) PublicPost(ctx context.Context, username, id string) (Post, error) {
	var p Post
	err := s.db.R().Get(ctx, &p, `SELECT `+postCols+postFrom+` WHERE p.id = ? AND a.username = ? AND p.state = 'published' AND p.visibility IN ('public', 'unlisted')`, id, username)
	if err != nil {
		return p, err
	}
	ps := []Post{p}
	err = s.loadMedia(ctx, ps)
	return ps[0], err
}
