// Package names gives the names of countries and languages in the reader's
// language (English or Bahasa Indonesia), from Unicode's data, and checks
// country codes: one place for what every module's pages and forms need.
package names

import (
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

func tag(lang string) language.Tag {
	if lang == "id" {
		return language.Indonesian
	}
	return language.English
}

// Country names an ISO 3166-1 alpha-2 code in lang ("en" or "id"); an
// unknown code is given back as it is, an empty one as empty.
func Country(code, lang string) string {
	if code == "" {
		return ""
	}
	r, err := language.ParseRegion(code)
	if err != nil || !r.IsCountry() {
		return code
	}
	if n := display.Regions(tag(lang)).Name(r); n != "" {
		return n
	}
	return code
}

// ValidCountry reports whether code is an ISO 3166-1 alpha-2 country code,
// in capitals.
func ValidCountry(code string) bool {
	if len(code) != 2 || strings.ToUpper(code) != code {
		return false
	}
	r, err := language.ParseRegion(code)
	return err == nil && r.IsCountry() && r.String() == code
}

// Language names a language code (ISO 639) in lang, or gives the code back
// when Unicode's data knows no such language.
func Language(code, lang string) string {
	t, err := language.Parse(code)
	if err != nil {
		return code
	}
	if n := display.Languages(tag(lang)).Name(t); n != "" {
		return n
	}
	return code
}
