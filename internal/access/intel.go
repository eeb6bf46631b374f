package access

import (
	"strings"

	"entente.example/entente/core"
)

// Threat intelligence. Reading is for an organisation's people but its
// observers, writing for its admins, officers and analysts; collections and
// their rights are the node administrators' (they decide which
// organisations, here and on peers, may read and write, and which peers'
// collections the node subscribes to); an organisation's admins and officers
// keep its sharing groups.
//
// Which objects a reader sees is not a yes or no on a route: it is
// IntelFilter, a condition every query of objects carries, so that no read
// path (TAXII, pages, API, search, exports, federation) can forget it.
const (
	IntelRead   Action = "intel.read"
	IntelWrite  Action = "intel.write"
	IntelAdmin  Action = "intel.admin"
	IntelGroups Action = "intel.groups"
	// IntelTAXII lets a request reach the TAXII server, which authenticates
	// it itself (Basic or Bearer with an API token) to answer in TAXII's own
	// error format; what it may then read is IntelFilter's.
	IntelTAXII Action = "intel.taxii"
)

func init() {
	readers := memberWith(core.RoleAdmin, core.RoleOfficer, core.RoleAnalyst, core.RoleInvestigator, core.RoleAuthority, core.RoleMember)
	policy[IntelRead] = rule{allow: readers}
	policy[IntelWrite] = rule{write: true, allow: memberWith(core.RoleAdmin, core.RoleOfficer, core.RoleAnalyst)}
	policy[IntelAdmin] = rule{write: true, allow: isNodeAdmin}
	policy[IntelGroups] = rule{write: true, allow: memberWith(core.RoleAdmin, core.RoleOfficer)}
	policy[IntelTAXII] = rule{anonymous: true, write: true}
}

// IntelOrgs returns the addresses (handle@host) of the organisations on
// whose behalf a may take the action on intelligence: a person reads for
// every organisation where their role allows it, never for others.
func IntelOrgs(a core.Actor, act Action, host string) []string {
	var out []string
	for _, id := range Orgs(a, act) {
		for _, m := range a.Memberships {
			if m.Org.ID == id {
				out = append(out, m.Org.Handle+"@"+host)
				break
			}
		}
	}
	return out
}

// IntelFilter is the condition on the intel_objects row aliased o that lets
// the organisations orgs see it: their organisation must have read on the
// collection, and then the object's audience decides. TLP:CLEAR and GREEN go
// to the collection's readers; AMBER and AMBER+STRICT to the members of the
// sharing group the object names, or to the collection's readers when it
// names none; RED only to the group's members. The organisation that owns an
// object always sees it. A group with no members lets nobody else in, and no
// organisations at all see nothing.
func IntelFilter(orgs []string) (string, []any) {
	if len(orgs) == 0 {
		return "1 = 0", nil
	}
	in := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(orgs)), ", ") + ")"
	args := make([]any, 0, 3*len(orgs))
	for range 3 {
		for _, o := range orgs {
			args = append(args, o)
		}
	}
	return `o.collection_id IN (SELECT r.collection_id FROM intel_rights r WHERE r.can_read = 1 AND r.org IN ` + in + `)
	AND (o.audience = 'collection' OR o.owner_org IN ` + in + `
	     OR (o.audience = 'group' AND o.group_id IN (SELECT g.group_id FROM intel_group_members g WHERE g.org IN ` + in + `)))`, args
}

// IntelAudience is where an object of label tlp goes, given the sharing
// group it names ("" for none): the rule IntelFilter reads. Naming a group
// always narrows, whatever the label.
func IntelAudience(tlp core.TLP, group string) string {
	switch {
	case group != "":
		return "group"
	case tlp == core.TLPClear || tlp == core.TLPGreen:
		return "collection"
	case tlp == core.TLPAmber || tlp == core.TLPAmberStrict:
		return "collection"
	default: // RED without named recipients, or an unknown label
		return "owner"
	}
}
