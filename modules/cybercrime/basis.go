package cybercrime

import (
	"context"
	"time"
)

// Legal is the legal-basis check the requests ask: whether both states are
// bound by an instrument that allows the kind on a date (with the reason in
// words, as a catalogue key, when not), and which refusal grounds its
// article permits. The instruments implement it from their data.
type Legal interface {
	Allowed(ctx context.Context, from, to string, k Kind, basis string, on time.Time) (reason string, ok bool)
	Grounds(k Kind, basis string) []string
}

// basisProblem says why a basis cannot carry the request, as the key a
// form shows beside the field.
func (s *Service) basisProblem(ctx context.Context, from, to string, k Kind, basis string, on time.Time) (string, bool) {
	return s.legal.Allowed(ctx, from, to, k, basis, on)
}

// ListLegal is the legal-basis check over a list of instruments: the
// shipped ones, or the node's effective ones (shipped plus the
// administrator's changes).
type ListLegal struct {
	List func(ctx context.Context) ([]Instrument, error)
}

// ShippedLegal checks against the instruments as shipped.
func ShippedLegal() ListLegal {
	return ListLegal{List: func(context.Context) ([]Instrument, error) { return Shipped() }}
}

// Allowed implements Legal.
func (l ListLegal) Allowed(ctx context.Context, from, to string, k Kind, basis string, on time.Time) (string, bool) {
	ins, err := l.List(ctx)
	if err != nil {
		return "err.cyb_basis", false
	}
	if _, ok := Allowed(Bases(ins, from, to, k, on), basis); !ok {
		return "err.cyb_basis", false
	}
	return "", true
}

// Grounds implements Legal.
func (l ListLegal) Grounds(k Kind, basis string) []string {
	ins, err := l.List(context.Background())
	if err != nil {
		return nil
	}
	for _, in := range ins {
		if in.ID == basis {
			return Grounds(k, in)
		}
	}
	return nil
}
