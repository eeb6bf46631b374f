package notify_test

import (
	"regexp"
	"strings"
	"testing"

	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/web"
	files "entente.example/entente/web"
)

func mustCatalog(t *testing.T) web.Catalog {
	t.Helper()
	c, err := web.LoadCatalog(files.Files)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// sample gives every parameter a value that can be found again in the
// rendered text, so a value dropped on the way shows.
func sample(k notify.Kind) notify.Args {
	args := notify.Args{}
	for _, p := range k.Params {
		args[p] = "«" + p + "-value»"
	}
	return args
}

// residue matches what a formatting mistake leaves in a text: fmt's
// complaints (%!(EXTRA …), %!s(MISSING)), a verb never filled, a
// placeholder never filled.
var residue = regexp.MustCompile(`%!|%[sdvq]|\{[a-z_]*\}|\(MISSING\)|\(EXTRA`)

// TestEveryNotificationRenders renders every kind of notification e-mail in
// every language and reads it as its recipient would.
func TestEveryNotificationRenders(t *testing.T) {
	c := mustCatalog(t)
	const link = "https://entente.example.org/requests/01JABCDEFGHJKMNPQRSTVWXYZ0"
	if len(notify.Kinds) < 17 {
		t.Fatalf("only %d kinds: is the list complete?", len(notify.Kinds))
	}
	seen := map[string]bool{}
	for _, k := range notify.Kinds {
		if seen[k.Name] {
			t.Errorf("kind %s declared twice", k.Name)
		}
		seen[k.Name] = true
		for _, lang := range web.Langs {
			subject, body, err := notify.Render(c, lang, k, link, sample(k))
			if err != nil {
				t.Errorf("%s %s: %v", lang, k.Name, err)
				continue
			}
			for what, text := range map[string]string{"subject": subject, "body": body} {
				if m := residue.FindString(text); m != "" {
					t.Errorf("%s %s %s has %q left over: %q", lang, k.Name, what, m, text)
				}
				if strings.TrimSpace(text) == "" || text == k.SubjectKey() || text == k.BodyKey() {
					t.Errorf("%s %s %s is missing: %q", lang, k.Name, what, text)
				}
			}
			if strings.Contains(subject, "\n") {
				t.Errorf("%s %s: subject has a line break: %q", lang, k.Name, subject)
			}
			// The link stands on a line of its own, whole, so a mail reader
			// makes it clickable.
			if !strings.Contains(body, "\n"+link+"\n") {
				t.Errorf("%s %s: body lacks the link on its own line:\n%s", lang, k.Name, body)
			}
			for _, p := range k.Params {
				if v := "«" + p + "-value»"; !strings.Contains(subject+body, v) {
					t.Errorf("%s %s: {%s} is never shown", lang, k.Name, p)
				}
			}
		}
	}
	// The English and the Indonesian differ: an untranslated message would
	// render the same.
	for _, k := range notify.Kinds {
		en, _, _ := notify.Render(c, "en", k, link, sample(k))
		id, _, _ := notify.Render(c, "id", k, link, sample(k))
		if en == id {
			t.Errorf("%s: the subject is the same in English and Indonesian: %q", k.Name, en)
		}
	}
}

func TestCatalogueMatchesKinds(t *testing.T) {
	if err := notify.Check(mustCatalog(t), web.Langs, notify.Kinds); err != nil {
		t.Fatalf("the catalogue does not match the notification kinds:\n%v", err)
	}
}

// fakeTr is a catalogue with one language, for the checks' own tests.
type fakeTr map[string]string

func (f fakeTr) T(_, key string, _ ...any) string {
	if s, ok := f[key]; ok {
		return s
	}
	return key
}

func TestCheckCatchesMismatches(t *testing.T) {
	k := notify.Kind{Name: "x", Params: []string{"title", "deadline"}}
	for _, tc := range []struct {
		name, subject, body, want string
	}{
		{"good", "Due {deadline}", "{title} is due by {deadline}.\n\n{link}\n", ""},
		{"printf verbs", "Due %s", "%s is due by %s.\n\n%s\n", "looks like a placeholder"},
		{"unknown", "Due {when}", "{title} {deadline}\n{link}", "{when}"},
		{"unused", "Due", "{title}\n{link}", "never use {deadline}"},
		{"no link", "Due {deadline}", "{title}", "does not carry {link}"},
		{"link in subject", "{link}", "{title} {deadline} {link}", "belongs in the body"},
		{"broken brace", "Due {deadline", "{title} {deadline} {link}", "looks like a placeholder"},
		{"missing", "", "{title} {deadline} {link}", "missing"},
	} {
		tr := fakeTr{"mail.x.body": tc.body}
		if tc.subject != "" {
			tr["mail.x.subject"] = tc.subject
		}
		err := notify.Check(tr, []string{"en"}, []notify.Kind{k})
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: got %v, want an error about %q", tc.name, err, tc.want)
		}
	}
}

func TestRenderRefusesWrongArguments(t *testing.T) {
	tr := fakeTr{"mail.x.subject": "Due {deadline}", "mail.x.body": "{title} by {deadline}\n\n{link}\n"}
	k := notify.Kind{Name: "x", Params: []string{"title", "deadline"}}
	const link = "https://node.example/x"
	for _, tc := range []struct {
		name string
		args notify.Args
		link string
	}{
		{"missing", notify.Args{"title": "T"}, link},
		{"extra", notify.Args{"title": "T", "deadline": "D", "link": "L"}, link},
		{"relative link", notify.Args{"title": "T", "deadline": "D"}, "/x"},
	} {
		if _, _, err := notify.Render(tr, "en", k, tc.link, tc.args); err == nil {
			t.Errorf("%s: rendered", tc.name)
		}
	}
	// A value that looks like a placeholder is shown as written, and a
	// title typed over several lines keeps the subject on one.
	subject, body, err := notify.Render(tr, "en", k, link, notify.Args{"title": "{deadline}", "deadline": "2026-12-09\n07:36 UTC"})
	if err != nil {
		t.Fatal(err)
	}
	if subject != "Due 2026-12-09 07:36 UTC" || body != "{deadline} by 2026-12-09 07:36 UTC\n\n"+link+"\n" {
		t.Fatalf("got %q / %q", subject, body)
	}
	// A value in the reader's language wins; another language's is ignored.
	for lang, want := range map[string]string{"en": "Due 9 December", "id": "Due 9 Desember"} {
		subject, _, err = notify.Render(tr, lang, k, link, notify.Args{"title": "T", "deadline": "9 December", "deadline@id": "9 Desember", "deadline@fr": "9 décembre"})
		if err != nil || subject != want {
			t.Errorf("%s: %q, %v; want %q", lang, subject, err, want)
		}
	}
	if _, _, err := notify.Render(tr, "en", k, link, notify.Args{"title": "T", "deadline": "D", "when@id": "x"}); err == nil {
		t.Error("an unknown parameter in a language was taken")
	}
	// An empty value leaves no gap.
	subject, _, err = notify.Render(tr, "en", k, link, notify.Args{"title": "T", "deadline": " "})
	if err != nil || subject != "Due "+notify.Blank {
		t.Fatalf("empty value: %q, %v", subject, err)
	}
}
