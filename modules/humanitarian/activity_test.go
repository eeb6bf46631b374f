package humanitarian

import (
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/internal/store/storetest"
)

func count(n int64) *int64 { return &n }

// shelterKits is PMI's activity in Palu, disaggregated.
func shelterKits() Activity {
	return Activity{Role: RoleImplementing, Partner: "Yayasan Sayangi Tunas Cilik", PartnerRole: RoleFunding, Sector: "shelter",
		Activity: "Shelter kits and tarpaulins", Place: "ID7271010", StartOn: "2026-12-01", EndOn: "2027-01-31", Status: ActivityOngoing,
		Targeted: People{Women: count(400), Men: count(350), Girls: count(200), Boys: count(210)},
		Reached:  People{Total: 900, Women: count(300), Men: count(250)}}
}

func mustActivity(t testing.TB, w *world, e Emergency, handle string, a Activity) Activity {
	t.Helper()
	a, err := w.svc.CreateActivity(as(handle, core.RoleOfficer), e.ID, handle, a)
	if err != nil {
		t.Fatalf("create activity: %v %v", err, fields(err))
	}
	return a
}

func TestActivityLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, eng storetest.Engine) {
		w := newWorld(t, eng)
		e := mustEmergency(t, w)
		a := mustActivity(t, w, e, "pmi", shelterKits())
		if a.Org != "pmi@node.test" || a.PCode != "ID7271010" || a.Level != 3 || a.Targeted.Total != 1160 || a.Reached.Total != 900 {
			t.Fatalf("created %+v", a)
		}
		got, err := w.svc.Activity(anonymous("198.51.100.7"), a.ID)
		if err != nil || got.Targeted.Total != 1160 || *got.Targeted.Boys != 210 || got.Reached.Girls != nil || got.Partner != a.Partner {
			t.Fatalf("anyone reads %+v, %v", got, err)
		}

		// Only the writers of the owning organisation change or delete it.
		in := shelterKits()
		in.Status = ActivityCompleted
		_, err = w.svc.UpdateActivity(as("bnpb", core.RoleOfficer), a.ID, in)
		wantKind(t, "another organisation edits", err, core.KindForbidden)
		_, err = w.svc.UpdateActivity(as("pmi", core.RoleMember), a.ID, in)
		wantKind(t, "a member edits", err, core.KindForbidden)
		up, err := w.svc.UpdateActivity(as("pmi", core.RoleAnalyst), a.ID, in)
		if err != nil || up.Status != ActivityCompleted || up.CreatedAt != a.CreatedAt {
			t.Fatalf("update: %+v %v", up, err)
		}
		_, err = w.svc.DeleteActivity(as("bnpb", core.RoleAdmin), a.ID)
		wantKind(t, "another organisation deletes", err, core.KindForbidden)
		if _, err := w.svc.DeleteActivity(as("pmi", core.RoleOfficer), a.ID); err != nil {
			t.Fatal(err)
		}
		_, err = w.svc.Activity(anonymous("198.51.100.7"), a.ID)
		wantKind(t, "deleted", err, core.KindNotFound)
	})
}

func TestActivityValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, eng storetest.Engine) {
		w := newWorld(t, eng)
		e := mustEmergency(t, w)
		cases := []struct {
			name  string
			edit  func(a *Activity)
			field string
			key   string
		}{
			{"outside the emergency", func(a *Activity) { a.Place = "ID31" }, "place", "err.hum_3w_outside"},
			{"unknown place", func(a *Activity) { a.Place = "ID9999" }, "place", "err.hum_3w_place"},
			{"a country is no place", func(a *Activity) { a.Place = "ID" }, "place", "err.hum_3w_place"},
			{"no sector", func(a *Activity) { a.Sector = "rockets" }, "sector", "err.hum_3w_sector"},
			{"partner in the same role", func(a *Activity) { a.PartnerRole = RoleImplementing }, "partner_role", "err.hum_3w_same_role"},
			{"ends before it starts", func(a *Activity) { a.EndOn = "2026-11-01" }, "end_on", "err.hum_end_date"},
			{"parts exceed the total", func(a *Activity) { a.Targeted.Total = 10 }, "targeted", "err.hum_3w_total"},
			{"all parts and another total", func(a *Activity) { a.Targeted.Total = 2000 }, "targeted", "err.hum_3w_total"},
			{"negative", func(a *Activity) { a.Reached.Men = count(-1) }, "reached_men", "err.hum_3w_count"},
			{"no status", func(a *Activity) { a.Status = "paused" }, "status", "err.hum_3w_status"},
			{"no activity", func(a *Activity) { a.Activity = "  " }, "activity", "err.required"},
		}
		for _, c := range cases {
			a := shelterKits()
			c.edit(&a)
			_, err := w.svc.CreateActivity(as("pmi", core.RoleOfficer), e.ID, "pmi", a)
			wantKind(t, c.name, err, core.KindInvalid)
			if got := fields(err)[c.field]; got != c.key {
				t.Errorf("%s: %s = %q, want %q (%v)", c.name, c.field, got, c.key, fields(err))
			}
		}
		_, err := w.svc.CreateActivity(as("pmi", core.RoleOfficer), e.ID, "bnpb", shelterKits())
		if fields(err)["org"] != "err.org_unknown" {
			t.Fatalf("writing for another organisation: %v", err)
		}
		// A place may be named rather than coded.
		a := shelterKits()
		a.Place = "Sigi"
		if got := mustActivity(t, w, e, "pmi", a); got.PCode != "ID7210" || got.Level != 2 {
			t.Fatalf("named place: %s %d", got.PCode, got.Level)
		}
	})
}

func TestActivityFiltersMatrixGaps(t *testing.T) {
	storetest.Each(t, func(t *testing.T, eng storetest.Engine) {
		w := newWorld(t, eng)
		e := mustEmergency(t, w)
		mustActivity(t, w, e, "pmi", shelterKits()) // shelter, Palu Barat (in Kota Palu)
		water := shelterKits()
		water.Sector, water.Place, water.Partner, water.Status = "wash", "ID7210", "", ActivityPlanned
		water.Reached = People{Total: 50}
		mustActivity(t, w, e, "pmi", water)
		food := shelterKits()
		food.Sector, food.Partner, food.Status, food.Place = "food-security", "", ActivityCompleted, "ID7271"
		mustActivity(t, w, e, "bnpb", food)

		list, err := w.svc.Activities(anonymous("198.51.100.7"), e, ActivityFilter{Area: "ID7271"})
		if err != nil || len(list) != 2 {
			t.Fatalf("in Kota Palu: %d %v", len(list), err)
		}
		list, _ = w.svc.Activities(anonymous("198.51.100.7"), e, ActivityFilter{Org: "Yayasan Sayangi Tunas Cilik"})
		if len(list) != 1 || list[0].Sector != "shelter" {
			t.Fatalf("by partner: %+v", list)
		}
		list, _ = w.svc.Activities(anonymous("198.51.100.7"), e, ActivityFilter{Sector: "wash", Status: ActivityPlanned, Org: "pmi"})
		if len(list) != 1 {
			t.Fatalf("by sector, status and org: %+v", list)
		}

		m, err := w.svc.ActivityMatrix(anonymous("198.51.100.7"), e, 2)
		if err != nil {
			t.Fatal(err)
		}
		cell := func(area, sector string) Cell {
			for _, r := range m.Rows {
				if r.Area == area {
					for i, s := range m.Sectors {
						if s == sector {
							return r.Cells[i]
						}
					}
				}
			}
			t.Fatalf("no cell %s %s", area, sector)
			return Cell{}
		}
		if c := cell("ID7271", "shelter"); c != (Cell{Orgs: 1, Reached: 900, Reported: true}) {
			t.Errorf("Palu shelter: %+v (PMI implements; its partner only funds)", c)
		}
		if c := cell("ID7210", "wash"); c != (Cell{Orgs: 1, Reached: 50, Reported: true}) {
			t.Errorf("Sigi WASH: %+v", c)
		}
		if c := cell("ID7205", "health"); c != (Cell{}) {
			t.Errorf("Donggala health: %+v", c)
		}

		// Verified needs: water in Sigi (planned WASH there), food in Palu
		// (only a completed distribution), injured in Donggala (nobody),
		// trapped in Palu (no cluster); an unverified report counts not.
		for _, r := range []struct{ cat, place string }{{"water", "Sigi"}, {"food", "Palu Barat"}, {"food", "Palu Barat"}, {"injured", "Donggala"}, {"trapped", "Palu"}} {
			rep, err := w.svc.Submit(anonymous("198.51.100.8"), ReportInput{EmergencyID: e.ID, Channel: ChannelWeb, Text: "need " + r.cat, Category: r.cat, Place: r.place})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.svc.Decide(as("bnpb", core.RoleOfficer), rep.ID, ReportVerified, ""); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := w.svc.Submit(anonymous("198.51.100.8"), ReportInput{EmergencyID: e.ID, Channel: ChannelWeb, Text: "no water", Category: "water", Place: "Poso"}); err != nil {
			t.Fatal(err)
		}
		gaps, err := w.svc.ActivityGaps(anonymous("198.51.100.7"), e, 2)
		if err != nil {
			t.Fatal(err)
		}
		want := []Gap{{Area: "ID7271", Sector: "food-security", Reports: 2}, {Area: "ID7205", Sector: "health", Reports: 1}}
		if len(gaps) != len(want) || gaps[0] != want[0] || gaps[1] != want[1] {
			t.Fatalf("gaps %+v, want %+v", gaps, want)
		}
	})
}
