package access

import (
	"strings"

	"entente.example/entente/core"
)

// Digital-economy agreements and commitments. Agreements are facts about
// states: anyone signed in reads them and the tracker. A commitment is its
// state's own: the people of the organisation that keeps it read it, and
// anyone signed in once it is shared; its admins, officers and analysts
// write it. Adding an agreement (a bilateral one) is for node
// administrators and organisations' admins; correcting a shipped
// agreement's facts is for node administrators, an added one's for them
// and the admins of the organisation that added it (the service checks
// which).
const (
	EconomyRead       Action = "economy.read"
	EconomyCommit     Action = "economy.commit"
	EconomyAgreements Action = "economy.agreements"
)

func init() {
	policy[EconomyRead] = rule{}
	policy[EconomyCommit] = rule{write: true, allow: memberWith(core.RoleAdmin, core.RoleOfficer, core.RoleAnalyst)}
	policy[EconomyAgreements] = rule{write: true, allow: orgAdmin}
}

// CommitmentFilter is the condition on the eco_commitments row aliased c
// that lets the actor read it: shared ones for anyone signed in, the
// others for their organisation's people.
func CommitmentFilter(a core.Actor) (string, []any) {
	if a.Anonymous() {
		return "1 = 0", nil
	}
	var ids []string
	var args []any
	for _, m := range a.Memberships {
		ids = append(ids, m.Org.ID)
		args = append(args, m.Org.ID)
	}
	if len(ids) == 0 {
		return "c.shared = TRUE", nil
	}
	return "(c.shared = TRUE OR c.org_id IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ") + "))", args
}
