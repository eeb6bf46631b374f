package ap

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// splitAcct reads "user@host", "@user@host" or "acct:user@host".
func splitAcct(acct string) (user, host string, err error) {
	s := strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(acct), "acct:"), "@")
	user, host, ok := strings.Cut(s, "@")
	if !ok || user == "" || host == "" || strings.ContainsAny(user, "@/?#%: \t\r\n") {
		return "", "", fmt.Errorf("ap: %q is not user@host", acct)
	}
	u, err := url.Parse("https://" + host)
	if err != nil || u.Host != host || u.User != nil || u.Path != "" || u.Hostname() == "" {
		return "", "", fmt.Errorf("ap: %q: bad host", acct)
	}
	return user, strings.ToLower(host), nil
}

// Finger resolves "user@host" (or "@user@host", "acct:user@host") through
// https://host/.well-known/webfinger to the actor's id (the self link).
// The answer's subject must name the account asked for; when it names
// another (a domain that delegates its accounts), the server of that other
// name must confirm it with the same self link, as Mastodon checks.
func (c *Client) Finger(ctx context.Context, acct string) (string, error) {
	user, host, err := splitAcct(acct)
	if err != nil {
		return "", err
	}
	asked := "acct:" + user + "@" + host
	w, err := c.finger(ctx, host, asked)
	if err != nil {
		return "", err
	}
	self := w.Self()
	if !absURL(self) {
		return "", fmt.Errorf("ap: finger %s: no ActivityPub self link", asked)
	}
	if strings.EqualFold(w.Subject, asked) {
		return self, nil
	}
	u2, h2, err := splitAcct(w.Subject)
	if err != nil {
		return "", fmt.Errorf("ap: finger %s: subject %q does not agree", asked, w.Subject)
	}
	named := "acct:" + u2 + "@" + h2
	w2, err := c.finger(ctx, h2, named)
	if err != nil {
		return "", fmt.Errorf("ap: finger %s: subject %q not confirmed: %w", asked, w.Subject, err)
	}
	if !strings.EqualFold(w2.Subject, named) || w2.Self() != self {
		return "", fmt.Errorf("ap: finger %s: subject %q does not agree", asked, w.Subject)
	}
	return self, nil
}

// finger asks host about resource, following at most three redirects
// (example.org commonly redirects WebFinger to social.example.org).
func (c *Client) finger(ctx context.Context, host, resource string) (WebFinger, error) {
	scheme := "https"
	if c.Insecure {
		scheme = "http"
	}
	u := scheme + "://" + host + "/.well-known/webfinger?resource=" + url.QueryEscape(resource)
	for range 4 {
		r, err := c.newRequest(ctx, http.MethodGet, u, nil)
		if err != nil {
			return WebFinger{}, err
		}
		r.Header.Set("Accept", "application/jrd+json, application/json")
		resp, err := c.httpClient().Do(r)
		if err != nil {
			return WebFinger{}, fmt.Errorf("ap: finger %s: %w", resource, err)
		}
		b, rerr := readLimited(resp.Body)
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		resp.Body.Close()
		switch {
		case resp.StatusCode >= 300 && resp.StatusCode < 400 && resp.Header.Get("Location") != "":
			next, err := r.URL.Parse(resp.Header.Get("Location"))
			if err != nil || !absURL(next.String()) || (next.Scheme != "https" && !c.Insecure) {
				return WebFinger{}, fmt.Errorf("ap: finger %s: bad redirect", resource)
			}
			u = next.String()
			continue
		case resp.StatusCode < 200 || resp.StatusCode > 299:
			return WebFinger{}, &StatusError{Method: http.MethodGet, URL: u, Status: resp.StatusCode}
		case rerr != nil:
			return WebFinger{}, fmt.Errorf("ap: finger %s: %w", resource, rerr)
		}
		return ParseWebFinger(b)
	}
	return WebFinger{}, errors.New("ap: finger: too many redirects")
}
