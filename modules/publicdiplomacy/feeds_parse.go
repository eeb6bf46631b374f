package publicdiplomacy

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/url"
	"strings"
	"time"
	"unicode"

	"github.com/mmcdole/gofeed"

	"entente.example/entente/modules/publicdiplomacy/ap"
)

// A feed is someone else's bytes. gofeed reads the three formats (RSS 2.0
// and 1.0, Atom, JSON Feed) from bytes the poller fetched itself, never
// from a URL (it would use its own client, which does not refuse private
// addresses); what it returns is then bounded and cleaned here before
// anything is stored or shown: text is valid UTF-8 without control
// characters, HTML is reduced to its text, links are absolute http(s)
// URLs or nothing, and there are at most maxFeedItems items.

// Bounds on what one feed may bring.
const (
	maxFeedItems     = 200
	maxItemTitle     = 500
	maxItemSummary   = 1000
	maxItemAuthor    = 200
	maxGUID          = 500
	maxItemLink      = 2048
	maxFeedMetaTitle = 200
)

// parsedFeed is what a feed document says, cleaned.
type parsedFeed struct {
	Format   string // rss, atom, json
	Title    string
	SiteURL  string
	Language string // a language code such as "en" or "id", or ""
	Items    []parsedItem
}

// parsedItem is one entry of a feed, cleaned.
type parsedItem struct {
	GUID      string // the dedupe key: the item's id, else its link, else a hash
	Link      string
	Title     string
	Summary   string
	Author    string
	Published time.Time // zero when the feed gives no date
}

// errNotFeed is a document that is none of the three formats (often a web
// page where a feed was expected).
var errNotFeed = errors.New("not an RSS, Atom or JSON feed")

// parseFeed reads a feed document fetched from base.
func parseFeed(body []byte, base *url.URL) (parsedFeed, error) {
	var out parsedFeed
	switch gofeed.DetectFeedType(bytes.NewReader(body)) {
	case gofeed.FeedTypeRSS:
		out.Format = "rss"
	case gofeed.FeedTypeAtom:
		out.Format = "atom"
	case gofeed.FeedTypeJSON:
		out.Format = "json"
	default:
		return out, errNotFeed
	}
	f, err := gofeed.NewParser().Parse(bytes.NewReader(body))
	if err != nil {
		return out, err
	}
	out.Title = cleanLine(ap.PlainText(f.Title), maxFeedMetaTitle)
	out.SiteURL = cleanLink(f.Link, base)
	if out.SiteURL == "" && len(f.Links) > 0 {
		out.SiteURL = cleanLink(f.Links[0], base)
	}
	out.Language = languageCode(f.Language)
	if out.Language == "" && f.DublinCoreExt != nil && len(f.DublinCoreExt.Language) > 0 {
		out.Language = languageCode(f.DublinCoreExt.Language[0])
	}
	// Links inside items are relative to the site where the feed names one
	// (Atom's xml:base aside, which gofeed already applies).
	itemBase := base
	if u, err := url.Parse(out.SiteURL); err == nil && out.SiteURL != "" {
		itemBase = u
	}
	for _, it := range f.Items {
		if it == nil {
			continue
		}
		if len(out.Items) == maxFeedItems {
			break
		}
		p := parsedItem{
			Title:  cleanLine(ap.PlainText(it.Title), maxItemTitle),
			Link:   cleanLink(it.Link, itemBase),
			Author: author(it),
		}
		if p.Link == "" {
			for _, l := range it.Links {
				if p.Link = cleanLink(l, itemBase); p.Link != "" {
					break
				}
			}
		}
		summary := it.Description
		if strings.TrimSpace(summary) == "" {
			summary = it.Content
		}
		p.Summary = cleanLine(ap.PlainText(summary), maxItemSummary)
		if p.Title == "" {
			// An item without a title (a microblog's) is named by its
			// first words.
			p.Title = cleanLine(p.Summary, 120)
		}
		switch {
		case it.PublishedParsed != nil:
			p.Published = it.PublishedParsed.UTC()
		case it.UpdatedParsed != nil:
			p.Published = it.UpdatedParsed.UTC()
		}
		p.GUID = cleanLine(it.GUID, 100000)
		switch {
		case p.GUID != "":
		case p.Link != "":
			p.GUID = p.Link
		default:
			sum := sha256.Sum256([]byte(p.Title + "\x00" + p.Summary + "\x00" + p.Published.Format(time.RFC3339)))
			p.GUID = "sha256:" + hex.EncodeToString(sum[:])
		}
		if len(p.GUID) > maxGUID {
			sum := sha256.Sum256([]byte(p.GUID))
			p.GUID = "sha256:" + hex.EncodeToString(sum[:])
		}
		if p.Title == "" && p.Link == "" {
			continue // nothing to show or to open
		}
		out.Items = append(out.Items, p)
	}
	return out, nil
}

func author(it *gofeed.Item) string {
	for _, a := range it.Authors {
		if a != nil && strings.TrimSpace(a.Name) != "" {
			return cleanLine(a.Name, maxItemAuthor)
		}
	}
	if it.Author != nil {
		return cleanLine(it.Author.Name, maxItemAuthor)
	}
	return ""
}

// cleanLine makes outside text one line of at most max runes: invalid
// UTF-8 replaced, control and format characters (NUL, bidirectional
// overrides) dropped, runs of spaces made one.
func cleanLine(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	var b []rune
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = len(b) > 0
			continue
		}
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) && r != '\u200d' {
			continue
		}
		if space {
			b = append(b, ' ')
			space = false
		}
		b = append(b, r)
		if len(b) > max {
			break
		}
	}
	if len(b) > max {
		b = append(b[:max-1], '…')
	}
	return string(b)
}

// cleanLink resolves a link against base and keeps it only if it is an
// absolute http or https URL of reasonable length: a javascript: or data:
// link in a feed is dropped, not shown.
func cleanLink(s string, base *url.URL) string {
	s = strings.TrimSpace(s)
	if s == "" || len(s) > maxItemLink || strings.ContainsAny(s, "\x00\r\n\t") {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return ""
	}
	out := u.String()
	if len(out) > maxItemLink {
		return ""
	}
	return out
}

// languageCode reduces a language tag ("en-US", "id_ID", "EN") to its
// primary subtag, lower case; "" if it is not one.
func languageCode(tag string) string {
	tag = strings.ToLower(strings.TrimSpace(tag))
	if i := strings.IndexAny(tag, "-_"); i >= 0 {
		tag = tag[:i]
	}
	if len(tag) < 2 || len(tag) > 3 {
		return ""
	}
	for _, c := range tag {
		if c < 'a' || c > 'z' {
			return ""
		}
	}
	return tag
}
