package main

import (
	"context"
	"html"
	"regexp"
	"strings"
	"testing"
)

// The people who speak in the demo's ransomware dialogue, and the
// organisations taking part: under the Chatham House Rule none may appear
// beside a contribution, in the summary or in an export.
var (
	ransomwareSpeakers = []string{"Maria Santos", "Agus Santoso", "Olivia Brennan", "Tan Wei Ming", "Bima Prasetyo", "Ayu Pertiwi",
		"Liam Carter", "Grace Ng", "Rina Kurniawati", "Lukas Siregar"}
	ransomwareOrgs = []string{"ASEAN Secretariat", "Ministry of Foreign Affairs of the Republic of Indonesia", "National Cyber and Crypto Agency",
		"Ruang Digital", "Cyber Security Agency of Singapore", "Department of Foreign Affairs and Trade", "Australian Federal Police", "Nusantara University"}
)

var ransomwareLinkRE = regexp.MustCompile(`href="/dialogue/([^"]+)">ASEAN–Australia Track 1\.5 Dialogue on Ransomware<`)

// checkRansomware reads the demo's ransomware dialogue as a participant who
// does not moderate it: every contribution is there, none says who wrote
// it, the hidden one shows the moderator's reason and not its text, the
// rule is on the page, and the summary and the export name nobody.
func checkRansomware(t *testing.T, c *client) {
	t.Helper()
	m := ransomwareLinkRE.FindStringSubmatch(c.get("/dialogue").Body)
	if m == nil {
		t.Fatal("the ransomware dialogue is not in the participant's list")
	}
	id := m[1]
	r := c.get("/dialogue/" + id)
	wantStatus(t, r, 200)
	wantContains(t, r, `class="notice rule rule-chatham_house"`, "Ransomware against hospitals and critical infrastructure",
		"Cooperation between CERTs and law enforcement across borders", `<article class="contribution hidden"`, "It names a participant and their agency")
	i, j := strings.Index(r.Body, `id="contributions"`), strings.Index(r.Body, `id="contribute"`)
	if i < 0 || j < i {
		t.Fatalf("no contributions section:\n%s", r.Body)
	}
	section := r.Body[i:j]
	if n := strings.Count(section, `<article class="contribution`); n != 14 {
		t.Errorf("%d contributions on the page, want 14", n)
	}
	for _, s := range []string{"offline backups that had been restored", html.EscapeString("Agreed on procurement."), "Setuju. Dekriptor yang dibagikan"} {
		if !strings.Contains(section, s) {
			t.Errorf("the page lacks %q", s)
		}
	}
	if strings.Contains(r.Body, "Mr Tan") {
		t.Error("the hidden contribution's text is on a participant's page")
	}
	for _, who := range append(ransomwareSpeakers, ransomwareOrgs...) {
		if strings.Contains(section, html.EscapeString(who)) {
			t.Errorf("the contributions name %q", who)
		}
	}
	sum := c.get("/dialogue/" + id + "/summary")
	wantContains(t, sum, "Rapporteur", "Session 2 — Cooperation between CERTs and law enforcement across borders", "mandatory reporting of ransom payments")
	for _, path := range []string{"/summary.md", "/export.md", "/export.json"} {
		x := c.get("/dialogue/" + id + path)
		wantStatus(t, x, 200)
		for _, who := range append(ransomwareSpeakers, ransomwareOrgs...) {
			if strings.Contains(x.Body, who) {
				t.Errorf("%s names %q", path, who)
			}
		}
		if strings.Contains(x.Body, "Mr Tan") {
			t.Errorf("%s carries the hidden contribution", path)
		}
	}
}

// checkModerator reads the same dialogue as its moderator on the host's
// node: who wrote what is there, and so is the hidden text.
func checkModerator(t *testing.T, c *client) {
	t.Helper()
	m := ransomwareLinkRE.FindStringSubmatch(c.get("/dialogue").Body)
	if m == nil {
		t.Fatal("the ransomware dialogue is not in the moderator's list")
	}
	r := c.get("/dialogue/" + m[1])
	wantContains(t, r, "<strong>Agus Santoso</strong>", "<strong>Olivia Brennan</strong>", "Mr Tan", "The hidden text (moderators only)")
}

// checkRoundtable reads the on-the-record roundtable: names are shown.
func checkRoundtable(t *testing.T, c *client) {
	t.Helper()
	m := regexp.MustCompile(`href="/dialogue/([^"]+)">Public–private roundtable`).FindStringSubmatch(c.get("/dialogue").Body)
	if m == nil {
		t.Fatal("the roundtable is not in the participant's list")
	}
	r := c.get("/dialogue/" + m[1])
	wantContains(t, r, `class="notice rule rule-on_record"`, "<strong>Agus Santoso</strong>", "<strong>Dana Cole</strong>", "<strong>Yusuf Hakim</strong>")
}

// TestDemoDialogue loads the demo's dialogues on a single demo node and reads
// them as a participant, the moderator and a participant of the roundtable.
func TestDemoDialogue(t *testing.T) {
	n, base, pw := demoNode(t)
	if err := demoDialogue(context.Background(), []*node{n}); err != nil {
		t.Fatal(err)
	}
	checkRansomware(t, login(t, base, "weiming@csa-sg.demo", pw))
	checkModerator(t, login(t, base, "maria@asean.demo", pw))
	checkRoundtable(t, login(t, base, "bima@kemlu.demo", pw))
	// An organisation that takes no part does not see the dialogue.
	if ransomwareLinkRE.MatchString(login(t, base, "kenji@mofa-jp.demo", pw).get("/dialogue").Body) {
		t.Error("Japan's MFA, which takes no part, sees the dialogue")
	}
}

// TestDemoDialogueAcrossNodes runs the demo's dialogues on the three nodes of
// the multi-node demo, each carrying its part of the world, peered as the
// demo peers them: participants on Indonesia's and Singapore's nodes read
// the signed copies without attribution; the moderator on the ASEAN node
// sees who wrote what.
func TestDemoDialogueAcrossNodes(t *testing.T) {
	ctx := context.Background()
	const pw = "demo dialogue password"
	nodes := startDemoWorld(t, pw)
	if err := demoDialogue(ctx, nodes); err != nil {
		// What the federation did with the dialogue's envelopes says
		// where a wait timed out.
		for _, n := range nodes {
			var rows []struct {
				Type  string `db:"type"`
				State string `db:"state"`
				Err   string `db:"last_error"`
			}
			_ = n.db.R().Select(ctx, &rows, `SELECT type, state, last_error FROM outbox WHERE type LIKE 'dialogue%'`)
			t.Logf("outbox of %s: %+v", n.baseURL, rows)
		}
		t.Fatal(err)
	}
	id, sg, asean := nodes[0], nodes[1], nodes[2]
	checkRansomware(t, login(t, sg.baseURL, "weiming@csa-sg.demo", pw))
	checkRansomware(t, login(t, id.baseURL, "bima@kemlu.demo", pw))
	checkModerator(t, login(t, asean.baseURL, "maria@asean.demo", pw))
	// The copies held on the participants' nodes carry no author at all.
	for _, n := range []*node{id, sg} {
		var named int
		if err := n.db.R().Get(ctx, &named, `SELECT COUNT(*) FROM dlg_contributions c JOIN dlg_dialogues d ON d.id = c.dialogue_id
			WHERE d.rule = 'chatham_house' AND (c.author_name <> '' OR c.author_org <> '' OR c.author_person <> '')`); err != nil {
			t.Fatal(err)
		}
		if named != 0 {
			t.Errorf("%s holds %d attributed contributions of the Chatham House dialogue", n.baseURL, named)
		}
	}
	// The roundtable is hosted on Indonesia's node; Harbour Cloud spoke
	// from the ASEAN node, and its copy there names everyone.
	checkRoundtable(t, login(t, id.baseURL, "bima@kemlu.demo", pw))
	waitFor(t, "the roundtable's copy on the ASEAN node", func() bool {
		var k int
		_ = asean.db.R().Get(ctx, &k, `SELECT COUNT(*) FROM dlg_contributions WHERE author_name = 'Yusuf Hakim'`)
		return k == 1
	})
	checkRoundtable(t, login(t, asean.baseURL, "dana@harbour.demo", pw))
}
