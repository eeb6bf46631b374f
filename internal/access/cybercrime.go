package access

import "entente.example/entente/core"

// Cybercrime cooperation. A request for cooperation is for the two
// organisations it is between, and within them only for the people whose
// work it is: investigators (the 24/7 points of contact), central
// authorities and admins. Node administrators get nothing (CETS 224 art. 14
// in spirit: the fewer who see personal data, the better); nor do the
// organisation's other members. Drafting is for investigators, central
// authorities and admins; approving a draft for sending, for central
// authorities and admins; the legal instruments are edited by node
// administrators, because they are facts about states, not about one
// organisation.
const (
	CybercrimeRead    Action = "cybercrime.read"
	CybercrimeDraft   Action = "cybercrime.draft"
	CybercrimeApprove Action = "cybercrime.approve"
	CybercrimeAct     Action = "cybercrime.act"
	// CybercrimeInstruments edits the instruments and their parties.
	CybercrimeInstruments Action = "cybercrime.instruments"
	// CybercrimeFigures reads the aggregate figures: counts and times, no
	// content.
	CybercrimeFigures Action = "cybercrime.figures"
)

func init() {
	workers := memberWith(core.RoleAdmin, core.RoleAuthority, core.RoleInvestigator)
	policy[CybercrimeRead] = rule{allow: workers}
	policy[CybercrimeDraft] = rule{write: true, allow: workers}
	policy[CybercrimeAct] = rule{write: true, allow: workers}
	policy[CybercrimeApprove] = rule{write: true, allow: memberWith(core.RoleAdmin, core.RoleAuthority)}
	policy[CybercrimeInstruments] = rule{write: true, allow: isNodeAdmin}
	policy[CybercrimeFigures] = rule{allow: func(a core.Actor, r Resource) bool { return a.NodeAdmin || workers(a, r) }}
}
