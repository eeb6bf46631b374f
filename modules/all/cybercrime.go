package all

import (
	"context"

	"entente.example/entente/modules/cybercrime"
	"entente.example/entente/modules/directory"
)

// cybercrimeDirectory gives cybercrime the organisations a person can
// address, marking the points of contact of the 24/7 networks, from the
// directory's address book (verified peers and the person's networks).
type cybercrimeDirectory struct{ nets *directory.Networks }

func (d cybercrimeDirectory) Counterparts(ctx context.Context) ([]cybercrime.Counterpart, error) {
	book, err := d.nets.AddressBook(ctx, "")
	if err != nil {
		return nil, err
	}
	in, err := d.nets.NetworkMembers(ctx, cybercrime.Networks247...)
	if err != nil {
		return nil, err
	}
	out := make([]cybercrime.Counterpart, 0, len(book))
	for _, a := range book {
		out = append(out, cybercrime.Counterpart{Addr: a.Addr, NameEN: a.NameEN, NameID: a.NameID, Country: a.Country, Kind: a.Kind, Network: in[a.Addr], Local: a.Local})
	}
	return out, nil
}
