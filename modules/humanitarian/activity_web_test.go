package humanitarian

import (
	"bytes"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/internal/web"
)

// badSheet has one good row and one whose reached count is negative (row
// 4, column C).
const badSheet = "Sector,Activity,Reached,Where,Status,Start\n" +
	"#sector,#activity,#reached,#adm2+code,#status,#date+start\n" +
	"WASH,Water trucking,100,ID7210,Ongoing,2026-12-01\n" +
	"Health,Mobile clinic,-3,ID7271,Ongoing,2026-12-01\n"

func upload(t *testing.T, org, sheet string) *http.Request {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	_ = mw.WriteField("org", org)
	fw, _ := mw.CreateFormFile("file", "3w.csv")
	_, _ = fw.Write([]byte(sheet))
	_ = mw.Close()
	r := httptest.NewRequest("POST", "/x", &b)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	return r
}

func TestActivityPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, eng storetest.Engine) {
		w, m := newSite(t, eng)
		e := mustEmergency(t, w)
		mustActivity(t, w, e, "pmi", shelterKits())
		pmi := web.WithLang(as("pmi", core.RoleOfficer), "id")

		res := serve(t, m.activities, anonymous("198.51.100.2"), httptest.NewRequest("GET", "/x?sector=shelter", nil), "id", e.ID)
		body := res.Body.String()
		if res.Code != 200 || !strings.Contains(body, "Shelter kits and tarpaulins") || !strings.Contains(body, `<th scope="col">`) ||
			!strings.Contains(body, "<caption") || strings.Contains(body, `action="/humanitarian/emergencies/`+e.ID+`/activities/import"`) {
			t.Fatalf("public list (%d):\n%s", res.Code, body)
		}

		// A form with a bad count comes back with what was typed.
		form := url.Values{"org": {"pmi"}, "role": {"implementing"}, "sector": {"wash"}, "activity": {"Jerrycans"}, "place": {"Sigi"},
			"start_on": {"2026-12-02"}, "status": {"planned"}, "targeted_girls": {"many"}}
		req := httptest.NewRequest("POST", "/x", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res = serve(t, m.createActivity, pmi, req, "id", e.ID)
		if res.Code != http.StatusUnprocessableEntity || !strings.Contains(res.Body.String(), `value="Jerrycans"`) || !strings.Contains(res.Body.String(), "Isi bilangan bulat") {
			t.Fatalf("bad count: %d\n%s", res.Code, res.Body.String())
		}
		form.Set("targeted_girls", "40")
		req = httptest.NewRequest("POST", "/x", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if res = serve(t, m.createActivity, pmi, req, "id", e.ID); res.Code != http.StatusSeeOther {
			t.Fatalf("create: %d %s", res.Code, res.Body.String())
		}

		// A refused upload lists its problem by row and column, in the
		// reader's language, and imports nothing.
		res = serve(t, m.importActivities, pmi, upload(t, "pmi", badSheet), "id", e.ID)
		if body := res.Body.String(); res.Code != http.StatusUnprocessableEntity || !strings.Contains(body, `<th scope="row">4</th><td>C (#reached)</td>`) ||
			!strings.Contains(body, "Bukan bilangan bulat jumlah orang") {
			t.Fatalf("refused upload: %d\n%s", res.Code, body)
		}
		if list, _ := w.svc.Activities(pmi, e, ActivityFilter{}); len(list) != 2 {
			t.Fatalf("%d activities after a refused import", len(list))
		}
		good := strings.Replace(badSheet, "-3", "3", 1)
		if res = serve(t, m.importActivities, pmi, upload(t, "pmi", good), "id", e.ID); res.Code != http.StatusSeeOther {
			t.Fatalf("good upload: %d %s", res.Code, res.Body.String())
		}

		res = serve(t, m.activitiesCSV, anonymous("198.51.100.2"), httptest.NewRequest("GET", "/x", nil), "id", e.ID)
		if lines := strings.Split(res.Body.String(), "\r\n"); res.Code != 200 || res.Header().Get("Content-Type") != "text/csv; charset=utf-8" ||
			!strings.HasPrefix(lines[0], "Implementing organisation,") || !strings.HasPrefix(lines[1], "#org+impl+name,") || len(lines) != 2+4+1 {
			t.Fatalf("export: %d %q", res.Code, res.Body.String())
		}

		res = serve(t, m.activityMatrix, anonymous("198.51.100.2"), httptest.NewRequest("GET", "/x?level=3", nil), "id", e.ID)
		if body := res.Body.String(); res.Code != 200 || !strings.Contains(body, `<th scope="row">Palu Barat</th>`) || !strings.Contains(body, `<span aria-hidden="true">1 org. · 900</span><span class="sr">Organisations implementing: 1. People reached: 900</span>`) {
			t.Fatalf("matrix: %d\n%s", res.Code, body)
		}
		res = serve(t, m.activityGaps, anonymous("198.51.100.2"), httptest.NewRequest("GET", "/x", nil), "id", e.ID)
		if body := res.Body.String(); res.Code != 200 || !strings.Contains(body, "No gaps") {
			t.Fatalf("gaps: %d\n%s", res.Code, body)
		}
	})
}

func TestActivityAPIImport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, eng storetest.Engine) {
		w, m := newSite(t, eng)
		e := mustEmergency(t, w)
		pmi := as("pmi", core.RoleOfficer)
		req := httptest.NewRequest("POST", "/api/v1/humanitarian/emergencies/"+e.ID+"/activities.hxl?org=pmi", strings.NewReader(badSheet))
		req.Header.Set("Content-Type", "text/csv")
		res := serve(t, m.apiImportActivities, pmi, req, "id", e.ID)
		var out struct {
			Error    struct{ Kind, Message string }
			Imported int
			Problems []struct {
				Row, Column int
				Tag, Code   string
				Message     string
			}
		}
		if err := json.Unmarshal(res.Body.Bytes(), &out); err != nil || res.Code != http.StatusUnprocessableEntity {
			t.Fatalf("%d %s %v", res.Code, res.Body.String(), err)
		}
		if out.Error.Kind != "invalid" || len(out.Problems) != 1 || out.Problems[0].Row != 4 || out.Problems[0].Column != 3 ||
			out.Problems[0].Code != "err.hum_3w_hxl_bad_count" || out.Problems[0].Message != "Row 4, column C (#reached): Not a whole number of people, zero or more." {
			t.Fatalf("refusal: %+v", out)
		}
		req = httptest.NewRequest("POST", "/x?org=pmi", strings.NewReader(strings.Replace(badSheet, "-3", "3", 1)))
		res = serve(t, m.apiImportActivities, pmi, req, "id", e.ID)
		if res.Code != 200 || !strings.Contains(res.Body.String(), `"imported":2`) {
			t.Fatalf("import: %d %s", res.Code, res.Body.String())
		}
	})
}
