package directory_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/directory"
)

// TestRequestAttachments: files go with a request and with an answer, to
// both sides' copies; their type is read from their bytes, not taken from
// the sender; both sides download them, nobody else; names, sizes and
// counts are checked.
func TestRequestAttachments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newNetWorld(t, e)
		n := w.network(t)
		pdf := append([]byte("%PDF-1.7\n"), bytes.Repeat([]byte("x"), 1000)...)
		html := []byte("<!DOCTYPE html><script>alert(1)</script>")
		in := directory.RequestInput{Network: n.ID, From: "kemlu", To: "mfa-fj@node.test", Type: "assistance", Urgency: "high", Subject: "Phishing",
			Description: "Mailboxes compromised.", Asked: "Take the site down.", TLP: core.TLPAmber,
			Attachments: []directory.RequestAttachment{{Name: "report.pdf", ContentType: "text/html", Data: pdf}, {Name: "page.html", ContentType: "text/html", Data: html}}}

		for what, bad := range map[string][]directory.RequestAttachment{
			"a path for a name":   {{Name: "../etc/passwd", Data: []byte("x")}},
			"an empty file":       {{Name: "empty.txt"}},
			"a file too large":    {{Name: "big.bin", Data: make([]byte, directory.MaxRequestAttachment+1)}},
			"too many files":      {{Name: "1", Data: []byte("1")}, {Name: "2", Data: []byte("2")}, {Name: "3", Data: []byte("3")}, {Name: "4", Data: []byte("4")}, {Name: "5", Data: []byte("5")}, {Name: "6", Data: []byte("6")}},
			"a control character": {{Name: "a\u202eb.pdf", Data: []byte("x")}},
		} {
			x := in
			x.Attachments = bad
			if _, err := w.nets.SendRequest(w.as["bima"], x); fieldsOf(err)["attachments"] == "" {
				t.Errorf("%s: %v", what, err)
			}
		}

		r, err := w.nets.SendRequest(w.as["bima"], in)
		if err != nil {
			t.Fatal(err)
		}
		mine, err := w.nets.Request(w.as["sari"], r.ID)
		if err != nil || len(mine.Attachments) != 2 {
			t.Fatalf("the sender's copy: %+v %v", mine.Attachments, err)
		}
		types := map[string]string{}
		for _, at := range mine.Attachments {
			types[at.Name] = at.ContentType
			if at.Data != nil || at.By != "kemlu@node.test" {
				t.Errorf("%s: by %q, bytes loaded %v", at.Name, at.By, at.Data != nil)
			}
		}
		if types["report.pdf"] != "application/pdf" || types["page.html"] != "application/octet-stream" {
			t.Fatalf("types from the bytes: %v", types)
		}
		inbox, _, err := w.nets.Requests(w.as["tevita"], "in", core.Page{Limit: 10})
		if err != nil || len(inbox) != 1 {
			t.Fatalf("fiji's inbox: %v", err)
		}
		theirs, err := w.nets.Request(w.as["tevita"], inbox[0].ID)
		if err != nil || len(theirs.Attachments) != 2 {
			t.Fatalf("the recipient's copy: %+v %v", theirs.Attachments, err)
		}
		var pdfID string
		for _, at := range theirs.Attachments {
			if at.Name == "report.pdf" {
				pdfID = at.ID
			}
		}
		got, err := w.nets.RequestAttachmentData(w.as["tevita"], inbox[0].ID, pdfID)
		sum := sha256.Sum256(pdf)
		if err != nil || !bytes.Equal(got.Data, pdf) || got.SHA256 != hex.EncodeToString(sum[:]) {
			t.Fatalf("download by the recipient: %v", err)
		}
		for _, who := range []string{"eve", "sari"} {
			// eve is outside; sari is kemlu's, and this copy is Fiji's.
			if _, err := w.nets.RequestAttachmentData(w.as[who], inbox[0].ID, pdfID); core.KindOf(err) != core.KindNotFound {
				t.Errorf("%s downloading Fiji's copy: %v", who, err)
			}
		}
		if _, err := w.nets.RequestAttachmentData(w.as["sari"], r.ID, pdfID); core.KindOf(err) != core.KindNotFound {
			t.Errorf("a file of another copy through this one: %v", err)
		}

		// The answer carries a file too, to both copies.
		if _, err := w.nets.UpdateRequestWith(w.as["tevita"], inbox[0].ID, directory.ActAnswer, "Taken down; report attached.",
			[]directory.RequestAttachment{{Name: "takedown.txt", Data: []byte("Taken down at 10:02 UTC.\n")}}); err != nil {
			t.Fatal(err)
		}
		mine, _ = w.nets.Request(w.as["sari"], r.ID)
		if len(mine.Attachments) != 3 || mine.Attachments[2].Name != "takedown.txt" || mine.Attachments[2].By != "mfa-fj@node.test" || mine.Attachments[2].EventOrigin == "" {
			t.Fatalf("the answer's file on the sender's side: %+v", mine.Attachments)
		}
		if mine.Attachments[2].ContentType != "text/plain; charset=utf-8" {
			t.Errorf("answer's file type %q", mine.Attachments[2].ContentType)
		}
	})
}
