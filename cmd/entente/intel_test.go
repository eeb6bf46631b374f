package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

const (
	tlpAmberID = "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
	tlpGreenID = "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
	tlpRedID   = "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1"
	taxiiMT    = "application/taxii+json;version=2.1"
)

// apiToken gives a signed-in client a token with the read and write scopes.
func apiToken(t *testing.T, c *client) string {
	t.Helper()
	r := c.api("POST", "/api/v1/tokens", "", map[string]any{"name": "taxii", "scopes": []string{"read", "write"}, "expires_in_days": 30})
	wantStatus(t, r, 201)
	return decode[struct {
		Secret string `json:"secret"`
	}](t, r).Secret
}

// taxii sends a request as the reference TAXII client does: its Accept,
// HTTP Basic with the token as password, and for a POST its Content-Type.
func taxii(t *testing.T, base, method, path, token string, body []byte) response {
	t.Helper()
	req, _ := http.NewRequest(method, base+path, bytes.NewReader(body))
	req.Header.Set("Accept", taxiiMT)
	if body != nil {
		req.Header.Set("Content-Type", taxiiMT)
	}
	if token != "" {
		req.SetBasicAuth("anyone", token)
	}
	c := newClient(t, base)
	return c.do(req)
}

func indicator(id, name, modified string, markings ...string) string {
	m := []byte("[]")
	if len(markings) > 0 {
		m, _ = json.Marshal(markings)
	}
	s := `{"type":"indicator","spec_version":"2.1","id":"` + id + `","created":"2026-11-20T08:00:00.000Z","modified":"` + modified +
		`","name":"` + name + `","pattern":"[ipv4-addr:value = '203.0.113.9']","pattern_type":"stix","valid_from":"2026-11-20T08:00:00Z","labels":["sector:energy"],"object_marking_refs":` + string(m) + `}`
	return strings.Replace(s, `,"object_marking_refs":[]`, "", 1)
}

// personOf adds a person with a role to an organisation of a node and
// returns them signed in.
func personOf(t *testing.T, f *fedNode, handle, role, email string) *client {
	t.Helper()
	return personIn(t, f, handle, role, email, "en")
}

// personIn is personOf with the person's own language.
func personIn(t *testing.T, f *fedNode, handle, role, email, lang string) *client {
	t.Helper()
	r := f.admin.post("/people", url.Values{"name": {"Person " + email}, "email": {email}, "org_handle": {handle}, "role": {role}, "lang": {lang}})
	wantStatus(t, r, 201)
	tok := inviteRE.FindStringSubmatch(r.Body)[1]
	c := newClient(t, f.URL)
	wantStatus(t, c.post("/invite", url.Values{"token": {tok}, "password": {"person password 12"}, "password2": {"person password 12"}}), 303)
	return c
}

func addOrg(t *testing.T, f *fedNode, handle, kind string) {
	t.Helper()
	wantStatus(t, f.admin.post("/orgs", url.Values{"handle": {handle}, "kind": {kind}, "country": {"ID"}, "name_en": {"Org " + handle}}), 303)
}

// TestIntelAcrossNodes is the "done when": a CERT on node a
// publishes TLP:AMBER indicators to a sharing group through TAXII; a member
// of the group on node b receives them through a subscription; a
// non-member, on a or on b, never sees them on any read path; and the TAXII
// server answers what an ordinary client asks.
func TestIntelAcrossNodes(t *testing.T) {
	dbB := ""
	for name, db := range engines(t) {
		if name == "postgres" {
			dbB = db(t)
		}
	}
	a := startFederated(t, "", "cert", "ID", "National CERT")
	b := startFederated(t, dbB, "bank", "ID", "Bank CSIRT")
	peer(t, a, b)
	addOrg(t, a, "ministry", "state_ministry")
	addOrg(t, b, "utility", "company")
	ministry := personOf(t, a, "ministry", "officer", "m@ministry.test")
	utility := personOf(t, b, "utility", "officer", "u@utility.test")

	// Node a: a collection, its rights, the CERT's sharing group.
	r := a.admin.api("POST", "/api/v1/intel/collections", "", map[string]any{"alias": "energy", "title": "Energy sector", "default_tlp": "GREEN"})
	wantStatus(t, r, 201)
	coll := decode[struct{ ID string }](t, r).ID
	for _, right := range []map[string]any{
		{"org": "cert@" + a.host, "can_read": true, "can_write": true},
		{"org": "ministry@" + a.host, "can_read": true},
		{"org": "bank@" + b.host, "can_read": true},
		{"org": "utility@" + b.host, "can_read": true},
	} {
		wantStatus(t, a.admin.api("PUT", "/api/v1/intel/collections/"+coll+"/rights", "", right), 200)
	}
	r = a.officer.api("POST", "/api/v1/intel/groups", "", map[string]any{"owner": "cert@" + a.host, "name": "Energy ISAC", "members": []string{"bank@" + b.host}})
	wantStatus(t, r, 201)
	group := decode[struct{ ID string }](t, r).ID

	// The CERT publishes through TAXII, as any client would.
	tok := apiToken(t, a.officer)
	const (
		amberGroup = "indicator--a0000000-0000-4000-8000-000000000001"
		green      = "indicator--a0000000-0000-4000-8000-000000000002"
		red        = "indicator--a0000000-0000-4000-8000-000000000003"
	)
	env := `{"objects":[` + indicator(amberGroup, "Grid C2 (ISAC only)", "2026-11-20T08:00:00.000Z", tlpAmberID, group) + `,` +
		indicator(green, "Phishing domain", "2026-11-20T08:00:00.000Z", tlpGreenID) + `,` +
		indicator(red, "Named source", "2026-11-20T08:00:00.000Z", tlpRedID) + `]}`
	r = taxii(t, a.URL, "POST", "/taxii2/api/collections/"+coll+"/objects/", tok, []byte(env))
	wantStatus(t, r, 202)
	st := decode[struct {
		ID           string `json:"id"`
		Status       string `json:"status"`
		SuccessCount int    `json:"success_count"`
	}](t, r)
	if st.Status != "complete" || st.SuccessCount != 3 {
		t.Fatalf("status: %s", r.Body)
	}
	wantStatus(t, taxii(t, a.URL, "GET", "/taxii2/api/status/"+st.ID+"/", tok, nil), 200)

	// Node b subscribes for both its organisations and pulls.
	r = b.admin.api("POST", "/api/v1/intel/collections", "", map[string]any{"alias": "from-cert", "title": "From the national CERT", "default_tlp": "RED"})
	wantStatus(t, r, 201)
	local := decode[struct{ ID string }](t, r).ID
	var subs []string
	for _, org := range []string{"bank", "utility"} {
		r = b.admin.api("POST", "/api/v1/intel/subscriptions", "", map[string]any{"peer": a.host, "remote_collection": "energy", "collection": local, "org": org + "@" + b.host})
		wantStatus(t, r, 201)
		subs = append(subs, decode[struct{ ID string }](t, r).ID)
	}
	for _, s := range subs {
		wantStatus(t, b.admin.api("POST", "/api/v1/intel/subscriptions/"+s+"/sync", "", nil), 200)
	}
	// A sync with nothing new is one request to a: count a's answers to it.
	pulls := func() string {
		return regexp.MustCompile(`entente_http_request_duration_seconds_count\{[^}]*route="GET /federation/v1/intel/\{cid\}/objects"[^}]*\} (\d+)`).FindStringSubmatch(a.admin.api("GET", "/metrics", apiToken(t, a.admin), nil).Body + " 0")[1]
	}
	before := pulls()
	const empty = 20
	start := time.Now()
	for range empty {
		r = b.admin.api("POST", "/api/v1/intel/subscriptions/"+subs[0]+"/sync", "", nil)
		wantContains(t, r, `"stored":0`)
	}
	t.Logf("a sync with nothing new: %v on average (over HTTP, with the admin's request to b)", time.Since(start)/empty)
	if b4, after := atoi(before), atoi(pulls()); after-b4 != empty {
		t.Errorf("%d empty syncs made %d requests to a", empty, after-b4)
	}

	bankTok := apiToken(t, b.officer)
	utilTok := apiToken(t, utility)
	minTok := apiToken(t, ministry)
	adminTokA := apiToken(t, a.admin)

	// Every read path, for whoever may and may not see each indicator.
	type reader struct {
		name string
		node *fedNode
		c    *client
		tok  string
		coll string
		sees map[string]bool
	}
	readers := []reader{
		{"CERT on a", a, a.officer, tok, coll, map[string]bool{amberGroup: true, green: true, red: true}},
		{"ministry on a (not in the group)", a, ministry, minTok, coll, map[string]bool{green: true}},
		{"node administrator of a", a, a.admin, adminTokA, coll, map[string]bool{}},
		{"bank on b (in the group)", b, b.officer, bankTok, local, map[string]bool{amberGroup: true, green: true}},
		{"utility on b (not in the group)", b, utility, utilTok, local, map[string]bool{green: true}},
	}
	for _, rd := range readers {
		paths := map[string]func(id string) response{
			"TAXII objects": func(string) response {
				return taxii(t, rd.node.URL, "GET", "/taxii2/api/collections/"+rd.coll+"/objects/", rd.tok, nil)
			},
			"TAXII object": func(id string) response {
				return taxii(t, rd.node.URL, "GET", "/taxii2/api/collections/"+rd.coll+"/objects/"+id+"/", rd.tok, nil)
			},
			"TAXII versions": func(id string) response {
				return taxii(t, rd.node.URL, "GET", "/taxii2/api/collections/"+rd.coll+"/objects/"+id+"/versions/?x="+id, rd.tok, nil)
			},
			"TAXII manifest": func(string) response {
				return taxii(t, rd.node.URL, "GET", "/taxii2/api/collections/"+rd.coll+"/manifest/", rd.tok, nil)
			},
			"page search": func(id string) response { return rd.c.get("/intel?q=" + id) },
			"page object": func(id string) response { return rd.c.get("/intel/c/" + rd.coll + "/o/" + id) },
			"JSON API":    func(id string) response { return rd.c.api("GET", "/api/v1/intel/objects?q="+id, rd.tok, nil) },
			"export JSON": func(string) response { return rd.c.get("/intel/export.json") },
			"export CSV":  func(string) response { return rd.c.get("/intel/export.csv") },
		}
		for pname, get := range paths {
			for _, id := range []string{amberGroup, green, red} {
				r := get(id)
				got := r.StatusCode == 200 && strings.Contains(r.Body, id)
				switch pname {
				case "page search": // the search box repeats the words searched
					got = r.StatusCode == 200 && strings.Contains(r.Body, "/o/"+id)
				case "TAXII versions": // versions name no id
					got = r.StatusCode == 200 && strings.Contains(r.Body, `"versions":["2026-11-20T08:00:00.000Z"]`)
				}
				if got != rd.sees[id] {
					t.Errorf("%s, %s, %s: seen %v, want %v (status %d)", rd.name, pname, id, got, rd.sees[id], r.StatusCode)
				}
			}
		}
	}
	// Federation itself: a's answer to b for utility never holds the group's
	// indicator, and b cannot ask in the name of a's own organisations.
	wantStatus(t, newClient(t, a.URL).api("GET", "/federation/v1/intel/energy/objects?org=cert@"+a.host, "", nil), 401)

	// Provenance: b shows where and when the indicator came from.
	r = b.officer.get("/intel/c/" + local + "/o/" + amberGroup)
	wantContains(t, r, a.host, "Grid C2 (ISAC only)", "TLP:AMBER", "a sharing group of "+a.host, "Pulled for")
	if strings.Contains(r.Body, ">marking-definition ") {
		t.Error("b names a's sharing group by its id")
	}

	// An ordinary client: discovery, API root, collections, paging by next.
	r = taxii(t, a.URL, "GET", "/taxii2/", tok, nil)
	wantStatus(t, r, 200)
	if r.Header.Get("Content-Type") != taxiiMT {
		t.Errorf("content type %q", r.Header.Get("Content-Type"))
	}
	r = taxii(t, a.URL, "GET", "/taxii2/api/collections/", tok, nil)
	wantContains(t, r, `"id":"`+coll+`"`, `"can_write":true`)
	seen := map[string]int{}
	next := ""
	for i := 0; i < 10; i++ {
		r = taxii(t, a.URL, "GET", "/taxii2/api/collections/"+coll+"/objects/?limit=1&next="+next, tok, nil)
		env := decode[struct {
			More    bool              `json:"more"`
			Next    string            `json:"next"`
			Objects []json.RawMessage `json:"objects"`
		}](t, r)
		for _, o := range env.Objects {
			seen[regexp.MustCompile(`"id":"([^"]+)"`).FindStringSubmatch(string(o))[1]]++
		}
		if !env.More {
			break
		}
		next = env.Next
	}
	for _, id := range []string{amberGroup, green, red} {
		if seen[id] != 1 {
			t.Errorf("paging by next saw %s %d times", id, seen[id])
		}
	}
	// Without a token: 401 with a challenge, in TAXII's error format.
	r = taxii(t, a.URL, "GET", "/taxii2/api/collections/", "", nil)
	wantStatus(t, r, 401)
	if !strings.Contains(r.Header.Get("WWW-Authenticate"), "Basic") || !strings.Contains(r.Body, `"http_status":"401"`) {
		t.Errorf("401: %v %s", r.Header, r.Body)
	}
	// A client that may only read cannot write.
	r = taxii(t, a.URL, "POST", "/taxii2/api/collections/"+coll+"/objects/", minTok, []byte(`{"objects":[]}`))
	wantStatus(t, r, 403)
	// The CERT deletes the red indicator; it is gone.
	wantStatus(t, taxii(t, a.URL, "DELETE", "/taxii2/api/collections/"+coll+"/objects/"+red+"/", tok, nil), 200)
	wantStatus(t, taxii(t, a.URL, "GET", "/taxii2/api/collections/"+coll+"/objects/"+red+"/", tok, nil), 404)
}

// TestIntelSyncKilled: node b pulls 3,000 objects from node a's collection
// and is killed with SIGKILL in the middle; restarted, it resumes from the
// last page it committed and ends with every object exactly once.
func TestIntelSyncKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	const total = 3000
	ap, bp := startProc(t, t.TempDir(), freePort(t)), startProc(t, t.TempDir(), freePort(t))
	a := setupFederated(t, ap.node(), "cert", "ID", "National CERT")
	b := setupFederated(t, bp.node(), "bank", "ID", "Bank CSIRT")
	peer(t, a, b)
	r := a.admin.api("POST", "/api/v1/intel/collections", "", map[string]any{"alias": "feed", "title": "Feed", "default_tlp": "AMBER"})
	wantStatus(t, r, 201)
	coll := decode[struct{ ID string }](t, r).ID
	for _, right := range []map[string]any{{"org": "cert@" + a.host, "can_read": true, "can_write": true}, {"org": "bank@" + b.host, "can_read": true}} {
		wantStatus(t, a.admin.api("PUT", "/api/v1/intel/collections/"+coll+"/rights", "", right), 200)
	}
	tok := apiToken(t, a.officer)
	for i := 0; i < total; i += 500 {
		var objs []string
		for j := i; j < i+500; j++ {
			objs = append(objs, indicator(fmt.Sprintf("indicator--b0000000-0000-4000-8000-%012d", j), fmt.Sprintf("Feed %d", j), "2026-11-20T08:00:00.000Z"))
		}
		r := taxii(t, a.URL, "POST", "/taxii2/api/collections/"+coll+"/objects/", tok, []byte(`{"objects":[`+strings.Join(objs, ",")+`]}`))
		wantStatus(t, r, 202)
		wantContains(t, r, `"success_count":500`)
	}
	r = b.admin.api("POST", "/api/v1/intel/collections", "", map[string]any{"alias": "from-cert", "title": "From the CERT", "default_tlp": "RED"})
	wantStatus(t, r, 201)
	local := decode[struct{ ID string }](t, r).ID
	r = b.admin.api("POST", "/api/v1/intel/subscriptions", "", map[string]any{"peer": a.host, "remote_collection": "feed", "collection": local, "org": "bank@" + b.host})
	wantStatus(t, r, 201)
	sub := decode[struct{ ID string }](t, r).ID
	pulled := func(c *client) int64 {
		var s struct {
			Subscriptions []struct {
				Pulled int64 `json:"pulled"`
			} `json:"subscriptions"`
		}
		json.Unmarshal([]byte(c.api("GET", "/api/v1/intel/subscriptions", "", nil).Body), &s)
		if len(s.Subscriptions) == 0 {
			return 0
		}
		return s.Subscriptions[0].Pulled
	}
	// Start the sync and kill b once some pages, not all, have committed.
	go func() {
		req, _ := http.NewRequest("POST", b.URL+"/api/v1/intel/subscriptions/"+sub+"/sync", nil)
		for _, ck := range b.admin.http.Jar.Cookies(req.URL) {
			req.AddCookie(ck)
		}
		if res, err := http.DefaultClient.Do(req); err == nil {
			res.Body.Close()
		}
	}()
	waitFor(t, "the first pages on b", func() bool { return pulled(b.admin) >= 200 })
	bp.kill()
	bp2 := startProc(t, bp.data, bp.port)
	bAgain := &fedNode{testNode: bp2.node(), host: b.host, handle: "bank", admin: b.admin, officer: b.officer}
	before := pulled(bAgain.admin)
	if before >= total {
		t.Fatalf("the sync had finished (%d) before the kill", before)
	}
	t.Logf("killed b after %d of %d objects", before, total)
	for pulled(bAgain.admin) < total {
		r := bAgain.admin.api("POST", "/api/v1/intel/subscriptions/"+sub+"/sync", "", nil)
		wantStatus(t, r, 200)
	}
	// Every object exactly once, as the subscribing bank sees them over TAXII.
	btok := apiToken(t, b.officer)
	seen := map[string]int{}
	next := ""
	for {
		r := taxii(t, b.URL, "GET", "/taxii2/api/collections/"+local+"/objects/?limit=1000&next="+next, btok, nil)
		wantStatus(t, r, 200)
		env := decode[struct {
			More    bool              `json:"more"`
			Next    string            `json:"next"`
			Objects []json.RawMessage `json:"objects"`
		}](t, r)
		for _, o := range env.Objects {
			seen[regexp.MustCompile(`"id":"([^"]+)"`).FindStringSubmatch(string(o))[1]]++
		}
		if !env.More {
			break
		}
		next = env.Next
	}
	if len(seen) != total {
		t.Errorf("b holds %d objects, want %d", len(seen), total)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("%s held %d times", id, n)
		}
	}
	if p := pulled(bAgain.admin); p != total {
		t.Errorf("pulled %d, want %d", p, total)
	}
}

var updateGolden = os.Getenv("ENTENTE_UPDATE_GOLDEN") != ""

// TestTAXIIGolden holds the TAXII server's answers to golden files: each
// endpoint's status, TAXII headers and body, with the values that change
// from run to run (ids the node makes, its address, dates it adds) replaced
// by names. ENTENTE_UPDATE_GOLDEN=1 rewrites the files.
func TestTAXIIGolden(t *testing.T) {
	a := startFederated(t, "", "cert", "ID", "National CERT")
	r := a.admin.api("POST", "/api/v1/intel/collections", "", map[string]any{"alias": "energy", "title": "Energy sector", "description": "Indicators for the grid", "default_tlp": "GREEN"})
	wantStatus(t, r, 201)
	coll := decode[struct{ ID string }](t, r).ID
	wantStatus(t, a.admin.api("PUT", "/api/v1/intel/collections/"+coll+"/rights", "", map[string]any{"org": "cert@" + a.host, "can_read": true, "can_write": true}), 200)
	tok := apiToken(t, a.officer)
	const id1, id2 = "indicator--c0000000-0000-4000-8000-000000000001", "indicator--c0000000-0000-4000-8000-000000000002"
	const id3 = "indicator--c0000000-0000-4000-8000-000000000009"
	// Refused and already-stored objects: each status line carries the
	// version the object claims (§4.3.1).
	postFailures := `{"objects":[` + strings.Replace(indicator(id3, "No pattern", "2026-11-22T08:00:00.000Z"), `"pattern":`, `"x_pattern":`, 1) + `,` +
		`{"type":"indicator","spec_version":"2.1","id":"` + id3 + `","created":"2026-11-23T08:00:00.000Z"},` +
		indicator(id1, "One", "2026-11-20T08:00:00.000Z", tlpGreenID) + `]}`
	post := `{"objects":[` + indicator(id1, "One", "2026-11-20T08:00:00.000Z", tlpGreenID) + `,` + indicator(id1, "One, revised", "2026-11-21T08:00:00.000Z", tlpGreenID) + `,` +
		indicator(id2, "Two", "2026-11-20T08:00:00.000Z") + `,{"type":"indicator","id":"indicator--c0000000-0000-4000-8000-000000000003"}]}`
	var statusID string
	steps := []struct {
		name, method, path, token, accept, ctype string
		body                                     string
	}{
		{"post", "POST", "/taxii2/api/collections/{coll}/objects/", tok, taxiiMT, taxiiMT, post},
		// Not endpoints: before {$}, the first deleted the object (the
		// versions golden below shows it is still there) and the second
		// stored the objects.
		{"error-405-delete-versions", "DELETE", "/taxii2/api/collections/{coll}/objects/" + id1 + "/versions/", tok, taxiiMT, "", ""},
		{"error-405-post-object", "POST", "/taxii2/api/collections/{coll}/objects/" + id1 + "/", tok, taxiiMT, taxiiMT, `{"objects":[` + indicator(id3, "Three", "2026-11-20T08:00:00.000Z") + `]}`},
		{"post-failures", "POST", "/taxii2/api/collections/{coll}/objects/", tok, taxiiMT, taxiiMT, postFailures},
		{"discovery", "GET", "/taxii2/", tok, taxiiMT, "", ""},
		{"api-root", "GET", "/taxii2/api/", tok, "application/taxii+json", "", ""},
		{"collections", "GET", "/taxii2/api/collections/", tok, taxiiMT, "", ""},
		{"collection", "GET", "/taxii2/api/collections/{coll}/", tok, taxiiMT, "", ""},
		{"objects", "GET", "/taxii2/api/collections/{coll}/objects/", tok, taxiiMT, "", ""},
		{"objects-page1", "GET", "/taxii2/api/collections/{coll}/objects/?limit=1&match[version]=all", tok, taxiiMT, "", ""},
		{"objects-by-type", "GET", "/taxii2/api/collections/{coll}/objects/?match[type]=malware", tok, taxiiMT, "", ""},
		{"object-first", "GET", "/taxii2/api/collections/{coll}/objects/" + id1 + "/?match[version]=first", tok, taxiiMT, "", ""},
		{"versions", "GET", "/taxii2/api/collections/{coll}/objects/" + id1 + "/versions/", tok, taxiiMT, "", ""},
		{"manifest", "GET", "/taxii2/api/collections/{coll}/manifest/", tok, taxiiMT, "", ""},
		{"status", "GET", "/taxii2/api/status/{status}/", tok, taxiiMT, "", ""},
		{"error-401", "GET", "/taxii2/api/collections/", "", taxiiMT, "", ""},
		{"error-406", "GET", "/taxii2/api/collections/", tok, "application/json", "", ""},
		{"error-415", "POST", "/taxii2/api/collections/{coll}/objects/", tok, taxiiMT, "application/json", `{"objects":[]}`},
		{"error-404", "GET", "/taxii2/api/collections/00000000-0000-4000-8000-000000000000/objects/", tok, taxiiMT, "", ""},
		{"error-400", "GET", "/taxii2/api/collections/{coll}/objects/?limit=0", tok, taxiiMT, "", ""},
		{"error-404-root", "GET", "/taxii2/no-such-root/", tok, taxiiMT, "", ""},
		{"error-404-endpoint", "GET", "/taxii2/api/no-such-endpoint/", tok, taxiiMT, "", ""},
		{"error-404-manifest-id", "GET", "/taxii2/api/collections/{coll}/manifest/" + id1, tok, taxiiMT, "", ""},
		{"error-404-object-extra", "GET", "/taxii2/api/collections/{coll}/objects/" + id1 + "/extra/", tok, taxiiMT, "", ""},
		{"error-404-object", "GET", "/taxii2/api/collections/{coll}/objects/" + id3 + "/", tok, taxiiMT, "", ""},
		{"error-405-collections", "PUT", "/taxii2/api/collections/", tok, taxiiMT, taxiiMT, `{}`},
		{"error-422-bare", "POST", "/taxii2/api/collections/{coll}/objects/", tok, taxiiMT, taxiiMT, indicator(id3, "Three", "2026-11-20T08:00:00.000Z")},
		// An object that exists but that the filters leave out is an empty
		// answer, not a 404 (§5.6, §5.8.1); empty pages have no date headers.
		{"object-empty-added-after", "GET", "/taxii2/api/collections/{coll}/objects/" + id1 + "/?added_after=2099-01-01T00:00:00Z", tok, taxiiMT, "", ""},
		{"object-empty-version", "GET", "/taxii2/api/collections/{coll}/objects/" + id1 + "/?match[version]=2000-01-01T00:00:00.000Z", tok, taxiiMT, "", ""},
		{"object-empty-spec-version", "GET", "/taxii2/api/collections/{coll}/objects/" + id1 + "/?match[spec_version]=2.0", tok, taxiiMT, "", ""},
		{"versions-empty", "GET", "/taxii2/api/collections/{coll}/objects/" + id1 + "/versions/?added_after=2099-01-01T00:00:00Z", tok, taxiiMT, "", ""},
		{"manifest-empty", "GET", "/taxii2/api/collections/{coll}/manifest/?added_after=2099-01-01T00:00:00Z", tok, taxiiMT, "", ""},
	}
	names := map[string]string{} // status ids of later POSTs
	dateRE := regexp.MustCompile(`20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z`)
	for _, s := range steps {
		path := strings.NewReplacer("{coll}", coll, "{status}", statusID).Replace(s.path)
		var body io.Reader
		if s.body != "" {
			body = strings.NewReader(s.body)
		}
		req, _ := http.NewRequest(s.method, a.URL+path, body)
		req.Header.Set("Accept", s.accept)
		if s.ctype != "" {
			req.Header.Set("Content-Type", s.ctype)
		}
		if s.token != "" {
			req.SetBasicAuth("client", s.token)
		}
		r := newClient(t, a.URL).do(req)
		if s.name == "post" {
			statusID = decode[struct{ ID string }](t, r).ID
		} else if r.StatusCode == http.StatusAccepted {
			names[decode[struct{ ID string }](t, r).ID] = "{status_" + s.name + "}"
		}
		var pretty bytes.Buffer
		if err := json.Indent(&pretty, []byte(r.Body), "", "  "); err != nil {
			pretty.WriteString(r.Body)
		}
		var got strings.Builder
		fmt.Fprintf(&got, "%s %s\n%d\n", s.method, s.path, r.StatusCode)
		for _, h := range []string{"Content-Type", "WWW-Authenticate", "Allow", "X-TAXII-Date-Added-First", "X-TAXII-Date-Added-Last"} {
			for _, v := range r.Header.Values(h) {
				fmt.Fprintf(&got, "%s: %s\n", h, v)
			}
		}
		got.WriteString("\n" + pretty.String() + "\n")
		dates := map[string]string{}
		norm := dateRE.ReplaceAllStringFunc(got.String(), func(d string) string {
			if _, ok := dates[d]; !ok {
				dates[d] = fmt.Sprintf("{date_added_%d}", len(dates)+1)
			}
			return dates[d]
		})
		norm = strings.NewReplacer(coll, "{coll}", statusID, "{status}", a.host, "{host}").Replace(norm)
		for id, name := range names {
			norm = strings.ReplaceAll(norm, id, name)
		}
		file := filepath.Join("testdata", "taxii", s.name+".golden")
		if updateGolden {
			os.MkdirAll(filepath.Dir(file), 0o755)
			if err := os.WriteFile(file, []byte(norm), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(file)
		if err != nil {
			t.Fatalf("%s: %v (ENTENTE_UPDATE_GOLDEN=1 writes it)", s.name, err)
		}
		if string(want) != norm {
			t.Errorf("%s differs from %s:\n--- got\n%s\n--- want\n%s", s.name, file, norm, want)
		}
	}
}

// TestTAXIIErrorLanguage: a TAXII client is a program; its errors are in
// English unless it asks otherwise with Accept-Language, whatever language
// the token's owner chose for their pages.
func TestTAXIIErrorLanguage(t *testing.T) {
	a := startFederated(t, "", "cert", "ID", "National CERT")
	tok := apiToken(t, personIn(t, a, "cert", "officer", "dewi@cert.test", "id"))
	for _, c := range []struct{ acceptLang, want string }{
		{"", "Not found."},
		{"id", "Tidak ditemukan."},
		{"en-GB,en;q=0.9", "Not found."},
		{"id-ID,id;q=0.9,en;q=0.5", "Tidak ditemukan."},
	} {
		req, _ := http.NewRequest("GET", a.URL+"/taxii2/api/collections/00000000-0000-4000-8000-000000000000/", nil)
		req.Header.Set("Accept", taxiiMT)
		if c.acceptLang != "" {
			req.Header.Set("Accept-Language", c.acceptLang)
		}
		req.SetBasicAuth("client", tok)
		r := newClient(t, a.URL).do(req)
		wantStatus(t, r, 404)
		if got := decode[struct{ Description string }](t, r).Description; got != c.want {
			t.Errorf("Accept-Language %q: %q, want %q", c.acceptLang, got, c.want)
		}
	}
}

// TestCollectionChosenID: a collection moved from another TAXII server
// keeps its id, so its clients' URLs keep working; through the API and the
// administration page.
func TestCollectionChosenID(t *testing.T) {
	a := startFederated(t, "", "cert", "ID", "National CERT")
	const id = "5d2c8f41-2a9b-4c7e-8f3d-6b1e0c7a9f22"
	r := a.admin.api("POST", "/api/v1/intel/collections", "", map[string]any{"id": id, "alias": "moved", "title": "Moved", "default_tlp": "GREEN"})
	wantStatus(t, r, 201)
	wantStatus(t, a.admin.api("PUT", "/api/v1/intel/collections/"+id+"/rights", "", map[string]any{"org": "cert@" + a.host, "can_read": true}), 200)
	tok := apiToken(t, a.officer)
	if r := taxii(t, a.URL, "GET", "/taxii2/api/collections/"+id+"/", tok, nil); r.StatusCode != 200 || !strings.Contains(r.Body, `"id":"`+id+`"`) {
		t.Fatalf("TAXII collection: %d %s", r.StatusCode, r.Body)
	}
	wantStatus(t, a.admin.api("POST", "/api/v1/intel/collections", "", map[string]any{"id": id, "alias": "again", "title": "Again", "default_tlp": "GREEN"}), 422)
	if page := a.admin.get("/admin/intel"); !strings.Contains(page.Body, `name="id"`) {
		t.Error("the new collection form has no id field")
	}
	wantStatus(t, a.admin.post("/admin/intel/collections", url.Values{"id": {"c0000000-0000-4000-8000-00000000000a"}, "alias": {"form"}, "title": {"By form"}, "default_tlp": {"GREEN"}}), 303)
	if page := a.admin.get("/admin/intel"); !strings.Contains(page.Body, "/taxii2/api/collections/c0000000-0000-4000-8000-00000000000a/") {
		t.Error("the form's id was not kept")
	}
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }
