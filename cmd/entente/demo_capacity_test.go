package main

import (
	"context"
	"html"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestDemoCapacityAcrossNodes runs the demo's Clearing House on the three
// nodes of the multi-node demo: Timor-Leste's need is matched on the ASEAN
// node as before, and DFAT's proposal for BSSN's need crossed from the
// ASEAN node to Indonesia's, where it waits under BSSN's "Needs your
// attention" with Accept and Decline; on DFAT's node it awaits the
// decision.
func TestDemoCapacityAcrossNodes(t *testing.T) {
	const pw = "demo capacity password"
	nodes := startDemoWorld(t, pw)
	if err := demoCapacity(context.Background(), nodes); err != nil {
		t.Fatal(err)
	}
	id, asean := nodes[0], nodes[2]
	const (
		need  = "Sector CSIRTs for Indonesia's critical infrastructure"
		offer = "Cyber and Critical Technology Cooperation: CSIRT development"
	)
	donor := "dfat-au@" + asean.fed.Host()
	agus := login(t, id.baseURL, "agus@bssn.demo", pw)
	// Agus reads in Bahasa Indonesia; the checks read English.
	wantStatus(t, agus.post("/lang", url.Values{"lang": {"en"}, "next": {"/"}}), 303)
	home := agus.get("/")
	m := regexp.MustCompile(`<ul class="attention">(?s:.*?)href="/capacity/needs/([^"#]+)#proposals"`).FindStringSubmatch(home.Body)
	if m == nil {
		t.Fatalf("no need under BSSN's Needs your attention:\n%s", home.Body)
	}
	wantContains(t, home, html.EscapeString("“"+offer+"” from "+donor+", for the need “"+need+"”"))
	path := "/capacity/needs/" + m[1]
	r := agus.get(path)
	wantContains(t, r, html.EscapeString(need), "Our CSIRT advisers can work with BSSN", `name="decision" value="accept"`, `name="decision" value="decline"`,
		"Received from "+asean.fed.Host())

	olivia := login(t, asean.baseURL, "olivia@dfat-au.demo", pw)
	r = olivia.get(path)
	wantContains(t, r, html.EscapeString(need), "on the node "+id.fed.Host(), html.EscapeString("awaiting the state's decision"), "Sent to "+id.fed.Host())
	// Timor-Leste's need, on the ASEAN node, is still matched with DFAT's
	// offer into a project.
	ana := login(t, asean.baseURL, "ana@mnec-tl.demo", pw)
	wantContains(t, ana.get("/capacity/needs"), "A national CSIRT for Timor-Leste", "Matched")
	if strings.Contains(ana.get("/").Body, "An offer waits for your decision") {
		t.Error("Timor-Leste's ministry has a proposal waiting: the demo accepted DFAT's")
	}
}
