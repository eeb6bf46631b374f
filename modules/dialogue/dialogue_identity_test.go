package dialogue_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/dialogue"
)

// The paths a person can read a dialogue through.
const (
	pathPage      = "page"
	pathOne       = "contribution page"
	pathSearch    = "search"
	pathSummary   = "summary page"
	pathAPI       = "API"
	pathAPIList   = "API list"
	pathAPIContr  = "API contributions"
	pathAPIExport = "API export"
	pathMarkdown  = "export.md"
	pathJSON      = "export.json"
	pathSummaryMD = "summary.md"
)

// exports are the paths that take the record out of the room.
var exports = []string{pathAPIExport, pathMarkdown, pathJSON, pathSummaryMD}

func dialoguePaths(id, cid, q string) map[string]string {
	return map[string]string{
		pathPage:      "/dialogue/" + id,
		pathOne:       "/dialogue/" + id + "/contributions/" + cid,
		pathSearch:    "/dialogue/search?q=" + url.QueryEscape(q),
		pathSummary:   "/dialogue/" + id + "/summary",
		pathAPI:       "/api/v1/dialogues/" + id,
		pathAPIList:   "/api/v1/dialogues",
		pathAPIContr:  "/api/v1/dialogues/" + id + "/contributions",
		pathAPIExport: "/api/v1/dialogues/" + id + "/export",
		pathMarkdown:  "/dialogue/" + id + "/export.md",
		pathJSON:      "/dialogue/" + id + "/export.json",
		pathSummaryMD: "/dialogue/" + id + "/summary.md",
	}
}

// attributed is the part of an answer where an author could be named:
// everything but the page's participant list (which participants may see
// under every rule) and the dialogue document itself.
func attributed(path, body string) string {
	switch path {
	case pathPage:
		if i := strings.Index(body, `<h2 id="contributions">`); i >= 0 {
			return body[i:]
		}
		return body
	case pathAPI:
		return ""
	}
	return body
}

func containsAny(s string, needles ...string) string {
	for _, n := range needles {
		if n != "" && strings.Contains(s, n) {
			return n
		}
	}
	return ""
}

// identityCase is one dialogue of the matrix: what its contributor wrote,
// and what the rapporteur published.
type identityCase struct {
	rule    dialogue.Rule
	d       *dialogue.Dialogue
	cid     string // the contribution's id
	token   string // a word only the contribution has, to search for
	phrase  string // the words around it, which a search box does not echo
	body    string
	summary string
	person  []string // who wrote it, as anyone could spell it
	org     []string // the organisation they wrote for
	digest  map[string][]notify.Message
}

// openCase runs one dialogue under rule: the author on id contributes, the
// rapporteur on au publishes a summary, and every node runs its digest.
func openCase(t *testing.T, w *dlgWorld, rule dialogue.Rule) *identityCase {
	t.Helper()
	c := &identityCase{rule: rule, token: "kestrel" + strings.ReplaceAll(string(rule), "_", ""), person: []string{authorName, "Kusumawardani"},
		org: []string{kemluName, "kemlu@" + w.ID.Host, `"kemlu"`}, digest: map[string][]notify.Message{}}
	c.phrase = "stolen VPN credentials (" + c.token + ")"
	c.body = "Affiliates reused " + c.phrase + " against three hospitals."
	c.summary = "Tested offline backups mattered more than any decision to pay (" + c.token + " summary)."
	c.d = w.Open(t, rule)
	dlgMust(t, "contribute", w.ID.Svc.Contribute(w.P[pAuthor].Ctx, c.d.ID, dialogue.ContributionInput{Body: c.body}))
	for _, who := range []string{pModerator, pColleague, pAU} {
		c.cid = w.WaitFor(t, who, c.d.ID, c.body, func(dialogue.Contribution) bool { return true }).ID
	}
	dlgMust(t, "summary", w.AU.Svc.SaveSummary(w.P[pRapporteur].Ctx, c.d.ID, dialogue.SummaryInput{Text: c.summary, Publish: true}))
	w.WaitDoc(t, c.d.ID, func(d *dialogue.Dialogue) bool { return d.Summary.Status == dialogue.SummaryPublished }, w.Nodes()...)
	for _, n := range w.Nodes() {
		for _, m := range n.RunJob(t, "dialogue.digest") {
			if strings.Contains(m.Body, "/dialogue/"+c.d.ID) {
				c.digest[n.Name] = append(c.digest[n.Name], m)
			}
		}
		if len(c.digest[n.Name]) == 0 {
			t.Fatalf("%s: no digest of the %s dialogue", n.Name, rule)
		}
	}
	return c
}

// TestDialogueIdentityMatrix: under the Chatham House Rule who wrote a
// contribution, and for whom, is on no path but the host's moderators'
// views — tried as participants on the host's node, on the author's and on
// a third, the moderator, outsiders on the host's and a peer's node, and
// node administrators; through pages, the API, exports, the summary,
// search, digests, and the peers' rows, signed copies and (opened)
// envelopes. The same flow on the record names the author to
// participants; off the record names them inside, refuses every export
// and digests carry no text.
func TestDialogueIdentityMatrix(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newDlgWorld(t, e)
		for _, rule := range dialogue.Rules {
			t.Run(string(rule), func(t *testing.T) {
				c := openCase(t, w, rule)
				checkPaths(t, w, c)
				checkDigests(t, w, c)
				checkPeerRows(t, w, c)
			})
		}
	})
}

// checkPaths reads every path as every kind of person.
func checkPaths(t *testing.T, w *dlgWorld, c *identityCase) {
	paths := dialoguePaths(c.d.ID, c.cid, c.token)
	participants := []string{pHostMember, pColleague, pAU, pRapporteur}
	strangers := []string{pHostOut, pIDOut, pHostAdmin, pIDAdmin, pAUAdmin}
	for _, who := range append(append(participants, pModerator), strangers...) {
		p := w.P[who]
		stranger := slices.Contains(strangers, who)
		for name, path := range paths {
			r := p.Get(t, path, map[bool]string{true: "application/json", false: ""}[strings.HasPrefix(path, "/api/")])
			want := http.StatusOK
			switch {
			case stranger && name != pathSearch && name != pathAPIList:
				want = http.StatusNotFound
			case !stranger && !c.rule.Exportable() && containsAny(name, exports...) == name:
				want = http.StatusForbidden
			}
			if r.Status != want {
				t.Errorf("%s %s (%s): status %d, want %d", who, name, path, r.Status, want)
				continue
			}
			// Nobody outside learns anything, not even that it exists.
			if stranger {
				// (A 404 page may repeat the address asked for, id and all.)
				if k := containsAny(r.Body, c.phrase, c.d.Title, authorName, c.summary); k != "" {
					t.Errorf("%s %s shows %q", who, name, k)
				}
				if k := containsAny(r.Body, c.d.ID); k != "" && r.Status == http.StatusOK {
					t.Errorf("%s %s shows %q", who, name, k)
				}
				continue
			}
			if r.Status != http.StatusOK {
				continue
			}
			checkAnswer(t, c, who, name, r.Body)
		}
	}
}

// checkAnswer checks what a participant or moderator got from one path.
func checkAnswer(t *testing.T, c *identityCase, who, name, body string) {
	t.Helper()
	moderator := who == pModerator
	export := containsAny(name, exports...) == name
	switch {
	case c.rule.Anonymous() && moderator && (name == pathPage || name == pathOne || name == pathAPIContr):
		// The one place the rule lets someone see it: for moderation.
		if containsAny(body, c.person...) == "" {
			t.Errorf("%s %s: the moderator does not see who wrote it", who, name)
		}
	case c.rule.Anonymous():
		if k := containsAny(body, c.person...); k != "" {
			t.Errorf("%s %s names the author: %q", who, name, k)
		}
		if k := containsAny(attributed(name, body), c.org...); k != "" {
			t.Errorf("%s %s names the author's organisation: %q", who, name, k)
		}
	case name == pathPage || name == pathOne || name == pathAPIContr || (export && name != pathSummaryMD):
		if containsAny(body, c.person...) == "" {
			t.Errorf("%s %s under %s does not name the author", who, name, c.rule)
		}
	}
	if name == pathSearch && containsAny(body, c.person...) != "" {
		t.Errorf("%s %s: a search hit names its author", who, name)
	}
	// What each path is for is there: the text, the summary, the hit.
	var wants []string
	switch name {
	case pathPage, pathOne, pathAPIContr, pathMarkdown, pathJSON, pathAPIExport, pathSearch:
		wants = []string{c.phrase}
	case pathSummary, pathSummaryMD:
		wants = []string{c.token + " summary"}
	case pathAPIList:
		wants = []string{c.d.ID}
	}
	for _, x := range wants {
		if !strings.Contains(body, x) {
			t.Errorf("%s %s lacks %q", who, name, x)
		}
	}
}

// checkDigests reads the e-mail every node sent of the dialogue.
func checkDigests(t *testing.T, w *dlgWorld, c *identityCase) {
	for _, n := range w.Nodes() {
		for _, m := range c.digest[n.Name] {
			text := m.Subject + "\n" + m.Body
			switch {
			case !c.rule.Exportable():
				if k := containsAny(text, append([]string{c.token}, c.person...)...); k != "" {
					t.Errorf("%s: an off-the-record digest to %s quotes %q", n.Name, m.To, k)
				}
			case c.rule.Anonymous():
				if k := containsAny(text, append(c.person, c.org...)...); k != "" {
					t.Errorf("%s: a digest to %s names %q", n.Name, m.To, k)
				}
				if !strings.Contains(text, c.token) {
					t.Errorf("%s: the digest to %s does not quote the contribution", n.Name, m.To)
				}
			default:
				if !strings.Contains(text, authorName) || !strings.Contains(text, c.token) {
					t.Errorf("%s: the on-the-record digest to %s does not quote by name:\n%s", n.Name, m.To, text)
				}
			}
		}
	}
}

// checkPeerRows reads what the other nodes store: their rows, the signed
// copies, and the envelopes they received, opened with their keys.
func checkPeerRows(t *testing.T, w *dlgWorld, c *identityCase) {
	ctx := context.Background()
	for _, n := range []*dnode{w.ID, w.AU} {
		var rows []struct {
			Name   string `db:"author_name"`
			Org    string `db:"author_org"`
			Person string `db:"author_person"`
			Body   string `db:"body"`
			Act    string `db:"act_id"`
		}
		dlgMust(t, "rows", n.DB.R().Select(ctx, &rows, `SELECT author_name, author_org, author_person, body, act_id FROM dlg_contributions WHERE dialogue_id = ?`, c.d.ID))
		if len(rows) == 0 {
			t.Fatalf("%s holds no contributions", n.Name)
		}
		for _, r := range rows {
			named := r.Name != "" || r.Org != ""
			if r.Person != "" || named == c.rule.Anonymous() {
				t.Errorf("%s stores the author of %q under %s as %q %q %q", n.Name, r.Body, c.rule, r.Name, r.Org, r.Person)
			}
			// The id of the act is for the author's node to know its own
			// (its time would tell anyone else the node it came from).
			if (r.Act != "") != (n == w.ID) {
				t.Errorf("%s holds the act id %q of %q", n.Name, r.Act, r.Body)
			}
		}
		if !c.rule.Anonymous() {
			continue
		}
		var stored []string
		dlgMust(t, "stored", n.DB.R().Select(ctx, &stored, `SELECT doc || signed FROM dlg_dialogues WHERE id = ?
			UNION ALL SELECT body || session_id || parent_id || reason || act_id FROM dlg_contributions WHERE dialogue_id = ?
			UNION ALL SELECT addr FROM dlg_parties WHERE dialogue_id = ? UNION ALL SELECT payload FROM jobs`, c.d.ID, c.d.ID, c.d.ID))
		for _, s := range stored {
			if k := containsAny(s, c.person...); k != "" {
				t.Errorf("%s stores %q", n.Name, k)
			}
		}
		// The envelopes as received, opened: the copies say what was
		// written (so a name would be found) and never who wrote it.
		var bodies [][]byte
		dlgMust(t, "inbox", n.DB.R().Select(ctx, &bodies, `SELECT body FROM inbox WHERE type LIKE 'dialogue.%'`))
		quoted := false
		for _, b := range bodies {
			env, err := federation.DecodeEnvelope(b)
			dlgMust(t, "decode", err)
			payload, err := env.Open(n.Keys.HPKE)
			dlgMust(t, "open", err)
			var st struct{ Statement string }
			dlgMust(t, "payload", json.Unmarshal(payload, &st))
			if k := containsAny(st.Statement, c.person...); k != "" {
				t.Errorf("%s received an envelope naming %q", n.Name, k)
			}
			if k := containsAny(st.Statement, `"author_org"`, `"person"`); k != "" {
				t.Errorf("%s received an envelope with %s", n.Name, k)
			}
			quoted = quoted || strings.Contains(st.Statement, c.token)
		}
		if !quoted {
			t.Errorf("%s received no envelope with the contribution", n.Name)
		}
	}
}
