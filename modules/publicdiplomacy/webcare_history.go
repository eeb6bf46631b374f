package publicdiplomacy

import "context"

// historyMax is how many of an author's earlier messages an item shows.
const historyMax = 10

// History is what the item's author sent the same account before (and
// since), newest first: a press officer answers a person, not a message,
// and should see they asked twice already. Only the queue's items of the
// same account, which the reader of the item may read.
func (s *Service) History(ctx context.Context, it Item) ([]Item, error) {
	if it.Actor == "" {
		return nil, nil // a press item has no author on the fediverse
	}
	var out []Item
	err := s.db.R().Select(ctx, &out, `SELECT `+itemCols+itemFrom+` WHERE i.account_id = ? AND i.actor = ? AND i.id <> ? AND i.queue AND NOT i.deleted
		ORDER BY i.received_at DESC, i.id DESC LIMIT ?`, it.AccountID, it.Actor, it.ID, historyMax)
	return out, err
}
