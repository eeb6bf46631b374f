package humanitarian

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/store/storetest"
)

// english gives the column headers their keys, as a test needs no words.
func english(key string) string { return strings.TrimPrefix(key, "hum.3w.col.") }

func export(t *testing.T, w *world, e Emergency) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := w.svc.ExportActivities(anonymous("198.51.100.7"), e, ActivityFilter{}, &b, english); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// comparable drops what an import cannot keep: ids and times.
func comparable(list []Activity) []Activity {
	out := make([]Activity, len(list))
	for i, a := range list {
		a.ID, a.EmergencyID, a.OrgID, a.Place, a.CreatedAt, a.UpdatedAt = "", "", "", "", time.Time{}, time.Time{}
		out[i] = a
	}
	return out
}

func TestThreeWRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, eng storetest.Engine) {
		w := newWorld(t, eng)
		e := mustEmergency(t, w)
		mustActivity(t, w, e, "pmi", shelterKits())
		odd := shelterKits()
		odd.Activity, odd.Sector, odd.Place, odd.Partner, odd.PartnerRole = "=cmd|' /C calc'!A0, \"quoted\"\nsecond line", "protection", "ID7210", "UNICEF Indonesia", RoleAppealing
		odd.Role, odd.EndOn, odd.Status, odd.Targeted, odd.Reached = RoleFunding, "", ActivityPlanned, People{Total: 75}, People{}
		mustActivity(t, w, e, "pmi", odd)
		lead := shelterKits()
		lead.Partner, lead.Sector, lead.Place = "", "logistics", "ID72"
		mustActivity(t, w, e, "bnpb", lead)
		before, err := w.svc.Activities(anonymous("198.51.100.7"), e, ActivityFilter{})
		if err != nil {
			t.Fatal(err)
		}
		csv := export(t, w, e)
		if lines := strings.SplitN(string(csv), "\r\n", 3); lines[1] != "#org+impl+name,#org+impl+code,#org+funder+name,#org+funder+code,#org+prog+name,#org+prog+code,"+
			"#sector+cluster+name,#sector+cluster+code,#activity+name,#adm1+name,#adm1+code,#adm2+name,#adm2+code,#adm3+name,#adm3+code,"+
			"#date+start,#date+end,#status,#targeted+ind,#targeted+f+adults,#targeted+m+adults,#targeted+f+children,#targeted+m+children,"+
			"#reached+ind,#reached+f+adults,#reached+m+adults,#reached+f+children,#reached+m+children" {
			t.Fatalf("hashtag row %q", lines[1])
		}
		if !strings.Contains(string(csv), `"'=cmd|' /C calc'!A0, ""quoted""`) {
			t.Fatalf("formula not defused:\n%s", csv)
		}

		// A fresh node where the same people write for the same
		// organisations: one import by someone who writes for both.
		w2 := newWorld(t, eng)
		e2 := mustEmergency(t, w2)
		both := as("pmi", core.RoleOfficer)
		a := core.ActorFrom(both)
		a.Memberships = append(a.Memberships, core.Membership{Org: core.OrgRef{ID: "org-bnpb", Handle: "bnpb"}, Role: core.RoleOfficer})
		res, err := w2.svc.ImportActivities(core.WithActor(both, a), e2.ID, "pmi", bytes.NewReader(csv))
		if err != nil || res.Imported != 3 {
			t.Fatalf("import: %+v %v", res, err)
		}
		after, _ := w2.svc.Activities(anonymous("198.51.100.7"), e2, ActivityFilter{})
		b, c := comparable(before), comparable(after)
		if len(b) != len(c) {
			t.Fatalf("%d activities, then %d", len(b), len(c))
		}
		for i := range b {
			if !activityEqual(b[i], c[i]) {
				t.Errorf("activity %d:\n before %+v\n after  %+v", i, b[i], c[i])
			}
		}
		if again := export(t, w2, e2); !bytes.Equal(again, csv) {
			t.Errorf("export after import differs:\n%s\n---\n%s", csv, again)
		}
	})
}

func activityEqual(a, b Activity) bool {
	people := func(x, y People) bool {
		if x.Total != y.Total {
			return false
		}
		xs, ys := x.parts(), y.parts()
		for i := range xs {
			if (xs[i] == nil) != (ys[i] == nil) || xs[i] != nil && *xs[i] != *ys[i] {
				return false
			}
		}
		return true
	}
	pa, pb := a, b
	pa.Targeted, pa.Reached, pb.Targeted, pb.Reached = People{}, People{}, People{}, People{}
	return pa == pb && people(a.Targeted, b.Targeted) && people(a.Reached, b.Reached)
}

// TestThreeWImportSheet imports the demo 3W of the hxl package, in HXL's 3W
// shape, with a title row, text headers in English and disaggregation by
// +f, +m and +children.
func TestThreeWImportSheet(t *testing.T) {
	storetest.Each(t, func(t *testing.T, eng storetest.Engine) {
		w := newWorld(t, eng)
		e := mustEmergency(t, w)
		// The sheet codes Donggala ID7203, which is Morowali in BPS's codes
		// (Donggala is ID7205): a P-code beside another place's name is
		// refused, with its row and column.
		sheet := string(mustRead(t, "hxl/testdata/threew.csv"))
		wrong := strings.Replace(sheet, "Donggala,ID7205,", "Donggala,ID7203,", 1)
		res, err := w.svc.ImportActivities(as("bnpb", core.RoleOfficer), e.ID, "bnpb", strings.NewReader(wrong))
		wantKind(t, "Donggala coded as Morowali", err, core.KindInvalid)
		want := ImportProblem{Row: 6, Column: 7, Tag: "#adm2+code", Code: "err.hum_3w_place_mismatch", Value: "ID7203"}
		if len(res.Problems) != 1 || res.Problems[0] != want {
			t.Fatalf("problems %+v, want %+v", res.Problems, want)
		}
		right := strings.Replace(wrong, "Donggala,ID7203,", "Donggala,ID7205,", 1)
		res, err = w.svc.ImportActivities(as("bnpb", core.RoleOfficer), e.ID, "bnpb", strings.NewReader(right))
		if err != nil || res.Imported != 5 {
			t.Fatalf("import: %+v %v", res, err)
		}
		list, _ := w.svc.Activities(anonymous("198.51.100.7"), e, ActivityFilter{})
		bySector := map[string]Activity{}
		for _, a := range list {
			bySector[a.Sector] = a
		}
		shelter := bySector["shelter"]
		if shelter.Partner != "Palang Merah Indonesia" || shelter.PartnerRole != RoleImplementing || shelter.Role != RoleAppealing ||
			shelter.PCode != "ID7271" || shelter.Status != ActivityOngoing || shelter.StartOn != "2018-10-01" || shelter.EndOn != "2018-12-31" ||
			shelter.Targeted.Total != 3200 || *shelter.Targeted.Women != 1200 || *shelter.Targeted.Men != 1100 || shelter.Targeted.Girls != nil ||
			shelter.Reached.Total != 2150 || !strings.Contains(shelter.Activity, "Tarpaulins and shelter kits, with training") {
			t.Errorf("shelter row: %+v", shelter)
		}
		edu := bySector["education"]
		if edu.Status != ActivityPlanned || edu.StartOn != "2018-11-01" || edu.Targeted.Total != 1500 || edu.Reached.Total != 0 {
			t.Errorf("education row (planned for a month, children only): %+v", edu)
		}
		for _, s := range []string{"wash", "food-security", "protection"} {
			if _, ok := bySector[s]; !ok {
				t.Errorf("no %s row", s)
			}
		}
	})
}

// TestThreeWImportRefused checks that one bad row refuses the file, and
// that each problem names the spreadsheet row, the column and a reason.
func TestThreeWImportRefused(t *testing.T) {
	storetest.Each(t, func(t *testing.T, eng storetest.Engine) {
		w := newWorld(t, eng)
		e := mustEmergency(t, w)
		// Columns in another order, an extra column, a title row.
		sheet := "Who does what,,,,,,,\n" +
			"Notes,Status,Where,Sector,What,Who,Reached,Start\n" +
			"#meta+notes,#status,#adm2+code,#sector+cluster,#activity,#org+impl,#reached,#date+start\n" +
			"fine,Ongoing,ID7271,WASH,Water trucking,PMI,100,2026-12-01\n" +
			"bad count,Ongoing,ID7271,WASH,Water trucking,PMI,-5,2026-12-01\n" +
			"outside,Ongoing,ID31,Health,Clinic,PMI,10,2026-12-01\n" +
			"no sector,Selesai,ID7210,Rockets,Launch,PMI,,2026-12-02\n" +
			"bad date,Planned,ID7210,Education,Tents,PMI,,tomorrow\n"
		res, err := w.svc.ImportActivities(as("pmi", core.RoleOfficer), e.ID, "pmi", strings.NewReader(sheet))
		wantKind(t, "a sheet with bad rows", err, core.KindInvalid)
		want := []ImportProblem{
			{Row: 5, Column: 7, Tag: "#reached", Code: "err.hum_3w_hxl_bad_count", Value: "-5"},
			{Row: 6, Column: 3, Tag: "#adm2+code", Code: "err.hum_3w_outside", Value: "ID31"},
			{Row: 7, Column: 4, Tag: "#sector+cluster", Code: "err.hum_3w_sector", Value: "Rockets"},
			{Row: 8, Column: 8, Tag: "#date+start", Code: "err.hum_3w_hxl_bad_date", Value: "tomorrow"},
		}
		if len(res.Problems) != len(want) {
			t.Fatalf("problems %+v, want %+v", res.Problems, want)
		}
		for i := range want {
			if res.Problems[i] != want[i] {
				t.Errorf("problem %d: %+v, want %+v", i, res.Problems[i], want[i])
			}
		}
		if list, _ := w.svc.Activities(anonymous("198.51.100.7"), e, ActivityFilter{}); len(list) != 0 {
			t.Fatalf("a refused file added %d activities", len(list))
		}

		for _, c := range []struct{ name, sheet, code string }{
			{"no hashtags", "a,b\n1,2\n", "err.hum_3w_hxl_no_hashtag_row"},
			{"no sector", "#activity,#adm1+code\nx,ID72\n", "err.hum_3w_missing_column"},
			// libhxl's Spanish 3W has sectors and provinces but no activity.
			{"libhxl's example", string(mustRead(t, "hxl/testdata/libhxl-input-valid.csv")), "err.hum_3w_missing_column"},
			{"too large", "#activity,#sector,#adm1\n" + strings.Repeat("x", ImportMaxBytes), "err.hum_3w_hxl_too_large"},
		} {
			res, err := w.svc.ImportActivities(as("pmi", core.RoleOfficer), e.ID, "pmi", strings.NewReader(c.sheet))
			wantKind(t, c.name, err, core.KindInvalid)
			if len(res.Problems) == 0 || res.Problems[0].Code != c.code {
				t.Errorf("%s: %+v", c.name, res.Problems)
			}
		}
		_, err = w.svc.ImportActivities(as("pmi", core.RoleMember), e.ID, "pmi", strings.NewReader(sheet))
		wantKind(t, "a member imports", err, core.KindForbidden)
	})
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// FuzzActivitiesImport feeds the 3W mapping (roles, sectors, places,
// counts, dates) any sheet: it must not panic, and a sheet it accepts
// must give activities that pass validation again.
func FuzzActivitiesImport(f *testing.F) {
	for _, name := range []string{"hxl/testdata/threew.csv", "hxl/testdata/libhxl-input-valid.csv"} {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("#org+funder+code,#org+impl,#sector+code,#activity,#adm3+code,#date+start,#date+end,#status,#targeted+f+children,#targeted\npmi@node.test,X,wash,a,ID7271010,2026,2026-02,planned,5,1\n"))
	svc := NewService(nil, host("node.test"))
	e := quake()
	def := core.OrgRef{ID: "org-pmi", Handle: "pmi"}
	f.Fuzz(func(t *testing.T, b []byte) {
		list, problems := svc.parseThreeW(bytes.NewReader(b), e, def, []core.OrgRef{def})
		if len(problems) > 0 {
			return
		}
		for _, a := range list {
			if pr := a.a.Validate(svc.places, e); len(pr) > 0 {
				t.Fatalf("accepted then refused: %+v %v", a.a, pr)
			}
		}
	})
}
