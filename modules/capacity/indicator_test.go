package capacity_test

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/capacity"
)

// refused returns the problems of a refused import as "line column key"
// lines.
func refused(t *testing.T, err error) []string {
	t.Helper()
	var ref *capacity.ImportRefused
	if !errors.As(err, &ref) {
		t.Fatalf("import: want a refusal, got %v", err)
	}
	if core.KindOf(err) != core.KindInvalid {
		t.Errorf("a refusal is of kind %q", core.KindOf(err))
	}
	var out []string
	for _, p := range ref.Problems {
		out = append(out, strings.Join(slices.DeleteFunc(append([]string{strconv.Itoa(p.Line), p.Column, p.Key}, p.Args...), func(s string) bool { return s == "" }), " "))
	}
	return out
}

func TestImportIndicatorsSampleAndReplace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		n := newNode(t, e)
		ctx := as("kominfo", core.RoleAnalyst)
		res, err := n.svc.ImportIndicators(ctx, "", capacity.SampleIndicators)
		if err != nil {
			t.Fatalf("sample: %v %v", err, fields(err))
		}
		if res.Rows != 22 || res.Replaced != 0 || !strings.Contains(strings.Join(res.Countries, ","), "ID,MY,PH,SG,TH,VN") {
			t.Errorf("sample: %+v", res)
		}
		// Again: every row replaces itself.
		res, err = n.svc.ImportIndicators(ctx, "kominfo", capacity.SampleIndicators)
		if err != nil || res.Replaced != 22 {
			t.Fatalf("again: %+v %v", res, err)
		}
		// A corrected figure replaces the stored one, keeps the unit.
		// An earlier year's value is added under the latest one.
		fix := "\xEF\xBB\xBFcountry,year,indicator,value,unit,source\nph,2024,itu-gci-score,93.5,score 0-100,https://example.org/gci\n" +
			"SG,2020,itu-gci-score,10,score 0-100,https://example.org/gci-2020\n"
		if res, err = n.svc.ImportIndicators(ctx, "kominfo", []byte(fix)); err != nil || res.Rows != 2 || res.Replaced != 1 {
			t.Fatalf("fix: %+v %v %v", res, err, fields(err))
		}
		p, err := n.svc.Profile(ctx, "ph")
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]capacity.ProfileItem{}
		for _, it := range p.Items {
			got[it.Indicator.Code] = it
		}
		gci := got["itu-gci-score"]
		if gci.Latest.Text != "93.5" || gci.Latest.Source != "https://example.org/gci" || len(gci.Series) != 1 || gci.Rank != 6 || gci.Of != 6 || !gci.Weak {
			t.Errorf("PH's GCI after the fix: %+v", gci)
		}
		// Tier: lower is better; PH's 2 is last, the five 1s share rank 1.
		if tier := got["itu-gci-tier"]; tier.Rank != 6 || !tier.Weak || tier.Indicator.HigherBetter {
			t.Errorf("PH's tier: %+v", tier)
		}
		sg, err := n.svc.Profile(ctx, "SG")
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range sg.Items {
			if it.Indicator.Code == "itu-gci-tier" && (it.Rank != 1 || it.Weak) {
				t.Errorf("SG's tier: %+v", it)
			}
			if it.Indicator.Code == "itu-gci-score" && (it.Rank != 2 || it.Weak || it.Indicator.Name.ID == "" || len(it.Series) != 2 || it.Latest.Year != 2024) {
				t.Errorf("SG's score: %+v", it)
			}
		}
		id, err := n.svc.Profile(ctx, "ID")
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range id.Items {
			if it.Indicator.Code == "bps-ip-tik" {
				if len(it.Series) != 7 || it.Latest.Year != 2024 || it.Series[5].Text != "5.90" || it.Of != 1 || it.Weak {
					t.Errorf("ID's IP-TIK: %+v", it)
				}
			}
		}
		c, err := n.svc.Compare(ctx, "itu-gci-score", []string{"id", "SG", "TL", "ZZ", "SG"})
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Series) != 3 || c.Series[0].Country != "ID" || len(c.Series[0].Points) != 1 || len(c.Series[2].Points) != 0 {
			t.Errorf("compare: %+v", c)
		}
		tl, err := n.svc.Profile(ctx, "TL")
		if err != nil || len(tl.Items) != 0 {
			t.Errorf("TL: %+v %v", tl, err)
		}
		if _, err := n.svc.Profile(ctx, "ZZ"); core.KindOf(err) != core.KindNotFound {
			t.Errorf("ZZ: %v", err)
		}
	})
}

func TestImportIndicatorsRefusesWholeFile(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		n := newNode(t, e)
		ctx := as("kominfo", core.RoleOfficer)
		if _, err := n.svc.ImportIndicators(ctx, "kominfo", capacity.SampleIndicators); err != nil {
			t.Fatal(err)
		}
		file := "indicator,country,year,value,unit,source,note\n" +
			"itu-gci-score,ID,2025,97.5,score 0-100,https://example.org/a,fine on its own\n" +
			"itu-gci-score,XX,2025,\"97,5\",score 0-100,ftp://example.org,\n" +
			"itu-gci-score,SG,1800,1e3,,https://example.org/b,\n" +
			"itu-gci-score,ID,2025,96,score 0-100,https://example.org/c,\n" +
			"own-index,ID,2025,3,points,https://example.org/d,\n" +
			"itu-gci-score,MY,2025,90,percent,https://example.org/e,\n" +
			"itu-gci-score,TH,2025,9\x00,score 0-100,https://example.org/f,\n" +
			"itu-gci-score,VN,2025,90,score 0-100,https://example.org/\xff,\n" +
			"itu-gci-score,VN,2025\n"
		_, err := n.svc.ImportIndicators(ctx, "kominfo", []byte(file))
		got := refused(t, err)
		want := []string{
			"3 country err.country", "3 value err.ind_value", "3 source err.ind_source",
			"4 year err.ind_year 1950 2100", "4 value err.ind_value", "4 unit err.required",
			"5 indicator err.ind_duplicate 2",
			"8 value err.text_nul", "9 source err.text_utf8", "10 err.ind_fields 3 7",
		}
		if !slices.Equal(want, got) {
			t.Errorf("problems:\n got %q\nwant %q", got, want)
		}
		// Nothing of the file was stored, not even line 2.
		p, err := n.svc.Profile(ctx, "ID")
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range p.Items {
			if it.Latest.Year == 2025 {
				t.Errorf("half imported: %+v", it.Latest)
			}
		}
		// The file's own problems gone, the node's are found: an unknown
		// indicator without a name, a unit that differs from the stored
		// one. Still nothing stored.
		file = "indicator,country,year,value,unit,source\n" +
			"itu-gci-score,ID,2025,97.5,score 0-100,https://example.org/a\n" +
			"own-index,ID,2025,3,points,https://example.org/d\n" +
			"itu-gci-score,MY,2025,90,percent,https://example.org/e\n"
		_, err = n.svc.ImportIndicators(ctx, "kominfo", []byte(file))
		if got, want := refused(t, err), []string{"3 name err.ind_unknown own-index", "4 unit err.ind_unit score 0-100"}; !slices.Equal(want, got) {
			t.Errorf("node problems:\n got %q\nwant %q", got, want)
		}
		if p2, _ := n.svc.Profile(ctx, "ID"); len(p2.Items) != len(p.Items) || p2.Items[0].Latest.Year == 2025 {
			t.Errorf("half imported after the node's refusal")
		}
	})
}

func TestImportIndicatorsWhoMay(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		n := newNode(t, e)
		if _, err := n.svc.ImportIndicators(as("kominfo", core.RoleMember), "kominfo", capacity.SampleIndicators); core.KindOf(err) != core.KindForbidden {
			t.Errorf("a member: %v", err)
		}
		if _, err := n.svc.ImportIndicators(as("kominfo", core.RoleOfficer), "csa-sg", capacity.SampleIndicators); fields(err)["org"] != "err.org_unknown" {
			t.Errorf("another organisation: %v", err)
		}
	})
}
