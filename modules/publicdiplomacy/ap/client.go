package ap

import (
	"bytes"
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Client talks to other instances. HTTP should come from internal/netguard,
// which refuses private addresses (and does not follow redirects).
type Client struct {
	HTTP      *http.Client
	UserAgent string
	Now       func() time.Time
	// Insecure lets Finger use http instead of https: for tests and demos
	// on loopback only.
	Insecure bool
}

// StatusError is a non-2xx answer from another server.
type StatusError struct {
	Method, URL string
	Status      int
	RetryAfter  time.Duration // from a Retry-After header, when there was one
}

// Error names the request and the status.
func (e *StatusError) Error() string {
	return fmt.Sprintf("ap: %s %s: status %d", e.Method, e.URL, e.Status)
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Client) httpClient() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return http.DefaultClient
}

const accept = ContentType + ", " + LDContentType

func (c *Client) newRequest(ctx context.Context, method, u string, body []byte) (*http.Request, error) {
	pu, err := url.Parse(u)
	if err != nil || !absURL(u) {
		return nil, fmt.Errorf("ap: %s %q: not an absolute http(s) URL", method, u)
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	r, err := http.NewRequestWithContext(ctx, method, pu.String(), rd)
	if err != nil {
		return nil, fmt.Errorf("ap: %s %s: %w", method, u, err)
	}
	if c.UserAgent != "" {
		r.Header.Set("User-Agent", c.UserAgent)
	}
	return r, nil
}

// readLimited reads at most MaxDocument bytes, refusing longer bodies.
func readLimited(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxDocument+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxDocument {
		return nil, ErrTooLarge
	}
	return b, nil
}

// Get fetches an ActivityPub document, signed as keyID (GoToSocial and
// Mastodon in secure mode refuse unsigned fetches). A non-2xx answer is a
// *StatusError. On 401 it retries once with the query string left out of
// the signed (request-target), which is how GoToSocial signs and checks.
func (c *Client) Get(ctx context.Context, u, keyID string, key *rsa.PrivateKey) ([]byte, error) {
	b, err := c.get(ctx, u, keyID, key, false)
	var se *StatusError
	if errors.As(err, &se) && se.Status == http.StatusUnauthorized && strings.Contains(u, "?") {
		b, err = c.get(ctx, u, keyID, key, true)
	}
	return b, err
}

func (c *Client) get(ctx context.Context, u, keyID string, key *rsa.PrivateKey, noQuery bool) ([]byte, error) {
	r, err := c.newRequest(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	r.Header.Set("Accept", accept)
	target := r.URL.RequestURI()
	if noQuery {
		target = r.URL.EscapedPath()
		if target == "" {
			target = "/"
		}
	}
	if err := sign(r, nil, keyID, key, c.now(), target, "rsa-sha256", []string{"(request-target)", "host", "date"}); err != nil {
		return nil, err
	}
	_, b, err := c.do(r, true)
	return b, err
}

// do sends the request; with keep it returns the body (bounded), otherwise
// it reads a little of it only so the connection can be reused.
func (c *Client) do(r *http.Request, keep bool) (int, []byte, error) {
	resp, err := c.httpClient().Do(r)
	if err != nil {
		return 0, nil, fmt.Errorf("ap: %s %s: %w", r.Method, r.URL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 || !keep {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return resp.StatusCode, nil, &StatusError{Method: r.Method, URL: r.URL.String(), Status: resp.StatusCode,
			RetryAfter: retryAfter(resp.Header.Get("Retry-After"), c.now())}
	}
	if !keep {
		return resp.StatusCode, nil, nil
	}
	b, err := readLimited(resp.Body)
	if err != nil {
		return resp.StatusCode, nil, fmt.Errorf("ap: %s %s: %w", r.Method, r.URL, err)
	}
	return resp.StatusCode, b, nil
}

// retryAfter reads Retry-After as seconds or an HTTP date; bounded to a
// week so a hostile server cannot park a delivery forever.
func retryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.ParseInt(h, 10, 64); err == nil {
		if n < 0 {
			return 0
		}
		if n > 7*24*3600 {
			n = 7 * 24 * 3600
		}
		d = time.Duration(n) * time.Second
	} else if t, err := http.ParseTime(h); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), 7*24*time.Hour)
}

// Post delivers an activity to an inbox, signed as keyID. Any HTTP answer
// is a result, not an error: err is nil and status is the answer's status,
// with retryAfter read from Retry-After (seconds or an HTTP date) when the
// answer had one. err is only for a request that could not be made or got
// no answer; status is then 0. The caller decides: GoToSocial answers 202,
// a 400 should not be retried, 429 and 503 should wait retryAfter.
func (c *Client) Post(ctx context.Context, inbox string, body []byte, keyID string, key *rsa.PrivateKey) (status int, retryAfter time.Duration, err error) {
	r, err := c.newRequest(ctx, http.MethodPost, inbox, body)
	if err != nil {
		return 0, 0, err
	}
	r.Header.Set("Content-Type", ContentType)
	r.Header.Set("Accept", accept)
	if err := Sign(r, body, keyID, key, c.now()); err != nil {
		return 0, 0, err
	}
	status, _, err = c.do(r, false)
	var se *StatusError
	if errors.As(err, &se) {
		return se.Status, se.RetryAfter, nil
	}
	return status, 0, err
}
