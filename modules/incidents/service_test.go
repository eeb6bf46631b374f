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
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/directory"
	"entente.example/entente/modules/incidents"
)

func fields(err error) map[string]string {
	if ce := core.AsError(err); ce != nil && ce.Fields != nil {
		return ce.Fields
	}
	return map[string]string{}
}

// node is a served node with the incidents module.
type node struct {
	*fedtest.Served
	svc   *incidents.Service
	clock *storetest.Clock
}

func newNode(t testing.TB, e storetest.Engine) *node {
	t.Helper()
	clock := storetest.NewClock(time.Now())
	db := storetest.Open(t, e, clock, auth.Migrations(), audit.Migrations(), jobs.Migrations(), ledger.Migrations(), federation.Migrations(), directory.Migrations(), incidents.Migrations())
	s := fedtest.Serve(t, db)
	return &node{Served: s, svc: incidents.NewService(db, s.Fed), clock: clock}
}

// hospital is a ransomware incident as BSSN would record it.
func hospital(tlp core.TLP, audience string, refs ...string) incidents.Incident {
	end := time.Date(2026, 10, 5, 0, 0, 0, 0, time.UTC)
	return incidents.Incident{Name: "Ransomware at a hospital", Description: "Records encrypted.", Start: time.Date(2026, 10, 2, 0, 0, 0, 0, time.UTC), End: &end,
		Types: []string{"ransomware"}, Receivers: []incidents.Receiver{{Name: "Hospital", Country: "ID", Category: "critical_infrastructure", Sector: "healthcare"}},
		Initiator: incidents.Initiator{Name: "An affiliate", Category: "non_state_criminal"}, Inclusion: []string{"ci_target"},
		Sources: []string{"https://example.org/report"}, Intensity: 4, Criticality: 80, TLP: tlp, Audience: audience, AudienceRefs: refs}
}

// TestCreateUpdateList records, changes and lists incidents on one node:
// the version goes up by one, a stale version is a conflict, bad input
// names its fields, and the filters narrow the list.
func TestCreateUpdateList(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		n := newNode(t, e)
		n.Org(t, "bssn", core.OrgStateCERT, "ID", "BSSN")
		n.Org(t, "kemlu", core.OrgStateMinistry, "ID", "Kemlu")
		rina := n.As("Rina", "bssn", core.RoleAnalyst)
		obs := n.As("Olga", "bssn", core.RoleObserver)

		bad := hospital(core.TLPGreen, incidents.AudiencePublic)
		bad.Name, bad.Types = "", []string{"teleportation"}
		_, err := n.svc.Create(rina, "bssn", bad)
		want := map[string]string{"name": "err.required", "types": "err.inc_vocab", "audience": "err.inc_public_tlp"}
		for f, k := range want {
			if fields(err)[f] != k {
				t.Errorf("field %s: got %q, want %q (%v)", f, fields(err)[f], k, err)
			}
		}
		if _, err := n.svc.Create(obs, "bssn", hospital(core.TLPAmber, incidents.AudienceOrg)); core.KindOf(err) != core.KindForbidden {
			t.Fatalf("an observer recorded an incident: %v", err)
		}
		if _, err := n.svc.Create(rina, "kemlu", hospital(core.TLPAmber, incidents.AudienceOrg)); fields(err)["org"] == "" {
			t.Fatalf("recorded for another organisation: %v", err)
		}
		inc, err := n.svc.Create(rina, "bssn", hospital(core.TLPAmber, incidents.AudienceOrg))
		if err != nil {
			t.Fatal(err)
		}
		if inc.Version != 1 || inc.Owner != n.Addr("bssn") || inc.Node != n.Host {
			t.Fatalf("created %+v", inc)
		}
		ch := inc
		ch.Name = "Ransomware at a hospital in Surabaya"
		up, err := n.svc.Update(rina, inc.ID, ch)
		if err != nil {
			t.Fatal(err)
		}
		if up.Version != 2 {
			t.Fatalf("version %d after one update", up.Version)
		}
		if _, err := n.svc.Update(rina, inc.ID, ch); core.KindOf(err) != core.KindConflict {
			t.Fatalf("an update from version 1 over version 2: %v", err)
		}
		got, err := n.svc.Get(rina, inc.ID)
		if err != nil || got.Name != ch.Name || got.Receivers[0].Sector != "healthcare" || got.End == nil || !got.Start.Equal(ch.Start) {
			t.Fatalf("got %+v, %v", got, err)
		}
		other := hospital(core.TLPClear, incidents.AudiencePublic)
		other.Name, other.Types, other.Receivers[0].Sector = "Defacement of ministry sites", []string{"disruption"}, "government-national"
		other.Initiator.Category = "non_state_political"
		other.Start = time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
		other.End = nil
		if _, err := n.svc.Create(rina, "bssn", other); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			f    incidents.Filter
			want []string
		}{
			{incidents.Filter{}, []string{"Defacement of ministry sites", ch.Name}},
			{incidents.Filter{Type: "ransomware"}, []string{ch.Name}},
			{incidents.Filter{Sector: "government-national"}, []string{"Defacement of ministry sites"}},
			{incidents.Filter{Initiator: "non_state_criminal"}, []string{ch.Name}},
			{incidents.Filter{From: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}, []string{ch.Name}},
			{incidents.Filter{Words: "SURABAYA hospital"}, []string{ch.Name}},
			{incidents.Filter{Words: "100%_"}, nil},
		} {
			l, _, err := n.svc.List(rina, c.f)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, i := range l {
				names = append(names, i.Name)
			}
			if len(names) != len(c.want) || (len(names) > 0 && names[0] != c.want[0]) {
				t.Errorf("filter %+v: got %v, want %v", c.f, names, c.want)
			}
		}
		// Pages: one at a time, then the end.
		l, next, err := n.svc.List(rina, incidents.Filter{Page: core.Page{Limit: 1}})
		if err != nil || len(l) != 1 || next == "" {
			t.Fatalf("first page: %d, %q, %v", len(l), next, err)
		}
		l2, next2, err := n.svc.List(rina, incidents.Filter{Page: core.Page{Limit: 1, Cursor: next}})
		if err != nil || len(l2) != 1 || next2 != "" || l2[0].ID == l[0].ID {
			t.Fatalf("second page: %v, %q, %v", l2, next2, err)
		}

		// Attribution and response: the version goes up; time to
		// attribution is measured from the start.
		if _, err := n.svc.AddAttribution(rina, inc.ID, incidents.Attribution{By: "BSSN", ByCategory: "state", Basis: "guess", Confidence: "high", To: "X"}); fields(err)["basis"] != "err.inc_vocab" || fields(err)["at"] != "err.required" {
			t.Fatalf("bad attribution: %v", err)
		}
		at := ch.Start.Add(10 * 24 * time.Hour)
		if _, err := n.svc.AddAttribution(rina, inc.ID, incidents.Attribution{By: "BSSN", ByCategory: "state", ByCountry: "id", Basis: "technical", Confidence: "moderate", To: "An affiliate", At: at}); err != nil {
			t.Fatal(err)
		}
		if _, err := n.svc.AddResponse(rina, inc.ID, incidents.Response{Kind: "statement", By: "BSSN", At: at.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		got, err = n.svc.Get(rina, inc.ID)
		if err != nil || got.Version != 4 || len(got.Attributions) != 1 || got.Attributions[0].ByCountry != "ID" || len(got.Responses) != 1 {
			t.Fatalf("after attribution and response: %+v, %v", got, err)
		}
		if d, ok := got.TimeToAttribution(); !ok || d != 10*24*time.Hour {
			t.Errorf("time to attribution %v", d)
		}
		_ = context.Background()
	})
}
