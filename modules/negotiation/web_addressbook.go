package negotiation

import (
	"context"

	"entente.example/entente/internal/federation"
)

// AddressBook offers the organisations a chair can seat; the directory
// implements it.
type AddressBook interface {
	Addresses(ctx context.Context, q string) ([]federation.RemoteOrg, error)
}

// UseAddressBook makes the form that seats parties offer the address book.
func (m *Module) UseAddressBook(b AddressBook) { m.book = b }

// localAddresses is the part of the address book on this node: a chair
// sits where the text lives.
func (m *Module) localAddresses(ctx context.Context) []federation.RemoteOrg {
	if m.book == nil {
		return nil
	}
	book, err := m.book.Addresses(ctx, "")
	if err != nil {
		return nil
	}
	var out []federation.RemoteOrg
	for _, a := range book {
		if a.Host == m.svc.fed.Host() {
			out = append(out, a)
		}
	}
	return out
}
