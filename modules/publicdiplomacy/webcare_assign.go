package publicdiplomacy

import (
	"context"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/store"
)

// Colleague is a person of the organisation who answers the public.
type Colleague struct {
	ID   string `db:"id"`
	Name string `db:"name"`
}

// writerRoles are the roles that may answer web-care, as access decides.
func writerRoles() []any {
	var out []any
	for _, r := range core.Roles {
		a := core.Actor{UserID: "u", Memberships: []core.Membership{{Org: core.OrgRef{ID: "o"}, Role: r}}}
		if access.Check(a, access.PDWrite, access.Resource{OrgID: "o"}) == nil {
			out = append(out, string(r))
		}
	}
	return out
}

// Colleagues lists the people of an organisation who may answer its
// web-care, for the actor's choice of whom to give an item to.
func (s *Service) Colleagues(ctx context.Context, orgID string) ([]Colleague, error) {
	if err := may(ctx, access.PDWrite, orgID); err != nil {
		return nil, nil
	}
	roles := writerRoles()
	var out []Colleague
	err := s.db.R().Select(ctx, &out, `SELECT u.id, u.name FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.org_id = ? AND u.disabled = FALSE AND m.role IN (`+marks(len(roles))+`) ORDER BY u.name, u.id LIMIT 200`, append([]any{orgID}, roles...)...)
	return out, err
}

// AssignTo gives an item to a colleague who may answer it.
func (s *Service) AssignTo(ctx context.Context, id, userID string) (Item, error) {
	it, err := s.Item(ctx, id)
	if err != nil {
		return it, err
	}
	cs, err := s.Colleagues(ctx, it.OrgID)
	if err != nil {
		return it, err
	}
	var to *Colleague
	for i := range cs {
		if cs[i].ID == userID {
			to = &cs[i]
		}
	}
	if to == nil {
		return it, (core.Problems{"to": "err.pd_colleague"}).Err("publicdiplomacy: assign")
	}
	return s.itemStep(ctx, id, "publicdiplomacy.assign", func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE pd_inbox SET state = CASE WHEN state = 'new' THEN 'assigned' ELSE state END, assignee_id = ?, assignee_name = ? WHERE id = ?`, to.ID, to.Name, id)
		return err
	})
}
