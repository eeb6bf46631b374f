package publicdiplomacy

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/publicdiplomacy/ap"
)

// TestSharingPreviews reads the heads of a post's page and a profile as a
// messenger drawing a preview does, and as Mastodon does when someone
// pastes the address: description, OpenGraph, the canonical address, the
// post in its other language, and the ActivityPub document.
func TestSharingPreviews(t *testing.T) {
	w := newNRWorld(t, storetest.Engines(t)[0])
	w.org(t, "kemlu", "Ministry of Foreign Affairs")
	acc := w.account(t, "kemlu", "kemlu")
	writer, approver := w.as("writer", "Bima", "kemlu", core.RoleOfficer), w.as("approver", "Sari", "kemlu", core.RoleAdmin)
	msg, err := w.svc.CreateDraftWith(writer, Draft{AccountID: acc.ID, Translations: []Translation{{Language: "en", Content: "Cyber norms <matter>.\n\nRead on."},
		{Language: "id", Content: "Norma siber penting."}}}, &Image{Data: nrPNG, Alt: map[string]string{"en": "A harbour at dawn.", "id": "Pelabuhan saat fajar."}})
	if err != nil {
		t.Fatal(err)
	}
	w.svc.Submit(writer, msg[0].GroupID)
	w.svc.Approve(approver, msg[0].GroupID)
	w.svc.PublishDue(writer)
	en, id := msg[0], msg[1]
	if en.Language != "en" {
		en, id = id, en
	}
	anon := w.anonymous()
	postURL, actorURL := w.url+"/social/kemlu/"+en.ID, w.url+"/social/kemlu"

	r := anon.get(t, "/social/kemlu/"+en.ID, "")
	nrWant(t, "the post", r, http.StatusOK)
	head, _, _ := strings.Cut(r.Body, "</head>")
	nrWantIn(t, "the post's head", head,
		`<meta name="description" content="Cyber norms &lt;matter&gt;. Read on.">`,
		`<link rel="canonical" href="`+postURL+`">`,
		`<meta property="og:type" content="article">`,
		`<meta property="og:title" content="The kemlu (@kemlu@`+w.fed.Host+`)">`,
		`<meta property="og:description" content="Cyber norms &lt;matter&gt;. Read on.">`,
		`<meta property="og:url" content="`+postURL+`">`,
		`<meta property="og:site_name" content="Kemlu&#39;s node">`,
		`<meta property="og:locale" content="en_US">`,
		`<meta property="og:image" content="`+w.url+`/social/media/`+en.Media[0].ID+`">`,
		`<meta property="og:image:alt" content="A harbour at dawn.">`,
		`<link rel="alternate" hreflang="en" href="`+postURL+`">`,
		`<link rel="alternate" hreflang="id" href="`+w.url+`/social/kemlu/`+id.ID+`">`,
		`<link rel="alternate" type="application/activity+json" href="`+postURL+`">`)

	r = anon.get(t, "/social/kemlu/"+id.ID, "")
	head, _, _ = strings.Cut(r.Body, "</head>")
	nrWantIn(t, "the Indonesian post's head", head, `<meta property="og:locale" content="id_ID">`, `<meta property="og:image:alt" content="Pelabuhan saat fajar.">`,
		`<link rel="canonical" href="`+w.url+`/social/kemlu/`+id.ID+`">`, `<link rel="alternate" hreflang="en" href="`+postURL+`">`)

	r = anon.get(t, "/social/kemlu", "")
	head, _, _ = strings.Cut(r.Body, "</head>")
	nrWantIn(t, "the profile's head", head, `<meta name="description" content="Official account. Akun resmi.">`,
		`<link rel="canonical" href="`+actorURL+`">`, `<meta property="og:type" content="profile">`, `<meta property="og:url" content="`+actorURL+`">`,
		`<link rel="alternate" type="application/activity+json" href="`+actorURL+`">`)
	if strings.Contains(head, "og:image") || strings.Contains(head, "hreflang") {
		t.Errorf("the profile's head has an image or languages it has not:\n%s", head)
	}
}

// TestSharingPreviewOfAWarnedPost keeps a content warning's text out of the
// preview: the warning is the description, and no image shows.
func TestSharingPreviewOfAWarnedPost(t *testing.T) {
	w := newNRWorld(t, storetest.Engines(t)[0])
	w.org(t, "kemlu", "Ministry of Foreign Affairs")
	acc := w.account(t, "kemlu", "kemlu")
	posts := w.publish(t, acc, "kemlu", Translation{Language: "en", Content: "Details of the attack.", Warning: "Violence"})
	head, _, _ := strings.Cut(w.anonymous().get(t, "/social/kemlu/"+posts[0].ID, "").Body, "</head>")
	nrWantIn(t, "the head", head, `<meta property="og:description" content="Violence">`)
	if strings.Contains(head, "attack") {
		t.Errorf("the preview tells what the warning hides:\n%s", head)
	}
}

func TestDescribe(t *testing.T) {
	long := strings.Repeat("word ", 100)
	for _, tc := range []struct{ in, want string }{
		{"  One\n\ntwo  ", "One two"},
		{long, strings.TrimSpace(strings.Repeat("word ", 40)) + "…"},
		{strings.Repeat("é", 300), strings.Repeat("é", 200) + "…"},
	} {
		if got := describe(tc.in); got != tc.want {
			t.Errorf("describe(%.20q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// reply records a reply to a post as the inbox does when one arrives.
func (w *nrWorld) reply(t testing.TB, acc Account, post, handle, text, vis string, deleted bool) string {
	t.Helper()
	var id string
	user, host, _ := strings.Cut(handle, "@")
	actor := "https://" + host + "/users/" + user
	err := w.svc.db.WithTx(context.Background(), func(tx *store.Tx) error {
		id = core.NewID(tx.Now)
		_, err := tx.Exec(context.Background(), `INSERT INTO pd_inbox (id, uri, account_id, actor, actor_handle, actor_name, host, url, text, language, in_reply_to, reply_to_post,
			visibility, kind, queue, deleted, published_at, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'en', ?, ?, ?, 'reply', TRUE, ?, ?, ?)`,
			id, actor+"/statuses/"+id, acc.ID, actor, handle, "Name of "+user, host, "https://"+host+"/@"+user+"/"+id, text, w.url+"/social/"+acc.Username+"/"+post, post,
			vis, deleted, tx.Now, tx.Now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(time.Minute)
	return id
}

// answer records the account's answer to an item, as web-care's Answer
// leaves it once published (or not yet, for a state other than
// published).
func (w *nrWorld) answer(t testing.TB, acc Account, item, text, vis string, state PostState) {
	t.Helper()
	err := w.svc.db.WithTx(context.Background(), func(tx *store.Tx) error {
		id := core.NewID(tx.Now)
		_, err := tx.Exec(context.Background(), `INSERT INTO pd_posts (id, account_id, group_id, language, content, visibility, state, reply_item, published_at, created_by, created_at, updated_at)
			VALUES (?, ?, ?, 'en', ?, ?, ?, ?, ?, 'u-bima', ?, ?)`, id, acc.ID, id, text, vis, state, item, tx.Now, tx.Now, tx.Now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	w.clock.Advance(time.Minute)
}

// TestPostPageShowsItsPublicConversation shows the replies said in public
// and the account's public answers to them, and never what was said to the
// account alone: a direct or followers-only reply, a direct answer, an
// answer not yet published, a reply its author deleted, a reply to another
// post.
func TestPostPageShowsItsPublicConversation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newNRWorld(t, e)
		w.org(t, "kemlu", "Ministry of Foreign Affairs")
		acc := w.account(t, "kemlu", "kemlu")
		post := w.publish(t, acc, "kemlu", Translation{Language: "en", Content: "Visa rules change on Monday."})[0]
		other := w.publish(t, acc, "kemlu", Translation{Language: "en", Content: "Another post."})[0]

		ana := w.reply(t, acc, post.ID, "ana@social.example", "Does this apply to <students>?", "public", false)
		w.answer(t, acc, ana, "@ana@social.example Yes, students too.", VisPublic, PostPublished)
		w.answer(t, acc, ana, "@ana@social.example A draft answer.", VisPublic, PostDraft)
		budi := w.reply(t, acc, post.ID, "budi@mastodon.example", "Quietly public.", "unlisted", false)
		w.answer(t, acc, budi, "@budi@mastodon.example Only for you.", VisDirect, PostPublished)
		w.reply(t, acc, post.ID, "cici@social.example", "My passport number is 123.", "direct", false)
		w.reply(t, acc, post.ID, "dodi@social.example", "For my followers only.", "followers", false)
		w.reply(t, acc, post.ID, "eka@social.example", "I take it back.", "public", true)
		w.reply(t, acc, other.ID, "fajar@social.example", "About the other post.", "public", false)
		long := w.reply(t, acc, post.ID, "gita@social.example", strings.Repeat("long ", 100), "public", false)

		r := w.anonymous().get(t, "/social/kemlu/"+post.ID, "")
		nrWant(t, "the post", r, http.StatusOK)
		nrWantIn(t, "the conversation", r.Body, "<h2 id=\"replies\">Public replies</h2>",
			"<strong>Name of ana</strong> @ana@social.example", "<p>Does this apply to &lt;students&gt;?</p>",
			`<a href="https://social.example/@ana/`+ana+`" rel="nofollow noopener ugc"><time datetime=`,
			"Yes, students too.", "<strong>Name of budi</strong> @budi@mastodon.example", "Quietly public.",
			`<a href="https://social.example/@gita/`+long+`" rel="nofollow noopener ugc">Read it all on social.example</a>`)
		for _, hidden := range []string{"A draft answer", "Only for you", "passport", "followers only", "take it back", "About the other post", strings.Repeat("long ", maxReplyShown/5+1)} {
			if strings.Contains(r.Body, hidden) {
				t.Errorf("the public page shows %q", hidden)
			}
		}
		if strings.Index(r.Body, "Does this apply") > strings.Index(r.Body, "Quietly public") {
			t.Errorf("the replies are not oldest first")
		}
		// The answer follows the reply it answers.
		if a, b := strings.Index(r.Body, "Yes, students too."), strings.Index(r.Body, "Quietly public"); a < strings.Index(r.Body, "Does this apply") || a > b {
			t.Errorf("the answer is not under its reply")
		}

		// Each post has its own conversation; a post nobody replied to in
		// public has none.
		if r := w.anonymous().get(t, "/social/kemlu/"+other.ID, ""); !strings.Contains(r.Body, "About the other post") || strings.Contains(r.Body, "Does this apply") {
			t.Errorf("the other post's conversation is wrong")
		}
		quiet := w.publish(t, acc, "kemlu", Translation{Language: "en", Content: "Nobody answers this."})[0]
		w.reply(t, acc, quiet.ID, "hana@social.example", "Between us.", "direct", false)
		if r := w.anonymous().get(t, "/social/kemlu/"+quiet.ID, ""); strings.Contains(r.Body, "Public replies") {
			t.Errorf("a post without public replies has a conversation")
		}
	})
}

// TestPostActivity serves the Create that published a public post at the
// id it was sent with; a post that is not public has none.
func TestPostActivity(t *testing.T) {
	w := newNRWorld(t, storetest.Engines(t)[0])
	w.org(t, "kemlu", "Ministry of Foreign Affairs")
	acc := w.account(t, "kemlu", "kemlu")
	post := w.publish(t, acc, "kemlu", Translation{Language: "en", Content: "Cyber norms matter."})[0]
	anon := w.anonymous()
	for _, accept := range []string{"application/activity+json", ""} {
		r := anon.get(t, "/social/kemlu/"+post.ID+"/activity", accept)
		nrWant(t, "the activity", r, http.StatusOK)
		if !strings.HasPrefix(r.Header.Get("Content-Type"), ap.ContentType) {
			t.Errorf("Content-Type %q", r.Header.Get("Content-Type"))
		}
		var act struct {
			Context         any `json:"@context"`
			ID, Type, Actor string
			To              []string
			Object          struct{ ID, Type, Content string }
		}
		if err := json.Unmarshal([]byte(r.Body), &act); err != nil {
			t.Fatal(err)
		}
		postURL := w.url + "/social/kemlu/" + post.ID
		if act.Context == nil || act.ID != postURL+"/activity" || act.Type != "Create" || act.Actor != w.url+"/social/kemlu" || act.Object.ID != postURL ||
			act.Object.Type != "Note" || !strings.Contains(act.Object.Content, "Cyber norms matter.") || len(act.To) != 1 || act.To[0] != ap.Public {
			t.Errorf("activity: %s", r.Body)
		}
	}
	writer, approver := w.as("writer", "Bima", "kemlu", core.RoleOfficer), w.as("approver", "Sari", "kemlu", core.RoleAdmin)
	direct, err := w.svc.CreateDraft(writer, Draft{AccountID: acc.ID, Visibility: VisFollowers, Translations: []Translation{{Language: "en", Content: "Followers only."}}})
	if err != nil {
		t.Fatal(err)
	}
	w.svc.Submit(writer, direct[0].GroupID)
	w.svc.Approve(approver, direct[0].GroupID)
	w.svc.PublishDue(writer)
	for _, p := range []string{"/social/kemlu/" + direct[0].ID + "/activity", "/social/kemlu/nothing/activity", "/social/nobody/" + post.ID + "/activity", "/social/media/" + post.ID + "/activity"} {
		if r := anon.get(t, p, "application/activity+json"); r.Status != http.StatusNotFound {
			t.Errorf("%s: %d", p, r.Status)
		}
	}
}

// TestPublicMediaIsCrossOrigin lets other instances' web clients show a
// post's image, still not sniffed; the node's other answers stay
// same-origin, and so does a refusal of the media route.
func TestPublicMediaIsCrossOrigin(t *testing.T) {
	w := newNRWorld(t, storetest.Engines(t)[0])
	w.org(t, "kemlu", "Ministry of Foreign Affairs")
	acc := w.account(t, "kemlu", "kemlu")
	writer, approver := w.as("writer", "Bima", "kemlu", core.RoleOfficer), w.as("approver", "Sari", "kemlu", core.RoleAdmin)
	msg, err := w.svc.CreateDraftWith(writer, Draft{AccountID: acc.ID, Translations: []Translation{{Language: "en", Content: "A picture."}}},
		&Image{Data: nrPNG, Alt: map[string]string{"en": "A harbour at dawn."}})
	if err != nil {
		t.Fatal(err)
	}
	anon := w.anonymous()
	if r := anon.get(t, "/social/media/"+msg[0].Media[0].ID, "image/*"); r.Status != http.StatusNotFound || r.Header.Get("Cross-Origin-Resource-Policy") != "same-origin" {
		t.Errorf("a draft's image: %d, CORP %q", r.Status, r.Header.Get("Cross-Origin-Resource-Policy"))
	}
	w.svc.Submit(writer, msg[0].GroupID)
	w.svc.Approve(approver, msg[0].GroupID)
	w.svc.PublishDue(writer)
	r := anon.get(t, "/social/media/"+msg[0].Media[0].ID, "image/*")
	nrWant(t, "the image", r, http.StatusOK)
	if r.Header.Get("Cross-Origin-Resource-Policy") != "cross-origin" || r.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("image: CORP %q, nosniff %q", r.Header.Get("Cross-Origin-Resource-Policy"), r.Header.Get("X-Content-Type-Options"))
	}
	if r := anon.get(t, "/social/kemlu/"+msg[0].ID, ""); r.Header.Get("Cross-Origin-Resource-Policy") != "same-origin" {
		t.Errorf("the post's page: CORP %q", r.Header.Get("Cross-Origin-Resource-Policy"))
	}
}

// TestNodeInfoNamesThisNode gives the node's own address and name, not the
// software's.
func TestNodeInfoNamesThisNode(t *testing.T) {
	w := newNRWorld(t, storetest.Engines(t)[0])
	r := w.anonymous().get(t, "/nodeinfo/2.1", "application/json")
	nrWant(t, "nodeinfo", r, http.StatusOK)
	var doc struct {
		Software struct{ Name, Homepage string }
		Metadata struct {
			NodeName string `json:"nodeName"`
		}
	}
	if err := json.Unmarshal([]byte(r.Body), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Software.Name != "entente" || doc.Software.Homepage != w.url+"/" || doc.Metadata.NodeName != "Kemlu's node" {
		t.Errorf("nodeinfo: %s", r.Body)
	}
}

// operatorSigner is the node's federation service as a node whose
// descriptor names its operator: the descriptor signed anew, with a key of
// the test's, as OpenDescriptor wants it self-consistent.
type operatorSigner struct {
	nodeSelf
	Signer
	operator string
}

func (s operatorSigner) Descriptor() []byte {
	var d struct {
		Body      map[string]any `json:"body"`
		Signature []byte         `json:"signature"`
	}
	if err := json.Unmarshal(s.nodeSelf.Descriptor(), &d); err != nil {
		panic(err)
	}
	pub, priv, _ := ed25519.GenerateKey(nil)
	d.Body["operator"], d.Body["signing_key"] = s.operator, pub
	body, _ := json.Marshal(d.Body)
	b, _ := json.Marshal(map[string]any{"body": json.RawMessage(body), "signature": ed25519.Sign(priv, append([]byte("entente/descriptor/v1\n"), body...))})
	return b
}

// TestVerifiedPageSaysWhoRunsTheNode says in plain words who runs the node
// and what the signature proves, the technical detail folded away.
func TestVerifiedPageSaysWhoRunsTheNode(t *testing.T) {
	w := newNRWorld(t, storetest.Engines(t)[0])
	w.org(t, "kemlu", "Ministry of Foreign Affairs")
	w.account(t, "kemlu", "kemlu")
	anon := w.anonymous()
	r := anon.get(t, "/social", "")
	nrWant(t, "the list", r, http.StatusOK)
	nrWantIn(t, "the list", r.Body, "The signature proves that the list comes from this node and has not been changed",
		"<details><summary>How to check the signature</summary>", "<code class=\"value\">"+w.fed.Fed.Fingerprint()+"</code>")
	if strings.Contains(r.Body, "is run by") {
		t.Errorf("the page names an operator the node has not")
	}
	if strings.Index(r.Body, "Ed25519") < strings.Index(r.Body, "<details>") {
		t.Errorf("the technical detail is not folded away")
	}

	w.svc.opt.Signer = operatorSigner{nodeSelf: w.fed.Fed, Signer: w.fed.Fed, operator: "kemlu"}
	nrWantIn(t, "the list with an operator", anon.get(t, "/social", "").Body, "This node, Kemlu&#39;s node, is run by Ministry of Foreign Affairs")
}

// TestTagTitleKeepsTheWrittenCase titles a hashtag as the newest post
// writes it, whatever the case asked.
func TestTagTitleKeepsTheWrittenCase(t *testing.T) {
	w := newNRWorld(t, storetest.Engines(t)[0])
	w.org(t, "kemlu", "Ministry of Foreign Affairs")
	acc := w.account(t, "kemlu", "kemlu")
	w.publish(t, acc, "kemlu", Translation{Language: "en", Content: "Older, #asean."})
	w.clock.Advance(time.Minute)
	w.publish(t, acc, "kemlu", Translation{Language: "en", Content: "Newer, #ASEANDigital and #ASEAN."})
	r := w.anonymous().get(t, "/social/tags/asean", "")
	nrWant(t, "the tag", r, http.StatusOK)
	nrWantIn(t, "the tag", r.Body, "<title>#ASEAN · Entente</title>", "<h1>#ASEAN</h1>", "Older", "Newer")
	if r := w.anonymous().get(t, "/social/tags/NoSuchTag", ""); !strings.Contains(r.Body, "<h1>#NoSuchTag</h1>") {
		t.Errorf("a tag without posts is not titled as asked")
	}
}

// TestPostPageWithAFullConversationIsLight holds a post's page, with as
// many long public replies as it shows and an answer to each, to the
// node's budget: the first HTML within 14 KB compressed.
func TestPostPageWithAFullConversationIsLight(t *testing.T) {
	w := newNRWorld(t, storetest.Engines(t)[0])
	w.org(t, "kemlu", "Ministry of Foreign Affairs")
	acc := w.account(t, "kemlu", "kemlu")
	post := w.publish(t, acc, "kemlu", Translation{Language: "en", Content: strings.Repeat("Visa rules change on Monday. ", 16)})[0]
	// Words of random syllables compress about as people's writing does
	// (to some 40 %): repeated words would flatter the page.
	syllables := strings.Fields("ka ri to na me su lo pe di an ber ter kan ng si ma la ta pa ra in ul ok ek")
	seed := uint32(7)
	rnd := func(n int) int { seed = seed*1664525 + 1013904223; return int(seed>>16) % n }
	text := func(n int) string {
		var b strings.Builder
		for b.Len() < n {
			for range 1 + rnd(3) {
				b.WriteString(syllables[rnd(len(syllables))])
			}
			b.WriteString(" ")
		}
		return b.String()
	}
	for i := range maxConversation + 10 {
		item := w.reply(t, acc, post.ID, fmt.Sprintf("person%d@instance%d.example", i, i%9), text(2*maxReplyShown), "public", false)
		w.answer(t, acc, item, fmt.Sprintf("@person%d@instance%d.example %s", i, i%9, text(300)), VisPublic, PostPublished)
	}
	r := w.anonymous().get(t, "/social/kemlu/"+post.ID, "")
	nrWant(t, "the post", r, http.StatusOK)
	if n := strings.Count(r.Body, `rel="nofollow noopener ugc"><time`); n != maxConversation || !strings.Contains(r.Body, "The first 30 public replies are shown") {
		t.Errorf("%d replies shown, want %d and a word that there are more", n, maxConversation)
	}
	if n := gzippedLen(r.Body); n > 14*1024 {
		t.Errorf("%d bytes compressed, over 14 KB", n)
	} else {
		t.Logf("%d bytes, %d compressed", len(r.Body), n)
	}
}

func gzippedLen(s string) int {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.DefaultCompression)
	zw.Write([]byte(s))
	zw.Close()
	return buf.Len()
}
