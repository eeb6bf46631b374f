package publicdiplomacy_test

import (
	"net/http"
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/publicdiplomacy"
)

// TestWordingInBahasaIndonesia: a language named after "dalam" reads
// "dalam bahasa Inggris", and the calendar's week is a "Pekan" (a
// "Minggu" is also a Sunday).
func TestWordingInBahasaIndonesia(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		id, au := newNode(t, e), newNode(t, e)
		id.Org(t, "kemlu", core.OrgStateMinistry, "ID", "Ministry of Foreign Affairs")
		au.Org(t, "dfat", core.OrgStateMinistry, "AU", "Department of Foreign Affairs and Trade")
		kemlu, dfat := id.Account(t, "kemlu", "kemlu"), au.Account(t, "dfat", "dfat")
		sari := id.As("Sari", "kemlu", core.RoleAdmin)
		posts := id.Publish(t, "kemlu", kemlu, nil, publicdiplomacy.Translation{Language: "en", Content: "Visa services reopen on Monday."})
		me, note := au.URL+"/social/dfat", id.URL+"/social/kemlu/"+posts[0].ID
		reply := []byte(`{"id":"` + me + `/r1/activity","type":"Create","actor":"` + me + `","object":{"id":"` + me + `/r1","type":"Note","attributedTo":"` + me + `",
			"content":"Which consulates?","contentMap":{"en":"Which consulates?"},"inReplyTo":"` + note + `","to":["https://www.w3.org/ns/activitystreams#Public"]}}`)
		if c := post(t, au, dfat, id.URL+"/social/inbox", reply, true, nil); c != http.StatusAccepted {
			t.Fatalf("reply: %d", c)
		}
		it := find(t, id, kemlu.ID, me+"/r1")
		pg := newWCPages(t, id)
		pg.page(pg.do(sari, "id", "GET /webcare/{id}", "/webcare/"+it.ID, "", "id", it.ID), 200, "the item in Bahasa Indonesia",
			"Jawaban tersimpan dalam bahasa Inggris: 0", "Dibagikan: 0 · Disukai: 0 · Balasan: 1")
		pg.page(pg.do(sari, "en", "GET /webcare/{id}", "/webcare/"+it.ID, "", "id", it.ID), 200, "the item in English",
			"Saved answers in English: 0", "Boosts: 0 · Likes: 0 · Replies: 1")

		pg.page(pg.do(sari, "id", "GET /newsroom", "/newsroom", ""), 200, "the newsroom in Bahasa Indonesia", "Pekan ini")
		pg.page(pg.do(sari, "id", "GET /newsroom/calendar", "/newsroom/calendar", ""), 200, "the month in Bahasa Indonesia", ">Pekan</a>")
	})
}
