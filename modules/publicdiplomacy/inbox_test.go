package publicdiplomacy_test

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/internal/netguard"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/publicdiplomacy"
	"entente.example/entente/modules/publicdiplomacy/ap"
)

// post sends body to an inbox signed as acc of node from (unless key is
// empty), changing the body after signing when tamper is set.
func post(t *testing.T, from *node, acc publicdiplomacy.Account, inbox string, body []byte, sign bool, tamper func([]byte) []byte) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, inbox, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", ap.ContentType)
	if sign {
		key, err := ap.ParsePrivateKeyPEM(acc.PrivateKey)
		if err != nil {
			t.Fatal(err)
		}
		if err := ap.Sign(req, body, from.URL+"/social/"+acc.Username+"#main-key", key, from.Clock.Now()); err != nil {
			t.Fatal(err)
		}
	}
	if tamper != nil {
		b := tamper(body)
		req.Body, req.ContentLength = ioNop(b), int64(len(b))
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// TestInboxRefusesWhatIsNotProven: an activity is taken only signed by
// its own actor over the exact bytes received; a post must be the
// signer's own; retries and parallel copies count once.
func TestInboxRefusesWhatIsNotProven(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		id, au := newNode(t, e), newNode(t, e)
		id.Org(t, "kemlu", core.OrgStateMinistry, "ID", "Ministry of Foreign Affairs")
		au.Org(t, "dfat", core.OrgStateMinistry, "AU", "Department of Foreign Affairs and Trade")
		kemlu, dfat := id.Account(t, "kemlu", "kemlu"), au.Account(t, "dfat", "dfat")
		posts := id.Publish(t, "kemlu", kemlu, nil, hello)
		inbox, me, them := id.URL+"/social/kemlu/inbox", au.URL+"/social/dfat", id.URL+"/social/kemlu"
		note := id.URL + "/social/kemlu/" + posts[0].ID

		follow := []byte(`{"@context":"https://www.w3.org/ns/activitystreams","id":"` + me + `#f1","type":"Follow","actor":"` + me + `","object":"` + them + `"}`)
		if c := post(t, au, dfat, inbox, follow, false, nil); c != http.StatusUnauthorized {
			t.Errorf("unsigned: %d", c)
		}
		if c := post(t, au, dfat, inbox, follow, true, func(b []byte) []byte { return bytes.Replace(b, []byte("#f1"), []byte("#f2"), 1) }); c != http.StatusBadRequest && c != http.StatusUnauthorized {
			t.Errorf("body changed after signing: %d", c)
		}
		other := bytes.ReplaceAll(follow, []byte(`"actor":"`+me), []byte(`"actor":"`+au.URL+`/social/someone`))
		if c := post(t, au, dfat, inbox, other, true, nil); c != http.StatusForbidden {
			t.Errorf("signed by dfat for another actor: %d", c)
		}
		if c := post(t, au, dfat, inbox, follow, true, nil); c != http.StatusAccepted {
			t.Fatalf("signed follow: %d", c)
		}
		if acc, _ := id.Svc.Account(context.Background(), kemlu.ID); acc.Followers != 1 {
			t.Fatalf("%d followers after the signed follow", acc.Followers)
		}
		// A post attributed to someone else, or with an id on another
		// host, is not the signer's to create.
		forged := []byte(`{"id":"` + me + `/n1/activity","type":"Create","actor":"` + me + `","object":{"id":"` + me + `/n1","type":"Note","attributedTo":"` + them + `","content":"forged","inReplyTo":"` + note + `","to":["` + ap.Public + `"]}}`)
		if c := post(t, au, dfat, inbox, forged, true, nil); c != http.StatusForbidden {
			t.Errorf("a note attributed to kemlu, sent by dfat: %d", c)
		}
		elsewhere := []byte(`{"id":"` + me + `/n2/activity","type":"Create","actor":"` + me + `","object":{"id":"https://elsewhere.example/n2","type":"Note","attributedTo":"` + me + `","content":"x","inReplyTo":"` + note + `","to":["` + ap.Public + `"]}}`)
		if c := post(t, au, dfat, inbox, elsewhere, true, nil); c != http.StatusForbidden {
			t.Errorf("a note whose id is on another host: %d", c)
		}
		// Ten copies of one boost, in parallel: one boost.
		boost := []byte(`{"id":"` + me + `#b1","type":"Announce","actor":"` + me + `","object":"` + note + `","to":["` + ap.Public + `"]}`)
		var wg sync.WaitGroup
		for range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if c := post(t, au, dfat, id.URL+"/social/inbox", boost, true, nil); c != http.StatusAccepted {
					t.Errorf("boost: %d", c)
				}
			}()
		}
		wg.Wait()
		p, err := id.Svc.Post(id.As("Officer", "kemlu", core.RoleOfficer), posts[0].ID)
		if err != nil || p.Boosts != 1 {
			t.Fatalf("boosts after ten copies: %d (%v)", p.Boosts, err)
		}
		undo := []byte(`{"id":"` + me + `#b1/undo","type":"Undo","actor":"` + me + `","object":{"id":"` + me + `#b1","type":"Announce","actor":"` + me + `","object":"` + note + `"}}`)
		if c := post(t, au, dfat, inbox, undo, true, nil); c != http.StatusAccepted {
			t.Fatalf("undo: %d", c)
		}
		if p, _ := id.Svc.Post(id.As("Officer", "kemlu", core.RoleOfficer), posts[0].ID); p.Boosts != 0 {
			t.Fatalf("boosts after the undo: %d", p.Boosts)
		}
		if c := post(t, au, dfat, inbox, []byte(`{"id":"x"`), true, nil); c != http.StatusBadRequest {
			t.Errorf("broken JSON: %d", c)
		}
	})
}

// TestRemoteFetchesStayOffPrivateAddresses: with the node's guarded
// client, an actor or a WebFinger host on a private address is refused.
func TestRemoteFetchesStayOffPrivateAddresses(t *testing.T) {
	e := storetest.Engines(t)[0]
	id, other := newNode(t, e), newNode(t, e)
	id.Org(t, "kemlu", core.OrgStateMinistry, "ID", "Ministry of Foreign Affairs")
	other.Org(t, "dfat", core.OrgStateMinistry, "AU", "DFAT")
	kemlu := id.Account(t, "kemlu", "kemlu")
	other.Account(t, "dfat", "dfat")
	guarded := publicdiplomacy.NewService(id.DB, publicdiplomacy.Options{BaseURL: func() string { return id.URL }, HTTP: netguard.Client(false), Insecure: true})
	if _, err := guarded.FetchActor(context.Background(), kemlu, other.URL+"/social/dfat", true); err == nil || !strings.Contains(err.Error(), "private") {
		t.Fatalf("fetching an actor on loopback: %v", err)
	}
	if _, err := guarded.ResolveAcct(context.Background(), kemlu, "dfat@"+other.Host); err == nil || !strings.Contains(err.Error(), "private") {
		t.Fatalf("WebFinger on loopback: %v", err)
	}
}

func ioNop(b []byte) nopCloser { return nopCloser{bytes.NewReader(b)} }

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

// TestOneAuthorCannotBuryTheQueue: a flood of mentions from one account
// fills at most twenty places in the web-care queue; someone else's
// mention still gets in.
func TestOneAuthorCannotBuryTheQueue(t *testing.T) {
	n, au := newNode(t, storetest.Engines(t)[0]), newNode(t, storetest.Engines(t)[0])
	n.Org(t, "kemlu", core.OrgStateMinistry, "ID", "Ministry of Foreign Affairs")
	au.Org(t, "dfat", core.OrgStateMinistry, "AU", "DFAT")
	n.Account(t, "kemlu", "kemlu")
	dfat, other := au.Account(t, "dfat", "dfat"), au.Account(t, "dfat", "other")
	them := n.URL + "/social/kemlu"
	mention := func(acc publicdiplomacy.Account, i int) {
		me := au.URL + "/social/" + acc.Username
		body := []byte(`{"id":"` + me + `/m` + strconv.Itoa(i) + `/a","type":"Create","actor":"` + me + `","object":{"id":"` + me + `/m` + strconv.Itoa(i) + `","type":"Note","attributedTo":"` + me +
			`","content":"@kemlu hello ` + strconv.Itoa(i) + `","to":["` + ap.Public + `"],"tag":[{"type":"Mention","href":"` + them + `","name":"@kemlu"}]}}`)
		if c := post(t, au, acc, n.URL+"/social/inbox", body, true, nil); c != http.StatusAccepted {
			t.Fatalf("mention %d: %d", i, c)
		}
	}
	for i := range 30 {
		mention(dfat, i)
	}
	mention(other, 99)
	q, err := n.Svc.Queue(n.As("Officer", "kemlu", core.RoleOfficer), publicdiplomacy.QueueFilter{})
	if err != nil {
		t.Fatal(err)
	}
	from := map[string]int{}
	for _, it := range q {
		from[it.ActorHandle]++
	}
	if from["dfat@"+au.Host] != 20 || from["other@"+au.Host] != 1 {
		t.Fatalf("the queue holds %v", from)
	}
}
