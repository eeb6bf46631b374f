package web_test

import (
	"regexp"
	"slices"
	"testing"

	"entente.example/entente/internal/web"
	files "entente.example/entente/web"
)

// TestTranslationsTakeTheSameArguments: every message is formatted with one
// argument list whatever the reader's language, so each translation must ask
// for the same values, of the same kinds, in the same order as the English
// (or name them with %[n]s). Otherwise one language's readers get
// %!(EXTRA …) or a value in the wrong place, as the e-mails once did.
func TestTranslationsTakeTheSameArguments(t *testing.T) {
	c, err := web.LoadCatalog(files.Files)
	if err != nil {
		t.Fatal(err)
	}
	verb := regexp.MustCompile(`%(\[\d+\])?[-+# 0-9.]*[a-zA-Z%]`)
	for key, en := range c["en"] {
		want := verb.FindAllString(en, -1)
		for _, lang := range web.Langs[1:] {
			got := verb.FindAllString(c[lang][key], -1)
			if !slices.Equal(got, want) {
				t.Errorf("%s: %s asks for %v, English for %v", key, lang, got, want)
			}
		}
	}
}
