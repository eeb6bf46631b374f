package publicdiplomacy

import (
	"bytes"
	"encoding/json"
	"html/template"
	"strings"
	"time"
)

// A published case is a schema.org ClaimReview, the format fact-checkers
// exchange (Google's Fact Check Explorer reads it): Google requires
// claimReviewed, reviewRating (a Rating whose alternateName is the
// verdict's text) and url, and recommends author (an Organization with
// name and url), datePublished and itemReviewed (a Claim with its
// appearances, first appearance, author and date). Every property here is
// one schema.org defines on its type (testdata/schemaorg.txt lists them,
// and the test checks each).

type ldOrganization struct {
	Type string `json:"@type"`
	Name string `json:"name"`
	URL  string `json:"url,omitempty"`
}

type ldRating struct {
	Type          string `json:"@type"`
	RatingValue   int    `json:"ratingValue"`
	BestRating    int    `json:"bestRating"`
	WorstRating   int    `json:"worstRating"`
	AlternateName string `json:"alternateName"`
	Name          string `json:"name"`
}

type ldCreativeWork struct {
	Type          string          `json:"@type"`
	URL           string          `json:"url"`
	ArchivedAt    string          `json:"archivedAt,omitempty"`
	DatePublished string          `json:"datePublished,omitempty"`
	InLanguage    string          `json:"inLanguage,omitempty"`
	Publisher     *ldOrganization `json:"publisher,omitempty"`
}

type ldClaim struct {
	Type            string           `json:"@type"`
	Name            string           `json:"name,omitempty"`
	Author          *ldOrganization  `json:"author,omitempty"`
	DatePublished   string           `json:"datePublished,omitempty"`
	FirstAppearance *ldCreativeWork  `json:"firstAppearance,omitempty"`
	Appearance      []ldCreativeWork `json:"appearance,omitempty"`
}

// ClaimReview is a case as schema.org's ClaimReview, in JSON-LD.
type ClaimReview struct {
	Context       string         `json:"@context"`
	Type          string         `json:"@type"`
	URL           string         `json:"url"`
	Name          string         `json:"name"`
	ClaimReviewed string         `json:"claimReviewed"`
	InLanguage    string         `json:"inLanguage"`
	DatePublished string         `json:"datePublished"`
	DateModified  string         `json:"dateModified,omitempty"`
	Keywords      string         `json:"keywords,omitempty"`
	Author        ldOrganization `json:"author"`
	ReviewRating  ldRating       `json:"reviewRating"`
	ItemReviewed  ldClaim        `json:"itemReviewed"`
}

// CaseURL is the public page of a published case.
func (s *Service) CaseURL(id string) string { return s.base() + "/factchecks/" + id }

// CaseVersionURL is the public page of a case in the language its text
// is in (In): with a translation, each language has its own address, as
// search engines need one page per language.
func (s *Service) CaseVersionURL(c Case) string {
	if c.Translation == nil {
		return s.CaseURL(c.ID)
	}
	return s.CaseURL(c.ID) + "?lang=" + c.Language
}

// ClaimReview describes a published case, in the language its text is in
// (In): inLanguage says which. verdict is the verdict's text
// in the case's language (the catalogue's pd.verdict.<code>), which is
// what Google shows.
func (s *Service) ClaimReview(c Case, verdict string) ClaimReview {
	lang := c.Language
	orgURL := c.OrgWebsite
	if !WebURL(orgURL) {
		orgURL = s.base() + "/factchecks?org=" + c.Org
	}
	cr := ClaimReview{
		Context: "https://schema.org", Type: "ClaimReview", URL: s.CaseVersionURL(c), Name: c.Title,
		ClaimReviewed: c.Claim, InLanguage: lang, Keywords: strings.Join(c.Keywords, ", "),
		Author:       ldOrganization{Type: "Organization", Name: c.OrgNameIn(lang), URL: orgURL},
		ReviewRating: ldRating{Type: "Rating", RatingValue: VerdictRating(c.Verdict), BestRating: BestRating, WorstRating: WorstRating, AlternateName: verdict, Name: verdict},
		ItemReviewed: ldClaim{Type: "Claim", Name: c.Claim},
	}
	if c.FirstPublishedAt != nil {
		cr.DatePublished = c.FirstPublishedAt.UTC().Format(time.RFC3339)
		if c.PublishedAt != nil && c.PublishedAt.After(*c.FirstPublishedAt) {
			cr.DateModified = c.PublishedAt.UTC().Format(time.RFC3339)
		}
	}
	if c.ClaimAuthor != "" {
		typ := "Organization"
		if c.ClaimAuthorType == "person" {
			typ = "Person"
		}
		cr.ItemReviewed.Author = &ldOrganization{Type: typ, Name: c.ClaimAuthor}
	}
	if c.FirstSeen != nil {
		cr.ItemReviewed.DatePublished = c.FirstSeen.UTC().Format("2006-01-02")
	}
	work := func(a Appearance) ldCreativeWork {
		return ldCreativeWork{Type: "CreativeWork", URL: a.URL, ArchivedAt: a.Archive, DatePublished: a.Date, InLanguage: a.Language,
			Publisher: &ldOrganization{Type: "Organization", Name: a.Outlet}}
	}
	if first, ok := c.FirstAppearance(); ok {
		w := work(first)
		cr.ItemReviewed.FirstAppearance = &w
	}
	for _, a := range c.Appearances {
		cr.ItemReviewed.Appearance = append(cr.ItemReviewed.Appearance, work(a))
	}
	return cr
}

// JSONLD is the ClaimReview as the body of a <script
// type="application/ld+json">: encoding/json escapes <, > and & (and
// U+2028, U+2029), so no text a writer typed — "</script>" included — can
// end the element or open another.
func (cr ClaimReview) JSONLD() template.JS {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(true)
	if err := enc.Encode(cr); err != nil {
		return "{}"
	}
	return template.JS(bytes.TrimSpace(b.Bytes()))
}
