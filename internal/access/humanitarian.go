package access

import (
	"slices"

	"entente.example/entente/core"
)

// Humanitarian coordination. An emergency's public face is anyone's without
// signing in: its information page, the map and list of verified reports,
// its appeal, its who-does-what-where. Anyone may send a report without an
// account (the public form, throttled; the SMS and mail gateways, which
// prove themselves with a shared secret). Signed-in members of any
// organisation read the coordination views (activities, funding flows,
// reports' substance). The emergency's coordinators (the admins, officers
// and analysts of its lead organisation and of the organisations it names
// as coordinators) verify or reject reports, see every report whatever its
// status, and alone see a reporter's name and contact; they keep the
// emergency's public information. An organisation's admins, officers and
// analysts write its own activities, appeals and contributions. Node
// administrators get no pass.
const (
	HumPublic Action = "humanitarian.public"
	// HumReport is sending a report or a gateway's message without an
	// account; the module throttles the form and checks gateway secrets.
	HumReport Action = "humanitarian.report"
	HumRead   Action = "humanitarian.read"
	HumWrite  Action = "humanitarian.write"
)

var humWriters = []core.Role{core.RoleAdmin, core.RoleOfficer, core.RoleAnalyst}

func init() {
	policy[HumPublic] = rule{anonymous: true}
	policy[HumReport] = rule{anonymous: true, write: true}
	policy[HumRead] = rule{allow: memberWith(core.RoleAdmin, core.RoleOfficer, core.RoleAnalyst, core.RoleInvestigator, core.RoleAuthority, core.RoleMember)}
	policy[HumWrite] = rule{write: true, allow: memberWith(humWriters...)}
}

// HumCoordinator reports whether a coordinates an emergency whose
// coordinating organisations (on this node) are orgIDs: it may verify and
// reject reports, read every report with its reporter's contact, and keep
// the emergency's public information.
func HumCoordinator(a core.Actor, orgIDs []string) bool {
	for _, m := range a.Memberships {
		if slices.Contains(orgIDs, m.Org.ID) && slices.Contains(humWriters, m.Role) && Check(a, HumWrite, Resource{OrgID: m.Org.ID}) == nil {
			return true
		}
	}
	return false
}

// HumWriter reports whether a writes humanitarian records (activities,
// appeals, contributions) for the organisation orgID.
func HumWriter(a core.Actor, orgID string) bool {
	return orgID != "" && Check(a, HumWrite, Resource{OrgID: orgID}) == nil
}
