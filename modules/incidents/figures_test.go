package incidents_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"entente.example/entente/core"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/internal/web"
	"entente.example/entente/modules/incidents"
	webfiles "entente.example/entente/web"
)

// figWorld records, on one node: five incidents of BSSN's own (two
// attributed, by a state after 10 and 30 days, one of them also by a firm
// earlier, after 4 days), one public one of Kemlu's, and an exercise that
// is never counted; and two responses.
func figWorld(t *testing.T, e storetest.Engine) (n *node, bssn, kemlu context.Context) {
	t.Helper()
	n = newNode(t, e)
	n.Org(t, "bssn", core.OrgStateCERT, "ID", "BSSN")
	n.Org(t, "kemlu", core.OrgStateMinistry, "ID", "Kemlu")
	bssn = n.As("Rina", "bssn", core.RoleAnalyst)
	kemlu = n.As("Kiki", "kemlu", core.RoleOfficer)
	day := func(m time.Month, d int) time.Time { return time.Date(2026, m, d, 0, 0, 0, 0, time.UTC) }
	add := func(ctx context.Context, org string, start time.Time, tlp core.TLP, aud string, edit func(*incidents.Incident)) incidents.Incident {
		inc := hospital(tlp, aud)
		inc.Start, inc.End = start, nil
		if edit != nil {
			edit(&inc)
		}
		out, err := n.svc.Create(ctx, org, inc)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	attribute := func(inc incidents.Incident, by, cat string, at time.Time) {
		a := incidents.Attribution{By: by, ByCategory: cat, At: at, Basis: "technical", To: "Lazarus", Confidence: "high"}
		if _, err := n.svc.AddAttribution(bssn, inc.ID, a); err != nil {
			t.Fatal(err)
		}
	}
	state := func(i *incidents.Incident) {
		i.Initiator = incidents.Initiator{Name: "Lazarus", Country: "KP", Category: "state"}
		i.Types = []string{"espionage", "data_theft"}
		i.Receivers = append(i.Receivers, incidents.Receiver{Name: "Ministry", Country: "ID", Category: "state_institutions", Sector: "government-national"},
			incidents.Receiver{Name: "Another hospital", Country: "ID", Category: "critical_infrastructure", Sector: "healthcare"})
	}
	a := add(bssn, "bssn", day(1, 10), core.TLPAmber, incidents.AudienceOrg, state)
	attribute(a, "Republic of Indonesia", "state", day(1, 20))
	attribute(a, "A firm", "industry", day(1, 14))
	b := add(bssn, "bssn", day(3, 1), core.TLPRed, incidents.AudienceOrg, state)
	attribute(b, "Republic of Indonesia", "state", day(3, 31))
	add(bssn, "bssn", day(3, 5), core.TLPAmber, incidents.AudienceOrg, nil)
	add(bssn, "bssn", day(3, 9), core.TLPGreen, incidents.AudienceOrg, nil)
	c := add(bssn, "bssn", day(4, 2), core.TLPAmber, incidents.AudienceOrg, nil)
	for _, kind := range []string{"statement", "sanctions"} {
		if _, err := n.svc.AddResponse(bssn, c.ID, incidents.Response{Kind: kind, By: "Indonesia", At: day(5, 1)}); err != nil {
			t.Fatal(err)
		}
	}
	add(kemlu, "kemlu", day(2, 1), core.TLPClear, incidents.AudiencePublic, func(i *incidents.Incident) { i.Types = []string{"disruption"} })
	add(bssn, "bssn", day(6, 1), core.TLPAmber, incidents.AudienceOrg, func(i *incidents.Incident) { i.Exercise = true })
	return n, bssn, kemlu
}

// TestFigures counts what each reader may see, on both engines: BSSN its
// five and Kemlu's public one, Kemlu only its own; the exercise never.
func TestFigures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		n, bssn, kemlu := figWorld(t, e)
		f, err := n.svc.Figures(bssn)
		if err != nil {
			t.Fatal(err)
		}
		got := func(l []incidents.Count) string {
			var s []string
			for _, c := range l {
				s = append(s, c.Key+"="+strconv.Itoa(c.N))
			}
			return strings.Join(s, " ")
		}
		for name, c := range map[string][2]string{
			"months":     {got(f.Months), "2026-01=1 2026-02=1 2026-03=3 2026-04=1"},
			"types":      {got(f.Types), "data_theft=2 disruption=1 ransomware=3 espionage=2"},
			"sectors":    {got(f.Sectors), "healthcare=6 government-national=2"},
			"initiators": {got(f.Initiators), "state=2 non_state_criminal=4"},
			"responses":  {got(f.Responses), "statement=1 sanctions=1"},
		} {
			if c[0] != c[1] {
				t.Errorf("%s: %s, want %s", name, c[0], c[1])
			}
		}
		// The first attribution counts: 4 days (the firm's) and 30 days.
		const d = 24 * time.Hour
		if f.Total != 6 || f.Attributed != 2 || len(f.ByInitiator) != 1 || f.ByInitiator[0] != (incidents.Delay{Key: "state", N: 2, Median: 4 * d, P90: 30 * d}) ||
			len(f.ByYear) != 1 || f.ByYear[0].Key != "2026" || f.AllDelays.P90 != 30*d {
			t.Errorf("figures %+v", f)
		}
		g, err := n.svc.Figures(kemlu)
		if err != nil {
			t.Fatal(err)
		}
		if g.Total != 1 || got(g.Types) != "disruption=1" || g.Attributed != 0 || len(g.Responses) != 0 {
			t.Errorf("Kemlu counts what it may not see: %+v", g)
		}
	})
}

// route finds a route's handler by its pattern.
func route(t *testing.T, m *incidents.Module, pattern string) http.HandlerFunc {
	t.Helper()
	for _, r := range m.Routes() {
		if r.Pattern == pattern {
			return r.Handler
		}
	}
	t.Fatalf("no route %s", pattern)
	return nil
}

// TestFiguresPage renders the page in both languages through the real
// templates and catalogues: charts as SVG with a title and a description,
// a table for each, no script, no style attribute, a first load under
// 14 KB compressed; and the CSV of the same figures.
func TestFiguresPage(t *testing.T) {
	n, bssn, _ := figWorld(t, storetest.Engines(t)[0])
	srv, err := web.New(web.Deps{DB: n.DB, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Registry: prometheus.NewRegistry()}, webfiles.Files)
	if err != nil {
		t.Fatal(err)
	}
	m := incidents.NewModule(n.svc, srv)
	page := route(t, m, "GET /incidents/figures")
	for lang, want := range map[string][]string{
		"en": {"6 incidents, 2 of them attributed.", `<title id="mo-t">Incidents by month of start</title>`, "March 2026</th><td>3</td>",
			"Ransomware</th><td>3</td>", "4 days</td><td>30 days</td><td>2</td>", `<svg role="img" aria-labelledby="types-t types-d"`},
		"id": {"6 insiden, 2 di antaranya telah diatribusikan.", "Maret 2026</th><td>3</td>", "4 hari</td><td>30 hari</td><td>2</td>"},
	} {
		w := httptest.NewRecorder()
		page(w, httptest.NewRequest("GET", "/incidents/figures", nil).WithContext(web.WithLang(bssn, lang)))
		body := w.Body.String()
		if w.Code != 200 {
			t.Fatalf("%s: %d\n%s", lang, w.Code, body)
		}
		for _, s := range want {
			if !strings.Contains(body, s) {
				t.Errorf("%s: the page lacks %q", lang, s)
			}
		}
		for _, bad := range []string{"<script", "style=", "inc.fig."} {
			if strings.Contains(body, bad) {
				t.Errorf("%s: the page has %q", lang, bad)
			}
		}
		if strings.Count(body, "<svg") != 7 || strings.Count(body, "<table") != 7 {
			t.Errorf("%s: %d charts and %d tables", lang, strings.Count(body, "<svg"), strings.Count(body, "<table"))
		}
		var z bytes.Buffer
		gz := gzip.NewWriter(&z)
		gz.Write(w.Body.Bytes())
		gz.Close()
		if z.Len() > 14*1024 {
			t.Errorf("%s: %d bytes compressed", lang, z.Len())
		}
	}
	// The figures are kept a minute for the same readers: an incident
	// recorded meanwhile is counted once the minute has passed.
	if _, err := n.svc.Create(bssn, "bssn", hospital(core.TLPAmber, incidents.AudienceOrg)); err != nil {
		t.Fatal(err)
	}
	count := func() bool {
		w := httptest.NewRecorder()
		page(w, httptest.NewRequest("GET", "/incidents/figures", nil).WithContext(bssn))
		return strings.Contains(w.Body.String(), "7 incidents, 2 of them attributed.")
	}
	if count() {
		t.Error("figures computed again within the minute")
	}
	n.clock.Advance(61 * time.Second)
	if !count() {
		t.Error("figures not computed again after a minute")
	}
	w := httptest.NewRecorder()
	route(t, m, "GET /incidents/figures.csv")(w, httptest.NewRequest("GET", "/incidents/figures.csv", nil).WithContext(bssn))
	recs, err := csv.NewReader(w.Body).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, r := range recs {
		lines = append(lines, strings.Join(r, ","))
	}
	all := strings.Join(lines, "\n")
	for _, s := range []string{"figure,key,n,median_days,p90_days", "month,2026-03,3,,", "sector,healthcare,7,,", "month,2026-10,1,,", "month,2026-09,0,,", "response_kind,sanctions,1,,",
		"attribution_by_initiator_category,state,2,4.0,30.0", "attribution_by_year,2026,2,4.0,30.0"} {
		if !strings.Contains(all, s) {
			t.Errorf("the CSV lacks %q:\n%s", s, all)
		}
	}
}
