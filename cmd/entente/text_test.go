package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBadBytesAtTheEdges sends NUL, invalid UTF-8 and duplicate JSON keys
// through every kind of input a node takes from people and programs — the
// sign-in form, a form, a search, a cursor, a path, a JSON body — on both
// engines. PostgreSQL refused NUL with an HTTP 500 where SQLite stored it;
// now both answer the same clear refusal naming the field, and store nothing.
func TestBadBytesAtTheEdges(t *testing.T) {
	got := map[string][]int{}
	for name, db := range engines(t) {
		t.Run(name, func(t *testing.T) {
			n := startNode(t, "", db(t))
			admin := setupAdmin(t, n)
			r := admin.post("/account/tokens", url.Values{"name": {"ci"}, "scopes": {"read", "write"}, "days": {"30"}})
			tok := regexp.MustCompile(`ent_[a-z0-9]+`).FindString(r.Body)
			if tok == "" {
				t.Fatalf("no token:\n%s", r.Body)
			}
			anon := newClient(t, n.URL)
			raw := func(method, path, ct, body string) response {
				req, _ := http.NewRequest(method, n.URL+path, strings.NewReader(body))
				if ct != "" {
					req.Header.Set("Content-Type", ct)
				}
				req.Header.Set("Authorization", "Bearer "+tok)
				return anon.do(req)
			}
			cases := []struct {
				name  string
				do    func() response
				field string // the field the refusal must name
			}{
				{"login e-mail with NUL", func() response {
					return anon.post("/login", url.Values{"email": {"ada@node.test\x00"}, "password": {"x"}})
				}, "email"},
				{"organisation name with NUL", func() response {
					return admin.post("/orgs", url.Values{"handle": {"nul"}, "kind": {"state_ministry"}, "country": {"ID"}, "name_en": {"Mini\x00stry"}})
				}, "name_en"},
				{"organisation name not UTF-8", func() response {
					return admin.post("/orgs", url.Values{"handle": {"latin"}, "kind": {"state_ministry"}, "country": {"ID"}, "name_en": {"Minist\xe8re"}})
				}, "name_en"},
				{"search with NUL", func() response { return admin.get("/orgs?q=%00") }, "q"},
				{"cursor not UTF-8", func() response { return admin.get("/orgs?cursor=%ff%fe") }, "cursor"},
				{"path with NUL", func() response { return admin.get("/orgs/kemlu%00") }, "path"},
				{"JSON with an escaped NUL", func() response {
					return raw("POST", "/api/v1/organisations", "application/json", `{"handle":"jnul","kind":"state_cert","country":"ID","name_en":"A\u0000B"}`)
				}, "name_en"},
				{"JSON with a duplicate key", func() response {
					return raw("POST", "/api/v1/organisations", "application/json", `{"handle":"jdup","kind":"state_cert","country":"ID","name_en":"A","name_en":"B"}`)
				}, "name_en"},
				{"JSON not UTF-8", func() response {
					return raw("POST", "/api/v1/organisations", "application/json", "{\"handle\":\"jbad\",\"kind\":\"state_cert\",\"country\":\"ID\",\"name_en\":\"\xff\"}")
				}, "body"},
			}
			for _, c := range cases {
				r := c.do()
				got[c.name] = append(got[c.name], r.StatusCode)
				if r.StatusCode != http.StatusUnprocessableEntity {
					t.Errorf("%s: status %d, want 422\n%s", c.name, r.StatusCode, r.Body)
					continue
				}
				if !strings.Contains(r.Body, c.field) {
					t.Errorf("%s: the refusal does not name %q:\n%s", c.name, c.field, r.Body)
				}
				if !strings.Contains(r.Body, "NUL") && !strings.Contains(r.Body, "UTF-8") && !strings.Contains(r.Body, "twice") {
					t.Errorf("%s: the refusal does not say why:\n%s", c.name, r.Body)
				}
			}
			// Nothing was half-written.
			for _, h := range []string{"nul", "latin", "jnul", "jdup", "jbad"} {
				if r := admin.get("/orgs/" + h); r.StatusCode != http.StatusNotFound {
					t.Errorf("organisation %q: status %d, want 404 (nothing stored)", h, r.StatusCode)
				}
			}
			// The refusal is in the reader's language.
			wantStatus(t, admin.post("/lang", url.Values{"lang": {"id"}, "next": {"/"}}), 303)
			r = admin.post("/orgs", url.Values{"handle": {"nul2"}, "kind": {"state_ministry"}, "country": {"ID"}, "name_en": {"x\x00"}})
			wantStatus(t, r, 422)
			wantContains(t, r, "karakter NUL")
			if bytes.Contains([]byte(r.Body), []byte{0}) {
				t.Error("the error page echoes the NUL byte")
			}
		})
	}
	// Both engines answered every case alike.
	for name, codes := range got {
		for _, c := range codes[1:] {
			if c != codes[0] {
				t.Errorf("%s: engines answered %v", name, codes)
			}
		}
	}
}

// TestBrowserOversizedForm: a form over the body limit is answered at once in
// a real browser, with the limit in words. A tester saw Chromium wait a
// minute for a bare "Error 413": the node answered without reading the body
// and a browser reads no answer before it has sent its body. On loopback
// that wait did not reproduce with 1.2 MB or 8 MB (socket buffers take the
// body), so this test holds the behaviour, not the bug: the node now reads
// off the rest of an oversized body (bounded) and closes the connection.
func TestBrowserOversizedForm(t *testing.T) {
	ctx := newBrowser(t)
	n := startNode(t, "", "")
	var h1, body string
	var took time.Duration
	step(t, ctx, "open the form",
		chromedp.Navigate(n.URL+"/login"),
		chromedp.WaitVisible(chromedp.ID("email")),
	)
	start := time.Now()
	step(t, ctx, "send 8 MB",
		into(new(bool), chromedp.Evaluate[bool](`const f = document.getElementById('email').form; const i = document.createElement('input'); i.type = 'hidden'; i.name = 'note'; i.value = 'Kementerian é '.repeat(420000); f.appendChild(i); f.submit(); true`)),
		chromedp.WaitVisible(chromedp.CSS(`main h1`)),
		into(&h1, chromedp.Text(chromedp.CSS(`main h1`))),
		chromedp.Func(func(context.Context, *chromedp.Target) error { took = time.Since(start); return nil }),
		into(&body, chromedp.Text(chromedp.CSS(`main`))),
		shot("oversized-form"),
	)
	t.Logf("answered in %v", took)
	if !strings.Contains(h1, "413") {
		t.Fatalf("h1 %q, want the 413 page", h1)
	}
	if !strings.Contains(body, "1 MB") {
		t.Errorf("the page does not say the limit:\n%s", body)
	}
	// Under a second on an idle machine; the bound leaves room for a
	// loaded CI machine while still failing the minute-long wait.
	if took > 5*time.Second {
		t.Errorf("the browser waited %v for the answer", took)
	}
}

// TestInboxRefusesAnOversizedBodyUnread: a request to the federation inbox
// that announces a body over the limit is answered at once, signed or not,
// without the node reading the body (the drain that serves browsers would
// let anyone hold the node for ten seconds).
func TestInboxRefusesAnOversizedBodyUnread(t *testing.T) {
	n := startNode(t, "", "")
	u, _ := url.Parse(n.URL)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Headers for 9 MiB, then a trickle that would take far longer than
	// the test allows.
	fmt.Fprintf(conn, "POST /federation/v1/inbox HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n[", u.Host, 9<<20)
	start := time.Now()
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	line, err := bufio.NewReader(conn).ReadString('\n')
	took := time.Since(start)
	if err != nil {
		t.Fatalf("no answer after %v: %v", took, err)
	}
	if !strings.Contains(line, " 413 ") {
		t.Fatalf("answer %q, want 413", line)
	}
	if took > 2*time.Second {
		t.Fatalf("answered after %v: the node read the body first", took)
	}
	t.Logf("413 after %v", took)
}
