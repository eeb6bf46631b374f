package capacity

import (
	"strings"

	"entente.example/entente/internal/names"
	"entente.example/entente/internal/web"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Words names the vocabulary and says a suggestion's reasons in a reader's
// language, for pages.
type Words struct {
	lang string
	cat  web.Catalog
}

// Theme names a theme.
func (w Words) Theme(id string) string { return Themes.ThemeName(id, w.lang) }

// Topic names a topic.
func (w Words) Topic(id string) string { return Themes.TopicName(id, w.lang) }

// Region names a region.
func (w Words) Region(id string) string {
	if r, ok := Themes.Region(id); ok {
		return r.Name.In(w.lang)
	}
	return id
}

// Country names a country.
func (w Words) Country(code string) string { return names.Country(code, w.lang) }

// Countries names countries, joined.
func (w Words) Countries(codes []string) string { return w.join(codes, w.Country) }

// Themes names themes, joined.
func (w Words) Themes(ids []string) string { return w.join(ids, w.Theme) }

// Topics names topics, joined.
func (w Words) Topics(ids []string) string { return w.join(ids, w.Topic) }

// Regions names regions, joined.
func (w Words) Regions(ids []string) string { return w.join(ids, w.Region) }

// Languages names languages, joined.
func (w Words) Languages(codes []string) string {
	return w.join(codes, func(c string) string { return names.Language(c, w.lang) })
}

func (w Words) join(ids []string, name func(string) string) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = name(id)
	}
	return strings.Join(out, ", ")
}

// Reason says one reason in words.
func (w Words) Reason(r Reason) string {
	switch r.Code {
	case "topics":
		return w.cat.T(w.lang, "cap.reason.topics", len(r.Items), r.N, w.Topics(r.Items))
	case "theme":
		return w.cat.T(w.lang, "cap.reason.theme", w.Themes(r.Items))
	case "country":
		return w.cat.T(w.lang, "cap.reason.country", w.Countries(r.Items))
	case "region":
		return w.cat.T(w.lang, "cap.reason.region", w.Regions(r.Items))
	case "anywhere":
		return w.cat.T(w.lang, "cap.reason.anywhere")
	case "language":
		return w.cat.T(w.lang, "cap.reason.language", w.Languages(r.Items))
	case "timing":
		if r.N == 0 {
			return w.cat.T(w.lang, "cap.reason.timing_open")
		}
		return w.cat.T(w.lang, "cap.reason.timing", r.N)
	case "past_theme":
		return w.cat.T(w.lang, "cap.reason.past_theme", r.N, w.Themes(r.Items))
	case "past_country":
		return w.cat.T(w.lang, "cap.reason.past_country", r.N, w.Countries(r.Items))
	}
	return r.Code
}

// Money writes an amount and its currency with the digits grouped as the
// reader's language groups them (AUD 1,500,000; AUD 1.500.000).
func (w Words) Money(n int64, cur string) string {
	return strings.TrimSpace(cur + " " + message.NewPrinter(language.Make(w.lang)).Sprintf("%d", n))
}
