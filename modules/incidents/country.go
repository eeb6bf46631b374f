package incidents

import (
	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// CountryName names an ISO 3166-1 alpha-2 code in lang ("en" or "id").
// (Cybercrime has the same; a module does not import another.)
func CountryName(code, lang string) string {
	r, err := language.ParseRegion(code)
	if err != nil {
		return code
	}
	tag := language.English
	if lang == "id" {
		tag = language.Indonesian
	}
	if n := display.Regions(tag).Name(r); n != "" {
		return n
	}
	return code
}
