package publicdiplomacy

import (
	"context"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/store"
)

// Conversation, as opposed to broadcast: a message to someone (it
// mentions them) is written and sent by one approver at once, as a
// web-care answer is; a post to everyone goes through the newsroom's four
// eyes.

// Mention sends a short message from an account to the people it
// mentions: publicly, or directly (only they see it).
func (s *Service) Mention(ctx context.Context, accountID, visibility, text string) (Post, error) {
	acc, err := s.Account(ctx, accountID)
	if err != nil {
		return Post{}, err
	}
	if err := may(ctx, access.PDApprove, acc.OrgID); err != nil {
		return Post{}, err
	}
	// InReplyTo "-" lets a direct message pass validation: a mention is a
	// conversation too; the post itself replies to nothing.
	d := Draft{AccountID: acc.ID, Visibility: visibility, InReplyTo: "-", Translations: []Translation{{Language: acc.Language, Content: text}}}
	p := d.validate()
	if len(s.render(text, nil).Mentions) == 0 {
		p.Add("content_"+acc.Language, "err.pd_mention_needed")
	}
	if err := p.Err("publicdiplomacy: mention"); err != nil {
		return Post{}, err
	}
	a := core.ActorFrom(ctx)
	var id string
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		id = core.NewID(tx.Now)
		if _, err := tx.Exec(ctx, `INSERT INTO pd_posts (id, account_id, group_id, language, content, visibility, state, created_by, created_by_name,
			submitted_at, approved_by, approved_by_name, approved_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'scheduled', ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, acc.ID, id, acc.Language, text, d.Visibility, a.UserID, a.Name, tx.Now, a.UserID, a.Name, tx.Now, tx.Now, tx.Now); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "publicdiplomacy.mention", "pd_post", id, acc.OrgID, firstLine(text))
	})
	if err != nil {
		return Post{}, err
	}
	if _, err := s.publish(ctx, id); err != nil {
		return Post{}, err
	}
	return s.Post(ctx, id)
}

// Timeline lists what arrived for an account (posts of those it follows,
// and the queue's items), newest first.
func (s *Service) Timeline(ctx context.Context, accountID string) ([]Item, error) {
	acc, err := s.Account(ctx, accountID)
	if err != nil {
		return nil, err
	}
	if err := may(ctx, access.PDRead, acc.OrgID); err != nil {
		return nil, err
	}
	var out []Item
	err = s.db.R().Select(ctx, &out, `SELECT `+itemCols+itemFrom+` WHERE i.account_id = ? AND NOT i.deleted ORDER BY i.received_at DESC, i.id DESC LIMIT 200`, accountID)
	return out, err
}
