package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/config"
)

// demoNode builds the whole program with the demo world and serves it, for
// tests that need people in every role.
func demoNode(t *testing.T) (*node, string, string) { return demoNodeTB(t) }

// demoNodeTB is demoNode for tests and benchmarks; opts change the
// configuration first (two demo nodes that talk on loopback allow private
// peers).
func demoNodeTB(t testing.TB, opts ...func(*config.Config)) (*node, string, string) {
	t.Helper()
	cfg := config.Defaults()
	cfg.Addr = "127.0.0.1:0"
	cfg.DataDir = t.TempDir()
	cfg.LogLevel = "error"
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	e := env{getenv: envFrom(nil), stdin: strings.NewReader(""), stdout: &out, stderr: io.Discard}
	n, err := e.build(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(n.close)
	if _, err := e.loadDemo(context.Background(), cfg, n.deps, n.baseURL); err != nil {
		t.Fatal(err)
	}
	pw, err := os.ReadFile(filepath.Join(cfg.DataDir, "demo-password"))
	if err != nil {
		t.Fatal(err)
	}
	hs := n.srv.HTTPServer(cfg.Addr)
	go hs.Serve(n.ln)
	t.Cleanup(func() { hs.Close() })
	n.srv.SetReady()
	return n, n.baseURL, strings.TrimSpace(string(pw))
}

// The people of the demo world, one per role the policy distinguishes.
var roleLogins = map[string]string{
	"anonymous": "",
	"observer":  "somchai@asean.demo",
	"member":    "yusuf@nusantara.demo",
	// An investigator of a police cybercrime unit: the people whose work
	// cybercrime requests are.
	"investigator": "hendra@polri.demo",
	"officer":      "bima@kemlu.demo",
	"org-admin":    "sari@kemlu.demo",
	"node-admin":   "admin@node.demo",
}

var roleOrder = []string{"anonymous", "observer", "member", "investigator", "officer", "org-admin", "node-admin"}

// expected is the policy, written out: which roles may reach routes guarded by
// each action. A new action makes this test fail until its row is added.
var expected = map[access.Action][]string{
	access.Public:        {"anonymous", "observer", "member", "investigator", "officer", "org-admin", "node-admin"},
	access.Anonymous:     {"anonymous", "observer", "member", "investigator", "officer", "org-admin", "node-admin"},
	access.SignedIn:      {"observer", "member", "investigator", "officer", "org-admin", "node-admin"},
	access.AccountSelf:   {"observer", "member", "investigator", "officer", "org-admin", "node-admin"},
	access.DirectoryRead: {"observer", "member", "investigator", "officer", "org-admin", "node-admin"},
	access.OrgCreate:     {"node-admin"},
	access.OrgManage:     {"org-admin", "node-admin"},
	// Node administrators reach the routes, and staff only an organisation
	// without an admin: kemlu, which has one, refuses them (deniedOnKemlu).
	access.OrgStaff:     {"org-admin", "node-admin"},
	access.PersonCreate: {"org-admin", "node-admin"},
	access.NodeAdmin:    {"node-admin"},
	access.Metrics:      {"node-admin"},
	access.PeerRequest:  {"anonymous", "observer", "member", "investigator", "officer", "org-admin", "node-admin"},
	access.PeerManage:   {"node-admin"},
	// The node administrator of the demo belongs to no organisation.
	access.MessageRead: {"member", "investigator", "officer", "org-admin"},
	access.MessageSend: {"officer", "org-admin"},
	access.MessageAck:  {"member", "investigator", "officer", "org-admin"},
	// POC networks: anyone signed in sees that networks exist; the directory
	// needs membership (decided per network in the service); only focal
	// points nominate, with no pass for node administrators.
	access.NetworkRead:        {"observer", "member", "investigator", "officer", "org-admin", "node-admin"},
	access.NetworkDirectory:   {"member", "investigator", "officer", "org-admin"},
	access.NetworkRestricted:  {"officer", "org-admin"},
	access.NetworkCreate:      {"org-admin"},
	access.NetworkManage:      {"org-admin"},
	access.Nominate:           {"org-admin"},
	access.PingAck:            {"member", "investigator", "officer", "org-admin"},
	access.PocRequestRead:     {"member", "investigator", "officer", "org-admin"},
	access.PocRequestAct:      {"officer", "org-admin"},
	access.TransparencyPublic: {"anonymous", "observer", "member", "investigator", "officer", "org-admin", "node-admin"},
	// Norms: the framework and published reports are public; drafts are the
	// state's own, approval and publication its focal point's.
	access.NormsPublic:   {"anonymous", "observer", "member", "investigator", "officer", "org-admin", "node-admin"},
	access.ReportRead:    {"member", "investigator", "officer", "org-admin"},
	access.ReportEdit:    {"officer", "org-admin"},
	access.ReportApprove: {"org-admin"},
	access.ReportPublish: {"org-admin"},
	// Negotiation: the process decides who sits where; the roles decide
	// what the people of a seat may do.
	access.NegotiationRead:    {"member", "investigator", "officer", "org-admin"},
	access.NegotiationCreate:  {"org-admin"},
	access.NegotiationChair:   {"officer", "org-admin"},
	access.NegotiationAct:     {"officer", "org-admin"},
	access.NegotiationObject:  {"officer", "org-admin"},
	access.NegotiationConsult: {"member", "investigator", "officer", "org-admin"},
	// Threat intelligence: reading by people of an organisation, writing by
	// its officers and admins, collections by node administrators. TAXII
	// routes let everyone through to a server that asks for a token itself.
	access.IntelRead:   {"member", "investigator", "officer", "org-admin"},
	access.IntelWrite:  {"officer", "org-admin"},
	access.IntelAdmin:  {"node-admin"},
	access.IntelGroups: {"officer", "org-admin"},
	access.IntelTAXII:  {"anonymous", "observer", "member", "investigator", "officer", "org-admin", "node-admin"},
	// Cybercrime cooperation: investigators, central authorities and admins
	// of the two organisations; no pass for node administrators, who keep
	// the instruments and see the figures (counts, no content).
	access.CybercrimeRead:        {"investigator", "org-admin"},
	access.CybercrimeDraft:       {"investigator", "org-admin"},
	access.CybercrimeAct:         {"investigator", "org-admin"},
	access.CybercrimeApprove:     {"org-admin"},
	access.CybercrimeInstruments: {"node-admin"},
	access.CybercrimeFigures:     {"investigator", "org-admin", "node-admin"},
	// Links between records: the people who do an organisation's work;
	// which two records, the records' own modules decide.
	access.LinkWrite: {"investigator", "officer", "org-admin"},
	// Joint attribution statements: public once published; before, their
	// parties' people; drafting by a state's admins and officers, signing
	// (which commits the state) by its admins alone.
	access.StatementRead:   {"member", "investigator", "officer", "org-admin"},
	access.StatementDraft:  {"officer", "org-admin"},
	access.StatementSign:   {"org-admin"},
	access.StatementPublic: {"anonymous", "observer", "member", "investigator", "officer", "org-admin", "node-admin"},
	// Incidents: read by an organisation's people, written by its
	// officers, analysts, investigators and admins; a public incident's
	// page is open to anyone (the service shows only CLEAR and public);
	// no pass for node administrators.
	access.IncidentsRead:   {"member", "investigator", "officer", "org-admin"},
	access.IncidentsWrite:  {"investigator", "officer", "org-admin"},
	access.IncidentsPublic: {"anonymous", "observer", "member", "investigator", "officer", "org-admin", "node-admin"},
	// Public diplomacy: the press office reads (members up), drafts and
	// answers (officers, analysts, admins), approves (officers and admins,
	// never their own draft) and keeps the accounts (admins); what the
	// public sees is anyone's.
	access.PDRead:     {"member", "officer", "org-admin"},
	access.PDWrite:    {"officer", "org-admin"},
	access.PDApprove:  {"officer", "org-admin"},
	access.PDAccounts: {"org-admin"},
	access.PDPublic:   {"anonymous", "observer", "member", "investigator", "officer", "org-admin", "node-admin"},
	// Expert dialogues: the dialogue's parties decide who takes part; the
	// roles what each party's people may do there.
	access.DialogueRead:       {"observer", "member", "investigator", "officer", "org-admin"},
	access.DialogueCreate:     {"officer", "org-admin"},
	access.DialogueRun:        {"officer", "org-admin"},
	access.DialogueContribute: {"member", "investigator", "officer", "org-admin"},
	access.DialogueModerate:   {"officer", "org-admin"},
	access.DialogueReport:     {"officer", "org-admin"},
	// Events: anyone signed in reads and registers (the service shows
	// only the events they may see); an organisation's admins, officers
	// and analysts organise; public pages, files and feeds, and sign-up
	// without an account, are anyone's.
	access.EventsRead:   {"observer", "member", "investigator", "officer", "org-admin", "node-admin"},
	access.EventsWrite:  {"officer", "org-admin"},
	access.EventsPublic: {"anonymous", "observer", "member", "investigator", "officer", "org-admin", "node-admin"},
	access.EventsSignUp: {"anonymous", "observer", "member", "investigator", "officer", "org-admin", "node-admin"},
	// Digital economy: agreements and the tracker are anyone's signed in
	// (which commitments they see is the service's); a state's
	// organisation's admins, officers and analysts keep its commitments;
	// its admins and node administrators add agreements.
	access.EconomyRead:       {"observer", "member", "investigator", "officer", "org-admin", "node-admin"},
	access.EconomyCommit:     {"officer", "org-admin"},
	access.EconomyAgreements: {"org-admin", "node-admin"},
	// Capacity building: public projects, needs and offers are anyone's
	// (the service shows each reader only what is public or shared with
	// their organisations); an organisation's admins, officers and
	// analysts write them; no pass for node administrators.
	access.CapacityPublic: {"anonymous", "observer", "member", "investigator", "officer", "org-admin", "node-admin"},
	access.CapacityRead:   {"member", "investigator", "officer", "org-admin"},
	access.CapacityWrite:  {"officer", "org-admin"},
	// Humanitarian coordination: an emergency's public face and sending a
	// report are anyone's, without an account; an organisation's admins, officers
	// and analysts write (the emergency's coordinators alone verify,
	// which the service checks); no pass for node administrators.
	access.HumPublic: {"anonymous", "observer", "member", "investigator", "officer", "org-admin", "node-admin"},
	access.HumReport: {"anonymous", "observer", "member", "investigator", "officer", "org-admin", "node-admin"},
	access.HumWrite:  {"officer", "org-admin"},
}

// deniedOnKemlu are the roles the route check lets through for an action
// that the organisation in the concrete path, kemlu, still refuses.
var deniedOnKemlu = map[access.Action][]string{
	access.OrgStaff: {"node-admin"},
}

func allowedFor(act access.Action, role string) bool {
	for _, r := range expected[act] {
		if r == role {
			return true
		}
	}
	return false
}

func login(t testing.TB, base, email, pw string) *client {
	c := newClient(t, base)
	if email == "" {
		return c
	}
	r := c.post("/login", url.Values{"email": {email}, "password": {pw}})
	wantStatus(t, r, 303)
	return c
}

// concretePath fills a route pattern's wildcards with values that exist where
// it matters (kemlu, whose admin is the org-admin role) and a well-formed id
// that does not exist where a real one would have side effects.
func concretePath(pattern string) (method, path string) {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		method, path = "GET", pattern
	}
	path = strings.ReplaceAll(path, "{$}", "")
	path = strings.NewReplacer("{handle}", "kemlu", "{id}", "00000000000000000000000000", "{user}", "00000000000000000000000000", "{file}", "app.css").Replace(path)
	return method, path
}

// sortedRoutes puts POST /logout last, since it ends the session it is sent with.
func sortedRoutes(n *node) []string {
	var pats []string
	for _, r := range n.srv.Routes() {
		pats = append(pats, r.Pattern)
	}
	sort.Slice(pats, func(i, j int) bool {
		if (pats[i] == "POST /logout") != (pats[j] == "POST /logout") {
			return pats[j] == "POST /logout"
		}
		return pats[i] < pats[j]
	})
	return pats
}

// TestPolicy checks every route against the written-out policy, first as the
// access package decides it and then as a real request sees it, for every role.
func TestPolicy(t *testing.T) {
	n, base, pw := demoNode(t)
	actions := map[string]access.Action{}
	for _, r := range n.srv.Routes() {
		if !access.Known(r.Action) {
			t.Errorf("route %q has no policy entry (action %q)", r.Pattern, r.Action)
		}
		if _, ok := expected[r.Action]; !ok {
			t.Errorf("route %q: action %q is missing from this test's expected table", r.Pattern, r.Action)
		}
		actions[r.Pattern] = r.Action
	}
	if t.Failed() {
		t.FailNow()
	}
	for _, role := range roleOrder {
		c := login(t, base, roleLogins[role], pw)
		// The access package's own answer, for this role's actor.
		actor := core.Actor{}
		if role != "anonymous" {
			var err error
			actor, err = n.auth.Authenticate(context.Background(), sessionOf(t, c, n))
			if err != nil {
				t.Fatalf("%s: %v", role, err)
			}
		}
		for _, pat := range sortedRoutes(n) {
			act := actions[pat]
			want := allowedFor(act, role)
			if got := access.Can(actor, act, access.Resource{}); got != want {
				t.Errorf("access.Can(%s, %s) = %v, want %v", role, act, got, want)
			}
			method, path := concretePath(pat)
			if pat == "/" {
				path = "/no-such-page"
			}
			req, _ := http.NewRequest(method, base+path, nil)
			req.Header.Set("Accept", "text/html")
			if method != "GET" {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Sec-Fetch-Site", "same-origin")
			}
			r := c.do(req)
			if act == access.PeerRequest {
				// The credential of a peer request is its HTTP signature, which
				// no person's session replaces.
				if r.StatusCode != 401 {
					t.Errorf("%s %s unsigned, as %s: status %d; want 401", method, path, role, r.StatusCode)
				}
				continue
			}
			if strings.HasPrefix(path, "/hooks/humanitarian/") {
				// A gateway's credential is its secret, which no session
				// replaces: without it the hook answers 403, as the SMS
				// gateways' protocol has it.
				if r.StatusCode != 403 {
					t.Errorf("%s %s without a secret, as %s: status %d; want 403", method, path, role, r.StatusCode)
				}
				continue
			}
			denied := r.StatusCode == 401 || r.StatusCode == 403 ||
				(r.StatusCode == 303 && strings.HasPrefix(r.Header.Get("Location"), "/login?next="))
			if slices.Contains(deniedOnKemlu[act], role) {
				if !denied {
					t.Errorf("%s %s as %s: status %d; want it denied on kemlu", method, path, role, r.StatusCode)
				}
				continue
			}
			if act == access.Anonymous && r.StatusCode == 401 && pat == "POST /login" {
				denied = false // an empty sign-in form fails to sign in; that is not a denial
			}
			if denied == want {
				t.Errorf("%s %s as %s: status %d; want it %s", method, path, role, r.StatusCode, map[bool]string{true: "allowed", false: "denied"}[want])
			}
		}
	}
}

// sessionOf returns the session cookie of a signed-in client.
func sessionOf(t *testing.T, c *client, n *node) string {
	u, _ := url.Parse(c.base)
	for _, ck := range c.http.Jar.Cookies(u) {
		if ck.Name == n.srv.SessionCookie() {
			return ck.Value
		}
	}
	t.Fatal("no session cookie")
	return ""
}

var securityHeaders = map[string]*regexp.Regexp{
	"Content-Security-Policy":      regexp.MustCompile(`^default-src 'none'; script-src 'self'; style-src 'self';.*frame-ancestors 'none'`),
	"X-Content-Type-Options":       regexp.MustCompile(`^nosniff$`),
	"X-Frame-Options":              regexp.MustCompile(`^DENY$`),
	"Referrer-Policy":              regexp.MustCompile(`^same-origin$`),
	"Permissions-Policy":           regexp.MustCompile(`camera=\(\)`),
	"Cross-Origin-Opener-Policy":   regexp.MustCompile(`^same-origin$`),
	"Cross-Origin-Resource-Policy": regexp.MustCompile(`^same-origin$`),
	"X-Request-Id":                 regexp.MustCompile(`^[0-9a-f]{16}$`),
}

// TestSecurityHeadersOnEveryRoute walks every route, signed in and not, with
// good and bad requests, and checks the headers of every answer.
func TestSecurityHeadersOnEveryRoute(t *testing.T) {
	n, base, pw := demoNode(t)
	for _, role := range []string{"anonymous", "node-admin"} {
		c := login(t, base, roleLogins[role], pw)
		for _, pat := range sortedRoutes(n) {
			method, path := concretePath(pat)
			for _, p := range []string{path, path + "?cursor=" + strings.Repeat("z", 300)} {
				req, _ := http.NewRequest(method, base+p, nil)
				r := c.do(req)
				for h, re := range securityHeaders {
					if v := r.Header.Get(h); !re.MatchString(v) {
						t.Errorf("%s %s as %s (%d): %s = %q", method, p, role, r.StatusCode, h, v)
					}
				}
				if ct := r.Header.Get("Content-Type"); ct == "" && r.StatusCode != 204 && r.StatusCode != 303 {
					t.Errorf("%s %s: no Content-Type", method, p)
				}
				// Static files and the favicon are the same for everyone and cached.
				if !strings.HasPrefix(p, "/static/") && !strings.HasPrefix(p, "/favicon.ico") && !strings.Contains(r.Header.Get("Cache-Control"), "no-store") {
					t.Errorf("%s %s: Cache-Control %q, want no-store", method, p, r.Header.Get("Cache-Control"))
				}
			}
		}
	}
}

// TestNodeAdminCannotJoinAnOrganisation is issue 13's attack through the
// pages: the node administrator adds themselves to BSSN, which has an admin,
// to read its AMBER traffic. Refused, and not offered; BSSN's admin adding
// them works, and is BSSN's own audit event.
func TestNodeAdminCannotJoinAnOrganisation(t *testing.T) {
	_, base, pw := demoNode(t)
	admin := login(t, base, "admin@node.demo", pw)
	r := admin.get("/orgs/bssn")
	wantStatus(t, r, 200)
	if strings.Contains(r.Body, `action="/orgs/bssn/members"`) {
		t.Error("the member form is offered to the node administrator")
	}
	wantStatus(t, admin.post("/orgs/bssn/members", url.Values{"email": {"admin@node.demo"}, "role": {"analyst"}}), 403)
	if r := admin.get("/orgs/bssn"); strings.Contains(r.Body, "Node Administrator") {
		t.Fatal("the node administrator is a member of BSSN")
	}
	agus := login(t, base, "agus@bssn.demo", pw)
	wantStatus(t, agus.post("/orgs/bssn/members", url.Values{"email": {"admin@node.demo"}, "role": {"officer"}}), 303)
	wantContains(t, admin.get("/orgs/bssn"), "Node Administrator")
}
