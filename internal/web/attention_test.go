package web_test

import (
	"regexp"
	"strings"
	"testing"

	"entente.example/entente/internal/web"
	files "entente.example/entente/web"
)

// TestAttentionMessagesRender renders every home-page item (attn.*) in
// every language with as many arguments as its English text asks for, as
// the modules pass them: a number for %d, a title for %s.
func TestAttentionMessagesRender(t *testing.T) {
	c, err := web.LoadCatalog(files.Files)
	if err != nil {
		t.Fatal(err)
	}
	verb := regexp.MustCompile(`%[sd]`)
	n := 0
	for key, en := range c["en"] {
		if !strings.HasPrefix(key, "attn.") {
			continue
		}
		n++
		var args []any
		for i, v := range verb.FindAllString(en, -1) {
			if v == "%d" {
				args = append(args, 7)
			} else {
				args = append(args, "«arg"+string(rune('A'+i))+"»")
			}
		}
		seen := map[string]string{}
		for _, lang := range web.Langs {
			got := c.T(lang, key, args...)
			if strings.Contains(got, "%!") || strings.Contains(got, "%s") || strings.Contains(got, "%d") || got == key {
				t.Errorf("%s %s: %q", lang, key, got)
			}
			for _, a := range args {
				if s, ok := a.(string); ok && !strings.Contains(got, s) {
					t.Errorf("%s %s drops an argument: %q", lang, key, got)
				}
			}
			seen[lang] = got
		}
		if seen["en"] == seen["id"] {
			t.Errorf("%s is not translated: %q", key, seen["en"])
		}
	}
	if n < 15 {
		t.Fatalf("only %d attn.* messages", n)
	}
}
