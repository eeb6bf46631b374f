package federation

import "testing"

func TestReceiptVerdict(t *testing.T) {
	for _, c := range []struct {
		c    ReceiptCheck
		want bool
	}{
		{ReceiptCheck{Signed: true, Included: true}, true},
		{ReceiptCheck{Signed: true, Problem: "receipt.unreachable"}, true},
		{ReceiptCheck{Signed: true, Problem: "receipt.pending"}, true},
		{ReceiptCheck{Signed: true, Problem: "receipt.err_proof"}, false},
		{ReceiptCheck{Signed: true, Problem: "receipt.err_checkpoint"}, false},
		{ReceiptCheck{Problem: "receipt.err_signature"}, false},
	} {
		if got := c.c.Verified(); got != c.want {
			t.Errorf("%+v: Verified = %v, want %v", c.c, got, c.want)
		}
	}
}
