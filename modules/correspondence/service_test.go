package correspondence_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/auth"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/federation/fedtest"
	"entente.example/entente/internal/jobs"
	"entente.example/entente/internal/ledger"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store"
	"entente.example/entente/internal/store/storetest"
	"entente.example/entente/modules/correspondence"
	"entente.example/entente/modules/directory"
)

type notice struct{ user, subject string }

type fakeNotifier struct {
	mu   sync.Mutex
	sent []notice
}

func (f *fakeNotifier) Notify(_ context.Context, _ *store.Tx, userID string, k notify.Kind, _ string, args notify.Args) error {
	// The arguments must be exactly the kind's, or the real notifier would
	// refuse them.
	if len(args) != len(k.Params) {
		return fmt.Errorf("notify %s with %v", k.Name, args)
	}
	for _, p := range k.Params {
		if args[p] == "" {
			return fmt.Errorf("notify %s without {%s}", k.Name, p)
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, notice{userID, k.SubjectKey()})
	return nil
}

type world struct {
	svc         *correspondence.Service
	clock       *storetest.Clock
	note        *fakeNotifier
	kemlu, bssn context.Context // officers
	observer    context.Context // observer at bssn
	outsider    context.Context // officer at a third organisation
	ids         map[string]string
}

func newWorld(t *testing.T, e storetest.Engine) world {
	ctx := context.Background()
	clock := storetest.NewClock(time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	db := storetest.Open(t, e, clock, auth.Migrations(), audit.Migrations(), jobs.Migrations(), ledger.Migrations(), federation.Migrations(), directory.Migrations(), correspondence.Migrations())
	node := fedtest.New(t, db, "node.test")
	fed := node.Fed
	var err error
	w := world{note: &fakeNotifier{}, clock: clock, ids: map[string]string{}}
	w.svc = correspondence.NewService(db, fed, w.note)
	err = db.WithTx(ctx, func(tx *store.Tx) error {
		for _, o := range []string{"kemlu", "bssn", "other"} {
			w.ids[o] = core.NewID(tx.Now)
			if _, err := tx.Exec(ctx, `INSERT INTO organisations (id, handle, kind, country, name_en, created_at, updated_at) VALUES (?, ?, 'state_ministry', 'ID', ?, ?, ?)`, w.ids[o], o, o, tx.Now, tx.Now); err != nil {
				return err
			}
		}
		for _, p := range []struct{ name, org, role string }{{"sari", "kemlu", "officer"}, {"agus", "bssn", "officer"}, {"obs", "bssn", "observer"}, {"eve", "other", "officer"}, {"rina", "bssn", "analyst"}} {
			w.ids[p.name] = core.NewID(tx.Now)
			if _, err := tx.Exec(ctx, `INSERT INTO users (id, email, name, created_at) VALUES (?, ?, ?, ?)`, w.ids[p.name], p.name+"@x.test", p.name, tx.Now); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `INSERT INTO memberships (user_id, org_id, role, created_at) VALUES (?, ?, ?, ?)`, w.ids[p.name], w.ids[p.org], p.role, tx.Now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	as := func(name, org string, role core.Role) context.Context {
		return core.WithActor(ctx, core.Actor{UserID: w.ids[name], Name: name, Memberships: []core.Membership{{Org: core.OrgRef{ID: w.ids[org], Handle: org}, Role: role}}})
	}
	w.kemlu, w.bssn, w.observer, w.outsider = as("sari", "kemlu", core.RoleOfficer), as("agus", "bssn", core.RoleOfficer), as("obs", "bssn", core.RoleObserver), as("eve", "other", core.RoleOfficer)
	return w
}

func TestAttachmentsMarkdownAndAccess(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e)
		file := []byte("%PDF-1.7 draft joint statement, paragraph 4")
		m, err := w.svc.Send(w.kemlu, correspondence.Compose{From: "kemlu", To: []string{"bssn"}, Subject: "Draft", Body: "Please see **paragraph 4**.", TLP: core.TLPAmber, Format: "markdown",
			Attachments: []correspondence.Attachment{{Name: "draft.pdf", ContentType: "application/pdf", Data: file}}})
		if err != nil {
			t.Fatal(err)
		}
		got, err := w.svc.Get(w.bssn, m.ID)
		if err != nil || len(got.Attachments) != 1 || got.Attachments[0].SHA256 != ledger.Digest(file) || got.Attachments[0].Data != nil {
			t.Fatalf("message as the recipient: %+v %v", got.Attachments, err)
		}
		// The first reading shows itself: the page the recipient is looking
		// at says it has been read, and by whom.
		if len(got.Recipients) != 1 || got.Recipients[0].ReadAt == nil || got.Recipients[0].ReadBy == "" {
			t.Fatalf("first reading: recipients %+v", got.Recipients)
		}
		if !strings.Contains(string(got.HTML()), "<strong>paragraph 4</strong>") {
			t.Fatalf("markdown: %s", got.HTML())
		}
		at, err := w.svc.AttachmentData(w.bssn, m.ID, got.Attachments[0].ID)
		if err != nil || string(at.Data) != string(file) {
			t.Fatalf("download: %v", err)
		}
		// Nobody outside the two organisations, and no observer, reads it or its files.
		for name, ctx := range map[string]context.Context{"outsider": w.outsider, "observer": w.observer} {
			if _, err := w.svc.AttachmentData(ctx, m.ID, got.Attachments[0].ID); err == nil {
				t.Errorf("%s downloaded the attachment", name)
			}
			if ms, _, _ := w.svc.List(ctx, "in", core.Page{}); len(ms) != 0 {
				t.Errorf("%s lists %d messages", name, len(ms))
			}
		}
		// Limits, named.
		big := make([]byte, correspondence.MaxAttachment+1)
		_, err = w.svc.Send(w.kemlu, correspondence.Compose{From: "kemlu", To: []string{"bssn"}, Subject: "x", Body: "x", TLP: core.TLPGreen, Attachments: []correspondence.Attachment{{Name: "big.bin", Data: big}}})
		if ce := core.AsError(err); ce == nil || ce.Fields["attachments"] != "err.attachment_large" {
			t.Fatalf("oversized attachment: %v", err)
		}
		_, err = w.svc.Send(w.kemlu, correspondence.Compose{From: "kemlu", To: []string{"bssn"}, Subject: "x", Body: "x", TLP: core.TLPGreen, Attachments: []correspondence.Attachment{{Name: "../etc/passwd", Data: []byte("x")}}})
		if ce := core.AsError(err); ce == nil || ce.Fields["attachments"] != "err.attachment_name" {
			t.Fatalf("path in a file name: %v", err)
		}
	})
}

func TestAcknowledgmentDeadline(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		ctx := context.Background()
		w := newWorld(t, e)
		by := w.clock.Now().Add(2 * time.Hour)
		m, err := w.svc.Send(w.kemlu, correspondence.Compose{From: "kemlu", To: []string{"bssn"}, Subject: "Please confirm", Body: "x", TLP: core.TLPGreen, AckBy: &by})
		if err != nil {
			t.Fatal(err)
		}
		w.note.sent = nil // the arrival notice is not what this test is about
		if err := w.svc.CheckDeadlines(ctx); err != nil || len(w.note.sent) != 0 {
			t.Fatalf("before the deadline: %v %+v", err, w.note.sent)
		}
		w.clock.Advance(3 * time.Hour)
		if err := w.svc.CheckDeadlines(ctx); err != nil {
			t.Fatal(err)
		}
		want := map[notice]bool{{w.ids["sari"], "mail.overdue_out.subject"}: true, {w.ids["agus"], "mail.overdue_in.subject"}: true}
		if len(w.note.sent) != 2 || !want[w.note.sent[0]] || !want[w.note.sent[1]] {
			t.Fatalf("notices: %+v", w.note.sent)
		}
		// Once only; and an acknowledged message is never reported.
		if err := w.svc.CheckDeadlines(ctx); err != nil || len(w.note.sent) != 2 {
			t.Fatalf("second check: %v %+v", err, w.note.sent)
		}
		by2 := w.clock.Now().Add(time.Hour)
		m2, _ := w.svc.Send(w.kemlu, correspondence.Compose{From: "kemlu", To: []string{"bssn"}, Subject: "Acked in time", Body: "x", TLP: core.TLPGreen, AckBy: &by2})
		if err := w.svc.Acknowledge(w.bssn, m2.ID); err != nil {
			t.Fatal(err)
		}
		w.note.sent = nil
		w.clock.Advance(2 * time.Hour)
		w.svc.CheckDeadlines(ctx)
		if len(w.note.sent) != 0 {
			t.Fatalf("an acknowledged message was reported overdue: %+v", w.note.sent)
		}
		_ = m
	})
}

// TestRedIsForNamedPeople: a TLP:RED message is read by its author and the
// people it names, not by everyone in the recipient organisation.
func TestRedIsForNamedPeople(t *testing.T) {
	storetest.Each(t, func(t *testing.T, e storetest.Engine) {
		w := newWorld(t, e)
		rina := core.WithActor(context.Background(), core.Actor{UserID: w.ids["rina"], Name: "rina", Memberships: []core.Membership{{Org: core.OrgRef{ID: w.ids["bssn"], Handle: "bssn"}, Role: core.RoleAnalyst}}})
		_, err := w.svc.Send(w.kemlu, correspondence.Compose{From: "kemlu", To: []string{"bssn"}, Subject: "Source", Body: "x", TLP: core.TLPRed})
		if ce := core.AsError(err); ce == nil || ce.Fields["named"] != "err.tlp_red_named" {
			t.Fatalf("RED without names: %v", err)
		}
		_, err = w.svc.Send(w.kemlu, correspondence.Compose{From: "kemlu", To: []string{"bssn"}, Subject: "Source", Body: "x", TLP: core.TLPRed, Named: []string{"eve@x.test"}})
		if ce := core.AsError(err); ce == nil || ce.Fields["named"] != "err.named_unknown" {
			t.Fatalf("RED naming someone outside the recipients: %v", err)
		}
		_, err = w.svc.Send(w.kemlu, correspondence.Compose{From: "kemlu", To: []string{"bssn"}, Subject: "Source", Body: "x", TLP: core.TLPAmber, Named: []string{"agus@x.test"}})
		if ce := core.AsError(err); ce == nil || ce.Fields["named"] != "err.named_only_red" {
			t.Fatalf("names without RED: %v", err)
		}
		m, err := w.svc.Send(w.kemlu, correspondence.Compose{From: "kemlu", To: []string{"bssn"}, Subject: "Source", Body: "The source is ...", TLP: core.TLPRed, Named: []string{"Agus@x.test"}})
		if err != nil {
			t.Fatal(err)
		}
		for who, ctx := range map[string]context.Context{"the named person": w.bssn, "its author": w.kemlu} {
			got, err := w.svc.Get(ctx, m.ID)
			if err != nil {
				t.Fatalf("%s cannot read it: %v", who, err)
			}
			// Both sides see whom it is for.
			if len(got.Named) != 1 || got.Named[0] != "agus@x.test" {
				t.Fatalf("%s sees it named for %v", who, got.Named)
			}
		}
		if _, err := w.svc.Get(rina, m.ID); core.KindOf(err) != core.KindNotFound {
			t.Fatalf("another member of the recipient organisation read it: %v", err)
		}
		if ms, _, _ := w.svc.List(rina, "in", core.Page{}); len(ms) != 0 {
			t.Fatalf("it shows in another member's inbox: %d", len(ms))
		}
		if ms, _, _ := w.svc.Search(rina, "in", "source", core.Page{}); len(ms) != 0 {
			t.Fatalf("search shows it to another member: %d", len(ms))
		}
		if ms, _, _ := w.svc.List(w.bssn, "in", core.Page{}); len(ms) != 1 {
			t.Fatalf("the named person's inbox: %d", len(ms))
		}
	})
}
