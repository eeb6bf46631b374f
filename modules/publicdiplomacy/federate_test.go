package publicdiplomacy_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/publicdiplomacy"
)

// TestTwoNodesFederate runs the fediverse's whole conversation between two
// nodes over HTTP, every request signed and verified: Australia's DFAT
// finds Indonesia's MFA by WebFinger and follows it; the follow is
// accepted; the MFA publishes an approved post in two languages; DFAT
// reads it, replies and boosts it; the reply lands in the MFA's web-care
// queue and is answered; the MFA edits its post and deletes it; DFAT
// unfollows.
func TestTwoNodesFederate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		id, au := newNode(t, e), newNode(t, e)
		id.Org(t, "kemlu", core.OrgStateMinistry, "ID", "Ministry of Foreign Affairs")
		au.Org(t, "dfat", core.OrgStateMinistry, "AU", "Department of Foreign Affairs and Trade")
		kemlu, dfat := id.Account(t, "kemlu", "kemlu"), au.Account(t, "dfat", "dfat")
		bima, sari := id.As("Bima", "kemlu", core.RoleOfficer), id.As("Sari", "kemlu", core.RoleAdmin)
		dfatAdmin := au.As("Penny", "dfat", core.RoleAdmin)

		// Follow, by WebFinger, and the Accept.
		them, err := au.Svc.Follow(dfatAdmin, dfat.ID, "@kemlu@"+id.Host)
		if err != nil {
			t.Fatalf("%v: %v", err, errors.Unwrap(err))
		}
		if them.URI != id.URL+"/social/kemlu" {
			t.Fatalf("WebFinger found %q", them.URI)
		}
		Exchange(t, au, id)
		if acc, _ := id.Svc.Account(context.Background(), kemlu.ID); acc.Followers != 1 {
			t.Fatalf("kemlu has %d followers", acc.Followers)
		}
		fs, err := au.Svc.Followings(context.Background(), dfat.ID)
		if err != nil || len(fs) != 1 || fs[0].State != "accepted" {
			t.Fatalf("dfat follows %+v (%v)", fs, err)
		}

		// A post in two languages, approved by a second person.
		group, err := id.Svc.CreateDraft(bima, publicdiplomacy.Draft{AccountID: kemlu.ID, Translations: []publicdiplomacy.Translation{
			{Language: "en", Content: "Indonesia welcomes the ASEAN cyber norms roadmap. #ASEAN"},
			{Language: "id", Content: "Indonesia menyambut peta jalan norma siber ASEAN. #ASEAN"},
		}})
		if err != nil {
			t.Fatal(err)
		}
		g := group[0].GroupID
		if _, err := id.Svc.Submit(bima, g); err != nil {
			t.Fatal(err)
		}
		if _, err := id.Svc.Approve(bima, g); core.KindOf(err) != core.KindForbidden {
			t.Fatalf("the author approved his own post: %v", err)
		}
		if _, err := id.Svc.Approve(sari, g); err != nil {
			t.Fatal(err)
		}
		if n, err := id.Svc.PublishDue(context.Background()); err != nil || n != 2 {
			t.Fatalf("published %d (%v)", n, err)
		}
		Exchange(t, id, au)
		got := items(t, au, dfat.ID)
		if len(got) != 2 {
			t.Fatalf("dfat received %d posts: %+v", len(got), got)
		}
		var en publicdiplomacy.Item
		for _, it := range got {
			if it.Language == "en" {
				en = it
			}
		}
		if !strings.Contains(en.Text, "ASEAN cyber norms roadmap") || en.ActorHandle != "kemlu@"+id.Host || en.Kind != publicdiplomacy.ItemTimeline {
			t.Fatalf("the English post arrived as %+v", en)
		}

		// DFAT replies and boosts; the reply is in the MFA's web-care queue.
		if _, err := au.Svc.Answer(dfatAdmin, en.ID, publicdiplomacy.Translation{Language: "en", Content: "Australia supports the roadmap."}); err != nil {
			t.Fatal(err)
		}
		if err := au.Svc.Boost(dfatAdmin, dfat.ID, en.URI); err != nil {
			t.Fatal(err)
		}
		Exchange(t, au, id)
		q, err := id.Svc.Queue(bima, publicdiplomacy.QueueFilter{})
		if err != nil || len(q) != 1 {
			t.Fatalf("web-care queue: %+v (%v)", q, err)
		}
		if q[0].Kind != publicdiplomacy.ItemReply || !strings.Contains(q[0].Text, "Australia supports the roadmap.") || q[0].ActorHandle != "dfat@"+au.Host {
			t.Fatalf("the reply arrived as %+v", q[0])
		}
		post, err := id.Svc.Post(bima, q[0].ReplyToPost)
		if err != nil || post.Boosts != 1 || post.Replies != 1 || post.Language != "en" {
			t.Fatalf("the post's reach: %+v (%v)", post, err)
		}

		// The MFA answers from web-care; DFAT is mentioned.
		if _, err := id.Svc.Answer(bima, q[0].ID, publicdiplomacy.Translation{Language: "en", Content: "Thank you, Australia."}); err != nil {
			t.Fatal(err)
		}
		Exchange(t, id, au)
		if it, _ := id.Svc.Item(bima, q[0].ID); it.State != publicdiplomacy.ItemAnswered {
			t.Fatalf("the item is %q after its answer", it.State)
		}
		dq, err := au.Svc.Queue(dfatAdmin, publicdiplomacy.QueueFilter{})
		if err != nil || len(dq) != 1 || !strings.Contains(dq[0].Text, "Thank you, Australia.") || dq[0].Kind != publicdiplomacy.ItemReply {
			t.Fatalf("dfat's queue: %+v (%v)", dq, err)
		}

		// Edit, then delete: both reach DFAT.
		// A correction waits for a second person; nothing goes out before.
		if _, err := id.Svc.EditPublished(sari, post.ID, 0, publicdiplomacy.Translation{Content: "Indonesia welcomes the ASEAN cyber norms roadmap, adopted today. #ASEAN"}); err != nil {
			t.Fatal(err)
		}
		Exchange(t, id, au)
		if it := find(t, au, dfat.ID, en.URI); strings.Contains(it.Text, "adopted today") {
			t.Fatalf("a correction went out before its approval")
		}
		if _, err := id.Svc.ApproveCorrection(sari, post.ID, 0); core.KindOf(err) != core.KindForbidden {
			t.Fatalf("the correction's author approved it: %v", err)
		}
		if _, err := id.Svc.ApproveCorrection(bima, post.ID, 0); err != nil {
			t.Fatal(err)
		}
		Exchange(t, id, au)
		if it := find(t, au, dfat.ID, en.URI); !strings.Contains(it.Text, "adopted today") || it.UpdatedAt == nil {
			t.Fatalf("the edit arrived as %+v", it)
		}
		if err := id.Svc.DeletePost(sari, post.ID); err != nil {
			t.Fatal(err)
		}
		Exchange(t, id, au)
		if it := find(t, au, dfat.ID, en.URI); !it.Deleted || it.Text != "" {
			t.Fatalf("the deletion arrived as %+v", it)
		}

		// Unfollow.
		if err := au.Svc.Unfollow(dfatAdmin, dfat.ID, them.URI); err != nil {
			t.Fatal(err)
		}
		Exchange(t, au, id)
		if acc, _ := id.Svc.Account(context.Background(), kemlu.ID); acc.Followers != 0 {
			t.Fatalf("kemlu keeps %d followers after the undo", acc.Followers)
		}
	})
}

// items lists what an account received, through the service's queue of
// every state (timeline items are read directly).
func items(t *testing.T, n *node, accountID string) []publicdiplomacy.Item {
	t.Helper()
	var out []publicdiplomacy.Item
	if err := n.DB.R().Select(context.Background(), &out, `SELECT i.id, i.uri, i.account_id, a.username, a.org_id, i.actor, i.actor_handle, i.actor_name, i.host, i.url, i.text, i.warning, i.language,
		i.in_reply_to, i.reply_to_post, i.visibility, i.kind, i.queue, i.state, i.assignee_id, i.assignee_name, i.answer_post, i.handled_by_name, i.handled_at,
		i.published_at, i.updated_at, i.received_at, i.deleted FROM pd_inbox i JOIN pd_accounts a ON a.id = i.account_id WHERE i.account_id = ? ORDER BY i.received_at, i.id`, accountID); err != nil {
		t.Fatal(err)
	}
	return out
}

func find(t *testing.T, n *node, accountID, uri string) publicdiplomacy.Item {
	t.Helper()
	for _, it := range items(t, n, accountID) {
		if it.URI == uri {
			return it
		}
	}
	t.Fatalf("no item %s", uri)
	return publicdiplomacy.Item{}
}
