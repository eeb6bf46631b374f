package incidents

import (
	"bytes"
	"os"
	"testing"
)

// FuzzParseText: a peer's or a bundle's text is either refused or is the
// canonical bytes of what it parsed to (one byte string per meaning).
func FuzzParseText(f *testing.F) {
	f.Add([]byte(Text{Format: TextFormat, Origin: "01JE0000000000000000000000", Initiator: "kemlu@id.example", Country: "ID", Language: "en", Title: "T", Body: "B", Actor: "A"}.Canonical()))
	f.Add([]byte(`{"format":"entente-attribution-text/1","format":"x"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		tx, err := ParseText(b)
		if err != nil {
			return
		}
		if !bytes.Equal(tx.Canonical(), b) {
			t.Fatalf("accepted a text that is not canonical: %q", b)
		}
	})
}

// FuzzVerifyBundle: whatever a file holds, the verifier answers without
// panicking, and a bundle it passes names the hash of its text.
func FuzzVerifyBundle(f *testing.F) {
	if b, err := os.ReadFile("testdata/statement_bundle.json"); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`{"format":"entente-attribution-statement/1","text":"","sha256":"","publication":null,"signatures":[],"nodes":[]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		rep := VerifyBundle(b, nil)
		if rep.OK() {
			bu, err := ParseBundle(b)
			if err != nil || TextHash([]byte(bu.Text)) != bu.SHA256 || len(rep.Signers) == 0 {
				t.Fatalf("passed a bundle whose text is not its hash: %q", b)
			}
		}
	})
}

// FuzzStatementWires: every envelope payload a peer sends is decoded
// strictly, or refused, without panicking.
func FuzzStatementWires(f *testing.F) {
	f.Add([]byte(`{"text":"{}","sha256":"00","initiator_name":"x","invited":[{"signer":"a@b","name":"n","country":"SG"}],"publish_mode":"initiator","cosign":{},"ledger":{"verifier_key":"","checkpoint":"","index":0,"size":1,"hashes":[]}}`))
	f.Add([]byte(`{"origin":"o","initiator":"i","sha256":"s"}`))
	f.Add([]byte(`{"origin":"o","initiator":"i","bundle":{}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var iw inviteWire
		if strictDecode(b, &iw) == nil {
			_, _ = ParseText([]byte(iw.Text))
			_ = verifyProof(iw.Ledger, "x.example", make([]byte, 32), "cosign", TextHash(nil))
		}
		var sw signWire
		_ = strictDecode(b, &sw)
		var aw answerWire
		_ = strictDecode(b, &aw)
		var pw publishWire
		if strictDecode(b, &pw) == nil {
			_ = VerifyBundle(pw.Bundle, nil)
		}
	})
}
