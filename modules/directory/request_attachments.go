package directory

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/store"
)

// RequestAttachment is a file sent with a request or with an answer or a
// note in its thread.
type RequestAttachment struct {
	ID          string    `db:"id" json:"id"`
	RequestID   string    `db:"request_id" json:"-"`
	EventOrigin string    `db:"event_origin" json:"event,omitempty"`
	By          string    `db:"by_addr" json:"by"`
	Name        string    `db:"name" json:"name"`
	ContentType string    `db:"content_type" json:"content_type"`
	Size        int64     `db:"size" json:"size"`
	SHA256      string    `db:"sha256" json:"sha256"`
	CreatedAt   time.Time `db:"created_at" json:"created_at"`
	Data        []byte    `db:"data" json:"data,omitempty"` // only when sending and downloading (base64 in JSON)
}

// Attachment limits. Files travel inside the sealed envelope, which a node
// accepts up to 4 MiB after two base64 encodings, as correspondence's do.
const (
	MaxRequestAttachment      = 2 << 20
	MaxRequestAttachmentTotal = 2 << 20
	MaxRequestAttachments     = 5
)

const requestAttachmentColumns = `id, request_id, event_origin, by_addr, name, content_type, size, sha256, created_at`

// checkAttachments validates files and sets each one's content type from
// its bytes, not from what the sender's browser or node claimed.
func checkAttachments(ats []RequestAttachment) core.Problems {
	p := core.Problems{}
	if len(ats) > MaxRequestAttachments {
		p.Add("attachments", "err.request_attachments_many")
	}
	total := 0
	for i := range ats {
		at := &ats[i]
		at.Name = strings.TrimSpace(at.Name)
		total += len(at.Data)
		switch {
		case core.BadFileName(at.Name):
			p.Add("attachments", "err.attachment_name")
		case len(at.Data) == 0:
			p.Add("attachments", "err.attachment_empty")
		case len(at.Data) > MaxRequestAttachment:
			p.Add("attachments", "err.request_attachments_large")
		}
		at.ContentType = sniff(at.Data)
		at.Size = int64(len(at.Data))
		sum := sha256.Sum256(at.Data)
		at.SHA256 = hex.EncodeToString(sum[:])
	}
	if total > MaxRequestAttachmentTotal {
		p.Add("attachments", "err.request_attachments_large")
	}
	return p
}

// sniff names a file's type from its first bytes. Types a browser would
// run or render as a page (HTML, XML, scripts) are only bytes here.
func sniff(b []byte) string {
	ct := http.DetectContentType(b)
	mt, _, _ := strings.Cut(ct, ";")
	switch {
	case strings.HasPrefix(mt, "text/html"), strings.Contains(mt, "xml"), strings.Contains(mt, "javascript"):
		return "application/octet-stream"
	}
	return ct
}

// storeAttachments keeps files with one local copy of a request.
func storeAttachments(ctx context.Context, tx *store.Tx, requestID, eventOrigin, by string, ats []RequestAttachment) error {
	for _, at := range ats {
		if _, err := tx.Exec(ctx, `INSERT INTO poc_request_attachments (id, request_id, event_origin, by_addr, name, content_type, size, sha256, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			core.NewID(tx.Now), requestID, eventOrigin, by, at.Name, at.ContentType, at.Size, at.SHA256, at.Data, tx.Now); err != nil {
			return core.Wrap("directory: request attachment", err)
		}
	}
	return nil
}

// checkArrived validates files that came from a peer: the same rules as
// here, and each file's digest must be the one its sender stated.
func checkArrived(ats []RequestAttachment) error {
	stated := make([]string, len(ats))
	for i, at := range ats {
		stated[i] = at.SHA256
	}
	if len(checkAttachments(ats)) > 0 {
		return malformed("request attachments")
	}
	for i, at := range ats {
		if stated[i] != at.SHA256 {
			return &core.Error{Kind: core.KindInvalid, Message: "err.form", Err: errors.New("attachment digest does not match")}
		}
	}
	return nil
}

// loadAttachments fills in a request's files, without their bytes.
func (s *Networks) loadAttachments(ctx context.Context, r *Request) error {
	err := s.db.R().Select(ctx, &r.Attachments, `SELECT `+requestAttachmentColumns+` FROM poc_request_attachments WHERE request_id = ? ORDER BY created_at, name, id`, r.ID)
	return core.Wrap("directory: request attachments", err)
}

// RequestAttachmentData returns one file of a request, with its bytes, to
// those who may read the request.
func (s *Networks) RequestAttachmentData(ctx context.Context, requestID, id string) (RequestAttachment, error) {
	r, err := s.request(ctx, s.db.R(), requestID)
	if err != nil {
		return RequestAttachment{}, err
	}
	if err := access.Check(core.ActorFrom(ctx), access.PocRequestRead, access.Resource{OrgID: r.OrgID}); err != nil {
		return RequestAttachment{}, errOp("request attachment", core.KindNotFound, "err.not_found")
	}
	var at RequestAttachment
	err = s.db.R().Get(ctx, &at, `SELECT `+requestAttachmentColumns+`, data FROM poc_request_attachments WHERE id = ? AND request_id = ?`, id, r.ID)
	return at, core.Wrap("directory: request attachment", err)
}
