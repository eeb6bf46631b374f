package directory

import (
	"context"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/internal/store"
)

// orgByHandle reads one organisation.
func orgByHandle(ctx context.Context, q store.Conn, handle string) (Organisation, error) {
	var o Organisation
	err := q.Get(ctx, &o, `SELECT `+orgColumns+` FROM organisations WHERE handle = ?`, handle)
	return o, core.Wrap("directory: organisation "+handle, err)
}

// listOrgs pages through organisations in handle order; the cursor is the last
// handle seen, so a page never repeats or skips rows while others are added.
func listOrgs(ctx context.Context, q store.Conn, f OrgFilter, page core.Page) ([]Organisation, string, error) {
	where := []string{"handle > ?"}
	args := []any{page.Cursor}
	if f.Q != "" {
		where = append(where, `(LOWER(handle) LIKE ? ESCAPE '\' OR LOWER(name_en) LIKE ? ESCAPE '\' OR LOWER(name_id) LIKE ? ESCAPE '\' OR LOWER(acronym) LIKE ? ESCAPE '\')`)
		l := store.Like(f.Q)
		args = append(args, l, l, l, l)
	}
	if f.Kind != "" {
		where = append(where, "kind = ?")
		args = append(args, string(f.Kind))
	}
	if f.Country != "" {
		where = append(where, "country = ?")
		args = append(args, f.Country)
	}
	args = append(args, page.Limit+1)
	var os []Organisation
	if err := q.Select(ctx, &os, `SELECT `+orgColumns+` FROM organisations WHERE `+strings.Join(where, " AND ")+` ORDER BY handle LIMIT ?`, args...); err != nil {
		return nil, "", core.Wrap("directory: list organisations", err)
	}
	next := ""
	if len(os) > page.Limit {
		os = os[:page.Limit]
		next = os[len(os)-1].Handle
	}
	return os, next, nil
}

func membersOf(ctx context.Context, q store.Conn, orgID string) ([]Member, error) {
	var ms []Member
	err := q.Select(ctx, &ms, `SELECT m.user_id, u.name, u.email, u.title, m.role, u.activated_at, u.disabled
		FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = ? ORDER BY u.name, u.id`, orgID)
	return ms, core.Wrap("directory: members", err)
}

const personColumns = `u.id, u.name, u.email, u.title, u.activated_at, u.disabled`

func listPeople(ctx context.Context, q store.Conn, f PersonFilter, page core.Page) ([]Person, string, error) {
	where := []string{"u.id > ?"}
	args := []any{page.Cursor}
	if f.Q != "" {
		where = append(where, `(LOWER(u.name) LIKE ? ESCAPE '\' OR u.email LIKE ? ESCAPE '\' OR LOWER(u.title) LIKE ? ESCAPE '\')`)
		l := store.Like(f.Q)
		args = append(args, l, l, l)
	}
	if f.OrgHandle != "" || f.Role != "" {
		sub := `EXISTS (SELECT 1 FROM memberships m JOIN organisations o ON o.id = m.org_id WHERE m.user_id = u.id`
		if f.OrgHandle != "" {
			sub += ` AND o.handle = ?`
			args = append(args, f.OrgHandle)
		}
		if f.Role != "" {
			sub += ` AND m.role = ?`
			args = append(args, string(f.Role))
		}
		where = append(where, sub+")")
	}
	args = append(args, page.Limit+1)
	var ps []Person
	if err := q.Select(ctx, &ps, `SELECT `+personColumns+` FROM users u WHERE `+strings.Join(where, " AND ")+` ORDER BY u.id LIMIT ?`, args...); err != nil {
		return nil, "", core.Wrap("directory: list people", err)
	}
	next := ""
	if len(ps) > page.Limit {
		ps = ps[:page.Limit]
		next = ps[len(ps)-1].ID
	}
	if err := attachRoles(ctx, q, ps); err != nil {
		return nil, "", err
	}
	return ps, next, nil
}

// attachRoles loads the memberships of a page of people in one query.
func attachRoles(ctx context.Context, q store.Conn, ps []Person) error {
	if len(ps) == 0 {
		return nil
	}
	ids := make([]any, len(ps))
	marks := make([]string, len(ps))
	byID := map[string]int{}
	for i, p := range ps {
		ids[i], marks[i], byID[p.ID] = p.ID, "?", i
	}
	var rs []PersonRole
	if err := q.Select(ctx, &rs, `SELECT m.user_id, m.org_id, o.handle, o.name_en, o.name_id, o.kind, m.role
		FROM memberships m JOIN organisations o ON o.id = m.org_id WHERE m.user_id IN (`+strings.Join(marks, ",")+`) ORDER BY o.handle`, ids...); err != nil {
		return core.Wrap("directory: roles", err)
	}
	for _, r := range rs {
		i := byID[r.UserID]
		ps[i].Roles = append(ps[i].Roles, r)
	}
	return nil
}
