// Package notify delivers e-mail. Mail is sent by a background job, never inside
// a request, so a slow or failing mail server delays nothing and a failed send
// is retried. Without an SMTP server configured, messages are written as .eml
// files under the data directory, which is what a demo or a test wants.
package notify

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime"
	"net"
	"net/mail"
	"net/smtp"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/jobs"
	"entente.example/entente/internal/store"
)

// Message is one e-mail.
type Message struct {
	To      string `json:"to"`
	Subject string `json:"subject"`
	Body    string `json:"body"`
	// Attachments go after the body in a multipart/mixed message (an
	// invitation's calendar file); a message without any stays one
	// text/plain part, as it always was.
	Attachments []Attachment `json:"attachments,omitempty"`
}

// Attachment is a file sent with a message.
type Attachment struct {
	Name string `json:"name"`
	// ContentType is the full media type, parameters included:
	// "text/calendar; charset=utf-8; method=REQUEST".
	ContentType string `json:"content_type"`
	Data        []byte `json:"data"`
}

// Mailer sends a message.
type Mailer interface {
	Send(ctx context.Context, m Message) error
}

// Render returns the message in RFC 5322 form: one text/plain part, or,
// with attachments, a multipart/mixed message whose first part is the
// text and the others the files (base64, each with its own media type).
func (m Message) Render(from string, now time.Time) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s\r\nTo: %s\r\nSubject: %s\r\nDate: %s\r\nMIME-Version: 1.0\r\n",
		from, m.To, mime.QEncoding.Encode("utf-8", m.Subject), now.Format(time.RFC1123Z))
	if len(m.Attachments) == 0 {
		b.WriteString("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
		b.WriteString(strings.ReplaceAll(m.Body, "\n", "\r\n"))
		return []byte(b.String())
	}
	boundary := m.boundary()
	fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n", boundary)
	fmt.Fprintf(&b, "--%s\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n", boundary)
	b.WriteString(strings.ReplaceAll(m.Body, "\n", "\r\n"))
	for _, a := range m.Attachments {
		name := strings.Map(func(r rune) rune {
			if r < 0x20 || r == '"' || r == '\\' || r == 0x7f {
				return -1
			}
			return r
		}, a.Name)
		ct := strings.Map(func(r rune) rune {
			if r < 0x20 || r == 0x7f {
				return -1
			}
			return r
		}, a.ContentType)
		fmt.Fprintf(&b, "\r\n--%s\r\nContent-Type: %s\r\nContent-Disposition: attachment; filename=\"%s\"\r\nContent-Transfer-Encoding: base64\r\n\r\n",
			boundary, ct, mime.QEncoding.Encode("utf-8", name))
		enc := base64.StdEncoding.EncodeToString(a.Data)
		for len(enc) > 76 {
			b.WriteString(enc[:76] + "\r\n")
			enc = enc[76:]
		}
		b.WriteString(enc + "\r\n")
	}
	fmt.Fprintf(&b, "\r\n--%s--\r\n", boundary)
	return []byte(b.String())
}

// boundary is derived from the message's content, so that rendering is
// repeatable, and it cannot occur in the text part or in base64.
func (m Message) boundary() string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%s", m.To, m.Subject, m.Body)
	for _, a := range m.Attachments {
		h.Write(a.Data)
	}
	bd := "=_entente_" + hex.EncodeToString(h.Sum(nil))[:32]
	for strings.Contains(m.Body, bd) {
		bd += "_"
	}
	return bd
}

// DirMailer writes each message to a file in Dir.
type DirMailer struct {
	Dir   string
	From  string
	Clock core.Clock
}

// Send writes m to a new .eml file.
func (d DirMailer) Send(_ context.Context, m Message) error {
	if err := os.MkdirAll(d.Dir, 0o700); err != nil {
		return fmt.Errorf("notify: %w", err)
	}
	now := d.Clock.Now()
	name := filepath.Join(d.Dir, core.NewID(now)+".eml")
	return os.WriteFile(name, m.Render(d.From, now), 0o600)
}

// SMTPMailer sends through an SMTP server given as smtp://user:pass@host:port.
type SMTPMailer struct {
	URL   *url.URL
	From  string
	Clock core.Clock
}

// NewSMTP parses an smtp:// URL.
func NewSMTP(raw, from string, clock core.Clock) (*SMTPMailer, error) {
	u, err := url.Parse(raw)
	if err != nil || u.Scheme != "smtp" || u.Host == "" {
		return nil, fmt.Errorf("--smtp %q: want smtp://user:password@host:port", raw)
	}
	if _, err := mail.ParseAddress(from); err != nil {
		return nil, fmt.Errorf("--mail-from %q: %w", from, err)
	}
	return &SMTPMailer{URL: u, From: from, Clock: clock}, nil
}

// Send delivers m, upgrading to STARTTLS when the server offers it. The
// connection has a deadline from ctx (or one minute), so a mail server that
// stalls cannot hold a worker, or shutdown, forever.
func (s *SMTPMailer) Send(ctx context.Context, m Message) error {
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(time.Minute)
	}
	d := net.Dialer{Deadline: deadline}
	conn, err := d.DialContext(ctx, "tcp", s.URL.Host)
	if err != nil {
		return fmt.Errorf("notify: smtp: %w", err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(deadline); err != nil {
		return err
	}
	c, err := smtp.NewClient(conn, s.URL.Hostname())
	if err != nil {
		return fmt.Errorf("notify: smtp: %w", err)
	}
	defer c.Close()
	if ok, _ := c.Extension("STARTTLS"); ok {
		if err := c.StartTLS(&tls.Config{ServerName: s.URL.Hostname()}); err != nil {
			return fmt.Errorf("notify: smtp starttls: %w", err)
		}
	}
	if s.URL.User != nil {
		pw, _ := s.URL.User.Password()
		if err := c.Auth(smtp.PlainAuth("", s.URL.User.Username(), pw, s.URL.Hostname())); err != nil {
			return fmt.Errorf("notify: smtp auth: %w", err)
		}
	}
	if err := c.Mail(s.From); err != nil {
		return fmt.Errorf("notify: smtp: %w", err)
	}
	if err := c.Rcpt(m.To); err != nil {
		return fmt.Errorf("notify: smtp: %w", err)
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("notify: smtp: %w", err)
	}
	if _, err := w.Write(m.Render(s.From, s.Clock.Now())); err != nil {
		return fmt.Errorf("notify: smtp: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("notify: smtp: %w", err)
	}
	return c.Quit()
}

// EmailKind is the job that sends one Message through m. E-mail is retried for
// about a day (12 attempts from 5 s, doubling, capped at an hour) before the
// job is kept as dead for an administrator to see.
func EmailKind(m Mailer) jobs.Kind {
	return jobs.Kind{Name: "notify.email", MaxAttempts: 12, Timeout: time.Minute, Handle: func(ctx context.Context, payload []byte) error {
		var msg Message
		if err := json.Unmarshal(payload, &msg); err != nil {
			return fmt.Errorf("notify: payload: %w", err)
		}
		return m.Send(ctx, msg)
	}}
}

// Translator turns message keys into text in a language.
type Translator interface {
	T(lang, key string, args ...any) string
}

// People e-mails the node's people by id, in their own language, through the
// job queue in the caller's transaction: the e-mail exists exactly when the
// change it reports does.
type People struct {
	Jobs    *jobs.Queue
	Tr      Translator
	BaseURL func() string
}

// Notify e-mails one person a notification of kind k about the page at path
// (relative to the node's base URL), in the person's language.
func (p People) Notify(ctx context.Context, tx *store.Tx, userID string, k Kind, path string, args Args) error {
	var u struct {
		Email    string `db:"email"`
		Lang     string `db:"lang"`
		Disabled bool   `db:"disabled"`
	}
	if err := tx.Get(ctx, &u, `SELECT email, lang, disabled FROM users WHERE id = ?`, userID); err != nil {
		return core.Wrap("notify: person", err)
	}
	if u.Disabled {
		return nil
	}
	if u.Lang == "" {
		u.Lang = "en"
	}
	subject, body, err := Render(p.Tr, u.Lang, k, p.BaseURL()+path, args)
	if err != nil {
		return err
	}
	return p.Jobs.Enqueue(ctx, tx, "notify.email", Message{To: u.Email, Subject: subject, Body: body}, jobs.Options{})
}

// NotifyOrg e-mails the people of a local organisation who hold one of
// roles; disabled accounts are skipped.
func (p People) NotifyOrg(ctx context.Context, tx *store.Tx, orgID string, roles []core.Role, k Kind, path string, args Args) error {
	if len(roles) == 0 {
		return nil
	}
	qargs := []any{orgID}
	for _, r := range roles {
		qargs = append(qargs, string(r))
	}
	var users []string
	if err := tx.Select(ctx, &users, `SELECT m.user_id FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = ? AND m.role IN (`+strings.TrimSuffix(strings.Repeat("?,", len(roles)), ",")+`) AND u.disabled = FALSE ORDER BY m.user_id`, qargs...); err != nil {
		return core.Wrap("notify: organisation", err)
	}
	for _, u := range users {
		if err := p.Notify(ctx, tx, u, k, path, args); err != nil {
			return err
		}
	}
	return nil
}
