package publicdiplomacy

import (
	"encoding/json"
	"net"
	"net/url"
	"strings"
	"unicode"

	"entente.example/entente/modules/publicdiplomacy/ap"
)

// Images of posts that arrive. They are kept as links with their alt text
// and shown as links, never as <img>: a page that loaded them would tell
// each author's instance who reads its posts, and when.

// RemoteMedia is an image (or other file) attached to a post that arrived.
type RemoteMedia struct {
	URL       string `json:"url"`
	MediaType string `json:"media_type,omitempty"`
	Alt       string `json:"alt,omitempty"`
}

// Bounds of what is kept of a post's attachments.
const (
	maxRemoteMedia = 8    // Mastodon allows four; a little more for others
	maxMediaURL    = 2000 // longer links are not kept
	maxMediaType   = 100
	maxMediaAlt    = 1500 // Mastodon's limit on a description
)

// inboxMedia keeps a post's attachments that link over http(s) to the
// author's instance or its media host (mediaURL), at most maxRemoteMedia, with their alt text
// cleaned and bounded, as the JSON stored in pd_inbox.media.
func inboxMedia(atts []ap.Attachment, from RemoteActor) string {
	out := []RemoteMedia{}
	for _, a := range atts {
		if len(out) == maxRemoteMedia {
			break
		}
		u := mediaURL(a.URL, from)
		if u == "" || len(u) > maxMediaURL || strings.ContainsFunc(u, unicode.IsSpace) {
			continue
		}
		alt := strings.Join(strings.Fields(clean(a.Name)), " ")
		if r := []rune(alt); len(r) > maxMediaAlt {
			alt = string(r[:maxMediaAlt-1]) + "…"
		}
		mt := strings.ToLower(clean(short(strings.TrimSpace(a.MediaType), maxMediaType)))
		if strings.ContainsFunc(mt, func(r rune) bool { return r <= ' ' || r > '~' }) {
			mt = ""
		}
		out = append(out, RemoteMedia{URL: u, MediaType: mt, Alt: alt})
	}
	b, _ := json.Marshal(out)
	return string(b)
}

// mediaURL keeps an attachment's link when it is on the author's host or
// under the author's domain: Mastodon serves media from a host of its
// own (files.mastodon.social for mastodon.social, s3.social.bund.de…).
// Links elsewhere (a tracker, another site) are dropped.
func mediaURL(link string, from RemoteActor) string {
	if u := cleanURL(link, from); u != "" {
		return u
	}
	u, err := url.Parse(link)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Hostname() == "" {
		return ""
	}
	domain := strings.ToLower(from.Host)
	if h, _, err := net.SplitHostPort(domain); err == nil {
		domain = h
	}
	if net.ParseIP(domain) != nil {
		return "" // an address has no domain to share
	}
	if labels := strings.Split(domain, "."); len(labels) > 2 {
		domain = strings.Join(labels[1:], ".")
	}
	if len(strings.Split(domain, ".")) < 2 || !strings.HasSuffix(strings.ToLower(u.Hostname()), "."+domain) {
		return ""
	}
	return link
}

// Host is where the attachment is, for its label.
func (m RemoteMedia) Host() string {
	u, err := url.Parse(m.URL)
	if err != nil {
		return ""
	}
	return u.Host
}

// Images are the item's attachments, as kept when it arrived.
func (it Item) Images() []RemoteMedia {
	var out []RemoteMedia
	if it.MediaJSON == "" || it.Deleted {
		return nil
	}
	if err := json.Unmarshal([]byte(it.MediaJSON), &out); err != nil {
		return nil
	}
	return out
}

// Kind is what the attachment is, for its link's words: image, video,
// audio or file.
func (m RemoteMedia) Kind() string {
	for _, k := range []string{"image", "video", "audio"} {
		if strings.HasPrefix(m.MediaType, k+"/") {
			return k
		}
	}
	if m.MediaType == "" {
		return "image" // most servers send images; Mastodon may omit the type
	}
	return "file"
}
