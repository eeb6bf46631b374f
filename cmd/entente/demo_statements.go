package main

import (
	"context"
	"fmt"

	"entente.example/entente/core"
	"entente.example/entente/modules/incidents"
)

// demoStatements gives the demo a joint attribution statement: Indonesia's
// foreign ministry drafts one on the ransomware campaign against hospitals,
// Singapore's Cyber Security Agency co-signs it on Singapore's node and
// Australia's DFAT on the ASEAN-hosted node, and it is published with the
// three signatures and their ledger proofs. On a single node the same
// three organisations sign there.
func demoStatements(ctx context.Context, nodes []*node) error {
	where, err := orgNodes(ctx, nodes)
	if err != nil {
		return err
	}
	id, sg, au := where["kemlu"], where["csa-sg"], where["dfat-au"]
	if id == nil || sg == nil || au == nil {
		return nil
	}
	addr := func(handle string) string { return handle + "@" + where[handle].fed.Host() }
	sari, err := actorFor(ctx, id, "sari@kemlu.demo")
	if err != nil {
		return err
	}
	in := incidents.StatementInput{From: "kemlu", Language: "en",
		Title: "Joint statement on the ransomware campaign against hospitals in South-East Asia",
		Body: "The Governments of Indonesia, Singapore and Australia attribute the ransomware campaign that disrupted hospitals in the region this autumn, " +
			"including a regional hospital in Surabaya, to the criminal group known as BlackLantern, operating from infrastructure abroad.\n\n" +
			"Attacks on health care endanger lives. They are contrary to the norms of responsible state behaviour that all UN Member States have endorsed, " +
			"including norm (f) on critical infrastructure. We call on every state to take reasonable steps, in line with norm (c), " +
			"so that its territory is not used for such acts, and we will continue to cooperate to bring those responsible to justice.",
		TrLanguage: "id", TrTitle: "Pernyataan bersama tentang kampanye ransomware terhadap rumah sakit di Asia Tenggara",
		TrBody: "Pemerintah Indonesia, Singapura, dan Australia mengatribusikan kampanye ransomware yang mengganggu rumah sakit di kawasan ini pada musim gugur ini, " +
			"termasuk sebuah rumah sakit daerah di Surabaya, kepada kelompok kriminal yang dikenal sebagai BlackLantern, yang beroperasi dari infrastruktur di luar negeri.\n\n" +
			"Serangan terhadap layanan kesehatan membahayakan nyawa. Serangan itu bertentangan dengan norma perilaku negara yang bertanggung jawab yang telah didukung semua Negara Anggota PBB, " +
			"termasuk norma (f) tentang infrastruktur kritis. Kami meminta setiap negara mengambil langkah yang wajar, sejalan dengan norma (c), " +
			"agar wilayahnya tidak digunakan untuk tindakan semacam itu, dan kami akan terus bekerja sama untuk mengadili para pelakunya.",
		Actor:       "BlackLantern (ransomware group)",
		Invited:     []string{addr("csa-sg"), addr("dfat-au")},
		PublishMode: incidents.PublishByInitiator}
	if bssn := where["bssn"]; bssn != nil {
		var origin string
		if err := bssn.db.R().Get(ctx, &origin, `SELECT origin_id FROM inc_incidents WHERE org_id <> '' AND name LIKE 'Ransomware at a regional hospital%' ORDER BY id LIMIT 1`); err == nil {
			in.Incident = "incidents:incident:" + origin + "@" + bssn.fed.Host()
		}
	}
	st, err := id.svcs.Statements.Draft(sari, in)
	if err != nil {
		return fmt.Errorf("demo statements: draft: %w", err)
	}
	if st, err = id.svcs.Statements.Open(sari, st.ID); err != nil {
		return fmt.Errorf("demo statements: open: %w", err)
	}
	for _, c := range []struct {
		n          *node
		email, org string
	}{{sg, "weiming@csa-sg.demo", "csa-sg"}, {au, "olivia@dfat-au.demo", "dfat-au"}} {
		who, err := actorFor(ctx, c.n, c.email)
		if err != nil {
			return err
		}
		copyID, err := demoStatementCopy(ctx, c.n, addr("kemlu"), st.OriginID)
		if err != nil {
			return err
		}
		if _, err := c.n.svcs.Statements.Sign(who, copyID, addr(c.org)); err != nil {
			return fmt.Errorf("demo statements: %s signs: %w", c.org, err)
		}
	}
	if err := demoWait(ctx, "both co-signatures at the initiator", func() (bool, error) {
		var n int
		err := id.db.R().Get(ctx, &n, `SELECT COUNT(*) FROM inc_statement_signers WHERE statement_id = ? AND state = 'signed' AND ledger <> ''`, st.ID)
		return n == 3, err
	}); err != nil {
		return err
	}
	if _, err := id.svcs.Statements.Publish(sari, st.ID); err != nil {
		return fmt.Errorf("demo statements: publish: %w", err)
	}
	return demoWait(ctx, "the statement published on every node", func() (bool, error) {
		for _, n := range []*node{sg, au} {
			var k int
			if err := n.db.R().Get(ctx, &k, `SELECT COUNT(*) FROM inc_statements WHERE initiator = ? AND origin_id = ? AND state = 'published'`, addr("kemlu"), st.OriginID); err != nil || k == 0 {
				return false, err
			}
		}
		return true, nil
	})
}

// demoStatementCopy waits for a node's copy of a statement.
func demoStatementCopy(ctx context.Context, n *node, initiator, origin string) (string, error) {
	var id string
	err := demoWait(ctx, "the invitation on "+n.baseURL, func() (bool, error) {
		err := n.db.R().Get(ctx, &id, `SELECT id FROM inc_statements WHERE initiator = ? AND origin_id = ?`, initiator, origin)
		if core.KindOf(core.Wrap("", err)) == core.KindNotFound {
			return false, nil
		}
		return err == nil, err
	})
	return id, err
}
