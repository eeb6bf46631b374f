package access

import "entente.example/entente/core"

// Public diplomacy. An organisation's press office is its people: members
// read the newsroom, the web-care queue, the disinformation cases and the
// monitoring; officers, analysts and admins draft posts, answer the
// public, write cases and keep feeds; only officers and admins approve a
// post or publish a case (and never their own draft: the four eyes are the
// service's to enforce), and only admins create the organisation's
// accounts. What the public sees — the accounts' profiles, published posts,
// the fact-check database, the ActivityPub documents — is open to anyone.
// Node administrators get no pass: an organisation speaks for itself.
const (
	PDRead     Action = "publicdiplomacy.read"
	PDWrite    Action = "publicdiplomacy.write"
	PDApprove  Action = "publicdiplomacy.approve"
	PDAccounts Action = "publicdiplomacy.accounts"
	PDPublic   Action = "publicdiplomacy.public"
)

func init() {
	policy[PDRead] = rule{allow: memberWith(core.RoleAdmin, core.RoleOfficer, core.RoleAnalyst, core.RoleMember)}
	policy[PDWrite] = rule{write: true, allow: memberWith(core.RoleAdmin, core.RoleOfficer, core.RoleAnalyst)}
	policy[PDApprove] = rule{write: true, allow: memberWith(core.RoleAdmin, core.RoleOfficer)}
	policy[PDAccounts] = rule{write: true, allow: memberWith(core.RoleAdmin)}
	policy[PDPublic] = rule{anonymous: true}
}
