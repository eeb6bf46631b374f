package all

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/federation/fedtest"
	"entente.example/entente/internal/jobs"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/correspondence"
	"entente.example/entente/modules/cybercrime"
	"entente.example/entente/modules/directory"
	"entente.example/entente/modules/incidents"
	"entente.example/entente/modules/intel"
	"entente.example/entente/modules/norms"
)

// peerNode is a served node with every module a chain links, wired as
// the program wires them.
type peerNode struct {
	*fedtest.Served
	s Services
}

func newPeerNode(t *testing.T, e storetest.Engine) *peerNode {
	t.Helper()
	db := storetest.Open(t, e, storetest.NewClock(time.Now()), Migrations()...)
	n := fedtest.Serve(t, db)
	q := jobs.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	p := &peerNode{Served: n}
	p.s = Services{
		Intel:          intel.NewService(db, n.Fed, nil),
		Networks:       directory.NewNetworks(db, n.Fed, n.Ledger, q, nil, func() string { return n.URL }),
		Cybercrime:     cybercrime.NewService(db, n.Fed, nil, cybercrime.ShippedLegal(), cybercrime.Options{}),
		Correspondence: correspondence.NewService(db, n.Fed, nil),
		Norms:          norms.NewService(db, n.Ledger, n.Fed),
		Incidents:      incidents.NewService(db, n.Fed),
	}
	wireLinks(Deps{DB: db, Fed: n.Fed}, &p.s, nil)
	return p
}

// cybRow stores a cybercrime request of the organisation orgID as the
// module stores it on each side: sent here, or received from a peer.
func cybRow(t *testing.T, db *store.DB, orgID, origin, dir, from, to string) {
	t.Helper()
	mustTx(t, db, func(tx *store.Tx) error {
		_, err := tx.Exec(context.Background(), `INSERT INTO cyb_requests (id, origin_id, direction, org_id, from_addr, to_addr, from_country, to_country, kind, basis, lang, reference, fields, state, author, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, 'ID', 'SG', 'mla', 'budapest', 'en', 'POLRI/2026/9', '{}', 'sent', 'Hendra', ?, ?)`, core.NewID(tx.Now), origin, dir, orgID, from, to, tx.Now, tx.Now)
		return err
	})
}

// TestChainTravelsWithTheIncident links Indonesia's incident, on its owner's
// node, to Polri's request to Singapore's Attorney-General's Chambers
// (which Singapore's node holds a copy of) and to BSSN's POC request it
// does not hold; Singapore's copy shows the chain as Singapore's people
// may see it: the request to AGC's investigator, nothing to CSA (whose
// organisation the request is not), the POC request to nobody, neither
// shown nor counted. A link removed on the owner goes from the copy, and
// a link made on Singapore's node to its copy stays.
func TestChainTravelsWithTheIncident(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		id, sg := newPeerNode(t, e), newPeerNode(t, e)
		id.Org(t, "bssn", core.OrgStateCERT, "ID", "BSSN")
		polri := id.Org(t, "polri", core.OrgStateLawEnforcement, "ID", "Polri")
		sg.Org(t, "csa-sg", core.OrgStateAgency, "SG", "CSA")
		agc := sg.Org(t, "agc", core.OrgStateLawEnforcement, "SG", "AGC")
		// Peered before the outboxes run, so that the directories are
		// fetched once, here.
		fedtest.Peer(t, id.Served, sg.Served)
		id.Start(t)
		sg.Start(t)
		ctx := context.Background()

		rina, hendra := id.As("Rina", "bssn", core.RoleAnalyst), id.As("Hendra", "polri", core.RoleInvestigator)
		end := time.Date(2026, 10, 5, 0, 0, 0, 0, time.UTC)
		inc, err := id.s.Incidents.Create(rina, "bssn", incidents.Incident{Name: "Ransomware at a hospital in Surabaya", Start: time.Date(2026, 10, 2, 0, 0, 0, 0, time.UTC), End: &end,
			Types: []string{"ransomware"}, Receivers: []incidents.Receiver{{Name: "Hospital", Country: "ID", Category: "critical_infrastructure", Sector: "healthcare"}},
			Initiator: incidents.Initiator{Category: "non_state_criminal"}, Inclusion: []string{"ci_target"}, Sources: []string{"BSSN"},
			TLP: core.TLPAmber, Audience: incidents.AudienceNamed, AudienceRefs: []string{id.Addr("polri"), sg.Addr("csa-sg"), sg.Addr("agc")}})
		if err != nil {
			t.Fatal(err)
		}
		// Polri's request to AGC, on both nodes; BSSN's POC request to CSA,
		// on Indonesia's only (Singapore never received it).
		cybRow(t, id.DB, polri, "req-mla-1", "out", id.Addr("polri"), sg.Addr("agc"))
		cybRow(t, sg.DB, agc, "req-mla-1", "in", id.Addr("polri"), sg.Addr("agc"))
		cyb := core.Ref{Module: "cybercrime", Kind: "request", ID: "req-mla-1"}
		w := &chainWorld{db: id.DB, ids: map[string]string{"bssn": inc.OrgID}}
		poc := w.pocRequest(t, "bssn", id.Addr("bssn"), "poc-1")
		ref := id.s.Incidents.LinkRef(inc)
		if err := id.s.Links.Link(hendra, cyb, ref); err != nil {
			t.Fatal(err)
		}
		if err := id.s.Links.Link(rina, ref, poc); err != nil {
			t.Fatal(err)
		}

		// Each link raised the incident's version: the copy arrives at 3.
		version := func(n *peerNode) int {
			var v []int
			n.DB.R().Select(ctx, &v, `SELECT version FROM inc_incidents WHERE origin_id = ?`, inc.OriginID)
			if len(v) == 0 {
				return 0
			}
			return v[0]
		}
		fedtest.Eventually(t, "the copy at version 3", func() bool { return version(sg) == 3 })
		copyRef := core.Ref{Module: "incidents", Kind: "incident", ID: inc.OriginID, Node: id.Host}
		stored, err := sg.s.Links.Of(ctx, copyRef)
		if err != nil || len(stored) != 2 {
			t.Fatalf("Singapore keeps %v (%v), want the two references", stored, err)
		}
		for _, r := range stored {
			if r.Node != id.Host {
				t.Errorf("%s does not name Indonesia's node as where it is held", r)
			}
		}
		chainOf := func(ctx context.Context) string {
			t.Helper()
			items, err := sg.s.Links.Chain(ctx, copyRef)
			if err != nil {
				t.Fatal(err)
			}
			return kinds(items)
		}
		lim, wei := sg.As("Lim", "agc", core.RoleInvestigator), sg.As("Wei", "csa-sg", core.RoleAdmin)
		if got := chainOf(lim); got != "cyb_request" {
			t.Errorf("AGC's investigator sees %q on the copy, want the request only", got)
		}
		if got := chainOf(wei); got != "" {
			t.Errorf("CSA sees %q on the copy, want nothing (neither its request nor one Singapore holds)", got)
		}
		// The request's page on Singapore's node shows the incident.
		form, err := sg.s.Links.FormFor(lim, core.Ref{Module: "cybercrime", Kind: "request", ID: "req-mla-1", Node: id.Host}, "/cybercrime")
		if err != nil || len(form.Linked) != 1 || form.Linked[0].Ref != copyRef {
			t.Fatalf("the request's page on Singapore's node: %+v %v", form, err)
		}

		// A link Singapore makes to its copy is Singapore's: the owner's
		// next version does not take it away.
		cybRow(t, sg.DB, agc, "req-mla-2", "out", sg.Addr("agc"), id.Addr("polri"))
		mine := core.Ref{Module: "cybercrime", Kind: "request", ID: "req-mla-2"}
		if err := sg.s.Links.Link(lim, copyRef, mine); err != nil {
			t.Fatal(err)
		}
		if version(sg) != 3 {
			t.Errorf("a link on the copy changed its version to %d", version(sg))
		}

		// Removed on the owner, gone from the copy.
		if err := id.s.Links.Unlink(hendra, ref, cyb); err != nil {
			t.Fatal(err)
		}
		fedtest.Eventually(t, "the copy at version 4", func() bool { return version(sg) == 4 })
		if got := chainOf(lim); got != "cyb_request" {
			t.Errorf("AGC's investigator sees %q after the unlink, want only Singapore's own request", got)
		}
		items, _ := sg.s.Links.Chain(lim, copyRef)
		if len(items) != 1 || items[0].Ref != mine {
			t.Errorf("after the unlink AGC sees %v, want %s", items, mine)
		}
		if stored, _ := sg.s.Links.Of(ctx, copyRef); len(stored) != 2 {
			t.Errorf("Singapore keeps %v, want the POC request and its own link", stored)
		}
	})
}
