package core

import (
	"errors"
	"strings"
)

// Ref is a typed reference to a record: which module holds it, what kind of
// record it is, its id there, and the node it lives on (a host; empty for
// this node). Records link to each other across modules and nodes through
// Refs, never by importing each other's types: the module that owns a kind
// resolves its Refs, and decides who may see them.
type Ref struct {
	Module string `json:"module"`
	Kind   string `json:"kind"`
	ID     string `json:"id"`
	Node   string `json:"node,omitempty"`
}

// String writes the reference as module:kind:id, with @node when it is on
// another node: one token for URLs, forms and files.
func (r Ref) String() string {
	s := r.Module + ":" + r.Kind + ":" + r.ID
	if r.Node != "" {
		s += "@" + r.Node
	}
	return s
}

// IsZero reports whether the reference names nothing.
func (r Ref) IsZero() bool { return r == Ref{} }

// ParseRef reads a reference written by String. Each part is a bounded
// token of letters, digits and - _ . (the node may also hold a colon for a
// port), so a reference can be put in a URL or a query without escaping
// surprises.
func ParseRef(s string) (Ref, error) {
	var r Ref
	rest, node, at := strings.Cut(s, "@")
	if at && node == "" {
		return r, errors.New("core: a reference's node is empty")
	}
	parts := strings.Split(rest, ":")
	if len(parts) != 3 {
		return r, errors.New("core: a reference is module:kind:id[@node]")
	}
	r = Ref{Module: parts[0], Kind: parts[1], ID: parts[2], Node: node}
	for _, p := range []string{r.Module, r.Kind, r.ID} {
		if !refToken(p, false) {
			return Ref{}, errors.New("core: a reference part must be 1 to 200 letters, digits, dashes, underscores or dots")
		}
	}
	if node != "" && !refToken(node, true) {
		return Ref{}, errors.New("core: a reference's node is not a host")
	}
	return r, nil
}

func refToken(s string, host bool) bool {
	if s == "" || len(s) > 200 {
		return false
	}
	for _, c := range s {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_', c == '.':
		case host && c == ':':
		default:
			return false
		}
	}
	return true
}
