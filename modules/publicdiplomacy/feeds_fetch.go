package publicdiplomacy

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Fetching a feed: one conditional GET through the node's guarded client
// (s.opt.HTTP, netguard's: its dialer refuses loopback, private and
// link-local addresses unless the node allows them, at connection time,
// so a name that resolves to such an address is refused as well as a
// literal one). That client does not follow redirects; the poller follows
// a few itself, each through the same client, so a public feed that
// redirects to the node's own network is refused like a private address
// given directly.

// Bounds of one fetch.
const (
	maxFeedBytes     = 4 << 20
	feedFetchTimeout = 15 * time.Second
	maxFeedRedirects = 5
	maxFeedDetail    = 300
)

// fetchResult is what one fetch brought: a body, "not modified", or a
// failure as a message key with what the server or network said.
type fetchResult struct {
	Body         []byte
	NotModified  bool
	ETag         string
	LastModified string
	URL          *url.URL // where the body came from, after redirects

	Fail       string // message key of the failure; "" on success
	Detail     string
	RetryAfter time.Duration // asked by a 429 or 503
	Gone       bool          // 410: the feed is no more
}

func failed(key, detail string) fetchResult {
	if len(detail) > maxFeedDetail {
		detail = strings.ToValidUTF8(detail[:maxFeedDetail], "") + "…"
	}
	return fetchResult{Fail: key, Detail: detail}
}

// fetchFeed fetches raw (with the validators of the last answer) through
// s.opt.HTTP, following at most maxFeedRedirects redirects.
func (s *Service) fetchFeed(ctx context.Context, raw, etag, lastModified string) fetchResult {
	ctx, cancel := context.WithTimeout(ctx, feedFetchTimeout)
	defer cancel()
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return failed("pd.mon.fail.url", raw)
	}
	for hop := 0; ; hop++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err != nil {
			return failed("pd.mon.fail.url", err.Error())
		}
		req.Header.Set("User-Agent", "Entente feed reader (+"+s.base()+")")
		req.Header.Set("Accept", "application/feed+json, application/atom+xml, application/rss+xml, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5")
		if etag != "" {
			req.Header.Set("If-None-Match", etag)
		}
		if lastModified != "" {
			req.Header.Set("If-Modified-Since", lastModified)
		}
		resp, err := s.opt.HTTP.Do(req)
		if err != nil {
			return failed(networkFailure(err), err.Error())
		}
		switch {
		case resp.StatusCode >= 300 && resp.StatusCode < 400 && resp.StatusCode != http.StatusNotModified:
			drain(resp)
			loc := resp.Header.Get("Location")
			if loc == "" {
				return failed("pd.mon.fail.status", resp.Status)
			}
			if hop >= maxFeedRedirects {
				return failed("pd.mon.fail.redirects", fmt.Sprintf("%d", maxFeedRedirects))
			}
			next, err := u.Parse(loc)
			if err != nil || (next.Scheme != "http" && next.Scheme != "https") || next.Host == "" {
				return failed("pd.mon.fail.redirect_scheme", loc)
			}
			u = next
			continue
		case resp.StatusCode == http.StatusNotModified:
			drain(resp)
			return fetchResult{NotModified: true, URL: u, ETag: etag, LastModified: lastModified}
		case resp.StatusCode == http.StatusGone:
			drain(resp)
			r := failed("pd.mon.fail.gone", resp.Status)
			r.Gone = true
			return r
		case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable:
			drain(resp)
			r := failed("pd.mon.fail.status", resp.Status)
			r.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), s.Now())
			return r
		case resp.StatusCode != http.StatusOK:
			drain(resp)
			return failed("pd.mon.fail.status", resp.Status)
		}
		defer resp.Body.Close()
		if resp.ContentLength > maxFeedBytes {
			return failed("pd.mon.fail.too_large", strconv.FormatInt(resp.ContentLength, 10))
		}
		// The limit applies to the bytes after decompression, so a small
		// gzip bomb is refused like a large body.
		body, err := io.ReadAll(io.LimitReader(resp.Body, maxFeedBytes+1))
		if err != nil {
			return failed(networkFailure(err), err.Error())
		}
		if len(body) > maxFeedBytes {
			return failed("pd.mon.fail.too_large", "> "+strconv.Itoa(maxFeedBytes))
		}
		return fetchResult{Body: body, URL: u, ETag: headerValue(resp.Header.Get("ETag")), LastModified: headerValue(resp.Header.Get("Last-Modified"))}
	}
}

// drain reads off a little of a body we do not want, so the connection
// can be reused, and closes it.
func drain(resp *http.Response) {
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
}

// headerValue keeps a validator only if it is short and printable ASCII:
// it goes back to the server in the next request's headers.
func headerValue(v string) string {
	if len(v) > 200 {
		return ""
	}
	for i := 0; i < len(v); i++ {
		if v[i] < 0x20 || v[i] > 0x7e {
			return ""
		}
	}
	return v
}

// networkFailure names a failure to reach a feed.
func networkFailure(err error) string {
	var dns *net.DNSError
	var ne net.Error
	switch {
	// netguard's dialer refuses private addresses with this error (it
	// has no sentinel; feeds_fetch_test holds the wording).
	case strings.Contains(err.Error(), "netguard: refusing"):
		return "pd.mon.fail.private"
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return "pd.mon.fail.timeout"
	case errors.As(err, &dns):
		return "pd.mon.fail.dns"
	}
	return "pd.mon.fail.network"
}

// retryAfter reads a Retry-After header (seconds or a date), at most a day.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	var d time.Duration
	if n, err := strconv.Atoi(v); err == nil && n > 0 {
		d = time.Duration(min(n, 86400)) * time.Second
	} else if t, err := http.ParseTime(v); err == nil {
		d = t.Sub(now)
	}
	return min(max(d, 0), maxFeedBackoff)
}
