package humanitarian

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"entente.example/entente/core"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/internal/web"
	webfiles "entente.example/entente/web"
)

// fundSite is a funding node's module on a real web server.
func fundSite(t testing.TB, n *fundNode) *Module {
	t.Helper()
	srv, err := web.New(web.Deps{DB: n.DB, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Registry: prometheus.NewRegistry()}, webfiles.Files)
	if err != nil {
		t.Fatal(err)
	}
	return NewModule(n.svc, srv)
}

func page(t testing.TB, h http.HandlerFunc, ctx context.Context, target string, path ...string) string {
	t.Helper()
	res := serve(t, h, ctx, httptest.NewRequest("GET", target, nil), path...)
	if res.Code != http.StatusOK {
		t.Fatalf("%s: %d %s", target, res.Code, res.Body)
	}
	body := res.Body.String()
	if strings.Contains(body, "hum.fund.") || strings.Contains(body, "hum.3w.sector.") {
		t.Errorf("%s shows a raw message key", target)
	}
	return body
}

func mustHave(t testing.TB, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

// checkFundingPages reads the pages of a flow confirmed with a difference
// on both nodes, in both languages.
func checkFundingPages(t *testing.T, jakarta, donors *fundNode, em Emergency, appeal Appeal, flowID string) {
	t.Helper()
	jm, dm := fundSite(t, jakarta), fundSite(t, donors)
	for _, lang := range []string{"en", "id"} {
		anon := web.WithLang(context.Background(), lang)
		mismatch := map[string]string{"en": "Mismatch", "id": "Tidak cocok"}[lang]
		// Figures as the reader writes numbers.
		usd := func(en string) string {
			if lang == "id" {
				return strings.ReplaceAll(en, ",", ".")
			}
			return en
		}
		fund := page(t, jm.funding, anon, "/humanitarian/emergencies/"+em.ID+"/funding", "id", em.ID)
		mustHave(t, "funding "+lang, fund, "/humanitarian/appeals/"+appeal.ID, usd("USD 1,500,000"), mismatch, "kemlu@"+donors.Host)
		ap := page(t, jm.appeal, anon, "/humanitarian/appeals/"+appeal.ID, "aid", appeal.ID)
		mustHave(t, "appeal "+lang, ap, "https://bnpb.go.id/donasi", "Bank Mandiri 122-00-0000000-1", usd("USD 240,000"), mismatch)
		if len(ap) > 10_000 {
			t.Errorf("the appeal page weighs %d bytes", len(ap))
		}
		for _, site := range []*Module{jm, dm} {
			fl := page(t, site.flow, anon, "/humanitarian/flows/"+flowID, "fid", flowID)
			mustHave(t, "flow "+lang, fl, usd("USD 250,000"), usd("USD 240,000"), usd("USD 10,000"), mismatch)
			if strings.Contains(fl, `action="/humanitarian/flows/`+flowID+`/confirm"`) {
				t.Errorf("the confirmation form for someone not signed in")
			}
		}
	}
	// The API says the same, in US cents.
	res := serve(t, jm.apiFunding, web.WithLang(context.Background(), "en"), httptest.NewRequest("GET", "/api/v1/humanitarian/emergencies/"+em.ID+"/funding", nil), "id", em.ID)
	var out fundingJSON
	if err := json.Unmarshal(res.Body.Bytes(), &out); err != nil || res.Code != http.StatusOK {
		t.Fatalf("API: %d %v", res.Code, err)
	}
	if len(out.Appeals) != 1 || out.Appeals[0].Total.Funded != 240_000_00 || out.Appeals[0].Total.Mismatches != 1 || out.Appeals[0].Total.Coverage != 16 ||
		len(out.Flows) != 1 || out.Flows[0].Confirmation == nil || out.Flows[0].Claim == "" {
		t.Fatalf("API funding: %+v", out)
	}
	// BNPB's writers see the form to confirm again; Kemlu's, the form to
	// move the flow on.
	rina := web.WithLang(jakarta.As("rina", "bnpb", core.RoleOfficer), "en")
	mustHave(t, "BNPB's flow page", page(t, jm.flow, rina, "/humanitarian/flows/"+flowID, "fid", flowID), `action="/humanitarian/flows/`+flowID+`/confirm"`)
	budi := web.WithLang(donors.As("budi", "kemlu", core.RoleOfficer), "en")
	mustHave(t, "Kemlu's flow page", page(t, dm.flow, budi, "/humanitarian/flows/"+flowID, "fid", flowID), `action="/humanitarian/flows/`+flowID+`/status"`)
	// A refused confirmation comes back with what was typed.
	form := url.Values{"sector": {"wash"}, "amount": {"240k"}, "currency": {"USD"}, "status": {FlowPaid}, "date": {"2026-12-04"}}
	r := httptest.NewRequest("POST", "/humanitarian/flows/"+flowID+"/confirm", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res = serve(t, jm.confirmFlow, rina, r, "fid", flowID)
	if res.Code != http.StatusUnprocessableEntity {
		t.Fatalf("refused confirmation: %d", res.Code)
	}
	mustHave(t, "refused confirmation", res.Body.String(), `value="240k"`, "at most two decimals")
	// The form to report offers the address book's and this node's
	// organisations.
	mustHave(t, "report form", page(t, dm.newFlow, budi, "/humanitarian/flows/new"), `<option value="kemlu@`+donors.Host+`">`, `<datalist id="addresses">`)
	// BNPB's writers have nothing waiting once they confirmed; Kemlu's
	// contribution to them does not wait for Kemlu.
	if items, err := jm.fundingAttention(context.Background(), core.ActorFrom(rina)); err != nil || len(items) != 0 {
		t.Errorf("attention after confirmation: %v %v", items, err)
	}
}

func post(t testing.TB, h http.HandlerFunc, ctx context.Context, target string, form url.Values, path ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest("POST", target, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return serve(t, h, ctx, r, path...)
}

// TestFundingForms: an appeal and a contribution made through the forms
// on one node; a refused form comes back with what was typed; the
// appealing organisation closes its appeal.
func TestFundingForms(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		n := newFundNode(t, e)
		n.Org(t, "bnpb", core.OrgStateMinistry, "ID", "BNPB")
		n.Org(t, "tanoto", core.OrgStateMinistry, "ID", "Tanoto Foundation")
		site := fundSite(t, n)
		rina := web.WithLang(n.As("rina", "bnpb", core.RoleOfficer), "en")
		em, err := n.svc.CreateEmergency(rina, "bnpb", quake())
		if err != nil {
			t.Fatal(err)
		}
		bad := url.Values{"org": {"bnpb"}, "title": {"Flash appeal"}, "currency": {"USD"}, "starts_on": {"2026-11-30"}, "req_wash": {"lots"}, "channel_name_1": {"BNPB account"}}
		res := post(t, site.createAppeal, rina, "/humanitarian/emergencies/"+em.ID+"/appeals", bad, "id", em.ID)
		if res.Code != http.StatusUnprocessableEntity {
			t.Fatalf("refused appeal: %d", res.Code)
		}
		mustHave(t, "refused appeal", res.Body.String(), `value="lots"`, `value="BNPB account"`)
		good := url.Values{"org": {"bnpb"}, "title": {"Flash appeal"}, "currency": {"IDR"}, "rate": {"0.0000625"}, "starts_on": {"2026-11-30"},
			"req_wash": {"16,000,000,000"}, "req_health": {"8,000,000,000"}, "channel_name_1": {"BNPB account"}, "channel_url_1": {"https://bnpb.go.id/donasi"}}
		res = post(t, site.createAppeal, rina, "/humanitarian/emergencies/"+em.ID+"/appeals", good, "id", em.ID)
		if res.Code != http.StatusSeeOther {
			t.Fatalf("appeal: %d %s", res.Code, res.Body)
		}
		aid := strings.TrimPrefix(res.Header().Get("Location"), "/humanitarian/appeals/")
		a, err := n.svc.Appeal(context.Background(), aid)
		if err != nil || a.RequiredUSD() != 1_500_000_00 || len(a.Channels) != 1 || a.Channels[0].URL != "https://bnpb.go.id/donasi" {
			t.Fatalf("appeal: %+v %v", a, err)
		}
		ana := web.WithLang(n.As("ana", "tanoto", core.RoleOfficer), "en")
		form := url.Values{"donor": {"tanoto"}, "recipient": {n.Addr("bnpb")}, "emergency_id": {em.ID}, "appeal_id": {aid}, "sector": {"health"},
			"amount": {"100000"}, "currency": {"USD"}, "status": {FlowPaid}, "date": {"2026-12-03"}}
		flowRes := post(t, site.reportFlow, ana, "/humanitarian/flows", form)
		if flowRes.Code != http.StatusSeeOther {
			t.Fatalf("flow: %d %s", flowRes.Code, flowRes.Body)
		}
		ap := page(t, site.appeal, ana, "/humanitarian/appeals/"+aid, "aid", aid)
		// What the donor alone reports is shown apart, not counted.
		mustHave(t, "appeal page", ap, "0% covered: USD 0 of USD 1,500,000", "plus USD 100,000 reported by donors, waiting for the recipient&#39;s confirmation", "Requirements were set in IDR")
		// BNPB's writer sees the contribution waiting and closes the appeal.
		items, err := site.fundingAttention(context.Background(), core.ActorFrom(rina))
		flowID := strings.TrimPrefix(flowRes.Header().Get("Location"), "/humanitarian/flows/")
		if err != nil || len(items) != 1 || items[0].Link != "/humanitarian/flows/"+flowID+"#confirm" {
			t.Fatalf("attention: %v %v", items, err)
		}
		if res := post(t, site.appealStatus, ana, "/humanitarian/appeals/"+aid+"/status", url.Values{"status": {AppealClosed}}, "aid", aid); res.Code != http.StatusForbidden {
			t.Fatalf("a donor closed the appeal: %d", res.Code)
		}
		if res := post(t, site.appealStatus, rina, "/humanitarian/appeals/"+aid+"/status", url.Values{"status": {AppealClosed}}, "aid", aid); res.Code != http.StatusSeeOther {
			t.Fatalf("close: %d", res.Code)
		}
		mustHave(t, "closed appeal", page(t, site.appeal, rina, "/humanitarian/appeals/"+aid, "aid", aid), "Closed", "Reopen the appeal")
	})
}
