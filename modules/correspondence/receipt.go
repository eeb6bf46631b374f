package correspondence

import (
	"context"

	"entente.example/entente/core"
	"entente.example/entente/internal/federation"
)

// ReceiptCheck is what a recipient's signed receipt proves (see
// federation.ReceiptCheck), with the message and the recipient it is for.
type ReceiptCheck struct {
	federation.ReceiptCheck
	Message   Message
	Recipient Recipient
}

// CheckReceipt returns the receipt of a message's recipient (its address,
// to) and what checking it found. The actor must be able to read the
// message; a message is not marked read by looking at its receipts.
func (s *Service) CheckReceipt(ctx context.Context, id, to string) (ReceiptCheck, error) {
	m, err := s.Read(ctx, id, false)
	if err != nil {
		return ReceiptCheck{}, err
	}
	c := ReceiptCheck{Message: m}
	found := false
	for _, r := range m.Recipients {
		if r.To == to && r.Receipt != "" {
			c.Recipient, found = r, true
		}
	}
	if !found {
		return ReceiptCheck{}, &core.Error{Kind: core.KindNotFound, Op: "correspondence: receipt", Message: "err.not_found"}
	}
	_, host, _ := federation.Address(c.Recipient.To)
	c.ReceiptCheck = s.fed.CheckReceipt(ctx, c.Recipient.Receipt, c.Recipient.EnvelopeID, host)
	return c, nil
}
