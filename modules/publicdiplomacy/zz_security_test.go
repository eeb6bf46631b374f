package publicdiplomacy_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/internal/store/storetest"
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
