package federation

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"io"
	"net/http"
	"strings"

	"entente.example/entente/core"
)

// GetStream sends a signed GET for pathQuery to a verified peer and returns
// the body of its 200 answer unread, with its announced length (-1 when
// unknown), for files too large to hold: the caller reads it as it goes and
// closes it. Unlike Get it has no overall time limit (a file of gigabytes
// takes minutes); ctx bounds it, and the transport still bounds the wait for
// the answer's headers.
func (s *Service) GetStream(ctx context.Context, host, pathQuery string) (io.ReadCloser, int64, error) {
	p, err := s.PeerByHost(ctx, host)
	if err != nil {
		return nil, 0, err
	}
	if p.Status != PeerVerified {
		return nil, 0, &core.Error{Kind: core.KindForbidden, Op: "federation: get", Message: "err.peer_not_verified"}
	}
	u := strings.TrimSuffix(p.BaseURL, "/") + pathQuery
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, 0, err
	}
	if err := Sign(req, nil, u, s.keys.Signing, SignParams{KeyID: s.host, Alg: true}); err != nil {
		return nil, 0, err
	}
	// The same transport (its dialer refuses private addresses unless
	// allowed), without the client's one-minute limit on the whole exchange.
	c := *s.client
	c.Timeout = 0
	res, err := c.Do(req)
	if err != nil {
		return nil, 0, err
	}
	if res.StatusCode != http.StatusOK {
		res.Body.Close()
		return nil, 0, statusError{url: u, code: res.StatusCode}
	}
	return res.Body, res.ContentLength, nil
}

// SigningKey returns this node's current Ed25519 public key.
func (s *Service) SigningKey() ed25519.PublicKey {
	return s.keys.Signing.Public().(ed25519.PublicKey)
}

// PeerKey returns the signing key this node verified for a peer host, or
// its own for its own host: the key a statement made by that node is
// checked against.
func (s *Service) PeerKey(ctx context.Context, host string) (ed25519.PublicKey, error) {
	if host == s.host {
		return s.SigningKey(), nil
	}
	p, err := s.PeerByHost(ctx, host)
	if err != nil {
		return nil, err
	}
	if p.Status != PeerVerified {
		return nil, fmt.Errorf("federation: peer %s is not verified", host)
	}
	return p.SigningKey, nil
}
