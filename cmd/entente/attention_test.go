package main

import (
	"mime"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// signIn returns a client signed in as a demo account.
func signIn(t *testing.T, n *testNode, email, password string) *client {
	t.Helper()
	c := newClient(t, n.URL)
	wantStatus(t, c.post("/login", url.Values{"email": {email}, "password": {password}}), 303)
	return c
}

// attention returns the text of the home page's "needs your attention"
// section, tags stripped, so an item for another section cannot count.
func attention(t *testing.T, c *client) string {
	t.Helper()
	r := c.get("/")
	wantStatus(t, r, 200)
	i := strings.Index(r.Body, `id="attn"`)
	j := strings.Index(r.Body, `id="mine"`)
	if i < 0 || j < i {
		t.Fatalf("no attention section on the home page:\n%s", r.Body)
	}
	text := regexp.MustCompile(`<[^>]*>`).ReplaceAllString(r.Body[i:j], " ")
	return strings.Join(strings.Fields(strings.ReplaceAll(text, "&#39;", "'")), " ")
}

// TestAttentionForEachRole signs in as each demo role and reads what the home
// page says waits on them: what their roles make theirs, and nothing of
// anyone else's. The demo world is topped up with what it lacks: a report
// submitted for approval, a communication check under way, a message whose
// sender asks for an acknowledgment.
func TestAttentionForEachRole(t *testing.T) {
	n := startNode(t, "", "", "--demo")
	m := regexp.MustCompile(`\n  (demo-[a-z0-9]+)\n`).FindStringSubmatch(n.Stdout.String())
	if m == nil {
		t.Fatalf("demo output:\n%s", n.Stdout)
	}
	pw := m[1]
	as := func(email string) *client { return signIn(t, n, email, pw) }

	// A drafter submits a report: it waits on Indonesia's focal point.
	dewi := as("dewi@kemlu.demo")
	rep := decode[struct{ ID string }](t, dewi.api("POST", "/api/v1/reports", "", map[string]string{"organisation": "kemlu", "title": "Attention test report", "audience": "public"}))
	wantStatus(t, dewi.api("POST", "/api/v1/reports/"+rep.ID+"/transitions", "", map[string]string{"action": "submit"}), 200)
	// The UN directory's secretariat starts a communication check.
	elena := as("elena@unoda.demo")
	nets := decode[struct{ Items []struct{ ID, Slug string } }](t, elena.get("/api/v1/networks")).Items
	// Indonesia's focal point nominates a deputy: it waits on the secretariat.
	sari := as("sari@kemlu.demo")
	for _, nw := range nets {
		if nw.Slug == "un-poc" {
			wantStatus(t, elena.api("POST", "/api/v1/networks/"+nw.ID+"/pings", "", map[string]any{}), 201)
			wantStatus(t, sari.api("POST", "/api/v1/networks/"+nw.ID+"/nominations", "", map[string]any{"member": "kemlu", "category": "diplomatic", "deputy": true,
				"person_id": personID(t, sari, "kemlu", "bima@kemlu.demo"), "phone": "+62 811 000 0101", "hours": "24/7"}), 201)
		}
	}
	// Singapore asks the Indonesian CSIRT to acknowledge a message.
	weiming := as("weiming@csa-sg.demo")
	wantStatus(t, weiming.api("POST", "/api/v1/messages", "", map[string]any{"from": "csa-sg", "to": []string{"bssn"}, "subject": "Indicators for the port incident",
		"body": "Please confirm receipt.", "tlp": "AMBER", "acknowledge_by": time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)}), 201)

	const (
		silenceText = "Terms of reference of the ASEAN cyber points-of-contact check"
		draft       = "Draft ASEAN Leaders' Statement"
		request     = "Permintaan informasi: rencana latihan siber ASEAN 2027"
	)
	for _, tc := range []struct {
		role, email string
		must        []string
		mustNot     []string
	}{
		{"focal point", "sari@kemlu.demo",
			[]string{"Laporan nasional “Attention test report” menunggu persetujuan Anda", "“" + silenceText + "” dalam prosedur diam: ajukan keberatan", "(tenggat:", "Permintaan “" + request + "”", "Uji komunikasi Direktori Global", "Orang yang diundang dan belum menetapkan kata sandi: 1"},
			[]string{"Indicators for the port incident", "Amandemen", "Amendments"}},
		{"officer", "bima@kemlu.demo",
			[]string{"“" + silenceText + "” dalam prosedur diam", "Permintaan “" + request + "”", "Uji komunikasi Direktori Global"},
			[]string{"Attention test report", "Indicators for the port incident", "Amandemen", "orang yang diundang"}},
		// A deputy for the technical contact acknowledges a check, but an
		// analyst neither answers requests nor objects at the table.
		{"analyst (deputy)", "dewi@kemlu.demo",
			[]string{"Communication check of UN Global"},
			[]string{"Attention test report", "under silence", "waits for your answer", "Indicators"}},
		{"chair", "nurul@kln-my.demo",
			[]string{"Amendments to decide on “" + draft, "“" + silenceText + "” is under silence (deadline:"},
			[]string{"Attention test report", "Indicators", "waits for your answer"}},
		{"negotiation secretariat", "maria@asean.demo",
			[]string{"Amendments to decide on “" + draft},
			[]string{"Attention test report", "Indicators", "Communication check"}},
		{"POC secretariat", "elena@unoda.demo",
			[]string{"Nominations waiting for your decision in UN Global Intergovernmental Points of Contact Directory: 1",
				"Communication check of UN Global Intergovernmental Points of Contact Directory running: 0 of"},
			[]string{"Amendments", "under silence", "Attention test report", "Indicators", "acknowledge it", "waits for your answer"}},
		{"CERT analyst", "rina@bssn.demo",
			[]string{"Akui “Indicators for the port incident” dari csa-sg@", "(tenggat:"},
			[]string{"Laporan nasional", "prosedur diam", "Permintaan", "Uji komunikasi", "Amandemen"}},
		{"stakeholder", "ayu@ruangdigital.demo",
			nil,
			[]string{"prosedur diam", "Amandemen", "Laporan nasional", "Akui", "Permintaan"}},
		{"observer", "somchai@asean.demo",
			nil,
			[]string{"under silence", "Amendments", "Acknowledge", "Request"}},
		{"node administrator", "admin@node.demo",
			[]string{"People invited who have not set their password yet: 1", "Turn on two-factor authentication"},
			[]string{"Amendments", "under silence", "Attention test report", "Acknowledge", "Request", "Communication check"}},
	} {
		t.Run(tc.role, func(t *testing.T) {
			got := attention(t, as(tc.email))
			for _, s := range tc.must {
				if !strings.Contains(got, s) {
					t.Errorf("%s does not see %q:\n%s", tc.email, s, got)
				}
			}
			for _, s := range tc.mustNot {
				if strings.Contains(got, s) {
					t.Errorf("%s sees %q:\n%s", tc.email, s, got)
				}
			}
			if strings.Contains(got, "%!") || strings.Contains(got, "attn.") {
				t.Errorf("%s: a message did not render:\n%s", tc.email, got)
			}
		})
	}

	// The focal point hears of the report out of hours too, in her
	// language; and no e-mail of the whole demo is garbled.
	dir := filepath.Join(n.Data, "mail")
	waitFor(t, "the approval e-mail", func() bool {
		return len(mailsTo(t, dir, "sari@kemlu.demo", "Laporan nasional menunggu persetujuan Anda: Attention test report")) > 0
	})
	waitFor(t, "the communication check's e-mail to its nominee", func() bool {
		return len(mailsTo(t, dir, "bima@kemlu.demo", "Uji komunikasi")) > 1
	})
	// The demo's amendments reached the chair; its silence the people
	// of each delegation who may object, and nobody else.
	for _, c := range []struct {
		to, subject string
		want        bool
	}{
		{"nurul@kln-my.demo", "New amendment to " + draft, true},
		{"maria@asean.demo", "New amendment to", false},
		{"sari@kemlu.demo", "Dalam prosedur diam hingga", true},
		{"bima@kemlu.demo", "Dalam prosedur diam hingga", true},
		{"weiming@csa-sg.demo", "Under silence until", true},
		{"dewi@kemlu.demo", "Under silence until", false},
		{"ayu@ruangdigital.demo", "Dalam prosedur diam", false},
		{"bima@kemlu.demo", "Laporan nasional", false},
		{"elena@unoda.demo", "A nomination waits for your decision: UN Global", true},
		// The network's name in the reader's language.
		{"bima@kemlu.demo", "Uji komunikasi: Direktori Global", true},
	} {
		if got := len(mailsTo(t, dir, c.to, c.subject)) > 0; got != c.want {
			t.Errorf("e-mail to %s about %q: %v, want %v", c.to, c.subject, got, c.want)
		}
	}
	// Indonesia objects: the silence is broken and the chair hears why.
	neg := decode[[]struct{ ID string }](t, sari.api("GET", "/api/v1/negotiation", "", nil))
	if len(neg) != 1 {
		t.Fatalf("negotiations: %+v", neg)
	}
	tor := decode[struct{ Silences []struct{ ID, State string } }](t, sari.api("GET", "/api/v1/negotiation/"+neg[0].ID+"/texts/t2", "", nil))
	if len(tor.Silences) == 0 || tor.Silences[len(tor.Silences)-1].State != "running" {
		t.Fatalf("no silence running on t2: %+v", tor)
	}
	wantStatus(t, sari.api("POST", "/api/v1/negotiation/"+neg[0].ID+"/acts", "", map[string]string{"kind": "object", "text": "t2",
		"silence": tor.Silences[len(tor.Silences)-1].ID, "reason": "Forty-eight hours is too short for capitals."}), 202)
	waitFor(t, "the objection's e-mail to the chair", func() bool {
		ms := mailsTo(t, dir, "nurul@kln-my.demo", "Silence broken on "+silenceText)
		return len(ms) == 1 && strings.Contains(ms[0], "Forty-eight hours is too short for capitals.")
	})
	if got := attention(t, as("nurul@kln-my.demo")); strings.Contains(got, "is under silence") {
		t.Errorf("a broken silence still listed for the chair:\n%s", got)
	}

	files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	if len(files) < 20 {
		t.Fatalf("only %d e-mails", len(files))
	}
	residue := regexp.MustCompile(`%!|%[sdv]\b|\{[a-z_]+\}|\(MISSING\)`)
	link := regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(n.URL) + `/\S+\r?$`)
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if m := residue.Find(b); m != nil {
			t.Errorf("%s has %q left over:\n%s", filepath.Base(f), m, b)
		}
		if !link.Match(b) {
			t.Errorf("%s has no absolute link on a line of its own:\n%s", filepath.Base(f), b)
		}
	}
}

// mailsTo returns the e-mails in dir to an address whose subject starts
// with subject.
func mailsTo(t *testing.T, dir, to, subject string) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.eml"))
	var out []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		if strings.Contains(s, "\r\nTo: "+to+"\r\n") && strings.Contains(decodeSubject(s), subject) {
			out = append(out, s)
		}
	}
	return out
}

// decodeSubject returns an e-mail's subject, which may be Q-encoded.
func decodeSubject(eml string) string {
	_, rest, _ := strings.Cut(eml, "\r\nSubject: ")
	line, _, _ := strings.Cut(rest, "\r\n")
	if d, err := new(mime.WordDecoder).DecodeHeader(line); err == nil {
		return d
	}
	return line
}

// TestAttentionIntelSubscriptionFailing: a subscription whose pull failed
// waits on the node's administrators, not on the organisation's officers.
func TestAttentionIntelSubscriptionFailing(t *testing.T) {
	a := startFederated(t, "", "cert", "ID", "National CERT")
	b := startFederated(t, "", "bank", "ID", "Bank CSIRT")
	peer(t, a, b)
	r := b.admin.api("POST", "/api/v1/intel/collections", "", map[string]any{"alias": "from-cert", "title": "From the national CERT", "default_tlp": "AMBER"})
	wantStatus(t, r, 201)
	r = b.admin.api("POST", "/api/v1/intel/subscriptions", "", map[string]any{"peer": a.host, "remote_collection": "no-such-collection", "collection": decode[struct{ ID string }](t, r).ID, "org": "bank@" + b.host})
	wantStatus(t, r, 201)
	const item = "Pulling the collection “no-such-collection” from "
	if got := attention(t, b.admin); strings.Contains(got, item) {
		t.Fatalf("listed before any pull:\n%s", got)
	}
	sub := decode[struct{ ID string }](t, r).ID
	if r := b.admin.api("POST", "/api/v1/intel/subscriptions/"+sub+"/sync", "", nil); r.StatusCode < 400 {
		t.Fatalf("a pull of a collection the peer lacks succeeded: %d %s", r.StatusCode, r.Body)
	}
	if got := attention(t, b.admin); !strings.Contains(got, item+a.host+" failed") {
		t.Errorf("the administrator does not see the failing subscription:\n%s", got)
	}
	if got := attention(t, b.officer); strings.Contains(got, item) {
		t.Errorf("an officer sees the node's subscriptions:\n%s", got)
	}
}
