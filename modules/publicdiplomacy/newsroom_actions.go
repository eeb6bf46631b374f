package publicdiplomacy

import (
	"context"
)

// DeleteMessage deletes every translation of a message: drafts are gone,
// published posts become tombstones the fediverse is told of (DeletePost,
// one post at a time, each in its own transaction: a Delete that went out
// for one language stands even if another's fails, and deleting again
// finishes the rest).
func (s *Service) DeleteMessage(ctx context.Context, group string) error {
	cur, err := s.Group(ctx, group)
	if err != nil {
		return err
	}
	for _, p := range cur {
		if p.State == PostDeleted {
			continue
		}
		if err := s.DeletePost(ctx, p.ID); err != nil {
			return err
		}
	}
	return nil
}
