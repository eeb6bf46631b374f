package publicdiplomacy

import (
	"context"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/internal/store"
	"entente.example/entente/modules/publicdiplomacy/ap"
)

// Posts that arrive. A post is kept for each of our accounts it concerns:
// a reply to one of its posts, a mention of it or a direct message to it
// go to the web-care queue; a post of an account it follows is kept as
// reading, outside the queue. Anything else is not ours to keep.

// Kinds of item that arrive.
const (
	ItemReply    = "reply"
	ItemMention  = "mention"
	ItemDirect   = "direct"
	ItemTimeline = "timeline"
)

// maxOpenPerActor is how many open web-care items one author may have
// with one account.
const maxOpenPerActor = 20

// maxText bounds what is kept of a remote post's text.
const maxText = 20000

func (s *Service) onCreate(ctx context.Context, tx *store.Tx, act ap.Incoming, from RemoteActor) error {
	o := act.Object
	if o == nil {
		return nil // only embedded objects: fetching every id would let anyone make us fetch anything
	}
	if o.AttributedTo != "" && o.AttributedTo != from.URI || !sameHost(o.ID, from) {
		return ErrNotActor
	}
	type target struct {
		acc  Account
		kind string
		post string
	}
	var targets []target
	add := func(acc Account, kind, post string) {
		for _, t := range targets {
			if t.acc.ID == acc.ID {
				return
			}
		}
		targets = append(targets, target{acc, kind, post})
	}
	vis := ap.Visibility(o.To, o.Cc, from.URI+"/followers")
	if o.InReplyTo != "" {
		if acc, post, ok := s.ourAccount(ctx, tx.Conn, o.InReplyTo); ok && post != "" {
			kind := ItemReply
			if vis == "direct" {
				kind = ItemDirect
			}
			add(acc, kind, post)
		}
	}
	var named []string
	for _, t := range o.Tag {
		if t.Type == "Mention" {
			named = append(named, t.Href)
		}
	}
	named = append(append(named, o.To...), o.Cc...)
	for _, uri := range named {
		if acc, rest, ok := s.ourAccount(ctx, tx.Conn, uri); ok && rest == "" {
			kind := ItemMention
			if vis == "direct" {
				kind = ItemDirect
			}
			add(acc, kind, "")
		}
	}
	var followers []string
	if err := tx.Select(ctx, &followers, `SELECT account_id FROM pd_following WHERE actor = ? AND state = 'accepted'`, from.URI); err != nil {
		return err
	}
	for _, id := range followers {
		if vis == "direct" {
			continue
		}
		if acc, err := s.account(ctx, tx.Conn, "a.id = ?", id); err == nil {
			add(acc, ItemTimeline, "")
		}
	}
	text := clean(ap.PlainText(o.Content))
	if r := []rune(text); len(r) > maxText {
		text = string(r[:maxText])
	}
	warning := clean(ap.PlainText(o.Summary))
	if r := []rune(warning); len(r) > 500 {
		warning = string(r[:500])
	}
	media := inboxMedia(o.Attachment, from)
	published := o.Published
	if published.IsZero() {
		published = tx.Now
	}
	for _, t := range targets {
		queue := t.kind != ItemTimeline
		if queue {
			// One author fills at most maxOpenPerActor places in an
			// account's queue: more is kept, out of the queue, so that a
			// flood from one account cannot bury everyone else's.
			var open int
			if err := tx.Get(ctx, &open, `SELECT COUNT(*) FROM pd_inbox WHERE account_id = ? AND actor = ? AND queue AND state IN ('new', 'assigned')`, t.acc.ID, from.URI); err != nil {
				return err
			}
			queue = open < maxOpenPerActor
		}
		id := core.NewID(tx.Now)
		n, err := tx.Exec(ctx, `INSERT INTO pd_inbox (id, uri, account_id, actor, actor_handle, actor_name, host, url, text, warning, language, in_reply_to, reply_to_post, visibility, kind, queue, published_at, received_at, media)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account_id, uri) DO NOTHING`,
			id, o.ID, t.acc.ID, from.URI, from.Acct(), from.Name, from.Host, cleanURL(o.URL, from), text, warning, clean(short(o.Language, 16)), o.InReplyTo, t.post, vis, t.kind, queue, published, tx.Now, media)
		if err != nil {
			return err
		}
		if n > 0 && queue {
			if err := s.arrived(ctx, tx, t.acc, id, t.kind, from.Acct(), text); err != nil {
				return err
			}
		}
	}
	return nil
}

// cleanURL keeps a post's link only if it is on the author's instance.
func cleanURL(u string, from RemoteActor) string {
	if u == "" || !sameHost(u, from) || !(strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://")) {
		return ""
	}
	return u
}

func short(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func (s *Service) onUpdate(ctx context.Context, tx *store.Tx, act ap.Incoming, from RemoteActor) error {
	if a := act.ObjectActor; a != nil {
		if a.ID != from.URI {
			return ErrNotActor
		}
		_, err := tx.Exec(ctx, `UPDATE pd_actors SET name = ?, url = ? WHERE uri = ?`, clean(short(ap.PlainText(a.Name), 200)), cleanURL(a.URL, from), from.URI)
		return err
	}
	o := act.Object
	if o == nil {
		return nil
	}
	if o.AttributedTo != "" && o.AttributedTo != from.URI {
		return ErrNotActor
	}
	text := clean(ap.PlainText(o.Content))
	if r := []rune(text); len(r) > maxText {
		text = string(r[:maxText])
	}
	_, err := tx.Exec(ctx, `UPDATE pd_inbox SET text = ?, warning = ?, media = ?, updated_at = ? WHERE uri = ? AND actor = ? AND NOT deleted`,
		text, clean(short(ap.PlainText(o.Summary), 500)), inboxMedia(o.Attachment, from), tx.Now, o.ID, from.URI)
	return err
}

func (s *Service) onDelete(ctx context.Context, tx *store.Tx, act ap.Incoming, from RemoteActor) error {
	if act.ObjectID == from.URI {
		// The account is gone: it follows nobody here any more, and what
		// it wrote is gone with it.
		if _, err := tx.Exec(ctx, `UPDATE pd_followers SET state = 'removed', removed_at = ? WHERE actor = ? AND removed_at IS NULL`, tx.Now, from.URI); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE pd_inbox SET deleted = TRUE, text = '', media = '[]' WHERE actor = ?`, from.URI)
		return err
	}
	_, err := tx.Exec(ctx, `UPDATE pd_inbox SET deleted = TRUE, text = '', media = '[]', updated_at = ? WHERE uri = ? AND actor = ?`, tx.Now, act.ObjectID, from.URI)
	return err
}
