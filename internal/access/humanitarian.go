package access

import (
	"slices"

	"entente.example/entente/core"
)

// Humanitarian coordination. An emergency's public face is anyone's without
// signing in, as OCHA publishes 3W and FTS publishes funding: its
// information page, the map and list of verified reports, its who does what
// where, its appeals and funding flows. Anyone may send a report without an
// account (the public form, throttled; the SMS and mail gateways, which
// prove themselves with a shared secret). The emergency's coordinators (the admins, officers
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
	HumWrite  Action = "humanitarian.write"
)

var humWriters = []core.Role{core.RoleAdmin, core.RoleOfficer, core.RoleAnalyst}

func init() {
	policy[HumPublic] = rule{anonymous: true}
	policy[HumReport] = rule{anonymous: true, write: true}
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
