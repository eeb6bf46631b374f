package main

import (
	"io"
	"net/http"
	"testing"
)

// benchPage measures one page over real HTTP on loopback, gzip included.
func benchPage(b *testing.B, path string, signedIn bool) {
	_, base, pw := demoNodeTB(b)
	c := newClient(b, base)
	if signedIn {
		c = login(b, base, roleLogins["org-admin"], pw)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("Accept-Encoding", "gzip")
		res, err := c.http.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			b.Fatalf("status %d", res.StatusCode)
		}
	}
}

func BenchmarkLoginPage(b *testing.B)   { benchPage(b, "/login", false) }
func BenchmarkHomePage(b *testing.B)    { benchPage(b, "/", true) }
func BenchmarkOrgListPage(b *testing.B) { benchPage(b, "/orgs", true) }
func BenchmarkAPIOrgList(b *testing.B)  { benchPage(b, "/api/v1/organisations", true) }
