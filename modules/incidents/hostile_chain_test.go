package incidents_test

import (
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/internal/federation/fedtest"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/incidents"
)

// TestPeerStatementJoinsOnlyWhatItsInviteeSees: a peer's invitation names
// an incident of the invited organisation's node; it is linked there only
// if the invited organisation may see that incident. An incident another
// organisation of that node keeps from the invitee (here MHA's, named to
// Kemlu alone) gets no link from a peer and no new version: otherwise any
// peer that once knew an incident's id could write into its chain, and
// make its owner's node send it again to every peer, at will.
func TestPeerStatementJoinsOnlyWhatItsInviteeSees(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		id, sg := newChainNode(t, e), newChainNode(t, e)
		id.Org(t, "kemlu", core.OrgStateMinistry, "ID", "Kemlu")
		sg.Org(t, "csa", core.OrgStateAgency, "SG", "CSA")
		sg.Org(t, "mha", core.OrgStateMinistry, "SG", "MHA")
		id.Start(t)
		sg.Start(t)
		fedtest.Peer(t, id.Served, sg.Served)
		kemlu := id.As("Retno", "kemlu", core.RoleAdmin)
		csa, mha := sg.As("David", "csa", core.RoleAdmin), sg.As("Lim", "mha", core.RoleOfficer)

		own, err := sg.inc.Create(mha, "mha", hospital(core.TLPAmber, incidents.AudienceNamed, id.Addr("kemlu")))
		if err != nil {
			t.Fatal(err)
		}
		fedtest.Eventually(t, "MHA's incident in Indonesia", func() bool {
			_, err := id.inc.GetByOrigin(kemlu, sg.Host, own.OriginID)
			return err == nil
		})
		cp, _ := id.inc.GetByOrigin(kemlu, sg.Host, own.OriginID)
		st, err := id.stmts.Draft(kemlu, incidents.StatementInput{From: "kemlu", Title: "On the hospital", Language: "en", Body: "We attribute it.",
			Actor: "BlackLantern", Incident: id.inc.LinkRef(cp).String(), Invited: []string{sg.Addr("csa")}, PublishMode: incidents.PublishByInitiator})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := id.stmts.Open(kemlu, st.ID); err != nil {
			t.Fatal(err)
		}
		fedtest.Eventually(t, "the invitation in Singapore", func() bool {
			mine, _, err := sg.stmts.List(csa)
			return err == nil && len(mine) == 1
		})
		refs, err := sg.links.Of(mha, sg.inc.LinkRef(own))
		if err != nil {
			t.Fatal(err)
		}
		if len(refs) != 0 {
			t.Errorf("a peer's statement was linked to an incident its invitee may not see: %v", refs)
		}
		if got, err := sg.inc.Get(mha, own.ID); err != nil || got.Version != 1 {
			t.Errorf("MHA's incident at version %d (%v), want 1: a peer changed it", got.Version, err)
		}
	})
}
