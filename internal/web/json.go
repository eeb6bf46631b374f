package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"

	"entente.example/entente/core"
)

// DecodeJSON reads a JSON request body into v strictly: the media type must be
// JSON, unknown fields and trailing data are refused, and every failure names
// the field or position so the caller can fix the request.
func DecodeJSON(r *http.Request, v any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(ct, "application/json") {
		return &core.Error{Kind: core.KindInvalid, Message: "err.json_media_type"}
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return &core.Error{Kind: core.KindTooLarge, Message: "err.too_large", Err: err}
		}
		return &core.Error{Kind: core.KindInvalid, Message: "err.json", Err: err}
	}
	return decodeJSONBytes(body, v)
}

func decodeJSONBytes(body []byte, v any) error {
	// Duplicate keys, NUL and invalid UTF-8 are refused before decoding:
	// encoding/json would keep the last duplicate and replace bad bytes
	// silently, and the engines disagree on NUL (core.CheckJSON).
	if p := core.AsJSONProblem(core.CheckJSON(body)); p != nil {
		field := p.Path
		if field == "" {
			field = "body"
		}
		return &core.Error{Kind: core.KindInvalid, Message: "err.form", Fields: core.Problems{field: p.Problem}, Err: p}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var ute *json.UnmarshalTypeError
		switch {
		case errors.As(err, &ute) && ute.Field != "":
			return &core.Error{Kind: core.KindInvalid, Message: "err.form", Fields: core.Problems{ute.Field: "err.json_type"}, Err: err}
		case strings.HasPrefix(err.Error(), "json: unknown field "):
			f := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
			return &core.Error{Kind: core.KindInvalid, Message: "err.form", Fields: core.Problems{f: "err.json_unknown_field"}, Err: err}
		}
		return &core.Error{Kind: core.KindInvalid, Message: "err.json", Err: err}
	}
	if dec.More() {
		return &core.Error{Kind: core.KindInvalid, Message: "err.json", Err: errors.New("trailing data")}
	}
	if _, err := dec.Token(); err != io.EOF {
		return &core.Error{Kind: core.KindInvalid, Message: "err.json", Err: errors.New("trailing data")}
	}
	return nil
}

// JSON writes v with a status.
func (s *Server) JSON(w http.ResponseWriter, status int, v any) { writeJSON(w, status, v) }

// List is the envelope of every paginated JSON list.
type List[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// PageFromQuery reads cursor and limit from the query string.
func PageFromQuery(r *http.Request) (core.Page, error) {
	p := core.Page{Cursor: r.URL.Query().Get("cursor")}
	if l := r.URL.Query().Get("limit"); l != "" {
		n := 0
		for _, c := range l {
			if c < '0' || c > '9' || n > 100000 {
				return p, &core.Error{Kind: core.KindInvalid, Message: "err.form", Fields: core.Problems{"limit": "err.limit"}}
			}
			n = n*10 + int(c-'0')
		}
		if n < 1 {
			return p, &core.Error{Kind: core.KindInvalid, Message: "err.form", Fields: core.Problems{"limit": "err.limit"}}
		}
		p.Limit = n
	}
	if len(p.Cursor) > 200 {
		return p, &core.Error{Kind: core.KindInvalid, Message: "err.form", Fields: core.Problems{"cursor": "err.cursor"}}
	}
	return p, nil
}
