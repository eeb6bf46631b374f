package access

import (
	"strings"

	"entente.example/entente/core"
)

// Incidents. An incident record is read by an organisation's people (not
// its observers) and written by its admins, officers, analysts and
// investigators. Which incidents a reader sees is IncidentFilter's, a
// condition every query of incidents carries; the public pages of
// incidents (TLP:CLEAR with a public audience) are open to anyone, signed
// in or not, through IncidentsPublic, and the service still filters.
//
// Labels and audiences work together: TLP:RED keeps an incident to the
// owning organisation's people (naming individual recipients, as TLP:RED
// allows, is out of scope: an audience here is organisations); AMBER+STRICT,
// AMBER, GREEN and CLEAR go to the audience the owner chose (named
// organisations, a network's members, or the public, which only CLEAR may
// have). No audience reaches anyone's clients: there are no clients here,
// so AMBER and AMBER+STRICT mean the same organisations. Node
// administrators get no pass.
const (
	IncidentsRead   Action = "incidents.read"
	IncidentsWrite  Action = "incidents.write"
	IncidentsPublic Action = "incidents.public"
)

func init() {
	policy[IncidentsRead] = rule{allow: memberWith(core.RoleAdmin, core.RoleOfficer, core.RoleAnalyst, core.RoleInvestigator, core.RoleAuthority, core.RoleMember)}
	policy[IncidentsWrite] = rule{write: true, allow: memberWith(core.RoleAdmin, core.RoleOfficer, core.RoleAnalyst, core.RoleInvestigator)}
	policy[IncidentsPublic] = rule{anonymous: true}
}

// IncidentReaders returns the ids and the addresses (handle@host) of the
// organisations for which a reads incidents: the two lists IncidentFilter
// takes.
func IncidentReaders(a core.Actor, host string) (ids, addrs []string) {
	for _, m := range a.Memberships {
		if Check(a, IncidentsRead, Resource{OrgID: m.Org.ID}) == nil {
			ids = append(ids, m.Org.ID)
			addrs = append(addrs, m.Org.Handle+"@"+host)
		}
	}
	return ids, addrs
}

// IncidentFilter is the condition on the inc_incidents row aliased i that
// lets the organisations (ids on this node, addrs their addresses) see it.
// A public CLEAR incident is anyone's; the owning organisation always sees
// its own; otherwise, unless the label is RED, the audience decides: named
// organisations by address (inc_audience), or the members of a named
// network (poc_members). No organisations at all see only public incidents.
func IncidentFilter(ids, addrs []string) (string, []any) {
	public := `(i.audience = 'public' AND i.tlp = 'CLEAR')`
	if len(ids) == 0 {
		return public, nil
	}
	marks := func(n int) string { return "(" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")" }
	var args []any
	for _, id := range ids {
		args = append(args, id)
	}
	for range 2 {
		for _, a := range addrs {
			args = append(args, a)
		}
	}
	return public + ` OR i.org_id IN ` + marks(len(ids)) + ` OR (i.tlp <> 'RED' AND (
	(i.audience = 'named' AND i.id IN (SELECT a.incident_id FROM inc_audience a WHERE a.ref IN ` + marks(len(addrs)) + `))
	OR (i.audience = 'network' AND i.id IN (SELECT a.incident_id FROM inc_audience a JOIN poc_members m ON m.network_id = a.ref WHERE m.addr IN ` + marks(len(addrs)) + `))))`, args
}
