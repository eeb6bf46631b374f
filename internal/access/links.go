package access

import "entente.example/entente/core"

// Links between records. Linking two records (an indicator to an incident,
// a request to an incident) is for the people of an organisation who do its
// work: admins, officers, analysts, investigators and central authorities.
// Whether they may link those two is then the records' own rule: the links
// service asks each record's module whether the actor may see it, and
// refuses a link to anything the actor cannot see.
const LinkWrite Action = "links.write"

func init() {
	policy[LinkWrite] = rule{write: true, allow: memberWith(core.RoleAdmin, core.RoleOfficer, core.RoleAnalyst, core.RoleInvestigator, core.RoleAuthority)}
}
