package cybercrime

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/internal/web"
	webfiles "entente.example/entente/web"
)

// figServer is the module's figure pages over the test world, rendered by
// the real templates and catalogues, with figures kept for ttl.
func figServer(t testing.TB, s *Service, ttl time.Duration) figureHandlers {
	t.Helper()
	srv, err := web.New(web.Deps{DB: s.db, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Registry: prometheus.NewRegistry()}, webfiles.Files)
	if err != nil {
		t.Fatal(err)
	}
	m := &Module{svc: s, web: srv}
	return figureHandlers{Module: m, figs: NewFigureCache(s, ttl)}
}

func figGet(t testing.TB, h http.HandlerFunc, ctx context.Context, target string) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	h(w, httptest.NewRequest("GET", target, nil).WithContext(ctx))
	return w
}

func TestFiguresPageAndCSV(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		s := figWorld(t, e)
		m := figServer(t, s, 0)
		// Someone of both organisations sees every request here (the node
		// administrator's view: TestFiguresPageHidesSmallGroups).
		root := figActor("both", false, "o-id", "o-vn")

		page := figGet(t, m.figures, root, "/cybercrime/figures")
		body := page.Body.String()
		if page.Code != 200 {
			t.Fatalf("page: %d\n%s", page.Code, body)
		}
		for _, want := range []string{
			"8 requests sent: 5 open (1 overdue), 1 executed, 2 refused.",
			`<svg role="img" aria-labelledby="ack-t ack-d"`, `<title id="ack-t">Time to acknowledge, by pair of states</title>`,
			"Indonesia → Malaysia", "Expedited preservation",
			// Indonesia → Malaysia: acknowledged in 2 hours (median), 9 in
			// 10 within 10; executed in 2 days.
			"2h 00m<br><small>9 in 10 within 10h 00m (of 4)</small>", "2d 0h<br><small>9 in 10 within 2d 0h (of 1)</small>",
			"A political offence: 1", `href="/cybercrime/figures.csv"`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("page lacks %q", want)
			}
		}
		if strings.Contains(body, "secret") || strings.Contains(body, "<script") {
			t.Error("the page shows a request's content or a script")
		}

		res := figGet(t, m.figuresCSV, root, "/cybercrime/figures.csv")
		if cd := res.Header().Get("Content-Disposition"); cd != `attachment; filename="cybercrime-figures-2026-12-07.csv"` || !strings.HasPrefix(res.Header().Get("Content-Type"), "text/csv") {
			t.Errorf("headers %v", res.Header())
		}
		recs, err := csv.NewReader(res.Body).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		head := recs[0]
		col := map[string]int{}
		for i, h := range head {
			col[h] = i
		}
		if len(recs) != 4 || head[0] != "from_country" || col["refused_political_offence"] == 0 || col["refused_dual_criminality"] == 0 {
			t.Fatalf("csv: %q", recs)
		}
		// Each line of the CSV says what the page's table says.
		rows := regexp.MustCompile(`(?s)<tr><th scope="row">(.*?)</tr>`).FindAllStringSubmatch(body, -1)
		if len(rows) != 3 {
			t.Fatalf("%d rows in the page's table", len(rows))
		}
		v := figuresView{Page: web.Page{Lang: "en"}, cat: m.web.Catalog()}
		for i, rec := range recs[1:] {
			row := rows[i][1]
			if !strings.Contains(row, CountryName(rec[col["from_country"]], "en")+" → "+CountryName(rec[col["to_country"]], "en")) {
				t.Errorf("row %d: %s is not %s → %s", i, row, rec[0], rec[1])
			}
			cells := regexp.MustCompile(`<td>(\d+)(?:</td>|<br>)`).FindAllStringSubmatch(row, -1)
			if cells[0][1] != rec[col["sent"]] || cells[1][1] != rec[col["open"]] || cells[2][1] != rec[col["refused"]] {
				t.Errorf("row %d: page %v, csv %v", i, cells, rec)
			}
			for _, step := range []string{"ack", "preserve", "execute"} {
				if rec[col[step+"_n"]] == "0" {
					continue
				}
				sec, _ := strconv.Atoi(rec[col[step+"_median_s"]])
				p90, _ := strconv.Atoi(rec[col[step+"_p90_s"]])
				h, _ := strconv.ParseFloat(rec[col[step+"_median_h"]], 64)
				if float64(sec)/3600 != h {
					t.Errorf("row %d %s: %d s is not %v h", i, step, sec, h)
				}
				if want := v.Dur(time.Duration(sec)*time.Second) + "<br><small>9 in 10 within " + v.Dur(time.Duration(p90)*time.Second) + " (of " + rec[col[step+"_n"]] + ")"; !strings.Contains(row, want) {
					t.Errorf("row %d %s: page lacks %q", i, step, want)
				}
			}
		}
		if recs[1][col["refused_political_offence"]] != "1" || recs[1][col["ack_p90_s"]] != "36000" || recs[1][col["ack_p90_h"]] != "10.00" {
			t.Errorf("Indonesia → Malaysia in the CSV: %q", recs[1])
		}

		// The JSON says the same, in seconds.
		var api struct {
			Node  bool
			Pairs []struct {
				From        string `json:"from_country"`
				Sent        int
				Acknowledge struct {
					N       int
					MedianS int64 `json:"median_s"`
					P90S    int64 `json:"p90_s"`
				}
				Refusals []GroundCount
			}
		}
		if err := json.Unmarshal(figGet(t, m.apiFigures, root, "/api/v1/cybercrime/figures").Body.Bytes(), &api); err != nil {
			t.Fatal(err)
		}
		if p := api.Pairs; api.Node || len(p) != 3 || p[0].From != "ID" || p[0].Sent != 5 || p[0].Acknowledge.N != 4 || p[0].Acknowledge.MedianS != 7200 ||
			p[0].Acknowledge.P90S != 36000 || len(p[0].Refusals) != 1 || p[2].Refusals == nil {
			t.Errorf("JSON: %+v", api)
		}

		// A bad query: the form again, fields named, input kept.
		bad := figGet(t, m.figures, root, "/cybercrime/figures?from=2026-12-31&to=2026-12-01&kind=gossip")
		b := bad.Body.String()
		if bad.Code != 400 || !strings.Contains(b, "The end of the period comes before its start.") || !strings.Contains(b, `value="2026-12-31"`) || !strings.Contains(b, "Choose one of the options.") {
			t.Errorf("bad query: %d\n%s", bad.Code, b)
		}
		if r := figGet(t, m.figuresCSV, root, "/cybercrime/figures.csv?from=nope"); r.Code != 422 {
			t.Errorf("bad CSV query: %d", r.Code)
		}

		// Another organisation's person: an empty page, an empty CSV.
		other := figActor("other", false, "o-other")
		if b := figGet(t, m.figures, other, "/cybercrime/figures").Body.String(); !strings.Contains(b, "No request was sent in this period.") || strings.Contains(b, "Malaysia") {
			t.Errorf("another organisation's page:\n%s", b)
		}
		if recs, _ := csv.NewReader(figGet(t, m.figuresCSV, other, "/cybercrime/figures.csv").Body).ReadAll(); len(recs) != 1 {
			t.Errorf("another organisation's CSV: %q", recs)
		}
	})
}

// TestFiguresPageHidesSmallGroups: the node administrator's page, CSV and
// JSON leave out what fewer than figureMin requests stand for, and the page
// says so in the reader's language; a query narrowed to one request shows
// nothing of it, and does not claim that none was sent.
func TestFiguresPageHidesSmallGroups(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		m := figServer(t, figNodeWorld(t, e), 0)
		root := figActor("root", true)
		page := figGet(t, m.figures, root, "/cybercrime/figures")
		body := page.Body.String()
		for _, want := range []string{
			"So that no one request can be picked out, nothing is shown that fewer than 5 requests stand for",
			"the totals count only the pairs shown.",
			// Malaysia's one request is not in the total.
			"10 requests sent: 4 open (1 overdue), 4 executed, 2 refused.",
			"Indonesia → Malaysia", "Indonesia → Vietnam",
			"Too few to show<br><small>(of 4)</small>",
			"3h 00m<br><small>9 in 10 within 20h 00m (of 5)</small>",
		} {
			if !strings.Contains(body, want) {
				t.Errorf("node page lacks %q", want)
			}
		}
		for _, not := range []string{"Malaysia → Vietnam", "A political offence", "dual criminality", "2d 0h"} {
			if strings.Contains(body, not) {
				t.Errorf("node page shows %q", not)
			}
		}
		id := figGet(t, m.figures, web.WithLang(root, "id"), "/cybercrime/figures").Body.String()
		if !strings.Contains(id, "tidak ada yang ditampilkan bila mewakili kurang dari 5 permintaan") || !strings.Contains(id, "Terlalu sedikit untuk ditampilkan") {
			t.Errorf("the Indonesian page does not say what is hidden")
		}

		recs, err := csv.NewReader(figGet(t, m.figuresCSV, root, "/cybercrime/figures.csv").Body).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		col := map[string]int{}
		for i, h := range recs[0] {
			col[h] = i
		}
		if len(recs) != 3 || recs[1][1] != "MY" || recs[2][1] != "VN" {
			t.Fatalf("node CSV: %q", recs)
		}
		if r := recs[1]; r[col["ack_n"]] != "4" || r[col["ack_median_s"]] != "" || r[col["ack_p90_s"]] != "" || r[col["refused"]] != "1" {
			t.Errorf("Indonesia → Malaysia in the node CSV: %q", r)
		}
		if r := recs[2]; r[col["ack_median_s"]] != "10800" || r[col["execute_p90_s"]] != "" {
			t.Errorf("Indonesia → Viet Nam in the node CSV: %q", r)
		}
		for h := range col {
			if strings.HasPrefix(h, "refused_") {
				t.Errorf("a ground of fewer than 5 refusals is a column: %s", h)
			}
		}

		var api struct {
			Node     bool
			MinGroup int `json:"min_group"`
			Pairs    []struct {
				To          string `json:"to_country"`
				Acknowledge struct {
					N       int
					MedianS int64 `json:"median_s"`
					Hidden  bool
				}
				Refusals []GroundCount
			}
			Total struct{ Sent, Open int }
		}
		if err := json.Unmarshal(figGet(t, m.apiFigures, root, "/api/v1/cybercrime/figures").Body.Bytes(), &api); err != nil {
			t.Fatal(err)
		}
		if p := api.Pairs; !api.Node || api.MinGroup != 5 || len(p) != 2 || !p[0].Acknowledge.Hidden || p[0].Acknowledge.MedianS != 0 || p[0].Acknowledge.N != 4 ||
			len(p[0].Refusals) != 0 || p[1].Acknowledge.Hidden || p[1].Acknowledge.MedianS != 10800 || api.Total.Sent != 10 || api.Total.Open != 4 {
			t.Errorf("node JSON: %+v", api)
		}

		// One day and one kind: Malaysia's single request.
		one := "?from=2026-12-05&to=2026-12-05&kind=preservation"
		b := figGet(t, m.figures, root, "/cybercrime/figures"+one).Body.String()
		if !strings.Contains(b, "No pair of states and kind had 5 requests or more sent in this period.") || strings.Contains(b, "No request was sent") || strings.Contains(b, "Malaysia") {
			t.Errorf("one request's day, for the node:\n%s", b)
		}
		if recs, _ := csv.NewReader(figGet(t, m.figuresCSV, root, "/cybercrime/figures.csv"+one).Body).ReadAll(); len(recs) != 1 {
			t.Errorf("one request's day, node CSV: %q", recs)
		}
		if j := figGet(t, m.apiFigures, root, "/api/v1/cybercrime/figures"+one).Body.String(); !strings.Contains(j, `"pairs":[]`) || !strings.Contains(j, `"sent":0`) || strings.Contains(j, "MY") {
			t.Errorf("one request's day, node JSON: %s", j)
		}
		// Viet Nam's own investigator sees that request, as before.
		if b := figGet(t, m.figures, figActor("minh", false, "o-vn"), "/cybercrime/figures"+one).Body.String(); !strings.Contains(b, "Malaysia → Vietnam") || strings.Contains(b, "fewer than 5") {
			t.Errorf("Viet Nam's own page:\n%s", b)
		}
	})
}
