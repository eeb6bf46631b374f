package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"entente.example/entente/core"
)

// Status maps an error kind to its HTTP status. It is the only such mapping.
func Status(k core.Kind) int {
	switch k {
	case core.KindInvalid:
		return http.StatusUnprocessableEntity
	case core.KindUnauthenticated:
		return http.StatusUnauthorized
	case core.KindForbidden:
		return http.StatusForbidden
	case core.KindNotFound:
		return http.StatusNotFound
	case core.KindConflict:
		return http.StatusConflict
	case core.KindTooLarge:
		return http.StatusRequestEntityTooLarge
	case core.KindRateLimited:
		return http.StatusTooManyRequests
	case core.KindUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// APIError is the body of every JSON error.
type APIError struct {
	Error APIErrorBody `json:"error"`
}

// APIErrorBody says what went wrong, in the caller's language.
type APIErrorBody struct {
	Kind      core.Kind         `json:"kind"`
	Message   string            `json:"message"`
	Fields    map[string]string `json:"fields,omitempty"`
	RequestID string            `json:"request_id,omitempty"`
}

type errorView struct {
	Page
	Status  int
	Message string
	// Detail says more, in the reader's language (the limit a body broke).
	Detail string
	// Fields are the problems by field name, in the reader's language, so
	// that an error page reached without a form still says what to fix.
	Fields []FieldProblem
}

// FieldProblem is one field's problem, translated.
type FieldProblem struct {
	Field, Problem string
}

// Error answers with err: JSON for the API, an HTML page otherwise. Internal
// errors are logged with the request id and shown only as that id.
func (s *Server) Error(w http.ResponseWriter, r *http.Request, err error) {
	ce := core.AsError(err)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		ce = &core.Error{Kind: core.KindTooLarge, Message: "err.too_large"}
	}
	if ce == nil || ce.Kind == "" || ce.Kind == core.KindInternal {
		s.Log.Error("web: internal error", "err", err, "request_id", core.RequestFrom(r.Context()).ID, "path", r.URL.Path)
		ce = &core.Error{Kind: core.KindInternal, Message: "err.internal"}
	} else if ce.Kind == core.KindUnavailable {
		s.Log.Warn("web: unavailable", "err", err, "request_id", core.RequestFrom(r.Context()).ID)
	}
	status := Status(ce.Kind)
	lang := Lang(r.Context())
	msg := ce.Message
	if msg == "" || !s.catalog.Has(msg) {
		msg = "err." + string(ce.Kind)
	}
	if isAPI(r) {
		body := APIError{Error: APIErrorBody{Kind: ce.Kind, Message: s.catalog.T(lang, msg), RequestID: core.RequestFrom(r.Context()).ID}}
		if len(ce.Fields) > 0 {
			body.Error.Fields = map[string]string{}
			for f, k := range ce.Fields {
				body.Error.Fields[f] = s.catalog.T(lang, k)
			}
		}
		if status == http.StatusUnauthorized {
			w.Header().Set("WWW-Authenticate", `Bearer realm="entente"`)
		}
		writeJSON(w, status, body)
		return
	}
	// A person (a browser asking for a page) who is not signed in is sent to
	// sign in and brought back; a program gets its 401.
	if status == http.StatusUnauthorized && r.Method == http.MethodGet && strings.Contains(r.Header.Get("Accept"), "text/html") {
		http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	v := errorView{Page: s.Page(r, "title.error"), Status: status, Message: msg}
	if mbe != nil {
		v.Detail = s.catalog.T(lang, "err.too_large_limit", HumanBytes(mbe.Limit))
	}
	for f, k := range ce.Fields {
		v.Fields = append(v.Fields, FieldProblem{Field: f, Problem: s.catalog.T(lang, k)})
	}
	sort.Slice(v.Fields, func(i, j int) bool { return v.Fields[i].Field < v.Fields[j].Field })
	s.Render(w, r, status, "error", v)
}

// HumanBytes writes a size as people read it: "1 MB", "512 KB".
func HumanBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return strconv.FormatInt(n>>20, 10) + " MB"
	case n >= 1<<20:
		return strconv.FormatFloat(float64(n)/(1<<20), 'f', 1, 64) + " MB"
	case n >= 1<<10:
		return strconv.FormatInt(n>>10, 10) + " KB"
	}
	return strconv.FormatInt(n, 10) + " B"
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}
