package publicdiplomacy_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/publicdiplomacy"
)

// TestTimelinePage: DFAT follows the MFA on another node; what the MFA
// publishes is on DFAT's reading page in both languages, as text under its
// warning, newest first; DFAT replies from the page (an empty reply names
// its field and keeps what was typed) and the reply lands in the MFA's
// web-care queue; DFAT boosts the post and the MFA counts the boost. A
// member reads without the buttons, an analyst replies but does not boost,
// and a post for followers only is not boosted.
func TestTimelinePage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		id, au := newNode(t, e), newNode(t, e)
		id.Org(t, "kemlu", core.OrgStateMinistry, "ID", "Ministry of Foreign Affairs")
		au.Org(t, "dfat", core.OrgStateMinistry, "AU", "Department of Foreign Affairs and Trade")
		kemlu, dfat := id.Account(t, "kemlu", "kemlu"), au.Account(t, "dfat", "dfat")
		olivia := au.As("Olivia", "dfat", core.RoleAdmin)
		pg := newWCPages(t, au)

		// Before it follows anyone, the page says so.
		pg.page(pg.do(olivia, "en", "GET /webcare/timeline", "/webcare/timeline", ""), 200, "nobody followed", "This account follows nobody yet.", "/newsroom/accounts/"+dfat.ID+"/following")

		if _, err := au.Svc.Follow(olivia, dfat.ID, "kemlu@"+id.Host); err != nil {
			t.Fatal(err)
		}
		Exchange(t, au, id)
		pg.page(pg.do(olivia, "id", "GET /webcare/timeline", "/webcare/timeline", ""), 200, "nothing yet", "Belum ada yang tiba dari akun yang diikutinya.")

		first := id.Publish(t, "kemlu", kemlu, nil, publicdiplomacy.Translation{Language: "en", Content: "Visa services reopen on Monday."})[0]
		Exchange(t, id, au)
		id.Clock.Advance(time.Minute)
		au.Clock.Advance(time.Minute)
		posts := id.Publish(t, "kemlu", kemlu, nil,
			publicdiplomacy.Translation{Language: "en", Content: "Read <b>this</b> & <script>alert(1)</script> before you travel.", Warning: "Travel advice"},
			publicdiplomacy.Translation{Language: "id", Content: "Baca ini sebelum bepergian."})
		Exchange(t, id, au)
		var en publicdiplomacy.Post
		for _, p := range posts {
			if p.Language == "en" {
				en = p
			}
		}

		for lang, want := range map[string][]string{
			"en": {"Timeline of The dfat", "The kemlu", "@kemlu@" + id.Host + " · " + id.Host, "Visa services reopen on Monday.", "Baca ini sebelum bepergian.",
				"<details><summary>Content warning: Travel advice</summary>", "Boost", "Reply", "Publish the reply", "See it on " + id.Host, `lang="id"`},
			"id": {"Linimasa The dfat", "Bagikan", "Balas", "Terbitkan balasan", "Lihat di " + id.Host},
		} {
			body := pg.page(pg.do(olivia, lang, "GET /webcare/timeline", "/webcare/timeline", ""), 200, lang+" timeline", want...)
			if !strings.Contains(body, "Read &lt;b&gt;this&lt;/b&gt; &amp; &lt;script&gt;alert(1)&lt;/script&gt; before you travel.") {
				t.Errorf("%s: the remote text is not shown as text", lang)
			}
			// Newest first: the bilingual message before Monday's visas.
			if i, j := strings.Index(body, "before you travel"), strings.Index(body, "Visa services reopen"); i < 0 || j < i {
				t.Errorf("%s: not newest first", lang)
			}
			if strings.Contains(body, "Take it") || strings.Contains(body, "Mark handled") {
				t.Errorf("%s: reading offers the queue's steps", lang)
			}
		}
		var item publicdiplomacy.Item
		for _, it := range items(t, au, dfat.ID) {
			if it.URI == id.Svc.PostURL("kemlu", first.ID) {
				item = it
			}
		}
		if item.ID == "" {
			t.Fatal("the first post did not arrive")
		}

		// Who may do what.
		member := pg.page(pg.do(au.As("Yusuf", "dfat", core.RoleMember), "en", "GET /webcare/timeline", "/webcare/timeline", ""), 200, "a member reads", "Visa services reopen on Monday.")
		if strings.Contains(member, "/reply") || strings.Contains(member, "/boost") {
			t.Errorf("a member is offered to reply or boost")
		}
		analyst := pg.page(pg.do(au.As("Ana", "dfat", core.RoleAnalyst), "en", "GET /webcare/timeline", "/webcare/timeline", ""), 200, "an analyst", "/reply")
		if strings.Contains(analyst, "/boost") {
			t.Errorf("an analyst is offered to boost")
		}

		// Filters the page refuses, naming the field.
		pg.page(pg.do(olivia, "en", "GET /webcare/timeline", "/webcare/timeline?page=x", ""), 422, "a bad page", "Page: Choose one of the values offered.")
		pg.page(pg.do(olivia, "en", "GET /webcare/timeline", "/webcare/timeline?account=nope", ""), 422, "an unknown account", "Account: Choose one of your organisation&#39;s accounts.")

		// A reply: refused empty, with what was typed kept; then sent.
		reply := "/webcare/timeline/" + item.ID + "/reply"
		body := pg.page(pg.do(olivia, "en", "POST /webcare/timeline/{id}/reply", reply, url.Values{"content": {" "}, "language": {"en"}, "warning": {"kept"}, "account": {dfat.ID}}.Encode(), "id", item.ID),
			422, "an empty reply", `<a href="#content">Your reply: This is required.</a>`, `id="content"`, `value="kept"`, "<details open>")
		if strings.Count(body, `id="content"`) != 1 {
			t.Errorf("the refused form's ids are not unique")
		}
		w := pg.do(olivia, "en", "POST /webcare/timeline/{id}/reply", reply, url.Values{"content": {"Good news for travellers."}, "language": {"en"}, "account": {dfat.ID}}.Encode(), "id", item.ID)
		if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/webcare/timeline?account="+dfat.ID+"#item-"+item.ID {
			t.Fatalf("reply: %d %q %s", w.Code, w.Header().Get("Location"), w.Body)
		}
		Exchange(t, au, id)
		bima := id.As("Bima", "kemlu", core.RoleOfficer)
		q, err := id.Svc.Queue(bima, publicdiplomacy.QueueFilter{})
		if err != nil || len(q) != 1 || !strings.Contains(q[0].Text, "Good news for travellers.") || q[0].Kind != publicdiplomacy.ItemReply || q[0].ReplyToPost != first.ID {
			t.Fatalf("the MFA's queue: %+v (%v)", q, err)
		}
		pg.page(pg.do(olivia, "en", "GET /webcare/timeline", "/webcare/timeline", ""), 200, "replied", "replied by Olivia")

		// A boost, counted by the MFA.
		var enItem publicdiplomacy.Item
		for _, it := range items(t, au, dfat.ID) {
			if it.URI == id.Svc.PostURL("kemlu", en.ID) {
				enItem = it
			}
		}
		w = pg.do(olivia, "en", "POST /webcare/timeline/{id}/boost", "/webcare/timeline/"+enItem.ID+"/boost", "page=1", "id", enItem.ID)
		if w.Code != http.StatusSeeOther || !strings.HasSuffix(w.Header().Get("Location"), "#item-"+enItem.ID) {
			t.Fatalf("boost: %d %s", w.Code, w.Body)
		}
		Exchange(t, au, id)
		if p, err := id.Svc.Post(bima, en.ID); err != nil || p.Boosts != 1 {
			t.Fatalf("the MFA counts %d boosts (%v)", p.Boosts, err)
		}
		if w := pg.do(au.As("Ana", "dfat", core.RoleAnalyst), "en", "POST /webcare/timeline/{id}/boost", "/webcare/timeline/"+enItem.ID+"/boost", "", "id", enItem.ID); w.Code != http.StatusForbidden {
			t.Errorf("an analyst boosted: %d", w.Code)
		}

		// A post for followers only is read, not boosted.
		few := wcInsert(t, au, dfat, wcItem{Kind: publicdiplomacy.ItemTimeline, Visibility: "followers", Text: "For our followers only."})
		body = pg.page(pg.do(olivia, "en", "GET /webcare/timeline", "/webcare/timeline", ""), 200, "a followers-only post", "For our followers only.", "Followers only")
		if strings.Contains(body, "/webcare/timeline/"+few+"/boost") {
			t.Errorf("a followers-only post is offered to boost")
		}
		if w := pg.do(olivia, "en", "POST /webcare/timeline/{id}/boost", "/webcare/timeline/"+few+"/boost", "", "id", few); w.Code != http.StatusConflict {
			t.Errorf("a followers-only post boosted: %d", w.Code)
		}
	})
}

// TestTimelineChoosesAccount: with two accounts the page offers a choice,
// shows the chosen one's reading only, and refuses another organisation's
// account.
func TestTimelineChoosesAccount(t *testing.T) {
	n := newNode(t, storetest.Engines(t)[0])
	n.Org(t, "kemlu", core.OrgStateMinistry, "ID", "Kemlu")
	n.Org(t, "bssn", core.OrgStateMinistry, "ID", "BSSN")
	a, b, other := n.Account(t, "kemlu", "kemlu"), n.Account(t, "kemlu", "kbri"), n.Account(t, "bssn", "bssn")
	wcInsert(t, n, a, wcItem{Kind: publicdiplomacy.ItemTimeline, Text: "Seen by kemlu"})
	wcInsert(t, n, b, wcItem{Kind: publicdiplomacy.ItemTimeline, Text: "Seen by kbri"})
	wcInsert(t, n, a, wcItem{Kind: publicdiplomacy.ItemReply, Queue: true, Text: "A reply for the queue"})
	sari := n.As("Sari", "kemlu", core.RoleAdmin)
	pg := newWCPages(t, n)
	body := pg.page(pg.do(sari, "en", "GET /webcare/timeline", "/webcare/timeline?account="+b.ID, ""), 200, "kbri's", `<select id="account" name="account"`, `<option value="`+b.ID+`" selected>`, "Seen by kbri")
	if strings.Contains(body, "Seen by kemlu") || strings.Contains(body, "A reply for the queue") {
		t.Errorf("kbri's page shows another account's or the queue's items")
	}
	pg.page(pg.do(sari, "en", "GET /webcare/timeline", "/webcare/timeline?account="+other.ID, ""), 422, "another organisation's account", "Account: Choose one of your organisation")
	pg.page(pg.do(n.As("Dewi", "bssn", core.RoleAdmin), "en", "GET /webcare/timeline", "/webcare/timeline", ""), 200, "bssn's own", "Timeline of The bssn")
}

// TestTimelinePageIsLight fills a page with long posts from as many
// people: it stays under 14 KB compressed, each text cut to its start
// with a link to the rest, and the next page is offered.
func TestTimelinePageIsLight(t *testing.T) {
	n := newNode(t, storetest.Engines(t)[0])
	n.Org(t, "kemlu", core.OrgStateMinistry, "ID", "Kemlu")
	acc := n.Account(t, "kemlu", "kemlu")
	words := strings.Fields("visa consulate passport embassy roadmap norms cyberspace ASEAN Jakarta Canberra fellowship deadline webinar students question answer thanks when where how why policy incident report member states cooperation")
	for i := range publicdiplomacy.ReadingPage + 5 {
		var text []string
		for k := 0; len(strings.Join(text, " ")) < 3000; k++ {
			text = append(text, words[(i*7+k*k+k*3)%len(words)]+strings.Repeat("s", (i+k)%3))
		}
		host := words[(i*3)%len(words)] + ".example"
		name := words[i%len(words)] + "_" + words[(i*5+1)%len(words)]
		wcInsert(t, n, acc, wcItem{Kind: publicdiplomacy.ItemTimeline, Text: strings.Join(text, " "), Actor: "https://" + host + "/users/" + name,
			Handle: name + "@" + host, Host: host, Received: n.Clock.Now().Add(-time.Duration(i) * time.Minute)})
	}
	pg := newWCPages(t, n)
	body := pg.page(pg.do(n.As("Bima", "kemlu", core.RoleOfficer), "id", "GET /webcare/timeline", "/webcare/timeline", ""), 200, "a full page", "Unggahan lebih lama", "…")
	if got := strings.Count(body, `<article class="post"`); got != publicdiplomacy.ReadingPage {
		t.Errorf("%d posts on a page, want %d", got, publicdiplomacy.ReadingPage)
	}
	pg.page(pg.do(n.As("Bima", "kemlu", core.RoleOfficer), "en", "GET /webcare/timeline", "/webcare/timeline?page=2", ""), 200, "the second page", "Newer posts")
}
