package publicdiplomacy

import (
	"context"
	"strconv"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/web"
)

// What monitoring asks of people: once a day, an e-mail to each
// organisation's readers with the items that matched its keywords since
// the last one (none when nothing matched); on the home page, the matches
// of the last day.

// digestTitles is how many titles a digest names; the link shows the rest.
const digestTitles = 5

// readerRolesPD are the roles that read monitoring, as access decides it.
func readerRolesPD() []core.Role {
	var out []core.Role
	for _, r := range core.Roles {
		a := core.Actor{UserID: "u", Memberships: []core.Membership{{Org: core.OrgRef{ID: "o"}, Role: r}}}
		if access.Check(a, access.PDRead, access.Resource{OrgID: "o"}) == nil {
			out = append(out, r)
		}
	}
	return out
}

// SendDigests e-mails each organisation that monitors feeds the items that
// matched since its last digest, prunes old unflagged items, and returns
// how many organisations were e-mailed. The first digest covers the last
// day.
func (s *Service) SendDigests(ctx context.Context) (int, error) {
	var orgs []struct {
		ID     string     `db:"id"`
		NameEN string     `db:"name_en"`
		NameID string     `db:"name_id"`
		SentAt *time.Time `db:"sent_at"`
	}
	if err := s.db.R().Select(ctx, &orgs, `SELECT o.id, o.name_en, o.name_id, d.sent_at FROM organisations o LEFT JOIN pd_feed_digests d ON d.org_id = o.id
		WHERE EXISTS (SELECT 1 FROM pd_feeds f WHERE f.org_id = o.id) ORDER BY o.handle`); err != nil {
		return 0, core.Wrap("publicdiplomacy: digests", err)
	}
	sent := 0
	for _, o := range orgs {
		err := s.db.WithTx(ctx, func(tx *store.Tx) error {
			since := tx.Now.Add(-24 * time.Hour)
			if o.SentAt != nil {
				since = *o.SentAt
			}
			var items []struct {
				Title   string `db:"title"`
				Matched string `db:"matched"`
			}
			if err := tx.Select(ctx, &items, `SELECT title, matched FROM pd_feed_items WHERE org_id = ? AND alert AND fetched_at > ? AND fetched_at <= ?
				ORDER BY published_at DESC, id DESC LIMIT 500`, o.ID, since, tx.Now); err != nil {
				return err
			}
			if len(items) > 0 && s.opt.Notify != nil {
				var titles, words []string
				seen := map[string]bool{}
				for i, it := range items {
					if i < digestTitles {
						titles = append(titles, "“"+firstLine(it.Title)+"”")
					}
					for _, w := range strings.Split(it.Matched, "\n") {
						if w != "" && !seen[strings.ToLower(w)] {
							seen[strings.ToLower(w)] = true
							words = append(words, w)
						}
					}
				}
				n := strconv.Itoa(len(items))
				if len(items) == 500 {
					n = "500+"
				}
				args := notify.Args{"org": o.NameEN, "count": n, "keywords": strings.Join(words, ", "), "titles": strings.Join(titles, "; ")}
				if o.NameID != "" {
					args["org@id"] = o.NameID
				}
				if err := s.opt.Notify.NotifyOrg(ctx, tx, o.ID, readerRolesPD(), notify.PDFeedDigest, "/monitoring?matched=1", args); err != nil {
					return err
				}
				sent++
			}
			_, err := tx.Exec(ctx, `INSERT INTO pd_feed_digests (org_id, sent_at) VALUES (?, ?) ON CONFLICT (org_id) DO UPDATE SET sent_at = excluded.sent_at`, o.ID, tx.Now)
			return err
		})
		if err != nil {
			return sent, core.Wrap("publicdiplomacy: digest", err)
		}
	}
	// Items nobody flagged or acted on are kept for a while, then dropped:
	// the monitoring list is news, not an archive.
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		old := tx.Now.Add(-itemsKept)
		_, err := tx.Exec(ctx, `DELETE FROM pd_feed_items WHERE matched = '' AND inbox_id = '' AND fetched_at < ? AND published_at < ?`, old, old)
		return err
	})
	return sent, core.Wrap("publicdiplomacy: prune items", err)
}

// attentionItems is how many matched items the home page names; more are
// counted.
const attentionItems = 3

// feedAttention is monitoring's part of the home page: the items that
// matched the keywords of the actor's organisations in the last day,
// newest first, the first few by title and the rest counted.
func (m *Module) feedAttention(ctx context.Context, a core.Actor) ([]web.Attention, error) {
	ctx = core.WithActor(ctx, a)
	orgs := readOrgs(ctx)
	if len(orgs) == 0 {
		return nil, nil
	}
	args := append([]any{m.svc.Now().Add(-24 * time.Hour)}, orgs...)
	var items []FeedItem
	if err := m.svc.db.R().Select(ctx, &items, `SELECT `+feedItemCols+feedItemFrom+` WHERE i.alert AND i.fetched_at > ? AND i.org_id IN (`+marks(len(orgs))+`)
		ORDER BY i.published_at DESC, i.id DESC LIMIT 100`, args...); err != nil {
		return nil, core.Wrap("publicdiplomacy: feed attention", err)
	}
	var out []web.Attention
	for i, it := range items {
		it.decode()
		if i == attentionItems {
			out = append(out, web.Attention{Key: "attn.pd_feed_more", Args: []any{len(items) - attentionItems}, Link: "/monitoring?matched=1"})
			break
		}
		out = append(out, web.Attention{Key: "attn.pd_feed_match", Args: []any{firstLine(it.Title), strings.Join(it.Matched, ", ")}, Link: "/monitoring?matched=1&feed=" + it.FeedID})
	}
	return out, nil
}
