package web

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"sort"
	"strings"

	"golang.org/x/text/language"
)

// Langs are the languages every page exists in, the first being the fallback.
var Langs = []string{"en", "id"}

var langMatcher = language.NewMatcher([]language.Tag{language.English, language.Indonesian})

// Catalog holds every message in every language.
type Catalog map[string]map[string]string // lang → key → text

// LoadCatalog reads i18n/<lang>.json for each of Langs.
func LoadCatalog(files fs.FS) (Catalog, error) {
	c := Catalog{}
	for _, l := range Langs {
		b, err := fs.ReadFile(files, "i18n/"+l+".json")
		if err != nil {
			return nil, fmt.Errorf("web: messages for %s: %w", l, err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("web: messages for %s: %w", l, err)
		}
		c[l] = m
	}
	return c, nil
}

// Missing lists "lang: key" for every key present in one language but not in
// another; the translation-completeness test fails unless it is empty.
func (c Catalog) Missing() []string {
	all := map[string]bool{}
	for _, m := range c {
		for k := range m {
			all[k] = true
		}
	}
	var out []string
	for _, l := range Langs {
		for k := range all {
			if v, ok := c[l][k]; !ok || v == "" {
				out = append(out, l+": "+k)
			}
		}
	}
	sort.Strings(out)
	return out
}

// T translates key into lang, formatting args into it. An unknown key shows
// itself, so a missing message is visible rather than blank.
func (c Catalog) T(lang, key string, args ...any) string {
	s, ok := c[lang][key]
	if !ok {
		s, ok = c[Langs[0]][key]
	}
	if !ok {
		// A problem with one entry of a list (core.Problems.AddEntry) is
		// the key, a space and the entry.
		if k, entry, cut := strings.Cut(key, " "); cut && c.Has(k) {
			return c.T(lang, k, append([]any{entry}, args...)...)
		}
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Has reports whether key exists.
func (c Catalog) Has(key string) bool {
	_, ok := c[Langs[0]][key]
	return ok
}

// pickLang chooses the language for a request: the person's own choice, then
// the lang cookie (set by the language switch for people not signed in), then
// Accept-Language.
func pickLang(r *http.Request, chosen string) string {
	if chosen == "en" || chosen == "id" {
		return chosen
	}
	if c, err := r.Cookie("lang"); err == nil && (c.Value == "en" || c.Value == "id") {
		return c.Value
	}
	tags, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if err != nil || len(tags) == 0 {
		return Langs[0]
	}
	_, idx, conf := langMatcher.Match(tags...)
	if conf == language.No {
		return Langs[0]
	}
	return Langs[idx]
}
