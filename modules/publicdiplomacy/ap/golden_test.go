package ap

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

const (
	host      = "https://entente.example"
	actorID   = host + "/ap/users/kemlu"
	followers = actorID + "/followers"
	remote    = "https://mastodon.example/users/budi"
	gtsRemote = "https://gts.example/users/sari"
)

var (
	published = time.Date(2026, 2, 3, 4, 5, 6, 789_000_000, time.FixedZone("WIB", 7*3600))
	edited    = time.Date(2026, 2, 3, 8, 0, 0, 0, time.UTC)
)

func testActor() *Actor {
	return &Actor{
		ID: actorID, Type: "Organization", PreferredUsername: "kemlu", Name: "Kementerian Luar Negeri",
		Summary: "<p>Official account. Cyber diplomacy &amp; norms.</p>", URL: host + "/@kemlu",
		Inbox: actorID + "/inbox", Outbox: actorID + "/outbox", Followers: followers, Following: actorID + "/following",
		SharedInbox: host + "/ap/inbox", Featured: actorID + "/collections/featured",
		ManuallyApprovesFollowers: false, Discoverable: true, Indexable: true,
		Published:  time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		Icon:       &Image{URL: host + "/media/kemlu.png", MediaType: "image/png"},
		Attachment: []PropertyValue{{Name: "Website", Value: `<a href="https://kemlu.example" rel="me nofollow noopener noreferrer" target="_blank">kemlu.example</a>`}},
		PublicKey:  Key{ID: actorID + "#main-key", Owner: actorID, PublicKeyPEM: "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAtest\n-----END PUBLIC KEY-----\n"},
	}
}

func testNote() *Note {
	return &Note{
		ID: actorID + "/statuses/01J", URL: host + "/@kemlu/01J", AttributedTo: actorID,
		Content: `<p>Selamat pagi <span class="h-card"><a href="https://mastodon.example/@budi" class="u-url mention">@<span>budi</span></a></span>, see <a href="https://entente.example/tags/cyberdiplomacy" class="mention hashtag" rel="tag">#<span>cyberdiplomacy</span></a></p>`,
		Summary: "Draft norms text", Sensitive: true, InReplyTo: "https://mastodon.example/users/budi/statuses/109",
		Language: "id", Published: published,
		To: []string{Public}, Cc: []string{followers, remote},
		Tag: []Tag{
			{Type: "Mention", Name: "@budi@mastodon.example", Href: remote},
			{Type: "Hashtag", Name: "#cyberdiplomacy", Href: host + "/tags/cyberdiplomacy"},
		},
		Attachment: []Attachment{{Type: "Document", MediaType: "image/jpeg", URL: host + "/media/01J.jpg",
			Name: "Delegates seated around the negotiating table", Width: 1200, Height: 800}},
	}
}

func editedNote() *Note {
	n := testNote()
	n.Content = strings.Replace(n.Content, "Selamat pagi", "Selamat siang", 1)
	n.Updated = &edited
	return n
}

func follow() *Activity {
	return &Activity{ID: remote + "#follows/42", Type: "Follow", Actor: remote, Object: actorID}
}

func ourFollow() *Activity {
	return &Activity{ID: actorID + "#follows/7", Type: "Follow", Actor: actorID, Object: gtsRemote}
}

func like() *Activity {
	return &Activity{ID: actorID + "#likes/9", Type: "Like", Actor: actorID, Object: "https://mastodon.example/users/budi/statuses/109"}
}

func announce() *Activity {
	return &Activity{ID: actorID + "/statuses/02K/activity", Type: "Announce", Actor: actorID,
		Object: "https://mastodon.example/users/budi/statuses/109", Published: published,
		To: []string{Public}, Cc: []string{remote, followers}}
}

// goldenDocs are the documents we serve, one golden file each.
func goldenDocs() []struct {
	name string
	v    any
} {
	return []struct {
		name string
		v    any
	}{
		{"webfinger", WebFinger{Subject: "acct:kemlu@entente.example", Aliases: []string{actorID, host + "/@kemlu"}, Links: []Link{
			{Rel: "http://webfinger.net/rel/profile-page", Type: "text/html", Href: host + "/@kemlu"},
			{Rel: "self", Type: ContentType, Href: actorID},
		}}},
		{"actor", testActor()},
		{"note", testNote()},
		{"create", &Activity{ID: actorID + "/statuses/01J/activity", Type: "Create", Actor: actorID, Object: testNote(),
			Published: published, To: []string{Public}, Cc: []string{followers, remote}}},
		{"update_note", &Activity{ID: actorID + "/statuses/01J#updates/1770105600", Type: "Update", Actor: actorID, Object: editedNote(),
			Published: edited, To: []string{Public}, Cc: []string{followers, remote}}},
		{"update_actor", &Activity{ID: actorID + "#updates/1770105600", Type: "Update", Actor: actorID, Object: testActor(),
			To: []string{Public}}},
		{"delete", &Activity{ID: actorID + "/statuses/01J#delete", Type: "Delete", Actor: actorID,
			Object: &Tombstone{ID: actorID + "/statuses/01J"}, To: []string{Public}}},
		{"follow", ourFollow()},
		{"accept", &Activity{ID: actorID + "#accepts/follows/42", Type: "Accept", Actor: actorID, Object: follow()}},
		{"reject", &Activity{ID: actorID + "#rejects/follows/42", Type: "Reject", Actor: actorID, Object: follow()}},
		{"undo_follow", &Activity{ID: actorID + "#follows/7/undo", Type: "Undo", Actor: actorID, Object: ourFollow()}},
		{"announce", announce()},
		{"like", like()},
		{"undo_like", &Activity{ID: actorID + "#likes/9/undo", Type: "Undo", Actor: actorID, Object: like()}},
		{"undo_announce", &Activity{ID: actorID + "/statuses/02K/activity/undo", Type: "Undo", Actor: actorID, Object: announce(),
			To: []string{Public}, Cc: []string{remote, followers}}},
		{"outbox", OrderedCollection{ID: actorID + "/outbox", TotalItems: 12, First: actorID + "/outbox?page=true", Last: actorID + "/outbox?min_id=0&page=true"}},
		{"outbox_page", CollectionPage{ID: actorID + "/outbox?page=true", PartOf: actorID + "/outbox", TotalItems: 12,
			Next: actorID + "/outbox?max_id=01J&page=true", OrderedItems: []any{announce()}}},
	}
}

// render writes a document the way a handler should: no HTML escaping of
// '<' (Mastodon writes content raw), indented for review.
func render(t *testing.T, v any) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestGolden(t *testing.T) {
	for _, d := range goldenDocs() {
		t.Run(d.name, func(t *testing.T) {
			got := render(t, d.v)
			path := filepath.Join("testdata", "golden", d.name+".json")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from its golden file:\n%s", d.name, got)
			}
			var m map[string]any
			if err := json.Unmarshal(got, &m); err != nil {
				t.Fatal(err)
			}
			checkShape(t, d.name, m)
		})
	}
}

// checkShape asserts what Mastodon needs of each document, apart from the
// golden bytes (which a careless -update could bless).
func checkShape(t *testing.T, name string, m map[string]any) {
	t.Helper()
	if name == "webfinger" {
		w, err := ParseWebFinger(render(t, m))
		if err != nil || w.Self() != actorID || w.Subject != "acct:kemlu@entente.example" {
			t.Errorf("webfinger: self %q subject %q %v", w.Self(), w.Subject, err)
		}
		return
	}
	ctx := m["@context"]
	if ctx == nil {
		t.Fatal("no @context")
	}
	id, _ := m["id"].(string)
	if !absURL(id) || m["type"] == nil {
		t.Errorf("id %q type %v", id, m["type"])
	}
	actor := m
	if name == "update_actor" {
		actor = m["object"].(map[string]any)
		if actor["@context"] != nil {
			t.Error("embedded actor carries its own @context")
		}
	}
	if name == "actor" || name == "update_actor" {
		l, _ := ctx.([]any)
		if !slices.Contains(l, any("https://w3id.org/security/v1")) || !slices.Contains(l, any("https://www.w3.org/ns/activitystreams")) {
			t.Errorf("actor context %v lacks activitystreams or security/v1", ctx)
		}
		pk := actor["publicKey"].(map[string]any)
		if pk["owner"] != actor["id"] || pk["id"] != actor["id"].(string)+"#main-key" || pk["publicKeyPem"] == "" {
			t.Errorf("publicKey %v", pk)
		}
		for _, f := range []string{"inbox", "outbox", "followers", "following", "preferredUsername"} {
			if actor[f] == nil {
				t.Errorf("actor lacks %s", f)
			}
		}
		if ep := actor["endpoints"].(map[string]any); ep["sharedInbox"] != host+"/ap/inbox" {
			t.Errorf("endpoints %v", ep)
		}
		if a, err := ParseActor(render(t, actor)); err != nil || a.PublicKey.Owner != actorID {
			t.Errorf("our actor does not parse back: %v", err)
		}
	}
	if strings.HasPrefix(name, "outbox") {
		return
	}
	// Addressing: what Mastodon reads to decide who sees it.
	note := m
	switch name {
	case "create", "update_note":
		note = m["object"].(map[string]any)
		if !slices.Equal(strs(m["to"]), strs(note["to"])) || !slices.Equal(strs(m["cc"]), strs(note["cc"])) {
			t.Errorf("activity addressed to %v/%v, its note to %v/%v", m["to"], m["cc"], note["to"], note["cc"])
		}
		if m["actor"] != note["attributedTo"] {
			t.Error("actor is not the note's author")
		}
		fallthrough
	case "note":
		if Visibility(strs(note["to"]), strs(note["cc"]), followers) != "public" {
			t.Errorf("note addressed %v %v is not public", note["to"], note["cc"])
		}
		if note["sensitive"] != true || note["summary"] != "Draft norms text" {
			t.Error("content warning lost")
		}
		cm := note["contentMap"].(map[string]any)
		if len(cm) != 1 || cm["id"] != note["content"] {
			t.Errorf("contentMap %v", cm)
		}
		att := note["attachment"].([]any)[0].(map[string]any)
		if att["name"] != att["summary"] || att["name"] == "" {
			t.Errorf("alt text %v", att)
		}
		if name == "update_note" && note["updated"] == nil {
			t.Error("an edit without updated")
		}
	case "delete":
		if o := m["object"].(map[string]any); o["type"] != "Tombstone" || o["id"] == nil {
			t.Errorf("delete object %v", o)
		}
		fallthrough
	case "announce", "undo_announce":
		if !IsPublic(strs(m["to"]), strs(m["cc"])) {
			t.Errorf("%s not addressed publicly", name)
		}
	case "accept", "reject", "undo_follow", "undo_like":
		if o := m["object"].(map[string]any); o["id"] == nil || o["actor"] == nil || o["@context"] != nil {
			t.Errorf("%s object %v", name, o)
		}
	}
	if name != "note" && name != "actor" {
		in, err := ParseActivity(render(t, m))
		if err != nil || in.ID != id || in.Actor != actorID {
			t.Errorf("our %s does not parse back: %+v %v", name, in, err)
		}
	}
}

func strs(v any) []string {
	var out []string
	l, _ := v.([]any)
	for _, x := range l {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

func TestOwnNoteParsesBack(t *testing.T) {
	b := render(t, &Activity{ID: actorID + "/statuses/01J/activity", Type: "Create", Actor: actorID, Object: testNote(),
		To: []string{Public}, Cc: []string{followers}})
	in, err := ParseActivity(b)
	if err != nil {
		t.Fatal(err)
	}
	n, o := testNote(), in.Object
	if o == nil || o.ID != n.ID || o.Content != n.Content || o.Language != "id" || o.Summary != n.Summary || !o.Sensitive ||
		o.InReplyTo != n.InReplyTo || !o.Published.Equal(n.Published.Truncate(time.Second)) || len(o.Tag) != 2 ||
		o.Attachment[0].Name != n.Attachment[0].Name || o.Attachment[0].Width != 1200 {
		t.Errorf("parsed back %+v", o)
	}
}
