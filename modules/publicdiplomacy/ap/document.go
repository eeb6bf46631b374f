package ap

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// The JSON-LD contexts Mastodon attaches, by kind of document. Mastodon maps
// "schema" to "http://schema.org#" (not the correct https://schema.org/),
// and its own parser expands profile fields with that mapping, so it is
// copied as Mastodon writes it.
var (
	asContext    = json.RawMessage(`"https://www.w3.org/ns/activitystreams"`)
	actorContext = json.RawMessage(`["https://www.w3.org/ns/activitystreams","https://w3id.org/security/v1",{` +
		`"manuallyApprovesFollowers":"as:manuallyApprovesFollowers",` +
		`"toot":"http://joinmastodon.org/ns#",` +
		`"featured":{"@id":"toot:featured","@type":"@id"},` +
		`"featuredTags":{"@id":"toot:featuredTags","@type":"@id"},` +
		`"alsoKnownAs":{"@id":"as:alsoKnownAs","@type":"@id"},` +
		`"movedTo":{"@id":"as:movedTo","@type":"@id"},` +
		`"schema":"http://schema.org#",` +
		`"PropertyValue":"schema:PropertyValue",` +
		`"value":"schema:value",` +
		`"discoverable":"toot:discoverable",` +
		`"indexable":"toot:indexable",` +
		`"sensitive":"as:sensitive",` +
		`"Hashtag":"as:Hashtag"}]`)
	noteContext = json.RawMessage(`["https://www.w3.org/ns/activitystreams",{` +
		`"sensitive":"as:sensitive",` +
		`"toot":"http://joinmastodon.org/ns#",` +
		`"Hashtag":"as:Hashtag"}]`)
)

// marshal is json.Marshal without escaping '<', '>' and '&': content is
// HTML and Mastodon writes it raw. (An outer json.Marshal escapes it again;
// handlers should encode with SetEscapeHTML(false).)
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// stamp writes a time as Mastodon does: UTC, whole seconds, a 'Z'.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Truncate(time.Second).Format("2006-01-02T15:04:05Z")
}

// Key is an actor's public key as published in its document.
type Key struct{ ID, Owner, PublicKeyPEM string }

// PropertyValue is a profile field; Value is HTML (Mastodon verifies links in it).
type PropertyValue struct{ Name, Value string }

// Image is an avatar or header picture.
type Image struct{ URL, MediaType string }

// Actor is a local account's actor document.
type Actor struct {
	ID, Type, PreferredUsername, Name, Summary, URL  string // Summary is HTML
	Inbox, Outbox, Followers, Following, SharedInbox string // SharedInbox optional (endpoints.sharedInbox)
	Featured                                         string // optional: the pinned posts collection
	ManuallyApprovesFollowers, Discoverable          bool
	Indexable                                        bool
	Published                                        time.Time
	Icon                                             *Image
	Image                                            *Image // optional header picture
	Attachment                                       []PropertyValue
	PublicKey                                        Key
}

type imageDoc struct {
	Type      string `json:"type"`
	MediaType string `json:"mediaType,omitempty"`
	URL       string `json:"url"`
}

type keyDoc struct {
	ID           string `json:"id"`
	Owner        string `json:"owner"`
	PublicKeyPem string `json:"publicKeyPem"`
}

type propertyDoc struct {
	Type  string `json:"type"`
	Name  string `json:"name"`
	Value string `json:"value"`
}

type endpointsDoc struct {
	SharedInbox string `json:"sharedInbox,omitempty"`
}

type actorDoc struct {
	Context                   json.RawMessage `json:"@context,omitempty"`
	ID                        string          `json:"id"`
	Type                      string          `json:"type"`
	Following                 string          `json:"following,omitempty"`
	Followers                 string          `json:"followers,omitempty"`
	Inbox                     string          `json:"inbox"`
	Outbox                    string          `json:"outbox,omitempty"`
	Featured                  string          `json:"featured,omitempty"`
	PreferredUsername         string          `json:"preferredUsername"`
	Name                      string          `json:"name"`
	Summary                   string          `json:"summary"`
	URL                       string          `json:"url,omitempty"`
	ManuallyApprovesFollowers bool            `json:"manuallyApprovesFollowers"`
	Discoverable              bool            `json:"discoverable"`
	Indexable                 bool            `json:"indexable"`
	Published                 string          `json:"published,omitempty"`
	PublicKey                 keyDoc          `json:"publicKey"`
	Tag                       []tagDoc        `json:"tag"`
	Attachment                []propertyDoc   `json:"attachment"`
	Endpoints                 *endpointsDoc   `json:"endpoints,omitempty"`
	Icon                      *imageDoc       `json:"icon,omitempty"`
	Image                     *imageDoc       `json:"image,omitempty"`
}

func imageOf(i *Image) *imageDoc {
	if i == nil || i.URL == "" {
		return nil
	}
	return &imageDoc{Type: "Image", MediaType: i.MediaType, URL: i.URL}
}

func (a *Actor) doc(ctx json.RawMessage) actorDoc {
	typ := a.Type
	if typ == "" {
		typ = "Person"
	}
	d := actorDoc{
		Context: ctx, ID: a.ID, Type: typ, Following: a.Following, Followers: a.Followers,
		Inbox: a.Inbox, Outbox: a.Outbox, Featured: a.Featured,
		PreferredUsername: a.PreferredUsername, Name: a.Name, Summary: a.Summary, URL: a.URL,
		ManuallyApprovesFollowers: a.ManuallyApprovesFollowers, Discoverable: a.Discoverable,
		Indexable: a.Indexable, Published: stamp(a.Published),
		PublicKey:  keyDoc{ID: a.PublicKey.ID, Owner: a.PublicKey.Owner, PublicKeyPem: a.PublicKey.PublicKeyPEM},
		Tag:        []tagDoc{},
		Attachment: make([]propertyDoc, 0, len(a.Attachment)),
		Icon:       imageOf(a.Icon), Image: imageOf(a.Image),
	}
	if d.PublicKey.Owner == "" {
		d.PublicKey.Owner = a.ID
	}
	if a.SharedInbox != "" {
		d.Endpoints = &endpointsDoc{SharedInbox: a.SharedInbox}
	}
	for _, p := range a.Attachment {
		d.Attachment = append(d.Attachment, propertyDoc{Type: "PropertyValue", Name: p.Name, Value: p.Value})
	}
	return d
}

// MarshalJSON writes the actor as Mastodon does, with the security context
// (for publicKey) and Mastodon's extension terms.
func (a Actor) MarshalJSON() ([]byte, error) { return marshal(a.doc(actorContext)) }

// Tag is a Mention (Name "@u@d") or a Hashtag (Name "#tag") on a note.
type Tag struct{ Type, Name, Href string }

type tagDoc struct {
	Type string `json:"type"`
	Href string `json:"href,omitempty"`
	Name string `json:"name"`
}

// Attachment is a media attachment on a note. Type is "Document" or "Image";
// Name is the alt text, written both as name and summary because Mastodon
// reads summary first and other servers read name.
type Attachment struct {
	Type, MediaType, URL, Name string
	Width, Height              int
}

type attachmentDoc struct {
	Type      string `json:"type"`
	MediaType string `json:"mediaType,omitempty"`
	URL       string `json:"url"`
	Name      string `json:"name,omitempty"`
	Summary   string `json:"summary,omitempty"`
	Width     int    `json:"width,omitempty"`
	Height    int    `json:"height,omitempty"`
}

// Note is a post. Content and Summary (the content warning) are HTML;
// Language becomes a single-key contentMap.
type Note struct {
	ID, URL, AttributedTo, Content, Summary, InReplyTo, Language string
	Sensitive                                                    bool
	Published                                                    time.Time
	Updated                                                      *time.Time
	To, Cc                                                       []string
	Tag                                                          []Tag
	Attachment                                                   []Attachment
}

type noteDoc struct {
	Context      json.RawMessage   `json:"@context,omitempty"`
	ID           string            `json:"id"`
	Type         string            `json:"type"`
	Summary      *string           `json:"summary"`
	InReplyTo    *string           `json:"inReplyTo"`
	Published    string            `json:"published,omitempty"`
	Updated      string            `json:"updated,omitempty"`
	URL          string            `json:"url,omitempty"`
	AttributedTo string            `json:"attributedTo"`
	To           []string          `json:"to"`
	Cc           []string          `json:"cc"`
	Sensitive    bool              `json:"sensitive"`
	Content      string            `json:"content"`
	ContentMap   map[string]string `json:"contentMap,omitempty"`
	Attachment   []attachmentDoc   `json:"attachment"`
	Tag          []tagDoc          `json:"tag"`
}

// nullable is Mastodon's habit of writing absent optional fields as null.
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func list(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (n *Note) doc(ctx json.RawMessage) noteDoc {
	d := noteDoc{
		Context: ctx, ID: n.ID, Type: "Note", Summary: nullable(n.Summary), InReplyTo: nullable(n.InReplyTo),
		Published: stamp(n.Published), URL: n.URL, AttributedTo: n.AttributedTo,
		To: list(n.To), Cc: list(n.Cc), Sensitive: n.Sensitive || n.Summary != "", Content: n.Content,
		Attachment: make([]attachmentDoc, 0, len(n.Attachment)), Tag: make([]tagDoc, 0, len(n.Tag)),
	}
	if n.Updated != nil {
		d.Updated = stamp(*n.Updated)
	}
	if n.Language != "" {
		d.ContentMap = map[string]string{n.Language: n.Content}
	}
	for _, a := range n.Attachment {
		typ := a.Type
		if typ == "" {
			typ = "Document"
		}
		d.Attachment = append(d.Attachment, attachmentDoc{Type: typ, MediaType: a.MediaType, URL: a.URL,
			Name: a.Name, Summary: a.Name, Width: a.Width, Height: a.Height})
	}
	for _, t := range n.Tag {
		d.Tag = append(d.Tag, tagDoc{Type: t.Type, Href: t.Href, Name: t.Name})
	}
	return d
}

// MarshalJSON writes the note as Mastodon does. A content warning (Summary)
// always marks the note sensitive, as Mastodon's own posts are.
func (n Note) MarshalJSON() ([]byte, error) { return marshal(n.doc(noteContext)) }

// Tombstone is the object of a Delete: what remains of a deleted post.
type Tombstone struct{ ID string }

// MarshalJSON writes {"id":…,"type":"Tombstone"}.
func (t Tombstone) MarshalJSON() ([]byte, error) {
	return marshal(struct {
		ID   string `json:"id"`
		Type string `json:"type"`
	}{t.ID, "Tombstone"})
}

// Activity is an activity we send. Object is a string id, *Note, *Activity,
// *Actor or *Tombstone.
type Activity struct {
	ID, Type, Actor string
	Object          any
	To, Cc          []string
	Published       time.Time // omitted when zero
}

type activityDoc struct {
	Context   json.RawMessage `json:"@context,omitempty"`
	ID        string          `json:"id"`
	Type      string          `json:"type"`
	Actor     string          `json:"actor"`
	Published string          `json:"published,omitempty"`
	To        []string        `json:"to,omitempty"`
	Cc        []string        `json:"cc,omitempty"`
	Object    any             `json:"object"`
}

// contextFor picks the context the outermost document needs for what it
// embeds, as Mastodon adds only the terms a document uses.
func contextFor(v any) json.RawMessage {
	switch o := v.(type) {
	case *Note, Note:
		return noteContext
	case *Actor, Actor:
		return actorContext
	case *Activity:
		return contextFor(o.Object)
	case Activity:
		return contextFor(o.Object)
	}
	return asContext
}

// embed renders an object nested in another document: without its own @context.
func embed(v any, depth int) (any, error) {
	if depth > maxDepth {
		return nil, fmt.Errorf("ap: activity nested deeper than %d", maxDepth)
	}
	switch o := v.(type) {
	case string:
		return o, nil
	case *Note:
		return o.doc(nil), nil
	case Note:
		return o.doc(nil), nil
	case *Actor:
		return o.doc(nil), nil
	case Actor:
		return o.doc(nil), nil
	case *Tombstone:
		return *o, nil
	case Tombstone:
		return o, nil
	case *Activity:
		return o.doc(nil, depth)
	case Activity:
		return o.doc(nil, depth)
	}
	return nil, fmt.Errorf("ap: cannot embed an object of type %T", v)
}

func (a *Activity) doc(ctx json.RawMessage, depth int) (activityDoc, error) {
	if a.Object == nil {
		return activityDoc{}, fmt.Errorf("ap: %s activity %q has no object", a.Type, a.ID)
	}
	obj, err := embed(a.Object, depth+1)
	if err != nil {
		return activityDoc{}, err
	}
	return activityDoc{Context: ctx, ID: a.ID, Type: a.Type, Actor: a.Actor, Published: stamp(a.Published),
		To: a.To, Cc: a.Cc, Object: obj}, nil
}

// MarshalJSON writes the activity with its object embedded (or as an id),
// under the context the object needs.
func (a Activity) MarshalJSON() ([]byte, error) {
	d, err := a.doc(contextFor(a.Object), 1)
	if err != nil {
		return nil, err
	}
	return marshal(d)
}
