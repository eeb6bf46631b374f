package access_test

import (
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
)

// TestStaffing is the rule of the package comment: node administrators staff
// an organisation only while it has no active admin; its admins always may.
func TestStaffing(t *testing.T) {
	nodeAdmin := core.Actor{UserID: "root", NodeAdmin: true}
	focal := core.Actor{UserID: "sari", Memberships: []core.Membership{{Org: core.OrgRef{ID: "kemlu"}, Role: core.RoleAdmin}}}
	officer := core.Actor{UserID: "bima", Memberships: []core.Membership{{Org: core.OrgRef{ID: "kemlu"}, Role: core.RoleOfficer}}}
	staffed := access.Resource{OrgID: "kemlu"}
	unstaffed := access.Resource{OrgID: "kemlu", Unstaffed: true}
	for _, tc := range []struct {
		who  string
		a    core.Actor
		act  access.Action
		r    access.Resource
		want bool
	}{
		{"node admin, staffed", nodeAdmin, access.OrgStaff, staffed, false},
		{"node admin, staffed, new person", nodeAdmin, access.PersonCreate, staffed, false},
		{"node admin, unstaffed", nodeAdmin, access.OrgStaff, unstaffed, true},
		{"node admin, unstaffed, new person", nodeAdmin, access.PersonCreate, unstaffed, true},
		{"node admin, route level", nodeAdmin, access.OrgStaff, access.Resource{}, true},
		{"node admin still edits the organisation", nodeAdmin, access.OrgManage, staffed, true},
		{"focal point, own organisation", focal, access.OrgStaff, staffed, true},
		{"focal point, own organisation, new person", focal, access.PersonCreate, staffed, true},
		{"focal point, another organisation", focal, access.OrgStaff, access.Resource{OrgID: "bssn", Unstaffed: true}, false},
		{"officer", officer, access.OrgStaff, staffed, false},
	} {
		if got := access.Can(tc.a, tc.act, tc.r); got != tc.want {
			t.Errorf("%s: Can(%s) = %v; want %v", tc.who, tc.act, got, tc.want)
		}
	}
}
