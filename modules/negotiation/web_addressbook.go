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
