package intel

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"entente.example/entente/core"
)

// Reading a request's objects as they stream in, and what a refused one
// says about itself.

// errBadObject wraps a JSON error inside the objects list: that object
// fails, and since the stream cannot be trusted after it, so does the rest.
type errBadObject struct {
	err error
	cut error // the read error, when the request ended mid-stream
}

func (e errBadObject) Error() string { return e.err.Error() }

func decodeOnly(err error) error {
	var b errBadObject
	if errors.As(err, &b) {
		return b
	}
	return nil
}

func stopOnly(err error) error {
	var b errBadObject
	if errors.As(err, &b) {
		return nil
	}
	return err
}

// bestID finds what a refused object calls itself, for its status line.
func bestID(raw []byte) string {
	var h struct {
		ID any `json:"id"`
	}
	if json.Unmarshal(raw, &h) == nil {
		if s, ok := h.ID.(string); ok && len(s) < 300 {
			return s
		}
	}
	return ""
}

// bestVersion finds the version a refused object claims, for its status
// line (§4.3.1): its modified, else its created, when either is a string
// short enough to be a timestamp.
func bestVersion(raw []byte) string {
	var h struct {
		Created  any `json:"created"`
		Modified any `json:"modified"`
	}
	if json.Unmarshal(raw, &h) != nil {
		return ""
	}
	for _, v := range []any{h.Modified, h.Created} {
		if s, ok := v.(string); ok && s != "" && len(s) < 64 && utf8.ValidString(s) {
			return s
		}
	}
	return ""
}

// streamObjects reads an envelope ({"objects": [...]}) or a bundle
// ({"type": "bundle", "objects": [...]}) and returns the objects one at a
// time with their exact bytes, never holding more than one in memory.
func streamObjects(r io.Reader) (func() (json.RawMessage, error), error) {
	dec := json.NewDecoder(bufio.NewReaderSize(r, 64<<10))
	bad := func(reason string) error {
		return core.Problems{"objects": "err.intel.envelope"}.Err("intel: " + reason)
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, bad("not a JSON object")
	}
	for {
		t, err := dec.Token()
		if err != nil {
			return nil, bad("not a JSON object")
		}
		if t == json.Delim('}') {
			// TAXII §5.5 answers 422 to a body without an objects list
			// (such as one bare STIX object): accepting it as empty would
			// tell the client its object was taken.
			return nil, bad("no objects list")
		}
		key, _ := t.(string)
		if key != "objects" {
			var skip json.RawMessage
			if err := dec.Decode(&skip); err != nil {
				return nil, bad("not a JSON object")
			}
			continue
		}
		if t, err := dec.Token(); err != nil || t != json.Delim('[') {
			return nil, bad("objects is not a list")
		}
		i := 0
		return func() (json.RawMessage, error) {
			if !dec.More() {
				return nil, io.EOF
			}
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				var se *json.SyntaxError
				if errors.As(err, &se) || errors.Is(err, io.ErrUnexpectedEOF) {
					return nil, errBadObject{err: fmt.Errorf("invalid JSON, the rest of the request was not read: %v", err)}
				}
				// The body could not be read (the client went away, or it
				// outgrew its limit): this object fails and the status is
				// completed with it, rather than left pending forever.
				return nil, errBadObject{err: fmt.Errorf("the request ended before this object was complete: %v", err), cut: err}
			}
			i++
			return raw, nil
		}, nil
	}
}
