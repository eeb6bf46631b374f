package main

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var capNeedRE = regexp.MustCompile(`href="/capacity/needs/([0-9A-Z]{26}-[a-z2-7]{8})"`)

// TestCapacityPages runs the Clearing House through the pages as its
// people would: Timor-Leste's ministry posts a need (first with mistakes,
// which come back by field with what was typed), DFAT posts an offer, sees
// it suggested on the need's page with its reasons and proposes it, the
// ministry accepts, and a project appears; a need shared with DFAT alone
// is nobody else's; the IATI export of what the public sees validates
// against IATI's schema.
func TestCapacityPages(t *testing.T) {
	n, base, pw := demoNode(t)
	if err := demoCapacity(context.Background(), []*node{n}); err != nil {
		t.Fatal(err)
	}
	host := strings.TrimPrefix(base, "http://")
	ana := login(t, base, "ana@mnec-tl.demo", pw)
	wantStatus(t, ana.post("/lang", url.Values{"lang": {"en"}, "next": {"/"}}), 303)
	wantContains(t, ana.get("/capacity/needs"), "A national CSIRT for Timor-Leste", "Post a need")

	form := url.Values{"org": {"mnec-tl"}, "title": {""}, "description": {"Review the draft cybercrime law against the Budapest Convention."},
		"topics": {"legislation", "nope"}, "country": {"ZZ"}, "priority": {"high"}, "languages": {"en, pt"}, "from": {"2027-03-01"}, "to": {"2027-01-01"},
		"visibility": {"shared"}, "shared_with": {"dfat-au@" + host}}
	r := ana.post("/capacity/needs", form)
	wantStatus(t, r, 422)
	wantContains(t, r, `href="#title"`, `href="#country"`, `href="#topics"`, `href="#to"`, `value="ZZ"`, "Review the draft cybercrime law", "nope is not a topic")
	form.Set("title", "Review of the cybercrime law")
	form.Set("country", "tl")
	form.Del("topics")
	form.Add("topics", "legislation")
	form.Set("to", "2027-12-31")
	r = ana.post("/capacity/needs", form)
	wantStatus(t, r, 303)
	need := r.Header.Get("Location")
	if !capNeedRE.MatchString(`href="` + need + `"`) {
		t.Fatalf("after posting, %q", need)
	}

	// The need is DFAT's and the ministry's only.
	sari := login(t, base, "sari@kemlu.demo", pw)
	wantStatus(t, sari.get(need), 404)
	wantStatus(t, newClient(t, base).get(need), 404)

	olivia := login(t, base, "olivia@dfat-au.demo", pw)
	wantStatus(t, olivia.post("/lang", url.Values{"lang": {"en"}, "next": {"/"}}), 303)
	wantStatus(t, olivia.post("/capacity/offers", url.Values{"org": {"dfat-au"}, "title": {"Cybercrime legislative drafting support"}, "topics": {"legislation", "prosecution"},
		"regions": {"southeast-asia"}, "languages": {"en"}, "budget_min": {"50,000"}, "budget_max": {"300000"}, "currency": {"aud"}, "visibility": {"public"}}), 303)
	r = olivia.get(need)
	wantStatus(t, r, 200)
	wantContains(t, r, "Cybercrime legislative drafting support", "1 of the need&#39;s 1 topics in common: Cybercrime legislation", "Works in the region: South-East Asia",
		"A language in common: English", `action="`+need+`/proposals"`)
	offer := regexp.MustCompile(`<option value="([0-9A-Z]{26}-[a-z2-7]{8})">Cybercrime legislative drafting support</option>`).FindStringSubmatch(r.Body)
	if offer == nil {
		t.Fatalf("no proposal form with the offer: %.2000s", r.Body)
	}
	wantStatus(t, olivia.post(need+"/proposals", url.Values{"offer": {offer[1]}, "note": {"Two drafters for three months."}}), 303)
	wantStatus(t, olivia.post(need+"/proposals", url.Values{"offer": {offer[1]}}), 409)
	// In Bahasa Indonesia, the reasons too (while the need is open: a
	// matched need suggests nothing more).
	wantStatus(t, olivia.post("/lang", url.Values{"lang": {"id"}, "next": {"/"}}), 303)
	wantContains(t, olivia.get(need), "Bekerja di kawasan: Asia Tenggara")
	wantStatus(t, olivia.post("/lang", url.Values{"lang": {"en"}, "next": {"/"}}), 303)

	// The ministry accepts; the project appears with both parties.
	r = ana.get(need)
	wantContains(t, r, "Two drafters for three months.", "awaiting the state&#39;s decision", "Accept and create the project")
	prop := regexp.MustCompile(`action="` + regexp.QuoteMeta(need) + `/proposals/([0-9A-Z]{26}-[a-z2-7]{8})"`).FindStringSubmatch(r.Body)
	if prop == nil {
		t.Fatal("no decision form")
	}
	wantStatus(t, olivia.post(need+"/proposals/"+prop[1], url.Values{"decision": {"accept"}}), 403)
	r = ana.post(need+"/proposals/"+prop[1], url.Values{"decision": {"accept"}})
	wantStatus(t, r, 303)
	project := r.Header.Get("Location")
	if !strings.HasPrefix(project, "/capacity/projects/") {
		t.Fatalf("accepting led to %q", project)
	}
	wantContains(t, olivia.get(project), "Review of the cybercrime law", "dfat-au@"+host, "mnec-tl@"+host, "Timor-Leste", "Planned", "AUD 300,000")
	wantStatus(t, sari.get(project), 404)
	wantContains(t, ana.get(need), "Matched")

	wantStatus(t, ana.post("/lang", url.Values{"lang": {"id"}, "next": {"/"}}), 303)
	r = ana.get(need)
	wantContains(t, r, "Sudah dipasangkan")
	if strings.Contains(r.Body, "Bekerja di kawasan") {
		t.Error("a matched need still suggests offers")
	}

	// The public's IATI export: the demo's public projects, not the
	// shared one, valid against IATI's schema.
	xml := newClient(t, base).get("/capacity/projects.xml")
	wantStatus(t, xml, 200)
	if !strings.Contains(xml.Body, "A national CSIRT for Timor-Leste") || strings.Contains(xml.Body, "Review of the cybercrime law") {
		t.Errorf("the public IATI export: %.500s", xml.Body)
	}
	lint, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("ENTENTE_TEST_STRICT") == "1" {
			t.Fatal("ENTENTE_TEST_STRICT=1 but xmllint is missing (apt-get install libxml2-utils)")
		}
		t.Skip("xmllint is missing (apt-get install libxml2-utils)")
	}
	file := filepath.Join(t.TempDir(), "iati.xml")
	if err := os.WriteFile(file, []byte(xml.Body), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(lint, "--noout", "--nonet", "--schema", "../../modules/capacity/testdata/iati/iati-activities-schema.xsd", file).CombinedOutput(); err != nil {
		t.Errorf("xmllint refuses the page's export: %v\n%s", err, out)
	}
}
