package publicdiplomacy

import (
	"context"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/store"
)

// maxReturnNote bounds why a message was returned.
const maxReturnNote = 2000

// ReturnWithNote sends a message under review (or approved and waiting)
// back to its writer with why, which the message shows them while it is
// a draft again: a message returned without a word leaves its writer
// guessing what to change.
func (s *Service) ReturnWithNote(ctx context.Context, group, note string) ([]Post, error) {
	// Who may not return it learns nothing of the note's problems.
	cur, err := s.Group(ctx, group)
	if err != nil {
		return nil, err
	}
	if err := may(ctx, access.PDApprove, cur[0].OrgID); err != nil {
		return nil, err
	}
	note = strings.TrimSpace(note)
	p := core.Problems{}
	switch {
	case note == "":
		p.Add("note", "err.required")
	case len([]rune(note)) > maxReturnNote:
		p.Add("note", "err.too_long")
	}
	if msg := core.CheckText(note); msg != "" {
		p.Add("note", msg)
	}
	if err := p.Err("publicdiplomacy: return"); err != nil {
		return cur, err
	}
	return s.returnGroup(ctx, group, note)
}

// returnGroup moves a message back to draft, recording why (note, may be
// empty), by whom and when.
func (s *Service) returnGroup(ctx context.Context, group, note string) ([]Post, error) {
	a := core.ActorFrom(ctx)
	return s.step(ctx, group, access.PDApprove, []PostState{PostReview, PostScheduled}, func(ctx context.Context, tx *store.Tx, cur []Post) error {
		_, err := tx.Exec(ctx, `UPDATE pd_posts SET state = 'draft', approved_by = '', approved_by_name = '', approved_at = NULL,
			returned_note = ?, returned_by_name = ?, returned_at = ?, version = version + 1, updated_at = ? WHERE group_id = ?`, note, a.Name, tx.Now, tx.Now, group)
		return err
	}, "publicdiplomacy.return")
}
