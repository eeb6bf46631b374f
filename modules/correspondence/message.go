package correspondence

import (
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"entente.example/entente/core"
)

// Message is a message as a reader sees it.
type Message struct {
	ID             string      `db:"id" json:"id"`
	ThreadID       string      `db:"thread_id" json:"thread_id"`
	Direction      string      `db:"direction" json:"direction"`
	From           string      `db:"from_addr" json:"from"`
	FromOrgID      string      `db:"from_org_id" json:"-"`
	AuthorID       string      `db:"author_id" json:"-"`
	Author         string      `db:"author" json:"author"`
	Subject        string      `db:"subject" json:"subject"`
	Body           string      `db:"body" json:"body"`
	TLP            core.TLP    `db:"tlp" json:"tlp"`
	Classification string      `db:"classification" json:"classification,omitempty"`
	Format         string      `db:"format" json:"format"`
	AckBy          *time.Time  `db:"ack_by" json:"acknowledge_by,omitempty"`
	CreatedAt      time.Time   `db:"created_at" json:"created_at"`
	Recipients     []Recipient `db:"-" json:"recipients"`
	// Named are the people a TLP:RED message is for, shown to both sides.
	Named       []string     `db:"-" json:"named,omitempty"`
	Attachments []Attachment `db:"-" json:"attachments"`
}

const messageColumns = `m.id, m.thread_id, m.direction, m.from_addr, m.from_org_id, m.author_id, m.author, m.subject, m.body, m.tlp, m.classification, m.format, m.ack_by, m.created_at`

// Attachment is a file sent with a message.
type Attachment struct {
	ID          string `db:"id" json:"id"`
	MessageID   string `db:"message_id" json:"-"`
	Name        string `db:"name" json:"name"`
	ContentType string `db:"content_type" json:"content_type"`
	Size        int64  `db:"size" json:"size"`
	SHA256      string `db:"sha256" json:"sha256"`
	Data        []byte `db:"data" json:"data,omitempty"` // only when sending (base64 in JSON)
}

// Attachment limits: they travel inside the sealed envelope, which a node
// accepts up to 4 MiB, encoded twice (base64 in the payload, and the sealed
// payload in base64 again: ×16/9), with room left for the text.
const (
	MaxAttachment      = 2 << 20
	MaxAttachmentTotal = 2 << 20
	MaxAttachments     = 10
)

// Recipient is one recipient of a message and its delivery state.
type Recipient struct {
	MessageID   string     `db:"message_id" json:"-"`
	To          string     `db:"to_addr" json:"to"`
	ToOrgID     string     `db:"to_org_id" json:"-"`
	EnvelopeID  string     `db:"envelope_id" json:"envelope_id,omitempty"`
	State       string     `db:"state" json:"state"`
	DeliveredAt *time.Time `db:"delivered_at" json:"delivered_at,omitempty"`
	ReadAt      *time.Time `db:"read_at" json:"read_at,omitempty"`
	ReadBy      string     `db:"read_by" json:"read_by,omitempty"`
	AckedAt     *time.Time `db:"acked_at" json:"acknowledged_at,omitempty"`
	AckedBy     string     `db:"acked_by" json:"acknowledged_by,omitempty"`
	Note        string     `db:"note" json:"note,omitempty"`
	Receipt     string     `db:"-" json:"receipt,omitempty"`
}

// Recipient states.
const (
	StateQueued       = "queued"
	StateDelivered    = "delivered"
	StateUndelivered  = "undelivered"
	StateAcknowledged = "acknowledged"
)

// Compose is a new message.
type Compose struct {
	From           string   `json:"from"` // local organisation handle
	To             []string `json:"to"`   // handle (local) or handle@host
	Subject        string   `json:"subject"`
	Body           string   `json:"body"`
	TLP            core.TLP `json:"tlp"`
	Classification string   `json:"classification"`
	Format         string   `json:"format"` // plain (default) or markdown
	// ThreadID continues a thread (a reply); empty starts one.
	ThreadID string `json:"thread_id"`
	// Named are the people (e-mail addresses) a TLP:RED message is for:
	// only they, and its author, see it.
	Named []string `json:"named"`
	// AckBy asks recipients to acknowledge by then; both sides are reminded
	// by e-mail when it passes without an acknowledgment.
	AckBy       *time.Time   `json:"acknowledge_by"`
	Attachments []Attachment `json:"attachments"`
}

// Validate checks and normalises a new message.
func (c *Compose) Validate() core.Problems {
	p := core.Problems{}
	c.From = strings.TrimSpace(c.From)
	c.Subject = strings.TrimSpace(c.Subject)
	c.Classification = strings.TrimSpace(c.Classification)
	if c.From == "" {
		p.Add("from", "err.required")
	}
	var to []string
	for _, t := range c.To {
		for _, a := range strings.FieldsFunc(t, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' }) {
			to = append(to, strings.ToLower(a))
		}
	}
	c.To = to
	switch {
	case len(c.To) == 0:
		p.Add("to", "err.required")
	case len(c.To) > 50:
		p.Add("to", "err.too_many")
	}
	if strings.ContainsRune(c.Body, 0) {
		p.Add("body", "err.control_chars")
	}
	for _, r := range c.Subject {
		if r < 0x20 || r == 0x7f {
			p.Add("subject", "err.control_chars")
		}
	}
	switch {
	case c.Subject == "":
		p.Add("subject", "err.required")
	case utf8.RuneCountInString(c.Subject) > 200:
		p.Add("subject", "err.too_long")
	}
	switch {
	case strings.TrimSpace(c.Body) == "":
		p.Add("body", "err.required")
	case len(c.Body) > 200_000:
		p.Add("body", "err.too_long")
	}
	var named []string
	for _, n := range c.Named {
		for _, e := range strings.FieldsFunc(n, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == ';' }) {
			named = append(named, strings.ToLower(e))
		}
	}
	c.Named = named
	switch c.TLP {
	case core.TLPClear, core.TLPGreen, core.TLPAmber, core.TLPAmberStrict:
		if len(c.Named) > 0 {
			p.Add("named", "err.named_only_red")
		}
	case core.TLPRed:
		// RED is for named people only.
		if len(c.Named) == 0 {
			p.Add("named", "err.tlp_red_named")
		}
		for _, e := range c.Named {
			if a, err := mail.ParseAddress(e); err != nil || a.Address != e {
				p.AddEntry("named", "err.email_entry", e)
			}
		}
		if len(c.Named) > 50 {
			p.Add("named", "err.too_many")
		}
	case "":
		p.Add("tlp", "err.required")
	default:
		p.Add("tlp", "err.choice")
	}
	if utf8.RuneCountInString(c.Classification) > 60 {
		p.Add("classification", "err.too_long")
	}
	switch c.Format {
	case "":
		c.Format = "plain"
	case "plain", "markdown":
	default:
		p.Add("format", "err.choice")
	}
	total := 0
	if len(c.Attachments) > MaxAttachments {
		p.Add("attachments", "err.too_many")
	}
	for i := range c.Attachments {
		at := &c.Attachments[i]
		at.Name = strings.TrimSpace(at.Name)
		total += len(at.Data)
		switch {
		case core.BadFileName(at.Name):
			p.Add("attachments", "err.attachment_name")
		case len(at.Data) == 0:
			p.Add("attachments", "err.attachment_empty")
		case len(at.Data) > MaxAttachment:
			p.Add("attachments", "err.attachment_large")
		}
		if at.ContentType == "" || len(at.ContentType) > 100 {
			at.ContentType = "application/octet-stream"
		}
	}
	if total > MaxAttachmentTotal {
		p.Add("attachments", "err.attachment_large")
	}
	return p
}
