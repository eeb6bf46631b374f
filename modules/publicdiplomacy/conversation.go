package publicdiplomacy

import (
	"context"
	"time"

	"entente.example/entente/core"
)

// A post's public conversation, as its page shows it: the replies the
// fediverse addressed to everyone (public or unlisted) and the account's
// own public answers to them. A reply sent to its author's followers only,
// or directly, was not said in public, and a public page never shows it;
// nor a reply its author deleted.

// maxConversation is how many replies a post's page shows, oldest first:
// enough for a ministry's usual thread, and the page, long replies and
// answers included, stays within its 14 KB (measured by
// TestPostPageWithAFullConversationIsLight).
const maxConversation = 30

// maxReplyShown is how much of a reply's text the page shows, about a
// short post's length; the rest is on the author's instance, linked.
const maxReplyShown = 280

// PublicReply is a public reply to a published post, with the account's
// public answers to it.
type PublicReply struct {
	ID          string    `db:"id"`
	ActorName   string    `db:"actor_name"`
	ActorHandle string    `db:"actor_handle"` // user@instance
	Host        string    `db:"host"`
	URL         string    `db:"url"` // the reply on its instance, when it gave one there
	Text        string    `db:"text"`
	Warning     string    `db:"warning"`
	Language    string    `db:"language"`
	PublishedAt time.Time `db:"published_at"`
	// Cut tells that Text was shortened to maxReplyShown.
	Cut     bool   `db:"-"`
	Answers []Post `db:"-"`
}

// PublicConversation returns the first public replies to a published post,
// oldest first, each with the account's published public answers to it,
// and whether there are more.
func (s *Service) PublicConversation(ctx context.Context, p Post) ([]PublicReply, bool, error) {
	var out []PublicReply
	if err := s.db.R().Select(ctx, &out, `SELECT i.id, i.actor_name, i.actor_handle, i.host, i.url, i.text, i.warning, i.language, i.published_at
		FROM pd_inbox i WHERE i.reply_to_post = ? AND i.account_id = ? AND i.visibility IN ('public', 'unlisted') AND NOT i.deleted
		ORDER BY i.published_at, i.id LIMIT ?`, p.ID, p.AccountID, maxConversation+1); err != nil {
		return nil, false, core.Wrap("publicdiplomacy: conversation", err)
	}
	more := len(out) > maxConversation
	if more {
		out = out[:maxConversation]
	}
	if len(out) == 0 {
		return out, false, nil
	}
	ids := make([]any, len(out))
	at := make(map[string]int, len(out))
	for k := range out {
		ids[k], at[out[k].ID] = out[k].ID, k
		if r := []rune(out[k].Text); len(r) > maxReplyShown {
			out[k].Text, out[k].Cut = string(r[:maxReplyShown])+"…", true
		}
	}
	var answers []Post
	if err := s.db.R().Select(ctx, &answers, `SELECT `+postCols+postFrom+` WHERE p.reply_item IN (`+marks(len(ids))+`) AND p.account_id = ?
		AND p.state = 'published' AND p.visibility IN ('public', 'unlisted') ORDER BY p.published_at, p.id LIMIT ?`,
		append(ids, p.AccountID, 2*maxConversation)...); err != nil {
		return nil, false, core.Wrap("publicdiplomacy: conversation answers", err)
	}
	if err := s.loadMedia(ctx, answers); err != nil {
		return nil, false, core.Wrap("publicdiplomacy: conversation answers", err)
	}
	for _, a := range answers {
		k := at[a.ReplyItem]
		out[k].Answers = append(out[k].Answers, a)
	}
	return out, more, nil
}
