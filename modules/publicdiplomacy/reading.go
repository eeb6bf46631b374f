package publicdiplomacy

import (
	"context"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
)

// Reading: what the accounts an account follows have posted, kept apart
// from the web-care queue (nobody has to answer it), so that the press
// office reads its partners and can reply to them or boost them.

// ReadingPage is how many posts a page of reading shows.
const ReadingPage = 15

// maxReadingPage bounds the pages: older posts are on their authors'
// instances.
const maxReadingPage = 50

// Reading is one page of what arrived for an account from those it
// follows, newest first.
type Reading struct {
	Account Account
	Items   []Item
	// More is true when older posts follow.
	More bool
	// Following is how many accounts it follows (accepted), to tell an
	// empty page from an account that reads nobody.
	Following int
}

// Reading lists a page (from 1) of the posts that arrived for an account
// from the accounts it follows.
func (s *Service) Reading(ctx context.Context, accountID string, page int) (Reading, error) {
	var out Reading
	if page < 1 || page > maxReadingPage {
		return out, (core.Problems{"page": "err.pd_filter"}).Err("publicdiplomacy: reading")
	}
	acc, err := s.Account(ctx, accountID)
	if err != nil {
		if core.KindOf(err) == core.KindNotFound {
			return out, (core.Problems{"account": "err.pd_account_unknown"}).Err("publicdiplomacy: reading")
		}
		return out, err
	}
	if err := may(ctx, access.PDRead, acc.OrgID); err != nil {
		// Another organisation's account is not one to choose.
		return out, (core.Problems{"account": "err.pd_account_unknown"}).Err("publicdiplomacy: reading")
	}
	out.Account = acc
	if err := s.db.R().Select(ctx, &out.Items, `SELECT `+itemCols+itemFrom+` WHERE i.account_id = ? AND i.queue = FALSE AND i.kind = ? AND NOT i.deleted
		ORDER BY i.received_at DESC, i.id DESC LIMIT ? OFFSET ?`, acc.ID, ItemTimeline, ReadingPage+1, (page-1)*ReadingPage); err != nil {
		return out, core.Wrap("publicdiplomacy: reading", err)
	}
	if len(out.Items) > ReadingPage {
		out.Items, out.More = out.Items[:ReadingPage], true
	}
	if out.Following, err = s.countFollowing(ctx, acc.ID); err != nil {
		return out, core.Wrap("publicdiplomacy: reading", err)
	}
	return out, nil
}

// BoostItem boosts a post that arrived, from the account it arrived for.
// Only a public or unlisted post may be boosted: boosting a post for
// followers or a direct message would show everyone what its author meant
// for a few.
func (s *Service) BoostItem(ctx context.Context, itemID string) (Item, error) {
	it, err := s.Item(ctx, itemID)
	if err != nil {
		return it, err
	}
	if err := may(ctx, access.PDApprove, it.OrgID); err != nil {
		return it, err
	}
	switch {
	case it.Deleted:
		return it, conflict("err.pd_boost_deleted")
	case it.Visibility != "public" && it.Visibility != "unlisted":
		return it, conflict("err.pd_boost_private")
	}
	return it, s.Boost(ctx, it.AccountID, it.URI)
}
