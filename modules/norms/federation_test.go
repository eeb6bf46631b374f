package norms_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/auth"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/federation/fedtest"
	"entente.example/entente/internal/jobs"
	"entente.example/entente/internal/ledger"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/directory"
	"entente.example/entente/modules/norms"
)

// fedNode is a served node (fedtest.Serve) with the norms module, and its
// people's contexts by name ("anon": no one signed in).
type fedNode struct {
	*fedtest.Served
	svc *norms.Service
	as  map[string]context.Context
}

func newFedNode(t *testing.T, e storetest.Engine, orgs []struct{ handle, kind, country, name string }, people map[string]struct {
	org  string
	role core.Role
}) *fedNode {
	t.Helper()
	db := storetest.Open(t, e, nil, auth.Migrations(), audit.Migrations(), jobs.Migrations(), ledger.Migrations(), federation.Migrations(), directory.Migrations(), norms.Migrations())
	s := fedtest.Serve(t, db)
	n := &fedNode{Served: s, svc: norms.NewService(db, s.Ledger, s.Fed), as: map[string]context.Context{"anon": context.Background()}}
	n.svc.Schedule(jobs.New(db, s.Log, nil))
	for _, o := range orgs {
		s.Org(t, o.handle, core.OrgKind(o.kind), o.country, o.name)
	}
	for name, p := range people {
		n.as[name] = s.As(name, p.org, p.role)
	}
	s.Start(t)
	return n
}

// publish takes a new report through review to publication.
func publish(t *testing.T, n *fedNode, who, org, title, audience string, answers ...norms.Answer) norms.Report {
	t.Helper()
	r, err := n.svc.Create(n.as[who], norms.ReportInput{Org: org, Title: title, Audience: audience})
	if err != nil {
		t.Fatal(err)
	}
	return publishDraft(t, n, who, r.ID, answers...)
}

func publishDraft(t *testing.T, n *fedNode, who, id string, answers ...norms.Answer) norms.Report {
	t.Helper()
	for _, a := range answers {
		if err := n.svc.SaveAnswer(n.as[who], id, a); err != nil {
			t.Fatal(err)
		}
	}
	var r norms.Report
	for _, act := range []string{norms.ActSubmit, norms.ActApprove, norms.ActPublish} {
		var err error
		if r, err = n.svc.Transition(n.as[who], id, act); err != nil {
			t.Fatalf("%s: %v", act, err)
		}
	}
	return r
}

// copyOf finds the current copy of a report from host among what the actor
// sees listed.
func copyOf(n *fedNode, who, host, org string) (norms.Report, bool) {
	list, _, err := n.svc.Reports(n.as[who], norms.ReportFilter{})
	if err != nil {
		return norms.Report{}, false
	}
	for _, r := range list {
		if r.Host == host && r.OrgHandle == org {
			return r, true
		}
	}
	return norms.Report{}, false
}

func ledgerRefs(t *testing.T, n *fedNode, like string) int {
	t.Helper()
	var c int
	if err := n.DB.R().Get(context.Background(), &c, `SELECT COUNT(*) FROM ledger_entries WHERE ref LIKE ?`, like); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestReportsAcrossNodes: a report published on one node reaches its peer
// as a signed copy, read-only there with its origin, and is compared there
// with the peer's own; a new version supersedes it on both nodes, and a
// withdrawal takes it off both. Older versions, forged origins and changed
// bytes are refused; a network's report reaches only its members' nodes.
func TestReportsAcrossNodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		type org = struct{ handle, kind, country, name string }
		type person = struct {
			org  string
			role core.Role
		}
		a := newFedNode(t, e, []org{{"kemlu", "state_ministry", "ID", "Ministry of Foreign Affairs of Indonesia"}, {"telco", "company", "ID", "A telecoms company"}},
			map[string]person{"sari": {"kemlu", core.RoleAdmin}, "dewi": {"kemlu", core.RoleAnalyst}})
		b := newFedNode(t, e, []org{{"csa-sg", "state_agency", "SG", "Cyber Security Agency of Singapore"}, {"acme", "company", "SG", "Acme"}},
			map[string]person{"weiming": {"csa-sg", core.RoleAdmin}, "eve": {"acme", core.RoleAdmin}})
		fedtest.Peer(t, a.Served, b.Served)
		ctx := context.Background()

		f := norms.Answer{Section: norms.Section{Part: "norms", Norm: "f"}, Measures: "Perpres 82/2022 designates CII operators.", Challenges: "Uneven maturity across provinces.",
			Gaps: "Exercises for operators outside Java.", Links: "https://peraturan.bpk.go.id/Details/221325"}
		il := norms.Answer{Section: norms.Section{Part: "international-law"}, Measures: "A position paper is in preparation.", Challenges: "Few legal advisers trained."}
		v1 := publish(t, a, "sari", "kemlu", "Survei nasional 2026", "public", f, il)

		// Publish → receive: the copy on B is the very statement, with its origin.
		var got norms.Report
		fedtest.Eventually(t, "kemlu's report on b", func() bool { var ok bool; got, ok = copyOf(b, "anon", a.Host, "kemlu"); return ok })
		full, err := b.svc.Report(b.as["anon"], got.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !full.Received() || full.Origin() != "kemlu@"+a.Host || full.Statement != v1.Statement || full.SignedBy != a.Fed.Fingerprint() ||
			full.Version != 1 || full.Country != "ID" || full.OrgName != "Ministry of Foreign Affairs of Indonesia" || full.Status != norms.StatusPublished {
			t.Fatalf("copy on b: %+v", full)
		}
		if g := full.Answer("norms", "f"); g.Measures != f.Measures || g.Challenges != f.Challenges || g.Gaps != f.Gaps || g.Links != f.Links {
			t.Fatalf("copy's answer (f): %+v", g)
		}
		if n := ledgerRefs(t, a, "report:"+v1.ID); n != 1 {
			t.Fatalf("a's ledger has %d entries for the publication", n)
		}
		if n := ledgerRefs(t, b, "report:"+v1.ID+"@"+a.Host); n != 1 {
			t.Fatalf("b's ledger has %d entries for the copy", n)
		}
		// Read-only on B, for everyone there.
		wantKind(t, "editing a copy", b.svc.SaveAnswer(b.as["weiming"], got.ID, f), core.KindForbidden)
		_, err = b.svc.NewVersion(b.as["weiming"], got.ID)
		wantKind(t, "a new version of a copy", err, core.KindForbidden)
		_, err = b.svc.Withdraw(b.as["weiming"], got.ID)
		wantKind(t, "withdrawing a copy", err, core.KindForbidden)

		// B's own report reaches A; each node compares both states.
		sg := publish(t, b, "weiming", "csa-sg", "National survey 2026", "public",
			norms.Answer{Section: norms.Section{Part: "norms", Norm: "f"}, Measures: "The Cybersecurity Act designates CII.", Challenges: "Supply chains."})
		var onA norms.Report
		fedtest.Eventually(t, "csa-sg's report on a", func() bool { var ok bool; onA, ok = copyOf(a, "anon", b.Host, "csa-sg"); return ok })
		for _, c := range []struct {
			n   *fedNode
			ids []string
		}{{a, []string{v1.ID, onA.ID}}, {b, []string{got.ID, sg.ID}}} {
			rs, err := c.n.svc.Compare(c.n.as["anon"], c.ids)
			if err != nil || len(rs) != 2 || rs[0].Answer("norms", "f").Challenges != f.Challenges || rs[1].Answer("norms", "f").Challenges != "Supply chains." {
				t.Fatalf("compare on %s: %+v %v", c.n.Host, rs, err)
			}
		}

		// What states say on a norm includes the copies.
		on, _, err := b.svc.OnNorm(b.as["anon"], "f")
		if err != nil || len(on) != 2 || on[0].Answer.Challenges != f.Challenges || !on[0].Received() {
			t.Fatalf("norm (f) on b: %+v %v", on, err)
		}

		// Update: the next version supersedes the copy on B.
		v2, err := a.svc.NewVersion(a.as["dewi"], v1.ID)
		if err != nil {
			t.Fatal(err)
		}
		v2 = publishDraft(t, a, "sari", v2.ID, norms.Answer{Section: f.Section, Measures: f.Measures + " Updated in 2027.", Links: f.Links})
		fedtest.Eventually(t, "v2 on b", func() bool { c, ok := copyOf(b, "anon", a.Host, "kemlu"); return ok && c.Version == 2 })
		cur, _ := copyOf(b, "anon", a.Host, "kemlu")
		vs, err := b.svc.Versions(b.as["anon"], cur.ID)
		if err != nil || len(vs) != 2 || vs[0].Version != 2 || vs[1].Status != norms.StatusSuperseded || vs[1].ID != got.ID {
			t.Fatalf("versions on b: %+v %v", vs, err)
		}

		// An older version arriving after a newer one is refused, and so
		// are a state of another node and bytes that were changed.
		deliver := func(typ, from, statement string) error {
			env := federation.Envelope{Type: typ, From: from, To: "csa-sg@" + b.Host}
			payload, _ := json.Marshal(map[string]string{"statement": statement})
			return b.DB.WithTx(ctx, func(tx *store.Tx) error { return b.svc.Receive(ctx, tx, env, payload) })
		}
		wantKind(t, "v1 after v2", deliver(norms.TypeReport, "kemlu@"+a.Host, v1.Statement), core.KindConflict)
		if err := deliver(norms.TypeReport, "kemlu@"+a.Host, v2.Statement); err != nil {
			t.Fatalf("the same copy again: %v", err)
		}
		forged, _ := a.Fed.SignStatement(norms.TypeReport, norms.Publication{Report: core.NewID(time.Now()), Series: core.NewID(time.Now()), Organisation: "csa-sg@" + b.Host,
			NameEN: "Not Singapore", Country: "SG", Title: "Forged", Version: 9, Audience: "public", At: time.Now(), Answers: []norms.Answer{}})
		wantKind(t, "a's node speaking for b's state", deliver(norms.TypeReport, "kemlu@"+a.Host, string(forged)), core.KindForbidden)
		company, _ := a.Fed.SignStatement(norms.TypeReport, norms.Publication{Report: core.NewID(time.Now()), Series: core.NewID(time.Now()), Organisation: "telco@" + a.Host,
			NameEN: "A telecoms company", Country: "ID", Title: "Our report", Version: 1, Audience: "public", At: time.Now(), Answers: []norms.Answer{}})
		wantKind(t, "a company's report", deliver(norms.TypeReport, "telco@"+a.Host, string(company)), core.KindForbidden)
		wantKind(t, "changed bytes", deliver(norms.TypeReport, "kemlu@"+a.Host, strings.Replace(v2.Statement, "Updated", "Amended", 1)), core.KindInvalid)

		// Withdrawal: gone from the lists on both nodes, recorded on both.
		if _, err := a.svc.Withdraw(a.as["dewi"], v2.ID); core.KindOf(err) != core.KindForbidden {
			t.Fatalf("an analyst withdrawing: %v", err)
		}
		if _, err := a.svc.Withdraw(a.as["sari"], v2.ID); err != nil {
			t.Fatal(err)
		}
		fedtest.Eventually(t, "the withdrawal on b", func() bool { _, ok := copyOf(b, "anon", a.Host, "kemlu"); return !ok })
		if _, err := b.svc.Report(b.as["anon"], cur.ID); core.KindOf(err) != core.KindNotFound {
			t.Fatalf("a withdrawn copy is still shown: %v", err)
		}
		if _, ok := copyOf(a, "anon", "", "kemlu"); ok {
			t.Fatal("a withdrawn report is listed on its node")
		}
		if n := ledgerRefs(t, a, "report:"+v2.ID+":withdrawn"); n != 1 {
			t.Fatalf("a's ledger: %d withdrawals", n)
		}
		if n := ledgerRefs(t, b, "report:"+v2.ID+"@"+a.Host+":withdrawn"); n != 1 {
			t.Fatalf("b's ledger: %d withdrawals", n)
		}

		// A network's report reaches its members' nodes only, and only
		// its members' people there see it.
		for _, n := range []*fedNode{a, b} {
			err := n.DB.WithTx(ctx, func(tx *store.Tx) error {
				if _, err := tx.Exec(ctx, `INSERT INTO poc_networks (id, slug, host, secretariat, name_en, member_kind, categories, visibility, ack_hours, template, changed_at, created_at)
					VALUES ('NET1', 'asean', ?, ?, 'ASEAN POC network', 'states', '[]', 'members', 24, '{}', ?, ?)`, a.Host, "kemlu@"+a.Host, tx.Now, tx.Now); err != nil {
					return err
				}
				for _, m := range []string{"kemlu@" + a.Host, "csa-sg@" + b.Host} {
					var orgID string
					if h, host, _ := federation.Address(m); host == n.Host {
						if err := tx.Get(ctx, &orgID, `SELECT id FROM organisations WHERE handle = ?`, h); err != nil {
							return err
						}
					}
					if _, err := tx.Exec(ctx, `INSERT INTO poc_members (network_id, addr, org_id, name_en, joined_at) VALUES ('NET1', ?, ?, ?, ?)`, m, orgID, m, tx.Now); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		_, err = a.svc.Create(a.as["sari"], norms.ReportInput{Org: "kemlu", Title: "x", Audience: "network:NET2"})
		if core.AsError(err) == nil || core.AsError(err).Fields["audience"] != "err.report_network" {
			t.Fatalf("a network kemlu is not in: %v", err)
		}
		net := publish(t, a, "sari", "kemlu", "Report to the ASEAN network", "network:NET1", il)
		fedtest.Eventually(t, "the network's report on b", func() bool { _, ok := copyOf(b, "weiming", a.Host, "kemlu"); return ok })
		for _, who := range []string{"anon", "eve"} {
			if _, ok := copyOf(b, who, a.Host, "kemlu"); ok {
				t.Fatalf("%s on b sees the network's report", who)
			}
		}
		// Nor by its id, on any read path: eve has a role in an
		// organisation, but not in one of the network's members.
		netCopy, _ := copyOf(b, "weiming", a.Host, "kemlu")
		if _, err := b.svc.Report(b.as["eve"], netCopy.ID); err == nil {
			t.Fatal("eve on b reads the network's report by its id")
		}
		if rs, err := b.svc.Compare(b.as["eve"], []string{netCopy.ID}); err == nil && len(rs) > 0 {
			t.Fatal("eve on b compares the network's report")
		}
		if rs, err := b.svc.Versions(b.as["eve"], netCopy.ID); err == nil && len(rs) > 0 {
			t.Fatal("eve on b lists the network report's versions")
		}
		if _, err := a.svc.Report(a.as["anon"], net.ID); core.KindOf(err) != core.KindNotFound {
			t.Fatalf("anyone on a reads the network's report: %v", err)
		}

		// A peer verified after publication catches up with the current
		// publications it may see, once.
		c := newFedNode(t, e, []org{{"mofa-jp", "state_ministry", "JP", "Ministry of Foreign Affairs of Japan"}}, map[string]person{"kenji": {"mofa-jp", core.RoleAdmin}})
		fedtest.Peer(t, b.Served, c.Served)
		for i := 0; i < 2; i++ {
			if err := b.svc.CatchUp(ctx); err != nil {
				t.Fatal(err)
			}
		}
		fedtest.Eventually(t, "csa-sg's report on c", func() bool { _, ok := copyOf(c, "anon", b.Host, "csa-sg"); return ok })
		var sent int
		if err := b.DB.R().Get(ctx, &sent, `SELECT COUNT(*) FROM outbox WHERE type = ?`, norms.TypeReport); err != nil || sent != 2 {
			t.Fatalf("b sent %d copies of its report (%v), want 2: to a when published, to c once", sent, err)
		}
	})
}
