package publicdiplomacy

import (
	"slices"
	"strings"
	"unicode/utf8"

	"entente.example/entente/core"
)

// A case may carry its text in the node's other language, so that a
// reader of Bahasa Indonesia finds a fact check written in English by
// searching "hoaks", and reads it in theirs (and the other way round).
// Only the text is translated — title, claim, summary and disproof; the
// facts (dates, places, countries) are the same in every language. The
// translation is part of the case: changing it is changing the case, and
// it is published only after a second person's review, like the rest.

// CaseTranslation is a case's text in another language.
type CaseTranslation struct {
	Language string `json:"language"`
	Title    string `json:"title"`
	Claim    string `json:"claim,omitempty"`
	Summary  string `json:"summary,omitempty"`
	Disproof string `json:"disproof,omitempty"`
}

// TranslationLanguages are the languages a case may be translated into:
// the node's own, those its pages are read in.
var TranslationLanguages = []string{"en", "id"}

// normalizeTranslation checks a case's translation. A translation with no
// text is none (the form always sends its language). What the case says,
// the translation says too, and nothing more: a text the case has is
// translated, and a text it lacks is not, so the reader of either
// language reads the same fact check.
func (in *CaseInput) normalizeTranslation(p core.Problems) {
	t := in.Translation
	if t == nil {
		return
	}
	for _, s := range []*string{&t.Language, &t.Title, &t.Claim, &t.Summary, &t.Disproof} {
		*s = strings.TrimSpace(strings.ReplaceAll(*s, "\r\n", "\n"))
	}
	t.Language = strings.ToLower(t.Language)
	if t.Title == "" && t.Claim == "" && t.Summary == "" && t.Disproof == "" {
		in.Translation = nil
		return
	}
	switch {
	case t.Language == "":
		p.Add("tr_language", "err.required")
	case !slices.Contains(TranslationLanguages, t.Language) || t.Language == in.Language:
		p.Add("tr_language", "err.pd_case_tr_language")
	}
	switch {
	case t.Title == "":
		p.Add("tr_title", "err.required")
	case utf8.RuneCountInString(t.Title) > maxCaseTitle:
		p.Add("tr_title", "err.too_long")
	}
	for _, f := range []struct {
		field      string
		orig, text string
		max        int
	}{{"tr_claim", in.Claim, t.Claim, maxCaseClaim}, {"tr_summary", in.Summary, t.Summary, maxCaseText}, {"tr_disproof", in.Disproof, t.Disproof, maxCaseText}} {
		switch {
		case f.orig != "" && f.text == "":
			p.Add(f.field, "err.pd_case_tr_missing")
		case f.orig == "" && f.text != "":
			p.Add(f.field, "err.pd_case_tr_extra")
		case utf8.RuneCountInString(f.text) > f.max:
			p.Add(f.field, "err.too_long")
		}
	}
	for field, s := range map[string]string{"tr_title": t.Title, "tr_claim": t.Claim, "tr_summary": t.Summary, "tr_disproof": t.Disproof} {
		if k := core.CheckText(s); k != "" {
			p.Add(field, k)
		}
	}
}

// translationColumns are a translation as writeCase stores it: empty
// strings when there is none.
func (in CaseInput) translationColumns() []any {
	t := in.Translation
	if t == nil {
		return []any{"", "", "", "", ""}
	}
	return []any{t.Language, t.Title, t.Claim, t.Summary, t.Disproof}
}

// decodeTranslation sets Translation from the case's columns.
func (c *Case) decodeTranslation() {
	c.Translation = nil
	if c.TrLanguage != "" {
		c.Translation = &CaseTranslation{Language: c.TrLanguage, Title: c.TrTitle, Claim: c.TrClaim, Summary: c.TrSummary, Disproof: c.TrDisproof}
	}
}

// In is the case as a reader of lang reads it: its translation's text
// when it has one in lang, its Translation then being the original (so
// the page links back to it). Otherwise the case as written.
func (c Case) In(lang string) Case {
	t := c.Translation
	if t == nil || t.Language != lang || lang == c.Language {
		return c
	}
	orig := CaseTranslation{Language: c.Language, Title: c.Title, Claim: c.Claim, Summary: c.Summary, Disproof: c.Disproof}
	c.Language, c.Title, c.Claim, c.Summary, c.Disproof = t.Language, t.Title, t.Claim, t.Summary, t.Disproof
	c.Translation, c.Translated = &orig, true
	return c
}

// Versions are the languages a reader may read the case in: its own
// first, then its translation's.
func (c Case) Versions() []string {
	if c.Translation == nil {
		return []string{c.Language}
	}
	if c.Translated {
		return []string{c.Translation.Language, c.Language}
	}
	return []string{c.Language, c.Translation.Language}
}

// otherLanguage is the language a case in lang is most likely translated
// into: Bahasa Indonesia for a case in English, English otherwise.
func otherLanguage(lang string) string {
	if lang == "en" {
		return "id"
	}
	return "en"
}
