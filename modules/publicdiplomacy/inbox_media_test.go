package publicdiplomacy_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/publicdiplomacy"
	"entente.example/entente/modules/publicdiplomacy/ap"
)

// imageNote is a signed Create of a Note by actor me with the given
// attachments (JSON objects) and extra Note properties.
func imageNote(me, id, extra string, atts ...string) []byte {
	return []byte(`{"@context":"https://www.w3.org/ns/activitystreams","id":"` + me + `/` + id + `/activity","type":"Create","actor":"` + me + `",
		"object":{"id":"` + me + `/` + id + `","type":"Note","attributedTo":"` + me + `","url":"` + me + `/` + id + `","content":"<p>Our minister in Jakarta</p>",
		"to":["` + ap.Public + `"],"cc":["` + me + `/followers"]` + extra + `,"attachment":[` + strings.Join(atts, ",") + `]}}`)
}

func attachment(mediaType, url, alt string) string {
	return `{"type":"Document","mediaType":"` + mediaType + `","url":"` + url + `","name":"` + alt + `"}`
}

// TestInboxKeepsImagesAsLinks: a followed account's post with images
// arrives with them, kept as links on the author's instance (a link to
// another host, or not http(s), is dropped; at most eight), shown on the
// timeline and on a web-care item as "Image: <alt> — open on <instance>"
// in both languages and never loaded as <img>; an Update changes them and
// a Delete removes them.
func TestInboxKeepsImagesAsLinks(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		id, au := newNode(t, e), newNode(t, e)
		id.Org(t, "kemlu", core.OrgStateMinistry, "ID", "Ministry of Foreign Affairs")
		au.Org(t, "dfat", core.OrgStateMinistry, "AU", "Department of Foreign Affairs and Trade")
		kemlu, dfat := id.Account(t, "kemlu", "kemlu"), au.Account(t, "dfat", "dfat")
		sari := id.As("Sari", "kemlu", core.RoleAdmin)
		if _, err := id.Svc.Follow(sari, kemlu.ID, "dfat@"+au.Host); err != nil {
			t.Fatal(err)
		}
		Exchange(t, id, au)
		me, inbox := au.URL+"/social/dfat", id.URL+"/social/inbox"

		// Ten images: the eight first on dfat's own host are kept, the
		// tracker elsewhere and the script are not.
		atts := []string{
			attachment("image/jpeg", au.URL+"/media/0.jpg", `The minister <b>shakes</b> hands\nin Canberra`),
			attachment("image/png", "https://tracker.example/pixel.png", "tracker"),
			attachment("image/png", "javascript:alert(1)", "script"),
			attachment("", au.URL+"/media/1.png", ""),
		}
		for i := 2; i < 10; i++ {
			atts = append(atts, attachment("image/png", fmt.Sprintf("%s/media/%d.png", au.URL, i), fmt.Sprintf("picture %d", i)))
		}
		if c := post(t, au, dfat, inbox, imageNote(me, "n1", "", atts...), true, nil); c != http.StatusAccepted {
			t.Fatalf("create: %d", c)
		}
		r, err := id.Svc.Reading(sari, kemlu.ID, 1)
		if err != nil || len(r.Items) != 1 {
			t.Fatalf("reading: %v, %d items", err, len(r.Items))
		}
		imgs := r.Items[0].Images()
		if len(imgs) != 8 {
			t.Fatalf("%d images kept, want 8: %+v", len(imgs), imgs)
		}
		want := publicdiplomacy.RemoteMedia{URL: au.URL + "/media/0.jpg", MediaType: "image/jpeg", Alt: "The minister <b>shakes</b> hands in Canberra"}
		if imgs[0] != want || imgs[1].URL != au.URL+"/media/1.png" || imgs[1].Alt != "" {
			t.Errorf("images: %+v", imgs[:2])
		}
		for _, m := range imgs {
			if !strings.HasPrefix(m.URL, au.URL+"/") {
				t.Errorf("kept a link off the author's host: %s", m.URL)
			}
		}

		pg := newWCPages(t, id)
		for lang, words := range map[string][]string{
			"en": {"Image: The minister &lt;b&gt;shakes&lt;/b&gt; hands in Canberra — open on " + au.Host, "Image without a description — open on " + au.Host},
			"id": {"Gambar: The minister &lt;b&gt;shakes&lt;/b&gt; hands in Canberra — buka di " + au.Host, "Gambar tanpa keterangan — buka di " + au.Host},
		} {
			body := pg.page(pg.do(sari, lang, "GET /webcare/timeline", "/webcare/timeline", ""), 200, lang+" timeline", words...)
			if !strings.Contains(body, `href="`+au.URL+`/media/0.jpg"`) {
				t.Errorf("%s: no link to the image", lang)
			}
			if strings.Contains(body, "<img") || strings.Contains(body, "tracker.example") || strings.Contains(body, "javascript:") {
				t.Errorf("%s: the timeline loads or links what it must not", lang)
			}
		}

		// An Update replaces the images; what is not an image is a file.
		upd := strings.Replace(string(imageNote(me, "n1", "", attachment("application/pdf", au.URL+"/media/brief.pdf", "Brief"))), `"type":"Create"`, `"type":"Update"`, 1)
		upd = strings.Replace(upd, "n1/activity", "n1#update1", 1)
		if c := post(t, au, dfat, id.URL+"/social/inbox", []byte(upd), true, nil); c != http.StatusAccepted {
			t.Fatalf("update: %d", c)
		}
		r, _ = id.Svc.Reading(sari, kemlu.ID, 1)
		if imgs := r.Items[0].Images(); len(imgs) != 1 || imgs[0].Kind() != "file" {
			t.Fatalf("after the update: %+v", imgs)
		}

		// A reply to kemlu's post, with an image, is a web-care item that
		// shows it the same way.
		posts := id.Publish(t, "kemlu", kemlu, nil, publicdiplomacy.Translation{Language: "en", Content: "Visa services reopen on Monday."})
		note := id.URL + "/social/kemlu/" + posts[0].ID
		reply := imageNote(me, "n2", `,"inReplyTo":"`+note+`"`, attachment("image/webp", au.URL+"/media/queue.webp", "Queue at the consulate"))
		if c := post(t, au, dfat, inbox, reply, true, nil); c != http.StatusAccepted {
			t.Fatalf("reply: %d", c)
		}
		it := find(t, id, kemlu.ID, me+"/n2")
		body := pg.page(pg.do(sari, "en", "GET /webcare/{id}", "/webcare/"+it.ID, "", "id", it.ID), 200, "item", "Image: Queue at the consulate — open on "+au.Host)
		if strings.Contains(body, "<img") {
			t.Error("the item page loads a remote image")
		}

		// A deleted post keeps no images.
		del := []byte(`{"id":"` + me + `/n2#delete","type":"Delete","actor":"` + me + `","object":"` + me + `/n2"}`)
		if c := post(t, au, dfat, inbox, del, true, nil); c != http.StatusAccepted {
			t.Fatalf("delete: %d", c)
		}
		if it, err := id.Svc.Item(sari, it.ID); err != nil || len(it.Images()) != 0 {
			t.Fatalf("after the delete: %v %+v", err, it.Images())
		}
	})
}

func TestMediaOnTheAuthorsMediaHost(t *testing.T) {
	from := publicdiplomacy.RemoteActor{Host: "mastodon.social"}
	bund := publicdiplomacy.RemoteActor{Host: "social.bund.de"}
	for _, c := range []struct {
		from publicdiplomacy.RemoteActor
		link string
		kept bool
	}{
		{from, "https://mastodon.social/system/a.png", true},
		{from, "https://files.mastodon.social/media/a.png", true},
		{from, "https://tracker.example/a.png", false},
		{from, "https://evilmastodon.social/a.png", false},
		{bund, "https://s3.bund.de/media/a.png", true},
		{bund, "https://example.de/a.png", false},
		{from, "javascript:alert(1)", false},
	} {
		if got := publicdiplomacy.MediaURLForTest(c.link, c.from) != ""; got != c.kept {
			t.Errorf("%s from %s: kept %v", c.link, c.from.Host, got)
		}
	}
}
