package publicdiplomacy

import (
	"strconv"
	"strings"
)

// What a public page tells whoever it is shared with, in its head: a
// description and OpenGraph for the preview a messenger or a social site
// draws, the canonical address (the same page is reached with and without
// a language cookie or a query), the same text in its other languages, and
// the ActivityPub document, which Mastodon and its kin discover by its
// link when someone pastes the page's address into their search.

// pageMeta is a public page's head (template pd/meta).
type pageMeta struct {
	Title, Description string
	URL                string // canonical, absolute
	Type               string // og:type: article, profile
	SiteName, Locale   string
	Image, ImageAlt    string
	Alternates         []langLink
	Activity           string // the ActivityPub document, absolute
}

// langLink is the page in one language.
type langLink struct{ Lang, URL string }

// maxDescription is how much text a preview gets; messengers cut at
// about this length anyway.
const maxDescription = 200

// describe is text as a preview's description: one line, cut at a word.
func describe(text string) string {
	text = strings.Join(strings.Fields(text), " ")
	r := []rune(text)
	if len(r) <= maxDescription {
		return text
	}
	cut := string(r[:maxDescription])
	if i := strings.LastIndexByte(cut, ' '); i > maxDescription/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,.;:") + "…"
}

// ogLocales are the post languages (Languages) as OpenGraph writes a
// locale, language_TERRITORY, each with the territory most of its readers
// live in (Filipino as tl, as Facebook reads it).
var ogLocales = map[string]string{"en": "en_US", "id": "id_ID", "ms": "ms_MY", "th": "th_TH", "vi": "vi_VN", "fil": "tl_PH", "ja": "ja_JP",
	"ko": "ko_KR", "zh": "zh_CN", "fr": "fr_FR", "es": "es_ES", "ar": "ar_AR", "de": "de_DE", "nl": "nl_NL", "pt": "pt_PT"}

// ogLocale is a language code as OpenGraph writes a locale; a language it
// has no territory for is left out rather than guessed.
func ogLocale(lang string) string { return ogLocales[lang] }

// postMeta is a post's page head: a content warning is the whole
// description, as the text behind it is not shown without a click either.
func (m *Module) postMeta(acc Account, p Post, siblings []Post) pageMeta {
	u := m.svc.PostURL(acc.Username, p.ID)
	desc := p.Content
	if p.Warning != "" {
		desc = p.Warning
	}
	v := pageMeta{Title: acc.DisplayName + " (@" + m.svc.Handle(acc.Username) + ")", Description: describe(desc), URL: u, Type: "article",
		SiteName: m.web.NodeName, Locale: ogLocale(p.Language), Activity: u}
	if len(p.Media) > 0 && p.Warning == "" {
		v.Image, v.ImageAlt = m.svc.MediaURL(p.Media[0].ID), p.Media[0].Alt
	}
	if len(siblings) > 0 {
		v.Alternates = append(v.Alternates, langLink{p.Language, u})
		for _, s := range siblings {
			v.Alternates = append(v.Alternates, langLink{s.Language, m.svc.PostURL(s.Username, s.ID)})
		}
	}
	return v
}

// profileMeta is an account's profile head; a later page of its posts is
// its own canonical address.
func (m *Module) profileMeta(acc Account, page int) pageMeta {
	u := m.svc.ActorURL(acc.Username)
	desc := acc.Summary
	if strings.TrimSpace(desc) == "" {
		desc = acc.OrgName
	}
	v := pageMeta{Title: acc.DisplayName + " (@" + m.svc.Handle(acc.Username) + ")", Description: describe(desc), URL: u, Type: "profile",
		SiteName: m.web.NodeName, Locale: ogLocale(acc.Language), Activity: u}
	if page > 1 {
		v.URL += "?page=" + strconv.Itoa(page)
	}
	return v
}

// factcheckMeta is a published case's head: its verdict and what it
// found, in the case's language.
func (m *Module) factcheckMeta(c Case) pageMeta {
	desc := c.Summary
	if strings.TrimSpace(desc) == "" {
		desc = c.Claim
	}
	v := pageMeta{Title: c.Title, Description: describe(m.verdictText(c) + ": " + desc), URL: m.svc.CaseVersionURL(c), Type: "article",
		SiteName: m.web.NodeName, Locale: ogLocale(c.Language)}
	// A translated case is one page per language, each naming the other;
	// the address without a language (which follows the reader's) is the
	// default.
	if c.Translation != nil {
		for _, l := range c.Versions() {
			v.Alternates = append(v.Alternates, langLink{l, m.svc.CaseVersionURL(c.In(l))})
		}
		v.Alternates = append(v.Alternates, langLink{"x-default", m.svc.CaseURL(c.ID)})
	}
	return v
}
