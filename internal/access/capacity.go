package access

import (
	"strings"

	"entente.example/entente/core"
)

// Capacity building. Public projects are anyone's, signed in or not; a
// shared project is its owning organisation's and the named organisations'
// (by address, here or on peers). An organisation's admins, officers and
// analysts write its projects, needs and offers; everyone in it but
// observers reads what is shared with it. Which projects a reader sees is
// CapacityFilter's, a condition every query of projects carries. Node
// administrators get no pass.
const (
	CapacityPublic Action = "capacity.public"
	CapacityRead   Action = "capacity.read"
	CapacityWrite  Action = "capacity.write"
)

func init() {
	policy[CapacityPublic] = rule{anonymous: true}
	policy[CapacityRead] = rule{allow: memberWith(core.RoleAdmin, core.RoleOfficer, core.RoleAnalyst, core.RoleInvestigator, core.RoleAuthority, core.RoleMember)}
	policy[CapacityWrite] = rule{write: true, allow: memberWith(core.RoleAdmin, core.RoleOfficer, core.RoleAnalyst)}
}

// CapacityReaders returns the ids and addresses (handle@host) of the
// organisations for which a reads capacity records: CapacityFilter's two
// lists.
func CapacityReaders(a core.Actor, host string) (ids, addrs []string) {
	for _, m := range a.Memberships {
		if Check(a, CapacityRead, Resource{OrgID: m.Org.ID}) == nil {
			ids = append(ids, m.Org.ID)
			addrs = append(addrs, m.Org.Handle+"@"+host)
		}
	}
	return ids, addrs
}

// CapacityFilter is the condition on the cap_projects row aliased p that
// lets the organisations (ids on this node, addrs their addresses) see it:
// a public project is anyone's, the owner sees its own, and a shared one
// its named organisations.
func CapacityFilter(ids, addrs []string) (string, []any) {
	return CapacityFilterOn("p", "cap_shares", "project_id", ids, addrs)
}

// CapacityFilterOn is CapacityFilter's rule for any capacity record (a
// project, need or offer): the row aliased alias, its addresses in the
// table shares under the column key. The names are the caller's constants,
// never input.
func CapacityFilterOn(alias, shares, key string, ids, addrs []string) (string, []any) {
	public := `(` + alias + `.visibility = 'public')`
	if len(ids) == 0 {
		return public, nil
	}
	marks := func(n int) string { return "(" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")" }
	var args []any
	for _, id := range ids {
		args = append(args, id)
	}
	for _, a := range addrs {
		args = append(args, a)
	}
	return public + ` OR ` + alias + `.org_id IN ` + marks(len(ids)) + ` OR (` + alias + `.visibility = 'shared' AND ` + alias + `.id IN (SELECT s.` + key + ` FROM ` + shares + ` s WHERE s.addr IN ` + marks(len(addrs)) + `))`, args
}
