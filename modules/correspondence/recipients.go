package correspondence

import (
	"context"
	"time"

	"entente.example/entente/internal/federation"
)

// checkRemote tells, before anything is sent, what is wrong with the address
// handle@host of a peer's organisation: a message key, or "" when it may be
// sent. An organisation missing from the peer's directory as last fetched
// may be new there: the directory is fetched again once before refusing. A
// peer whose directory is not known at all is given the benefit of the
// doubt; its refusal then shows on the message.
func (s *Service) checkRemote(ctx context.Context, handle, host string) string {
	p, err := s.fed.PeerByHost(ctx, host)
	if err != nil || p.Status != federation.PeerVerified {
		return "err.peer_not_verified_entry"
	}
	lookup := func() (known, found bool) {
		orgs, err := s.fed.RemoteOrgs(ctx)
		if err != nil {
			return false, false
		}
		for _, o := range orgs {
			if o.Host == host {
				known = true
				found = found || o.Handle == handle
			}
		}
		return known, found
	}
	known, found := lookup()
	if !known || found {
		return ""
	}
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if s.fed.RefreshDirectory(rctx, p) == nil {
		if known, found = lookup(); !known || found {
			return ""
		}
	}
	return "err.recipient_unknown_peer"
}

// AddressBook offers the organisations a person can write to; the directory
// implements it.
type AddressBook interface {
	Addresses(ctx context.Context, q string) ([]federation.RemoteOrg, error)
}

// UseAddressBook makes the "to" field offer the address book; without one
// it offers this node's organisations and verified peers'.
func (m *Module) UseAddressBook(b AddressBook) { m.book = b }

func (m *Module) addresses(ctx context.Context) []federation.RemoteOrg {
	if m.book != nil {
		if book, err := m.book.Addresses(ctx, ""); err == nil {
			return book
		}
	}
	local, _ := m.fed.LocalOrgs(ctx)
	var out []federation.RemoteOrg
	for _, o := range local {
		out = append(out, federation.RemoteOrg{OrgInfo: o, Host: m.fed.Host()})
	}
	remote, _ := m.fed.RemoteOrgs(ctx)
	return append(out, remote...)
}
