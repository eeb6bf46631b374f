// Package ap is the ActivityPub protocol layer that lets a public-diplomacy
// account on an Entente node be followed, mentioned and answered from
// Mastodon and GoToSocial: the documents we serve (actor, notes, activities,
// collections, WebFinger) shaped as Mastodon writes them, because Mastodon's
// and GoToSocial's parsers are what other servers must satisfy in practice;
// lenient parsers for the documents other servers send us, because real
// servers disagree on whether a field is a string, an array or an object,
// and every byte they send is hostile; and draft-cavage HTTP signatures,
// because both servers sign every GET and POST that way and refuse what is
// unsigned.
//
// The package holds no state and touches no database or page: the module
// around it stores, authorizes and delivers.
package ap

import (
	"mime"
	"strconv"
	"strings"
)

// ContentType is the media type ActivityPub documents are served and posted with.
const ContentType = "application/activity+json"

// LDContentType is the JSON-LD media type with the ActivityStreams profile,
// which the ActivityPub specification names as the canonical one.
const LDContentType = `application/ld+json; profile="https://www.w3.org/ns/activitystreams"`

// Public is the special collection that addresses everyone.
const Public = "https://www.w3.org/ns/activitystreams#Public"

const asProfile = "https://www.w3.org/ns/activitystreams"

// AcceptsActivity reports whether an Accept or Content-Type header value
// names activity+json or the ld+json ActivityStreams profile. Wildcards do
// not count: a browser's "*/*" wants the HTML page.
func AcceptsActivity(header string) bool {
	for _, part := range splitMediaRanges(header) {
		mt, params, err := mime.ParseMediaType(part)
		if err != nil {
			continue
		}
		if q, ok := params["q"]; ok && isZeroQ(q) {
			continue
		}
		switch mt {
		case "application/activity+json":
			return true
		case "application/ld+json":
			for _, p := range strings.Fields(params["profile"]) {
				if p == asProfile {
					return true
				}
			}
		}
	}
	return false
}

// splitMediaRanges splits a header on commas outside quoted strings (the
// ld+json profile is quoted and could hold a comma).
func splitMediaRanges(h string) []string {
	var out []string
	start, quoted := 0, false
	for i := 0; i < len(h); i++ {
		switch h[i] {
		case '\\':
			if quoted {
				i++
			}
		case '"':
			quoted = !quoted
		case ',':
			if !quoted {
				out = append(out, strings.TrimSpace(h[start:i]))
				start = i + 1
			}
		}
	}
	if start <= len(h) {
		out = append(out, strings.TrimSpace(h[start:]))
	}
	return out
}

func isZeroQ(q string) bool {
	f, err := strconv.ParseFloat(strings.TrimSpace(q), 64)
	return err == nil && f == 0
}
