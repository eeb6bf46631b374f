package publicdiplomacy

import (
	"context"
	"strconv"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/web"
)

// What public diplomacy asks of a person on the home page: the messages
// waiting for their approval (someone else's: the second pair of eyes),
// their own drafts that came back to them, the web-care items nobody has
// taken yet, the disinformation cases to review and the monitoring's
// matches.

// attentionMax is how many messages of one kind the home page names; the
// rest are in the newsroom.
const attentionMax = 10

// Waiting is what the newsroom asks of the actor in ctx: the messages
// under review they may approve and did not write, and their drafts
// returned to them (submitted once, now drafts again).
func (s *Service) Waiting(ctx context.Context) (review, returned []Message, err error) {
	a := core.ActorFrom(ctx)
	if orgs := access.Orgs(a, access.PDApprove); len(orgs) > 0 {
		args := []any{a.UserID, "% " + a.UserID + " %"}
		for _, o := range orgs {
			args = append(args, o)
		}
		var groups []string
		if err := s.db.R().Select(ctx, &groups, `SELECT p.group_id FROM pd_posts p JOIN pd_accounts a ON a.id = p.account_id
			WHERE p.state = 'review' AND p.reply_item = '' AND p.created_by <> ? AND (' ' || p.authors || ' ') NOT LIKE ? AND a.org_id IN (`+marks(len(orgs))+`)
			GROUP BY p.group_id ORDER BY MIN(p.submitted_at), p.group_id LIMIT `+strconv.Itoa(attentionMax+1), args...); err != nil {
			return nil, nil, core.Wrap("publicdiplomacy: waiting", err)
		}
		if review, err = s.groups(ctx, groups, PostReview); err != nil {
			return nil, nil, err
		}
	}
	if orgs := access.Orgs(a, access.PDWrite); len(orgs) > 0 {
		args := []any{a.UserID}
		for _, o := range orgs {
			args = append(args, o)
		}
		var groups []string
		if err := s.db.R().Select(ctx, &groups, `SELECT p.group_id FROM pd_posts p JOIN pd_accounts a ON a.id = p.account_id
			WHERE p.state = 'draft' AND p.submitted_at IS NOT NULL AND p.reply_item = '' AND p.created_by = ? AND a.org_id IN (`+marks(len(orgs))+`)
			GROUP BY p.group_id ORDER BY MAX(p.updated_at) DESC, p.group_id LIMIT `+strconv.Itoa(attentionMax+1), args...); err != nil {
			return nil, nil, core.Wrap("publicdiplomacy: waiting", err)
		}
		if returned, err = s.groups(ctx, groups, PostDraft); err != nil {
			return nil, nil, err
		}
	}
	return review, returned, nil
}

// Corrections are the corrections of published posts waiting for the
// approval of the actor in ctx (someone else's).
func (s *Service) Corrections(ctx context.Context) ([]Post, error) {
	a := core.ActorFrom(ctx)
	orgs := access.Orgs(a, access.PDApprove)
	if len(orgs) == 0 {
		return nil, nil
	}
	args := []any{a.UserID}
	for _, o := range orgs {
		args = append(args, o)
	}
	var out []Post
	err := s.db.R().Select(ctx, &out, `SELECT `+postCols+postFrom+` WHERE p.state = 'published' AND p.correction_at IS NOT NULL AND p.correction_by <> ? AND a.org_id IN (`+marks(len(orgs))+`)
		ORDER BY p.correction_at, p.id LIMIT `+strconv.Itoa(attentionMax+1), args...)
	return out, core.Wrap("publicdiplomacy: corrections", err)
}

// NewItems counts the web-care items nobody has taken yet in the
// organisations the actor in ctx answers for.
func (s *Service) NewItems(ctx context.Context) (int, error) {
	orgs := access.Orgs(core.ActorFrom(ctx), access.PDWrite)
	if len(orgs) == 0 {
		return 0, nil
	}
	var args []any
	for _, o := range orgs {
		args = append(args, o)
	}
	var n int
	err := s.db.R().Get(ctx, &n, `SELECT COUNT(*) FROM pd_inbox i JOIN pd_accounts a ON a.id = i.account_id
		WHERE i.queue AND NOT i.deleted AND i.state = 'new' AND a.org_id IN (`+marks(len(orgs))+`)`, args...)
	return n, core.Wrap("publicdiplomacy: new items", err)
}

// Attention implements web.AttentionSource.
func (m *Module) Attention(ctx context.Context, a core.Actor) ([]web.Attention, error) {
	ctx = core.WithActor(ctx, a)
	if len(access.Orgs(a, access.PDRead)) == 0 {
		return nil, nil
	}
	review, returned, err := m.svc.Waiting(ctx)
	if err != nil {
		return nil, err
	}
	var out []web.Attention
	for i, msg := range review {
		if i == attentionMax {
			out = append(out, web.Attention{Key: "attn.pd_review_more", Link: "/newsroom#review"})
			break
		}
		p := msg.Lead()
		out = append(out, web.Attention{Key: "attn.pd_review", Args: []any{msg.Excerpt(), "@" + m.svc.Handle(p.Username), p.CreatedByName}, Link: "/newsroom/" + p.GroupID})
	}
	for i, msg := range returned {
		if i == attentionMax {
			out = append(out, web.Attention{Key: "attn.pd_returned_more", Link: "/newsroom#drafts"})
			break
		}
		out = append(out, web.Attention{Key: "attn.pd_returned", Args: []any{msg.Excerpt()}, Link: "/newsroom/" + msg.Lead().GroupID})
	}
	corrections, err := m.svc.Corrections(ctx)
	if err != nil {
		return nil, err
	}
	for i, p := range corrections {
		if i == attentionMax {
			break
		}
		out = append(out, web.Attention{Key: "attn.pd_correction", Args: []any{firstLine(p.Correction), "@" + m.svc.Handle(p.Username), p.CorrectionByName}, Link: "/newsroom/" + p.GroupID + "#correction-" + p.ID})
	}
	n, err := m.svc.NewItems(ctx)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		out = append(out, web.Attention{Key: "attn.pd_webcare_new", Args: []any{n}, Link: "/webcare"})
	}
	// Disinformation cases (web_cases.go) and monitoring (feeds_digest.go)
	// have their own parts.
	for _, part := range []func(context.Context, core.Actor) ([]web.Attention, error){m.caseAttention, m.feedAttention} {
		items, err := part(ctx, a)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
	}
	return out, nil
}

var _ web.AttentionSource = (*Module)(nil)
