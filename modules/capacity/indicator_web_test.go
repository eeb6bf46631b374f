package capacity

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"entente.example/entente/core"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/internal/web"
	webfiles "entente.example/entente/web"
)

type testHost string

func (h testHost) Host() string { return string(h) }

// indServer is the indicators' pages and API over a fresh database,
// rendered by the real templates and catalogues.
func indServer(t testing.TB, e storetest.Engine) *IndicatorsModule {
	t.Helper()
	db := storetest.Open(t, e, storetest.NewClock(time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)), audit.Migrations(), Migrations())
	srv, err := web.New(web.Deps{DB: db, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Registry: prometheus.NewRegistry()}, webfiles.Files)
	if err != nil {
		t.Fatal(err)
	}
	return NewIndicatorsModule(NewService(db, testHost("node.test")), srv)
}

// analyst is an analyst of Kominfo, who may import.
func analyst(lang string) context.Context {
	return web.WithLang(core.WithActor(context.Background(), core.Actor{UserID: "u-1", Name: "Dewi",
		Memberships: []core.Membership{{Org: core.OrgRef{ID: "org-kominfo", Handle: "kominfo"}, Kind: core.OrgStateMinistry, Role: core.RoleAnalyst}}}), lang)
}

func anonymous(lang string) context.Context { return web.WithLang(context.Background(), lang) }

func serve(t testing.TB, h http.HandlerFunc, ctx context.Context, r *http.Request) *httptest.ResponseRecorder {
	t.Helper()
	w := httptest.NewRecorder()
	h(w, r.WithContext(ctx))
	return w
}

func get(t testing.TB, h http.HandlerFunc, ctx context.Context, target string, path ...string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest("GET", target, nil)
	for i := 0; i+1 < len(path); i += 2 {
		r.SetPathValue(path[i], path[i+1])
	}
	return serve(t, h, ctx, r)
}

func upload(t testing.TB, m *IndicatorsModule, ctx context.Context, name string, data []byte) *httptest.ResponseRecorder {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("org", "kominfo")
	fw, _ := mw.CreateFormFile("file", name)
	fw.Write(data)
	mw.Close()
	r := httptest.NewRequest("POST", "/capacity/indicators/import", &b)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	return serve(t, m.importFile, ctx, r)
}

func wantIn(t testing.TB, what string, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

func TestIndicatorPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		m := indServer(t, e)
		// A refused upload: the problems in the reader's language, the
		// file's name kept, nothing imported.
		bad := []byte("indicator,country,year,value,unit,source\nitu-gci-score,XX,2024,\"99,9\",score 0-100,https://example.org\n")
		res := upload(t, m, analyst("id"), "gci-salah.csv", bad)
		if res.Code != http.StatusUnprocessableEntity {
			t.Fatalf("refused upload: %d", res.Code)
		}
		wantIn(t, "refused upload", res.Body.String(), "Tidak ada isi gci-salah.csv yang diimpor.", "<td>2</td><td><code>country</code></td>",
			"Tulis angka dengan titik desimal", "Pilih gci-salah.csv lagi")
		if got := get(t, m.index, anonymous("en"), "/capacity/indicators").Body.String(); strings.Contains(got, "itu-gci-score") {
			t.Error("a refused file left an indicator")
		}
		// The sample, accepted.
		res = upload(t, m, analyst("en"), "sample.csv", SampleIndicators)
		if res.Code != 200 {
			t.Fatalf("sample upload: %d %s", res.Code, res.Body)
		}
		wantIn(t, "accepted upload", res.Body.String(), "Imported 22 rows from sample.csv (0 of them replaced an earlier value).")

		for _, lang := range []string{"en", "id"} {
			page := get(t, m.index, anonymous(lang), "/capacity/indicators").Body.String()
			wantIn(t, "index "+lang, page, `href="/capacity/indicators/countries/SG"`, "itu-gci-score")
			if strings.Contains(page, `action="/capacity/indicators/import"`) {
				t.Errorf("index %s: the import form for someone not signed in", lang)
			}
			ph := get(t, m.profile, anonymous(lang), "/capacity/indicators/countries/ph", "code", "ph")
			body := ph.Body.String()
			if ph.Code != 200 {
				t.Fatalf("PH %s: %d", lang, ph.Code)
			}
			wantIn(t, "PH profile "+lang, body, `<svg role="img" aria-labelledby="chart-0-t chart-0-d"`, `<title id="chart-0-t">`, "<table><caption>",
				"<td>93.49 score 0-100</td>", `href="https://www.itu.int/epublications/publication/global-cybersecurity-index-2024">itu.int</a>`,
				`href="/capacity/needs?country=PH&amp;description=`)
			if lang == "id" {
				wantIn(t, "PH profile id", body, "Indikator: Filipina", "Usulkan kebutuhan kapasitas", "Peringkat 6 dari 6 negara dengan data.")
			} else {
				wantIn(t, "PH profile en", body, "Indicators: Philippines", "Suggest a capacity need", "Rank 6 of 6 countries with data.")
			}
			sg := get(t, m.profile, anonymous(lang), "/capacity/indicators/countries/SG", "code", "SG").Body.String()
			if strings.Contains(sg, "/capacity/needs?") {
				t.Errorf("SG %s: a suggested need for a strong value", lang)
			}
			cmp := get(t, m.compare, anonymous(lang), "/capacity/indicators/compare?indicator=itu-gci-score&countries=ID,SG&countries=TL")
			wantIn(t, "compare "+lang, cmp.Body.String(), `<svg role="img" aria-labelledby="compare-t compare-d"`, "<td>99.86 <small>(2024)</small></td>", `value="SG" checked`)
			id := get(t, m.compare, anonymous(lang), "/capacity/indicators/compare?indicator=bps-ip-tik&countries=ID").Body.String()
			wantIn(t, "compare lines "+lang, id, "<polyline points=", "<td>5.90 <small>(2023)</small></td>")
		}
		if res := get(t, m.profile, anonymous("en"), "/capacity/indicators/countries/ZZ", "code", "ZZ"); res.Code != 404 {
			t.Errorf("ZZ: %d", res.Code)
		}
	})
}

func TestSuggestNeedLink(t *testing.T) {
	m := indServer(t, storetest.Engines(t)[0])
	it := ProfileItem{Indicator: Indicator{Code: "x", Name: Name{En: "Index & Co: 100%", ID: "Indeks"}, Topic: "csirt"},
		Latest: Observation{Text: "12.5", Unit: "score 0-100", Year: 2024, Source: "https://example.org/a?b=c&d=e"}, Rank: 5, Of: 6}
	link := SuggestNeed(m.web.Catalog(), "en", "TL", it)
	path, frag, _ := strings.Cut(link, "#")
	if frag != "post" || !strings.HasPrefix(path, "/capacity/needs?") {
		t.Fatalf("link %q", link)
	}
	u, err := url.Parse(path)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	if q.Get("country") != "TL" || q.Get("topics") != "csirt" || q.Get("title") != "Improve Index & Co: 100% in Timor-Leste" {
		t.Errorf("query %v", q)
	}
	if d := q.Get("description"); !strings.Contains(d, "Index & Co: 100% is 12.5 score 0-100 (2024), rank 5 of 6") || !strings.Contains(d, "https://example.org/a?b=c&d=e") {
		t.Errorf("description %q", d)
	}
}

func TestIndicatorAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		m := indServer(t, e)
		post := func(ctx context.Context, ctype string, body []byte) *httptest.ResponseRecorder {
			r := httptest.NewRequest("POST", "/api/v1/capacity/indicators/import?org=kominfo", bytes.NewReader(body))
			r.Header.Set("Content-Type", ctype)
			return serve(t, m.apiImport, ctx, r)
		}
		if res := post(analyst("en"), "application/json", SampleIndicators); res.Code != 422 || !strings.Contains(res.Body.String(), "text/csv") {
			t.Errorf("json body: %d %s", res.Code, res.Body)
		}
		res := post(analyst("id"), "text/csv; charset=utf-8", []byte("indicator,country,year,value,unit,source\nx,ID,2024,1,u,https://e.org\nx,ID,2024,1\x00,u,https://e.org\n"))
		var refused struct {
			Error    struct{ Kind, Message string }
			Problems []struct {
				Line         int
				Column, Code string
				Message      string
			}
			Count int
		}
		if err := json.Unmarshal(res.Body.Bytes(), &refused); err != nil || res.Code != 422 {
			t.Fatalf("refused: %d %s %v", res.Code, res.Body, err)
		}
		if refused.Count != 1 || refused.Problems[0].Line != 3 || refused.Problems[0].Column != "value" || refused.Problems[0].Code != "err.text_nul" ||
			!strings.Contains(refused.Problems[0].Message, "NUL") || refused.Error.Kind != "invalid" {
			t.Errorf("refused: %+v", refused)
		}
		res = post(analyst("en"), "text/csv", SampleIndicators)
		if res.Code != 200 || !strings.Contains(res.Body.String(), `"rows":22`) {
			t.Fatalf("import: %d %s", res.Code, res.Body)
		}
		var list struct {
			Indicators []Indicator
			Countries  []CountryData
		}
		if err := json.Unmarshal(get(t, m.apiIndicators, anonymous("en"), "/api/v1/capacity/indicators").Body.Bytes(), &list); err != nil {
			t.Fatal(err)
		}
		if len(list.Indicators) != 5 || len(list.Countries) != 6 {
			t.Errorf("list: %+v", list)
		}
		var prof struct {
			Country string
			Items   []struct {
				Indicator   Indicator
				Latest      Observation
				Rank, Of    int
				Weak        bool
				SuggestNeed string `json:"suggest_need"`
			}
		}
		if err := json.Unmarshal(get(t, m.apiProfile, anonymous("en"), "/api/v1/capacity/indicators/countries/ph", "code", "ph").Body.Bytes(), &prof); err != nil {
			t.Fatal(err)
		}
		if prof.Country != "PH" || len(prof.Items) != 3 || !prof.Items[0].Weak || !strings.HasPrefix(prof.Items[0].SuggestNeed, "/capacity/needs?country=PH") {
			t.Errorf("profile: %+v", prof)
		}
	})
}
