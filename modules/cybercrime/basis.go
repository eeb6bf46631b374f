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
