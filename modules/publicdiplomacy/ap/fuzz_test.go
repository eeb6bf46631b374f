package ap

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"
)

// addFixtures seeds a fuzz target with every remote fixture and golden file.
func addFixtures(f *testing.F) {
	for _, dir := range []string{"remote", "golden"} {
		paths, _ := filepath.Glob(filepath.Join("testdata", dir, "*.json"))
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
}

func FuzzParseActivity(f *testing.F) {
	addFixtures(f)
	f.Add([]byte(`{"id":"https://a.example/1","type":["Undo"],"actor":[{"id":"https://a.example/u"}],"object":[{"type":"Follow","actor":"https://a.example/u","object":{"href":"https://b.example/"}}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		in, err := ParseActivity(b)
		if err != nil {
			return
		}
		// What is accepted names everything by absolute http(s) URLs.
		for d := &in; d != nil; d = d.Inner {
			if !absURL(d.Actor) || (d.ID != "" && !absURL(d.ID)) || (d.ObjectID != "" && !absURL(d.ObjectID)) {
				t.Fatalf("accepted bad ids: %+v", d)
			}
			if d == &in && d.ID == "" {
				t.Fatal("accepted without id")
			}
		}
		if in.Inner != nil && in.Inner.Inner != nil && in.Inner.Inner.Inner != nil {
			t.Fatal("accepted nesting deeper than three")
		}
		if o := in.Object; o != nil && (!absURL(o.ID) || strings.ContainsRune(o.Content, 0)) {
			t.Fatalf("object %+v", o)
		}
	})
}

func FuzzParseActor(f *testing.F) {
	addFixtures(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := ParseActor(b)
		if err != nil {
			return
		}
		if !absURL(a.ID) || !absURL(a.Inbox) || a.PreferredUsername == "" {
			t.Fatalf("accepted %+v", a)
		}
		if a.PublicKey.Owner != "" && a.PublicKey.Owner != a.ID {
			t.Fatalf("accepted a key owned by %q", a.PublicKey.Owner)
		}
		for _, u := range []string{a.URL, a.Icon, a.SharedInbox, a.Outbox, a.Followers} {
			if u != "" && !absURL(u) {
				t.Fatalf("accepted URL %q", u)
			}
		}
	})
}

func FuzzParseWebFinger(f *testing.F) {
	addFixtures(f)
	f.Fuzz(func(t *testing.T, b []byte) {
		w, err := ParseWebFinger(b)
		if err != nil {
			return
		}
		if w.Subject == "" {
			t.Fatal("accepted without subject")
		}
		// What we parse, we can write and parse again to the same.
		out, err := json.Marshal(w)
		if err != nil {
			t.Fatal(err)
		}
		w2, err := ParseWebFinger(out)
		if err != nil || w2.Self() != w.Self() || w2.Subject != w.Subject {
			t.Fatalf("round trip: %+v %v", w2, err)
		}
	})
}

// FuzzVerify feeds the Signature header parser, and Verify behind it, with
// arbitrary header values on an otherwise well-formed POST.
func FuzzVerify(f *testing.F) {
	k := mustKeys(f)
	signed := mastodonSigned(f, k[0], "POST", "/users/bob/inbox", testActivity, testNow)
	f.Add(signed.Header.Get("Signature"))
	f.Add(gotosocialSigned(f, k[0], "GET", "/users/bob", nil, testNow).Header.Get("Signature"))
	f.Add(draftDefaultSig)
	f.Add(draftBasicSig)
	f.Add(draftAllPrinted)
	f.Add(`keyId="a",keyId="b",signature="c"`)
	f.Add(`keyId="a\"b", algorithm = hs2019 ,created=1,expires=2.5,headers="(created) (expires)",signature="=="`)
	pub := &k[0].PublicKey
	f.Fuzz(func(t *testing.T, h string) {
		p, perr := parseSignature(h)
		if perr == nil && (p.keyID == "" || p.signature == "" || len(p.headers) == 0) {
			t.Fatalf("parsed without keyId, signature or headers: %+v", p)
		}
		r := httptest.NewRequest("POST", "/users/bob/inbox", bytes.NewReader(testActivity))
		r.Host = "mastodon.example"
		r.Header = signed.Header.Clone()
		r.Header.Set("Signature", h)
		id, err := Verify(context.Background(), r, testActivity, testNow, func(context.Context, string) (*rsa.PublicKey, error) { return pub, nil })
		if err == nil && h != signed.Header.Get("Signature") {
			// Another header may verify only if it carries the same
			// signature over the same signed headers.
			want, _ := parseSignature(signed.Header.Get("Signature"))
			if p.signature != want.signature || strings.Join(p.headers, " ") != strings.Join(want.headers, " ") {
				t.Fatalf("forged header verified as %q: %q", id, h)
			}
		}
	})
}

func FuzzPlainText(f *testing.F) {
	for _, s := range []string{
		`<p>Hello <a href="https://x.example">@<span>x</span></a></p>`,
		`<script>alert(1)</script><style>x</style><br/><pre> a\n b</pre>`,
		`a < b &lt; &amp;amp; &#0; &#x110000; <!-- c --> <`,
		`<<script>script>alert(1)<</script>/script>`,
	} {
		f.Add(s)
	}
	for _, name := range []string{"mastodon_create_reply.json", "gotosocial_create.json", "update_person.json"} {
		b, err := os.ReadFile(filepath.Join("testdata", "remote", name))
		if err != nil {
			f.Fatal(err)
		}
		in, err := ParseActivity(b)
		if err != nil {
			f.Fatal(err)
		}
		if in.Object != nil {
			f.Add(in.Object.Content)
		}
		if in.ObjectActor != nil {
			f.Add(in.ObjectActor.Summary)
		}
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := PlainText(s)
		if !strings.Contains(s, "&") && strings.Contains(got, "<") {
			t.Fatalf("PlainText(%q) = %q keeps a '<'", s, got)
		}
		if strings.ContainsRune(got, 0) {
			t.Fatalf("PlainText(%q) has NUL", s)
		}
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Fatalf("PlainText(%q) = %q is not UTF-8", s, got)
		}
		if got != strings.Trim(got, " \n") {
			t.Fatalf("PlainText(%q) = %q not trimmed", s, got)
		}
	})
}
