package incidents_test

import (
	"context"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/auth"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/federation/fedtest"
	"entente.example/entente/internal/jobs"
	"entente.example/entente/internal/ledger"
	"entente.example/entente/internal/links"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/directory"
	"entente.example/entente/modules/incidents"
)

// chainNode is a served node with incidents, statements and the linked
// chain, wired as modules/all wires them.
type chainNode struct {
	*fedtest.Served
	inc   *incidents.Service
	stmts *incidents.Statements
	links *links.Service
}

func newChainNode(t testing.TB, e storetest.Engine) *chainNode {
	t.Helper()
	db := storetest.Open(t, e, storetest.NewClock(time.Now()), auth.Migrations(), audit.Migrations(), jobs.Migrations(), ledger.Migrations(),
		federation.Migrations(), directory.Migrations(), incidents.Migrations(), links.Migrations())
	s := fedtest.Serve(t, db)
	n := &chainNode{Served: s, inc: incidents.NewService(db, s.Fed), stmts: incidents.NewStatements(db, s.Fed, s.Ledger, &mail{}), links: links.NewService(db, s.Fed.Host)}
	n.links.Register("incidents", links.Kinds{"incident": links.ResolverFunc(n.inc.LinkItems), "statement": links.ResolverFunc(n.stmts.LinkItems)})
	n.inc.UseLinks(n.links)
	n.links.OnChange(n.inc.Relinked)
	n.stmts.UseLinks(n.links)
	n.stmts.UseIncidents(n.inc)
	return n
}

// chainTitles are the titles of the statements in the chain of the
// incident ref as the person in ctx sees it, and how many items it counts.
func chainTitles(t testing.TB, n *chainNode, ctx context.Context, ref core.Ref) (statements []string, count int) {
	t.Helper()
	items, err := n.links.Chain(ctx, ref)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.Ref.Kind == "statement" {
			statements = append(statements, it.Title)
		}
	}
	return statements, len(items)
}

// TestStatementInTheIncidentChain: a statement naming Singapore's incident
// is linked to it on the initiator's node (which holds a copy) and on
// Singapore's (which owns it, when the invitation comes); the chain shows
// it to the statement's parties while it is a draft or open, and to
// anyone who sees the incident once it is published. Before, it is neither
// shown nor counted to others.
func TestStatementInTheIncidentChain(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		id, sg := newChainNode(t, e), newChainNode(t, e)
		id.Org(t, "kemlu", core.OrgStateMinistry, "ID", "Kemlu")
		id.Org(t, "bssn", core.OrgStateCERT, "ID", "BSSN")
		sg.Org(t, "csa", core.OrgStateAgency, "SG", "CSA")
		sg.Org(t, "mha", core.OrgStateMinistry, "SG", "MHA")
		id.Start(t)
		sg.Start(t)
		fedtest.Peer(t, id.Served, sg.Served)
		kemlu, bssn := id.As("Retno", "kemlu", core.RoleAdmin), id.As("Rina", "bssn", core.RoleAnalyst)
		csa, mha := sg.As("David", "csa", core.RoleAdmin), sg.As("Lim", "mha", core.RoleOfficer)

		in := hospital(core.TLPGreen, incidents.AudienceNamed, id.Addr("kemlu"), id.Addr("bssn"), sg.Addr("mha"))
		own, err := sg.inc.Create(csa, "csa", in)
		if err != nil {
			t.Fatal(err)
		}
		fedtest.Eventually(t, "the incident's copy in Indonesia", func() bool {
			_, err := id.inc.GetByOrigin(kemlu, sg.Host, own.OriginID)
			return err == nil
		})
		cp, _ := id.inc.GetByOrigin(kemlu, sg.Host, own.OriginID)
		ref := id.inc.LinkRef(cp) // the same incident on both nodes: @sg
		sgRef := sg.inc.LinkRef(own)

		// A draft names only an incident its author sees.
		title := "Joint statement on the hospital ransomware"
		d := incidents.StatementInput{From: "kemlu", Title: title, Language: "en", Body: "We attribute it.", Actor: "BlackLantern",
			Incident: core.Ref{Module: "incidents", Kind: "incident", ID: "01JE0000000000000000000000", Node: sg.Host}.String(),
			Invited:  []string{sg.Addr("csa")}, PublishMode: incidents.PublishByInitiator}
		if _, err := id.stmts.Draft(kemlu, d); fieldsOf(err)["incident"] != "err.stmt_incident" {
			t.Fatalf("a draft named an incident nobody here sees: %v", err)
		}
		d.Incident = ref.String()
		st, err := id.stmts.Draft(kemlu, d)
		if err != nil {
			t.Fatal(err)
		}
		if st.Incident != ref.String() {
			t.Fatalf("the draft names %q, want %q", st.Incident, ref)
		}

		// The draft: Kemlu's people see it in the chain; BSSN's, who see
		// the incident, neither see nor count it.
		if got, _ := chainTitles(t, id, kemlu, ref); len(got) != 1 || got[0] != title {
			t.Fatalf("kemlu's chain: %v", got)
		}
		if got, n := chainTitles(t, id, bssn, ref); len(got) != 0 || n != 0 {
			t.Fatalf("bssn's chain shows a draft: %v (%d items)", got, n)
		}

		// Open: Singapore's node, which owns the incident, links it when the
		// invitation comes; CSA (invited) sees it, MHA (not a party) not.
		if _, err := id.stmts.Open(kemlu, st.ID); err != nil {
			t.Fatal(err)
		}
		fedtest.Eventually(t, "the statement in the incident's chain in Singapore", func() bool {
			got, _ := chainTitles(t, sg, csa, sgRef)
			return len(got) == 1 && got[0] == title
		})
		if got, n := chainTitles(t, sg, mha, sgRef); len(got) != 0 || n != 0 {
			t.Fatalf("mha's chain shows an open statement: %v (%d items)", got, n)
		}

		// Published: anyone who sees the incident sees it, on both nodes.
		if _, err := id.stmts.Publish(kemlu, st.ID); err != nil {
			t.Fatal(err)
		}
		if got, n := chainTitles(t, id, bssn, ref); len(got) != 1 || n != 1 {
			t.Fatalf("bssn's chain after publication: %v (%d items)", got, n)
		}
		fedtest.Eventually(t, "the published statement in mha's chain", func() bool {
			got, n := chainTitles(t, sg, mha, sgRef)
			return len(got) == 1 && n == 1
		})
	})
}
