package correspondence_test

import (
	"context"
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/internal/blobs"
	"entente.example/entente/internal/ledger"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/correspondence"
)

// TestAttachmentsInTheBlobStore: once the service has a blob store, new
// attachments go there, and those kept in the database before stay readable.
func TestAttachmentsInTheBlobStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e)
		send := func(name string, data []byte) (string, string) {
			t.Helper()
			m, err := w.svc.Send(w.kemlu, correspondence.Compose{From: "kemlu", To: []string{"bssn"}, Subject: name, Body: "See attached.", TLP: core.TLPAmber,
				Attachments: []correspondence.Attachment{{Name: name, ContentType: "application/pdf", Data: data}}})
			if err != nil {
				t.Fatal(err)
			}
			got, err := w.svc.Get(w.bssn, m.ID)
			if err != nil || len(got.Attachments) != 1 {
				t.Fatalf("%s: %+v %v", name, got.Attachments, err)
			}
			return m.ID, got.Attachments[0].ID
		}
		legacy := []byte("%PDF-1.7 before the blob store")
		oldMsg, oldAt := send("before.pdf", legacy)

		store, err := blobs.NewFS(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		w.svc.UseBlobs(store)
		file := []byte("%PDF-1.7 evidence annex")
		newMsg, newAt := send("after.pdf", file)
		if ok, err := store.Has(context.Background(), ledger.Digest(file)); !ok || err != nil {
			t.Fatalf("the new attachment is not in the blob store: %v", err)
		}
		if ok, _ := store.Has(context.Background(), ledger.Digest(legacy)); ok {
			t.Fatal("the old attachment moved to the blob store")
		}
		for _, c := range []struct {
			msg, at string
			want    []byte
		}{{oldMsg, oldAt, legacy}, {newMsg, newAt, file}} {
			at, err := w.svc.AttachmentData(w.bssn, c.msg, c.at)
			if err != nil || string(at.Data) != string(c.want) || at.SHA256 != ledger.Digest(c.want) {
				t.Fatalf("download %s: %q %v", at.Name, at.Data, err)
			}
		}
		// Access is still the message's: an outsider gets nothing.
		if _, err := w.svc.AttachmentData(w.outsider, newMsg, newAt); err == nil {
			t.Fatal("an outsider downloaded the attachment")
		}
	})
}
