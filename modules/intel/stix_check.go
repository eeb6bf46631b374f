package intel

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// checkJSON refuses what encoding/json lets through but the objects' readers
// cannot take. The exact bytes of an object are what the node serves to
// clients and peers, so they must mean one thing to every parser:
//
//   - invalid UTF-8, which Go reads as U+FFFD but serves byte for byte,
//     breaking the JSON parsers of readers and subscribing nodes;
//   - NUL in any string, escaped or not: PostgreSQL refuses it in text and
//     SQLite stores it, so the two engines would disagree;
//   - a key twice in one object, at any depth: Go keeps the last, other
//     parsers the first, so an object marked RED then CLEAR would be stored
//     CLEAR while its bytes say RED to another reader.
//
// The error names where, as the status line of the object.
func checkJSON(raw []byte) error {
	if !utf8.Valid(raw) {
		i := 0
		for i < len(raw) {
			r, n := utf8.DecodeRune(raw[i:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			i += n
		}
		return problem("(object)", "is not valid UTF-8 (byte %d)", i)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	// One frame per open object or array: the keys seen so far in an
	// object, the index in an array, and the frame's path.
	type frame struct {
		keys   map[string]bool
		array  bool
		index  int
		path   string
		expect bool // an object expects a key next
	}
	var stack []*frame
	join := func(path, name string) string {
		if path == "" {
			return name
		}
		return path + "." + name
	}
	// where is the path of the value about to be read.
	where := func() string {
		if len(stack) == 0 {
			return "(object)"
		}
		f := stack[len(stack)-1]
		if f.array {
			return join(f.path, strconv.Itoa(f.index))
		}
		return f.path
	}
	// afterValue moves the enclosing frame past a value it held.
	afterValue := func() {
		if len(stack) == 0 {
			return
		}
		f := stack[len(stack)-1]
		if f.array {
			f.index++
		} else {
			f.expect = true
		}
	}
	var pending string // the path of the value of the key just read
	for {
		t, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return problem("(object)", "is not valid JSON: %v", err)
		}
		top := len(stack) > 0 && !stack[len(stack)-1].array && stack[len(stack)-1].expect
		if top {
			// A key.
			f := stack[len(stack)-1]
			if d, ok := t.(json.Delim); ok && d == '}' {
				stack = stack[:len(stack)-1]
				afterValue()
				continue
			}
			k := t.(string)
			if strings.IndexByte(k, 0) >= 0 {
				return problem(join(f.path, strings.ReplaceAll(k, "\x00", `\u0000`)), "a property name holds NUL (\\u0000)")
			}
			if f.keys[k] {
				return problem(join(f.path, k), "appears twice in one object; each property may appear once")
			}
			f.keys[k] = true
			f.expect = false
			pending = join(f.path, k)
			continue
		}
		path := pending
		if len(stack) > 0 && stack[len(stack)-1].array {
			path = where()
		}
		switch v := t.(type) {
		case json.Delim:
			switch v {
			case '{':
				stack = append(stack, &frame{keys: map[string]bool{}, path: path, expect: true})
			case '[':
				stack = append(stack, &frame{array: true, path: path})
			default: // ']': an object's '}' is read where a key is expected
				stack = stack[:len(stack)-1]
				afterValue()
			}
			continue
		case string:
			if strings.IndexByte(v, 0) >= 0 {
				if path == "" {
					path = "(object)"
				}
				return problem(path, "holds NUL (\\u0000), which no STIX string may hold")
			}
		}
		afterValue()
	}
}
