package publicdiplomacy

import (
	"context"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/store"
	"entente.example/entente/modules/publicdiplomacy/ap"
)

// Following: an account follows others (a partner ministry, an embassy
// elsewhere) to read them and to boost what it should amplify.

// Follow makes an account follow user@host; the other side answers with
// Accept or Reject.
func (s *Service) Follow(ctx context.Context, accountID, acct string) (RemoteActor, error) {
	acc, err := s.Account(ctx, accountID)
	if err != nil {
		return RemoteActor{}, err
	}
	if err := may(ctx, access.PDApprove, acc.OrgID); err != nil {
		return RemoteActor{}, err
	}
	acct = strings.TrimSpace(acct)
	if strings.Count(strings.TrimPrefix(acct, "@"), "@") != 1 {
		return RemoteActor{}, (core.Problems{"acct": "err.pd_acct"}).Err("publicdiplomacy: follow")
	}
	them, err := s.ResolveAcct(ctx, acc, acct)
	if err != nil {
		ce := core.AsError((core.Problems{"acct": "err.pd_acct_unreachable"}).Err("publicdiplomacy: follow"))
		ce.Err = err // for the log: why it could not be reached
		return RemoteActor{}, ce
	}
	if them.URI == s.ActorURL(acc.Username) {
		return RemoteActor{}, (core.Problems{"acct": "err.pd_acct_self"}).Err("publicdiplomacy: follow")
	}
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		me := s.ActorURL(acc.Username)
		id := me + "#follows/" + core.NewID(tx.Now)
		if _, err := tx.Exec(ctx, `INSERT INTO pd_following (account_id, actor, follow_id, state, created_at) VALUES (?, ?, ?, 'pending', ?)
			ON CONFLICT (account_id, actor) DO UPDATE SET follow_id = excluded.follow_id, state = CASE WHEN pd_following.state = 'accepted' THEN 'accepted' ELSE 'pending' END`,
			acc.ID, them.URI, id, tx.Now); err != nil {
			return err
		}
		act := ap.Activity{ID: id, Type: "Follow", Actor: me, Object: them.URI, To: []string{them.URI}}
		if err := s.queueDelivery(ctx, tx, acc, act, []string{them.Inbox}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "publicdiplomacy.follow", "pd_account", acc.ID, acc.OrgID, them.Acct())
	})
	return them, err
}

// Unfollow undoes a follow.
func (s *Service) Unfollow(ctx context.Context, accountID, actor string) error {
	acc, err := s.Account(ctx, accountID)
	if err != nil {
		return err
	}
	if err := may(ctx, access.PDApprove, acc.OrgID); err != nil {
		return err
	}
	var f struct {
		FollowID string `db:"follow_id"`
	}
	if err := s.db.R().Get(ctx, &f, `SELECT follow_id FROM pd_following WHERE account_id = ? AND actor = ?`, acc.ID, actor); err != nil {
		return err
	}
	var inbox string
	if err := s.db.R().Get(ctx, &inbox, `SELECT inbox FROM pd_actors WHERE uri = ?`, actor); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM pd_following WHERE account_id = ? AND actor = ?`, acc.ID, actor); err != nil {
			return err
		}
		me := s.ActorURL(acc.Username)
		act := ap.Activity{ID: f.FollowID + "/undo", Type: "Undo", Actor: me, Object: &ap.Activity{ID: f.FollowID, Type: "Follow", Actor: me, Object: actor}, To: []string{actor}}
		if err := s.queueDelivery(ctx, tx, acc, act, []string{inbox}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "publicdiplomacy.unfollow", "pd_account", acc.ID, acc.OrgID, actor)
	})
}

// Following is one account another follows.
type Following struct {
	Actor    string `db:"actor"`
	State    string `db:"state"`
	Username string `db:"username"`
	Host     string `db:"host"`
	Name     string `db:"name"`
	URL      string `db:"url"`
}

// Followings lists whom an account follows.
func (s *Service) Followings(ctx context.Context, accountID string) ([]Following, error) {
	var out []Following
	err := s.db.R().Select(ctx, &out, `SELECT f.actor, f.state, COALESCE(a.username, '') AS username, COALESCE(a.host, '') AS host, COALESCE(a.name, '') AS name, COALESCE(a.url, '') AS url
		FROM pd_following f LEFT JOIN pd_actors a ON a.uri = f.actor WHERE f.account_id = ? ORDER BY f.created_at`, accountID)
	return out, err
}

// Boost shares a post (ours or one that arrived) with the account's
// followers: an Announce.
func (s *Service) Boost(ctx context.Context, accountID, uri string) error {
	acc, err := s.Account(ctx, accountID)
	if err != nil {
		return err
	}
	if err := may(ctx, access.PDApprove, acc.OrgID); err != nil {
		return err
	}
	// Only what its author made public may be shared with everyone: a
	// boost of a direct or followers-only post would publish it.
	var author string
	if err := s.db.R().Get(ctx, &author, `SELECT actor FROM pd_inbox WHERE uri = ? AND account_id = ? AND NOT deleted AND visibility IN ('public', 'unlisted')`, uri, acc.ID); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		me := s.ActorURL(acc.Username)
		act := ap.Activity{ID: me + "#boosts/" + core.NewID(tx.Now), Type: "Announce", Actor: me, Object: uri, To: []string{ap.Public}, Cc: []string{author, me + "/followers"}, Published: tx.Now}
		if err := s.sendToFollowers(ctx, tx, acc, act, []string{author}); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "publicdiplomacy.boost", "pd_inbox", uri, acc.OrgID, uri)
	})
}

// Counts are the node's accounts and published posts, for NodeInfo.
func (s *Service) Counts(ctx context.Context) (accounts, posts int, err error) {
	if err = s.db.R().Get(ctx, &accounts, `SELECT COUNT(*) FROM pd_accounts`); err != nil {
		return
	}
	err = s.db.R().Get(ctx, &posts, `SELECT COUNT(*) FROM pd_posts WHERE state = 'published' AND visibility IN ('public', 'unlisted')`)
	return
}

func (s *Service) countPublic(ctx context.Context, accountID string) (int, error) {
	var n int
	err := s.db.R().Get(ctx, &n, `SELECT COUNT(*) FROM pd_posts WHERE account_id = ? AND state = 'published' AND visibility IN ('public', 'unlisted')`, accountID)
	return n, err
}

func (s *Service) countFollowing(ctx context.Context, accountID string) (int, error) {
	var n int
	err := s.db.R().Get(ctx, &n, `SELECT COUNT(*) FROM pd_following WHERE account_id = ? AND state = 'accepted'`, accountID)
	return n, err
}

// PublicPosts lists an account's published public posts, newest first
// (tag, if set, keeps those with the hashtag).
func (s *Service) PublicPosts(ctx context.Context, accountID, tag string, offset, limit int) ([]Post, error) {
	q := `SELECT ` + postCols + postFrom + ` WHERE p.state = 'published' AND p.visibility IN ('public', 'unlisted')`
	var args []any
	if accountID != "" {
		q += ` AND p.account_id = ?`
		args = append(args, accountID)
	}
	if tag != "" {
		q += ` AND LOWER(p.content) LIKE ?`
		args = append(args, "%#"+strings.ToLower(strings.NewReplacer("%", "", "_", "").Replace(tag))+"%")
	}
	args = append(args, limit, offset)
	var out []Post
	if err := s.db.R().Select(ctx, &out, q+` ORDER BY p.published_at DESC, p.id DESC LIMIT ? OFFSET ?`, args...); err != nil {
		return nil, err
	}
	return out, s.loadMedia(ctx, out)
}

// knownMentions are a post's mentions resolved from actors already known,
// without fetching (for documents served on request).
func (s *Service) knownMentions(ctx context.Context, text string) []Mention {
	var out []Mention
	for _, acct := range s.render(text, nil).Mentions {
		m := Mention{Acct: acct}
		user, host, _ := strings.Cut(acct, "@")
		var a RemoteActor
		if strings.EqualFold(host, s.Host()) {
			m.Actor, m.URL = s.ActorURL(strings.ToLower(user)), s.ActorURL(strings.ToLower(user))
		} else if err := s.db.R().Get(ctx, &a, `SELECT * FROM pd_actors WHERE LOWER(username) = LOWER(?) AND host = ?`, user, strings.ToLower(host)); err == nil {
			m.Actor, m.URL = a.URI, a.URL
			if m.URL == "" {
				m.URL = a.URI
			}
		}
		out = append(out, m)
	}
	return out
}
