package publicdiplomacy

import (
	"context"
	"crypto/rsa"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/store"
	"entente.example/entente/modules/publicdiplomacy/ap"
)

// What other instances send. Every POST must be signed (draft-cavage) by
// the key of the activity's actor, over the exact bytes received, with a
// digest of the body; anything else is refused before it is parsed. Then
// each kind of activity changes only what its actor owns: a follow of our
// account, its own posts, its own boosts and likes.

// Inbox errors, as the HTTP layer answers them.
var (
	ErrUnsigned  = &core.Error{Kind: core.KindUnauthenticated, Op: "publicdiplomacy: inbox", Message: "err.pd_signature"}
	ErrNotActor  = &core.Error{Kind: core.KindForbidden, Op: "publicdiplomacy: inbox", Message: "err.pd_not_actor"}
	errBadInput  = &core.Error{Kind: core.KindInvalid, Op: "publicdiplomacy: inbox", Message: "err.pd_activity"}
	errNoAccount = &core.Error{Kind: core.KindNotFound, Op: "publicdiplomacy: inbox", Message: "err.not_found"}
)

// Receive handles a POST to an account's inbox (username set) or to the
// shared inbox (username empty).
func (s *Service) Receive(ctx context.Context, r *http.Request, username string) error {
	body, err := io.ReadAll(io.LimitReader(r.Body, ap.MaxDocument+1))
	if err != nil {
		return errBadInput
	}
	if len(body) > ap.MaxDocument {
		return errBadInput
	}
	// The account whose key fetches the signer's actor: the addressed one,
	// or any of the node's for the shared inbox.
	var acc Account
	if username != "" {
		if acc, err = s.AccountByUsername(ctx, username); err != nil {
			return errNoAccount
		}
	} else {
		all, err := s.Accounts(ctx)
		if err != nil || len(all) == 0 {
			return errNoAccount
		}
		acc = all[0]
	}
	var signer RemoteActor
	keyID, err := ap.Verify(ctx, r, body, s.Now(), func(ctx context.Context, keyID string) (*rsa.PublicKey, error) {
		k, a, err := s.verifierKey(ctx, acc, keyID, false)
		signer = a
		return k, err
	})
	if errors.Is(err, ap.ErrBadSignature) && keyID != "" && s.mayRefetch(keyID) {
		// The key may have rotated: fetch it again, once in a while (a
		// stream of bad signatures must not make the node fetch for each).
		_, err = ap.Verify(ctx, r, body, s.Now(), func(ctx context.Context, keyID string) (*rsa.PublicKey, error) {
			k, a, err := s.verifierKey(ctx, acc, keyID, true)
			signer = a
			return k, err
		})
	}
	if err != nil {
		if errors.Is(err, ap.ErrBadDigest) {
			return errBadInput
		}
		return ErrUnsigned
	}
	act, err := ap.ParseActivity(body)
	if err != nil {
		return errBadInput
	}
	if act.Actor != signer.URI {
		return ErrNotActor
	}
	return s.apply(ctx, act, signer)
}

// refetchEvery is how often a key that failed a signature is fetched
// again.
const refetchEvery = 10 * time.Minute

// mayRefetch reports whether the key may be fetched again now, and notes
// that it is.
func (s *Service) mayRefetch(keyID string) bool {
	now := time.Now()
	if last, ok := s.refetched.Load(keyID); ok && now.Sub(last.(time.Time)) < refetchEvery {
		return false
	}
	if s.refetchN.Add(1) > 10000 {
		// Forgetting them all at worst refetches some keys early.
		s.refetched.Clear()
		s.refetchN.Store(0)
	}
	s.refetched.Store(keyID, now)
	return true
}

// receiveLocal applies an activity one of this node's accounts sends
// another one here.
func (s *Service) receiveLocal(ctx context.Context, body []byte, from Account) error {
	act, err := ap.ParseActivity(body)
	if err != nil {
		return err
	}
	signer, err := s.localActor(ctx, s.ActorURL(from.Username))
	if err != nil {
		return err
	}
	if act.Actor != signer.URI {
		return ErrNotActor
	}
	return s.apply(ctx, act, signer)
}

// apply makes an activity's effect, once: activities arrive again when an
// instance retries.
func (s *Service) apply(ctx context.Context, act ap.Incoming, from RemoteActor) error {
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		if err := heardFrom(ctx, tx, from.Host); err != nil {
			return err
		}
		switch act.Type {
		case "Follow":
			return s.onFollow(ctx, tx, act, from)
		case "Undo":
			return s.onUndo(ctx, tx, act, from)
		case "Accept", "Reject":
			return s.onAnswer(ctx, tx, act, from)
		case "Create":
			return s.onCreate(ctx, tx, act, from)
		case "Update":
			return s.onUpdate(ctx, tx, act, from)
		case "Delete":
			return s.onDelete(ctx, tx, act, from)
		case "Announce", "Like":
			return s.onReaction(ctx, tx, act, from)
		}
		return nil // other activities are accepted and ignored
	})
}

// ourAccount is the local account an id names (an actor or one of its
// posts), if any.
func (s *Service) ourAccount(ctx context.Context, c store.Conn, uri string) (Account, string, bool) {
	if !s.isLocal(uri) {
		return Account{}, "", false
	}
	rest := strings.TrimPrefix(uri, s.base()+"/social/")
	user, post, _ := strings.Cut(rest, "/")
	acc, err := s.account(ctx, c, "a.username = ?", user)
	if err != nil {
		return Account{}, "", false
	}
	return acc, post, true
}

func (s *Service) onFollow(ctx context.Context, tx *store.Tx, act ap.Incoming, from RemoteActor) error {
	acc, rest, ok := s.ourAccount(ctx, tx.Conn, act.ObjectID)
	if !ok || rest != "" {
		return errNoAccount
	}
	state := "accepted"
	if acc.ManuallyApproves {
		state = "pending"
	}
	if _, err := tx.Exec(ctx, `INSERT INTO pd_followers (account_id, actor, host, follow_id, state, created_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (account_id, actor) DO UPDATE SET follow_id = excluded.follow_id, state = CASE WHEN pd_followers.state = 'accepted' AND pd_followers.removed_at IS NULL THEN 'accepted' ELSE excluded.state END,
		removed_at = NULL, created_at = CASE WHEN pd_followers.removed_at IS NULL THEN pd_followers.created_at ELSE excluded.created_at END`,
		acc.ID, from.URI, from.Host, act.ID, state, tx.Now); err != nil {
		return err
	}
	if state == "pending" {
		var cur string
		if err := tx.Get(ctx, &cur, `SELECT state FROM pd_followers WHERE account_id = ? AND actor = ?`, acc.ID, from.URI); err != nil || cur != "accepted" {
			return err
		}
	}
	return s.answerFollow(ctx, tx, acc, from, act.ID, "Accept")
}

// answerFollow sends Accept or Reject of a follow.
func (s *Service) answerFollow(ctx context.Context, tx *store.Tx, acc Account, from RemoteActor, followID, kind string) error {
	me := s.ActorURL(acc.Username)
	a := ap.Activity{ID: me + "#" + strings.ToLower(kind) + "s/" + core.NewID(tx.Now), Type: kind, Actor: me,
		Object: &ap.Activity{ID: followID, Type: "Follow", Actor: from.URI, Object: me}, To: []string{from.URI}}
	return s.queueDelivery(ctx, tx, acc, a, []string{from.Inbox})
}

func (s *Service) onUndo(ctx context.Context, tx *store.Tx, act ap.Incoming, from RemoteActor) error {
	inner := act.Inner
	kind, id := "", act.ObjectID
	if inner != nil {
		kind, id = inner.Type, inner.ID
		if inner.Actor != "" && inner.Actor != from.URI {
			return ErrNotActor
		}
	}
	if kind == "Follow" || kind == "" {
		// By the Follow's id, or, when the embedded Follow names our
		// account, by the account (some servers reuse no ids).
		q, args := `UPDATE pd_followers SET state = 'removed', removed_at = ? WHERE actor = ? AND removed_at IS NULL AND follow_id = ?`, []any{tx.Now, from.URI, id}
		if acc, rest, ok := s.ourAccount(ctx, tx.Conn, objectOf(inner)); ok && rest == "" {
			q, args = `UPDATE pd_followers SET state = 'removed', removed_at = ? WHERE actor = ? AND removed_at IS NULL AND account_id = ?`, []any{tx.Now, from.URI, acc.ID}
		}
		if _, err := tx.Exec(ctx, q, args...); err != nil {
			return err
		}
	}
	if kind == "Like" || kind == "Announce" || kind == "" {
		if _, err := tx.Exec(ctx, `DELETE FROM pd_reactions WHERE id = ? AND actor = ?`, id, from.URI); err != nil {
			return err
		}
	}
	return nil
}

func objectOf(in *ap.Incoming) string {
	if in == nil {
		return ""
	}
	return in.ObjectID
}

// onAnswer records a remote account's answer to one of our follows.
func (s *Service) onAnswer(ctx context.Context, tx *store.Tx, act ap.Incoming, from RemoteActor) error {
	id := act.ObjectID
	if act.Inner != nil {
		id = act.Inner.ID
	}
	state := "accepted"
	if act.Type == "Reject" {
		state = "rejected"
	}
	_, err := tx.Exec(ctx, `UPDATE pd_following SET state = ? WHERE follow_id = ? AND actor = ?`, state, id, from.URI)
	return err
}

// onReaction counts a boost or a like of one of our posts.
func (s *Service) onReaction(ctx context.Context, tx *store.Tx, act ap.Incoming, from RemoteActor) error {
	_, post, ok := s.ourAccount(ctx, tx.Conn, act.ObjectID)
	if !ok || post == "" {
		return nil // a boost of someone else's post: not ours to count
	}
	var n int
	if err := tx.Get(ctx, &n, `SELECT COUNT(*) FROM pd_posts WHERE id = ? AND state = 'published'`, post); err != nil || n == 0 {
		return err
	}
	// An actor likes or boosts a post once, whatever ids it makes up:
	// otherwise one hostile account sets any post's reach (and fills the
	// table) by sending the same Like under fresh ids.
	_, err := tx.Exec(ctx, `INSERT INTO pd_reactions (id, type, post_id, actor, host, created_at) SELECT ?, ?, ?, ?, ?, ?
		WHERE NOT EXISTS (SELECT 1 FROM pd_reactions WHERE post_id = ? AND actor = ? AND type = ?) ON CONFLICT (id) DO NOTHING`,
		act.ID, act.Type, post, from.URI, from.Host, tx.Now, post, from.URI, act.Type)
	return err
}

// sameHost reports whether an object id is on the actor's host: an actor
// may only create, change or delete its own instance's objects.
func sameHost(id string, a RemoteActor) bool {
	u, err := url.Parse(id)
	return err == nil && strings.EqualFold(u.Host, a.Host)
}
