package main

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// rawKeyRE finds a message key that reached a page untranslated.
var rawKeyRE = regexp.MustCompile(`\berr\.[a-z][a-z0-9_.]*`)

func noRawKeys(t *testing.T, what string, r response) {
	t.Helper()
	if m := rawKeyRE.FindAllString(r.Body, -1); m != nil {
		t.Errorf("%s shows untranslated keys %v", what, m)
	}
}

// TestAddressBookAcrossNodes: on a node with a verified peer, the "to" field
// offers the peer's organisation by name and address, /orgs lists it with
// its node, and the address book is searchable without JavaScript and by the
// API. A list of addresses with one bad entry says which, in the person's
// language, and sends nothing; a peer's later refusal shows on the message in
// words.
func TestAddressBookAcrossNodes(t *testing.T) {
	a := startFederated(t, "", "kemlu", "ID", "Ministry of Foreign Affairs of Indonesia")
	b := startFederated(t, "", "csa-sg", "SG", "Cyber Security Agency of Singapore")
	peer(t, a, b)
	addr := "csa-sg@" + b.host

	option := `<option value="` + addr + `">Cyber Security Agency of Singapore · ` + addr + `</option>`
	waitFor(t, "b's organisation in a's new-message form", func() bool {
		return strings.Contains(a.officer.get("/mail/new").Body, option)
	})
	r := a.officer.get("/mail/new")
	wantContains(t, r, `list="recipients"`, `<datalist id="recipients">`, `<option value="kemlu@`+a.host+`">`, `href="/addresses"`, "csa-sg@127.0.0.1:8081 in the demo")

	r = a.officer.get("/orgs")
	wantContains(t, r, "On peer nodes", "<code>"+addr+"</code>", "<td>"+b.host+"</td>", "Cyber Security Agency of Singapore")

	r = a.officer.get("/addresses?q=singapore")
	wantStatus(t, r, 200)
	wantContains(t, r, "<code>"+addr+"</code>", `href="/mail/new?to=`+url.QueryEscape(addr)+`"`)
	if strings.Contains(r.Body, "<code>kemlu@") {
		t.Error("the search shows an organisation that does not match")
	}
	r = a.officer.api("GET", "/api/v1/addresses?q=singapore", "", nil)
	wantStatus(t, r, 200)
	list := decode[struct {
		Items []struct {
			Address string `json:"address"`
			Host    string `json:"host"`
			Local   bool   `json:"local"`
		} `json:"items"`
	}](t, r)
	if len(list.Items) != 1 || list.Items[0].Address != addr || list.Items[0].Host != b.host || list.Items[0].Local {
		t.Errorf("the API's address book: %+v", list.Items)
	}

	// In Indonesian: the bad entry among several is named, and nothing is sent.
	wantStatus(t, a.officer.post("/lang", url.Values{"lang": {"id"}, "next": {"/"}}), 303)
	for bad, want := range map[string]string{
		"nosuch@" + b.host: "nosuch@" + b.host + ": direktori simpul tersebut tidak memuat organisasi itu.",
		"nosuch":           "nosuch@" + a.host + ": tidak ada organisasi tersebut di simpul ini.",
		"x@192.0.2.1:9":    "x@192.0.2.1:9: simpul tersebut bukan mitra terverifikasi",
	} {
		r = a.officer.post("/mail", url.Values{"from": {"kemlu"}, "to": {addr + ", " + bad}, "subject": {"Satu alamat salah"}, "body": {"Isi"}, "tlp": {"GREEN"}})
		wantStatus(t, r, 422)
		wantContains(t, r, want)
		noRawKeys(t, "the new-message form with "+bad, r)
	}
	if strings.Contains(a.officer.get("/mail/sent").Body, "Satu alamat salah") {
		t.Error("a message with a bad address was sent")
	}

	// b refuses a TLP:RED message naming nobody there; a shows why, in words.
	r = a.officer.post("/mail", url.Values{"from": {"kemlu"}, "to": {addr}, "subject": {"Merah"}, "body": {"Hanya untuk yang disebut."}, "tlp": {"RED"}, "named": {"nobody@csa-sg.test"}})
	wantStatus(t, r, 303)
	msg := r.Header.Get("Location")
	waitFor(t, "b's refusal on a's message page", func() bool {
		return strings.Contains(a.officer.get(msg).Body, "Ditolak oleh "+b.host+": Orang yang disebut tidak berada di organisasi penerima.")
	})
	for _, p := range []string{msg, "/mail/new", "/orgs", "/addresses", "/admin/peers"} {
		c := a.officer
		if p == "/admin/peers" {
			c = a.admin
		}
		noRawKeys(t, p, c.get(p))
	}
}
