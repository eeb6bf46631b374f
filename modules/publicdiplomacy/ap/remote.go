package ap

import (
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"time"
)

// RemoteActor is what we keep of another server's actor document.
type RemoteActor struct {
	ID, Type, PreferredUsername, Name, Summary, URL, Inbox, SharedInbox, Outbox, Followers string
	PublicKey                                                                              Key
	Icon                                                                                   string
}

// ParseActor reads an actor document from another server. It requires id,
// inbox and preferredUsername; the addresses we would later fetch or post to
// (id, inbox, sharedInbox, outbox, followers, the key's id and owner) must
// be absolute http(s) URLs, and an embedded key must be owned by the actor.
// Display-only links (url, icon) that are not http(s) URLs are dropped.
func ParseActor(b []byte) (RemoteActor, error) {
	if len(b) > MaxDocument {
		return RemoteActor{}, ErrTooLarge
	}
	m := object(b)
	if m == nil {
		return RemoteActor{}, errors.New("ap: actor: not a JSON object")
	}
	return parseActor(m)
}

func parseActor(m map[string]json.RawMessage) (RemoteActor, error) {
	a := RemoteActor{
		ID: str(m["id"]), Type: firstType(m["type"]), PreferredUsername: str(m["preferredUsername"]),
		Name: str(m["name"]), Summary: str(m["summary"]), URL: orDrop(urlOf(m["url"])),
		Inbox: ref(m["inbox"]), Outbox: ref(m["outbox"]), Followers: ref(m["followers"]),
	}
	if ep := object(m["endpoints"]); ep != nil {
		a.SharedInbox = ref(ep["sharedInbox"])
	}
	for _, el := range rawList(m["icon"]) {
		if s := str(el); s != "" {
			a.Icon = orDrop(s)
		} else if o := object(el); o != nil {
			a.Icon = orDrop(urlOf(o["url"]))
		}
		if a.Icon != "" {
			break
		}
	}
	switch {
	case a.ID == "":
		return a, errors.New("ap: actor: no id")
	case a.Inbox == "":
		return a, fmt.Errorf("ap: actor %s: no inbox", a.ID)
	case a.PreferredUsername == "":
		return a, fmt.Errorf("ap: actor %s: no preferredUsername", a.ID)
	}
	for _, f := range []struct{ name, v string }{{"id", a.ID}, {"inbox", a.Inbox}} {
		if !absURL(f.v) {
			return a, fmt.Errorf("ap: actor: %s is not an absolute http(s) URL", f.name)
		}
	}
	for _, f := range []struct{ name, v string }{{"sharedInbox", a.SharedInbox}, {"outbox", a.Outbox}, {"followers", a.Followers}} {
		if f.v != "" && !absURL(f.v) {
			return a, fmt.Errorf("ap: actor %s: %s is not an absolute http(s) URL", a.ID, f.name)
		}
	}
	k, err := actorKey(a.ID, m["publicKey"])
	if err != nil {
		return a, err
	}
	a.PublicKey = k
	return a, nil
}

// actorKey picks the actor's key: publicKey may be one object, an array of
// them (some servers list several), or only a reference to the key.
func actorKey(id string, raw json.RawMessage) (Key, error) {
	var embedded []Key
	for _, el := range rawList(raw) {
		if s := str(el); s != "" {
			if !absURL(s) {
				return Key{}, fmt.Errorf("ap: actor %s: publicKey is not an absolute http(s) URL", id)
			}
			return Key{ID: s}, nil
		}
		o := object(el)
		if o == nil {
			continue
		}
		k := Key{ID: str(o["id"]), Owner: ref(o["owner"]), PublicKeyPEM: str(o["publicKeyPem"])}
		if k.Owner == id {
			if !absURL(k.ID) {
				return Key{}, fmt.Errorf("ap: actor %s: publicKey.id is not an absolute http(s) URL", id)
			}
			return k, nil
		}
		embedded = append(embedded, k)
	}
	if len(embedded) > 0 {
		return Key{}, fmt.Errorf("ap: actor %s: publicKey.owner %q is not the actor", id, embedded[0].Owner)
	}
	return Key{}, nil
}

// ParseKey reads the public key keyID from the document fetched at keyID:
// an actor whose publicKey (one of them) has that id, GoToSocial's stub
// actor served at the key's own URL, or a bare key object. The key's owner
// is the actor to fetch in full; when the document is an actor, the key
// must be its own.
func ParseKey(b []byte, keyID string) (Key, error) {
	if len(b) > MaxDocument {
		return Key{}, ErrTooLarge
	}
	m := object(b)
	if m == nil {
		return Key{}, errors.New("ap: key: not a JSON object")
	}
	var k Key
	if _, bare := m["publicKeyPem"]; bare {
		k = Key{ID: str(m["id"]), Owner: ref(m["owner"]), PublicKeyPEM: str(m["publicKeyPem"])}
	} else {
		for _, el := range rawList(m["publicKey"]) {
			if o := object(el); o != nil && str(o["id"]) == keyID {
				k = Key{ID: keyID, Owner: ref(o["owner"]), PublicKeyPEM: str(o["publicKeyPem"])}
				break
			}
		}
		if id := str(m["id"]); k.ID != "" && k.Owner != id {
			return Key{}, fmt.Errorf("ap: key %s: owner %q is not the actor %q holding it", keyID, k.Owner, id)
		}
	}
	switch {
	case k.ID != keyID:
		return Key{}, fmt.Errorf("ap: key %s: not in the document", keyID)
	case !absURL(k.Owner):
		return Key{}, fmt.Errorf("ap: key %s: owner is not an absolute http(s) URL", keyID)
	case k.PublicKeyPEM == "":
		return Key{}, fmt.Errorf("ap: key %s: no publicKeyPem", keyID)
	}
	return k, nil
}

// Object is a post received from another server: a Note, or an Article,
// Question or Page read as a note.
type Object struct {
	ID, Type, AttributedTo, Content, Summary, InReplyTo, URL, Language string // Content and Summary are HTML
	Sensitive                                                          bool
	Published, Updated                                                 time.Time
	To, Cc                                                             []string
	Tag                                                                []Tag
	Attachment                                                         []Attachment
}

// Incoming is an activity received from another server.
type Incoming struct {
	ID, Type, Actor string
	ObjectID        string       // the object's id whether embedded or a bare string
	ObjectType      string       // the embedded object's type ("Note", "Follow", "Person", "Tombstone"…); empty for a bare id
	Object          *Object      // when the object is an embedded Note-like object
	Inner           *Incoming    // when the object is an embedded activity (Undo{Follow}, Accept{Follow}, …)
	ObjectActor     *RemoteActor // when the object is an embedded actor (Update{Person})
	To, Cc          []string
	Published       time.Time
}

var (
	noteTypes  = map[string]bool{"Note": true, "Article": true, "Question": true, "Page": true}
	actorTypes = map[string]bool{"Person": true, "Service": true, "Application": true, "Group": true, "Organization": true}
	activities = map[string]bool{"Create": true, "Update": true, "Delete": true, "Follow": true, "Accept": true,
		"Reject": true, "Undo": true, "Announce": true, "Like": true, "Block": true, "Add": true, "Remove": true,
		"Flag": true, "Move": true, "EmojiReact": true, "Dislike": true}
)

// ParseActivity reads an activity posted to an inbox. It refuses what is
// not a JSON object, lacks id, type or actor, names anything by an id that
// is not an absolute http(s) URL, nests activities deeper than three, or is
// longer than MaxDocument. An embedded activity may lack its own id (some
// servers send Accept{Follow} so); one that has an id must be valid.
func ParseActivity(b []byte) (Incoming, error) {
	if len(b) > MaxDocument {
		return Incoming{}, ErrTooLarge
	}
	m := object(b)
	if m == nil {
		return Incoming{}, errors.New("ap: activity: not a JSON object")
	}
	return parseActivity(m, 1, true)
}

func parseActivity(m map[string]json.RawMessage, depth int, needID bool) (Incoming, error) {
	if depth > maxDepth {
		return Incoming{}, fmt.Errorf("ap: activity: nested deeper than %d", maxDepth)
	}
	in := Incoming{ID: str(m["id"]), Type: firstType(m["type"]), Actor: ref(m["actor"]),
		To: refs(m["to"]), Cc: refs(m["cc"]), Published: timeOf(m["published"])}
	switch {
	case in.ID == "" && needID:
		return in, errors.New("ap: activity: no id")
	case in.ID != "" && !absURL(in.ID):
		return in, errors.New("ap: activity: id is not an absolute http(s) URL")
	case in.Type == "":
		return in, fmt.Errorf("ap: activity %s: no type", in.ID)
	case in.Actor == "":
		return in, fmt.Errorf("ap: activity %s: no actor", in.ID)
	case !absURL(in.Actor):
		return in, fmt.Errorf("ap: activity %s: actor is not an absolute http(s) URL", in.ID)
	}
	objs := rawList(m["object"])
	if len(objs) == 0 {
		return in, nil
	}
	raw := objs[0] // a list of objects (Flag) is read by its first
	if s := str(raw); s != "" {
		if !absURL(s) {
			return in, fmt.Errorf("ap: activity %s: object is not an absolute http(s) URL", in.ID)
		}
		in.ObjectID = s
		return in, nil
	}
	om := object(raw)
	if om == nil {
		return in, nil
	}
	in.ObjectType = firstType(om["type"])
	_, hasActor := om["actor"]
	_, hasObject := om["object"]
	switch {
	case activities[in.ObjectType] || (hasActor && hasObject && !noteTypes[in.ObjectType]):
		inner, err := parseActivity(om, depth+1, false)
		if err != nil {
			return in, err
		}
		in.Inner, in.ObjectID = &inner, inner.ID
		return in, nil
	case actorTypes[in.ObjectType]:
		a, err := parseActor(om)
		if err != nil {
			return in, err
		}
		in.ObjectActor, in.ObjectID = &a, a.ID
		return in, nil
	case noteTypes[in.ObjectType]:
		o, err := parseObject(om)
		if err != nil {
			return in, err
		}
		in.Object, in.ObjectID = &o, o.ID
		return in, nil
	}
	in.ObjectID = ref(raw)
	if in.ObjectID != "" && !absURL(in.ObjectID) {
		return in, fmt.Errorf("ap: activity %s: object id is not an absolute http(s) URL", in.ID)
	}
	return in, nil
}

func parseObject(m map[string]json.RawMessage) (Object, error) {
	o := Object{
		ID: str(m["id"]), Type: firstType(m["type"]), AttributedTo: ref(m["attributedTo"]),
		Content: str(m["content"]), Summary: str(m["summary"]), InReplyTo: ref(m["inReplyTo"]),
		URL: orDrop(urlOf(m["url"])), Sensitive: boolOf(m["sensitive"]),
		Published: timeOf(m["published"]), Updated: timeOf(m["updated"]),
		To: refs(m["to"]), Cc: refs(m["cc"]),
	}
	if !absURL(o.ID) {
		return o, errors.New("ap: object: id is missing or not an absolute http(s) URL")
	}
	for _, f := range []struct{ name, v string }{{"attributedTo", o.AttributedTo}, {"inReplyTo", o.InReplyTo}} {
		if f.v != "" && !absURL(f.v) {
			return o, fmt.Errorf("ap: object %s: %s is not an absolute http(s) URL", o.ID, f.name)
		}
	}
	// Mastodon takes the language from contentMap's first key, GoToSocial
	// from the key whose text is the content; prefer the agreeing one.
	if cm := orderedStrings(m["contentMap"]); len(cm) > 0 {
		o.Language = cm[0].key
		for _, kv := range cm {
			if kv.value == o.Content {
				o.Language = kv.key
				break
			}
		}
		if o.Content == "" {
			o.Content = cm[0].value
		}
	}
	if o.Content == "" { // a Question or Page may carry only a name (plain text)
		if name := str(m["name"]); name != "" {
			o.Content = "<p>" + html.EscapeString(name) + "</p>"
		}
	}
	for _, el := range rawList(m["tag"]) {
		t := object(el)
		if t == nil {
			continue
		}
		tag := Tag{Type: firstType(t["type"]), Name: str(t["name"]), Href: orDrop(ref(t["href"]))}
		if tag.Type != "" {
			o.Tag = append(o.Tag, tag)
		}
	}
	for _, el := range rawList(m["attachment"]) {
		a := object(el)
		if a == nil {
			continue
		}
		att := Attachment{Type: firstType(a["type"]), MediaType: str(a["mediaType"]), URL: orDrop(urlOf(a["url"])),
			Name: str(a["summary"]), Width: intOf(a["width"]), Height: intOf(a["height"])}
		if att.Name == "" { // alt text: Mastodon reads summary, then name
			att.Name = str(a["name"])
		}
		if att.URL != "" {
			o.Attachment = append(o.Attachment, att)
		}
	}
	return o, nil
}
