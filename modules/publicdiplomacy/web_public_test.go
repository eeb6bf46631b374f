package publicdiplomacy

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/store/storetest"
)

// TestProfileNegotiatesContent asks an account's address and a post's
// address as Mastodon does (activity+json) and as a browser does: the
// first get the ActivityPub documents, the second the pages — a profile
// whose links carry rel="me" (in the page's head too), that says the node
// verifies it, and a post whose content warning hides its text and that
// links its other language.
func TestProfileNegotiatesContent(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newNRWorld(t, e)
		w.org(t, "kemlu", "Ministry of Foreign Affairs")
		acc := w.account(t, "kemlu", "kemlu", Field{Name: "Website", Value: "https://kemlu.go.id"}, Field{Name: "Motto", Value: "Bebas aktif"})
		posts := w.publish(t, acc, "kemlu", Translation{Language: "en", Content: "Cyber norms matter. #ASEAN", Warning: "Policy"},
			Translation{Language: "id", Content: "Norma siber penting. #ASEAN"})
		anon := w.anonymous()

		for _, accept := range []string{"application/activity+json", `application/ld+json; profile="https://www.w3.org/ns/activitystreams"`} {
			r := anon.get(t, "/social/kemlu", accept)
			nrWant(t, "the actor as "+accept, r, http.StatusOK)
			var doc struct{ ID, Type, PreferredUsername, Inbox string }
			if err := json.Unmarshal([]byte(r.Body), &doc); err != nil || doc.Type != "Person" || doc.ID != w.url+"/social/kemlu" || doc.PreferredUsername != "kemlu" {
				t.Errorf("actor as %s: %+v (%v) %s", accept, doc, err, r.Header.Get("Content-Type"))
			}
		}
		r := anon.get(t, "/social/kemlu", "")
		nrWant(t, "the profile", r, http.StatusOK)
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") || !strings.Contains(r.Header.Get("Vary"), "Accept") {
			t.Errorf("profile: %q, Vary %q", r.Header.Get("Content-Type"), r.Header.Values("Vary"))
		}
		nrWantIn(t, "the profile", r.Body, "<h1>The kemlu</h1>", "@kemlu@"+w.fed.Host, `<link rel="me" href="https://kemlu.go.id">`,
			`<a href="https://kemlu.go.id" rel="me nofollow noopener" target="_blank">kemlu.go.id</a>`, "Bebas aktif",
			"This account is served by this node for its organisation.", `<a href="/social">`, "<p>Official account.</p><p>Akun resmi.</p>",
			"Followers: 0", "Posts: 2", "<details><summary>Policy</summary><p>Cyber norms matter.", "Norma siber penting.",
			`href="`+w.url+`/social/tags/asean"`)
		if strings.Contains(r.Body, `<link rel="me" href="Bebas`) {
			t.Errorf("a field that is not a link is linked")
		}

		r = anon.get(t, "/social/kemlu/"+posts[0].ID, "application/activity+json")
		var note struct{ ID, Type, Summary, Content string }
		if err := json.Unmarshal([]byte(r.Body), &note); r.Status != 200 || err != nil || note.Type != "Note" || note.Summary != "Policy" {
			t.Errorf("note: %d %+v (%v)", r.Status, note, err)
		}
		r = anon.get(t, "/social/kemlu/"+posts[0].ID, "")
		nrWant(t, "the post", r, http.StatusOK)
		nrWantIn(t, "the post", r.Body, "<details><summary>Policy</summary>", "In other languages:", `href="/social/kemlu/`+posts[1].ID+`" hreflang="id"`,
			"Boosts: 0 · Likes: 0 · Replies: 0", `<link rel="alternate" type="application/activity+json"`)

		// A draft is nobody's business; a post of another account is not
		// under this one's address.
		w.svc.CreateDraft(w.as("writer", "Bima", "kemlu", core.RoleOfficer), Draft{AccountID: acc.ID, Translations: []Translation{{Language: "en", Content: "Secret draft"}}})
		other := w.account(t, "kemlu", "kbri_canberra")
		for _, p := range []string{"/social/" + other.Username + "/" + posts[0].ID, "/social/nobody", "/social/tags/x%3Cy"} {
			if r := anon.get(t, p, ""); r.Status != http.StatusNotFound {
				t.Errorf("%s: %d", p, r.Status)
			}
		}
		if r := anon.get(t, "/social/kemlu", ""); strings.Contains(r.Body, "Secret draft") {
			t.Errorf("the profile shows a draft")
		}
	})
}

// TestTagPage lists the public posts with a hashtag, not those with a
// longer one that starts alike.
func TestTagPage(t *testing.T) {
	w := newNRWorld(t, storetest.Engines(t)[0])
	w.org(t, "kemlu", "Ministry of Foreign Affairs")
	acc := w.account(t, "kemlu", "kemlu")
	w.publish(t, acc, "kemlu", Translation{Language: "en", Content: "On #cyber norms."})
	w.publish(t, acc, "kemlu", Translation{Language: "en", Content: "On #cybercrime treaties."})
	r := w.anonymous().get(t, "/social/tags/Cyber", "")
	nrWant(t, "the tag", r, http.StatusOK)
	nrWantIn(t, "the tag", r.Body, "<h1>#cyber</h1>", "norms.")
	if strings.Contains(r.Body, "treaties") {
		t.Errorf("#cyber lists #cybercrime")
	}
}

// TestPublicMedia serves a published post's image to anyone, as the type
// read from its bytes and marked not to be sniffed; a draft's is not
// served.
func TestPublicMedia(t *testing.T) {
	w := newNRWorld(t, storetest.Engines(t)[0])
	w.org(t, "kemlu", "Ministry of Foreign Affairs")
	acc := w.account(t, "kemlu", "kemlu")
	writer, approver := w.as("writer", "Bima", "kemlu", core.RoleOfficer), w.as("approver", "Sari", "kemlu", core.RoleAdmin)
	msg, err := w.svc.CreateDraftWith(writer, Draft{AccountID: acc.ID, Translations: []Translation{{Language: "en", Content: "A picture."}}},
		&Image{Data: nrPNG, Alt: map[string]string{"en": "A harbour at dawn."}})
	if err != nil {
		t.Fatal(err)
	}
	id := msg[0].Media[0].ID
	anon := w.anonymous()
	if r := anon.get(t, "/social/media/"+id, "image/*"); r.Status != http.StatusNotFound {
		t.Fatalf("a draft's image: %d", r.Status)
	}
	w.svc.Submit(writer, msg[0].GroupID)
	w.svc.Approve(approver, msg[0].GroupID)
	w.svc.PublishDue(writer)
	r := anon.get(t, "/social/media/"+id, "image/*")
	nrWant(t, "the image", r, http.StatusOK)
	if r.Header.Get("Content-Type") != "image/png" || r.Header.Get("X-Content-Type-Options") != "nosniff" || r.Body != string(nrPNG) {
		t.Errorf("image: %q %q %d bytes", r.Header.Get("Content-Type"), r.Header.Get("X-Content-Type-Options"), len(r.Body))
	}
	page := anon.get(t, "/social/kemlu/"+msg[0].ID, "")
	nrWantIn(t, "the post", page.Body, `<img src="/social/media/`+id+`" alt="A harbour at dawn."`)
}

// TestVerifiedListIsSigned checks the public list of accounts the way a
// citizen would: the node's key from its descriptor at /.well-known/entente,
// the signature over the list's exact bytes; a changed byte fails.
func TestVerifiedListIsSigned(t *testing.T) {
	w := newNRWorld(t, storetest.Engines(t)[0])
	w.org(t, "kemlu", "Ministry of Foreign Affairs")
	w.org(t, "bssn", "National Cyber and Crypto Agency")
	w.account(t, "kemlu", "kemlu")
	w.account(t, "bssn", "bssn")
	anon := w.anonymous()
	desc, err := federation.OpenDescriptor([]byte(anon.get(t, "/.well-known/entente", "application/json").Body))
	if err != nil {
		t.Fatal(err)
	}
	r := anon.get(t, "/social/verified.json", "application/json")
	nrWant(t, "the list", r, http.StatusOK)
	body, err := federation.VerifyStatement(VerifiedContext, []byte(r.Body), desc.SigningKey)
	if err != nil {
		t.Fatal(err)
	}
	var list VerifiedList
	if err := json.Unmarshal(body, &list); err != nil {
		t.Fatal(err)
	}
	if list.Node != w.fed.Host || len(list.Accounts) != 2 {
		t.Fatalf("list: %+v", list)
	}
	got := map[string]VerifiedAccount{}
	for _, a := range list.Accounts {
		got[a.Handle] = a
	}
	k := got["kemlu@"+w.fed.Host]
	if k.Actor != w.url+"/social/kemlu" || k.Organisation.Handle != "kemlu" || k.Organisation.Name != "Ministry of Foreign Affairs" || k.Created.IsZero() {
		t.Errorf("kemlu: %+v", k)
	}
	forged := strings.Replace(r.Body, "kemlu", "kem1u", 1)
	if _, err := federation.VerifyStatement(VerifiedContext, []byte(forged), desc.SigningKey); err == nil {
		t.Errorf("a changed list verifies")
	}
	if _, err := federation.VerifyStatement("another-context", []byte(r.Body), desc.SigningKey); err == nil {
		t.Errorf("the list verifies as another kind of statement")
	}
	page := anon.get(t, "/social", "")
	nrWant(t, "the public list", page, http.StatusOK)
	nrWantIn(t, "the public list", page.Body, "Ministry of Foreign Affairs", "National Cyber and Crypto Agency", `href="/social/kemlu"`, `href="/social/verified.json"`)
}

// TestPublicPagesAreLight holds the public pages to the node's budget — the
// first HTML within 14 KB compressed, as TestPagesAreLight measures it —
// with a profile's full first page of long posts with images and content
// warnings.
func TestPublicPagesAreLight(t *testing.T) {
	w := newNRWorld(t, storetest.Engines(t)[0])
	w.org(t, "kemlu", "Ministry of Foreign Affairs")
	acc := w.account(t, "kemlu", "kemlu", Field{Name: "Website", Value: "https://kemlu.go.id"})
	for i := range pageSize + 5 {
		text := strconv.Itoa(i) + " " + strings.Repeat("Indonesia supports an open, secure, stable, accessible and peaceful ICT environment. ", 5) + "#cyber @someone@example.org"
		w.publish(t, acc, "kemlu", Translation{Language: "en", Content: text[:min(len(text), 480)], Warning: "Policy"})
		w.clock.Advance(time.Minute)
	}
	posts, _ := w.svc.PublicPosts(w.as("x", "x", "kemlu", core.RoleMember), acc.ID, "", 0, 1)
	anon := w.anonymous()
	for _, p := range []string{"/social", "/social/kemlu", "/social/kemlu?page=2", "/social/kemlu/" + posts[0].ID, "/social/tags/cyber"} {
		r := anon.get(t, p, "")
		nrWant(t, p, r, http.StatusOK)
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
		zw.Write([]byte(r.Body))
		zw.Close()
		if buf.Len() > 14*1024 {
			t.Errorf("%s: %d bytes compressed, over 14 KB", p, buf.Len())
		}
		if strings.Contains(r.Body, "<script") {
			t.Errorf("%s carries a script", p)
		}
		t.Logf("%s: %d bytes, %d compressed", p, len(r.Body), buf.Len())
	}
}
