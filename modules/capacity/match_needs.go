package capacity

import (
	"cmp"
	"context"
	"slices"
)

// NeedMatch is an open need ranked for an offer, with the reasons the
// matching gives for the pair.
type NeedMatch struct {
	Need    Need     `json:"need"`
	Score   int      `json:"score"`
	Reasons []Reason `json:"reasons"`
}

// SuggestedNeeds ranks the open needs the actor may see, here and the
// peers' copies, for one offer: the same rules and points as Suggestions,
// from the donor's side. Ties go to the need with the smaller id.
func (s *Service) SuggestedNeeds(ctx context.Context, o Offer, limit int) ([]NeedMatch, error) {
	needs, err := s.ListNeeds(ctx, "", "")
	if err != nil {
		return nil, err
	}
	projects, err := s.List(ctx, Filter{})
	if err != nil {
		return nil, err
	}
	m := NewMatcher([]Offer{o}, PastWork(projects))
	var out []NeedMatch
	for _, n := range needs {
		if n.Status != NeedOpen || n.OrgID != "" && n.OrgID == o.OrgID {
			continue
		}
		if got := m.Match(n, 1); len(got) == 1 {
			out = append(out, NeedMatch{Need: n, Score: got[0].Score, Reasons: got[0].Reasons})
		}
	}
	slices.SortStableFunc(out, func(a, b NeedMatch) int {
		if c := cmp.Compare(b.Score, a.Score); c != 0 {
			return c
		}
		return cmp.Compare(a.Need.ID, b.Need.ID)
	})
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}
