package main

import (
	"bufio"
	"crypto/ecdh"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"html"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/ledger"
)

// fedNode is a whole node with one organisation, its administrator and an
// officer of the organisation, all signed in.
type fedNode struct {
	*testNode
	host    string
	handle  string
	admin   *client
	officer *client
}

// startFederated starts a node for an organisation, sets it up through its
// pages, and gives the organisation an officer.
func startFederated(t *testing.T, db, handle, country, name string, extra ...string) *fedNode {
	t.Helper()
	return setupFederated(t, startNode(t, "", db, append([]string{"--allow-private-peers"}, extra...)...), handle, country, name)
}

// setupFederated sets up a running node for an organisation.
func setupFederated(t *testing.T, n *testNode, handle, country, name string) *fedNode {
	t.Helper()
	f := &fedNode{testNode: n, host: strings.TrimPrefix(n.URL, "http://"), handle: handle}
	f.admin = setupAdmin(t, n)
	wantStatus(t, f.admin.post("/orgs", url.Values{"handle": {handle}, "kind": {"state_ministry"}, "country": {country}, "name_en": {name}}), 303)
	r := f.admin.post("/people", url.Values{"name": {"Officer of " + handle}, "email": {"officer@" + handle + ".test"}, "org_handle": {handle}, "role": {"officer"}, "lang": {"en"}})
	wantStatus(t, r, 201)
	tok := inviteRE.FindStringSubmatch(r.Body)[1]
	f.officer = newClient(t, n.URL)
	wantStatus(t, f.officer.post("/invite", url.Values{"token": {tok}, "password": {"officer password 1"}, "password2": {"officer password 1"}}), 303)
	return f
}

var peerIDRE = regexp.MustCompile(`action="/admin/peers/([0-9A-Z]{26})/status"`)

// peer makes a and b verified peers of each other, through the pages, after
// checking that each shows the other's fingerprint as it announces it.
func peer(t *testing.T, a, b *fedNode) {
	t.Helper()
	for _, p := range [][2]*fedNode{{a, b}, {b, a}} {
		from, to := p[0], p[1]
		r := from.admin.post("/admin/peers", url.Values{"url": {to.URL}})
		wantStatus(t, r, 303)
		r = from.admin.get("/admin/peers")
		fp := regexp.MustCompile(`Its key fingerprint: <code class="fp">([A-Z2-7 ]+)</code>`).FindStringSubmatch(to.admin.get("/admin/peers").Body)
		if fp == nil || !strings.Contains(r.Body, fp[1]) {
			t.Fatalf("%s does not show %s's fingerprint", from.host, to.host)
		}
		i := strings.Index(r.Body, "<strong>"+to.host+"</strong>")
		m := peerIDRE.FindStringSubmatch(r.Body[i:])
		if i < 0 || m == nil {
			t.Fatalf("no pending peer %s on %s:\n%s", to.host, from.host, r.Body)
		}
		wantStatus(t, from.admin.post("/admin/peers/"+m[1]+"/status", url.Values{"status": {"verified"}}), 303)
	}
}

// TestCorrespondenceAcrossNodes: three nodes on loopback (one on PostgreSQL
// when configured); a message from one organisation to two on other nodes is
// delivered with receipts, read, and acknowledged, and the sender sees who
// acknowledged and when.
func TestCorrespondenceAcrossNodes(t *testing.T) {
	dbs := engines(t)
	pg := ""
	if f, ok := dbs["postgres"]; ok {
		pg = f(t)
	}
	a := startFederated(t, "", "kemlu", "ID", "Ministry of Foreign Affairs of Indonesia")
	b := startFederated(t, pg, "csa-sg", "SG", "Cyber Security Agency of Singapore")
	c := startFederated(t, "", "mofa-jp", "JP", "Ministry of Foreign Affairs of Japan")
	peer(t, a, b)
	peer(t, a, c)

	// The compose page offers the peers' organisations.
	waitFor(t, "the peers' directories", func() bool {
		r := a.officer.get("/mail/new")
		return strings.Contains(r.Body, `value="csa-sg@`+b.host+`"`) && strings.Contains(r.Body, `value="mofa-jp@`+c.host+`"`)
	})

	r := a.officer.post("/mail", url.Values{"from": {"kemlu"}, "to": {"csa-sg@" + b.host + ", mofa-jp@" + c.host}, "subject": {"Consultation on a cross-border incident"},
		"body": {"Kami mengusulkan konsultasi (OSCE CBM 3) mengenai insiden tanggal 24 November."}, "tlp": {"AMBER"}, "classification": {"TERBATAS"}})
	wantStatus(t, r, 303)
	msgPath := r.Header.Get("Location")

	// Both arrive; each receiving node's ledger holds them.
	var bMsg string
	waitFor(t, "the message on b", func() bool {
		r := b.officer.get("/mail")
		m := regexp.MustCompile(`href="(/mail/[0-9A-Z]{26})">Consultation on a cross-border incident`).FindStringSubmatch(r.Body)
		if m != nil {
			bMsg = m[1]
		}
		return m != nil
	})
	waitFor(t, "the message on c", func() bool {
		return strings.Contains(c.officer.get("/mail").Body, "Consultation on a cross-border incident")
	})
	r = a.officer.get(msgPath)
	wantContains(t, r, "csa-sg@"+b.host, "mofa-jp@"+c.host, "Signed receipt")
	// b's officer is told by e-mail, with a link to the message.
	waitFor(t, "the arrival e-mail on b", func() bool {
		files, _ := filepath.Glob(filepath.Join(b.Data, "mail", "*.eml"))
		for _, f := range files {
			m, _ := os.ReadFile(f)
			if strings.Contains(string(m), "To: officer@csa-sg.test") && strings.Contains(string(m), "kemlu@"+a.host) && strings.Contains(string(m), b.URL+"/mail/") {
				return true
			}
		}
		return false
	})
	// Search finds it among what the reader may see, and only there.
	wantContains(t, b.officer.get("/mail?q=cross-border"), "Consultation on a cross-border incident")
	if strings.Contains(b.officer.get("/mail?q=nothing-like-this").Body, "Consultation") {
		t.Fatal("search returned a message that does not match")
	}
	if strings.Contains(c.officer.get("/mail/sent?q=cross-border").Body, "Consultation") {
		t.Fatal("c's sent box shows a's message")
	}

	// Markdown and an attachment, through the API; the file arrives whole,
	// with its SHA-256, and is only ever served as a download.
	annex := []byte("Annex A: list of affected systems\n")
	r = a.officer.api("POST", "/api/v1/messages", "", map[string]any{"from": "kemlu", "to": []string{"csa-sg@" + b.host}, "subject": "With an annex",
		"body": "See the **annex**.", "format": "markdown", "tlp": "AMBER", "attachments": []map[string]any{{"name": "annex-a.txt", "content_type": "text/plain", "data": annex}}})
	wantStatus(t, r, 201)
	var annexPath string
	waitFor(t, "the annex on b", func() bool {
		m := regexp.MustCompile(`href="(/mail/[0-9A-Z]{26})">With an annex`).FindStringSubmatch(b.officer.get("/mail").Body)
		if m != nil {
			annexPath = m[1]
		}
		return m != nil
	})
	r = b.officer.get(annexPath)
	wantContains(t, r, "See the <strong>annex</strong>.", "annex-a.txt", ledger.Digest(annex))
	dl := regexp.MustCompile(`href="(/mail/[0-9A-Z]{26}/attachments/[0-9A-Z]{26})"`).FindStringSubmatch(r.Body)
	if dl == nil {
		t.Fatalf("no download link:\n%s", r.Body)
	}
	r = b.officer.get(dl[1])
	if r.Body != string(annex) || !strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment") || r.Header.Get("Content-Type") != "application/octet-stream" {
		t.Fatalf("download: %q %v", r.Body, r.Header)
	}
	wantStatus(t, c.officer.get(dl[1]), 404)

	// TLP:RED crosses nodes for the people it names; naming nobody there is
	// refused by the receiving node, visibly.
	r = a.officer.post("/mail", url.Values{"from": {"kemlu"}, "to": {"csa-sg@" + b.host}, "subject": {"Red: source details"}, "body": {"x"}, "tlp": {"RED"}, "named": {"officer@csa-sg.test"}})
	wantStatus(t, r, 303)
	waitFor(t, "the RED message on b", func() bool { return strings.Contains(b.officer.get("/mail").Body, "Red: source details") })
	r = a.officer.post("/mail", url.Values{"from": {"kemlu"}, "to": {"csa-sg@" + b.host}, "subject": {"Red: nobody there"}, "body": {"x"}, "tlp": {"RED"}, "named": {"ghost@csa-sg.test"}})
	wantStatus(t, r, 303)
	redPath := r.Header.Get("Location")
	waitFor(t, "the refusal on a", func() bool { return strings.Contains(a.officer.get(redPath).Body, "undelivered") })

	// Two organisations on one peer get one message each (and share it there).
	wantStatus(t, b.admin.post("/orgs", url.Values{"handle": {"sgcert"}, "kind": {"state_cert"}, "country": {"SG"}, "name_en": {"SingCERT"}}), 303)
	r = a.officer.post("/mail", url.Values{"from": {"kemlu"}, "to": {"csa-sg@" + b.host + ", sgcert@" + b.host}, "subject": {"Two recipients, one node"}, "body": {"x"}, "tlp": {"GREEN"}})
	wantStatus(t, r, 303)
	twoPath := strings.Replace(r.Header.Get("Location"), "/mail/", "/api/v1/messages/", 1)
	waitFor(t, "both deliveries", func() bool {
		return strings.Count(a.officer.get(twoPath).Body, `"state":"delivered"`) == 2
	})

	// b reads and acknowledges; the acknowledgment travels back.
	r = b.officer.get(bMsg)
	wantContains(t, r, "Kami mengusulkan konsultasi", "TLP:AMBER", "TERBATAS", "kemlu@"+a.host)
	wantStatus(t, b.officer.post(bMsg+"/ack", nil), 303)
	waitFor(t, "the acknowledgment on a", func() bool {
		return strings.Contains(a.officer.get(strings.Replace(msgPath, "/mail/", "/api/v1/messages/", 1)).Body, `"acknowledged_by":"Officer of csa-sg"`)
	})
	// Through the API, the same facts.
	r = a.officer.get(strings.Replace(msgPath, "/mail/", "/api/v1/messages/", 1))
	wantContains(t, r, `"to":"csa-sg@`+b.host+`","envelope_id":`, `"state":"acknowledged"`, `"acknowledged_by":"Officer of csa-sg"`, `"state":"delivered"`)

	// entente verify proves the receipt from b's public ledger, and refuses
	// a doctored one.
	var api struct {
		Recipients []struct {
			To      string `json:"to"`
			Receipt string `json:"receipt"`
		} `json:"recipients"`
	}
	json.Unmarshal([]byte(a.officer.get(strings.Replace(msgPath, "/mail/", "/api/v1/messages/", 1)).Body), &api)
	receipt := ""
	for _, rc := range api.Recipients {
		if strings.HasPrefix(rc.To, "csa-sg@") {
			receipt = rc.Receipt
		}
	}
	file := filepath.Join(t.TempDir(), "receipt.json")
	os.WriteFile(file, []byte(receipt), 0o600)
	var out string
	waitFor(t, "a checkpoint covering the receipt", func() bool {
		code, o, _ := runCLI(t, "", "verify", "--node", b.URL, file)
		out = o
		return code == 0
	})
	if !strings.Contains(out, "PROVEN: envelope") {
		t.Fatalf("verify: %s", out)
	}
	os.WriteFile(file, []byte(strings.Replace(receipt, `"index":`, `"index":1`, 1)), 0o600)
	if code, _, errOut := runCLI(t, "", "verify", "--node", b.URL, file); code != 1 || !strings.Contains(errOut, "NOT PROVEN") {
		t.Fatalf("a doctored receipt: %d %s", code, errOut)
	}
	bFP := regexp.MustCompile(`Its key fingerprint: <code class="fp">([A-Z2-7 ]+)</code>`).FindStringSubmatch(b.admin.get("/admin/peers").Body)[1]
	os.WriteFile(file, []byte(receipt), 0o600)
	if code, _, errOut := runCLI(t, "", "verify", "--node", b.URL, "--fingerprint", "AAAA BBBB", file); code != 1 || !strings.Contains(errOut, "not the one you compared") {
		t.Fatalf("wrong fingerprint: %d %s", code, errOut)
	}
	if code, _, errOut := runCLI(t, "", "verify", "--node", b.URL, "--fingerprint", bFP, file); code != 0 {
		t.Fatalf("right fingerprint: %d %s", code, errOut)
	}

	// The console sees the same peers.
	if code, out, errOut := runCLI(t, "", "peer", "list", "--data", a.Data, "--base-url", a.URL); code != 0 || !strings.Contains(out, b.host) || !strings.Contains(out, "verified") {
		t.Fatalf("peer list: %d %q %q", code, out, errOut)
	}

	// b replies in the thread; a sees the reply beside the original.
	r = b.officer.get(bMsg)
	reply := regexp.MustCompile(`href="(/mail/new\?[^"]+)">Reply`).FindStringSubmatch(r.Body)
	if reply == nil {
		t.Fatalf("no reply link:\n%s", r.Body)
	}
	r = b.officer.get(html.UnescapeString(reply[1]))
	wantContains(t, r, `name="thread_id"`, `value="Re: Consultation on a cross-border incident"`)
	thread := regexp.MustCompile(`name="thread_id" value="([0-9A-Z]{26})"`).FindStringSubmatch(r.Body)[1]
	r = b.officer.post("/mail", url.Values{"from": {"csa-sg"}, "to": {"kemlu@" + a.host}, "thread_id": {thread}, "subject": {"Re: Consultation on a cross-border incident"}, "body": {"Agreed; Thursday 10:00 SGT."}, "tlp": {"AMBER"}})
	wantStatus(t, r, 303)
	waitFor(t, "the reply in a's thread", func() bool {
		return strings.Contains(a.officer.get(msgPath).Body, "Re: Consultation on a cross-border incident</a> — csa-sg@"+b.host)
	})
	// A thread one cannot read cannot be joined: c never saw the annex thread.
	annexThread := regexp.MustCompile(`"thread_id":"([0-9A-Z]{26})"`).FindStringSubmatch(b.officer.get(strings.Replace(annexPath, "/mail/", "/api/v1/messages/", 1)).Body)[1]
	r = c.officer.post("/mail", url.Values{"from": {"mofa-jp"}, "to": {"kemlu@" + a.host}, "thread_id": {annexThread}, "subject": {"Intrusion"}, "body": {"x"}, "tlp": {"GREEN"}})
	wantStatus(t, r, 422)

	// Nobody else reads it: not a's administrator (no organisation), not
	// c's officer through b's id.
	wantStatus(t, a.admin.get(msgPath), 403)
	wantStatus(t, c.officer.get(bMsg), 404)

	// Suspending a peer stops delivery; the message waits, visibly.
	r = a.admin.get("/admin/peers")
	i := strings.Index(r.Body, "<strong>"+c.host+"</strong>")
	id := peerIDRE.FindStringSubmatch(r.Body[i:])[1]
	wantStatus(t, a.admin.post("/admin/peers/"+id+"/status", url.Values{"status": {"suspended"}}), 303)
	r = a.officer.post("/mail", url.Values{"from": {"kemlu"}, "to": {"mofa-jp@" + c.host}, "subject": {"Held back"}, "body": {"x"}, "tlp": {"GREEN"}})
	wantStatus(t, r, 422)
	wantContains(t, r, "not a verified peer")
	time.Sleep(100 * time.Millisecond)
}

// TestUndeliveredIsNotified: a peer down for longer than the retry horizon
// leaves the message undelivered, visibly, and its author is told by e-mail.
func TestUndeliveredIsNotified(t *testing.T) {
	a := startFederated(t, "", "kemlu", "ID", "Ministry of Foreign Affairs of Indonesia", "--retry-horizon", "3s")
	c := startFederated(t, "", "mofa-jp", "JP", "Ministry of Foreign Affairs of Japan")
	peer(t, a, c)
	if code := c.stop(); code != 0 {
		t.Fatalf("stop c: %d", code)
	}
	r := a.officer.post("/mail", url.Values{"from": {"kemlu"}, "to": {"mofa-jp@" + c.host}, "subject": {"Into the void"}, "body": {"Is anyone there?"}, "tlp": {"GREEN"}})
	wantStatus(t, r, 303)
	msg := r.Header.Get("Location")
	waitFor(t, "the message to be marked undelivered", func() bool {
		return strings.Contains(a.officer.get(msg).Body, "undelivered")
	})
	waitFor(t, "the e-mail to its author", func() bool {
		files, _ := filepath.Glob(filepath.Join(a.Data, "mail", "*.eml"))
		for _, f := range files {
			m, _ := os.ReadFile(f)
			if strings.Contains(string(m), "To: officer@kemlu.test") && strings.Contains(string(m), "Not delivered to mofa-jp@"+c.host) {
				return true
			}
		}
		return false
	})
	wantContains(t, a.admin.get("/admin/audit?action=correspondence.undelivered"), "correspondence.undelivered")
}

// TestUnsentAcknowledgmentIsShown: an acknowledgment that cannot reach the
// sender's node within the horizon is shown on the acknowledging side.
func TestUnsentAcknowledgmentIsShown(t *testing.T) {
	a := startFederated(t, "", "kemlu", "ID", "Ministry of Foreign Affairs of Indonesia")
	b := startFederated(t, "", "csa-sg", "SG", "Cyber Security Agency of Singapore", "--retry-horizon", "3s")
	peer(t, a, b)
	r := a.officer.post("/mail", url.Values{"from": {"kemlu"}, "to": {"csa-sg@" + b.host}, "subject": {"Please acknowledge"}, "body": {"x"}, "tlp": {"GREEN"}})
	wantStatus(t, r, 303)
	var path string
	waitFor(t, "the message on b", func() bool {
		m := regexp.MustCompile(`href="(/mail/[0-9A-Z]{26})">Please acknowledge`).FindStringSubmatch(b.officer.get("/mail").Body)
		if m != nil {
			path = m[1]
		}
		return m != nil
	})
	// Reading sends a read notice; let it go before a stops.
	b.officer.get(path)
	time.Sleep(1500 * time.Millisecond)
	if code := a.stop(); code != 0 {
		t.Fatalf("stop a: %d", code)
	}
	wantStatus(t, b.officer.post(path+"/ack", nil), 303)
	waitFor(t, "the failed acknowledgment to show", func() bool {
		return strings.Contains(b.officer.get(path).Body, "acknowledgment not delivered to the sender")
	})
}

// TestPeerAddSaysWhy: `entente peer add` names what went wrong (the
// network's error, the descriptor's fault) and exits 1.
func TestPeerAddSaysWhy(t *testing.T) {
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close() // nothing listens there now
	missing := httptest.NewServer(http.NotFoundHandler())
	defer missing.Close()
	forged := httptest.NewServer(nil)
	defer forged.Close()
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	hk, _ := ecdh.X25519().GenerateKey(rand.Reader)
	body, _ := json.Marshal(federation.Descriptor{Name: "forged", BaseURL: forged.URL, SigningKey: pub, HPKEKey: hk.PublicKey().Bytes()})
	doc, _ := json.Marshal(map[string]any{"body": json.RawMessage(body), "signature": make([]byte, ed25519.SignatureSize)})
	forged.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(doc) })
	data := t.TempDir()
	for _, tc := range []struct{ url, want string }{
		{closed.URL, "fetching its descriptor failed: "},
		{missing.URL, "fetching its descriptor failed: " + missing.URL + "/.well-known/entente: status 404"},
		{forged.URL, "its descriptor is not valid: descriptor: the signature does not verify"},
		{"ftp://example.org", "not an http or https URL"},
	} {
		code, _, errOut := runCLI(t, "", "peer", "add", "--data", data, "--base-url", "http://127.0.0.1:9", "--allow-private-peers", tc.url)
		if code != 1 || !strings.Contains(errOut, tc.want) || strings.Contains(errOut, "--url: \n") {
			t.Errorf("peer add %s: %d %q; want 1 with %q", tc.url, code, errOut, tc.want)
		}
	}
}

// TestInboxAnswersBeforeTheBody: an unsigned POST to the inbox is refused as
// soon as its headers are in, whatever its media type: no byte of its body
// is waited for (a form used to be parsed, all 8 MiB of it, first).
func TestInboxAnswersBeforeTheBody(t *testing.T) {
	n := startNode(t, "", "")
	for _, tc := range []struct {
		ct   string
		size int
	}{
		{"application/json", federation.MaxBatch},
		{"application/x-www-form-urlencoded", federation.MaxBatch},
		{"application/json", 100_000}, // small enough for net/http to read before answering
	} {
		conn, err := net.Dial("tcp", strings.TrimPrefix(n.URL, "http://"))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "POST /federation/v1/inbox HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n", strings.TrimPrefix(n.URL, "http://"), tc.ct, tc.size)
		conn.SetReadDeadline(time.Now().Add(3 * time.Second))
		status, err := bufio.NewReader(conn).ReadString('\n')
		if err != nil || !strings.Contains(status, " 401 ") {
			t.Errorf("%s, %d bytes: %q %v; want a 401 without the body", tc.ct, tc.size, status, err)
		}
	}
}
