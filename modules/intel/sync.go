package intel

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/jobs"
	"entente.example/entente/internal/store"
)

// A subscription pulls a peer's collection for one organisation of this
// node: a signed GET that names the organisation, answered by the peer with
// a signed page of what its own policy lets that organisation see, added
// after the cursor. The objects and the new cursor commit together, so a
// node stopped in the middle resumes where its last page ended, and a page
// taken twice stores nothing twice. A sync with nothing new is one request.

const (
	jobSync       = "intel.sync"
	syncPageSize  = 100
	syncPageBytes = 3 << 20 // under federation.MaxEnvelope with room for the signature
	syncMaxPages  = 50      // per run: a large backlog is taken over several runs
	pageContext   = "intel.page"
)

// syncPage is what a peer signs and sends.
type syncPage struct {
	Collection string     `json:"collection"`
	Org        string     `json:"org"`
	AddedAfter string     `json:"added_after"`
	More       bool       `json:"more"`
	Objects    []syncItem `json:"objects"`
}

type syncItem struct {
	DateAdded string          `json:"date_added"`
	TLP       core.TLP        `json:"tlp"`
	Object    json.RawMessage `json:"object"`
}

func (s *Service) registerSync() {
	if s.jobs == nil {
		return
	}
	s.jobs.Register(jobs.Kind{Name: jobSync, MaxAttempts: 2, Timeout: 5 * time.Minute, Handle: func(ctx context.Context, _ []byte) error {
		return s.SyncAll(ctx)
	}})
	s.jobs.Every(jobSync, time.Minute)
}

// ServePull answers a verified peer's pull for one of its organisations.
func (s *Service) ServePull(ctx context.Context, peer federation.Peer, collection string, q url.Values) ([]byte, error) {
	org := q.Get("org")
	if _, host, ok := federation.Address(org); !ok || host != peer.Host {
		return nil, errOp("pull", core.KindForbidden, "err.forbidden")
	}
	orgs := []string{org}
	c, err := s.CollectionFor(ctx, orgs, collection)
	if err != nil {
		return nil, err
	}
	if !c.CanRead {
		return nil, errOp("pull", core.KindForbidden, "err.forbidden")
	}
	after := q.Get("added_after")
	if after != "" {
		t, err := time.Parse(time.RFC3339Nano, after)
		if err != nil {
			return nil, core.Problems{"added_after": "err.intel.timestamp"}.Err("intel: pull")
		}
		after = stamp(t)
	}
	limit, _ := strconv.Atoi(q.Get("limit"))
	if limit <= 0 || limit > syncPageSize {
		limit = syncPageSize
	}
	// Only what this node holds as its own: what it received from others is
	// theirs to share, and pulling it back would make loops.
	rows, more, err := s.Objects(ctx, orgs, Query{Collection: c.ID, Versions: []string{"all"}, AddedAfter: after, Origin: "local", Limit: limit})
	if err != nil {
		return nil, err
	}
	page := syncPage{Collection: collection, Org: org, AddedAfter: q.Get("added_after"), More: more, Objects: []syncItem{}}
	size := 0
	for i, r := range rows {
		size += len(r.Raw)
		if i > 0 && size > syncPageBytes {
			page.More = true
			break
		}
		page.Objects = append(page.Objects, syncItem{DateAdded: r.DateAdded, TLP: r.TLP, Object: json.RawMessage(r.Raw)})
	}
	return s.fed.SignStatement(pageContext, page)
}

// Subscription is a local organisation's pull of a peer's collection.
type Subscription struct {
	ID         string     `db:"id" json:"id"`
	PeerHost   string     `db:"peer_host" json:"peer"`
	Remote     string     `db:"remote_collection" json:"remote_collection"`
	Collection string     `db:"collection_id" json:"collection"`
	Org        string     `db:"org" json:"org"`
	Cursor     string     `db:"cursor" json:"cursor"`
	LastSync   *time.Time `db:"last_sync" json:"last_sync,omitempty"`
	LastError  string     `db:"last_error" json:"last_error,omitempty"`
	Pulled     int64      `db:"pulled" json:"pulled"`
	CreatedAt  time.Time  `db:"created_at" json:"created_at"`
}

// NewSubscription is what an administrator gives to subscribe.
type NewSubscription struct {
	Peer       string // the peer's host
	Remote     string // the peer's collection id or alias
	Collection string // the local collection the objects go to
	Org        string // the local organisation it is for (handle@this host)
}

// Subscribe creates a subscription; node administrators decide it, since
// it brings a peer's data into a collection of this node. The organisation
// is given read on the local collection, or it could not see what it pulls.
func (s *Service) Subscribe(ctx context.Context, a core.Actor, n NewSubscription) (Subscription, error) {
	if err := access.Check(a, access.IntelAdmin, access.Resource{}); err != nil {
		return Subscription{}, err
	}
	p := core.Problems{}
	n.Peer, n.Remote, n.Org = strings.TrimSpace(n.Peer), strings.TrimSpace(n.Remote), strings.TrimSpace(n.Org)
	if peer, err := s.fed.PeerByHost(ctx, n.Peer); err != nil || peer.Status != federation.PeerVerified {
		p.Add("peer", "err.peer_not_verified")
	}
	if n.Remote == "" || len(n.Remote) > 200 {
		p.Add("remote", "err.required")
	}
	if _, host, ok := federation.Address(n.Org); !ok || host != s.Host() {
		p.Add("org", "err.intel.local_org")
	}
	var c Collection
	var err error
	if c, err = s.collection(ctx, s.db.R(), n.Collection); err != nil {
		p.Add("collection", "err.not_found")
	}
	if err := p.Err("intel: subscribe"); err != nil {
		return Subscription{}, err
	}
	sub := Subscription{ID: newUUID(), PeerHost: n.Peer, Remote: n.Remote, Collection: c.ID, Org: n.Org}
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		sub.CreatedAt = tx.Now
		_, err := tx.Exec(ctx, `INSERT INTO intel_subscriptions (id, peer_host, remote_collection, collection_id, org, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			sub.ID, sub.PeerHost, sub.Remote, sub.Collection, sub.Org, tx.Now)
		if core.KindOf(err) == core.KindConflict {
			return core.Problems{"remote": "err.intel.subscribed"}.Err("intel: subscribe")
		}
		if err != nil {
			return err
		}
		k, err := tx.Exec(ctx, `UPDATE intel_rights SET can_read = 1 WHERE collection_id = ? AND org = ?`, c.ID, n.Org)
		if err == nil && k == 0 {
			_, err = tx.Exec(ctx, `INSERT INTO intel_rights (collection_id, org, can_read) VALUES (?, ?, 1)`, c.ID, n.Org)
		}
		return err
	})
	return sub, err
}

// Subscriptions lists the node's subscriptions.
func (s *Service) Subscriptions(ctx context.Context) ([]Subscription, error) {
	var out []Subscription
	err := s.db.R().Select(ctx, &out, `SELECT id, peer_host, remote_collection, collection_id, org, cursor, last_sync, last_error, pulled, created_at FROM intel_subscriptions ORDER BY created_at`)
	return out, err
}

// SyncAll runs every subscription once; one failing peer does not stop the
// others, and its error is kept on its subscription.
func (s *Service) SyncAll(ctx context.Context) error {
	subs, err := s.Subscriptions(ctx)
	if err != nil {
		return err
	}
	for _, sub := range subs {
		if _, err := s.Sync(ctx, sub.ID); err != nil && ctx.Err() != nil {
			return err
		}
	}
	return nil
}

// Sync pulls one subscription until the peer has nothing more (or for
// syncMaxPages pages) and returns how many objects it stored.
func (s *Service) Sync(ctx context.Context, id string) (int, error) {
	var sub Subscription
	if err := s.db.R().Get(ctx, &sub, `SELECT id, peer_host, remote_collection, collection_id, org, cursor, last_sync, last_error, pulled, created_at FROM intel_subscriptions WHERE id = ?`, id); err != nil {
		return 0, err
	}
	c, err := s.collection(ctx, s.db.R(), sub.Collection)
	if err != nil {
		return 0, err
	}
	stored := 0
	for range syncMaxPages {
		n, more, err := s.pullPage(ctx, &sub, c)
		stored += n
		if err != nil {
			msg := truncate(err.Error(), 300)
			_ = s.db.WithTx(context.WithoutCancel(ctx), func(tx *store.Tx) error {
				_, err := tx.Exec(ctx, `UPDATE intel_subscriptions SET last_error = ? WHERE id = ?`, msg, sub.ID)
				return err
			})
			return stored, err
		}
		if !more {
			break
		}
	}
	return stored, nil
}

// pullPage takes one page and commits its objects with the new cursor.
func (s *Service) pullPage(ctx context.Context, sub *Subscription, c Collection) (int, bool, error) {
	path := "/federation/v1/intel/" + url.PathEscape(sub.Remote) + "/objects?" + url.Values{
		"org": {sub.Org}, "added_after": {sub.Cursor}, "limit": {strconv.Itoa(syncPageSize)}}.Encode()
	body, err := s.fed.Get(ctx, sub.PeerHost, path)
	if err != nil {
		return 0, false, err
	}
	payload, _, err := s.fed.OpenStatement(ctx, pageContext, body, sub.PeerHost)
	if err != nil {
		return 0, false, err
	}
	var page syncPage
	if err := json.Unmarshal(payload, &page); err != nil {
		return 0, false, fmt.Errorf("intel: page from %s: %w", sub.PeerHost, err)
	}
	// The page must answer this question: a page signed for another
	// organisation or another cursor is not ours to store.
	if page.Collection != sub.Remote || page.Org != sub.Org || page.AddedAfter != sub.Cursor {
		return 0, false, fmt.Errorf("intel: page from %s answers another request", sub.PeerHost)
	}
	cursor := sub.Cursor
	items := make([]incoming, 0, len(page.Objects))
	for _, it := range page.Objects {
		t, err := time.Parse(time.RFC3339Nano, it.DateAdded)
		if err != nil || (cursor != "" && stamp(t) <= normStamp(cursor)) {
			return 0, false, fmt.Errorf("intel: page from %s is out of order at %q", sub.PeerHost, it.DateAdded)
		}
		cursor = stamp(t)
		tlp := it.TLP
		if !tlp.Valid() {
			tlp = core.TLPRed
		}
		items = append(items, incoming{raw: it.Object, tlp: tlp, originAdded: cursor})
	}
	author := Author{Org: sub.Org, Origin: sub.PeerHost}
	var st Status
	update := func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE intel_subscriptions SET cursor = ?, last_sync = ?, last_error = '', pulled = pulled + ? WHERE id = ? AND cursor = ?`,
			cursor, tx.Now, st.SuccessCount, sub.ID, sub.Cursor)
		return err
	}
	if len(items) == 0 {
		err = s.db.WithTx(ctx, update)
	} else {
		_, err = s.storeBatch(ctx, c, author, items, &st, update)
	}
	if err != nil {
		return 0, false, err
	}
	sub.Cursor = cursor
	return st.SuccessCount, page.More && len(items) > 0, nil
}

// normStamp brings a cursor to the stored form.
func normStamp(s string) string {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return s
	}
	return stamp(t)
}
