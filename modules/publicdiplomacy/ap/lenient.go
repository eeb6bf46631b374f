package ap

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/url"
	"strings"
	"time"
)

// MaxDocument is the largest document, in bytes, read from another server.
const MaxDocument = 1 << 20

// maxDepth bounds how deeply activities may embed activities
// (Undo{Accept{Follow}} is three).
const maxDepth = 3

// ErrTooLarge is returned for documents longer than MaxDocument.
var ErrTooLarge = errors.New("ap: document larger than MaxDocument")

// The helpers below read one member of a remote document the way servers
// actually write it: a value that should be a string may arrive as an array
// or as an object carrying "id" or "href". A member of a type that makes no
// sense reads as empty rather than failing the whole document.

// str reads a JSON string; NUL characters are dropped because the store
// refuses them and a hostile server could use them to make a write fail.
func str(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '"' {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return strings.ReplaceAll(s, "\x00", "")
}

func object(raw json.RawMessage) map[string]json.RawMessage {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || raw[0] != '{' {
		return nil
	}
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	return m
}

// rawList reads an array's elements, a single value as a list of one, and
// null or absence as none.
func rawList(raw json.RawMessage) []json.RawMessage {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		return nil
	}
	if raw[0] != '[' {
		return []json.RawMessage{raw}
	}
	var l []json.RawMessage
	if json.Unmarshal(raw, &l) != nil {
		return nil
	}
	return l
}

// ref reads a reference to another object: a string, an object's "id" (or a
// Link's "href"), or the first usable element of an array.
func ref(raw json.RawMessage) string {
	for _, el := range rawList(raw) {
		if s := str(el); s != "" {
			return s
		}
		if m := object(el); m != nil {
			if s := str(m["id"]); s != "" {
				return s
			}
			if s := str(m["href"]); s != "" {
				return s
			}
		}
	}
	return ""
}

// refs reads a list of references (addressing); a single value is a list of one.
func refs(raw json.RawMessage) []string {
	var out []string
	for _, el := range rawList(raw) {
		if s := ref(el); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// firstType reads "type", which JSON-LD allows to be an array.
func firstType(raw json.RawMessage) string {
	for _, el := range rawList(raw) {
		if s := str(el); s != "" {
			return s
		}
	}
	return ""
}

// urlOf reads a "url" member: a string, a Link object, or an array of them,
// preferring the text/html link (the page a person would open).
func urlOf(raw json.RawMessage) string {
	first := ""
	for _, el := range rawList(raw) {
		if s := str(el); s != "" {
			if first == "" {
				first = s
			}
			continue
		}
		m := object(el)
		if m == nil {
			continue
		}
		s := str(m["href"])
		if s == "" {
			s = str(m["url"])
		}
		if s == "" {
			continue
		}
		if strings.HasPrefix(str(m["mediaType"]), "text/html") {
			return s
		}
		if first == "" {
			first = s
		}
	}
	return first
}

func timeOf(raw json.RawMessage) time.Time {
	t, err := time.Parse(time.RFC3339Nano, str(raw))
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

func boolOf(raw json.RawMessage) bool {
	return bytes.Equal(bytes.TrimSpace(raw), []byte("true"))
}

func intOf(raw json.RawMessage) int {
	var f float64
	if json.Unmarshal(raw, &f) != nil || f < 0 || f > 1<<30 {
		return 0
	}
	return int(f)
}

type member struct{ key, value string }

// orderedStrings reads an object of strings keeping its order (contentMap's
// first key carries meaning for Mastodon, and Go maps forget order).
func orderedStrings(raw json.RawMessage) []member {
	if object(raw) == nil {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil { // {
		return nil
	}
	var out []member
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			return out
		}
		var v json.RawMessage
		if dec.Decode(&v) != nil {
			return out
		}
		if key, ok := k.(string); ok {
			if s := str(v); s != "" {
				out = append(out, member{key, s})
			}
		}
	}
	return out
}

// absURL reports whether s is an absolute http or https URL with a host and
// no user information (credentials in an id are a trick, never a need).
func absURL(s string) bool {
	if s == "" || len(s) > 2048 {
		return false
	}
	u, err := url.Parse(s)
	if err != nil || u.User != nil || u.Host == "" || u.Opaque != "" {
		return false
	}
	return u.Scheme == "https" || u.Scheme == "http"
}

// orDrop keeps s only when it is an absolute http(s) URL: for display-only
// links, where a bad value should cost the link, not the document.
func orDrop(s string) string {
	if absURL(s) {
		return s
	}
	return ""
}
