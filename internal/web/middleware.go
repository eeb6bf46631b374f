package web

import (
	"compress/gzip"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"entente.example/entente/core"
)

type langKey struct{}

// patternKey carries a *string that the route wrapper fills with the matched
// pattern: the request the mux sees is a copy made further in, so the
// r.Pattern it sets never reaches the outer middleware.
type patternKey struct{}

// Lang returns the language chosen for the request.
func Lang(ctx context.Context) string {
	if l, ok := ctx.Value(langKey{}).(string); ok {
		return l
	}
	return Langs[0]
}

// WithLang returns a context whose page renders in lang: for a document
// written in its own language (a formal request), whatever the reader's.
func WithLang(ctx context.Context, lang string) context.Context {
	return context.WithValue(ctx, langKey{}, lang)
}

// chain wraps h in the middleware every request passes, outermost first.
func (s *Server) chain(h http.Handler) http.Handler {
	h = s.cop.Handler(h)
	h = s.authenticate(h)
	h = s.observe(h)
	h = gzipResponses(h)
	h = s.securityHeaders(h)
	h = s.requestInfo(h)
	h = s.recoverPanics(h)
	return h
}

func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.Log.Error("web: panic", "err", v, "request_id", core.RequestFrom(r.Context()).ID, "stack", string(debug.Stack()))
				s.Error(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// requestInfo gives every request an id (echoed in X-Request-Id, in logs and on
// error pages) and records the client address for the audit trail.
func (s *Server) requestInfo(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 8)
		rand.Read(b)
		id := hex.EncodeToString(b)
		ip := s.clientIP(r)
		w.Header().Set("X-Request-Id", id)
		ctx := core.WithRequest(r.Context(), core.RequestInfo{ID: id, IP: ip})
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// clientIP is the address of the client: the connection's, or behind a
// trusted reverse proxy, the last address in X-Forwarded-For that is not
// itself a trusted proxy (the one a client cannot forge).
func (s *Server) clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	trusted := func(h string) bool {
		a, err := netip.ParseAddr(strings.TrimSpace(h))
		if err != nil {
			return false
		}
		for _, p := range s.TrustedProxies {
			if p.Contains(a.Unmap()) {
				return true
			}
		}
		return false
	}
	if !trusted(host) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		h := strings.TrimSpace(hops[i])
		if _, err := netip.ParseAddr(h); err != nil {
			break
		}
		if !trusted(h) {
			return h
		}
	}
	return host
}

// CSP allows nothing inline: scripts, styles and images come from this origin,
// and the QR code of two-factor enrolment is a data: image.
const csp = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		if s.Secure {
			h.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		if !strings.HasPrefix(r.URL.Path, "/static/") {
			h.Set("Cache-Control", "no-store")
		}
		next.ServeHTTP(w, r)
	})
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// observe logs each request and records its latency by route pattern (never
// by raw path, which would give every organisation its own time series).
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		var pattern string
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), patternKey{}, &pattern)))
		d := time.Since(start)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		if pattern == "" {
			pattern = "unmatched"
		}
		s.metrics.observe(pattern, r.Method, sw.status, d)
		level := -4 // debug for health checks and assets
		if !strings.HasPrefix(r.URL.Path, "/static/") && r.URL.Path != "/healthz" && r.URL.Path != "/readyz" && r.URL.Path != "/metrics" {
			level = 0
		}
		path := r.URL.Path
		if strings.Contains(pattern, "{token}") {
			path = pattern // a secret in the path (a feed's address) stays out of the log
		}
		s.Log.Log(r.Context(), slog.Level(level), "http", "method", r.Method, "path", path, "route", pattern,
			"status", sw.status, "bytes", sw.bytes, "ms", float64(d.Microseconds())/1000, "request_id", core.RequestFrom(r.Context()).ID)
	})
}

// limitBody bounds the body at limit while it is read; forms are parsed
// here, so a form over the limit is a 413 too, never an empty form.
func (s *Server) limitBody(w http.ResponseWriter, r *http.Request, limit int64, fail func(http.ResponseWriter, *http.Request, error)) bool {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if ct := r.Header.Get("Content-Type"); r.Method == http.MethodPost && strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		if err := r.ParseForm(); err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				s.refuseTooLarge(w, r, limit, fail)
			} else {
				fail(w, r, &core.Error{Kind: core.KindInvalid, Message: "err.form_body", Err: err})
			}
			return false
		}
	}
	return true
}

// drainLimit and drainTime bound what the node reads of a body it refuses.
const (
	drainLimit = 32 << 20
	drainTime  = 10 * time.Second
)

// refuseTooLarge answers 413 so that a browser sees it at once. A browser
// reads no answer before it has sent its whole body; a server that answers
// and stops reading leaves it waiting for the read timeout (a minute) and
// then showing a bare error. So the rest of the body is read and thrown
// away, bounded in bytes and time, and the connection is closed after the
// answer. A body larger than the bound is not read: its sender is cut off.
func (s *Server) refuseTooLarge(w http.ResponseWriter, r *http.Request, limit int64, fail func(http.ResponseWriter, *http.Request, error)) {
	w.Header().Set("Connection", "close")
	if r.ContentLength <= drainLimit {
		_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(drainTime))
		_, _ = io.Copy(io.Discard, io.LimitReader(r.Body, drainLimit))
	}
	fail(w, r, &core.Error{Kind: core.KindTooLarge, Message: "err.too_large", Err: &http.MaxBytesError{Limit: limit}})
}

// checkRequestText refuses a path, query or form holding NUL or invalid
// UTF-8, naming the parameter, before any handler sees it: the same bytes
// then get the same answer on SQLite and PostgreSQL (see core.CheckText).
func checkRequestText(r *http.Request) error {
	if p := core.CheckText(r.URL.Path); p != "" {
		return &core.Error{Kind: core.KindInvalid, Message: "err.form", Fields: core.Problems{"path": p}}
	}
	for _, vs := range []url.Values{r.URL.Query(), r.PostForm} {
		for k, v := range vs {
			if p := core.CheckText(k); p != "" {
				return &core.Error{Kind: core.KindInvalid, Message: "err.form", Fields: core.Problems{strconv.QuoteToASCII(k): p}}
			}
			for _, x := range v {
				if p := core.CheckText(x); p != "" {
					return &core.Error{Kind: core.KindInvalid, Message: "err.form", Fields: core.Problems{k: p}}
				}
			}
		}
	}
	return nil
}

// SessionCookie is the session cookie's name: with the __Host- prefix (which
// browsers accept only on Secure cookies) when served over HTTPS.
func (s *Server) SessionCookie() string {
	if s.Secure {
		return "__Host-entente_session"
	}
	return "entente_session"
}

// authenticate puts the actor in the context: from a bearer token, or from the
// session cookie. A bad bearer token is an error (the program should know); a
// stale cookie just means nobody is signed in.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		var actor core.Actor
		if h := r.Header.Get("Authorization"); h != "" && strings.HasPrefix(r.URL.Path, "/taxii2/") {
			// TAXII clients authenticate with HTTP Basic (the password is an
			// API token) or a bearer token. A bad one leaves nobody signed
			// in, and the TAXII server answers 401 in its own format.
			if tok, ok := taxiiToken(r, h); ok {
				if a, err := s.Auth.AuthenticateToken(ctx, tok); err == nil {
					actor = a
				} else if core.KindOf(err) != core.KindUnauthenticated {
					s.Error(w, r, err)
					return
				}
			}
		} else if h != "" {
			scheme, tok, _ := strings.Cut(h, " ")
			// Tokens are for programs: the API and metrics, not the pages.
			if !strings.EqualFold(scheme, "Bearer") || !(strings.HasPrefix(r.URL.Path, "/api/") || r.URL.Path == "/metrics") {
				s.Error(w, r.WithContext(context.WithValue(ctx, langKey{}, pickLang(r, ""))), &core.Error{Kind: core.KindUnauthenticated, Message: "err.token_invalid"})
				return
			}
			a, err := s.Auth.AuthenticateToken(ctx, strings.TrimSpace(tok))
			if err != nil {
				s.Error(w, r.WithContext(context.WithValue(ctx, langKey{}, pickLang(r, ""))), err)
				return
			}
			actor = a
		} else if c, err := r.Cookie(s.SessionCookie()); err == nil && c.Value != "" && !strings.HasPrefix(r.URL.Path, "/static/") {
			a, err := s.Auth.Authenticate(ctx, c.Value)
			if err == nil {
				actor = a
			} else if core.KindOf(err) != core.KindUnauthenticated {
				s.Error(w, r, err)
				return
			}
		}
		ctx = core.WithActor(ctx, actor)
		ctx = context.WithValue(ctx, langKey{}, pickLang(r, actor.Lang))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// taxiiToken reads the API token of a TAXII request: Bearer <token>, or
// Basic with the token as the password (the user name is not used).
func taxiiToken(r *http.Request, h string) (string, bool) {
	if _, pw, ok := r.BasicAuth(); ok {
		return pw, pw != ""
	}
	scheme, tok, _ := strings.Cut(h, " ")
	if strings.EqualFold(scheme, "Bearer") || strings.EqualFold(scheme, "Token") {
		tok = strings.TrimSpace(tok)
		return tok, tok != ""
	}
	return "", false
}

// gzipResponses compresses text responses for clients that accept gzip. Pages
// are small already; compressed they fit the first round trip.
func gzipResponses(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") || r.Method == http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		gw := &gzipWriter{ResponseWriter: w}
		defer gw.close()
		next.ServeHTTP(gw, r)
	})
}

var gzPool = sync.Pool{New: func() any { w, _ := gzip.NewWriterLevel(io.Discard, gzip.DefaultCompression); return w }}

type gzipWriter struct {
	http.ResponseWriter
	gz      *gzip.Writer
	decided bool
}

func compressible(ct string) bool {
	for _, p := range []string{"text/", "application/json", "application/javascript", "image/svg+xml", "application/problem+json"} {
		if strings.HasPrefix(ct, p) {
			return true
		}
	}
	return false
}

func (w *gzipWriter) decide() {
	if w.decided {
		return
	}
	w.decided = true
	h := w.Header()
	h.Add("Vary", "Accept-Encoding")
	if h.Get("Content-Encoding") != "" || h.Get("Content-Range") != "" || !compressible(h.Get("Content-Type")) {
		return
	}
	h.Del("Content-Length")
	h.Set("Content-Encoding", "gzip")
	w.gz = gzPool.Get().(*gzip.Writer)
	w.gz.Reset(w.ResponseWriter)
}

func (w *gzipWriter) WriteHeader(code int) {
	if code != http.StatusNoContent && code != http.StatusNotModified && code >= 200 {
		w.decide()
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *gzipWriter) Write(b []byte) (int, error) {
	if !w.decided {
		if w.Header().Get("Content-Type") == "" {
			w.Header().Set("Content-Type", http.DetectContentType(b))
		}
		w.decide()
	}
	if w.gz != nil {
		return w.gz.Write(b)
	}
	return w.ResponseWriter.Write(b)
}

func (w *gzipWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *gzipWriter) close() {
	if w.gz != nil {
		w.gz.Close()
		gzPool.Put(w.gz)
	}
}
