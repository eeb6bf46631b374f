package publicdiplomacy_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/publicdiplomacy"
)

// TestWebcareDirectAndWaiting: a direct message in web-care links to no
// public copy on its instance (there is none: it is private there) and
// shows no boosts and likes of the post it answers; the queue and the
// item say how long it has waited as people say it — 5 min, 2 h 10 min,
// 3 days — in both languages.
func TestWebcareDirectAndWaiting(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		id, au := newNode(t, e), newNode(t, e)
		id.Org(t, "kemlu", core.OrgStateMinistry, "ID", "Ministry of Foreign Affairs")
		au.Org(t, "dfat", core.OrgStateMinistry, "AU", "Department of Foreign Affairs and Trade")
		kemlu, dfat := id.Account(t, "kemlu", "kemlu"), au.Account(t, "dfat", "dfat")
		sari := id.As("Sari", "kemlu", core.RoleAdmin)
		posts := id.Publish(t, "kemlu", kemlu, nil, publicdiplomacy.Translation{Language: "en", Content: "Visa services reopen on Monday."})
		me, them := au.URL+"/social/dfat", id.URL+"/social/kemlu"
		note := them + "/" + posts[0].ID

		// A public reply and a direct one to the same post.
		public := []byte(`{"id":"` + me + `/p1/activity","type":"Create","actor":"` + me + `","object":{"id":"` + me + `/p1","type":"Note","attributedTo":"` + me + `","url":"` + me + `/p1",
			"content":"Which consulates?","inReplyTo":"` + note + `","to":["https://www.w3.org/ns/activitystreams#Public"],"cc":["` + them + `"]}}`)
		direct := []byte(`{"id":"` + me + `/d1/activity","type":"Create","actor":"` + me + `","object":{"id":"` + me + `/d1","type":"Note","attributedTo":"` + me + `","url":"` + me + `/d1",
			"content":"My passport number is in this message.","inReplyTo":"` + note + `","to":["` + them + `"],"tag":[{"type":"Mention","href":"` + them + `"}]}}`)
		for _, b := range [][]byte{public, direct} {
			if c := post(t, au, dfat, id.URL+"/social/inbox", b, true, nil); c != http.StatusAccepted {
				t.Fatalf("create: %d", c)
			}
		}
		pub, dm := find(t, id, kemlu.ID, me+"/p1"), find(t, id, kemlu.ID, me+"/d1")
		if dm.Kind != publicdiplomacy.ItemDirect || pub.Kind != publicdiplomacy.ItemReply {
			t.Fatalf("kinds: %s %s", pub.Kind, dm.Kind)
		}
		pg := newWCPages(t, id)

		body := pg.page(pg.do(sari, "en", "GET /webcare/{id}", "/webcare/"+dm.ID, "", "id", dm.ID), 200, "the direct message", "My passport number", "Private")
		if strings.Contains(body, "See it on") || strings.Contains(body, me+"/d1") {
			t.Error("a direct message links to its instance")
		}
		if strings.Contains(body, "Boosts:") {
			t.Error("a direct message shows boosts and likes")
		}
		pg.page(pg.do(sari, "en", "GET /webcare/{id}", "/webcare/"+pub.ID, "", "id", pub.ID), 200, "the public reply", "See it on "+au.Host, "Boosts: 0 · Likes: 0 · Replies: 2")

		for _, step := range []struct {
			after  time.Duration
			en, id string
		}{
			{20 * time.Second, "waiting under a minute", "menunggu kurang dari semenit"},
			{5 * time.Minute, "waiting 5 min", "menunggu 5 menit"},
			{2 * time.Hour, "waiting 2 h 5 min", "menunggu 2 jam 5 menit"},
			{5 * time.Minute, "waiting 2 h 10 min", "menunggu 2 jam 10 menit"},
			{50 * time.Minute, "waiting 3 h", "menunggu 3 jam"},
			{21 * time.Hour, "waiting 1 day", "menunggu 1 hari"},
			{2 * 24 * time.Hour, "waiting 3 days", "menunggu 3 hari"},
		} {
			id.Clock.Advance(step.after)
			pg.page(pg.do(sari, "en", "GET /webcare", "/webcare", ""), 200, "the queue", step.en)
			pg.page(pg.do(sari, "en", "GET /webcare/{id}", "/webcare/"+dm.ID, "", "id", dm.ID), 200, "the item", step.en)
			pg.page(pg.do(sari, "id", "GET /webcare", "/webcare", ""), 200, "the queue in Bahasa Indonesia", step.id)
		}
	})
}
