package ap

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
)

// Link is one link of a WebFinger answer.
type Link struct {
	Rel      string `json:"rel"`
	Type     string `json:"type,omitempty"`
	Href     string `json:"href,omitempty"`
	Template string `json:"template,omitempty"`
}

// WebFinger is a JSON Resource Descriptor (RFC 7033) for an account.
type WebFinger struct {
	Subject string   `json:"subject"`
	Aliases []string `json:"aliases,omitempty"`
	Links   []Link   `json:"links,omitempty"`
}

// Self returns the href of the rel=self link whose type is an ActivityPub
// one: the actor's id.
func (w WebFinger) Self() string {
	for _, l := range w.Links {
		if l.Rel == "self" && AcceptsActivity(l.Type) && l.Href != "" {
			return l.Href
		}
	}
	return ""
}

// ParseWebFinger reads a WebFinger answer from another server leniently:
// members of the wrong JSON type are skipped rather than refused.
func ParseWebFinger(b []byte) (WebFinger, error) {
	var w WebFinger
	if len(b) > MaxDocument {
		return w, ErrTooLarge
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil || m == nil {
		return w, fmt.Errorf("ap: webfinger: not a JSON object")
	}
	w.Subject = str(m["subject"])
	for _, a := range rawList(m["aliases"]) {
		if s := str(a); s != "" {
			w.Aliases = append(w.Aliases, s)
		}
	}
	for _, raw := range rawList(m["links"]) {
		var l map[string]json.RawMessage
		if json.Unmarshal(raw, &l) != nil || l == nil {
			continue
		}
		w.Links = append(w.Links, Link{Rel: str(l["rel"]), Type: str(l["type"]), Href: str(l["href"]), Template: str(l["template"])})
	}
	if w.Subject == "" {
		return w, errors.New("ap: webfinger: no subject")
	}
	return w, nil
}

// OrderedCollection is a collection we serve (outbox, followers, following):
// either its first page's address or its items inline.
type OrderedCollection struct {
	ID           string
	TotalItems   int
	First, Last  string
	OrderedItems []any
}

// CollectionPage is one OrderedCollectionPage of a collection.
type CollectionPage struct {
	ID, PartOf, Next, Prev string
	TotalItems             int
	OrderedItems           []any
}

type collectionDoc struct {
	Context      json.RawMessage `json:"@context"`
	ID           string          `json:"id"`
	Type         string          `json:"type"`
	TotalItems   int             `json:"totalItems"`
	First        string          `json:"first,omitempty"`
	Last         string          `json:"last,omitempty"`
	OrderedItems []any           `json:"orderedItems,omitempty"`
}

// items renders a collection's items without their own contexts and picks
// the richest context any of them needs.
func items(in []any) ([]any, json.RawMessage, error) {
	out := make([]any, 0, len(in))
	ctx := asContext
	for _, it := range in {
		e, err := embed(it, 1)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, e)
		switch c := contextFor(it); {
		case bytes.Equal(c, actorContext):
			ctx = actorContext
		case bytes.Equal(c, noteContext) && !bytes.Equal(ctx, actorContext):
			ctx = noteContext
		}
	}
	return out, ctx, nil
}

// MarshalJSON writes an OrderedCollection.
func (c OrderedCollection) MarshalJSON() ([]byte, error) {
	d := collectionDoc{ID: c.ID, Type: "OrderedCollection", TotalItems: c.TotalItems, First: c.First, Last: c.Last}
	var err error
	d.OrderedItems, d.Context, err = items(c.OrderedItems)
	if err != nil {
		return nil, err
	}
	if c.OrderedItems == nil {
		d.OrderedItems = nil
	}
	return marshal(d)
}

// MarshalJSON writes an OrderedCollectionPage; orderedItems is always
// present, empty on an empty page.
func (p CollectionPage) MarshalJSON() ([]byte, error) {
	type pageDoc struct {
		Context      json.RawMessage `json:"@context"`
		ID           string          `json:"id"`
		Type         string          `json:"type"`
		TotalItems   int             `json:"totalItems"`
		Next         string          `json:"next,omitempty"`
		Prev         string          `json:"prev,omitempty"`
		PartOf       string          `json:"partOf"`
		OrderedItems []any           `json:"orderedItems"`
	}
	its, ctx, err := items(p.OrderedItems)
	if err != nil {
		return nil, err
	}
	return marshal(pageDoc{Context: ctx, ID: p.ID, Type: "OrderedCollectionPage", TotalItems: p.TotalItems,
		Next: p.Next, Prev: p.Prev, PartOf: p.PartOf, OrderedItems: its})
}
