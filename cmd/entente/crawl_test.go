package main

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var hrefRE = regexp.MustCompile(`href="(/[^"#]*)"`)

// TestCrawlShowsNoResidue follows every link a person can reach from the
// home page of the demo node (negotiation included), in Bahasa Indonesia,
// and checks each page for what a newcomer must never see: formatting
// residue such as "%!(EXTRA …)" (a title once carried one), untranslated
// message keys, server errors, and links to pages the person may not open
// (a link that ends in "Error 403" is a dead end). Pages reached only
// through an id are what the route-by-route checks miss.
func TestCrawlShowsNoResidue(t *testing.T) {
	n, base, pw := demoNode(t)
	if err := demoNegotiation(context.Background(), []*node{n}); err != nil {
		t.Fatal(err)
	}
	if err := demoCybercrime(context.Background(), []*node{n}); err != nil {
		t.Fatal(err)
	}
	if err := demoIncidents(context.Background(), []*node{n}); err != nil {
		t.Fatal(err)
	}
	if err := demoStatements(context.Background(), []*node{n}); err != nil {
		t.Fatal(err)
	}
	const perPerson = 250
	total := 0
	for _, email := range []string{"bima@kemlu.demo", "sari@kemlu.demo", "dewi@kemlu.demo", "nurul@kln-my.demo", "agus@bssn.demo", "rina@bssn.demo", "elena@unoda.demo", "admin@node.demo", "hendra@polri.demo", "liam@afp.demo", "priya@agc-sg.demo", "dana@harbour.demo"} {
		c := login(t, base, email, pw)
		wantStatus(t, c.post("/lang", url.Values{"lang": {"id"}, "next": {"/"}}), 303)
		seen := map[string]bool{"/": true}
		from := map[string]string{}
		queue := []string{"/"}
		for len(queue) > 0 && len(seen) <= perPerson {
			p := queue[0]
			queue = queue[1:]
			req, _ := http.NewRequest("GET", base+p, nil)
			req.Header.Set("Accept", "text/html")
			r := c.do(req)
			if r.StatusCode >= 500 || r.StatusCode == http.StatusForbidden {
				t.Errorf("%s GET %s (linked from %s): %d", email, p, from[p], r.StatusCode)
			}
			if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
				continue
			}
			total++
			if i := strings.Index(r.Body, "%!"); i >= 0 {
				t.Errorf("%s GET %s shows formatting residue: %q", email, p, r.Body[i:min(len(r.Body), i+80)])
			}
			noRawKeys(t, email+" GET "+p, r)
			for _, m := range hrefRE.FindAllStringSubmatch(r.Body, -1) {
				u := strings.ReplaceAll(m[1], "&amp;", "&")
				if strings.HasPrefix(u, "/static/") || strings.HasPrefix(u, "/logout") || seen[u] {
					continue
				}
				seen[u] = true
				from[u] = p
				queue = append(queue, u)
			}
		}
	}
	if total < 200 {
		t.Fatalf("only %d pages crawled", total)
	}
	t.Logf("%d pages crawled", total)
}
