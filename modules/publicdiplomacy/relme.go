package publicdiplomacy

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/net/html"

	"entente.example/entente/internal/jobs"
	"entente.example/entente/internal/store"
)

// Verified links, as Mastodon verifies them: a profile field holding an
// https link is verified when the page it links to links back to the
// account's profile with rel="me". The ministry's own website then vouches
// for the account, which is what a citizen can check without trusting the
// node.

const jobVerifyLinks = "publicdiplomacy.verify_links"

// maxRelMePage is how much of a linked page is read.
const maxRelMePage = 1 << 20

// scheduleLinks registers the check, run for an account when its profile
// changes and for every account daily.
func (s *Service) scheduleLinks(q *jobs.Queue) {
	q.Register(jobs.Kind{Name: jobVerifyLinks, MaxAttempts: 3, Handle: func(ctx context.Context, payload []byte) error {
		var p struct{ Account string }
		_ = json.Unmarshal(payload, &p)
		if p.Account != "" {
			return s.VerifyLinks(ctx, p.Account)
		}
		all, err := s.Accounts(ctx)
		if err != nil {
			return err
		}
		for _, a := range all {
			if err := s.VerifyLinks(ctx, a.ID); err != nil {
				return err
			}
		}
		return nil
	}})
	q.Every(jobVerifyLinks, 24*time.Hour)
}

// checkLinksLater asks for an account's links to be checked after the
// transaction commits.
func (s *Service) checkLinksLater(ctx context.Context, tx *store.Tx, accountID string) error {
	if s.opt.Jobs == nil {
		return nil
	}
	return s.opt.Jobs.Enqueue(ctx, tx, jobVerifyLinks, map[string]string{"Account": accountID}, jobs.Options{})
}

// VerifyLinks checks each of an account's link fields and records which
// link back.
func (s *Service) VerifyLinks(ctx context.Context, accountID string) error {
	acc, err := s.Account(ctx, accountID)
	if err != nil {
		return err
	}
	profile := s.ActorURL(acc.Username)
	changed := false
	for i, f := range acc.Fields {
		u, err := url.Parse(f.Value)
		if err != nil || u.Scheme != "https" && !(s.opt.Insecure && u.Scheme == "http") || u.Host == "" {
			continue
		}
		ok := s.linksBack(ctx, f.Value, profile)
		switch {
		case ok && f.VerifiedAt == nil:
			now := s.Now()
			acc.Fields[i].VerifiedAt, changed = &now, true
		case !ok && f.VerifiedAt != nil:
			acc.Fields[i].VerifiedAt, changed = nil, true
		}
	}
	if !changed {
		return nil
	}
	b, _ := json.Marshal(acc.Fields)
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE pd_accounts SET fields = ? WHERE id = ? AND updated_at = ?`, string(b), acc.ID, acc.UpdatedAt)
		return err
	})
}

// linksBack reports whether the page at link has an <a> or <link> with
// rel="me" whose href is the profile.
func (s *Service) linksBack(ctx context.Context, link, profile string) bool {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, link, nil)
	if err != nil {
		return false
	}
	req.Header.Set("Accept", "text/html")
	req.Header.Set("User-Agent", "Entente (+"+s.base()+")")
	res, err := s.opt.HTTP.Do(req)
	if err != nil {
		return false
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return false
	}
	return relMe(io.LimitReader(res.Body, maxRelMePage), profile)
}

// relMe reads HTML for a rel="me" link to profile.
func relMe(r io.Reader, profile string) bool {
	z := html.NewTokenizer(r)
	for {
		switch z.Next() {
		case html.ErrorToken:
			return false
		case html.StartTagToken, html.SelfClosingTagToken:
			name, has := z.TagName()
			if (string(name) != "a" && string(name) != "link") || !has {
				continue
			}
			var rel, href string
			for {
				k, v, more := z.TagAttr()
				switch string(k) {
				case "rel":
					rel = string(v)
				case "href":
					href = string(v)
				}
				if !more {
					break
				}
			}
			if href == profile || strings.TrimSuffix(href, "/") == profile {
				for _, r := range strings.Fields(strings.ToLower(rel)) {
					if r == "me" {
						return true
					}
				}
			}
		}
	}
}
