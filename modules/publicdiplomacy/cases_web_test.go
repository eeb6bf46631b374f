package publicdiplomacy_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/internal/web"
	"entente.example/entente/modules/publicdiplomacy"
)

// serve runs one of the module's routes as the person in ctx, without
// the server's middleware (no session needed): the route's handler with
// the path's values set.
func (w caseWorld) serve(t *testing.T, ctx context.Context, pattern, target string, body string, path ...string) *httptest.ResponseRecorder {
	t.Helper()
	m := publicdiplomacy.NewModule(w.Svc, w.Web)
	for _, rt := range m.Routes() {
		if rt.Pattern != pattern {
			continue
		}
		method, _, _ := strings.Cut(pattern, " ")
		var r *http.Request
		if body != "" {
			r = httptest.NewRequest(method, target, strings.NewReader(body))
			if strings.HasPrefix(body, "{") {
				r.Header.Set("Content-Type", "application/json")
			} else {
				r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
		} else {
			r = httptest.NewRequest(method, target, nil)
		}
		for i := 0; i+1 < len(path); i += 2 {
			r.SetPathValue(path[i], path[i+1])
		}
		rec := httptest.NewRecorder()
		rt.Handler(rec, r.WithContext(web.WithLang(ctx, "en")))
		return rec
	}
	t.Fatalf("no route %s", pattern)
	return nil
}

// published creates, submits and publishes a case: Dewi writes, Bima
// publishes.
func (w caseWorld) published(t *testing.T, in publicdiplomacy.CaseInput) publicdiplomacy.Case {
	t.Helper()
	c, err := w.Svc.CreateCase(w.dewi, in)
	if err == nil {
		c, err = w.Svc.SubmitCase(w.dewi, c.ID, 0)
	}
	if err == nil {
		c, err = w.Svc.PublishCase(w.bima, c.ID, 0)
	}
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestFactcheckPages serves the public database as anyone reads it: the
// published cases only, filtered, with no script, under 14 KB
// compressed; a draft's page is not found.
func TestFactcheckPages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newCaseWorld(t, e)
		pub := w.published(t, w.vaccineCase())
		other := w.vaccineCase()
		other.Title, other.Countries = "Malaysia closed its border", []string{"MY"}
		w.published(t, other)
		d := w.vaccineCase()
		d.Title = "A draft nobody may read"
		draft, err := w.Svc.CreateCase(w.dewi, d)
		if err != nil {
			t.Fatal(err)
		}
		res, body := get(t, w.URL+"/factchecks")
		page := string(body)
		if res.StatusCode != 200 || !strings.Contains(page, pub.Title) || !strings.Contains(page, other.Title) || strings.Contains(page, d.Title) {
			t.Fatalf("GET /factchecks: %d\n%s", res.StatusCode, page)
		}
		if strings.Contains(page, "<script") || gzipped(body) > 14*1024 {
			t.Errorf("the list has a script or weighs %d bytes compressed", gzipped(body))
		}
		for _, s := range []string{"How we rate claims", "Messages, not messengers", `href="/factchecks.csv?"`, "Malaysia"} {
			if !strings.Contains(page, s) {
				t.Errorf("the list lacks %q", s)
			}
		}
		_, body = get(t, w.URL+"/factchecks?country=MY")
		if !strings.Contains(string(body), other.Title) || strings.Contains(string(body), pub.Title) {
			t.Error("the country filter does not narrow the list")
		}
		// A filter value that is not one is left out, not an error page.
		if res, _ := get(t, w.URL+"/factchecks?country=XX&verdict=nope&q="+url.QueryEscape(strings.Repeat("w ", 50))); res.StatusCode != 200 {
			t.Errorf("bad filters: %d", res.StatusCode)
		}
		if res, _ := get(t, w.URL+"/factchecks/"+draft.ID); res.StatusCode != 404 {
			t.Errorf("a draft's public page: %d", res.StatusCode)
		}
		if res, _ := get(t, w.URL+"/factchecks/not-an-id"); res.StatusCode != 404 {
			t.Errorf("a bad id: %d", res.StatusCode)
		}
	})
}

// TestFactcheckExports gives the published cases in CSV and JSON: no
// drafts, no people's names, cells that a spreadsheet would run as
// formulas defused, a bad filter refused by name.
func TestFactcheckExports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newCaseWorld(t, e)
		in := w.vaccineCase()
		in.Title = `=HYPERLINK("https://evil.example/","click")`
		in.Summary = "-2+3 people believe it"
		pub := w.published(t, in)
		d := w.vaccineCase()
		d.Title = "Draft title"
		if _, err := w.Svc.CreateCase(w.dewi, d); err != nil {
			t.Fatal(err)
		}
		res, body := get(t, w.URL+"/factchecks.csv")
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("CSV: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
		}
		recs, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 2 || recs[0][0] != "id" || recs[1][0] != pub.ID {
			t.Fatalf("CSV rows: %v", recs)
		}
		row := map[string]string{}
		for i, h := range recs[0] {
			row[h] = recs[1][i]
		}
		if row["title"] != "'"+in.Title || row["summary"] != "'"+in.Summary || row["verdict"] != "false" || row["countries"] != "ID" ||
			!strings.HasPrefix(row["appearances"], "https://news.example.net/vaccine-chips | News Example | id | ") || strings.Count(row["appearances"], "\n") != 1 {
			t.Errorf("CSV row: %v", row)
		}
		if strings.Contains(string(body), "Dewi") || strings.Contains(string(body), "Bima") {
			t.Error("the CSV names people")
		}
		res, body = get(t, w.URL+"/factchecks.json?verdict=false")
		var out struct {
			Items []map[string]any `json:"items"`
		}
		if err := json.Unmarshal(body, &out); err != nil || res.StatusCode != 200 {
			t.Fatalf("JSON: %d %v", res.StatusCode, err)
		}
		if len(out.Items) != 1 || out.Items[0]["id"] != pub.ID || out.Items[0]["url"] != w.URL+"/factchecks/"+pub.ID ||
			out.Items[0]["claim_review"].(map[string]any)["@type"] != "ClaimReview" {
			t.Errorf("JSON items: %v", out.Items)
		}
		if strings.Contains(string(body), "Dewi") || strings.Contains(string(body), "Draft title") {
			t.Error("the JSON names people or holds a draft")
		}
		res, body = get(t, w.URL+"/factchecks.json?country=XX")
		if res.StatusCode != 422 || !strings.Contains(string(body), "country") {
			t.Errorf("a bad filter: %d %s", res.StatusCode, body)
		}
	})
}

// TestCasePages runs the press office's pages: a new case prefilled from
// a feed item, a refused form that keeps what was typed and names the
// appearance, the steps by their buttons, the link to answer with a post
// and the posts that answered.
func TestCasePages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newCaseWorld(t, e)
		q := url.Values{"title": {"Kapal asing masuk Natuna"}, "link": {"https://www.berita.example/natuna?id=7"}, "lang": {"id-ID"}}
		rec := w.serve(t, w.dewi, "GET /disinfo/new", "/disinfo/new?"+q.Encode(), "")
		page := rec.Body.String()
		for _, s := range []string{`value="Kapal asing masuk Natuna"`, `name="ap0_url" type="url" value="https://www.berita.example/natuna?id=7"`,
			`name="ap0_outlet" value="berita.example"`, `name="ap0_lang" value="id"`, `<option value="id" selected>`} {
			if !strings.Contains(page, s) {
				t.Errorf("the prefilled form lacks %s", s)
			}
		}
		form := url.Values{"org": {"kemlu"}, "language": {"en"}, "title": {"Foreign ships in Natuna"}, "rows": {"2"},
			"ap0_url": {"https://www.berita.example/natuna?id=7"}, "ap0_outlet": {"Berita"}, "ap1_url": {"javascript:alert(1)"}, "ap1_outlet": {"X"}}
		rec = w.serve(t, w.dewi, "POST /disinfo", "/disinfo", form.Encode())
		page = rec.Body.String()
		if rec.Code != 422 || !strings.Contains(page, "Appearance 2: enter the full web address") || !strings.Contains(page, `value="Foreign ships in Natuna"`) {
			t.Fatalf("a refused form: %d\n%s", rec.Code, page)
		}
		form.Set("ap1_url", "")
		form.Set("ap1_outlet", "")
		rec = w.serve(t, w.dewi, "POST /disinfo", "/disinfo", form.Encode())
		loc := rec.Header().Get("Location")
		if rec.Code != 303 || !strings.HasPrefix(loc, "/disinfo/") {
			t.Fatalf("created: %d %s\n%s", rec.Code, loc, rec.Body.String())
		}
		id := strings.TrimPrefix(loc, "/disinfo/")
		// Submitting it incomplete shows the page again with why.
		rec = w.serve(t, w.dewi, "POST /disinfo/{id}/submit", loc+"/submit", "version=1", "id", id)
		if rec.Code != 422 || !strings.Contains(rec.Body.String(), "Disproof: This is required.") {
			t.Errorf("an incomplete submission: %d\n%s", rec.Code, rec.Body.String())
		}
		c := w.published(t, w.vaccineCase())
		rec = w.serve(t, w.bima, "GET /disinfo/{id}", "/disinfo/"+c.ID, "", "id", c.ID)
		if !strings.Contains(rec.Body.String(), `href="/newsroom/new?case=`+c.ID+`"`) || !strings.Contains(rec.Body.String(), "Withdraw") {
			t.Errorf("the case page lacks the answer link or the withdrawal:\n%s", rec.Body.String())
		}
		// A post of the newsroom that answers it is listed.
		acc := w.Account(t, "kemlu", "kemlu")
		err := w.DB.WithTx(context.Background(), func(tx *store.Tx) error {
			_, err := tx.Exec(context.Background(), `INSERT INTO pd_posts (id, account_id, group_id, language, content, case_id, state, published_at, created_by, created_at, updated_at)
				VALUES (?, ?, ?, 'en', 'No, vaccines carry no chips.', ?, 'published', ?, 'u', ?, ?)`, core.NewID(tx.Now), acc.ID, core.NewID(tx.Now), c.ID, tx.Now, tx.Now, tx.Now)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		rec = w.serve(t, w.dewi, "GET /disinfo/{id}", "/disinfo/"+c.ID, "", "id", c.ID)
		if !strings.Contains(rec.Body.String(), "No, vaccines carry no chips.") || !strings.Contains(rec.Body.String(), "@kemlu") {
			t.Errorf("the answering post is not listed:\n%s", rec.Body.String())
		}
		if _, body := get(t, w.URL+"/factchecks/"+c.ID); !strings.Contains(string(body), "Our answers on the social web") {
			t.Error("the public page does not link the answers")
		}
		// The steps' buttons: nobody publishes their own case.
		own, err := w.Svc.CreateCase(w.bima, w.vaccineCase())
		if err == nil {
			_, err = w.Svc.SubmitCase(w.bima, own.ID, 0)
		}
		if err != nil {
			t.Fatal(err)
		}
		rec = w.serve(t, w.bima, "GET /disinfo/{id}", "/disinfo/"+own.ID, "", "id", own.ID)
		if !strings.Contains(rec.Body.String(), "someone else must publish it") || strings.Contains(rec.Body.String(), "/publish") {
			t.Errorf("Bima is offered to publish his own case")
		}
		rec = w.serve(t, w.bima, "POST /disinfo/{id}/publish", "/disinfo/"+own.ID+"/publish", "version=2", "id", own.ID)
		if rec.Code != 403 {
			t.Errorf("Bima published his own case: %d", rec.Code)
		}
		rec = w.serve(t, w.sari, "POST /disinfo/{id}/publish", "/disinfo/"+own.ID+"/publish", "version=2", "id", own.ID)
		if rec.Code != 303 {
			t.Errorf("Sari publishes Bima's case: %d\n%s", rec.Code, rec.Body.String())
		}
	})
}

// TestCaseAPI creates, reads, lists and publishes a case as JSON.
func TestCaseAPI(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newCaseWorld(t, e)
		b, _ := json.Marshal(w.vaccineCase())
		rec := w.serve(t, w.dewi, "POST /api/v1/publicdiplomacy/cases", "/api/v1/publicdiplomacy/cases", string(b))
		var c publicdiplomacy.Case
		if err := json.Unmarshal(rec.Body.Bytes(), &c); rec.Code != 201 || err != nil || c.State != "draft" {
			t.Fatalf("create: %d %s", rec.Code, rec.Body.String())
		}
		rec = w.serve(t, w.dewi, "POST /api/v1/publicdiplomacy/cases", "/api/v1/publicdiplomacy/cases", `{"title":"x","appearances":[{"url":"ftp://x","outlet":"y"}]}`)
		if rec.Code != 422 || !strings.Contains(rec.Body.String(), "appearances") {
			t.Errorf("a bad case: %d %s", rec.Code, rec.Body.String())
		}
		rec = w.serve(t, w.dewi, "POST /api/v1/publicdiplomacy/cases/{id}/submit", "/", `{"version":1}`, "id", c.ID)
		if rec.Code != 200 {
			t.Fatalf("submit: %d %s", rec.Code, rec.Body.String())
		}
		rec = w.serve(t, w.bima, "POST /api/v1/publicdiplomacy/cases/{id}/publish", "/", "", "id", c.ID)
		if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"state":"published"`) {
			t.Fatalf("publish: %d %s", rec.Code, rec.Body.String())
		}
		rec = w.serve(t, w.rina, "GET /api/v1/publicdiplomacy/cases", "/api/v1/publicdiplomacy/cases?country=ID", "")
		var l struct {
			Items []publicdiplomacy.Case `json:"items"`
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &l); err != nil || len(l.Items) != 1 || l.Items[0].ID != c.ID {
			t.Errorf("BSSN's list: %d %s", rec.Code, rec.Body.String())
		}
		rec = w.serve(t, w.rina, "GET /api/v1/publicdiplomacy/cases/{id}", "/", "", "id", c.ID)
		if rec.Code != 200 {
			t.Errorf("BSSN reads the published case: %d", rec.Code)
		}
		rec = w.serve(t, w.bima, "POST /api/v1/publicdiplomacy/cases/{id}/withdraw", "/", `{"reason":""}`, "id", c.ID)
		if rec.Code != 422 || !strings.Contains(rec.Body.String(), "reason") {
			t.Errorf("withdrawn without a reason: %d %s", rec.Code, rec.Body.String())
		}
	})
}
