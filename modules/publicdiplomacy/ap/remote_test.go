package ap

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func mustFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "remote", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustActivity(t *testing.T, name string) Incoming {
	t.Helper()
	in, err := ParseActivity(mustFixture(t, name))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return in
}

func TestParseMastodonReply(t *testing.T) {
	in := mustActivity(t, "mastodon_create_reply.json")
	if in.Type != "Create" || in.Actor != "https://mastodon.example/users/budi" || in.ObjectType != "Note" || in.Object == nil {
		t.Fatalf("%+v", in)
	}
	o := in.Object
	want := Object{
		ID: "https://mastodon.example/users/budi/statuses/111222333", Type: "Note",
		AttributedTo: "https://mastodon.example/users/budi", InReplyTo: actorID + "/statuses/01J",
		URL: "https://mastodon.example/@budi/111222333", Language: "id",
		Published: time.Date(2026, 2, 3, 9, 15, 42, 0, time.UTC),
	}
	if o.ID != want.ID || o.Type != want.Type || o.AttributedTo != want.AttributedTo || o.InReplyTo != want.InReplyTo ||
		o.URL != want.URL || o.Language != want.Language || !o.Published.Equal(want.Published) || o.Summary != "" || o.Sensitive {
		t.Errorf("object %+v", o)
	}
	if !strings.Contains(o.Content, "Terima kasih &amp; sampai") {
		t.Errorf("content %q", o.Content)
	}
	if PlainText(o.Content) != "@kemlu Terima kasih & sampai jumpa di Jenewa!" {
		t.Errorf("plain %q", PlainText(o.Content))
	}
	if len(o.Tag) != 1 || o.Tag[0] != (Tag{Type: "Mention", Name: "@kemlu@entente.example", Href: actorID}) {
		t.Errorf("tags %+v", o.Tag)
	}
	if !slices.Contains(o.Cc, actorID) || Visibility(in.To, in.Cc, "https://mastodon.example/users/budi/followers") != "public" {
		t.Errorf("addressing %v %v", in.To, in.Cc)
	}
	if !in.Published.Equal(want.Published) {
		t.Errorf("published %v", in.Published)
	}
}

func TestParseGoToSocialPost(t *testing.T) {
	in := mustActivity(t, "gotosocial_create.json")
	o := in.Object
	if o == nil || in.Actor != gtsRemote || o.AttributedTo != gtsRemote {
		t.Fatalf("%+v", in)
	}
	if !slices.Equal(in.To, []string{Public}) || !slices.Equal(o.Cc, []string{gtsRemote + "/followers"}) {
		t.Errorf("single-string addressing read as %v %v", in.To, o.Cc)
	}
	if o.Language != "en" || o.Summary != "" {
		t.Errorf("language %q summary %q", o.Language, o.Summary)
	}
	if len(o.Tag) != 1 || o.Tag[0].Type != "Hashtag" || o.Tag[0].Name != "#infrastructure" {
		t.Errorf("single-object tag read as %+v", o.Tag)
	}
	if len(o.Attachment) != 1 || o.Attachment[0].Type != "Image" || o.Attachment[0].Name != "A map of submarine cables in the Strait of Malacca" ||
		!strings.HasSuffix(o.Attachment[0].URL, ".png") {
		t.Errorf("single-object attachment read as %+v", o.Attachment)
	}
	if got := PlainText(o.Content); got != "Cables matter. #infrastructure" {
		t.Errorf("plain %q", got)
	}
}

func TestParseActivities(t *testing.T) {
	t.Run("Undo{Follow}", func(t *testing.T) {
		in := mustActivity(t, "undo_follow.json")
		if in.Type != "Undo" || in.Inner == nil || in.Inner.Type != "Follow" || in.Inner.Actor != remote ||
			in.Inner.ObjectID != actorID || in.ObjectID != remote+"#follows/42" || in.ObjectType != "Follow" {
			t.Errorf("%+v inner %+v", in, in.Inner)
		}
	})
	t.Run("Accept with a string object", func(t *testing.T) {
		in := mustActivity(t, "accept_string.json")
		if in.Type != "Accept" || in.Inner != nil || in.ObjectID != actorID+"#follows/7" || in.ObjectType != "" ||
			!slices.Equal(in.To, []string{actorID}) {
			t.Errorf("%+v", in)
		}
	})
	t.Run("Update{Person}", func(t *testing.T) {
		in := mustActivity(t, "update_person.json")
		a := in.ObjectActor
		if a == nil || a.ID != remote || a.ID != in.Actor || a.PreferredUsername != "budi" || a.SharedInbox != "https://mastodon.example/inbox" ||
			a.PublicKey.ID != remote+"#main-key" || a.Icon != "https://files.mastodon.example/accounts/avatars/budi.jpg" ||
			PlainText(a.Summary) != "Researcher, cyber norms.\nViews my own." {
			t.Errorf("%+v", a)
		}
	})
	t.Run("Delete{Tombstone}", func(t *testing.T) {
		in := mustActivity(t, "delete_tombstone.json")
		if in.Type != "Delete" || in.ObjectType != "Tombstone" || in.ObjectID != "https://mastodon.example/users/budi/statuses/111222333" || in.Object != nil {
			t.Errorf("%+v", in)
		}
	})
	t.Run("Announce with a string object", func(t *testing.T) {
		in := mustActivity(t, "announce_string.json")
		if in.Type != "Announce" || in.ObjectID != actorID+"/statuses/01J" ||
			!in.Published.Equal(time.Date(2026, 2, 3, 10, 0, 0, 123e6, time.UTC)) || Visibility(in.To, in.Cc, "") != "public" {
			t.Errorf("%+v", in)
		}
	})
}

func TestParseActivityRefuses(t *testing.T) {
	deep := `{"id":"https://a.example/1","type":"Undo","actor":"https://a.example/u","object":` +
		`{"id":"https://a.example/2","type":"Undo","actor":"https://a.example/u","object":` +
		`{"id":"https://a.example/3","type":"Accept","actor":"https://a.example/u","object":` +
		`{"id":"https://a.example/4","type":"Follow","actor":"https://a.example/u","object":"https://b.example/u"}}}}`
	for name, doc := range map[string]string{
		"not JSON":          `{"id":`,
		"an array":          `[{"id":"https://a.example/1","type":"Like","actor":"https://a.example/u"}]`,
		"a string":          `"https://a.example/1"`,
		"null":              `null`,
		"no id":             `{"type":"Like","actor":"https://a.example/u","object":"https://b.example/n"}`,
		"no type":           `{"id":"https://a.example/1","actor":"https://a.example/u","object":"https://b.example/n"}`,
		"no actor":          `{"id":"https://a.example/1","type":"Like","object":"https://b.example/n"}`,
		"relative id":       `{"id":"/likes/1","type":"Like","actor":"https://a.example/u","object":"https://b.example/n"}`,
		"ftp actor":         `{"id":"https://a.example/1","type":"Like","actor":"ftp://a.example/u","object":"https://b.example/n"}`,
		"javascript object": `{"id":"https://a.example/1","type":"Like","actor":"https://a.example/u","object":"javascript:alert(1)"}`,
		"userinfo in id":    `{"id":"https://user:pw@a.example/1","type":"Like","actor":"https://a.example/u","object":"https://b.example/n"}`,
		"note without id":   `{"id":"https://a.example/1","type":"Create","actor":"https://a.example/u","object":{"type":"Note","content":"x"}}`,
		"inner bad actor":   `{"id":"https://a.example/1","type":"Undo","actor":"https://a.example/u","object":{"type":"Follow","actor":"data:x","object":"https://b.example/u"}}`,
		"nested four deep":  deep,
		"too large":         `{"id":"https://a.example/1","type":"Like","actor":"https://a.example/u","content":"` + strings.Repeat("x", MaxDocument) + `"}`,
		"person without inbox": `{"id":"https://a.example/1","type":"Update","actor":"https://a.example/u","object":` +
			`{"id":"https://a.example/u","type":"Person","preferredUsername":"u"}}`,
	} {
		t.Run(name, func(t *testing.T) {
			if in, err := ParseActivity([]byte(doc)); err == nil {
				t.Errorf("accepted: %+v", in)
			}
		})
	}
	three := `{"id":"https://a.example/1","type":"Undo","actor":"https://a.example/u","object":` +
		`{"id":"https://a.example/3","type":"Accept","actor":"https://a.example/u","object":` +
		`{"id":"https://a.example/4","type":"Follow","actor":"https://a.example/u","object":"https://b.example/u"}}}`
	in, err := ParseActivity([]byte(three))
	if err != nil || in.Inner.Inner.Type != "Follow" {
		t.Errorf("three deep refused: %v", err)
	}
}

func TestParseActor(t *testing.T) {
	a, err := ParseActor(mustFixture(t, "gotosocial_actor.json"))
	if err != nil {
		t.Fatal(err)
	}
	if a.ID != gtsRemote || a.Inbox != gtsRemote+"/inbox" || a.SharedInbox != "" || a.PublicKey.ID != gtsRemote+"/main-key" ||
		a.PublicKey.Owner != gtsRemote || !strings.HasPrefix(a.PublicKey.PublicKeyPEM, "-----BEGIN PUBLIC KEY-----") ||
		a.Type != "Person" || a.Name != "Sari" || a.Followers != gtsRemote+"/followers" || !strings.HasSuffix(a.Icon, ".webp") {
		t.Errorf("%+v", a)
	}
	lenient := `{"id":"https://a.example/u","type":["Service","Other"],"preferredUsername":"u","inbox":{"id":"https://a.example/u/inbox"},` +
		`"url":[{"type":"Link","mediaType":"application/json","href":"https://a.example/u.json"},{"type":"Link","mediaType":"text/html","href":"https://a.example/@u"}],` +
		`"icon":[{"type":"Image","url":{"type":"Link","href":"https://a.example/i.png"}}],` +
		`"publicKey":[{"id":"https://a.example/u#other","owner":"https://a.example/u","publicKeyPem":"P"}],"name":7}`
	a, err = ParseActor([]byte(lenient))
	if err != nil || a.Type != "Service" || a.Inbox != "https://a.example/u/inbox" || a.URL != "https://a.example/@u" ||
		a.Icon != "https://a.example/i.png" || a.PublicKey.ID != "https://a.example/u#other" || a.Name != "" {
		t.Errorf("lenient actor: %+v %v", a, err)
	}
	for name, doc := range map[string]string{
		"no inbox":              `{"id":"https://a.example/u","preferredUsername":"u"}`,
		"no preferredUsername":  `{"id":"https://a.example/u","inbox":"https://a.example/i"}`,
		"no id":                 `{"preferredUsername":"u","inbox":"https://a.example/i"}`,
		"http-less inbox":       `{"id":"https://a.example/u","preferredUsername":"u","inbox":"a.example/i"}`,
		"bad sharedInbox":       `{"id":"https://a.example/u","preferredUsername":"u","inbox":"https://a.example/i","endpoints":{"sharedInbox":"file:///etc/passwd"}}`,
		"key of another owner":  `{"id":"https://a.example/u","preferredUsername":"u","inbox":"https://a.example/i","publicKey":{"id":"https://a.example/u#k","owner":"https://evil.example/x","publicKeyPem":"P"}}`,
		"key with relative id":  `{"id":"https://a.example/u","preferredUsername":"u","inbox":"https://a.example/i","publicKey":{"id":"#k","owner":"https://a.example/u","publicKeyPem":"P"}}`,
		"not an object":         `["https://a.example/u"]`,
		"NUL-only username":     `{"id":"https://a.example/u","preferredUsername":"\u0000","inbox":"https://a.example/i"}`,
		"id not http(s) at all": `{"id":"urn:x:y","preferredUsername":"u","inbox":"https://a.example/i"}`,
	} {
		t.Run(name, func(t *testing.T) {
			if a, err := ParseActor([]byte(doc)); err == nil {
				t.Errorf("accepted %+v", a)
			}
		})
	}
}

func TestParseKey(t *testing.T) {
	k, err := ParseKey(mustFixture(t, "gotosocial_key_stub.json"), gtsRemote+"/main-key")
	if err != nil || k.Owner != gtsRemote || k.PublicKeyPEM == "" {
		t.Errorf("stub: %+v %v", k, err)
	}
	k, err = ParseKey(mustFixture(t, "update_person.json"), remote+"#main-key")
	if err == nil {
		t.Errorf("an activity is not a key document: %+v", k)
	}
	bare := `{"id":"https://a.example/k","owner":"https://a.example/u","publicKeyPem":"P"}`
	if k, err := ParseKey([]byte(bare), "https://a.example/k"); err != nil || k.Owner != "https://a.example/u" {
		t.Errorf("bare key: %+v %v", k, err)
	}
	if _, err := ParseKey([]byte(bare), "https://a.example/other"); err == nil {
		t.Error("a key with another id accepted")
	}
	stolen := `{"id":"https://evil.example/u","publicKey":{"id":"https://a.example/k","owner":"https://a.example/u","publicKeyPem":"P"}}`
	if _, err := ParseKey([]byte(stolen), "https://a.example/k"); err == nil {
		t.Error("a key held by an actor that does not own it accepted")
	}
}

func TestParseWebFinger(t *testing.T) {
	w, err := ParseWebFinger(mustFixture(t, "webfinger.json"))
	if err != nil || w.Self() != remote || w.Subject != "acct:budi@mastodon.example" || len(w.Aliases) != 2 || len(w.Links) != 4 {
		t.Errorf("%+v %v", w, err)
	}
	ld := `{"subject":"acct:a@b.example","links":[{"rel":"self","type":"text/html","href":"https://b.example/@a"},` +
		`{"rel":"self","type":"application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"","href":"https://b.example/a"}]}`
	if w, err := ParseWebFinger([]byte(ld)); err != nil || w.Self() != "https://b.example/a" {
		t.Errorf("ld+json self: %+v %v", w, err)
	}
	for _, bad := range []string{`[]`, `{"links":[]}`, `{"subject":1}`, `nope`} {
		if _, err := ParseWebFinger([]byte(bad)); err == nil {
			t.Errorf("%s accepted", bad)
		}
	}
	if _, err := ParseWebFinger(make([]byte, MaxDocument+1)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("too large: %v", err)
	}
}

func TestContentMapLanguage(t *testing.T) {
	for _, tc := range []struct{ doc, lang, content string }{
		{`"content":"<p>hi</p>","contentMap":{"de":"<p>hallo</p>","en":"<p>hi</p>"}`, "en", "<p>hi</p>"},
		{`"content":"<p>hi</p>","contentMap":{"fr":"<p>salut</p>","de":"<p>hallo</p>"}`, "fr", "<p>hi</p>"},
		{`"contentMap":{"id":"<p>halo</p>","en":"<p>hi</p>"}`, "id", "<p>halo</p>"},
		{`"content":"<p>hi</p>"`, "", "<p>hi</p>"},
		{`"name":"Which <norm>?"`, "", "<p>Which &lt;norm&gt;?</p>"},
	} {
		doc := `{"id":"https://a.example/1","type":"Create","actor":"https://a.example/u","object":{"id":"https://a.example/n","type":"Question",` + tc.doc + `}}`
		in, err := ParseActivity([]byte(doc))
		if err != nil || in.Object.Language != tc.lang || in.Object.Content != tc.content {
			t.Errorf("%s: %+v %v", tc.doc, in.Object, err)
		}
	}
}

func TestAddressing(t *testing.T) {
	f := "https://a.example/u/followers"
	for _, tc := range []struct {
		to, cc []string
		want   string
	}{
		{[]string{Public}, []string{f}, "public"},
		{[]string{"as:Public"}, nil, "public"},
		{[]string{f}, []string{"Public"}, "unlisted"},
		{[]string{f}, nil, "followers"},
		{nil, []string{f}, "followers"},
		{[]string{"https://b.example/v"}, nil, "direct"},
		{nil, nil, "direct"},
	} {
		if got := Visibility(tc.to, tc.cc, f); got != tc.want {
			t.Errorf("%v %v: %s, want %s", tc.to, tc.cc, got, tc.want)
		}
		if IsPublic(tc.to, tc.cc) != (tc.want == "public" || tc.want == "unlisted") {
			t.Errorf("IsPublic(%v, %v)", tc.to, tc.cc)
		}
	}
}

func TestAcceptsActivity(t *testing.T) {
	for h, want := range map[string]bool{
		"application/activity+json":                true,
		"application/activity+json; charset=utf-8": true,
		LDContentType: true,
		`application/ld+json;profile="https://www.w3.org/ns/activitystreams"`:                                              true,
		`text/html, application/ld+json; profile="https://www.w3.org/ns/activitystreams https://example.org/x", */*;q=0.1`: true,
		"application/ld+json":                   false,
		"application/json":                      false,
		"text/html,application/xhtml+xml,*/*":   false,
		"application/activity+json;q=0":         false,
		"":                                      false,
		"application/activity+json; q=0.000":    false,
		"application/activity+json; q=0.5, x/y": true,
	} {
		if AcceptsActivity(h) != want {
			t.Errorf("AcceptsActivity(%q) = %v", h, !want)
		}
	}
}
