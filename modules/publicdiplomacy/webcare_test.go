package publicdiplomacy_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/publicdiplomacy"
)

// wcItem is a web-care item as the inbox would record it.
type wcItem struct {
	Kind, State, Visibility, Text, Warning, Language string
	Actor, Handle, Host                              string
	ReplyTo                                          string // our post's id
	Queue, Deleted                                   bool
	Received                                         time.Time
	Assignee                                         string // a user id
}

// wcInsert records an item for the account directly in pd_inbox, as the
// inbox does when a remote post arrives, and returns its id.
func wcInsert(t testing.TB, n *node, acc publicdiplomacy.Account, it wcItem) string {
	t.Helper()
	if it.Actor == "" {
		it.Actor, it.Handle, it.Host = "https://social.example/users/ana", "ana@social.example", "social.example"
	}
	if it.State == "" {
		it.State = publicdiplomacy.ItemNew
	}
	if it.Visibility == "" {
		it.Visibility = "public"
	}
	if it.Received.IsZero() {
		it.Received = n.Clock.Now()
	}
	if it.Text == "" {
		it.Text = "A question about visas"
	}
	var id string
	err := n.DB.WithTx(context.Background(), func(tx *store.Tx) error {
		id = core.NewID(tx.Now)
		_, err := tx.Exec(context.Background(), `INSERT INTO pd_inbox (id, uri, account_id, actor, actor_handle, actor_name, host, text, warning, language, in_reply_to, reply_to_post,
			visibility, kind, queue, state, assignee_id, assignee_name, deleted, published_at, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			id, it.Actor+"/statuses/"+id, acc.ID, it.Actor, it.Handle, "Ana", it.Host, it.Text, it.Warning, it.Language, "", it.ReplyTo,
			it.Visibility, it.Kind, it.Queue, it.State, it.Assignee, map[bool]string{true: "Bima"}[it.Assignee != ""], it.Deleted, it.Received, it.Received)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// wcProblems are an error's fields.
func wcProblems(err error) core.Problems {
	if ce := core.AsError(err); ce != nil {
		return ce.Fields
	}
	return nil
}

// TestWebcareQueueFilters lists the queue as an organisation's people see
// it: open items oldest first, narrowed by state, kind and holder, never
// another organisation's, a timeline post or a deleted one.
func TestWebcareQueueFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		n := newNode(t, e)
		n.Org(t, "kemlu", core.OrgStateMinistry, "ID", "Kemlu")
		n.Org(t, "dfat", core.OrgStateMinistry, "AU", "DFAT")
		kemlu, dfat := n.Account(t, "kemlu", "kemlu"), n.Account(t, "dfat", "dfat")
		bima := n.As("Bima", "kemlu", core.RoleOfficer)
		bimaID := core.ActorFrom(bima).UserID
		at := func(h int) time.Time { return n.Clock.Now().Add(time.Duration(h-10) * time.Hour) }
		reply := wcInsert(t, n, kemlu, wcItem{Kind: "reply", Queue: true, Received: at(2)})
		mention := wcInsert(t, n, kemlu, wcItem{Kind: "mention", Queue: true, Received: at(1)})
		direct := wcInsert(t, n, kemlu, wcItem{Kind: "direct", Visibility: "direct", Queue: true, State: "assigned", Assignee: bimaID, Received: at(3)})
		answered := wcInsert(t, n, kemlu, wcItem{Kind: "reply", Queue: true, State: "answered", Received: at(0)})
		handled := wcInsert(t, n, kemlu, wcItem{Kind: "press", Queue: true, State: "handled", Received: at(4)})
		wcInsert(t, n, kemlu, wcItem{Kind: "timeline", Received: at(5)})
		wcInsert(t, n, kemlu, wcItem{Kind: "reply", Queue: true, Deleted: true, Received: at(6)})
		wcInsert(t, n, dfat, wcItem{Kind: "reply", Queue: true, Received: at(7)})

		ids := func(f publicdiplomacy.WebcareFilter) string {
			t.Helper()
			l, err := n.Svc.WebcareQueue(bima, f)
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, it := range l.Items {
				out = append(out, it.ID)
			}
			return strings.Join(out, " ")
		}
		for _, c := range []struct {
			f    publicdiplomacy.WebcareFilter
			want []string
		}{
			{publicdiplomacy.WebcareFilter{}, []string{mention, reply, direct}},
			{publicdiplomacy.WebcareFilter{Kind: "reply"}, []string{reply}},
			{publicdiplomacy.WebcareFilter{Kind: "direct"}, []string{direct}},
			{publicdiplomacy.WebcareFilter{Mine: true}, []string{direct}},
			{publicdiplomacy.WebcareFilter{State: "new"}, []string{mention, reply}},
			{publicdiplomacy.WebcareFilter{State: "answered"}, []string{answered}},
			{publicdiplomacy.WebcareFilter{State: "all"}, []string{answered, mention, reply, direct, handled}},
			{publicdiplomacy.WebcareFilter{State: "all", Kind: "press"}, []string{handled}},
		} {
			if got := ids(c.f); got != strings.Join(c.want, " ") {
				t.Errorf("%+v: %s, want %s", c.f, got, strings.Join(c.want, " "))
			}
		}
		l, err := n.Svc.WebcareQueue(bima, publicdiplomacy.WebcareFilter{})
		if err != nil {
			t.Fatal(err)
		}
		if l.Counts["new"] != 2 || l.Counts["assigned"] != 1 || l.Counts["answered"] != 1 || l.Counts["handled"] != 1 || l.More {
			t.Errorf("counts %v, more %v", l.Counts, l.More)
		}
		_, err = n.Svc.WebcareQueue(bima, publicdiplomacy.WebcareFilter{State: "lost", Kind: "pigeon"})
		if p := wcProblems(err); p["state"] != "err.pd_filter" || p["kind"] != "err.pd_filter" {
			t.Errorf("bad filters: %v", err)
		}
		// DFAT's officer sees DFAT's item only; someone of no organisation
		// sees nothing.
		if l, err := n.Svc.WebcareQueue(n.As("Penny", "dfat", core.RoleOfficer), publicdiplomacy.WebcareFilter{}); err != nil || len(l.Items) != 1 || l.Items[0].AccountID != dfat.ID {
			t.Errorf("dfat sees %+v (%v)", l.Items, err)
		}
		if l, err := n.Svc.WebcareQueue(context.Background(), publicdiplomacy.WebcareFilter{}); err != nil || len(l.Items) != 0 {
			t.Errorf("nobody sees %+v (%v)", l.Items, err)
		}
	})
}

// TestWebcareQueuePages pages a long queue, 50 a page, oldest first.
func TestWebcareQueuePages(t *testing.T) {
	n := newNode(t, storetest.Engines(t)[0])
	n.Org(t, "kemlu", core.OrgStateMinistry, "ID", "Kemlu")
	kemlu := n.Account(t, "kemlu", "kemlu")
	var want []string
	for i := range publicdiplomacy.QueuePage + 3 {
		want = append(want, wcInsert(t, n, kemlu, wcItem{Kind: "mention", Queue: true, Received: n.Clock.Now().Add(time.Duration(i) * time.Minute)}))
	}
	bima := n.As("Bima", "kemlu", core.RoleMember)
	p1, err := n.Svc.WebcareQueue(bima, publicdiplomacy.WebcareFilter{})
	if err != nil || len(p1.Items) != publicdiplomacy.QueuePage || !p1.More || p1.Items[0].ID != want[0] {
		t.Fatalf("page 1: %d items, more %v (%v)", len(p1.Items), p1.More, err)
	}
	p2, err := n.Svc.WebcareQueue(bima, publicdiplomacy.WebcareFilter{Page: 2})
	if err != nil || len(p2.Items) != 3 || p2.More || p2.Items[2].ID != want[len(want)-1] {
		t.Fatalf("page 2: %d items, more %v (%v)", len(p2.Items), p2.More, err)
	}
	if _, err := n.Svc.WebcareQueue(bima, publicdiplomacy.WebcareFilter{Page: 101}); wcProblems(err)["page"] == "" {
		t.Fatalf("page 101: %v", err)
	}
}

// TestWebcareAssignAndHandle takes an item, gives it back, marks it
// handled and opens it again; a member only reads, and another
// organisation does not find it.
func TestWebcareAssignAndHandle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		n := newNode(t, e)
		n.Org(t, "kemlu", core.OrgStateMinistry, "ID", "Kemlu")
		n.Org(t, "dfat", core.OrgStateMinistry, "AU", "DFAT")
		kemlu := n.Account(t, "kemlu", "kemlu")
		id := wcInsert(t, n, kemlu, wcItem{Kind: "mention", Queue: true})
		bima, sari := n.As("Bima", "kemlu", core.RoleOfficer), n.As("Sari", "kemlu", core.RoleAnalyst)

		it, err := n.Svc.Assign(bima, id, true)
		if err != nil || it.State != "assigned" || it.Assignee != "Bima" || it.AssigneeID != core.ActorFrom(bima).UserID {
			t.Fatalf("taken: %+v (%v)", it, err)
		}
		if l, _ := n.Svc.WebcareQueue(sari, publicdiplomacy.WebcareFilter{Mine: true}); len(l.Items) != 0 {
			t.Errorf("Sari holds Bima's item")
		}
		if it, err = n.Svc.Assign(sari, id, true); err != nil || it.Assignee != "Sari" || it.State != "assigned" {
			t.Fatalf("taken over: %+v (%v)", it, err)
		}
		if it, err = n.Svc.Assign(sari, id, false); err != nil || it.State != "new" || it.Assignee != "" {
			t.Fatalf("released: %+v (%v)", it, err)
		}
		if it, err = n.Svc.MarkHandled(bima, id, true); err != nil || it.State != "handled" || it.HandledBy != "Bima" || it.HandledAt == nil {
			t.Fatalf("handled: %+v (%v)", it, err)
		}
		if l, _ := n.Svc.WebcareQueue(bima, publicdiplomacy.WebcareFilter{}); len(l.Items) != 0 {
			t.Errorf("a handled item is still open")
		}
		if it, err = n.Svc.MarkHandled(bima, id, false); err != nil || it.State != "new" || it.HandledAt != nil {
			t.Fatalf("reopened: %+v (%v)", it, err)
		}
		if _, err := n.Svc.Assign(n.As("Yusuf", "kemlu", core.RoleMember), id, true); core.KindOf(err) != core.KindForbidden {
			t.Errorf("a member took an item: %v", err)
		}
		if _, err := n.Svc.MarkHandled(n.As("Penny", "dfat", core.RoleOfficer), id, true); core.KindOf(err) != core.KindNotFound {
			t.Errorf("another organisation handled an item: %v", err)
		}
	})
}

// TestWebcareAnswer answers a reply: a published post that replies to the
// remote post, names its author first, is queued for delivery to the
// author's inbox, and answers the item. An empty answer names its field;
// a deleted item cannot be answered.
func TestWebcareAnswer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		n := newNode(t, e)
		n.Org(t, "kemlu", core.OrgStateMinistry, "ID", "Kemlu")
		kemlu := n.Account(t, "kemlu", "kemlu")
		const actor, inbox = "https://social.example/users/ana", "https://social.example/users/ana/inbox"
		err := n.DB.WithTx(context.Background(), func(tx *store.Tx) error {
			_, err := tx.Exec(context.Background(), `INSERT INTO pd_actors (uri, host, username, name, inbox, fetched_at) VALUES (?, ?, ?, ?, ?, ?)`,
				actor, "social.example", "ana", "Ana", inbox, tx.Now)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		post := n.Publish(t, "kemlu", kemlu, nil, publicdiplomacy.Translation{Language: "id", Content: "Layanan visa dibuka kembali."})[0]
		id := wcInsert(t, n, kemlu, wcItem{Kind: "reply", Queue: true, ReplyTo: post.ID, Language: "id", Text: "Kapan?"})
		bima := n.As("Bima", "kemlu", core.RoleOfficer)

		_, err = n.Svc.Answer(bima, id, publicdiplomacy.Translation{Language: "id", Content: "   "})
		if p := wcProblems(err); p["content_id"] != "err.required" {
			t.Fatalf("an empty answer: %v", err)
		}
		_, err = n.Svc.Answer(bima, id, publicdiplomacy.Translation{Language: "id", Content: strings.Repeat("a", 501)})
		if p := wcProblems(err); p["content_id"] != "err.pd_too_long" {
			t.Fatalf("a long answer: %v", err)
		}
		_, err = n.Svc.Answer(n.As("Yusuf", "kemlu", core.RoleMember), id, publicdiplomacy.Translation{Content: "Besok."})
		if core.KindOf(err) != core.KindForbidden {
			t.Fatalf("a member answered: %v", err)
		}

		p, err := n.Svc.Answer(bima, id, publicdiplomacy.Translation{Content: "Mulai besok, pukul 09.00."})
		if err != nil {
			t.Fatal(err)
		}
		it, err := n.Svc.Item(bima, id)
		if err != nil {
			t.Fatal(err)
		}
		if p.State != publicdiplomacy.PostPublished || p.PublishedAt == nil || p.Language != "id" || p.Content != "@ana@social.example Mulai besok, pukul 09.00." ||
			p.InReplyTo != it.URI || p.ReplyItem != id || p.CreatedByName != "Bima" {
			t.Fatalf("the answer %+v", p)
		}
		if it.State != publicdiplomacy.ItemAnswered || it.AnswerPost != p.ID || it.Assignee != "Bima" {
			t.Fatalf("the item after its answer %+v", it)
		}
		var n1 int
		if err := n.DB.R().Get(context.Background(), &n1, `SELECT COUNT(*) FROM pd_deliveries d JOIN pd_activities a ON a.id = d.activity_id
			WHERE d.inbox = ? AND d.state = 'queued' AND a.type = 'Create' AND a.id = ?`, inbox, n.URL+"/social/kemlu/"+p.ID+"/activity"); err != nil {
			t.Fatal(err)
		}
		if n1 != 1 {
			var rows []struct {
				Inbox string `db:"inbox"`
			}
			_ = n.DB.R().Select(context.Background(), &rows, `SELECT inbox FROM pd_deliveries`)
			t.Fatalf("deliveries of the answer to %s: %d (all: %+v)", inbox, n1, rows)
		}
		replied, answers, err := n.Svc.Thread(bima, it)
		if err != nil || replied == nil || replied.ID != post.ID || len(answers) != 1 || answers[0].ID != p.ID {
			t.Fatalf("thread: %+v %+v (%v)", replied, answers, err)
		}

		gone := wcInsert(t, n, kemlu, wcItem{Kind: "mention", Queue: true, Deleted: true, Text: " "})
		if _, err := n.Svc.Answer(bima, gone, publicdiplomacy.Translation{Content: "Halo"}); core.KindOf(err) != core.KindConflict {
			t.Fatalf("answered a deleted item: %v", err)
		}
	})
}
