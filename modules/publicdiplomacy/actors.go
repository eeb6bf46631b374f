package publicdiplomacy

import (
	"context"
	"crypto/rsa"
	"errors"
	"net/url"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/store"
	"entente.example/entente/modules/publicdiplomacy/ap"
)

// RemoteActor is an account on another instance, as this node knows it.
type RemoteActor struct {
	URI         string    `db:"uri"`
	Host        string    `db:"host"`
	Username    string    `db:"username"`
	Name        string    `db:"name"`
	URL         string    `db:"url"`
	Inbox       string    `db:"inbox"`
	SharedInbox string    `db:"shared_inbox"`
	KeyID       string    `db:"key_id"`
	PublicKey   string    `db:"public_key"`
	FetchedAt   time.Time `db:"fetched_at"`
}

// Acct is the actor's address, user@host.
func (a RemoteActor) Acct() string { return a.Username + "@" + a.Host }

// actorFresh is how long a fetched actor is believed before it is fetched
// again (its inbox or name may change; its key is refetched at once when a
// signature fails).
const actorFresh = 24 * time.Hour

// keyOf is an account's signing key and key id: what signs its requests.
func (s *Service) keyOf(acc Account) (string, *rsa.PrivateKey, error) {
	k, err := ap.ParsePrivateKeyPEM(acc.PrivateKey)
	return s.ActorURL(acc.Username) + "#main-key", k, err
}

// FetchActor returns a remote actor, from the cache when fresh, otherwise
// fetched (signed as acc, since GoToSocial and Mastodon in secure mode
// answer only signed requests).
func (s *Service) FetchActor(ctx context.Context, acc Account, uri string, refresh bool) (RemoteActor, error) {
	var a RemoteActor
	err := s.db.R().Get(ctx, &a, `SELECT * FROM pd_actors WHERE uri = ?`, uri)
	if err == nil && !refresh && s.Now().Sub(a.FetchedAt) < actorFresh {
		return a, nil
	}
	if err != nil && core.KindOf(err) != core.KindNotFound {
		return a, err
	}
	if s.isLocal(uri) {
		return s.localActor(ctx, uri)
	}
	keyID, key, err := s.keyOf(acc)
	if err != nil {
		return a, err
	}
	b, err := s.client().Get(ctx, uri, keyID, key)
	if err != nil {
		return a, err
	}
	ra, err := ap.ParseActor(b)
	if err != nil {
		return a, err
	}
	return s.storeActor(ctx, uri, ra)
}

// storeActor keeps a fetched actor, refusing one whose id is not where it
// was fetched from (an instance cannot speak for another's actors).
func (s *Service) storeActor(ctx context.Context, fetched string, ra ap.RemoteActor) (RemoteActor, error) {
	u, err := url.Parse(ra.ID)
	if err != nil || u.Host == "" {
		return RemoteActor{}, errors.New("publicdiplomacy: actor without a host")
	}
	f, err := url.Parse(fetched)
	if err != nil || !strings.EqualFold(f.Host, u.Host) {
		return RemoteActor{}, errors.New("publicdiplomacy: actor from another host than its id")
	}
	if ra.PublicKey.ID != "" {
		k, err := url.Parse(ra.PublicKey.ID)
		if err != nil || !strings.EqualFold(k.Host, u.Host) {
			return RemoteActor{}, errors.New("publicdiplomacy: actor's key on another host")
		}
	}
	a := RemoteActor{URI: ra.ID, Host: strings.ToLower(u.Host), Username: clean(ra.PreferredUsername), Name: clean(ap.PlainText(ra.Name)), URL: ra.URL,
		Inbox: ra.Inbox, SharedInbox: ra.SharedInbox, KeyID: ra.PublicKey.ID, PublicKey: ra.PublicKey.PublicKeyPEM}
	if len([]rune(a.Name)) > 200 {
		a.Name = string([]rune(a.Name)[:200])
	}
	for _, in := range []string{a.Inbox, a.SharedInbox} {
		if in == "" {
			continue
		}
		if iu, err := url.Parse(in); err != nil || !strings.EqualFold(iu.Host, u.Host) {
			return RemoteActor{}, errors.New("publicdiplomacy: actor's inbox on another host")
		}
	}
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		a.FetchedAt = tx.Now
		_, err := tx.Exec(ctx, `INSERT INTO pd_actors (uri, host, username, name, url, inbox, shared_inbox, key_id, public_key, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (uri) DO UPDATE SET host = excluded.host, username = excluded.username, name = excluded.name, url = excluded.url, inbox = excluded.inbox,
			shared_inbox = excluded.shared_inbox, key_id = excluded.key_id, public_key = excluded.public_key, fetched_at = excluded.fetched_at`,
			a.URI, a.Host, a.Username, a.Name, a.URL, a.Inbox, a.SharedInbox, a.KeyID, a.PublicKey, a.FetchedAt)
		return err
	})
	return a, err
}

// isLocal reports whether a URI is one of this node's.
func (s *Service) isLocal(uri string) bool {
	return strings.HasPrefix(uri, s.base()+"/")
}

// localActor is one of this node's accounts seen as a remote actor (an
// account here may follow, mention or reply to another one here).
func (s *Service) localActor(ctx context.Context, uri string) (RemoteActor, error) {
	name := strings.TrimPrefix(uri, s.base()+"/social/")
	acc, err := s.AccountByUsername(ctx, name)
	if err != nil {
		return RemoteActor{}, err
	}
	a := RemoteActor{URI: uri, Host: s.Host(), Username: acc.Username, Name: acc.DisplayName, URL: uri, Inbox: uri + "/inbox", SharedInbox: s.base() + "/social/inbox",
		KeyID: uri + "#main-key", PublicKey: acc.PublicKey, FetchedAt: s.Now()}
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO pd_actors (uri, host, username, name, url, inbox, shared_inbox, key_id, public_key, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (uri) DO UPDATE SET name = excluded.name, public_key = excluded.public_key, fetched_at = excluded.fetched_at`,
			a.URI, a.Host, a.Username, a.Name, a.URL, a.Inbox, a.SharedInbox, a.KeyID, a.PublicKey, a.FetchedAt)
		return err
	})
	return a, err
}

// ResolveAcct finds the actor of user@host through WebFinger.
func (s *Service) ResolveAcct(ctx context.Context, acc Account, acct string) (RemoteActor, error) {
	acct = strings.TrimPrefix(strings.TrimPrefix(strings.TrimSpace(acct), "acct:"), "@")
	if strings.EqualFold(acct[strings.LastIndexByte(acct, '@')+1:], s.Host()) {
		return s.localActor(ctx, s.ActorURL(strings.ToLower(acct[:strings.IndexByte(acct, '@')])))
	}
	var a RemoteActor
	if i := strings.IndexByte(acct, '@'); i > 0 {
		err := s.db.R().Get(ctx, &a, `SELECT * FROM pd_actors WHERE LOWER(username) = LOWER(?) AND host = ?`, acct[:i], strings.ToLower(acct[i+1:]))
		if err == nil && s.Now().Sub(a.FetchedAt) < actorFresh {
			return a, nil
		}
	}
	uri, err := s.client().Finger(ctx, acct)
	if err != nil {
		return a, err
	}
	return s.FetchActor(ctx, acc, uri, false)
}

// verifierKey finds the public key of a keyId for an inbound signature:
// from the cache, or fetched. The key's document names its owner (an
// actor, or GoToSocial's stub at the key's URL), and the owner, fetched in
// full, must hold that key: that is who signed. refresh refetches a cached
// key that failed (keys rotate).
func (s *Service) verifierKey(ctx context.Context, acc Account, keyID string, refresh bool) (*rsa.PublicKey, RemoteActor, error) {
	var a RemoteActor
	err := s.db.R().Get(ctx, &a, `SELECT * FROM pd_actors WHERE key_id = ? ORDER BY fetched_at DESC LIMIT 1`, keyID)
	if err != nil || refresh {
		owner := keyID
		if i := strings.IndexByte(owner, '#'); i >= 0 {
			owner = owner[:i] // actor#main-key: the actor is the document
		} else {
			kid, key, err := s.keyOf(acc)
			if err != nil {
				return nil, a, err
			}
			b, err := s.client().Get(ctx, keyID, kid, key)
			if err != nil {
				return nil, a, err
			}
			k, err := ap.ParseKey(b, keyID)
			if err != nil {
				return nil, a, err
			}
			owner = k.Owner
		}
		ku, err1 := url.Parse(keyID)
		ou, err2 := url.Parse(owner)
		if err1 != nil || err2 != nil || !strings.EqualFold(ku.Host, ou.Host) {
			return nil, a, ap.ErrBadSignature
		}
		if a, err = s.FetchActor(ctx, acc, owner, true); err != nil {
			return nil, a, err
		}
		if a.KeyID != keyID {
			return nil, a, ap.ErrBadSignature
		}
	}
	k, err := ap.ParsePublicKeyPEM(a.PublicKey)
	return k, a, err
}
