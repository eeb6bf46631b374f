package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestNoRawKeysOnPages: no page of the demo node, in Bahasa Indonesia, shows
// a message key (err.…) instead of words — neither as it is shown nor as a
// form sent empty comes back with its problems.
func TestNoRawKeysOnPages(t *testing.T) {
	n, base, pw := demoNode(t)
	checked := 0
	for _, email := range []string{"bima@kemlu.demo", "sari@kemlu.demo", "admin@node.demo"} {
		c := login(t, base, email, pw)
		wantStatus(t, c.post("/lang", url.Values{"lang": {"id"}, "next": {"/"}}), 303)
		for _, pat := range sortedRoutes(n) {
			method, path := concretePath(pat)
			if strings.HasPrefix(path, "/api/") || strings.HasPrefix(path, "/taxii") || strings.HasPrefix(path, "/federation/") ||
				strings.HasPrefix(path, "/static/") || path == "/logout" || path == "/lang" || strings.Contains(path, "{") {
				continue
			}
			req, _ := http.NewRequest(method, base+path, strings.NewReader(""))
			req.Header.Set("Accept", "text/html")
			if method != "GET" {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Sec-Fetch-Site", "same-origin")
			}
			r := c.do(req)
			if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
				continue
			}
			checked++
			noRawKeys(t, email+" "+method+" "+path, r)
		}
	}
	if checked < 100 {
		t.Fatalf("only %d pages checked", checked)
	}
	t.Logf("%d pages checked", checked)
}
