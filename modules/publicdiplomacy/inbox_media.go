package publicdiplomacy

import (
	"encoding/json"
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

// inboxMedia keeps a post's attachments that link to the author's own
// instance over http(s), at most maxRemoteMedia, with their alt text
// cleaned and bounded, as the JSON stored in pd_inbox.media.
func inboxMedia(atts []ap.Attachment, from RemoteActor) string {
	out := []RemoteMedia{}
	for _, a := range atts {
		if len(out) == maxRemoteMedia {
			break
		}
		u := cleanURL(a.URL, from)
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
