package publicdiplomacy_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/publicdiplomacy"
)

// vaccineCaseID is the vaccine case with its text in Bahasa Indonesia.
func (w caseWorld) vaccineCaseID() publicdiplomacy.CaseInput {
	in := w.vaccineCase()
	in.Translation = &publicdiplomacy.CaseTranslation{Language: "id",
		Title:    "Hoaks: vaksin untuk Indonesia berisi cip pelacak",
		Claim:    "Vaksin yang disumbangkan ke Indonesia berisi mikrocip pelacak",
		Summary:  "Unggahan menyebut dosis vaksin sumbangan untuk Indonesia berisi mikrocip yang memungkinkan pemerintah asing melacak penerimanya.",
		Disproof: "Dosis vaksin melewati jarum berdiameter 0,25 mm; tidak ada cip sekecil itu yang dapat mengirim sinyal.\n\nAnalisis kementerian kesehatan: https://example.org/analysis",
	}
	return in
}

// getAs reads a public page as a reader whose language is lang (the
// cookie the language switch sets).
func getAs(t *testing.T, u, lang string) (*http.Response, string) {
	t.Helper()
	r, err := http.NewRequest("GET", u, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.AddCookie(&http.Cookie{Name: "lang", Value: lang})
	res, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(b)
}

// TestFactcheckTranslation publishes a case written in English with its
// Indonesian translation: an Indonesian reader finds it by an Indonesian
// word and reads it in Indonesian, an English reader in English, each
// page naming the other as its alternate, each ClaimReview in its
// language and still what schema.org defines.
func TestFactcheckTranslation(t *testing.T) {
	st := loadSchema(t)
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newCaseWorld(t, e)
		in := w.vaccineCaseID()
		c := w.published(t, in)
		if c.Translation == nil || c.Translation.Title != in.Translation.Title {
			t.Fatalf("the translation was not kept: %+v", c.Translation)
		}
		pageURL := w.URL + "/factchecks/" + c.ID
		for _, tc := range []struct {
			name, cookie, query, lang, title, claim, other, otherText string
		}{
			{"an English reader", "en", "", "en", in.Title, in.Claim, "id", "Baca cek fakta ini dalam bahasa Indonesia"},
			{"an Indonesian reader", "id", "", "id", in.Translation.Title, in.Translation.Claim, "en", "Read this fact check in English"},
			{"an English reader asking for Indonesian", "en", "?lang=id", "id", in.Translation.Title, in.Translation.Claim, "en", "Read this fact check in English"},
			{"an Indonesian reader asking for English", "id", "?lang=en", "en", in.Title, in.Claim, "id", "Baca cek fakta ini dalam bahasa Indonesia"},
			{"a language the case is not in", "en", "?lang=fr", "en", in.Title, in.Claim, "id", "Baca cek fakta ini dalam bahasa Indonesia"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res, page := getAs(t, pageURL+tc.query, tc.cookie)
				if res.StatusCode != 200 {
					t.Fatalf("%d\n%s", res.StatusCode, page)
				}
				self, other := pageURL+"?lang="+tc.lang, pageURL+"?lang="+tc.other
				for _, s := range []string{`<h1 lang="` + tc.lang + `">` + tc.title + `</h1>`, `<link rel="canonical" href="` + self + `">`,
					`<link rel="alternate" hreflang="en" href="` + pageURL + `?lang=en">`, `<link rel="alternate" hreflang="id" href="` + pageURL + `?lang=id">`,
					`<link rel="alternate" hreflang="x-default" href="` + pageURL + `">`,
					`<a href="` + other + `" hreflang="` + tc.other + `" lang="` + tc.other + `">` + tc.otherText + `</a>`} {
					if !strings.Contains(page, s) {
						t.Errorf("the page lacks %s\n%s", s, page)
					}
				}
				if tc.lang == "id" && !strings.Contains(page, "Diterjemahkan dari bahasa Inggris") && !strings.Contains(page, "Translated from English") {
					t.Error("the translation does not say it is one")
				}
				scripts := ldScript.FindAllStringSubmatch(page, -1)
				if len(scripts) != 1 {
					t.Fatalf("%d ld+json scripts", len(scripts))
				}
				var ld map[string]any
				if err := json.Unmarshal([]byte(scripts[0][1]), &ld); err != nil {
					t.Fatal(err)
				}
				for _, p := range st.check(".", ld, []string{"ClaimReview"}) {
					t.Error(p)
				}
				if ld["inLanguage"] != tc.lang || ld["name"] != tc.title || ld["claimReviewed"] != tc.claim || ld["url"] != self {
					t.Errorf("ClaimReview: inLanguage %v, name %v, claimReviewed %v, url %v", ld["inLanguage"], ld["name"], ld["claimReviewed"], ld["url"])
				}
				verdict := map[string]string{"en": "False", "id": "Salah"}[tc.lang]
				if r := ld["reviewRating"].(map[string]any); r["alternateName"] != verdict {
					t.Errorf("the verdict's text is %v, want %s", r["alternateName"], verdict)
				}
			})
		}
		// The Indonesian word of the translation finds it, and the list
		// shows it to an Indonesian reader in Indonesian.
		_, page := getAs(t, w.URL+"/factchecks?q=hoaks+mikrocip", "id")
		if !strings.Contains(page, in.Translation.Title) || strings.Contains(page, `lang="en">`+in.Title) {
			t.Errorf("searching Indonesian words:\n%s", page)
		}
		_, page = getAs(t, w.URL+"/factchecks?q=hoaks", "en")
		if !strings.Contains(page, in.Title) {
			t.Errorf("an English reader searching an Indonesian word does not find the case in English")
		}
		found, _, err := w.Svc.PublishedCases(w.dewi, publicdiplomacy.CaseFilter{Words: "Mikrocip"}, 10, 10)
		if err != nil || len(found) != 1 {
			t.Errorf("the service's search: %d cases, %v", len(found), err)
		}
	})
}

// TestCaseTranslationValidation refuses a translation that says less or
// more than the case, or is in the case's own language, naming each field;
// a translation with no text is none.
func TestCaseTranslationValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newCaseWorld(t, e)
		for _, tc := range []struct {
			name string
			edit func(*publicdiplomacy.CaseInput)
			want map[string]string
		}{
			{"only a title", func(in *publicdiplomacy.CaseInput) {
				in.Translation = &publicdiplomacy.CaseTranslation{Language: "id", Title: "Judul"}
			}, map[string]string{"tr_claim": "err.pd_case_tr_missing", "tr_summary": "err.pd_case_tr_missing", "tr_disproof": "err.pd_case_tr_missing"}},
			{"no title", func(in *publicdiplomacy.CaseInput) { in.Translation.Title = " " }, map[string]string{"tr_title": "err.required"}},
			{"the case's own language", func(in *publicdiplomacy.CaseInput) { in.Translation.Language = "en" }, map[string]string{"tr_language": "err.pd_case_tr_language"}},
			{"a language not of the node", func(in *publicdiplomacy.CaseInput) { in.Translation.Language = "fr" }, map[string]string{"tr_language": "err.pd_case_tr_language"}},
			{"no language", func(in *publicdiplomacy.CaseInput) { in.Translation.Language = "" }, map[string]string{"tr_language": "err.required"}},
			{"a text the case lacks", func(in *publicdiplomacy.CaseInput) { in.Claim = "" }, map[string]string{"tr_claim": "err.pd_case_tr_extra"}},
			{"too long", func(in *publicdiplomacy.CaseInput) { in.Translation.Claim = strings.Repeat("a", 301) }, map[string]string{"tr_claim": "err.too_long"}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				in := w.vaccineCaseID()
				tc.edit(&in)
				_, err := w.Svc.CreateCase(w.dewi, in)
				if core.KindOf(err) != core.KindInvalid {
					t.Fatalf("accepted: %v", err)
				}
				got := caseProblems(err)
				for k, v := range tc.want {
					if got[k] != v {
						t.Errorf("%s: %q, want %q (all: %v)", k, got[k], v, got)
					}
				}
				if len(got) != len(tc.want) {
					t.Errorf("problems %v, want %v", got, tc.want)
				}
			})
		}
		in := w.vaccineCase()
		in.Translation = &publicdiplomacy.CaseTranslation{Language: "id", Title: "  "}
		c, err := w.Svc.CreateCase(w.dewi, in)
		if err != nil || c.Translation != nil {
			t.Errorf("a translation with no text: %v, %+v", err, c.Translation)
		}
		// The form says which field, in its label, and keeps what was typed.
		form := url.Values{"org": {"kemlu"}, "language": {"en"}, "title": {"Chips in vaccines"}, "claim": {"Vaccines carry chips"}, "rows": {"2"},
			"tr_language": {"id"}, "tr_title": {"Cip dalam vaksin"}}
		rec := w.serve(t, w.dewi, "POST /disinfo", "/disinfo", form.Encode())
		page := rec.Body.String()
		if rec.Code != 422 || !strings.Contains(page, "Claim, translated: The case has this text") || !strings.Contains(page, `value="Cip dalam vaksin"`) {
			t.Errorf("a refused translation: %d\n%s", rec.Code, page)
		}
	})
}

// TestCaseTranslationFourEyes: the translation is part of the case, so
// whoever changes it has changed the case and may not publish it, and the
// reviewer sees it on the case page.
func TestCaseTranslationFourEyes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newCaseWorld(t, e)
		c, err := w.Svc.CreateCase(w.dewi, w.vaccineCase())
		if err != nil {
			t.Fatal(err)
		}
		in := w.vaccineCaseID()
		in.Version = c.Version
		if c, err = w.Svc.EditCase(w.bima, c.ID, in); err != nil {
			t.Fatal(err)
		}
		if c, err = w.Svc.SubmitCase(w.dewi, c.ID, 0); err != nil {
			t.Fatal(err)
		}
		if _, err := w.Svc.PublishCase(w.bima, c.ID, 0); core.KindOf(err) != core.KindForbidden {
			t.Errorf("Bima translated the case and published it: %v", err)
		}
		rec := w.serve(t, w.sari, "GET /disinfo/{id}", "/disinfo/"+c.ID, "", "id", c.ID)
		if !strings.Contains(rec.Body.String(), "Translation into Indonesian") || !strings.Contains(rec.Body.String(), in.Translation.Title) {
			t.Errorf("the reviewer does not see the translation:\n%s", rec.Body.String())
		}
		rec = w.serve(t, w.sari, "GET /disinfo/{id}/edit", "/disinfo/"+c.ID+"/edit", "", "id", c.ID)
		if !strings.Contains(rec.Body.String(), `value="`+in.Translation.Title+`"`) {
			t.Errorf("the form does not hold the translation")
		}
		if _, err := w.Svc.PublishCase(w.sari, c.ID, 0); err != nil {
			t.Errorf("Sari publishes: %v", err)
		}
	})
}

// TestFactcheckExportsTranslation: the exports carry the translation, in
// columns after the others in CSV, as an object in JSON.
func TestFactcheckExportsTranslation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newCaseWorld(t, e)
		in := w.vaccineCaseID()
		c := w.published(t, in)
		plain := w.vaccineCase()
		plain.Title = "Untranslated"
		w.published(t, plain)
		_, body := get(t, w.URL+"/factchecks.csv")
		recs, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
		if err != nil || len(recs) != 3 {
			t.Fatalf("CSV: %v, %d rows", err, len(recs))
		}
		if h := recs[0]; h[15] != "language" || strings.Join(h[18:], ",") != "translation_language,translation_title,translation_claim,translation_summary,translation_disproof" {
			t.Errorf("CSV header: %v", h)
		}
		rows := map[string]map[string]string{}
		for _, r := range recs[1:] {
			row := map[string]string{}
			for i, h := range recs[0] {
				row[h] = r[i]
			}
			rows[row["id"]] = row
		}
		row := rows[c.ID]
		if row["translation_language"] != "id" || row["translation_title"] != in.Translation.Title || row["translation_claim"] != in.Translation.Claim ||
			row["translation_summary"] != in.Translation.Summary || row["translation_disproof"] != in.Translation.Disproof {
			t.Errorf("CSV row: %v", row)
		}
		for id, r := range rows {
			if id != c.ID && (r["translation_language"] != "" || r["translation_title"] != "") {
				t.Errorf("an untranslated case has translation cells: %v", r)
			}
		}
		_, body = get(t, w.URL+"/factchecks.json")
		var out struct {
			Items []publicdiplomacy.PublicCase `json:"items"`
		}
		if err := json.Unmarshal(body, &out); err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, p := range out.Items {
			if p.Translation != nil {
				n++
				if *p.Translation != *in.Translation || p.ClaimReview.InLanguage != "en" {
					t.Errorf("JSON translation: %+v, ClaimReview in %s", p.Translation, p.ClaimReview.InLanguage)
				}
			}
		}
		if n != 1 || !strings.Contains(string(body), `"translation":{"language":"id"`) {
			t.Errorf("%d translations in the JSON", n)
		}
	})
}
