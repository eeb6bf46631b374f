package notify_test

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"
	"time"

	"entente.example/entente/internal/notify"
)

// TestRenderPlain keeps a message without attachments exactly as it was
// before attachments existed: one text/plain part.
func TestRenderPlain(t *testing.T) {
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	got := notify.Message{To: "rina@kemlu.example", Subject: "Rapat — agenda", Body: "Hello\n\nhttps://n1.example/x\n"}.Render("entente@n1.example", now)
	want := "From: entente@n1.example\r\nTo: rina@kemlu.example\r\nSubject: =?utf-8?q?Rapat_=E2=80=94_agenda?=\r\nDate: Mon, 07 Dec 2026 10:00:00 +0000\r\n" +
		"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\nHello\r\n\r\nhttps://n1.example/x\r\n"
	if string(got) != want {
		t.Fatalf("got\n%q\nwant\n%q", got, want)
	}
}

// TestRenderAttachments renders a message with a calendar file and reads
// it back with the standard library's MIME reader: the text first, then
// the file with its media type (method included), name and exact bytes.
func TestRenderAttachments(t *testing.T) {
	ics := []byte("BEGIN:VCALENDAR\r\nMETHOD:REQUEST\r\n" + strings.Repeat("SUMMARY:Forum ASEAN–Australia\r\n", 10) + "END:VCALENDAR\r\n")
	m := notify.Message{To: "a@b.example", Subject: "Invitation", Body: "Come.\n\nhttps://n1.example/events/1\n",
		Attachments: []notify.Attachment{{Name: "invite.ics", ContentType: "text/calendar; charset=utf-8; method=REQUEST", Data: ics}}}
	raw := m.Render("entente@n1.example", time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC))
	if !bytes.Equal(raw, m.Render("entente@n1.example", time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC))) {
		t.Fatal("rendering is not repeatable")
	}
	for _, l := range strings.Split(string(raw), "\r\n") {
		if len(l) > 998 || strings.Contains(l, "\n") {
			t.Fatalf("bad line %q", l)
		}
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/mixed" {
		t.Fatalf("content type %q: %v", msg.Header.Get("Content-Type"), err)
	}
	r := multipart.NewReader(msg.Body, params["boundary"])
	p, err := r.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(p)
	if !strings.HasPrefix(p.Header.Get("Content-Type"), "text/plain") || string(body) != "Come.\r\n\r\nhttps://n1.example/events/1\r\n" {
		t.Fatalf("text part %q: %q", p.Header.Get("Content-Type"), body)
	}
	p, err = r.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	if ct := p.Header.Get("Content-Type"); ct != "text/calendar; charset=utf-8; method=REQUEST" {
		t.Fatalf("attachment type %q", ct)
	}
	if p.FileName() != "invite.ics" {
		t.Fatalf("file name %q", p.FileName())
	}
	enc, _ := io.ReadAll(p)
	data, err := base64.StdEncoding.DecodeString(strings.ReplaceAll(string(enc), "\r\n", ""))
	if err != nil || !bytes.Equal(data, ics) {
		t.Fatalf("attachment reads back as %q (%v)", data, err)
	}
	if _, err := r.NextPart(); err != io.EOF {
		t.Fatalf("after the attachment: %v", err)
	}
}
