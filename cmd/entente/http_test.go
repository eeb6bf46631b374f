package main

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var inviteRE = regexp.MustCompile(`/invite\?token=([a-z0-9]+)`)

// TestNode walks the node through the life a newcomer gives it, over real
// HTTP, on every engine.
func TestNode(t *testing.T) {
	for name, db := range engines(t) {
		t.Run(name, func(t *testing.T) {
			n := startNode(t, "", db(t))
			anon := newClient(t, n.URL)

			// Health before anything else.
			wantStatus(t, anon.get("/healthz"), 200)
			r := anon.get("/readyz")
			wantStatus(t, r, 200)
			wantContains(t, r, "ready")

			// No administrator yet: the login page says how to set up; a wrong
			// setup token is refused; home sends to login.
			r = anon.get("/login")
			wantStatus(t, r, 200)
			wantContains(t, r, "no administrator yet")
			r = anon.get("/setup?token=wrong")
			wantStatus(t, r, 404)
			r = anon.get("/")
			wantStatus(t, r, 303)
			if loc := r.Header.Get("Location"); loc != "/login?next=%2F" {
				t.Fatalf("home redirects to %q", loc)
			}

			// A weak password in setup comes back with the input kept and a
			// message naming the field.
			tok := n.setupToken(t)
			r = anon.post("/setup", url.Values{"token": {tok}, "name": {"Ada Admin"}, "email": {"ada@node.test"}, "password": {"short"}})
			wantStatus(t, r, 422)
			wantContains(t, r, `value="ada@node.test"`, "Use at least 12 characters.", `aria-invalid="true"`)

			admin := setupAdmin(t, n)
			// The link was single-use.
			wantStatus(t, anon.get("/setup?token="+tok), 303)
			r = admin.get("/")
			wantStatus(t, r, 200)
			wantContains(t, r, "Welcome, Ada Admin")

			// An organisation with a bad country is refused field by field, in
			// Indonesian once the person switches to it (their choice is kept
			// on the account and wins over Accept-Language).
			wantStatus(t, admin.post("/lang", url.Values{"lang": {"id"}, "next": {"/orgs/new"}}), 303)
			r = admin.post("/orgs", url.Values{"handle": {"Kemlu!"}, "kind": {"state_ministry"}, "country": {"XX"}, "name_en": {""}})
			wantStatus(t, r, 422)
			wantContains(t, r, "Gunakan kode negara ISO 3166", "Gunakan 2–32 huruf kecil", "Wajib diisi.", `value="Kemlu!"`)
			wantStatus(t, admin.post("/lang", url.Values{"lang": {"en"}, "next": {"/"}}), 303)
			r = admin.post("/orgs", url.Values{"handle": {"kemlu"}, "kind": {"state_ministry"}, "country": {"ID"}, "name_en": {"Ministry of Foreign Affairs"}, "name_id": {"Kementerian Luar Negeri"}})
			wantStatus(t, r, 303)
			if r.Header.Get("Location") != "/orgs/kemlu" {
				t.Fatalf("after create: %q", r.Header.Get("Location"))
			}
			r = admin.post("/orgs", url.Values{"handle": {"kemlu"}, "kind": {"state_ministry"}, "country": {"ID"}, "name_en": {"Again"}})
			wantStatus(t, r, 409)
			wantContains(t, r, "This handle is taken.")
			r = admin.get("/orgs/kemlu")
			wantStatus(t, r, 200)
			wantContains(t, r, "Ministry of Foreign Affairs", "Indonesia")
			r = admin.get("/orgs?q=luar")
			wantContains(t, r, `href="/orgs/kemlu"`)
			r = admin.get("/orgs?q=nothing-matches")
			wantContains(t, r, "Nothing here.")

			// A person is created with a role, gets an invitation (by e-mail,
			// through the job queue, and as a link for the administrator).
			r = admin.post("/people", url.Values{"name": {"Bima Prasetyo"}, "email": {"bima@kemlu.test"}, "title": {"Desk officer"}, "org_handle": {"kemlu"}, "role": {"officer"}, "lang": {"id"}})
			wantStatus(t, r, 201)
			m := inviteRE.FindStringSubmatch(r.Body)
			if m == nil {
				t.Fatalf("no invitation link shown:\n%s", r.Body)
			}
			invite := m[1]
			waitFor(t, "invitation e-mail", func() bool {
				files, _ := filepath.Glob(filepath.Join(n.Data, "mail", "*.eml"))
				for _, f := range files {
					b, _ := os.ReadFile(f)
					if strings.Contains(string(b), "To: bima@kemlu.test") && strings.Contains(string(b), "/invite?token="+invite) {
						return true
					}
				}
				return false
			})

			bima := newClient(t, n.URL)
			r = bima.get("/invite?token=" + invite)
			wantStatus(t, r, 200)
			r = bima.post("/invite", url.Values{"token": {invite}, "password": {"sebelas dua belas"}, "password2": {"sebelas dua belas!"}})
			wantStatus(t, r, 422)
			wantContains(t, r, "The two passwords are not the same.")
			r = bima.post("/invite", url.Values{"token": {invite}, "password": {"sebelas dua belas"}, "password2": {"sebelas dua belas"}})
			wantStatus(t, r, 303)
			r = bima.get("/")
			wantStatus(t, r, 200)
			// Bima chose Indonesian when his account was made.
			wantContains(t, r, "Selamat datang, Bima Prasetyo", `lang="id"`)

			// An officer may not create organisations or see the admin pages.
			wantStatus(t, bima.get("/admin"), 403)
			// Until a node administrator makes him one; the last one cannot go.
			bimaID := regexp.MustCompile(`action="/admin/users/([0-9A-Z]{26})/node-admin" class="inline"><input type="hidden" name="grant" value="true"><button type="submit" class="link">Make node administrator<span class="sr"> Bima`).FindStringSubmatch(admin.get("/admin/users").Body)
			if bimaID == nil {
				t.Fatalf("no grant button for Bima:\n%s", admin.get("/admin/users").Body)
			}
			adaID := regexp.MustCompile(`action="/admin/users/([0-9A-Z]{26})/node-admin" class="inline"><input type="hidden" name="grant" value="false">`).FindStringSubmatch(admin.get("/admin/users").Body)
			wantStatus(t, admin.post("/admin/users/"+adaID[1]+"/node-admin", url.Values{"grant": {"false"}}), 409)
			wantStatus(t, admin.post("/admin/users/"+bimaID[1]+"/node-admin", url.Values{"grant": {"true"}}), 303)
			wantStatus(t, bima.get("/admin"), 200)
			wantStatus(t, admin.post("/admin/users/"+bimaID[1]+"/node-admin", url.Values{"grant": {"false"}}), 303)
			wantStatus(t, bima.get("/admin"), 403)
			wantStatus(t, bima.post("/orgs", url.Values{"handle": {"x"}}), 403)

			// Logout, then a wrong password and an unknown account fail the same way.
			wantStatus(t, bima.post("/logout", nil), 303)
			wantStatus(t, bima.get("/"), 303)
			wrong := bima.post("/login", url.Values{"email": {"bima@kemlu.test"}, "password": {"not the password"}})
			nobody := bima.post("/login", url.Values{"email": {"nobody@kemlu.test"}, "password": {"not the password"}})
			if wrong.StatusCode != nobody.StatusCode || wrong.StatusCode != 401 {
				t.Fatalf("wrong password %d, unknown account %d; want both 401", wrong.StatusCode, nobody.StatusCode)
			}
			msg := regexp.MustCompile(`<div class="error-summary"[^>]*><p>([^<]*)</p>`)
			if a, b := msg.FindStringSubmatch(wrong.Body), msg.FindStringSubmatch(nobody.Body); a == nil || b == nil || a[1] != b[1] {
				t.Fatalf("error messages differ or are missing: %q vs %q", a, b)
			}
			r = bima.post("/login", url.Values{"email": {"BIMA@kemlu.test"}, "password": {"sebelas dua belas"}, "next": {"/orgs/kemlu"}})
			wantStatus(t, r, 303)
			if r.Header.Get("Location") != "/orgs/kemlu" {
				t.Fatalf("next not honoured: %q", r.Header.Get("Location"))
			}
			// An open redirect is not.
			r = bima.post("/login", url.Values{"email": {"bima@kemlu.test"}, "password": {"sebelas dua belas"}, "next": {"//evil.example/"}})
			if r.Header.Get("Location") != "/" {
				t.Fatalf("next=//evil.example/ redirected to %q", r.Header.Get("Location"))
			}

			// API: 401 without credentials, tokens with scopes.
			r = anon.api("GET", "/api/v1/me", "", nil)
			wantStatus(t, r, 401)
			e := decode[struct {
				Error struct{ Kind, Message string }
			}](t, r)
			if e.Error.Kind != "unauthenticated" || e.Error.Message == "" {
				t.Fatalf("401 body: %s", r.Body)
			}
			r = admin.post("/account/tokens", url.Values{"name": {"ci"}, "scopes": {"read", "write"}, "days": {"30"}})
			wantStatus(t, r, 201)
			adminTok := regexp.MustCompile(`ent_[a-z0-9]+`).FindString(r.Body)
			if adminTok == "" {
				t.Fatalf("token not shown:\n%s", r.Body)
			}
			me := decode[struct {
				Email     string   `json:"email"`
				NodeAdmin bool     `json:"node_admin"`
				Scopes    []string `json:"scopes"`
			}](t, anon.api("GET", "/api/v1/me", adminTok, nil))
			if me.Email != "ada@node.test" || !me.NodeAdmin || len(me.Scopes) != 2 {
				t.Fatalf("me = %+v", me)
			}
			r = anon.api("POST", "/api/v1/tokens", adminTok, map[string]any{"name": "reader", "scopes": []string{"read"}, "expires_in_days": 7})
			wantStatus(t, r, 201)
			created := decode[struct {
				Secret string `json:"secret"`
				Token  struct {
					ID string `json:"id"`
				} `json:"token"`
			}](t, r)
			readTok := created.Secret
			r = anon.api("POST", "/api/v1/organisations", readTok, map[string]any{"handle": "bssn", "kind": "state_cert", "country": "ID", "name_en": "BSSN"})
			wantStatus(t, r, 403)
			r = anon.api("POST", "/api/v1/organisations", adminTok, map[string]any{"handle": "bssn", "kind": "state_cert", "country": "ID", "name_en": "National Cyber and Crypto Agency", "unknown": 1})
			wantStatus(t, r, 422)
			wantContains(t, r, `"unknown"`)
			r = anon.api("POST", "/api/v1/organisations", adminTok, map[string]any{"handle": "bssn", "kind": "state_cert", "name_en": "National Cyber and Crypto Agency"})
			wantStatus(t, r, 422)
			wantContains(t, r, `"country":"A state body needs its country."`)
			r = anon.api("POST", "/api/v1/organisations", adminTok, map[string]any{"handle": "bssn", "kind": "state_cert", "country": "ID", "name_en": "National Cyber and Crypto Agency"})
			wantStatus(t, r, 201)
			r = anon.api("PATCH", "/api/v1/organisations/bssn", adminTok, map[string]any{"acronym": "BSSN"})
			wantStatus(t, r, 200)
			wantContains(t, r, `"acronym":"BSSN"`, `"name_en":"National Cyber and Crypto Agency"`)
			// Cursor pagination: one at a time, no repeats, no gaps.
			var handles []string
			cursor := ""
			for i := 0; i < 5; i++ {
				page := decode[struct {
					Items []struct {
						Handle string `json:"handle"`
					} `json:"items"`
					Next string `json:"next_cursor"`
				}](t, anon.api("GET", "/api/v1/organisations?limit=1&cursor="+cursor, readTok, nil))
				for _, it := range page.Items {
					handles = append(handles, it.Handle)
				}
				if page.Next == "" {
					break
				}
				cursor = page.Next
			}
			if strings.Join(handles, ",") != "bssn,kemlu" {
				t.Fatalf("paged handles = %v", handles)
			}
			wantStatus(t, anon.api("GET", "/api/v1/organisations?limit=zero", readTok, nil), 422)
			// The HTML list pages too: the "More" link leads to the next page.
			r = admin.get("/orgs?limit=1")
			more := regexp.MustCompile(`<a href="(/orgs\?[^"]+)" rel="next">`).FindStringSubmatch(r.Body)
			if more == nil {
				t.Fatalf("no next-page link:\n%s", r.Body)
			}
			r = admin.get(strings.ReplaceAll(more[1], "&amp;", "&"))
			wantContains(t, r, `href="/orgs/kemlu"`)
			if strings.Contains(r.Body, `href="/orgs/bssn"`) {
				t.Fatal("the second page repeats the first")
			}
			// A read token changes nothing, even where its owner could, and
			// tokens are not accepted on the pages at all.
			wantStatus(t, anon.api("DELETE", "/api/v1/tokens/"+created.Token.ID, readTok, nil), 403)
			wantStatus(t, anon.api("POST", "/admin/users/x/disable", readTok, nil), 401)
			// Revoked tokens stop working.
			wantStatus(t, anon.api("DELETE", "/api/v1/tokens/"+created.Token.ID, adminTok, nil), 204)
			wantStatus(t, anon.api("GET", "/api/v1/me", readTok, nil), 401)

			// Oversized bodies are refused.
			big := strings.Repeat("x", 2<<20)
			req, _ := http.NewRequest("POST", n.URL+"/login", strings.NewReader("email="+big))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			wantStatus(t, anon.do(req), 413)

			// Unknown routes: a 404 page in the reader's language.
			anon.lang = "id-ID,id;q=0.9"
			r = anon.get("/no/such/page")
			wantStatus(t, r, 404)
			wantContains(t, r, "Tidak ada halaman di alamat ini.", `<html lang="id">`)
			anon.lang = ""

			// State changes from another site are refused.
			req, _ = http.NewRequest("POST", n.URL+"/orgs", strings.NewReader("handle=evil&kind=company&name_en=Evil"))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", "cross-site")
			r = admin.do(req)
			wantStatus(t, r, 403)
			wantContains(t, r, "came from another site")

			// The audit trail holds who did what, exportable.
			r = admin.get("/admin/audit?action=directory.")
			wantStatus(t, r, 200)
			wantContains(t, r, "directory.org.create", "directory.member.add")
			r = admin.get("/admin/audit/export?format=csv&action=auth.login")
			wantStatus(t, r, 200)
			rows, err := csv.NewReader(strings.NewReader(r.Body)).ReadAll()
			if err != nil || len(rows) < 3 || rows[0][5] != "action" {
				t.Fatalf("audit CSV: %v\n%s", err, r.Body)
			}
			for _, row := range rows[1:] {
				if !strings.HasPrefix(row[5], "auth.login") || row[10] == "" {
					t.Fatalf("audit row %v: wrong action or no request id", row)
				}
			}
			r = admin.get("/admin/audit/export?format=json")
			wantStatus(t, r, 200)
			wantContains(t, r, `"action":"auth.setup"`)

			// Metrics record requests by route pattern, for node administrators
			// (a scraper presents an administrator's read token).
			wantStatus(t, anon.api("GET", "/metrics", "", nil), 401)
			wantStatus(t, bima.get("/metrics"), 403) // signed in with a session, not an administrator
			r = anon.api("GET", "/metrics", adminTok, nil)
			wantStatus(t, r, 200)
			wantContains(t, r, `entente_http_request_duration_seconds_count{code="200",method="GET",route="GET /orgs/{handle}"}`, "entente_jobs_processed_total", `entente_jobs{state="done"}`, `go_sql_open_connections{db_name="writer"}`)
			if name == "sqlite" {
				wantContains(t, r, `go_sql_open_connections{db_name="reader"}`)
			}

			// The organisation search answers htmx with the results fragment only.
			req, _ = http.NewRequest("GET", n.URL+"/orgs?q=bssn", nil)
			req.Header.Set("HX-Request", "true")
			req.Header.Set("HX-Target", "org-results")
			r = admin.do(req)
			wantStatus(t, r, 200)
			if !strings.HasPrefix(r.Body, `<div id="org-results"`) || !strings.Contains(r.Body, `href="/orgs/bssn"`) || strings.Contains(r.Body, "<html") {
				t.Fatalf("htmx fragment:\n%s", r.Body)
			}
		})
	}
}

// TestLoginThrottle shows that throttling stops guessing for any address,
// existing or not, and lives in the database.
func TestLoginThrottle(t *testing.T) {
	n := startNode(t, "", "")
	setupAdmin(t, n)
	c := newClient(t, n.URL)
	for _, email := range []string{"ada@node.test", "ghost@node.test"} {
		var last response
		for i := 0; i < 6; i++ {
			last = c.post("/login", url.Values{"email": {email}, "password": {"guess number " + string(rune('a'+i))}})
		}
		wantStatus(t, last, 429)
		wantContains(t, last, "Too many attempts")
	}
	// The right password does not get through while throttled.
	r := c.post("/login", url.Values{"email": {"ada@node.test"}, "password": {"correct horse battery"}})
	wantStatus(t, r, 429)
}
