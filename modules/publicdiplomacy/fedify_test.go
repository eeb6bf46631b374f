package publicdiplomacy_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/publicdiplomacy"
)

// TestFedifyPeer has an independent, maintained ActivityPub server judge
// the node: Fedify (the framework under Ghost's and Hollo's federation),
// run from scripts/fedify-peer on loopback. Fedify finds the account by
// WebFinger and follows it, verifies the signature on everything the node
// delivers (an Accept, two Notes, an answer, an Update, a Delete) and
// parses each document with its own vocabulary; the node verifies
// Fedify's signed Follow, reply and Like. SQLite only: the database is
// not what is under test.
func TestFedifyPeer(t *testing.T) {
	e := storetest.Engines(t)[0]
	n := newNode(t, e)
	n.Org(t, "kemlu", core.OrgStateMinistry, "ID", "Ministry of Foreign Affairs")
	kemlu := n.Account(t, "kemlu", "kemlu")
	bima, sari := n.As("Bima", "kemlu", core.RoleOfficer), n.As("Sari", "kemlu", core.RoleAdmin)
	peer := startFedify(t)

	// Fedify follows by WebFinger; the node accepts and Fedify takes the
	// Accept as the answer to its Follow.
	peer.call(t, "follow", url.Values{"acct": {"kemlu@" + n.Host}})
	peer.await(t, n, "the Accept", func(s fedifyState) bool { return s.FollowAccepted })
	if acc, _ := n.Svc.Account(context.Background(), kemlu.ID); acc.Followers != 1 {
		t.Fatalf("kemlu has %d followers after Fedify's follow", acc.Followers)
	}

	// A bilingual post reaches Fedify as two Notes.
	g := n.Publish(t, "kemlu", kemlu, nil,
		publicdiplomacy.Translation{Language: "en", Content: "Indonesia welcomes the ASEAN cyber norms roadmap. #ASEAN"},
		publicdiplomacy.Translation{Language: "id", Content: "Indonesia menyambut peta jalan norma siber ASEAN. #ASEAN"})
	var en publicdiplomacy.Post
	for _, p := range g {
		if p.Language == "en" {
			en = p
		}
	}
	enURI := n.Svc.PostURL(kemlu.Username, en.ID)
	s := peer.await(t, n, "both Notes", func(s fedifyState) bool { return len(s.Notes) >= 2 })
	langs := map[string]string{}
	for _, note := range s.Notes {
		if note.AttributedTo != n.Svc.ActorURL(kemlu.Username) {
			t.Errorf("Fedify read the Note %s as by %q", note.ID, note.AttributedTo)
		}
		// Fedify takes the language from contentMap, as Mastodon does.
		switch {
		case note.ID == enURI && strings.Contains(note.Content, "ASEAN cyber norms roadmap"):
			langs["en"] = note.Language
		case note.ID != enURI && strings.Contains(note.Content, "menyambut peta jalan"):
			langs["id"] = note.Language
		}
	}
	if langs["en"] != "en" || langs["id"] != "id" {
		t.Fatalf("Fedify received %+v", s.Notes)
	}

	// Fedify replies to the English Note, mentioning kemlu as Mastodon
	// does; the reply lands in web-care with its author's handle.
	peer.call(t, "reply", url.Values{"to": {enURI}, "text": {"Will the roadmap cover critical infrastructure?"}})
	q, err := n.Svc.Queue(bima, publicdiplomacy.QueueFilter{})
	if err != nil || len(q) != 1 {
		t.Fatalf("web-care queue after Fedify's reply: %+v (%v)", q, err)
	}
	peerHost := strings.TrimPrefix(peer.url, "http://")
	if !strings.Contains(q[0].Text, "critical infrastructure") || q[0].ActorHandle != "reader@"+peerHost || q[0].ReplyToPost != en.ID {
		t.Fatalf("Fedify's reply arrived as %+v", q[0])
	}

	// The answer goes back and Fedify takes it as a reply to its Note.
	if _, err := n.Svc.Answer(bima, q[0].ID, publicdiplomacy.Translation{Language: "en", Content: "Yes, it does."}); err != nil {
		t.Fatal(err)
	}
	s = peer.await(t, n, "the answer", func(s fedifyState) bool { return len(s.Notes) >= 3 })
	answer := s.Notes[2]
	if !strings.Contains(answer.Content, "Yes, it does.") || answer.InReplyTo != q[0].URI || len(answer.Mentions) != 1 || answer.Mentions[0] != q[0].Actor {
		t.Fatalf("Fedify received the answer as %+v (its reply is %s)", answer, q[0].URI)
	}

	// A like counts on the post.
	peer.call(t, "like", url.Values{"object": {enURI}})
	if p, err := n.Svc.Post(bima, en.ID); err != nil || p.Likes != 1 {
		t.Fatalf("the post's likes after Fedify's Like: %+v (%v)", p.Likes, err)
	}

	// A correction, approved by a second person, reaches Fedify as an
	// Update; a deletion as a Delete.
	if _, err := n.Svc.EditPublished(sari, en.ID, 0, publicdiplomacy.Translation{Content: "Indonesia welcomes the ASEAN cyber norms roadmap, adopted today. #ASEAN"}); err != nil {
		t.Fatal(err)
	}
	if _, err := n.Svc.ApproveCorrection(bima, en.ID, 0); err != nil {
		t.Fatal(err)
	}
	s = peer.await(t, n, "the Update", func(s fedifyState) bool { return len(s.Updates) >= 1 })
	if s.Updates[0].ID != enURI || !strings.Contains(s.Updates[0].Content, "adopted today") {
		t.Fatalf("Fedify received the Update as %+v", s.Updates)
	}
	if err := n.Svc.DeletePost(sari, en.ID); err != nil {
		t.Fatal(err)
	}
	s = peer.await(t, n, "the Delete", func(s fedifyState) bool { return len(s.Deletes) >= 1 })
	if s.Deletes[0] != enURI {
		t.Fatalf("Fedify received the Delete of %v", s.Deletes)
	}
	if len(s.Errors) > 0 {
		t.Fatalf("Fedify's inbox failed: %v", s.Errors)
	}
	t.Logf("what Fedify read: %+v", s)
}

// fedifyState is the peer's GET /control/state.
type fedifyState struct {
	FollowAccepted bool `json:"followAccepted"`
	FollowRejected bool `json:"followRejected"`
	Notes          []struct {
		ID           string   `json:"id"`
		Content      string   `json:"content"`
		Language     string   `json:"language"`
		InReplyTo    string   `json:"inReplyTo"`
		Mentions     []string `json:"mentions"`
		AttributedTo string   `json:"attributedTo"`
	} `json:"notes"`
	Updates []struct {
		ID      string `json:"id"`
		Content string `json:"content"`
	} `json:"updates"`
	Deletes []string `json:"deletes"`
	Errors  []string `json:"errors"`
}

type fedifyPeer struct {
	url  string
	mu   sync.Mutex
	logs bytes.Buffer
}

func (p *fedifyPeer) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.logs.Write(b)
}

// startFedify runs scripts/fedify-peer/peer.mjs (ENTENTE_TEST_FEDIFY, or
// the checkout's own once `npm ci --prefix scripts/fedify-peer` has run)
// on a free loopback port. Without it the test is skipped, except under
// ENTENTE_TEST_STRICT=1 where that is a failure.
func startFedify(t *testing.T) *fedifyPeer {
	t.Helper()
	script := os.Getenv("ENTENTE_TEST_FEDIFY")
	if script == "" {
		own, _ := filepath.Abs("../../scripts/fedify-peer/peer.mjs")
		if _, err := os.Stat(filepath.Join(filepath.Dir(own), "node_modules", "@fedify", "fedify")); err == nil {
			script = own
		}
	}
	node, _ := exec.LookPath("node")
	if script == "" || node == "" {
		if os.Getenv("ENTENTE_TEST_STRICT") == "1" {
			t.Fatal("ENTENTE_TEST_STRICT=1 but the Fedify peer is not installed (npm ci --prefix scripts/fedify-peer with Node.js in PATH, or set ENTENTE_TEST_FEDIFY)")
		}
		t.Skip("SKIPPING the Fedify peer: node not in PATH, or scripts/fedify-peer not installed and ENTENTE_TEST_FEDIFY unset")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	_, port, _ := net.SplitHostPort(addr)
	p := &fedifyPeer{url: "http://" + addr}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, node, script, port)
	cmd.Dir = filepath.Dir(script)
	cmd.Stderr = p
	out, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	ready := make(chan bool, 1)
	go func() {
		sc := bufio.NewScanner(out)
		said := false
		for sc.Scan() {
			if sc.Text() == "ready" && !said {
				said = true
				ready <- true
			}
			p.Write(append(sc.Bytes(), '\n'))
		}
		if !said {
			ready <- false
		}
	}()
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cancel()
		<-exited
		if t.Failed() {
			p.mu.Lock()
			t.Logf("fedify peer: %s", p.logs.String())
			p.mu.Unlock()
		}
	})
	select {
	case ok := <-ready:
		if !ok {
			<-exited
			t.Fatalf("the Fedify peer exited: %s", p.logs.String())
		}
	case <-time.After(60 * time.Second):
		t.Fatalf("the Fedify peer did not say ready: %s", p.logs.String())
	}
	return p
}

// call makes the peer act; Fedify delivers before it answers.
func (p *fedifyPeer) call(t *testing.T, what string, q url.Values) {
	t.Helper()
	resp, err := http.Post(p.url+"/control/"+what+"?"+q.Encode(), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body bytes.Buffer
	body.ReadFrom(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("fedify %s: %d %s", what, resp.StatusCode, body.String())
	}
}

func (p *fedifyPeer) state(t *testing.T) fedifyState {
	t.Helper()
	resp, err := http.Get(p.url + "/control/state")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var s fedifyState
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		t.Fatal(err)
	}
	return s
}

// await delivers what the node has due until the peer's state shows what
// is awaited; if it never does, the node's deliveries say why.
func (p *fedifyPeer) await(t *testing.T, n *node, what string, done func(fedifyState) bool) fedifyState {
	t.Helper()
	for range 20 {
		n.Deliver(t)
		if s := p.state(t); done(s) {
			return s
		}
		time.Sleep(100 * time.Millisecond)
	}
	var rows []struct {
		Type  string `db:"type"`
		State string `db:"state"`
		Error string `db:"last_error"`
	}
	_ = n.DB.R().Select(context.Background(), &rows, `SELECT a.type, d.state, d.last_error FROM pd_deliveries d JOIN pd_activities a ON a.id = d.activity_id ORDER BY d.created_at`)
	t.Fatalf("Fedify never received %s: peer state %+v; the node's deliveries %+v", what, p.state(t), rows)
	return fedifyState{}
}
