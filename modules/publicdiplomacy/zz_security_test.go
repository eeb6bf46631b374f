package publicdiplomacy_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/publicdiplomacy"
	"entente.example/entente/modules/publicdiplomacy/ap"
)

// The security review's tests: each names the attack it closes.

// recordingInbox is an instance that keeps the bodies it is sent.
type recordingInbox struct {
	*httptest.Server
	mu     sync.Mutex
	bodies []string
}

func newRecordingInbox(t testing.TB) *recordingInbox {
	s := &recordingInbox{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		s.bodies = append(s.bodies, string(b))
		s.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *recordingInbox) all() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.bodies...)
}

// TestSecOneActorLikesOnce: a hostile actor sending the same Like of a
// post again and again under fresh activity ids counts once; otherwise
// one account makes any post's reach whatever it likes (and fills
// pd_reactions without bound).
func TestSecOneActorLikesOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		id, au := newNode(t, e), newNode(t, e)
		id.Org(t, "kemlu", core.OrgStateMinistry, "ID", "Ministry of Foreign Affairs")
		au.Org(t, "dfat", core.OrgStateMinistry, "AU", "Department of Foreign Affairs and Trade")
		kemlu, dfat := id.Account(t, "kemlu", "kemlu"), au.Account(t, "dfat", "dfat")
		posts := id.Publish(t, "kemlu", kemlu, nil, hello)
		inbox, me := id.URL+"/social/kemlu/inbox", au.URL+"/social/dfat"
		note := id.URL + "/social/kemlu/" + posts[0].ID
		for i := range 5 {
			like := fmt.Sprintf(`{"id":"%s#likes/%d","type":"Like","actor":"%s","object":"%s"}`, me, i, me, note)
			if c := post(t, au, dfat, inbox, []byte(like), true, nil); c != http.StatusAccepted {
				t.Fatalf("like %d: %d", i, c)
			}
		}
		boost := fmt.Sprintf(`{"id":"%s#boosts/1","type":"Announce","actor":"%s","object":"%s"}`, me, me, note)
		if c := post(t, au, dfat, inbox, []byte(boost), true, nil); c != http.StatusAccepted {
			t.Fatalf("boost: %d", c)
		}
		p, err := id.Svc.Post(id.As("Officer", "kemlu", core.RoleOfficer), posts[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if p.Likes != 1 || p.Boosts != 1 {
			t.Fatalf("one actor's five likes and a boost count as %d likes and %d boosts, want 1 and 1", p.Likes, p.Boosts)
		}
	})
}

// TestSecDirectAnswerGoesOnlyToWhomItNames: a web-care answer to a
// direct message is itself direct; it must reach the person answered and
// nobody else, not every follower's instance.
func TestSecDirectAnswerGoesOnlyToWhomItNames(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		id, au := newNode(t, e), newNode(t, e)
		id.Org(t, "kemlu", core.OrgStateMinistry, "ID", "Ministry of Foreign Affairs")
		au.Org(t, "dfat", core.OrgStateMinistry, "AU", "Department of Foreign Affairs and Trade")
		kemlu, dfat := id.Account(t, "kemlu", "kemlu"), au.Account(t, "dfat", "dfat")
		bystander := newRecordingInbox(t)
		id.Follower(t, kemlu.ID, bystander.URL+"/users/reader", bystander.URL+"/inbox")

		me, them := au.URL+"/social/dfat", id.URL+"/social/kemlu"
		dm := `{"id":"` + me + `/dm1/activity","type":"Create","actor":"` + me + `","object":{"id":"` + me + `/dm1","type":"Note","attributedTo":"` + me +
			`","content":"<p>A private question about my passport number 1234</p>","to":["` + them + `"],"tag":[{"type":"Mention","href":"` + them + `"}]}}`
		if c := post(t, au, dfat, id.URL+"/social/kemlu/inbox", []byte(dm), true, nil); c != http.StatusAccepted {
			t.Fatalf("direct message: %d", c)
		}
		officer := id.As("Officer", "kemlu", core.RoleOfficer)
		q, err := id.Svc.Queue(officer, publicdiplomacy.QueueFilter{})
		if err != nil || len(q) != 1 || q[0].Kind != publicdiplomacy.ItemDirect {
			t.Fatalf("queue %+v (%v)", q, err)
		}
		p, err := id.Svc.Answer(officer, q[0].ID, publicdiplomacy.Translation{Content: "Your passport 1234 is ready."})
		if err != nil {
			t.Fatal(err)
		}
		if p.Visibility != publicdiplomacy.VisDirect {
			t.Fatalf("the answer is %s", p.Visibility)
		}
		Exchange(t, id, au)
		for _, b := range bystander.all() {
			if strings.Contains(b, "passport") {
				t.Fatalf("a follower's instance received the direct answer: %s", b)
			}
		}
		// The edit of a direct post is as private as the post.
		if _, err := id.Svc.EditPublished(id.As("Admin", "kemlu", core.RoleAdmin), p.ID, 0, publicdiplomacy.Translation{Content: "@dfat@" + au.Host + " Your passport 1234 is ready at noon."}); err != nil {
			t.Fatal(err)
		}
		if _, err := id.Svc.ApproveCorrection(id.As("Officer", "kemlu", core.RoleOfficer), p.ID, 0); err != nil {
			t.Fatal(err)
		}
		Exchange(t, id, au)
		for _, b := range bystander.all() {
			if strings.Contains(b, "passport") {
				t.Fatalf("a follower's instance received the edited direct answer: %s", b)
			}
		}
	})
}

// hangingFinger is a WebFinger server that answers only when released,
// holding a publication in resolveMentions meanwhile.
type hangingFinger struct {
	*httptest.Server
	entered chan struct{}
	release chan struct{}
}

func newHangingFinger(t testing.TB) *hangingFinger {
	h := &hangingFinger{entered: make(chan struct{}, 10), release: make(chan struct{})}
	h.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.entered <- struct{}{}
		<-h.release
		http.NotFound(w, r)
	}))
	t.Cleanup(func() {
		select {
		case <-h.release:
		default:
			close(h.release)
		}
		h.Close()
	})
	return h
}

// TestSecPublishSendsWhatWasApprovedLast: a publication that started
// before its message was returned, rewritten and approved again must not
// send the text it read first (which the second approval replaced): the
// approvers took that text back.
func TestSecPublishSendsWhatWasApprovedLast(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		n := newNode(t, e)
		n.Org(t, "kemlu", core.OrgStateMinistry, "ID", "Ministry of Foreign Affairs")
		acc := n.Account(t, "kemlu", "kemlu")
		reader := newRecordingInbox(t)
		n.Follower(t, acc.ID, reader.URL+"/users/reader", reader.URL+"/inbox")
		slow := newHangingFinger(t)
		host := strings.TrimPrefix(slow.URL, "http://")
		officer, admin := n.As("Officer", "kemlu", core.RoleOfficer), n.As("Admin", "kemlu", core.RoleAdmin)
		g, err := n.Svc.CreateDraft(officer, publicdiplomacy.Draft{AccountID: acc.ID, Translations: []publicdiplomacy.Translation{{Language: "en", Content: "RETRACTED text @someone@" + host}}})
		if err != nil {
			t.Fatal(err)
		}
		group := g[0].GroupID
		if _, err := n.Svc.Submit(officer, group); err != nil {
			t.Fatal(err)
		}
		if _, err := n.Svc.Approve(admin, group); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() {
			_, err := n.Svc.PublishDue(context.Background())
			done <- err
		}()
		<-slow.entered // the publisher has read the post and waits on the mention
		if _, err := n.Svc.Return(admin, group); err != nil {
			t.Fatal(err)
		}
		cur, err := n.Svc.Group(officer, group)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := n.Svc.EditDraft(officer, group, cur[0].Version, publicdiplomacy.Draft{Translations: []publicdiplomacy.Translation{{Language: "en", Content: "Corrected text."}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := n.Svc.Submit(officer, group); err != nil {
			t.Fatal(err)
		}
		if _, err := n.Svc.Approve(admin, group); err != nil {
			t.Fatal(err)
		}
		close(slow.release)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if _, err := n.Svc.PublishDue(context.Background()); err != nil {
			t.Fatal(err)
		}
		n.Deliver(t)
		got := reader.all()
		for _, b := range got {
			if strings.Contains(b, "RETRACTED") {
				t.Fatalf("the follower received the retracted text: %s", b)
			}
		}
		if len(got) != 1 || !strings.Contains(got[0], "Corrected text.") {
			t.Fatalf("the follower received %q, want the corrected post once", got)
		}
	})
}

// TestSecHugePageIsNotAnError: a page number that overflows the offset
// is not a database error on either engine (PostgreSQL refuses a
// negative OFFSET; SQLite reads it as 0).
func TestSecHugePageIsNotAnError(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		n := newNode(t, e)
		n.Org(t, "kemlu", core.OrgStateMinistry, "ID", "Ministry of Foreign Affairs")
		acc := n.Account(t, "kemlu", "kemlu")
		n.Publish(t, "kemlu", acc, nil, hello)
		for _, path := range []string{"/social/kemlu/outbox?page=1000000000000000000", "/social/kemlu?page=1000000000000000000", "/social/tags/x?page=1000000000000000000"} {
			req, _ := http.NewRequest(http.MethodGet, n.URL+path, nil)
			if strings.Contains(path, "outbox") {
				req.Header.Set("Accept", ap.ContentType)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode >= 500 {
				t.Errorf("%s: %d", path, res.StatusCode)
			}
		}
	})
}

// TestSecEditorCannotApproveOwnWords: an officer who rewrites someone
// else's draft wrote what is there; approving it is approving their own
// words, which the four eyes forbid.
func TestSecEditorCannotApproveOwnWords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		n := newNode(t, e)
		n.Org(t, "kemlu", core.OrgStateMinistry, "ID", "Ministry of Foreign Affairs")
		acc := n.Account(t, "kemlu", "kemlu")
		analyst, officer := n.As("Analyst", "kemlu", core.RoleAnalyst), n.As("Officer", "kemlu", core.RoleOfficer)
		g, err := n.Svc.CreateDraft(analyst, publicdiplomacy.Draft{AccountID: acc.ID, Translations: []publicdiplomacy.Translation{{Language: "en", Content: "A harmless draft."}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := n.Svc.EditDraft(officer, g[0].GroupID, 0, publicdiplomacy.Draft{Translations: []publicdiplomacy.Translation{{Language: "en", Content: "Whatever the officer alone wants said."}}}); err != nil {
			t.Fatal(err)
		}
		if _, err := n.Svc.Submit(officer, g[0].GroupID); err != nil {
			t.Fatal(err)
		}
		if _, err := n.Svc.Approve(officer, g[0].GroupID); core.KindOf(err) != core.KindForbidden {
			t.Fatalf("the officer approved the text they wrote: %v", err)
		}
	})
}

// TestSecAnalystCannotBroadcastThroughPress: a press item's answer is a
// post of its own, public, to every follower; an analyst must not send
// one without a second pair of eyes.
func TestSecAnalystCannotBroadcastThroughPress(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		n := newNode(t, e)
		n.Org(t, "kemlu", core.OrgStateMinistry, "ID", "Ministry of Foreign Affairs")
		acc := n.Account(t, "kemlu", "kemlu")
		reader := newRecordingInbox(t)
		n.Follower(t, acc.ID, reader.URL+"/users/reader", reader.URL+"/inbox")
		analyst := n.As("Analyst", "kemlu", core.RoleAnalyst)
		if _, err := n.Svc.AddSampleFeed(analyst, publicdiplomacy.FeedInput{Org: "kemlu", URL: "https://news.example/feed", Title: "News", Language: "en"}, "rss",
			[]publicdiplomacy.SampleItem{{Title: "Anything at all", Link: "https://news.example/a", Published: n.Clock.Now()}}); err != nil {
			t.Fatal(err)
		}
		items, _, err := n.Svc.Items(analyst, publicdiplomacy.ItemFilter{})
		if err != nil || len(items) != 1 {
			t.Fatalf("items %v (%v)", items, err)
		}
		wc, err := n.Svc.ItemToWebcare(analyst, items[0].ID, "")
		if err != nil {
			t.Fatal(err)
		}
		p, err := n.Svc.Answer(analyst, wc.ID, publicdiplomacy.Translation{Content: "UNAPPROVED statement of the Ministry."})
		if err == nil && p.State == publicdiplomacy.PostPublished {
			n.Deliver(t)
			t.Fatalf("an analyst published %q to %d followers' instances with nobody's approval", p.Content, len(reader.all()))
		}
	})
}
