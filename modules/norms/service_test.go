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

type world struct {
	svc *norms.Service
	db  *store.DB
	led *ledger.Log
	fed *federation.Service
	ids map[string]string
	as  map[string]context.Context
}

func newWorld(t *testing.T, e storetest.Engine) world {
	ctx := context.Background()
	clock := storetest.NewClock(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	db := storetest.Open(t, e, clock, auth.Migrations(), audit.Migrations(), jobs.Migrations(), ledger.Migrations(), federation.Migrations(), directory.Migrations(), norms.Migrations())
	node := fedtest.New(t, db, "node.test")
	l, fed := node.Ledger, node.Fed
	var err error
	w := world{svc: norms.NewService(db, l, fed), db: db, led: l, fed: fed, ids: map[string]string{}, as: map[string]context.Context{}}
	orgs := []struct{ handle, kind, country string }{{"kemlu", "state_ministry", "ID"}, {"csa-sg", "state_agency", "SG"}, {"acme", "company", "ID"}}
	people := []struct {
		name, org string
		role      core.Role
	}{{"sari", "kemlu", core.RoleAdmin}, {"dewi", "kemlu", core.RoleAnalyst}, {"obs", "kemlu", core.RoleObserver}, {"yusuf", "kemlu", core.RoleMember},
		{"weiming", "csa-sg", core.RoleAdmin}, {"eve", "acme", core.RoleAdmin}}
	err = db.WithTx(ctx, func(tx *store.Tx) error {
		for _, o := range orgs {
			w.ids[o.handle] = core.NewID(tx.Now)
			if _, err := tx.Exec(ctx, `INSERT INTO organisations (id, handle, kind, country, name_en, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`, w.ids[o.handle], o.handle, o.kind, o.country, "Org "+o.handle, tx.Now, tx.Now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range people {
		w.as[p.name] = core.WithActor(ctx, core.Actor{UserID: "u-" + p.name, Name: p.name, Memberships: []core.Membership{{Org: core.OrgRef{ID: w.ids[p.org], Handle: p.org}, Kind: core.OrgKind(kindOf(orgs, p.org)), Role: p.role}}})
	}
	w.as["anon"] = ctx
	w.as["root"] = core.WithActor(ctx, core.Actor{UserID: "root", Name: "root", NodeAdmin: true})
	return w
}

func kindOf(orgs []struct{ handle, kind, country string }, h string) string {
	for _, o := range orgs {
		if o.handle == h {
			return o.kind
		}
	}
	return ""
}

func wantKind(t *testing.T, what string, err error, k core.Kind) {
	t.Helper()
	if core.KindOf(err) != k {
		t.Fatalf("%s: %v (kind %q), want %q", what, err, core.KindOf(err), k)
	}
}

// TestReportLifecycle: a draft is the state's own until its focal point
// publishes it; publication is signed and in the ledger, and final; a new
// version starts from it and supersedes it when published.
func TestReportLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e)
		_, err := w.svc.Create(w.as["eve"], norms.ReportInput{Org: "acme", Title: "Company report"})
		if core.AsError(err) == nil || core.AsError(err).Fields["organisation"] != "err.report_state_only" {
			t.Fatalf("a company's report: %v", err)
		}
		for _, who := range []string{"yusuf", "obs", "root", "weiming"} {
			_, err := w.svc.Create(w.as[who], norms.ReportInput{Org: "kemlu", Title: "x"})
			wantKind(t, who+" starting kemlu's report", err, core.KindForbidden)
		}
		r, err := w.svc.Create(w.as["dewi"], norms.ReportInput{Org: "kemlu", Title: "National survey 2026"})
		if err != nil || r.Version != 1 || r.Status != norms.StatusDraft {
			t.Fatalf("create: %+v %v", r, err)
		}
		_, err = w.svc.NewVersion(w.as["sari"], r.ID)
		wantKind(t, "a second version in progress", err, core.KindConflict)
		f := norms.Answer{Section: norms.Section{Part: "norms", Norm: "f"}, Measures: "Law 27/2022 on personal data protection; a CII protection regulation.", Links: "https://example.org/uu-27-2022"}
		if err := w.svc.SaveAnswer(w.as["dewi"], r.ID, f); err != nil {
			t.Fatal(err)
		}
		bad := norms.Answer{Section: norms.Section{Part: "norms", Norm: "z"}, Links: "javascript:alert(1)"}
		if e := core.AsError(w.svc.SaveAnswer(w.as["dewi"], r.ID, bad)); e == nil || e.Fields["section"] == "" || e.Fields["links"] == "" {
			t.Fatalf("a bad answer: %v", e)
		}
		wantKind(t, "a member editing", w.svc.SaveAnswer(w.as["yusuf"], r.ID, f), core.KindForbidden)
		// Invisible outside the state until published.
		for _, who := range []string{"anon", "weiming", "eve", "root"} {
			_, err := w.svc.Report(w.as[who], r.ID)
			wantKind(t, who+" reading a draft", err, core.KindNotFound)
			pub, _, _ := w.svc.Reports(w.as[who], norms.ReportFilter{})
			if len(pub) != 0 {
				t.Fatalf("%s lists a draft: %+v", who, pub)
			}
		}
		if _, err := w.svc.Report(w.as["obs"], r.ID); err == nil {
			t.Fatal("an observer reads the draft")
		}
		if got, err := w.svc.Report(w.as["yusuf"], r.ID); err != nil || got.Answer("norms", "f").Measures == "" {
			t.Fatalf("a member reading: %v", err)
		}
		// Review: only the focal point approves and publishes, in order.
		if _, err := w.svc.Transition(w.as["dewi"], r.ID, norms.ActPublish); core.KindOf(err) != core.KindForbidden {
			t.Fatalf("an analyst publishing: %v", err)
		}
		if _, err := w.svc.Transition(w.as["sari"], r.ID, norms.ActPublish); core.KindOf(err) != core.KindConflict {
			t.Fatalf("publishing a draft: %v", err)
		}
		if _, err := w.svc.Transition(w.as["dewi"], r.ID, norms.ActSubmit); err != nil {
			t.Fatal(err)
		}
		wantKind(t, "editing while in review", w.svc.SaveAnswer(w.as["dewi"], r.ID, f), core.KindConflict)
		wantKind(t, "an analyst approving", func() error { _, err := w.svc.Transition(w.as["dewi"], r.ID, norms.ActApprove); return err }(), core.KindForbidden)
		if _, err := w.svc.Transition(w.as["sari"], r.ID, norms.ActApprove); err != nil {
			t.Fatal(err)
		}
		size, _ := w.led.Size(context.Background())
		pub, err := w.svc.Transition(w.as["sari"], r.ID, norms.ActPublish)
		if err != nil || pub.Status != norms.StatusPublished || pub.SignedBy != w.fed.Fingerprint() || pub.ApprovedBy != "sari" {
			t.Fatalf("published: %+v %v", pub, err)
		}
		if after, _ := w.led.Size(context.Background()); after != size+1 {
			t.Fatalf("ledger: %d then %d", size, after)
		}
		// The signature covers the very answers.
		body, _, err := w.fed.OpenStatement(context.Background(), "norms.report", []byte(pub.Statement), "node.test")
		var p norms.Publication
		if err != nil || json.Unmarshal(body, &p) != nil || len(p.Answers) != 1 || !strings.Contains(p.Answers[0].Measures, "27/2022") {
			t.Fatalf("publication: %v %+v", err, p)
		}
		wantKind(t, "editing a published report", w.svc.SaveAnswer(w.as["sari"], r.ID, f), core.KindConflict)
		for _, who := range []string{"anon", "weiming", "eve"} {
			if _, err := w.svc.Report(w.as[who], r.ID); err != nil {
				t.Fatalf("%s reading the publication: %v", who, err)
			}
		}
		// A new report is a report of its own at version 1, and leaves this
		// one as it is.
		other, err := w.svc.Create(w.as["dewi"], norms.ReportInput{Org: "kemlu", Title: "National survey 2027"})
		if err != nil || other.Version != 1 || other.SeriesID == r.SeriesID {
			t.Fatalf("a new report: %+v %v", other, err)
		}
		if got, _ := w.svc.Report(w.as["dewi"], other.ID); !got.Answer("norms", "f").Empty() {
			t.Fatal("a new report starts from another")
		}
		_, err = w.svc.NewVersion(w.as["yusuf"], r.ID)
		wantKind(t, "a member starting a version", err, core.KindForbidden)
		// A new version starts from it and supersedes it once published.
		r2, err := w.svc.NewVersion(w.as["dewi"], r.ID)
		if err != nil || r2.Version != 2 || r2.SeriesID != r.SeriesID || r2.Title != r.Title {
			t.Fatalf("v2: %+v %v", r2, err)
		}
		_, err = w.svc.NewVersion(w.as["dewi"], r.ID)
		wantKind(t, "a third version while the second is open", err, core.KindConflict)
		got, _ := w.svc.Report(w.as["dewi"], r2.ID)
		if got.Answer("norms", "f").Measures != f.Measures {
			t.Fatal("v2 does not start from v1")
		}
		g := norms.Answer{Section: norms.Section{Part: "norms", Norm: "g"}, Measures: "Sectoral CSIRTs in energy and finance."}
		if err := w.svc.SaveAnswer(w.as["dewi"], r2.ID, g); err != nil {
			t.Fatal(err)
		}
		hist, err := w.svc.History(w.as["dewi"], r2.ID)
		if err != nil || len(hist) != 1 || hist[0].By != "dewi" || hist[0].What != "measures" {
			t.Fatalf("history: %+v %v", hist, err)
		}
		for _, act := range []string{norms.ActSubmit, norms.ActApprove, norms.ActPublish} {
			if _, err := w.svc.Transition(w.as["sari"], r2.ID, act); err != nil {
				t.Fatal(err)
			}
		}
		old, _ := w.svc.Report(w.as["anon"], r.ID)
		if old.Status != norms.StatusSuperseded {
			t.Fatalf("v1 after v2: %s", old.Status)
		}
		// Every published version stays reachable from the report.
		vs, err := w.svc.Versions(w.as["anon"], r2.ID)
		if err != nil || len(vs) != 2 || vs[0].ID != r2.ID || vs[1].ID != r.ID {
			t.Fatalf("versions: %+v %v", vs, err)
		}
		list, _, _ := w.svc.Reports(w.as["anon"], norms.ReportFilter{Norm: "g"})
		if len(list) != 1 || list[0].ID != r2.ID {
			t.Fatalf("filter by norm g: %+v", list)
		}
		if list, _, _ := w.svc.Reports(w.as["anon"], norms.ReportFilter{Norm: "k"}); len(list) != 0 {
			t.Fatalf("filter by norm k: %+v", list)
		}
		if list, _, _ := w.svc.Reports(w.as["anon"], norms.ReportFilter{Q: "sectoral"}); len(list) != 1 {
			t.Fatalf("search: %+v", list)
		}
	})
}

// TestCompareAndLinks: only publications are compared; a norm's linked
// records follow their TLP.
func TestCompareAndLinks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e)
		var ids []string
		for _, s := range []struct{ who, org string }{{"sari", "kemlu"}, {"weiming", "csa-sg"}} {
			r, err := w.svc.Create(w.as[s.who], norms.ReportInput{Org: s.org, Title: "Survey"})
			if err != nil {
				t.Fatal(err)
			}
			if err := w.svc.SaveAnswer(w.as[s.who], r.ID, norms.Answer{Section: norms.Section{Part: "cbms"}, Measures: s.org + " runs a POC."}); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, r.ID)
		}
		if _, err := w.svc.Compare(w.as["anon"], ids); core.KindOf(err) != core.KindNotFound {
			t.Fatalf("comparing drafts: %v", err)
		}
		for _, act := range []string{norms.ActSubmit, norms.ActApprove, norms.ActPublish} {
			if _, err := w.svc.Transition(w.as["sari"], ids[0], act); err != nil {
				t.Fatal(err)
			}
			if _, err := w.svc.Transition(w.as["weiming"], ids[1], act); err != nil {
				t.Fatal(err)
			}
		}
		rs, err := w.svc.Compare(w.as["anon"], ids)
		if err != nil || len(rs) != 2 || rs[1].Answer("cbms", "").Measures != "csa-sg runs a POC." {
			t.Fatalf("compare: %v %v", rs, err)
		}
		if _, err := w.svc.Compare(w.as["anon"], []string{ids[0], ids[1], ids[0], ids[1]}); core.KindOf(err) != core.KindInvalid {
			t.Fatalf("comparing four: %v", err)
		}
		err = w.db.WithTx(context.Background(), func(tx *store.Tx) error {
			if err := w.svc.AddLink(context.Background(), tx, norms.Link{Norm: "f", Kind: "incident", Ref: "i1", Title: "Grid outage (public)", TLP: core.TLPClear}); err != nil {
				return err
			}
			return w.svc.AddLink(context.Background(), tx, norms.Link{Norm: "f", Kind: "incident", Ref: "i2", Title: "Intrusion at an operator", TLP: core.TLPAmber, OrgID: w.ids["kemlu"]})
		})
		if err != nil {
			t.Fatal(err)
		}
		for who, want := range map[string]int{"anon": 1, "weiming": 1, "dewi": 2, "sari": 2} {
			_, links, err := w.svc.OnNorm(w.as[who], "f")
			if err != nil || len(links) != want {
				t.Errorf("%s sees %d links, want %d (%v)", who, len(links), want, err)
			}
		}
	})
}
