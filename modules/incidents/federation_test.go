package incidents_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/federation/fedtest"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/incidents"
)

// network adds a POC network with members to a node's tables, as the
// directory replicates it to its members' nodes (same id everywhere).
func network(t *testing.T, n *node, id string, members ...string) {
	t.Helper()
	err := n.DB.WithTx(context.Background(), func(tx *store.Tx) error {
		if _, err := tx.Exec(context.Background(), `INSERT INTO poc_networks (id, slug, host, secretariat, name_en, member_kind, categories, visibility, ack_hours, template, changed_at, created_at)
			VALUES (?, ?, ?, ?, 'ASEAN CERTs', 'state', '[]', 'members', 24, '', ?, ?)`, id, id, n.Host, members[0], tx.Now, tx.Now); err != nil {
			return err
		}
		for _, m := range members {
			if _, err := tx.Exec(context.Background(), `INSERT INTO poc_members (network_id, addr, name_en, joined_at) VALUES (?, ?, ?, ?)`, id, m, m, tx.Now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestVisibilityMatrix records incidents under every label and audience on
// Indonesia's node and asks, for each viewer on each of three nodes, which
// it sees in the list and by id: TLP × audience × organisation × node.
// Copies reach only the nodes whose organisations may see them.
func TestVisibilityMatrix(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		id, sg, jp := newNode(t, e), newNode(t, e), newNode(t, e)
		id.Org(t, "bssn", core.OrgStateCERT, "ID", "BSSN")
		id.Org(t, "kemlu", core.OrgStateMinistry, "ID", "Kemlu")
		id.Org(t, "polri", core.OrgStateLawEnforcement, "ID", "Polri")
		sg.Org(t, "csa-sg", core.OrgStateAgency, "SG", "CSA")
		sg.Org(t, "mha", core.OrgStateMinistry, "SG", "MHA")
		jp.Org(t, "npa", core.OrgStateLawEnforcement, "JP", "NPA")
		for _, n := range []*node{id, sg, jp} {
			n.Start(t)
		}
		fedtest.Peer(t, id.Served, sg.Served, jp.Served)
		for _, n := range []*node{id, sg} {
			network(t, n, "net-asean", id.Addr("bssn"), sg.Addr("mha"))
		}
		rina := id.As("Rina", "bssn", core.RoleAnalyst)
		named := []string{sg.Addr("csa-sg"), id.Addr("kemlu")}
		cases := []struct {
			name     string
			tlp      core.TLP
			audience string
			refs     []string
		}{
			{"red-named", core.TLPRed, incidents.AudienceNamed, named},
			{"strict-named", core.TLPAmberStrict, incidents.AudienceNamed, named},
			{"amber-network", core.TLPAmber, incidents.AudienceNetwork, []string{"net-asean"}},
			{"green-org", core.TLPGreen, incidents.AudienceOrg, nil},
			{"clear-public", core.TLPClear, incidents.AudiencePublic, nil},
			{"clear-named", core.TLPClear, incidents.AudienceNamed, []string{sg.Addr("csa-sg")}},
		}
		for _, c := range cases {
			in := hospital(c.tlp, c.audience, c.refs...)
			in.Name = c.name
			if _, err := id.svc.Create(rina, "bssn", in); err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
		}
		anon := core.WithRequest(context.Background(), core.RequestInfo{ID: "test"})
		root := core.WithRequest(core.WithActor(context.Background(), core.Actor{UserID: "root", Name: "root", NodeAdmin: true}), core.RequestInfo{ID: "test"})
		viewers := []struct {
			who  string
			n    *node
			ctx  context.Context
			sees []string
		}{
			{"bssn analyst (owner)", id, rina, []string{"red-named", "strict-named", "amber-network", "green-org", "clear-public", "clear-named"}},
			{"bssn member (owner)", id, id.As("Mira", "bssn", core.RoleMember), []string{"red-named", "strict-named", "amber-network", "green-org", "clear-public", "clear-named"}},
			{"bssn observer", id, id.As("Olga", "bssn", core.RoleObserver), []string{"clear-public"}},
			{"kemlu officer (named, same node)", id, id.As("Bima", "kemlu", core.RoleOfficer), []string{"strict-named", "clear-public"}},
			{"polri investigator (not named)", id, id.As("Hendra", "polri", core.RoleInvestigator), []string{"clear-public"}},
			{"node admin, Indonesia", id, root, []string{"clear-public"}},
			{"anonymous, Indonesia", id, anon, []string{"clear-public"}},
			{"csa-sg admin (named, peer)", sg, sg.As("Wei", "csa-sg", core.RoleAdmin), []string{"strict-named", "clear-public", "clear-named"}},
			{"mha officer (network, peer)", sg, sg.As("Lim", "mha", core.RoleOfficer), []string{"amber-network", "clear-public"}},
			{"node admin, Singapore", sg, root, []string{"clear-public"}},
			{"anonymous, Singapore", sg, anon, []string{"clear-public"}},
			{"npa investigator (no audience)", jp, jp.As("Kenji", "npa", core.RoleInvestigator), []string{"clear-public"}},
			{"anonymous, Japan", jp, anon, []string{"clear-public"}},
		}
		// Wait for the copies: Singapore gets four, Japan one.
		for _, w := range []struct {
			n    *node
			want int
		}{{sg, 4}, {jp, 1}} {
			fedtest.Eventually(t, fmt.Sprintf("%d copies on %s", w.want, w.n.Host), func() bool {
				var c int
				w.n.DB.R().Get(context.Background(), &c, `SELECT COUNT(*) FROM inc_incidents`)
				return c == w.want
			})
		}
		for _, v := range viewers {
			l, _, err := v.n.svc.List(v.ctx, incidents.Filter{})
			if err != nil {
				t.Fatalf("%s: %v", v.who, err)
			}
			var got []string
			for _, i := range l {
				got = append(got, i.Name)
				if _, err := v.n.svc.Get(v.ctx, i.ID); err != nil {
					t.Errorf("%s lists %s but cannot open it: %v", v.who, i.Name, err)
				}
			}
			slices.Sort(got)
			want := slices.Clone(v.sees)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("%s sees %v, want %v", v.who, got, want)
			}
		}
		// By id, what is not visible is not found.
		all, _, _ := id.svc.List(rina, incidents.Filter{})
		for _, i := range all {
			if i.Name == "clear-public" {
				continue
			}
			if _, err := id.svc.Get(anon, i.ID); core.KindOf(err) != core.KindNotFound {
				t.Errorf("anonymous opened %s: %v", i.Name, err)
			}
		}
		// Nobody on a peer may edit a copy, whatever their role.
		l, _, _ := sg.svc.List(sg.As("Wei", "csa-sg", core.RoleAdmin), incidents.Filter{Words: "strict"})
		if len(l) != 1 || !l[0].Copy() || l[0].Owner != id.Addr("bssn") || l[0].Node != id.Host {
			t.Fatalf("Singapore's copy: %+v", l)
		}
		if _, err := sg.svc.Update(sg.As("Wei", "csa-sg", core.RoleAdmin), l[0].ID, l[0]); core.KindOf(err) != core.KindForbidden {
			t.Errorf("a peer edited the copy: %v", err)
		}
	})
}

// TestUpdateAfterPeerWasDown updates an incident twice while Singapore's
// node cannot be reached; once it can, the outbox retries and the copy
// ends at the last version, each version applied once and in order. Then
// the audience narrows and Singapore's copy is withdrawn.
func TestUpdateAfterPeerWasDown(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		id, sg := newNode(t, e), newNode(t, e)
		id.Org(t, "bssn", core.OrgStateCERT, "ID", "BSSN")
		id.Org(t, "kemlu", core.OrgStateMinistry, "ID", "Kemlu")
		sg.Org(t, "csa-sg", core.OrgStateAgency, "SG", "CSA")
		id.Start(t)
		sg.Start(t)
		fedtest.Peer(t, id.Served, sg.Served)
		rina := id.As("Rina", "bssn", core.RoleAnalyst)
		wei := sg.As("Wei", "csa-sg", core.RoleAdmin)
		inc, err := id.svc.Create(rina, "bssn", hospital(core.TLPAmber, incidents.AudienceNamed, sg.Addr("csa-sg"), id.Addr("kemlu")))
		if err != nil {
			t.Fatal(err)
		}
		copyVersion := func() int {
			l, _, err := sg.svc.List(wei, incidents.Filter{})
			if err != nil || len(l) != 1 {
				return 0
			}
			return l[0].Version
		}
		fedtest.Eventually(t, "the first version in Singapore", func() bool { return copyVersion() == 1 })

		// Singapore goes down: Indonesia's node now reaches a dead port.
		ctx := context.Background()
		exec(t, id.DB, `UPDATE peers SET base_url = 'http://127.0.0.1:9' WHERE host = ?`, sg.Host)
		cur := inc
		for _, name := range []string{"Ransomware at a hospital (v2)", "Ransomware at a hospital in Surabaya (v3)"} {
			cur.Name = name
			if cur, err = id.svc.Update(rina, inc.ID, cur); err != nil {
				t.Fatal(err)
			}
		}
		fedtest.Eventually(t, "a failed attempt", func() bool {
			var n int
			id.DB.R().Get(ctx, &n, `SELECT COUNT(*) FROM outbox WHERE state = 'queued' AND attempts > 0`)
			return n >= 1
		})
		if v := copyVersion(); v != 1 {
			t.Fatalf("Singapore holds version %d while down", v)
		}
		// Back up: the outbox retries.
		exec(t, id.DB, `UPDATE peers SET base_url = ? WHERE host = ?`, sg.URL, sg.Host)
		id.clock.Advance(15 * time.Minute)
		sg.clock.Advance(15 * time.Minute)
		// The retry is due now (an attempt still in flight to the dead port
		// may push it back once more: nudge until it lands).
		fedtest.Eventually(t, "version 3 in Singapore", func() bool {
			exec(t, id.DB, `UPDATE outbox SET next_attempt_at = ? WHERE state = 'queued'`, time.Now().Add(-time.Hour))
			id.Fed.Wake()
			return copyVersion() == 3
		})
		got, _, _ := sg.svc.List(wei, incidents.Filter{})
		if got[0].Name != "Ransomware at a hospital in Surabaya (v3)" {
			t.Errorf("Singapore's copy is named %q", got[0].Name)
		}
		// Each version applied once, in increasing order.
		var applied []string
		if err := sg.DB.R().Select(ctx, &applied, `SELECT detail FROM audit_events WHERE action = 'incidents.copy' ORDER BY id`); err != nil {
			t.Fatal(err)
		}
		last := 0
		for _, d := range applied {
			var v int
			fmt.Sscanf(d[strings.LastIndex(d, " v")+2:], "%d", &v)
			if v <= last {
				t.Errorf("versions applied %v: not once and in order", applied)
			}
			last = v
		}
		if last != 3 {
			t.Errorf("versions applied %v", applied)
		}

		// The audience narrows to Kemlu: Singapore drops its copy.
		cur.AudienceRefs = []string{id.Addr("kemlu")}
		if _, err := id.svc.Update(rina, inc.ID, cur); err != nil {
			t.Fatal(err)
		}
		fedtest.Eventually(t, "the copy withdrawn from Singapore", func() bool {
			var n int
			sg.DB.R().Get(ctx, &n, `SELECT COUNT(*) FROM inc_incidents`)
			return n == 0
		})
	})
}

func exec(t *testing.T, db *store.DB, q string, args ...any) {
	t.Helper()
	if err := db.WithTx(context.Background(), func(tx *store.Tx) error {
		_, err := tx.Exec(context.Background(), q, args...)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}
