package directory_test

import (
	"context"
	"io"
	"log/slog"
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
)

// netWorld is one node carrying a secretariat, two states, a company and
// people in every role that matters to networks.
type netWorld struct {
	nets  *directory.Networks
	db    *store.DB
	clock *storetest.Clock
	ids   map[string]string
	as    map[string]context.Context
}

func newNetWorld(t *testing.T, e storetest.Engine) netWorld {
	ctx := context.Background()
	clock := storetest.NewClock(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	db := storetest.Open(t, e, clock, auth.Migrations(), audit.Migrations(), jobs.Migrations(), ledger.Migrations(), federation.Migrations(), directory.Migrations())
	node := fedtest.New(t, db, "node.test")
	l, fed := node.Ledger, node.Fed
	var err error
	q := jobs.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)), nil)
	q.Register(jobs.Kind{Name: directory.EmailJob, Handle: func(context.Context, []byte) error { return nil }})
	w := netWorld{nets: directory.NewNetworks(db, fed, l, q, echo{}, func() string { return "https://node.test" }), db: db, clock: clock, ids: map[string]string{}, as: map[string]context.Context{}}
	orgs := []struct{ handle, kind, country string }{{"unoda", "international", ""}, {"kemlu", "state_ministry", "ID"}, {"mfa-fj", "state_ministry", "FJ"}, {"acme", "company", "ID"}}
	people := []struct {
		name, org string
		role      core.Role
	}{{"elena", "unoda", core.RoleAdmin}, {"sari", "kemlu", core.RoleAdmin}, {"bima", "kemlu", core.RoleOfficer}, {"dewi", "kemlu", core.RoleAnalyst},
		{"obs", "kemlu", core.RoleObserver}, {"vika", "mfa-fj", core.RoleAdmin}, {"tevita", "mfa-fj", core.RoleOfficer}, {"eve", "acme", core.RoleAdmin}}
	err = db.WithTx(ctx, func(tx *store.Tx) error {
		for _, o := range orgs {
			w.ids[o.handle] = core.NewID(tx.Now)
			if _, err := tx.Exec(ctx, `INSERT INTO organisations (id, handle, kind, country, name_en, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`, w.ids[o.handle], o.handle, o.kind, o.country, "Org "+o.handle, tx.Now, tx.Now); err != nil {
				return err
			}
		}
		for _, p := range people {
			w.ids[p.name] = core.NewID(tx.Now)
			if _, err := tx.Exec(ctx, `INSERT INTO users (id, email, name, created_at) VALUES (?, ?, ?, ?)`, w.ids[p.name], p.name+"@x.test", p.name, tx.Now); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO memberships (user_id, org_id, role, created_at) VALUES (?, ?, ?, ?)`, w.ids[p.name], w.ids[p.org], string(p.role), tx.Now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range people {
		w.as[p.name] = core.WithActor(ctx, core.Actor{UserID: w.ids[p.name], Name: p.name, Memberships: []core.Membership{{Org: core.OrgRef{ID: w.ids[p.org], Handle: p.org}, Role: p.role}}})
	}
	w.as["root"] = core.WithActor(ctx, core.Actor{UserID: "root", Name: "root", NodeAdmin: true})
	return w
}

func wantKind(t *testing.T, what string, err error, k core.Kind) {
	t.Helper()
	if core.KindOf(err) != k {
		t.Fatalf("%s: %v (kind %q), want %q", what, err, core.KindOf(err), k)
	}
}

func (w netWorld) network(t *testing.T) directory.Network {
	t.Helper()
	in := directory.Definitions()[0]
	in.Secretariat = "unoda"
	_, err := w.nets.CreateNetwork(w.as["sari"], in)
	wantKind(t, "a network for another organisation's secretariat", err, core.KindForbidden)
	n, err := w.nets.CreateNetwork(w.as["elena"], in)
	if err != nil {
		t.Fatal(err)
	}
	wantKind(t, "a company in a network of states", w.nets.AddMember(w.as["elena"], n.ID, "acme"), core.KindInvalid)
	wantKind(t, "a member added by a member", w.nets.AddMember(w.as["sari"], n.ID, "kemlu"), core.KindForbidden)
	for _, m := range []string{"kemlu", "mfa-fj"} {
		if err := w.nets.AddMember(w.as["elena"], n.ID, m); err != nil {
			t.Fatal(err)
		}
	}
	// The list says who runs the network and who is in it.
	for who, want := range map[string][2]bool{"elena": {true, true}, "sari": {true, false}, "eve": {false, false}} {
		ns, err := w.nets.ListNetworks(w.as[who])
		if err != nil || len(ns) != 1 || ns[0].Mine != want[0] || ns[0].RunByUs != want[1] {
			t.Fatalf("%s lists %+v, %v; want mine=%v secretariat=%v", who, ns, err, want[0], want[1])
		}
	}
	return n
}

func (w netWorld) nominate(t *testing.T, n directory.Network, as, member, person, category string, deputy bool) {
	t.Helper()
	o, err := w.nets.Nominate(w.as[as], n.ID, directory.NominationInput{Member: member, Category: category, Deputy: deputy, PersonID: w.ids[person]})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.nets.Decide(w.as["elena"], o.ID, true, ""); err != nil {
		t.Fatal(err)
	}
}

// TestNominationsAndAudience: only a member's focal point nominates, only the
// secretariat decides, and only the members' people see the directory (for
// a restricted network, only focal points and officers).
func TestNominationsAndAudience(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newNetWorld(t, e)
		n := w.network(t)
		in := directory.NominationInput{Member: "kemlu", Category: "technical", PersonID: w.ids["bima"]}
		for _, who := range []string{"bima", "dewi", "root", "vika", "eve"} {
			_, err := w.nets.Nominate(w.as[who], n.ID, in)
			wantKind(t, who+" nominating for kemlu", err, core.KindForbidden)
		}
		bad := in
		bad.Category, bad.PersonID, bad.Phone = "nonsense", w.ids["tevita"], "call me"
		_, err := w.nets.Nominate(w.as["sari"], n.ID, bad)
		if p := fieldsOf(err); p["category"] == "" || p["person_id"] == "" || p["phone"] == "" {
			t.Fatalf("bad nomination: %v %v", err, p)
		}
		o, err := w.nets.Nominate(w.as["sari"], n.ID, in)
		if err != nil || o.Status != directory.NominationPending || o.Name != "bima" || o.SignedBy == "" {
			t.Fatalf("nomination: %+v %v", o, err)
		}
		wantKind(t, "a focal point deciding", w.nets.Decide(w.as["sari"], o.ID, true, ""), core.KindForbidden)
		wantKind(t, "a rejection without reason", w.nets.Decide(w.as["elena"], o.ID, false, ""), core.KindInvalid)
		if err := w.nets.Decide(w.as["elena"], o.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		wantKind(t, "deciding twice", w.nets.Decide(w.as["elena"], o.ID, false, "late"), core.KindConflict)

		for who, want := range map[string]bool{"elena": true, "sari": true, "bima": true, "dewi": true, "tevita": true, "obs": false, "root": false, "eve": false} {
			es, err := w.nets.Entries(w.as[who], n.ID, directory.EntryFilter{Q: "bima"})
			if want && (err != nil || len(es) != 1 || es[0].Email != "bima@x.test") {
				t.Errorf("%s: %v %v", who, es, err)
			}
			if !want && (err == nil || len(es) > 0) {
				t.Errorf("%s sees the directory: %v", who, es)
			}
			if _, err := w.nets.Snapshot(w.as[who], n.ID); (err == nil) != want {
				t.Errorf("%s snapshot: %v", who, err)
			}
		}
		// Restricted: the analyst no longer sees it.
		def := directory.Definitions()[0]
		def.Visibility = "restricted"
		if _, err := w.nets.UpdateNetwork(w.as["elena"], n.ID, def); err != nil {
			t.Fatal(err)
		}
		if _, err := w.nets.Entries(w.as["dewi"], n.ID, directory.EntryFilter{}); core.KindOf(err) != core.KindForbidden {
			t.Fatalf("analyst in a restricted network: %v", err)
		}
		if es, err := w.nets.Entries(w.as["bima"], n.ID, directory.EntryFilter{}); err != nil || len(es) != 1 {
			t.Fatalf("officer in a restricted network: %v %v", es, err)
		}
		// A category in use cannot go; a nomination from a member removed
		// meanwhile is rejected with the member, and cannot be accepted.
		drop := directory.Definitions()[0]
		drop.Categories = drop.Categories[:1] // technical goes
		if _, err := w.nets.UpdateNetwork(w.as["elena"], n.ID, drop); fieldsOf(err)["categories"] != "err.category_in_use" {
			t.Fatalf("dropping a category in use: %v", err)
		}
		late, err := w.nets.Nominate(w.as["vika"], n.ID, directory.NominationInput{Member: "mfa-fj", Category: "technical", PersonID: w.ids["tevita"]})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.nets.RemoveMember(w.as["elena"], n.ID, "mfa-fj@node.test"); err != nil {
			t.Fatal(err)
		}
		wantKind(t, "accepting a removed member's nomination", w.nets.Decide(w.as["elena"], late.ID, true, ""), core.KindConflict)
		// A withdrawal removes the entry once accepted.
		o, err = w.nets.Nominate(w.as["sari"], n.ID, directory.NominationInput{Member: "kemlu", Action: directory.NominateRemove, EntryID: mustEntry(t, w, n.ID)})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.nets.Decide(w.as["elena"], o.ID, true, ""); err != nil {
			t.Fatal(err)
		}
		if es, _ := w.nets.Entries(w.as["elena"], n.ID, directory.EntryFilter{}); len(es) != 0 {
			t.Fatalf("after withdrawal: %v", es)
		}
	})
}

func mustEntry(t *testing.T, w netWorld, networkID string) string {
	t.Helper()
	es, err := w.nets.Entries(w.as["elena"], networkID, directory.EntryFilter{})
	if err != nil || len(es) == 0 {
		t.Fatalf("entries: %v %v", es, err)
	}
	return es[0].ID
}

// TestPingDeadlineAndEscalation: a ping's overdue contact escalates to its
// deputy at the deadline, the nominee's acknowledgment counts, nobody else's
// does, and the ping finishes once the escalation's deadline passes.
func TestPingDeadlineAndEscalation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newNetWorld(t, e)
		n := w.network(t)
		w.nominate(t, n, "sari", "kemlu", "bima", "technical", false)
		w.nominate(t, n, "vika", "mfa-fj", "vika", "diplomatic", false)
		w.nominate(t, n, "vika", "mfa-fj", "tevita", "diplomatic", true)
		// The directory pages through without repeating or skipping.
		seen := map[string]bool{}
		cursor := ""
		for range 4 {
			es, next, err := w.nets.EntryPage(w.as["bima"], n.ID, directory.EntryFilter{}, core.Page{Limit: 1, Cursor: cursor})
			if err != nil || len(es) > 1 {
				t.Fatalf("page: %v %v", es, err)
			}
			for _, e := range es {
				if seen[e.ID] {
					t.Fatalf("entry %s twice", e.ID)
				}
				seen[e.ID] = true
			}
			if cursor = next; next == "" {
				break
			}
		}
		if len(seen) != 3 {
			t.Fatalf("paged through %d entries, want 3", len(seen))
		}
		wantKind(t, "a ping started by a member", func() error { _, err := w.nets.StartPing(w.as["sari"], n.ID, directory.PingInput{}); return err }(), core.KindForbidden)
		p, err := w.nets.StartPing(w.as["elena"], n.ID, directory.PingInput{})
		if err != nil || !p.Deadline.Equal(w.clock.Now().Add(48*time.Hour).UTC().Truncate(time.Microsecond)) && p.Deadline.Sub(w.clock.Now()) != 48*time.Hour {
			t.Fatalf("ping: %+v %v", p, err)
		}
		got, err := w.nets.MyPings(w.as["bima"])
		if err != nil || len(got) != 1 || !got[0].CanAck {
			t.Fatalf("bima's pings: %+v %v", got, err)
		}
		wantKind(t, "the analyst acknowledging bima's ping", w.nets.AckPing(w.as["dewi"], got[0].ID), core.KindForbidden)
		w.clock.Advance(90 * time.Minute)
		if err := w.nets.AckPing(w.as["bima"], got[0].ID); err != nil {
			t.Fatal(err)
		}
		w.clock.Advance(48 * time.Hour)
		if err := w.nets.Settle(context.Background(), p.ID); err != nil {
			t.Fatal(err)
		}
		v, err := w.nets.PingResult(w.as["elena"], p.ID)
		if err != nil {
			t.Fatal(err)
		}
		if v.State != directory.PingRunning || v.Total.Acknowledged != 1 || v.Total.Overdue != 1 || len(v.Targets) != 3 {
			t.Fatalf("after the deadline: %+v %d targets", v.Total, len(v.Targets))
		}
		for _, tg := range v.Targets {
			switch {
			case tg.Name == "bima" && (tg.State != directory.TargetAcknowledged || tg.ResponseTime() != 90*time.Minute):
				t.Errorf("bima: %+v", tg)
			case tg.Name == "vika" && (tg.State != directory.TargetOverdue || tg.EscalatedAt == nil):
				t.Errorf("vika: %+v", tg)
			case tg.Name == "tevita" && (tg.EscalatedFrom == "" || tg.State != directory.TargetPending):
				t.Errorf("tevita: %+v", tg)
			}
		}
		// The deputy now sees it; the escalation's deadline passes too.
		if got, _ := w.nets.MyPings(w.as["tevita"]); len(got) != 2 {
			t.Fatalf("tevita's pings: %+v", got)
		}
		w.clock.Advance(49 * time.Hour)
		if err := w.nets.Settle(context.Background(), p.ID); err != nil {
			t.Fatal(err)
		}
		if v, _ := w.nets.PingResult(w.as["elena"], p.ID); v.State != directory.PingFinished || v.Total.Rate() != 50 {
			t.Fatalf("finished: %s %+v", v.State, v.Total)
		}
		// The focal point's board shows the miss.
		board, err := w.nets.Board(w.as["vika"])
		if err != nil || len(board) != 1 || board[0].Missed != 2 || board[0].Pings != 2 {
			t.Fatalf("vika's board: %+v %v", board, err)
		}
	})
}

// TestRequestLifecycle: a request between two states of one node moves
// sent → delivered → acknowledged → answered → closed, each side only in its
// own direction, with the deadline seen the same from both.
func TestRequestLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newNetWorld(t, e)
		n := w.network(t)
		in := directory.RequestInput{Network: n.ID, From: "kemlu", To: "mfa-fj@node.test", Type: "assistance", Urgency: "critical", Subject: "Ransomware at a port",
			Description: "Systems encrypted.", Asked: "Block the addresses.", TLP: core.TLPAmber}
		_, err := w.nets.SendRequest(w.as["dewi"], in)
		wantKind(t, "an analyst sending", err, core.KindForbidden)
		red := in
		red.TLP, red.To = core.TLPRed, "kemlu@node.test"
		_, err = w.nets.SendRequest(w.as["bima"], red)
		if p := fieldsOf(err); p["tlp"] == "" || p["to"] == "" {
			t.Fatalf("a RED request to oneself: %v %v", err, p)
		}
		r, err := w.nets.SendRequest(w.as["bima"], in)
		if err != nil || r.RespondBy.Sub(w.clock.Now()) != 12*time.Hour {
			t.Fatalf("request: %+v %v", r, err)
		}
		in2, _, err := w.nets.Requests(w.as["tevita"], "in", core.Page{Limit: 10})
		if err != nil || len(in2) != 1 || in2[0].State != directory.RequestDelivered {
			t.Fatalf("fiji's inbox: %+v %v", in2, err)
		}
		if _, err := w.nets.Request(w.as["eve"], r.ID); core.KindOf(err) != core.KindNotFound {
			t.Fatalf("an outsider reading: %v", err)
		}
		if _, err := w.nets.UpdateRequest(w.as["bima"], r.ID, directory.ActAnswer, "x"); core.KindOf(err) != core.KindInvalid {
			t.Fatalf("the sender answering: %v", err)
		}
		if _, err := w.nets.UpdateRequest(w.as["tevita"], in2[0].ID, directory.ActAcknowledge, ""); err != nil {
			t.Fatal(err)
		}
		w.clock.Advance(13 * time.Hour)
		for _, id := range []string{r.ID, in2[0].ID} {
			got, err := w.nets.Request(w.as["vika"], id)
			if id == r.ID {
				got, err = w.nets.Request(w.as["sari"], id)
			}
			if err != nil || got.State != directory.RequestAcknowledged || !got.Overdue(w.clock.Now()) {
				t.Fatalf("after the deadline: %+v %v", got, err)
			}
		}
		if err := w.nets.Checks(context.Background()); err != nil {
			t.Fatal(err)
		}
		var noticed int
		if err := w.db.R().Get(context.Background(), &noticed, `SELECT COUNT(*) FROM poc_requests WHERE overdue_at IS NOT NULL`); err != nil || noticed != 2 {
			t.Fatalf("overdue notices: %d %v", noticed, err)
		}
		if _, err := w.nets.UpdateRequest(w.as["tevita"], in2[0].ID, directory.ActAnswer, "Blocked."); err != nil {
			t.Fatal(err)
		}
		if _, err := w.nets.UpdateRequest(w.as["tevita"], in2[0].ID, directory.ActClose, ""); core.KindOf(err) != core.KindInvalid {
			t.Fatalf("the recipient closing: %v", err)
		}
		got, err := w.nets.UpdateRequest(w.as["bima"], r.ID, directory.ActClose, "")
		if err != nil || got.State != directory.RequestClosed || got.Answer != "Blocked." {
			t.Fatalf("closed: %+v %v", got, err)
		}
		if _, err := w.nets.UpdateRequest(w.as["bima"], r.ID, directory.ActNote, "after closing"); core.KindOf(err) != core.KindInvalid {
			t.Fatalf("a note on a closed request: %v", err)
		}
	})
}

func fieldsOf(err error) core.Problems {
	if e := core.AsError(err); e != nil {
		return e.Fields
	}
	return nil
}
