package cybercrime

import (
	"strings"
	"testing"
	"time"

	"entente.example/entente/core"
)

// TestEvidenceNamesArePlain refuses a file name that reads as another: a
// bidi override makes "invoice\u202Efdp.exe" show as "invoiceexe.pdf", from
// a person's upload or in a peer's manifest alike.
func TestEvidenceNamesArePlain(t *testing.T) {
	w := newEvWorld(t)
	for _, name := range []string{"invoice\u202Efdp.exe", "logs\u0007.txt", "a\u200Fb.txt"} {
		_, err := w.m.svc.AddEvidence(w.inv, w.r.ID, Upload{Name: name, Body: strings.NewReader("x")})
		if ce := core.AsError(err); ce == nil || ce.Fields["file"] != "err.cyb_evidence_name" {
			t.Errorf("upload named %q: %v", name, err)
		}
		m := evidenceWire{RequestFrom: w.r.From, OriginID: w.r.OriginID, Files: []fileWire{{Origin: "01KBX0000000000000000000AB", SHA256: strings.Repeat("ab", 32),
			Size: 1, Name: name, ContentType: "text/plain", AddedBy: "Kenji", AddedAddr: "npa@jp.example", Created: time.Now()}}}
		if m.check() == nil {
			t.Errorf("a manifest with a file named %q was taken", name)
		}
	}
}
