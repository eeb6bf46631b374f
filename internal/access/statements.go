package access

import "entente.example/entente/core"

// Joint attribution statements. A statement is its initiating
// organisation's and its invited organisations' until it is published;
// then it is public. Drafting, inviting and publishing are for a state
// organisation's admins and officers; co-signing, declining and
// withdrawing a signature commit the state, so they are for its admins
// alone. Node administrators get no pass.
const (
	StatementRead   Action = "statements.read"
	StatementDraft  Action = "statements.draft"
	StatementSign   Action = "statements.sign"
	StatementPublic Action = "statements.public"
)

func init() {
	policy[StatementRead] = rule{allow: memberWith(core.RoleAdmin, core.RoleOfficer, core.RoleAnalyst, core.RoleInvestigator, core.RoleAuthority, core.RoleMember)}
	policy[StatementDraft] = rule{write: true, allow: memberWith(core.RoleAdmin, core.RoleOfficer)}
	policy[StatementSign] = rule{write: true, allow: memberWith(core.RoleAdmin)}
	policy[StatementPublic] = rule{anonymous: true}
}
