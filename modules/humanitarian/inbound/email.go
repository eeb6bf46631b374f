package inbound

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"net/textproto"
	"path"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Defaults for EmailConfig. Photos from phones are 2–6 MB; a report needs a
// few, not an album, and a node on a slow link must not swallow 100 MB mails.
const (
	DefaultEmailMaxBytes = 25 << 20
	DefaultMaxPhotoBytes = 8 << 20
	DefaultMaxPhotos     = 5
	DefaultMaxTextBytes  = 64 << 10
	maxMIMEDepth         = 8
	maxMIMEParts         = 100
)

// EmailConfig bounds what ParseEmail accepts. Zero fields take the defaults.
type EmailConfig struct {
	MaxBytes      int64 // the whole raw message
	MaxPhotoBytes int   // one photo, decoded
	MaxPhotos     int   // photos kept; more are listed in Message.Skipped
	MaxTextBytes  int   // body text kept; a longer one is cut and noted
	// Check, when set, decides whether the secret a mail hook presents is
	// right instead of ParseEmailRequest's secret (see SMSConfig.Check).
	Check func(secret string) bool
}

func (c EmailConfig) withDefaults() EmailConfig {
	if c.MaxBytes <= 0 {
		c.MaxBytes = DefaultEmailMaxBytes
	}
	if c.MaxPhotoBytes <= 0 {
		c.MaxPhotoBytes = DefaultMaxPhotoBytes
	}
	if c.MaxPhotos <= 0 {
		c.MaxPhotos = DefaultMaxPhotos
	}
	if c.MaxTextBytes <= 0 {
		c.MaxTextBytes = DefaultMaxTextBytes
	}
	return c
}

// ParseEmail reads one RFC 5322 message (an uploaded .eml) into a Message:
// sender and recipient addresses, subject, the plain text body (from
// text/plain, else reduced from text/html), and the JPEG, PNG and WebP images
// it carries. Text is the body, or the subject when the body is empty (people
// often write the whole report there). Errors are *Error with Status 400 or
// 413.
func ParseEmail(raw io.Reader, cfg EmailConfig, now time.Time) (Message, error) {
	cfg = cfg.withDefaults()
	b, err := io.ReadAll(io.LimitReader(raw, cfg.MaxBytes+1))
	if err != nil {
		return Message{}, errBadRequest("email.unreadable", "", err.Error())
	}
	if int64(len(b)) > cfg.MaxBytes {
		return Message{}, errTooLarge("email.too_large", cfg.MaxBytes)
	}
	return parseEmailBytes(b, cfg, GatewayEmailUpload, now)
}

// ParseEmailRequest reads a mail gateway's HTTP hook: a POST whose body is
// the raw message, Content-Type message/rfc822, authenticated by secret in
// the "secret" query parameter or an "Authorization: Bearer" header.
func ParseEmailRequest(r *http.Request, secret string, cfg EmailConfig, now time.Time) (Message, error) {
	cfg = cfg.withDefaults()
	if r.Method != http.MethodPost {
		return Message{}, &Error{Code: "email.method_not_allowed", Status: http.StatusMethodNotAllowed, Detail: r.Method}
	}
	got := ""
	if r.URL != nil {
		got = r.URL.Query().Get("secret")
	}
	if a := r.Header.Get("Authorization"); got == "" && strings.HasPrefix(a, "Bearer ") {
		got = strings.TrimPrefix(a, "Bearer ")
	}
	if cfg.Check == nil && secret == "" {
		return Message{}, &Error{Code: "email.secret_not_set", Field: "secret", Status: http.StatusForbidden}
	}
	if cfg.Check != nil && !cfg.Check(got) || cfg.Check == nil && !SecretEqual(got, secret) {
		return Message{}, &Error{Code: "email.bad_secret", Field: "secret", Status: http.StatusForbidden}
	}
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "message/rfc822" {
		return Message{}, &Error{Code: "email.bad_content_type", Field: "Content-Type", Status: http.StatusUnsupportedMediaType, Detail: mt}
	}
	if r.Body == nil {
		return Message{}, errBadRequest("email.malformed", "", "empty body")
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, cfg.MaxBytes+1))
	if err != nil {
		return Message{}, errBadRequest("email.unreadable", "", err.Error())
	}
	if int64(len(b)) > cfg.MaxBytes {
		return Message{}, errTooLarge("email.too_large", cfg.MaxBytes)
	}
	return parseEmailBytes(b, cfg, GatewayMailHook, now)
}

var wordDecoder = &mime.WordDecoder{CharsetReader: charsetReader}

func parseEmailBytes(b []byte, cfg EmailConfig, gateway string, now time.Time) (Message, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(b))
	if err != nil {
		return Message{}, errBadRequest("email.malformed", "", err.Error())
	}
	h := msg.Header
	m := Message{Channel: ChannelEmail, Gateway: gateway, Received: now, At: now}
	m.FromRaw = cleanText(h.Get("From"))
	if strings.TrimSpace(m.FromRaw) == "" {
		return Message{}, errBadRequest("email.missing_field", "From", "")
	}
	ap := mail.AddressParser{WordDecoder: wordDecoder}
	from, err := ap.Parse(m.FromRaw)
	if err != nil {
		return Message{}, errBadRequest("email.bad_address", "From", m.FromRaw)
	}
	m.From, m.FromName = lowerDomain(from.Address), cleanText(from.Name)
	if to := h.Get("To"); to != "" {
		m.ToRaw = cleanText(to)
		if list, err := ap.ParseList(to); err == nil && len(list) > 0 {
			m.To = lowerDomain(list[0].Address)
		}
	}
	if subj, err := wordDecoder.DecodeHeader(h.Get("Subject")); err == nil {
		m.Subject = strings.TrimSpace(cleanText(subj))
	} else {
		m.Subject = strings.TrimSpace(cleanText(h.Get("Subject")))
	}
	if d, err := mail.ParseDate(h.Get("Date")); err == nil && d.Year() >= 2000 && !d.After(now.Add(24*time.Hour)) {
		m.At = d.UTC()
	}
	m.ID = strings.Trim(strings.TrimSpace(cleanText(h.Get("Message-Id"))), "<>")

	w := &walker{cfg: cfg}
	if err := w.walk(textproto.MIMEHeader(h), msg.Body, 0); err != nil {
		return Message{}, err
	}
	text := strings.Join(w.plain, "\n\n")
	if strings.TrimSpace(text) == "" && len(w.html) > 0 {
		text = HTMLToText(strings.Join(w.html, "\n"))
	}
	text = strings.TrimSpace(text)
	if len(text) > cfg.MaxTextBytes {
		cut := cfg.MaxTextBytes
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		w.skipped = append(w.skipped, Skipped{Code: "email.text_truncated", Size: len(text)})
		text = text[:cut]
	}
	if text == "" {
		text = m.Subject
	}
	if text == "" && len(w.photos) == 0 {
		return Message{}, errBadRequest("email.empty", "", "")
	}
	m.Text, m.Photos, m.Skipped = text, w.photos, w.skipped
	return m, nil
}

func lowerDomain(addr string) string {
	if i := strings.LastIndexByte(addr, '@'); i >= 0 {
		return addr[:i+1] + strings.ToLower(addr[i+1:])
	}
	return addr
}

// walker gathers text and images from a MIME tree.
type walker struct {
	cfg     EmailConfig
	parts   int
	plain   []string
	html    []string
	photos  []Attachment
	skipped []Skipped
}

func (w *walker) walk(h textproto.MIMEHeader, body io.Reader, depth int) error {
	w.parts++
	if depth > maxMIMEDepth || w.parts > maxMIMEParts {
		return errBadRequest("email.too_complex", "", "too many or too deeply nested parts")
	}
	ct := h.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil || mt == "" {
		mt, params = "text/plain", map[string]string{}
	}
	if strings.HasPrefix(mt, "multipart/") {
		return w.walkMultipart(mt, params["boundary"], body, depth)
	}
	data, err := decodeTransfer(h.Get("Content-Transfer-Encoding"), body)
	name := partFilename(h, params)
	disp, _, _ := mime.ParseMediaType(h.Get("Content-Disposition"))
	isText := (mt == "text/plain" || mt == "text/html") && disp != "attachment"
	if err != nil {
		if isText {
			return errBadRequest("email.bad_encoding", "Content-Transfer-Encoding", h.Get("Content-Transfer-Encoding"))
		}
		w.skipped = append(w.skipped, Skipped{Filename: name, Code: "email.bad_encoding"})
		return nil
	}
	switch {
	case isText && mt == "text/plain":
		w.plain = append(w.plain, cleanText(decodeCharset(data, params["charset"])))
	case isText:
		w.html = append(w.html, cleanText(decodeCharset(data, params["charset"])))
	default:
		w.attachment(name, data)
	}
	return nil
}

func (w *walker) walkMultipart(mt, boundary string, body io.Reader, depth int) error {
	if boundary == "" {
		return errBadRequest("email.malformed", "Content-Type", "multipart without boundary")
	}
	mr := multipart.NewReader(body, boundary)
	alternative := mt == "multipart/alternative"
	var best *walker
	for {
		p, err := mr.NextRawPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return errBadRequest("email.malformed", "", "bad multipart body")
		}
		if !alternative {
			if err := w.walk(p.Header, p, depth+1); err != nil {
				return err
			}
			continue
		}
		// Alternatives say the same thing: keep the plain one when there is
		// one, else the HTML; keep images from all of them.
		sub := &walker{cfg: w.cfg, parts: w.parts, photos: w.photos}
		if err := sub.walk(p.Header, p, depth+1); err != nil {
			return err
		}
		w.parts, w.photos = sub.parts, sub.photos
		w.skipped = append(w.skipped, sub.skipped...)
		if best == nil || len(best.plain) == 0 && len(sub.plain) > 0 {
			best = sub
		}
	}
	if best != nil {
		w.plain = append(w.plain, best.plain...)
		if len(best.plain) == 0 {
			w.html = append(w.html, best.html...)
		}
	}
	return nil
}

// attachment keeps data as a photo when its bytes, not its label, say it is
// a JPEG, PNG or WebP image, within the size and count limits.
func (w *walker) attachment(name string, data []byte) {
	kind := http.DetectContentType(data)
	switch kind {
	case "image/jpeg", "image/png", "image/webp":
	default:
		w.skipped = append(w.skipped, Skipped{Filename: name, Code: "email.not_an_image", Size: len(data)})
		return
	}
	switch {
	case len(data) > w.cfg.MaxPhotoBytes:
		w.skipped = append(w.skipped, Skipped{Filename: name, Code: "email.photo_too_large", Size: len(data)})
	case len(w.photos) >= w.cfg.MaxPhotos:
		w.skipped = append(w.skipped, Skipped{Filename: name, Code: "email.too_many_photos", Size: len(data)})
	default:
		w.photos = append(w.photos, Attachment{Filename: name, ContentType: kind, Data: data})
	}
}

func decodeTransfer(cte string, body io.Reader) ([]byte, error) {
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "quoted-printable":
		return io.ReadAll(quotedprintable.NewReader(body))
	case "base64":
		raw, err := io.ReadAll(body)
		if err != nil {
			return nil, err
		}
		clean := strings.Map(func(r rune) rune {
			if unicode.IsSpace(r) {
				return -1
			}
			return r
		}, string(raw))
		// Some mailers drop the padding; accept both forms.
		return base64.RawStdEncoding.DecodeString(strings.TrimRight(clean, "="))
	default: // 7bit, 8bit, binary, or absent
		return io.ReadAll(body)
	}
}

// partFilename takes the attachment's name from Content-Disposition or the
// older Content-Type name, decoded, reduced to a base name without control
// characters and at most 100 bytes, since it ends up on a page.
func partFilename(h textproto.MIMEHeader, ctParams map[string]string) string {
	name := ""
	if _, p, err := mime.ParseMediaType(h.Get("Content-Disposition")); err == nil {
		name = p["filename"]
	}
	if name == "" {
		name = ctParams["name"]
	}
	if d, err := wordDecoder.DecodeHeader(name); err == nil {
		name = d
	}
	name = path.Base(strings.ReplaceAll(cleanText(name), "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, name)
	if name == "." || name == "/" {
		name = ""
	}
	for len(name) > 100 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	return name
}
