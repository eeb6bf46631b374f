package humanitarian

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/internal/web"
)

// TestMoneyByLanguage: amounts and rates are read as the reader's
// language writes them, and whatever could be read two ways is refused
// as such rather than guessed (the trial read "0,0000625" as 625).
func TestMoneyByLanguage(t *testing.T) {
	for _, c := range []struct {
		lang, in string
		want     int64
	}{
		{"id", "4.800.000.000", 4_800_000_000_00},
		{"id", "1.250,50", 1_250_50},
		{"id", "250000", 250_000_00},
		{"id", "12,5", 12_50},
		{"id", "4 800 000 000", 4_800_000_000_00},
		{"en", "4,800,000,000", 4_800_000_000_00},
		{"en", "1,250.50", 1_250_50},
		{"en", "250000", 250_000_00},
	} {
		if got, why := ParseMoneyIn(c.lang, c.in); why != 0 || got != c.want {
			t.Errorf("%s amount %q = %d (%d), want %d", c.lang, c.in, got, why, c.want)
		}
	}
	for _, c := range []struct{ lang, in string }{
		{"id", "4,800,000,000"}, {"id", "1,250.50"}, {"id", "1.25"}, {"id", "1,250"}, {"id", "48.00.000"}, {"id", ".800"},
		{"en", "4.800.000.000"}, {"en", "1.250,50"}, {"en", "1.250"}, {"en", "4,80,0000"}, {"en", "1,2"}, {"en", "1.2.3"},
	} {
		if got, why := ParseMoneyIn(c.lang, c.in); why != numFormat {
			t.Errorf("%s amount %q = %d (%d), want refused as ambiguous", c.lang, c.in, got, why)
		}
	}
	for _, c := range []struct{ lang, in string }{{"id", "240k"}, {"en", "-5"}, {"en", ""}, {"id", "1e6"}} {
		if got, why := ParseMoneyIn(c.lang, c.in); why != numBad {
			t.Errorf("%s amount %q = %d (%d), want refused", c.lang, c.in, got, why)
		}
	}
	for _, c := range []struct {
		lang, in string
		want     int64
	}{{"id", "0,0000625", 6250}, {"en", "0.0000625", 6250}, {"id", "1", rateScale}, {"id", "3,25", 325_000_000}} {
		if got, why := ParseRateIn(c.lang, c.in); why != 0 || got != c.want {
			t.Errorf("%s rate %q = %d (%d), want %d", c.lang, c.in, got, why, c.want)
		}
	}
	// A rate is never grouped: each language's figure read the other way.
	for _, c := range []struct{ lang, in string }{{"en", "0,0000625"}, {"id", "0.0000625"}, {"en", "1,000"}, {"id", "0,5,1"}} {
		if got, why := ParseRateIn(c.lang, c.in); why != numFormat {
			t.Errorf("%s rate %q = %d (%d), want refused as ambiguous", c.lang, c.in, got, why)
		}
	}
	for _, c := range []struct {
		lang  string
		cents int64
		want  string
	}{{"id", 4_800_000_000_00, "4.800.000.000"}, {"id", 1_250_50, "1.250,50"}, {"en", 4_800_000_000_00, "4,800,000,000"}, {"en", 1_250_50, "1,250.50"}} {
		if got := FormatMoneyIn(c.lang, c.cents); got != c.want {
			t.Errorf("%s %d = %s, want %s", c.lang, c.cents, got, c.want)
		}
		if back, why := ParseMoneyIn(c.lang, FormatMoneyIn(c.lang, c.cents)); why != 0 || back != c.cents {
			t.Errorf("%s %d does not read back: %d", c.lang, c.cents, back)
		}
	}
	if FormatRateIn("id", 6250) != "0,0000625" || FormatRateIn("en", 6250) != "0.0000625" {
		t.Errorf("rates: %s %s", FormatRateIn("id", 6250), FormatRateIn("en", 6250))
	}
}

// TestFundingFormsInIndonesian: a contribution reported and confirmed
// through the forms by readers of Indonesian, with Indonesian figures; the
// English figure of a rate refused on the Indonesian form, the input
// kept; a payment dated to come refused; pages show Indonesian numbers
// and organisations' names.
func TestFundingFormsInIndonesian(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		n := newFundNode(t, e)
		n.Org(t, "bnpb", core.OrgStateMinistry, "ID", "BNPB")
		n.Org(t, "tanoto", core.OrgStateMinistry, "ID", "Tanoto Foundation")
		site := fundSite(t, n)
		site.UseOrgNames(n.Fed)
		rina := web.WithLang(n.As("rina", "bnpb", core.RoleOfficer), "id")
		ana := web.WithLang(n.As("ana", "tanoto", core.RoleOfficer), "id")
		em, err := n.svc.CreateEmergency(rina, "bnpb", quake())
		if err != nil {
			t.Fatal(err)
		}
		now := n.DB.Clock().Now().UTC()
		today, later := now.Format(time.DateOnly), now.Add(72*time.Hour).Format(time.DateOnly)
		form := url.Values{"donor": {"tanoto"}, "recipient": {n.Addr("bnpb")}, "emergency_id": {em.ID}, "sector": {"wash"},
			"amount": {"4.800.000.000"}, "currency": {"IDR"}, "rate": {"0.0000625"}, "status": {FlowPaid}, "date": {later}}
		res := post(t, site.reportFlow, ana, "/humanitarian/flows", form)
		if res.Code != http.StatusUnprocessableEntity {
			t.Fatalf("an English rate on the Indonesian form: %d", res.Code)
		}
		mustHave(t, "refused report", res.Body.String(), `value="0.0000625"`, `value="4.800.000.000"`, "Kurs ini dapat dibaca dua cara", "0,0000625 untuk rupiah",
			"sudah lewat", "mis. 250000 atau 1.250,50", ">Tanoto Foundation</option>")
		if strings.Contains(res.Body.String(), "1,250.50") {
			t.Errorf("the Indonesian form shows an English example")
		}
		// A pledge may be dated to come.
		form.Set("rate", "0,0000625")
		form.Set("status", FlowPledged)
		if res := post(t, site.reportFlow, ana, "/humanitarian/flows", form); res.Code != http.StatusSeeOther {
			t.Fatalf("a pledge dated to come: %d %s", res.Code, res.Body)
		}
		form.Set("status", FlowPaid)
		form.Set("date", today)
		res = post(t, site.reportFlow, ana, "/humanitarian/flows", form)
		if res.Code != http.StatusSeeOther {
			t.Fatalf("report: %d %s", res.Code, res.Body)
		}
		fid := strings.TrimPrefix(res.Header().Get("Location"), "/humanitarian/flows/")
		fl, err := n.svc.Flow(context.Background(), fid)
		if err != nil || fl.Amount != 4_800_000_000_00 || fl.RateE8 != 6250 || fl.USD != 300_000_00 {
			t.Fatalf("flow: %+v %v", fl, err)
		}
		// The recipient's form starts from the donor's figures, written
		// in Indonesian, and takes them back as they are.
		fp := page(t, site.flow, rina, "/humanitarian/flows/"+fid, "fid", fid)
		mustHave(t, "flow page", fp, `value="4.800.000.000"`, `value="0,0000625"`, "IDR 4.800.000.000", "USD 300.000", "Tanoto Foundation")
		confirm := url.Values{"sector": {"wash"}, "amount": {"4.800.000.000"}, "currency": {"IDR"}, "rate": {"0,0000625"}, "status": {FlowPaid}, "date": {"2030-01-01"}}
		res = post(t, site.confirmFlow, rina, "/humanitarian/flows/"+fid+"/confirm", confirm, "fid", fid)
		if res.Code != http.StatusUnprocessableEntity || !strings.Contains(res.Body.String(), `value="2030-01-01"`) {
			t.Fatalf("a receipt dated 2030: %d", res.Code)
		}
		confirm.Set("date", today)
		confirm.Set("amount", "4.640.000.000")
		if res := post(t, site.confirmFlow, rina, "/humanitarian/flows/"+fid+"/confirm", confirm, "fid", fid); res.Code != http.StatusSeeOther {
			t.Fatalf("confirm: %d %s", res.Code, res.Body)
		}
		if fl, _ = n.svc.Flow(context.Background(), fid); fl.Confirmation == nil || fl.Confirmation.USD != 290_000_00 {
			t.Fatalf("confirmation: %+v", fl.Confirmation)
		}
		anon := web.WithLang(context.Background(), "id")
		fund := page(t, site.funding, anon, "/humanitarian/emergencies/"+em.ID+"/funding", "id", em.ID)
		mustHave(t, "funding page", fund, "USD 290.000", "Tanoto Foundation", "BNPB")
		if strings.Contains(fund, "tanoto@") || strings.Contains(fund, "USD 290,000") {
			t.Errorf("the Indonesian funding page shows an address or an English figure")
		}
		mustHave(t, "flow page", page(t, site.flow, anon, "/humanitarian/flows/"+fid, "fid", fid), "IDR 4.800.000.000", "IDR 4.640.000.000")
		mustHave(t, "flow list", page(t, site.flowList, anon, "/humanitarian/flows"), "Tanoto Foundation → BNPB", "IDR 4.800.000.000")
		en := web.WithLang(context.Background(), "en")
		mustHave(t, "English flow page", page(t, site.flow, en, "/humanitarian/flows/"+fid, "fid", fid), "IDR 4,800,000,000", "USD 290,000")
	})
}

// TestFundingFormsInEnglish: the same figures in English; the Indonesian
// rate on the English form refused, not read as 625.
func TestFundingFormsInEnglish(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		n := newFundNode(t, e)
		n.Org(t, "bnpb", core.OrgStateMinistry, "ID", "BNPB")
		n.Org(t, "tanoto", core.OrgStateMinistry, "ID", "Tanoto Foundation")
		site := fundSite(t, n)
		rina := web.WithLang(n.As("rina", "bnpb", core.RoleOfficer), "en")
		ana := web.WithLang(n.As("ana", "tanoto", core.RoleOfficer), "en")
		em, err := n.svc.CreateEmergency(rina, "bnpb", quake())
		if err != nil {
			t.Fatal(err)
		}
		today := n.DB.Clock().Now().UTC().Format(time.DateOnly)
		form := url.Values{"donor": {"tanoto"}, "recipient": {n.Addr("bnpb")}, "emergency_id": {em.ID}, "sector": {"wash"},
			"amount": {"4.800.000.000"}, "currency": {"IDR"}, "rate": {"0,0000625"}, "status": {FlowCommitted}, "date": {"2030-01-01"}}
		res := post(t, site.reportFlow, ana, "/humanitarian/flows", form)
		if res.Code != http.StatusUnprocessableEntity {
			t.Fatalf("Indonesian figures on the English form: %d", res.Code)
		}
		mustHave(t, "refused report", res.Body.String(), "This amount could be read two ways", "This rate could be read two ways", "has a date that has come", "e.g. 250000 or 1,250.50")
		form.Set("amount", "4,800,000,000")
		form.Set("rate", "0.0000625")
		form.Set("date", today)
		res = post(t, site.reportFlow, ana, "/humanitarian/flows", form)
		if res.Code != http.StatusSeeOther {
			t.Fatalf("report: %d %s", res.Code, res.Body)
		}
		fl, err := n.svc.Flow(context.Background(), strings.TrimPrefix(res.Header().Get("Location"), "/humanitarian/flows/"))
		if err != nil || fl.Amount != 4_800_000_000_00 || fl.USD != 300_000_00 {
			t.Fatalf("flow: %+v %v", fl, err)
		}
		// An appeal's requirements, and its rate, likewise.
		bad := url.Values{"org": {"bnpb"}, "title": {"Flash appeal"}, "currency": {"IDR"}, "rate": {"0,0000625"}, "starts_on": {today}, "req_wash": {"16.000.000.000"}}
		res = post(t, site.createAppeal, rina, "/humanitarian/emergencies/"+em.ID+"/appeals", bad, "id", em.ID)
		if res.Code != http.StatusUnprocessableEntity {
			t.Fatalf("Indonesian figures on the English appeal form: %d", res.Code)
		}
		mustHave(t, "refused appeal", res.Body.String(), `value="0,0000625"`, "This rate could be read two ways", "This amount could be read two ways")
		idRina := web.WithLang(rina, "id")
		bad.Set("req_wash", "16.000.000.000")
		res = post(t, site.createAppeal, idRina, "/humanitarian/emergencies/"+em.ID+"/appeals", bad, "id", em.ID)
		if res.Code != http.StatusSeeOther {
			t.Fatalf("the Indonesian appeal form: %d %s", res.Code, res.Body)
		}
		a, err := n.svc.Appeal(context.Background(), strings.TrimPrefix(res.Header().Get("Location"), "/humanitarian/appeals/"))
		if err != nil || a.RateE8 != 6250 || a.RequiredUSD() != 1_000_000_00 {
			t.Fatalf("appeal: %+v %v", a, err)
		}
	})
}

// FuzzParseMoneyIn: whatever a person types, an amount read in one
// language is written back and read again to itself, and an input read in
// both languages is never read as two different amounts.
func FuzzParseMoneyIn(f *testing.F) {
	for _, s := range []string{"4.800.000.000", "4,800,000,000", "1.250,50", "0,0000625", "250000", "1 250", "12,", ".5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var got [2]int64
		for i, lang := range []string{"en", "id"} {
			n, why := ParseMoneyIn(lang, s)
			if why != 0 {
				got[i] = -1
				continue
			}
			got[i] = n
			if n < 0 || n > maxMoney {
				t.Fatalf("%s %q = %d", lang, s, n)
			}
			if back, why := ParseMoneyIn(lang, FormatMoneyIn(lang, n)); why != 0 || back != n {
				t.Fatalf("%s %q = %d, written %q, read back %d", lang, s, n, FormatMoneyIn(lang, n), back)
			}
			if r, why := ParseRateIn(lang, s); why == 0 && (r <= 0 || r > 1_000_000*rateScale) {
				t.Fatalf("%s rate %q = %d", lang, s, r)
			}
		}
		if got[0] >= 0 && got[1] >= 0 && got[0] != got[1] {
			t.Fatalf("%q reads %d in English and %d in Indonesian", s, got[0], got[1])
		}
	})
}
