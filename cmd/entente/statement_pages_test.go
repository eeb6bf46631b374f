package main

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var statementLinkRE = regexp.MustCompile(`href="(/statements/[0-9A-Z]{26})"`)

// TestStatementPages: the demo's joint statement on one node, co-signed
// there by three states' organisations. Anyone reads it, in both
// languages, with no raw keys and under 14 KB compressed; its bundle,
// downloaded without signing in, verifies with the node's key through
// the command; a draft is for its parties only.
func TestStatementPages(t *testing.T) {
	n, base, pw := demoNode(t)
	ctx := context.Background()
	if err := demoIncidents(ctx, []*node{n}); err != nil {
		t.Fatal(err)
	}
	if err := demoStatements(ctx, []*node{n}); err != nil {
		t.Fatal(err)
	}
	anon := newClient(t, base)
	r := anon.get("/statements/")
	wantStatus(t, r, 200)
	wantContains(t, r, "Joint statement on the ransomware campaign against hospitals in South-East Asia")
	m := statementLinkRE.FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("no statement linked:\n%s", r.Body)
	}
	page := m[1]
	for _, lang := range []string{"en", "id"} {
		anon.lang = lang
		r = anon.get(page)
		wantStatus(t, r, 200)
		noRawKeys(t, lang+" GET "+page, r)
		if c := strings.Count(r.Body, map[string]string{"en": "Signature verified", "id": "Tanda tangan terverifikasi"}[lang]); c != 3 {
			t.Errorf("%s: %d verified signatures, want 3", lang, c)
		}
		wantContains(t, r, "Cyber Security Agency", "Department of Foreign Affairs and Trade", "BlackLantern")
	}
	anon.lang = ""
	req, _ := http.NewRequest("GET", base+page, nil)
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := anon.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if len(raw) > 14*1024 || res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("the public page: %d bytes compressed, Cache-Control %q", len(raw), res.Header.Get("Cache-Control"))
	}

	b := anon.get(page + "/bundle.json")
	wantStatus(t, b, 200)
	file := filepath.Join(t.TempDir(), "statement.json")
	if err := os.WriteFile(file, []byte(b.Body), 0o644); err != nil {
		t.Fatal(err)
	}
	host := n.fed.Host()
	key := base64.StdEncoding.EncodeToString(n.fed.SigningKey())
	code, out, _ := runCLI(t, "", "verify", file, "--key", host+"="+key)
	if code != 0 || !strings.Contains(out, "VERIFIED") || !strings.Contains(out, "3 state(s) signed it") {
		t.Fatalf("entente verify: exit %d\n%s", code, out)
	}

	// A draft: its parties see it; anyone else does not.
	sari := login(t, base, "sari@kemlu.demo", pw)
	r = sari.get("/statements/new")
	wantStatus(t, r, 200)
	addr := regexp.MustCompile(`value="(csa-sg@[^"]+)"`).FindStringSubmatch(r.Body)
	if addr == nil {
		t.Fatalf("Singapore's agency is not offered:\n%s", r.Body)
	}
	r = sari.post("/statements/new", map[string][]string{"from": {"kemlu"}, "title": {"A draft"}, "actor": {"X"}, "body": {"Text."}, "language": {"en"}, "invited": {addr[1]}, "publish_mode": {"initiator"}})
	wantStatus(t, r, 303)
	draft := r.Header.Get("Location")
	wantStatus(t, sari.get(draft), 200)
	// A draft is not found by anyone not its party, signed in or not, as a
	// statement that does not exist is not: the answer tells nothing.
	agus := login(t, base, "agus@bssn.demo", pw)
	missing := otherID(draft)
	for _, c := range []struct {
		who string
		s   *client
	}{{"anyone", anon}, {"BSSN", agus}} {
		for _, p := range []string{draft, missing} {
			if r := c.s.get(p); r.StatusCode != 404 {
				t.Errorf("%s reads %s (Kemlu's draft %s): %d, want 404", c.who, p, draft, r.StatusCode)
			}
		}
	}
	if r := anon.get(draft + "/bundle.json"); r.StatusCode == 200 {
		t.Errorf("anyone downloads a draft's bundle")
	}
	wantStatus(t, sari.get(draft+"/bundle.json"), 404) // a draft has none
	// A form with its problems keeps what was typed, and names the field.
	r = sari.post("/statements/new", map[string][]string{"from": {"kemlu"}, "title": {""}, "actor": {"Someone"}, "body": {"Kept text."}, "language": {"en"}, "publish_mode": {"initiator"}})
	wantStatus(t, r, 422)
	wantContains(t, r, "Kept text.", `href="#title"`, `href="#invited"`)

	// The incident is chosen among those Sari may see, and stays chosen
	// when the form comes back.
	r = sari.get("/statements/new")
	inc := regexp.MustCompile(`<option value="(incidents:incident:[0-9A-Z]{26})">Ransomware at a regional hospital in Surabaya`).FindStringSubmatch(r.Body)
	if inc == nil {
		t.Fatalf("the hospital incident is not offered:\n%s", r.Body)
	}
	r = sari.post("/statements/new", map[string][]string{"from": {"kemlu"}, "title": {""}, "actor": {"X"}, "body": {"Text."}, "language": {"en"}, "incident": {inc[1]}, "invited": {addr[1]}, "publish_mode": {"initiator"}})
	wantStatus(t, r, 422)
	wantContains(t, r, `<option value="`+inc[1]+`" selected>`)
	r = sari.post("/statements/new", map[string][]string{"from": {"kemlu"}, "title": {"A draft"}, "actor": {"X"}, "body": {"Text."}, "language": {"en"}, "incident": {"incidents:incident:01JE0000000000000000000000"}, "invited": {addr[1]}, "publish_mode": {"initiator"}})
	wantStatus(t, r, 422)
	wantContains(t, r, `href="#incident"`)

	// Drafted with it, the statement is on the incident's page — in its
	// list and its chain — for Kemlu's people, and neither listed nor
	// shown to BSSN's, who own the incident but are no party to a draft.
	r = sari.post("/statements/new", map[string][]string{"from": {"kemlu"}, "title": {"A draft on the hospital"}, "actor": {"X"}, "body": {"Text."}, "language": {"en"}, "incident": {inc[1]}, "invited": {addr[1]}, "publish_mode": {"initiator"}})
	wantStatus(t, r, 303)
	list := sari.get("/incidents")
	incPage := regexp.MustCompile(`href="(/incidents/[0-9A-Z]{26})">Ransomware at a regional hospital`).FindStringSubmatch(list.Body)
	if incPage == nil {
		t.Fatalf("no hospital incident in Sari's list:\n%s", list.Body)
	}
	r = sari.get(incPage[1])
	wantStatus(t, r, 200)
	d := draftOf(t, sari, "A draft on the hospital")
	wantContains(t, r, `<a href="`+d+`">A draft on the hospital</a><br><small>`)
	if c := strings.Count(r.Body, `href="`+d+`"`); c != 2 {
		t.Errorf("Kemlu's incident page links the draft %d times, want 2 (list and chain)", c)
	}
	agus = login(t, base, "agus@bssn.demo", pw)
	r = agus.get(incPage[1])
	wantStatus(t, r, 200)
	if strings.Contains(r.Body, "A draft on the hospital") {
		t.Error("BSSN sees Kemlu's draft on the incident's page")
	}
	// The demo's published statement names the incident: BSSN's people
	// see it, in the list and the chain.
	if c := strings.Count(r.Body, `href="`+page+`"`); c != 2 {
		t.Errorf("BSSN's incident page links the published statement %d times, want 2", c)
	}
}

// draftOf finds a statement's page in the person's list by its title.
func draftOf(t *testing.T, c *client, title string) string {
	t.Helper()
	r := c.get("/statements/")
	m := regexp.MustCompile(`href="(/statements/[0-9A-Z]{26})">` + regexp.QuoteMeta(title) + `<`).FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("%q is not in the list:\n%s", title, r.Body)
	}
	return m[1]
}

// otherID is path with its last character changed: the path of a
// statement that does not exist.
func otherID(path string) string {
	last := byte('0')
	if path[len(path)-1] == last {
		last = '1'
	}
	return path[:len(path)-1] + string(last)
}
