package publicdiplomacy_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/publicdiplomacy"
)

// reachWorld is ten days (1 to 10 January 2026) of an account's reach:
// followers who came before and during the period, two who left; posts of
// the period and one before it, boosted, liked and replied to from three
// instances; a web-care answer, which is no newsroom post.
func reachWorld(t testing.TB, e storetest.Engine) (*node, publicdiplomacy.Account, publicdiplomacy.Period, map[string]string) {
	t.Helper()
	n := newNode(t, e)
	n.Org(t, "kemlu", core.OrgStateMinistry, "ID", "Kemlu")
	acc := n.Account(t, "kemlu", "kemlu")
	at := func(m time.Month, d, h int) time.Time { return time.Date(2026, m, d, h, 0, 0, 0, time.UTC) }
	dec := func(d int) time.Time { return time.Date(2025, 12, d, 12, 0, 0, 0, time.UTC) }
	ctx := context.Background()
	exec := func(q string, args ...any) {
		t.Helper()
		if err := n.DB.WithTx(ctx, func(tx *store.Tx) error { _, err := tx.Exec(ctx, q, args...); return err }); err != nil {
			t.Fatal(err)
		}
	}
	follower := func(actor, host, state string, from time.Time, until *time.Time) {
		exec(`INSERT INTO pd_followers (account_id, actor, host, follow_id, state, created_at, removed_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			acc.ID, "https://"+host+"/users/"+actor, host, actor+"#f", state, from, until)
	}
	left := func(t time.Time) *time.Time { return &t }
	follower("f1", "a.example", "accepted", dec(20), nil)
	follower("f2", "a.example", "accepted", at(1, 3, 10), nil)
	follower("f3", "b.example", "removed", dec(25), left(at(1, 5, 12)))
	follower("f4", "b.example", "removed", at(1, 7, 9), left(at(1, 8, 9)))
	follower("f5", "c.example", "pending", at(1, 2, 9), nil)
	posts := map[string]string{}
	post := func(name string, published time.Time, replyItem string) {
		id := core.NewID(published) + name
		posts[name] = id
		exec(`INSERT INTO pd_posts (id, account_id, group_id, language, content, state, reply_item, published_at, created_by, created_at, updated_at)
			VALUES (?, ?, ?, 'en', ?, 'published', ?, ?, 'u-bima', ?, ?)`, id, acc.ID, id, "Post "+name+"\nmore words", replyItem, published, published, published)
	}
	post("p1", at(1, 2, 9), "")
	post("p2", at(1, 4, 9), "")
	post("p0", dec(30), "")
	post("answer", at(1, 5, 9), "some-item")
	reaction := func(kind, postName, host string, when time.Time) {
		exec(`INSERT INTO pd_reactions (id, type, post_id, actor, host, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			"https://"+host+"/"+kind+"/"+postName+strconv.FormatInt(when.Unix(), 10), kind, posts[postName], "https://"+host+"/users/x", host, when)
	}
	reaction("Announce", "p1", "a.example", at(1, 2, 10))
	reaction("Like", "p1", "a.example", at(1, 2, 11))
	reaction("Like", "p1", "b.example", at(1, 3, 11))
	reaction("Like", "p2", "c.example", at(1, 4, 11))
	reaction("Announce", "p0", "b.example", at(1, 3, 9))
	reaction("Like", "p0", "c.example", dec(31)) // before the period
	wcInsert(t, n, acc, wcItem{Kind: "reply", Queue: true, ReplyTo: posts["p1"], Actor: "https://c.example/users/x", Handle: "x@c.example", Host: "c.example", Received: at(1, 3, 12)})
	wcInsert(t, n, acc, wcItem{Kind: "reply", Queue: true, ReplyTo: posts["p2"], Actor: "https://a.example/users/y", Handle: "y@a.example", Host: "a.example", Received: at(1, 5, 12), Deleted: true})
	wcInsert(t, n, acc, wcItem{Kind: "mention", Queue: true, Actor: "https://b.example/users/z", Handle: "z@b.example", Host: "b.example", Received: at(1, 6, 12)})
	p, err := publicdiplomacy.ParsePeriod("2026-01-01", "2026-01-10", n.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return n, acc, p, posts
}

// TestReach counts followers day by day, the posts of the period and the
// instances, on both engines.
func TestReach(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		n, acc, p, posts := reachWorld(t, e)
		bima := n.As("Bima", "kemlu", core.RoleMember)
		r, err := n.Svc.Reach(bima, p, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Accounts) != 1 {
			t.Fatalf("accounts %+v", r.Accounts)
		}
		a := r.Accounts[0]
		var days []string
		for _, d := range a.Days {
			days = append(days, strconv.Itoa(d.N))
		}
		if got := strings.Join(days, " "); got != "2 2 3 3 2 2 3 2 2 2" {
			t.Errorf("followers day by day: %s", got)
		}
		if a.Start != 2 || a.End != 2 || a.Gained != 2 || a.Lost != 2 || a.Handle != "kemlu@"+n.Host || !a.Days[0].Day.Equal(p.From) {
			t.Errorf("account %+v", a)
		}
		if len(r.Posts) != 2 || r.Posts[0].ID != posts["p1"] || r.Posts[1].ID != posts["p2"] {
			t.Fatalf("posts %+v", r.Posts)
		}
		if p1 := r.Posts[0]; p1.Boosts != 1 || p1.Likes != 2 || p1.Replies != 1 || p1.Content != "Post p1" {
			t.Errorf("p1 %+v", p1)
		}
		if p2 := r.Posts[1]; p2.Boosts != 0 || p2.Likes != 1 || p2.Replies != 0 {
			t.Errorf("p2 %+v", p2)
		}
		var hosts []string
		for _, h := range r.Instances {
			hosts = append(hosts, h.Host+"="+strconv.Itoa(h.Boosts)+"/"+strconv.Itoa(h.Likes)+"/"+strconv.Itoa(h.Replies)+"/"+strconv.Itoa(h.Followers))
		}
		if got := strings.Join(hosts, " "); got != "b.example=1/1/1/0 a.example=1/1/0/2 c.example=0/1/1/0" {
			t.Errorf("instances (boosts/likes/replies/followers): %s", got)
		}
		if r.Boosts != 2 || r.Likes != 3 || r.Replies != 2 {
			t.Errorf("totals %d boosts, %d likes, %d replies", r.Boosts, r.Likes, r.Replies)
		}
		// One account by its id; an account of no organisation of the
		// reader names its field.
		if one, err := n.Svc.Reach(bima, p, acc.ID); err != nil || len(one.Accounts) != 1 {
			t.Errorf("one account: %+v (%v)", one.Accounts, err)
		}
		if _, err := n.Svc.Reach(bima, p, "nobody"); wcProblems(err)["account"] == "" {
			t.Errorf("an unknown account: %v", err)
		}
		n.Org(t, "dfat", core.OrgStateMinistry, "AU", "DFAT")
		if r, err := n.Svc.Reach(n.As("Penny", "dfat", core.RoleOfficer), p, acc.ID); err == nil || len(r.Accounts) != 0 {
			t.Errorf("dfat reads kemlu's reach: %+v (%v)", r, err)
		}
	})
}
