package main

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// cybPerson gives an organisation of the node a person in a role, signed
// in; the node administrator adds them while the organisation has no admin.
func cybPerson(t *testing.T, n *testNode, admin *client, handle, email, role string) *client {
	t.Helper()
	r := admin.post("/people", url.Values{"name": {"P " + email}, "email": {email}, "org_handle": {handle}, "role": {role}, "lang": {"en"}})
	wantStatus(t, r, 201)
	tok := inviteRE.FindStringSubmatch(r.Body)[1]
	c := newClient(t, n.URL)
	wantStatus(t, c.post("/invite", url.Values{"token": {tok}, "password": {"cyber password 1"}, "password2": {"cyber password 1"}}), 303)
	return c
}

// cybWorld is one node with an Indonesian police unit (an investigator, a
// central authority and a plain member), Singapore's police (an
// investigator) and a ministry with its own admin: the people every read
// path must tell apart.
type cybWorld struct {
	n                      *testNode
	host                   string
	admin                  *client // the node administrator
	inv, ca, member, sgInv *client
	outsider               *client // an admin of another organisation
}

func newCybWorld(t *testing.T, db string) cybWorld {
	t.Helper()
	n := startNode(t, "", db)
	w := cybWorld{n: n, host: strings.TrimPrefix(n.URL, "http://"), admin: setupAdmin(t, n)}
	for _, o := range [][3]string{{"polri", "ID", "Indonesian National Police, Directorate of Cyber Crime"}, {"spf", "SG", "Singapore Police Force"}, {"kemlu", "ID", "Ministry of Foreign Affairs of Indonesia"}} {
		wantStatus(t, w.admin.post("/orgs", url.Values{"handle": {o[0]}, "kind": {"state_law_enforcement"}, "country": {o[1]}, "name_en": {o[2]}}), 303)
	}
	w.inv = cybPerson(t, n, w.admin, "polri", "inv@polri.test", "investigator")
	w.ca = cybPerson(t, n, w.admin, "polri", "ca@polri.test", "central_authority")
	w.member = cybPerson(t, n, w.admin, "polri", "member@polri.test", "member")
	w.sgInv = cybPerson(t, n, w.admin, "spf", "inv@spf.test", "investigator")
	w.outsider = cybPerson(t, n, w.admin, "kemlu", "admin@kemlu.test", "admin")
	return w
}

// preservationForm is a complete preservation request from polri to spf.
func (w cybWorld) preservationForm() url.Values {
	return url.Values{"from": {"polri"}, "kind": {"preservation"}, "to": {"spf@" + w.host}, "basis": {"reciprocity"}, "language": {"en"}, "reference": {"POLRI/CYB/2026/117"},
		"f_authority": {"Directorate of Cyber Crime, Indonesian National Police"}, "f_offence": {"Illegal access (Law 11/2008 art. 30)"},
		"f_facts": {"On 1 December 2026 the ministry's mail server was accessed from an account hosted in Singapore."},
		"f_data":  {"Subscriber and login records of account mail-relay-77, 1-3 December 2026 (UTC+7)."}, "f_relation": {"The account logged in to the server."},
		"f_custodian": {"A hosting provider in Singapore."}, "f_necessity": {"Logs are kept 30 days."}, "f_mla_follows": {"yes"}, "f_purpose": {"Criminal investigation."}}
}

var cybIDRE = regexp.MustCompile(`^/cybercrime/requests/([0-9A-Z]{26})$`)

// TestCybercrimeRequestPages: the two-step form shows every instrument for
// the two states, the refused ones with the reason in words in both
// languages; a form with problems comes back naming the fields, with what
// was typed; the draft is approved and sent by the central authority, the
// other side acknowledges and preserves, and the requesting side sees the
// clock; the formal request prints; and nobody else gets anything. On
// each engine.
func TestCybercrimeRequestPages(t *testing.T) {
	for name, db := range engines(t) {
		t.Run(name, func(t *testing.T) { cybercrimePages(t, newCybWorld(t, db(t))) })
	}
}

func cybercrimePages(t *testing.T, w cybWorld) {
	to := "spf@" + w.host
	cybercrimeFormChoices(t, w)

	// Step 1, then step 2 with the bases.
	r := w.inv.get("/cybercrime/requests/new")
	wantStatus(t, r, 200)
	wantContains(t, r, `id="step1"`, `value="preservation"`, "Budapest art. 29", `value="`+to+`"`)
	step2 := "/cybercrime/requests/new?" + url.Values{"from": {"polri"}, "kind": {"preservation"}, "to": {to}}.Encode()
	r = w.inv.get(step2)
	wantStatus(t, r, 200)
	wantContains(t, r, `id="step2"`, `id="basis-reciprocity" name="basis" value="reciprocity" required`,
		`id="basis-budapest" name="basis" value="budapest" disabled`,
		"Indonesia is not a Party to the Budapest Convention on Cybercrime: use No treaty (reciprocity, letters rogatory)",
		`name="f_mla_follows" value="yes"`)
	wantStatus(t, w.inv.post("/lang", url.Values{"lang": {"id"}, "next": {"/"}}), 303)
	r = w.inv.get(step2)
	wantContains(t, r, "Indonesia bukan Pihak pada", "gunakan", "Dasar hukum")
	wantStatus(t, w.inv.post("/lang", url.Values{"lang": {"en"}, "next": {"/"}}), 303)
	for _, raw := range []string{"cyb.reason.", "cyb.kind.", "cyb.field."} {
		if strings.Contains(r.Body, raw) {
			t.Errorf("raw key %s… on the form", raw)
		}
	}

	// Problems name the fields and keep the input.
	bad := w.preservationForm()
	bad.Del("f_facts")
	r = w.inv.post("/cybercrime/requests", bad)
	wantStatus(t, r, 422)
	wantContains(t, r, `href="#f_facts"`, "Summary of the facts: This is required.", "Illegal access (Law 11/2008 art. 30)", "POLRI/CYB/2026/117", "mail-relay-77")
	bad = w.preservationForm()
	bad.Set("basis", "budapest")
	r = w.inv.post("/cybercrime/requests", bad)
	wantStatus(t, r, 422)
	wantContains(t, r, `href="#basis"`, "Legal basis: The requesting state is not a party to this instrument.", `id="basis-reciprocity" name="basis" value="reciprocity" required>`)

	r = w.inv.post("/cybercrime/requests", w.preservationForm())
	wantStatus(t, r, 303)
	loc := r.Header.Get("Location")
	if !cybIDRE.MatchString(loc) {
		t.Fatalf("created at %q", loc)
	}
	r = w.inv.get(loc)
	wantContains(t, r, "Expedited preservation", "Draft: a central authority or an admin approves it", "No treaty (reciprocity, letters rogatory)")
	if strings.Contains(r.Body, `value="approve"`) {
		t.Fatal("an investigator is offered approval")
	}

	// The central authority approves and sends.
	wantContains(t, w.ca.get(loc), `value="approve"`)
	wantStatus(t, w.ca.post(loc+"/steps", url.Values{"action": {"approve"}}), 303)
	wantStatus(t, w.ca.post(loc+"/steps", url.Values{"action": {"send"}}), 303)
	wantContains(t, w.inv.get(loc), "To be acknowledged by", "left")

	// Singapore's investigator finds it in the in box and preserves.
	r = w.sgInv.get("/cybercrime/requests?box=in")
	m := regexp.MustCompile(`href="(/cybercrime/requests/[0-9A-Z]{26})">Expedited preservation`).FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("not in spf's in box:\n%s", r.Body)
	}
	in := m[1]
	wantContains(t, w.sgInv.get(in), `value="acknowledge"`, `value="preserve"`, `value="refuse"`, "A political offence")
	wantStatus(t, w.sgInv.post(in+"/steps", url.Values{"action": {"acknowledge"}}), 303)
	soon := time.Now().UTC().AddDate(0, 0, 10).Format("2006-01-02")
	r = w.sgInv.post(in+"/steps", url.Values{"action": {"preserve"}, "until": {soon}, "note": {"Preserved at the provider."}})
	wantStatus(t, r, 422)
	wantContains(t, r, `href="#until-preserve"`, "at least 60 days", `value="`+soon+`"`, "Preserved at the provider.")
	until := time.Now().UTC().AddDate(0, 0, 90)
	wantStatus(t, w.sgInv.post(in+"/steps", url.Values{"action": {"preserve"}, "until": {until.Format("2006-01-02")}, "note": {"Preserved at the provider."}}), 303)
	r = w.inv.get(loc)
	wantContains(t, r, "Preserved until "+until.Format("2")+" "+until.Format("Jan 2006"), "Data preserved", "Preserved at the provider.")
	wantContains(t, w.inv.get("/cybercrime/requests?box=out"), "Preserved until")
	for _, p := range []string{loc, step2, loc + "/print", "/cybercrime/requests"} {
		if n := gzipSize(t, []byte(w.inv.get(p).Body)); n > 14*1024 {
			t.Errorf("GET %s: %d bytes compressed, over 14 KB", p, n)
		}
	}

	// The request for mutual assistance that follows: one thread, both ways.
	mla := "/cybercrime/requests/new?" + url.Values{"from": {"polri"}, "kind": {"stored_data"}, "to": {to}}.Encode()
	wantContains(t, w.inv.get(loc), "kind=stored_data", "A request for mutual assistance must follow this preservation.")
	wantContains(t, w.inv.get(mla), `<option value="`+strings.TrimPrefix(loc, "/cybercrime/requests/")+`">POLRI/CYB/2026/117`, `id="basis-asean_mlat" name="basis" value="asean_mlat" required`)
	f := w.preservationForm()
	f.Set("kind", "stored_data")
	f.Set("basis", "asean_mlat")
	f.Set("follows", strings.TrimPrefix(loc, "/cybercrime/requests/"))
	f.Set("f_measures", "Search and seize the login records; disclose them.")
	f.Set("reference", "POLRI/CYB/2026/117-MLA")
	r = w.inv.post("/cybercrime/requests", f)
	wantStatus(t, r, 303)
	mlaLoc := r.Header.Get("Location")
	wantContains(t, w.inv.get(mlaLoc), `id="cyb-follows"`, `href="`+loc+`"`)
	wantContains(t, w.inv.get(loc), `id="cyb-followed"`, `href="`+mlaLoc+`"`)

	// The formal request, in its language, for a reader in Indonesian.
	wantStatus(t, w.inv.post("/lang", url.Values{"lang": {"id"}, "next": {"/"}}), 303)
	for _, p := range []string{loc, "/cybercrime/requests", step2, "/cybercrime/requests/new"} {
		if got := w.inv.get(p); regexp.MustCompile(`\bcyb\.[a-z_]+\.`).MatchString(got.Body) || !strings.Contains(got.Body, `lang="id"`) {
			t.Errorf("GET %s in Indonesian shows a raw key or is not in Indonesian", p)
		}
	}
	wantContains(t, w.inv.get(loc), "Diamankan sampai", "Pengamanan segera")
	r = w.inv.get(loc + "/print")
	wantStatus(t, r, 200)
	wantContains(t, r, `<html lang="en">`, "Request for the expedited preservation of stored computer data", "Our reference", "POLRI/CYB/2026/117",
		"intends to submit a request for mutual assistance", "Signature and seal", "Directorate of Cyber Crime, Indonesian National Police",
		"<dd>Singapore Police Force, Singapore</dd>", "(from polri@"+w.host+" to "+to+")")
	// The addresses only in the small footer, not beside the names.
	if head, _, _ := strings.Cut(r.Body, `class="formal-foot"`); strings.Contains(head, "@"+w.host) {
		t.Errorf("the formal request shows an address above its footer:\n%s", head)
	}
	wantStatus(t, w.inv.post("/lang", url.Values{"lang": {"en"}, "next": {"/"}}), 303)

	// The API says the same.
	api := w.inv.get("/api/v1/cybercrime/requests/" + strings.TrimPrefix(loc, "/cybercrime/requests/"))
	wantStatus(t, api, 200)
	wantContains(t, api, `"state":"preserved"`, `"preserved_until"`)
	b := w.inv.get("/api/v1/cybercrime/bases?from=ID&to=SG&kind=preservation")
	wantStatus(t, b, 200)
	wantContains(t, b, `"instrument":"reciprocity","name":"No treaty (reciprocity, letters rogatory)"`, "Indonesia is not a Party to the Budapest Convention on Cybercrime")

	// Nobody else gets anything: another organisation's admin, a member of
	// the same organisation, the node administrator.
	id := strings.TrimPrefix(loc, "/cybercrime/requests/")
	for name, c := range map[string]*client{"another organisation's admin": w.outsider, "a member": w.member, "the node administrator": w.admin} {
		for _, p := range []string{loc, loc + "/print", loc + "/edit", "/api/v1/cybercrime/requests/" + id, in, in + "/print"} {
			if got := c.get(p); got.StatusCode != 404 && got.StatusCode != 403 {
				t.Errorf("%s: GET %s: %d", name, p, got.StatusCode)
			} else if strings.Contains(got.Body, "POLRI/CYB") || strings.Contains(got.Body, "mail-relay-77") {
				t.Errorf("%s: GET %s shows the request", name, p)
			}
		}
		if got := c.get(loc); got.StatusCode == 403 && name == "another organisation's admin" {
			t.Errorf("%s: a request of another organisation is 403, not 404: its existence shows", name)
		}
		for _, p := range []string{"/cybercrime/requests", "/api/v1/cybercrime/requests"} {
			if got := c.get(p); strings.Contains(got.Body, id) || strings.Contains(got.Body, "POLRI/CYB") {
				t.Errorf("%s: %s lists the request", name, p)
			}
		}
		if got := c.post(loc+"/steps", url.Values{"action": {"note"}, "note": {"x"}}); got.StatusCode != 404 && got.StatusCode != 403 {
			t.Errorf("%s: a step: %d", name, got.StatusCode)
		}
	}
}

// cybercrimeFormChoices: the "to" list offers only where a request may go
// (never the requester, another Indonesian body or a university; a company
// only for the kinds asked of one), and a kind no instrument allows
// between the two states shows why and the way back, not a form to save.
func cybercrimeFormChoices(t *testing.T, w cybWorld) {
	t.Helper()
	for _, o := range [][3]string{{"nus", "academia", "National University of Singapore"}, {"sghost", "company", "Lion City Hosting"}} {
		wantStatus(t, w.admin.post("/orgs", url.Values{"handle": {o[0]}, "kind": {o[1]}, "country": {"SG"}, "name_en": {o[2]}}), 303)
	}
	option := func(h string) string { return `<option value="` + h + "@" + w.host + `"` }
	lists := func(path string, want, not []string) {
		t.Helper()
		r := w.inv.get(path)
		wantStatus(t, r, 200)
		for _, h := range want {
			wantContains(t, r, option(h))
		}
		for _, h := range not {
			if strings.Contains(r.Body, option(h)) {
				t.Errorf("GET %s offers %s", path, h)
			}
		}
	}
	lists("/cybercrime/requests/new", []string{"spf", "sghost"}, []string{"polri", "kemlu", "nus"})
	step1 := func(kind, to string) string {
		return "/cybercrime/requests/new?" + url.Values{"step": {"1"}, "from": {"polri"}, "kind": {kind}, "to": {to + "@" + w.host}}.Encode()
	}
	lists(step1("preservation", "spf"), []string{"spf"}, []string{"polri", "kemlu", "nus", "sghost"})
	lists(step1("subscriber", "sghost"), []string{"sghost"}, []string{"polri", "kemlu", "nus", "spf"})
	wantContains(t, w.inv.get(step1("preservation", "spf")), "Grouped by country.")

	// A body of the same state, chosen by hand, is step 1 again with why.
	r := w.inv.get("/cybercrime/requests/new?" + url.Values{"from": {"polri"}, "kind": {"preservation"}, "to": {"kemlu@" + w.host}}.Encode())
	wantContains(t, r, `id="step1"`, `href="#to"`, "a request between two bodies of one state is not international cooperation")
	if strings.Contains(r.Body, `id="step2"`) {
		t.Error("a request within one state reaches step 2")
	}

	// No instrument binds Indonesia and Singapore for an emergency
	// disclosure: the refusals, the next step, and nothing to save.
	none := "/cybercrime/requests/new?" + url.Values{"from": {"polri"}, "kind": {"emergency_disclosure"}, "to": {"spf@" + w.host}}.Encode()
	r = w.inv.get(none)
	wantStatus(t, r, 200)
	wantContains(t, r, `id="basis-cets224" name="basis" value="cets224" disabled`, `id="no-basis"`,
		"No legal basis binds both states for this kind of request. Choose another kind, or another requested state.",
		`href="/cybercrime/requests/new?from=polri&amp;kind=emergency_disclosure&amp;step=1&amp;to=spf%40`)
	for _, s := range []string{`id="step2"`, "Save as draft", `name="f_`} {
		if strings.Contains(r.Body, s) {
			t.Errorf("the form with no legal basis shows %s", s)
		}
	}
	wantStatus(t, w.inv.post("/lang", url.Values{"lang": {"id"}, "next": {"/"}}), 303)
	wantContains(t, w.inv.get(none), "Tidak ada dasar hukum yang mengikat kedua negara")
	wantStatus(t, w.inv.post("/lang", url.Values{"lang": {"en"}, "next": {"/"}}), 303)

	// The unverified facts an allowed basis rests on are named, each with
	// a link to where it is confirmed.
	r = w.inv.get("/cybercrime/requests/new?" + url.Values{"from": {"polri"}, "kind": {"stored_data"}, "to": {"spf@" + w.host}}.Encode())
	if !regexp.MustCompile(`<li><a href="/cybercrime/instruments/[a-z0-9_]+#(status|kinds|parties|reservations)">[A-Z][^<]+</a></li>`).MatchString(r.Body) {
		t.Errorf("the unverified facts are not named with links:\n%s", r.Body)
	}
}

// TestCybercrimeAPI: the JSON API drafts, changes, approves and sends a
// request with the same rules as the pages, and says problems by field in
// the caller's language.
func TestCybercrimeAPI(t *testing.T) {
	w := newCybWorld(t, "")
	in := map[string]any{"from": "polri", "to": "spf@" + w.host, "kind": "preservation", "basis": "reciprocity", "language": "en", "fields": map[string]string{"authority": "Directorate of Cyber Crime"}}
	r := w.inv.api("POST", "/api/v1/cybercrime/requests", "", in)
	wantStatus(t, r, 422)
	e := decode[struct {
		Error struct{ Fields map[string]string }
	}](t, r)
	if e.Error.Fields["f_facts"] != "This is required." || e.Error.Fields["f_authority"] != "" {
		t.Fatalf("problems: %v", e.Error.Fields)
	}
	form := w.preservationForm()
	fields := map[string]string{}
	for k := range form {
		if name, ok := strings.CutPrefix(k, "f_"); ok {
			fields[name] = form.Get(k)
		}
	}
	in["fields"] = fields
	r = w.inv.api("POST", "/api/v1/cybercrime/requests", "", in)
	wantStatus(t, r, 201)
	type req struct {
		ID, State, Reference string
		Actions              []string
	}
	got := decode[req](t, r)
	if got.State != "draft" || len(got.Actions) != 0 || r.Header.Get("Location") != "/api/v1/cybercrime/requests/"+got.ID {
		t.Fatalf("created: %+v, Location %q", got, r.Header.Get("Location"))
	}
	in["reference"] = "POLRI/CYB/2026/118"
	r = w.inv.api("PUT", "/api/v1/cybercrime/requests/"+got.ID, "", in)
	wantStatus(t, r, 200)
	if g := decode[req](t, r); g.Reference != "POLRI/CYB/2026/118" {
		t.Fatalf("after the change: %+v", g)
	}
	wantStatus(t, w.inv.api("POST", "/api/v1/cybercrime/requests/"+got.ID+"/steps", "", map[string]string{"action": "approve"}), 403)
	r = w.ca.api("POST", "/api/v1/cybercrime/requests/"+got.ID+"/steps", "", map[string]string{"action": "approve"})
	wantStatus(t, r, 200)
	if g := decode[req](t, r); g.State != "approved" || strings.Join(g.Actions, ",") != "send" {
		t.Fatalf("after approval: %+v", g)
	}
	r = w.ca.api("POST", "/api/v1/cybercrime/requests/"+got.ID+"/steps", "", map[string]string{"action": "send"})
	wantStatus(t, r, 200)
	wantStatus(t, w.inv.api("PUT", "/api/v1/cybercrime/requests/"+got.ID, "", in), 409)
	list := decode[struct{ Items []req }](t, w.sgInv.get("/api/v1/cybercrime/requests?box=in"))
	if len(list.Items) != 1 || list.Items[0].State != "received" {
		t.Fatalf("spf's in box: %+v", list)
	}
	wantStatus(t, w.inv.get("/api/v1/cybercrime/requests?kind=nothing"), 422)
	r = w.inv.get("/api/v1/cybercrime/bases?to=SG&kind=preservation")
	wantStatus(t, r, 422)
	wantContains(t, r, `"from":"Give a country as its two-letter code, such as ID or SG"`)
}
