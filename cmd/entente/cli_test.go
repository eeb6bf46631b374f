package main

import (
	"bytes"
	"context"
	"html"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"entente.example/entente/internal/federation"
)

func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), args, envFrom(nil), strings.NewReader(stdin), &out, &errb)
	return code, out.String(), errb.String()
}

func TestCLIUsage(t *testing.T) {
	for _, tc := range []struct {
		args       []string
		code       int
		out, errIn string
	}{
		{nil, 2, "", "Usage:"},
		{[]string{"help"}, 0, "entente serve", ""},
		{[]string{"-h"}, 0, "entente serve", ""},
		{[]string{"version"}, 0, "entente dev", ""},
		{[]string{"frobnicate"}, 2, "", `unknown command "frobnicate"`},
		{[]string{"serve", "--no-such-flag"}, 2, "", "flag provided but not defined: -no-such-flag"},
		{[]string{"serve", "-h"}, 0, "", "-base-url"},
		{[]string{"serve", "extra"}, 2, "", `unexpected argument "extra"`},
		{[]string{"serve", "--addr", "nonsense"}, 2, "", "--addr \"nonsense\": want host:port"},
		{[]string{"serve", "--base-url", "ftp://x"}, 2, "", "--base-url"},
		{[]string{"user"}, 2, "", "usage: entente user add"},
		{[]string{"user", "add", "-h"}, 0, "", "-password-stdin"},
		{[]string{"token", "create", "--bogus"}, 2, "", "flag provided but not defined"},
		{[]string{"backup"}, 1, "", "no database at"},
		{[]string{"restore"}, 2, "", "usage: entente restore"},
	} {
		code, out, errOut := runCLI(t, "", tc.args...)
		if code != tc.code || !strings.Contains(out, tc.out) || !strings.Contains(errOut, tc.errIn) {
			t.Errorf("entente %v: code %d, stdout %q, stderr %q; want code %d, stdout with %q, stderr with %q", tc.args, code, out, errOut, tc.code, tc.out, tc.errIn)
		}
	}
}

// TestCLIBadPlaces: an unreachable database and an unusable data directory
// end with one line that says why, and a non-zero code.
func TestCLIBadPlaces(t *testing.T) {
	file := filepath.Join(t.TempDir(), "a-file")
	os.WriteFile(file, []byte("x"), 0o600)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"serve", "--addr", "127.0.0.1:0", "--data", filepath.Join(file, "sub")}, "--data " + filepath.Join(file, "sub") + ": cannot create: not a directory"},
		{[]string{"serve", "--addr", "127.0.0.1:0", "--data", t.TempDir(), "--db", "postgres://nobody@127.0.0.1:1/none?connect_timeout=2"}, "cannot reach PostgreSQL at postgres://nobody@127.0.0.1:1/none"},
	} {
		code, _, errOut := runCLI(t, "", tc.args...)
		lines := strings.Split(strings.TrimSpace(errOut), "\n")
		if code != 1 || !strings.Contains(errOut, tc.want) || len(lines) != 1 {
			t.Errorf("entente %v: code %d, stderr %q; want 1 and one line with %q", tc.args, code, errOut, tc.want)
		}
	}
}

// TestSecondNodeOnSameData: two nodes never share a data directory.
func TestSecondNodeOnSameData(t *testing.T) {
	n := startNode(t, "", "")
	code, _, errOut := runCLI(t, "", "serve", "--addr", "127.0.0.1:0", "--data", n.Data)
	if code != 1 || !strings.Contains(errOut, "another entente process is using it") {
		t.Fatalf("second node: code %d, %q", code, errOut)
	}
}

func TestUserAndTokenCommands(t *testing.T) {
	data := t.TempDir()
	if code, out, errOut := runCLI(t, "", "migrate", "--data", data); code != 0 || !strings.Contains(out, "applied") {
		t.Fatalf("migrate: %d %q %q", code, out, errOut)
	}
	code, out, errOut := runCLI(t, "", "user", "add", "--data", data, "--email", "Ops@Node.Test", "--name", "Ops Person", "--admin")
	if code != 0 || !regexp.MustCompile(`created ops@node.test .*\n\s+http://127.0.0.1:8080/invite\?token=[a-z0-9]+`).MatchString(out) {
		t.Fatalf("user add: %d %q %q", code, out, errOut)
	}
	code, _, errOut = runCLI(t, "", "user", "add", "--data", data, "--email", "ops@node.test", "--name", "Again")
	if code != 1 || !strings.Contains(errOut, "--email: an account with this e-mail address exists") {
		t.Fatalf("duplicate user add: %d %q", code, errOut)
	}
	code, _, errOut = runCLI(t, "", "user", "add", "--data", data, "--email", "not-an-address", "--name", "")
	if code != 1 || !strings.Contains(errOut, "--email: not a valid e-mail address") || !strings.Contains(errOut, "--name: required") {
		t.Fatalf("bad user add: %d %q", code, errOut)
	}
	code, out, errOut = runCLI(t, "long enough password\n", "user", "add", "--data", data, "--email", "reader@node.test", "--name", "Reader", "--password-stdin")
	if code != 0 {
		t.Fatalf("user add --password-stdin: %d %q %q", code, out, errOut)
	}
	code, _, errOut = runCLI(t, "", "token", "create", "--data", data, "--email", "reader@node.test", "--name", "script", "--scopes", "read", "--days", "400")
	if code != 1 || !strings.Contains(errOut, "--days: must be between 1 and 366 days") {
		t.Fatalf("token create 400 days: %d %q", code, errOut)
	}
	code, out, errOut = runCLI(t, "", "token", "create", "--data", data, "--email", "reader@node.test", "--name", "script")
	tok := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(tok, "ent_") {
		t.Fatalf("token create: %d %q %q", code, out, errOut)
	}
	// The node accepts both: the password and the token.
	n := startNode(t, data, "")
	c := newClient(t, n.URL)
	r := c.api("GET", "/api/v1/me", tok, nil)
	wantStatus(t, r, 200)
	wantContains(t, r, `"email":"reader@node.test"`, `"scopes":["read"]`)
	wantStatus(t, c.post("/login", url.Values{"email": {"reader@node.test"}, "password": {"long enough password"}}), 303)
	// An administrator exists, so no setup link is printed.
	if strings.Contains(n.Stdout.String(), "/setup?token=") {
		t.Fatal("setup link printed although an administrator exists")
	}
}

// TestBackupAndRestore backs up a running node, refuses to restore over it,
// and restores once it is stopped.
func TestBackupAndRestore(t *testing.T) {
	n := startNode(t, "", "")
	admin := setupAdmin(t, n)
	wantStatus(t, admin.post("/orgs", url.Values{"handle": {"before"}, "kind": {"company"}, "name_en": {"Before the backup"}}), 303)
	backup := filepath.Join(t.TempDir(), "node.backup")
	if code, out, errOut := runCLI(t, "", "backup", "--data", n.Data, backup); code != 0 || !strings.Contains(out, "backed up") {
		t.Fatalf("backup: %d %q %q", code, out, errOut)
	}
	wantStatus(t, admin.post("/orgs", url.Values{"handle": {"after"}, "kind": {"company"}, "name_en": {"After the backup"}}), 303)
	if code, _, errOut := runCLI(t, "", "restore", "--data", n.Data, "--force", backup); code != 1 || !strings.Contains(errOut, "a running node is using") {
		t.Fatalf("restore over a live node: %d %q", code, errOut)
	}
	if code := n.stop(); code != 0 {
		t.Fatalf("stop: %d", code)
	}
	if code, _, errOut := runCLI(t, "", "restore", "--data", n.Data, backup); code != 1 || !strings.Contains(errOut, "pass --force") {
		t.Fatalf("restore without --force: %d %q", code, errOut)
	}
	junk := filepath.Join(t.TempDir(), "junk")
	os.WriteFile(junk, []byte("not a database"), 0o600)
	if code, _, errOut := runCLI(t, "", "restore", "--data", n.Data, "--force", junk); code != 1 || !strings.Contains(errOut, "not an SQLite database") {
		t.Fatalf("restore junk: %d %q", code, errOut)
	}
	if code, out, errOut := runCLI(t, "", "restore", "--data", n.Data, "--force", backup); code != 0 {
		t.Fatalf("restore: %d %q %q", code, out, errOut)
	}
	n2 := startNode(t, n.Data, "")
	c := newClient(t, n2.URL)
	wantStatus(t, c.post("/login", url.Values{"email": {"ada@node.test"}, "password": {"correct horse battery"}}), 303)
	wantStatus(t, c.get("/orgs/before"), 200)
	wantStatus(t, c.get("/orgs/after"), 404)
}

func TestBackupOnPostgresPointsToPgDump(t *testing.T) {
	pg, ok := engines(t)["postgres"]
	if !ok {
		return // the skip line was printed by engines
	}
	dsn := pg(t)
	if code, _, errOut := runCLI(t, "", "migrate", "--db", dsn); code != 0 {
		t.Fatalf("migrate: %q", errOut)
	}
	code, _, errOut := runCLI(t, "", "backup", "--db", dsn, filepath.Join(t.TempDir(), "x"))
	if code != 1 || !strings.Contains(errOut, "pg_dump") {
		t.Fatalf("backup on postgres: %d %q", code, errOut)
	}
}

// TestDemo: --demo loads the world and prints its logins, once.
func TestDemo(t *testing.T) {
	n := startNode(t, "", "", "--demo")
	out := n.Stdout.String()
	pw := regexp.MustCompile(`\n  (demo-[a-z0-9]+)\n`).FindStringSubmatch(out)
	if pw == nil || !strings.Contains(out, "sari@kemlu.demo") || strings.Contains(out, "/setup?token=") {
		t.Fatalf("demo output:\n%s", out)
	}
	c := newClient(t, n.URL)
	// The single-node demo has correspondence too, with a thread and an acknowledgment.
	bima := newClient(t, n.URL)
	wantStatus(t, bima.post("/login", url.Values{"email": {"bima@kemlu.demo"}, "password": {pw[1]}}), 303)
	r := bima.get("/mail/sent")
	wantContains(t, r, "Permintaan masukan", "diakui") // Bima reads Indonesian
	wantContains(t, bima.api("GET", "/api/v1/messages?box=out", "", nil), `"state":"acknowledged"`, `"format":"markdown"`)
	wantContains(t, bima.get("/mail"), "Re: Permintaan masukan")
	// The POC networks: a finished ping with mixed results, open requests.
	elena := newClient(t, n.URL)
	wantStatus(t, elena.post("/login", url.Values{"email": {"elena@unoda.demo"}, "password": {pw[1]}}), 303)
	nets := decode[struct{ Items []struct{ ID, Slug string } }](t, elena.get("/api/v1/networks")).Items
	if len(nets) != 2 {
		t.Fatalf("demo networks: %+v", nets)
	}
	for _, nw := range nets {
		if nw.Slug == "un-poc" {
			ps := elena.get("/api/v1/networks/" + nw.ID + "/pings")
			wantContains(t, ps, `"state":"finished"`, `"targets":5`, `"acknowledged":3`)
			wantContains(t, elena.get("/networks/"+nw.ID), "Ministry of Foreign Affairs of Japan", "Bima Prasetyo", "60%")
		}
	}
	wantContains(t, bima.get("/requests"), "Phishing campaign against foreign ministries", "Permintaan informasi")
	wantContains(t, bima.get("/pocs"), "Direktori Global", "dikonfirmasi oleh Bima Prasetyo")
	sari := newClient(t, n.URL)
	wantStatus(t, sari.post("/login", url.Values{"email": {"sari@kemlu.demo"}, "password": {pw[1]}}), 303)
	wantContains(t, sari.get("/pocs"), "Keterjangkauan", "Bima Prasetyo", "Dewi Lestari", "uji terakhir terlewat")
	// Her entries offer a change; the form comes filled in; the change
	// goes to the secretariat as a pending nomination.
	var unID string
	for _, nw := range nets {
		if nw.Slug == "un-poc" {
			unID = nw.ID
		}
	}
	m := regexp.MustCompile(`href="(/networks/[^"?]+/nominate\?entry=[^"]+)"`).FindStringSubmatch(sari.get("/networks/" + unID).Body)
	if m == nil {
		t.Fatal("no change link for the focal point's entries")
	}
	r = sari.get(html.UnescapeString(m[1]))
	wantContains(t, r, `value="change" checked`, `value="&#43;62 `)
	f := url.Values{"action": {"change"}, "entry_id": {regexp.MustCompile(`entry=([^"&]+)`).FindStringSubmatch(m[1])[1]}, "member": {"kemlu"}, "category": {"diplomatic"},
		"person_id": {regexp.MustCompile(`<option value="([0-9A-Z]{26})" selected>`).FindStringSubmatch(r.Body)[1]}, "hours": {"24/7"}}
	wantStatus(t, sari.post("/networks/"+unID+"/nominations", f), 303)
	wantContains(t, elena.get("/networks/"+unID), "Change", "Sari Wulandari")
	// Norms: two published national reports, one draft nobody else sees.
	anon := newClient(t, n.URL)
	wantContains(t, anon.get("/norms/f"), "Perpres 82/2022", "Cybersecurity Act", "Ransomware at a regional port operator")
	if strings.Contains(anon.get("/norms/f").Body, "power distribution") {
		t.Fatal("an AMBER incident link shown to an anonymous visitor")
	}
	wantContains(t, sari.get("/norms/f"), "power distribution")
	r = anon.get("/reports")
	wantContains(t, r, "Survei nasional pelaksanaan norma 2026", "National survey of implementation 2026")
	if strings.Contains(r.Body, "(draft)") {
		t.Fatal("a draft report listed publicly")
	}
	ids := regexp.MustCompile(`name="r" value="([0-9A-Z]{26})"`).FindAllStringSubmatch(r.Body, -1)
	if len(ids) != 2 {
		t.Fatalf("published reports: %v", ids)
	}
	wantContains(t, anon.get("/reports/compare?r="+ids[0][1]+"&r="+ids[1][1]), "Perpres 82/2022", "Cybersecurity Act", "vulnerability disclosure")
	// Negotiation: a statement mid-negotiation with amendments from two
	// delegations and two revisions, a second text under silence; the
	// stakeholder sees only the consultation.
	neg := decode[[]struct{ ID, Role string }](t, sari.api("GET", "/api/v1/negotiation", "", nil))
	if len(neg) != 1 || neg[0].Role != "delegation" {
		t.Fatalf("negotiations for Sari: %+v", neg)
	}
	tb := "/negotiation/" + neg[0].ID + "/texts/"
	wantContains(t, sari.get(tb+"t1"), "Rev.2", "without undue delay", "Cyber Security Agency of Singapore", "dalam kurung", "digabung")
	wantContains(t, sari.get(tb+"t2"), "dalam prosedur diam")
	wantContains(t, sari.get(tb+"t1/compare?a=1&b=2"), "<ins>")
	ayu := newClient(t, n.URL)
	wantStatus(t, ayu.post("/login", url.Values{"email": {"ayu@ruangdigital.demo"}, "password": {pw[1]}}), 303)
	r = ayu.get("/negotiation/" + neg[0].ID)
	wantContains(t, r, "Include civil society")
	if strings.Contains(r.Body, "Draft ASEAN") || ayu.get(tb+"t1").StatusCode != 404 {
		t.Fatal("the stakeholder sees the state text")
	}
	// Threat intelligence: BSSN's collection under several TLP labels; the
	// ISAC's AMBER indicator reaches its members only.
	rina := newClient(t, n.URL)
	wantStatus(t, rina.post("/login", url.Values{"email": {"rina@bssn.demo"}, "password": {pw[1]}}), 303)
	wantContains(t, rina.get("/intel"), "GridLock command-and-control server", "Staging host named", "TLP:AMBER", "TLP:RED")
	yusuf := newClient(t, n.URL)
	wantStatus(t, yusuf.post("/login", url.Values{"email": {"yusuf@nusantara.demo"}, "password": {pw[1]}}), 303)
	r = yusuf.get("/intel")
	wantContains(t, r, "GridLock command-and-control server", "GridLock campaign against regional grid operators")
	if strings.Contains(r.Body, "Staging host named") {
		t.Fatal("a member of the ISAC sees BSSN's TLP:RED indicator")
	}
	r = sari.get("/intel")
	wantContains(t, r, "Phishing domain posing as the grid regulator")
	if strings.Contains(r.Body, "GridLock command-and-control") || strings.Contains(r.Body, "Staging host") {
		t.Fatal("the ministry, outside the ISAC, sees its AMBER indicator")
	}
	wantStatus(t, c.post("/login", url.Values{"email": {"maria@asean.demo"}, "password": {pw[1]}}), 303)
	r = c.get("/orgs")
	for _, h := range []string{"kemlu", "bssn", "polri-siber", "kln-my", "csa-sg", "dfat-au", "mofa-jp", "asean", "nusantara-cloud", "ruang-digital", "univ-nusantara"} {
		wantContains(t, r, `href="/orgs/`+h+`"`)
	}
	if code := n.stop(); code != 0 {
		t.Fatal("stop")
	}
	n2 := startNode(t, n.Data, "", "--demo")
	if !strings.Contains(n2.Stdout.String(), "already loaded") {
		t.Fatalf("second demo start:\n%s", n2.Stdout)
	}
	key, err := os.Stat(filepath.Join(n.Data, "keys", "node-signing.pem"))
	if err != nil || key.Mode().Perm() != 0o600 {
		t.Fatalf("signing key: %v %v", err, key)
	}
}

// TestKeysRotate: the node must be stopped; afterwards its descriptor shows
// the new key and the statement, signed by the old key, that announces it.
func TestKeysRotate(t *testing.T) {
	n := startNode(t, "", "")
	if code, _, errOut := runCLI(t, "", "keys", "rotate", "--data", n.Data); code != 1 || !strings.Contains(errOut, "stop the node first") {
		t.Fatalf("rotate while running: %d %q", code, errOut)
	}
	before := newClient(t, n.URL).get("/.well-known/entente").Body
	n.stop()
	code, out, errOut := runCLI(t, "", "keys", "rotate", "--data", n.Data)
	if code != 0 || !strings.Contains(out, "new fingerprint") {
		t.Fatalf("rotate: %d %q %q", code, out, errOut)
	}
	n2 := startNode(t, n.Data, "")
	after := newClient(t, n2.URL).get("/.well-known/entente").Body
	d0, err0 := federation.OpenDescriptor([]byte(before))
	d1, err1 := federation.OpenDescriptor([]byte(after))
	if err0 != nil || err1 != nil || string(d0.SigningKey) == string(d1.SigningKey) || len(d1.Rotations) != 1 || len(federation.RetiredKeys(d1)) != 1 {
		t.Fatalf("descriptors: %v %v, %d rotations", err0, err1, len(d1.Rotations))
	}
}
