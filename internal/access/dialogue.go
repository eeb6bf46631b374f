package access

import "entente.example/entente/core"

// Expert dialogues. Who takes part is the dialogue's data (its parties);
// what each of a party's people may do is here. Everyone in a party
// organisation reads it; all but observers contribute; a host's admins and
// officers run it (invite, sessions, closing) and open new ones; a
// moderator organisation's admins and officers moderate — and only they,
// on the host's node, see who wrote what under the Chatham House Rule; a
// rapporteur organisation's admins, officers and analysts write the
// summary. Node administrators get no pass.
const (
	DialogueRead       Action = "dialogue.read"
	DialogueCreate     Action = "dialogue.create"
	DialogueRun        Action = "dialogue.run"
	DialogueContribute Action = "dialogue.contribute"
	DialogueModerate   Action = "dialogue.moderate"
	DialogueReport     Action = "dialogue.report"
)

func init() {
	all := []core.Role{core.RoleAdmin, core.RoleOfficer, core.RoleAnalyst, core.RoleInvestigator, core.RoleAuthority, core.RoleMember}
	policy[DialogueRead] = rule{allow: memberWith(append(all, core.RoleObserver)...)}
	policy[DialogueCreate] = rule{write: true, allow: memberWith(core.RoleAdmin, core.RoleOfficer)}
	policy[DialogueRun] = rule{write: true, allow: memberWith(core.RoleAdmin, core.RoleOfficer)}
	policy[DialogueContribute] = rule{write: true, allow: memberWith(all...)}
	policy[DialogueModerate] = rule{write: true, allow: memberWith(core.RoleAdmin, core.RoleOfficer)}
	policy[DialogueReport] = rule{write: true, allow: memberWith(core.RoleAdmin, core.RoleOfficer, core.RoleAnalyst)}
}
