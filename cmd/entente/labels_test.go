package main

import (
	"encoding/json"
	"io/fs"
	"net/url"
	"regexp"
	"strings"
	"testing"

	webfiles "entente.example/entente/web"
)

// TestErrorSummariesNameFieldsAsTheirLabels fails when a form's error summary
// would name a field differently from its label: the summary says
// field.<name> unless the form gives its own key with the labels function, so
// a process's "title" must not be called a person's "Job title" there.
func TestErrorSummariesNameFieldsAsTheirLabels(t *testing.T) {
	b, err := fs.ReadFile(webfiles.Files, "i18n/en.json")
	if err != nil {
		t.Fatal(err)
	}
	var en map[string]string
	if err := json.Unmarshal(b, &en); err != nil {
		t.Fatal(err)
	}
	fieldRE := regexp.MustCompile(`\{\{template "field" \(dict "F" (\$?\.[\w.]+) "Name" "(\w+)" "Label" "([\w.]+)"`)
	rawRE := regexp.MustCompile(`\{\{if (\$?\.[\w.]+)\.Err "(\w+)"\}\} invalid\{\{end\}\}"><label for="\w+">\{\{t "([\w.]+)"\}\}`)
	summaryRE := regexp.MustCompile(`\{\{template "formerror" (?:\(labels (\$?\.[\w.]+)((?: "[\w.]+")*)\)|(\$?\.[\w.]+))\}\}`)
	pairRE := regexp.MustCompile(`"([\w.]+)"`)
	checked := 0
	fs.WalkDir(webfiles.Files, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		src, _ := fs.ReadFile(webfiles.Files, p)
		s := string(src)
		labels := map[string]map[string]string{} // form → field → key, over every summary of the form
		for _, m := range summaryRE.FindAllStringSubmatch(s, -1) {
			form := m[1] + m[3]
			if labels[form] == nil {
				labels[form] = map[string]string{}
			}
			kv := pairRE.FindAllStringSubmatch(m[2], -1)
			for i := 0; i+1 < len(kv); i += 2 {
				labels[form][kv[i][1]] = kv[i+1][1]
			}
		}
		for _, re := range []*regexp.Regexp{fieldRE, rawRE} {
			for _, m := range re.FindAllStringSubmatch(s, -1) {
				form, name, label := m[1], m[2], m[3]
				named, hasSummary := labels[form]
				if !hasSummary {
					continue
				}
				checked++
				said := "field." + name
				if k, ok := named[name]; ok {
					said = k
				}
				if en[said] != en[label] {
					t.Errorf("%s: the summary of %s calls %q %q, its label says %q", p, form, name, en[said], en[label])
				}
			}
		}
		return nil
	})
	if checked < 20 {
		t.Fatalf("only %d fields checked: the patterns no longer match the templates", checked)
	}
}

// TestTitleErrorsNameTheirForm: a process without a title and a collection
// without one are refused with a summary that names the field as the form
// does, in English and in Bahasa Indonesia.
func TestTitleErrorsNameTheirForm(t *testing.T) {
	_, base, pw := demoNode(t)
	sari := login(t, base, "sari@kemlu.demo", pw)
	admin := login(t, base, "admin@node.demo", pw)
	for _, c := range []struct{ lang, process, collection, jobTitle string }{
		{"en", "Title of the process: ", "Collection title: ", "Job title"},
		{"id", "Judul proses: ", "Judul koleksi: ", "Jabatan"},
	} {
		for _, who := range []*client{sari, admin} {
			wantStatus(t, who.post("/lang", url.Values{"lang": {c.lang}, "next": {"/"}}), 303)
		}
		r := sari.post("/negotiation", url.Values{"title": {""}, "forum": {"OEWG"}, "secretariat": {"kemlu"}, "chair": {"kemlu"}})
		wantStatus(t, r, 422)
		wantContains(t, r, `<a href="#title">`+c.process, `list="chairs"`, `<option value="kemlu">`)
		if strings.Contains(r.Body, c.jobTitle) {
			t.Errorf("%s: the new-process form speaks of %q", c.lang, c.jobTitle)
		}
		r = admin.post("/admin/intel/collections", url.Values{"title": {""}, "alias": {"x-" + c.lang}})
		wantStatus(t, r, 422)
		wantContains(t, r, `<a href="#title">`+c.collection)
		if strings.Contains(r.Body, c.jobTitle) {
			t.Errorf("%s: the collection form speaks of %q", c.lang, c.jobTitle)
		}
	}
}

// TestFarDeadlineRefused: 9999-12-31 is refused as an acknowledgment
// deadline, next to the field and in the reader's language.
func TestFarDeadlineRefused(t *testing.T) {
	_, base, pw := demoNode(t)
	bima := login(t, base, "bima@kemlu.demo", pw)
	for lang, want := range map[string]string{
		"en": `<p class="err" id="ack_by-err">Choose a date from now to five years ahead.</p>`,
		"id": `<p class="err" id="ack_by-err">Pilih tanggal antara sekarang dan lima tahun ke depan.</p>`,
	} {
		wantStatus(t, bima.post("/lang", url.Values{"lang": {lang}, "next": {"/"}}), 303)
		r := bima.post("/mail", url.Values{"from": {"kemlu"}, "to": {"bssn"}, "subject": {"Far away"}, "body": {"x"}, "tlp": {"GREEN"}, "ack_by": {"9999-12-31"}})
		wantStatus(t, r, 422)
		wantContains(t, r, want, `<a href="#ack_by">`)
		noRawKeys(t, "the new-message form in "+lang, r)
	}
}
