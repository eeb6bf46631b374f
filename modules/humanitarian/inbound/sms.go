package inbound

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// DefaultSMSMaxBytes bounds a webhook body. A concatenated SMS is at most a
// few kilobytes; anything near this limit is not a gateway talking.
const DefaultSMSMaxBytes = 64 << 10

// SMSConfig tunes ParseSMSWith. The zero value of each optional field picks
// the default.
type SMSConfig struct {
	Secret string // shared with the gateway; empty refuses every request
	// Check, when set, decides whether the presented secret is right instead
	// of Secret, so a node can keep only a hash of each gateway's secret. It
	// must compare in constant time.
	Check func(secret string) bool
	// Gateway forces GatewaySMSSync or GatewayFrontlineSMS; empty guesses from
	// the fields present (SMSSync sends sent_to/sent_timestamp/message_id).
	Gateway string
	// DefaultCC is the country calling code ("62") used to read national
	// numbers such as "0812..."; empty leaves them un-normalised.
	DefaultCC string
	MaxBytes  int64 // body limit; DefaultSMSMaxBytes when zero
}

// ParseSMS reads one SMSSync or FrontlineSMS webhook request checked against
// secret. now stamps Message.Received and stands in for a missing or
// implausible sent_timestamp. Errors are *Error with Status 400, 403, 405 or
// 413; WriteSMSReply answers the gateway with either outcome.
func ParseSMS(r *http.Request, secret string, now time.Time) (Message, error) {
	return ParseSMSWith(r, SMSConfig{Secret: secret}, now)
}

// ParseSMSWith is ParseSMS with the gateway, country code and size limit set.
func ParseSMSWith(r *http.Request, cfg SMSConfig, now time.Time) (Message, error) {
	if r.Method != http.MethodPost {
		return Message{}, &Error{Code: "sms.method_not_allowed", Status: http.StatusMethodNotAllowed, Detail: r.Method}
	}
	limit := cfg.MaxBytes
	if limit <= 0 {
		limit = DefaultSMSMaxBytes
	}
	var body []byte
	if r.Body != nil {
		b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
		if err != nil {
			return Message{}, errBadRequest("sms.unreadable_body", "", err.Error())
		}
		if int64(len(b)) > limit {
			return Message{}, errTooLarge("sms.too_large", limit)
		}
		body = b
	}
	fields, err := smsFields(r, body)
	if err != nil {
		return Message{}, err
	}
	return smsMessage(fields, cfg, now)
}

// smsFields merges the query string and the body (form, multipart or JSON),
// the body winning, as the Ushahidi controllers read "input" from both.
func smsFields(r *http.Request, body []byte) (url.Values, error) {
	out := url.Values{}
	if r.URL != nil {
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			return nil, errBadRequest("sms.malformed_body", "query", err.Error())
		}
		out = q
	}
	ct := r.Header.Get("Content-Type")
	mt, params, _ := mime.ParseMediaType(ct)
	var got url.Values
	switch {
	case len(bytes.TrimSpace(body)) == 0:
		return out, nil
	case mt == "multipart/form-data":
		v, err := multipartFields(body, params["boundary"])
		if err != nil {
			return nil, err
		}
		got = v
	case mt == "application/json" || (mt == "" && bytes.HasPrefix(bytes.TrimSpace(body), []byte("{"))):
		v, err := jsonFields(body)
		if err != nil {
			return nil, err
		}
		got = v
	default: // application/x-www-form-urlencoded, or a gateway that forgot the header
		v, err := url.ParseQuery(string(body))
		if err != nil {
			return nil, errBadRequest("sms.malformed_body", "", err.Error())
		}
		got = v
	}
	for k, vs := range got {
		out[k] = vs
	}
	return out, nil
}

func multipartFields(body []byte, boundary string) (url.Values, error) {
	if boundary == "" {
		return nil, errBadRequest("sms.malformed_body", "", "multipart without boundary")
	}
	mr := multipart.NewReader(bytes.NewReader(body), boundary)
	out := url.Values{}
	for n := 0; ; n++ {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil || n > 64 {
			return nil, errBadRequest("sms.malformed_body", "", "bad multipart body")
		}
		b, err := io.ReadAll(p)
		if err != nil {
			return nil, errBadRequest("sms.malformed_body", p.FormName(), "bad multipart part")
		}
		if name := p.FormName(); name != "" && p.FileName() == "" {
			out.Add(name, string(b))
		}
	}
}

// jsonFields accepts a flat object of strings and numbers, which is what
// FrontlineSMS cloud webhooks can be configured to send.
func jsonFields(body []byte) (url.Values, error) {
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(body))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		return nil, errBadRequest("sms.malformed_body", "", "bad JSON")
	}
	out := url.Values{}
	for k, v := range m {
		switch t := v.(type) {
		case string:
			out.Set(k, t)
		case json.Number:
			out.Set(k, t.String())
		case nil:
		default:
			return nil, errBadRequest("sms.malformed_body", k, "not a string or number")
		}
	}
	return out, nil
}

func smsMessage(f url.Values, cfg SMSConfig, now time.Time) (Message, error) {
	if cfg.Check == nil && cfg.Secret == "" {
		// A webhook without a secret would let anyone plant reports.
		return Message{}, &Error{Code: "sms.secret_not_set", Field: "secret", Status: http.StatusForbidden}
	}
	if cfg.Check != nil && !cfg.Check(f.Get("secret")) || cfg.Check == nil && !SecretEqual(f.Get("secret"), cfg.Secret) {
		return Message{}, &Error{Code: "sms.bad_secret", Field: "secret", Status: http.StatusForbidden}
	}
	gateway := cfg.Gateway
	if gateway == "" {
		gateway = GatewayFrontlineSMS
		for _, k := range []string{"sent_to", "sent_timestamp", "message_id", "device_id"} {
			if _, ok := f[k]; ok {
				gateway = GatewaySMSSync
				break
			}
		}
	}
	fromRaw := cleanText(f.Get("from"))
	if strings.TrimSpace(fromRaw) == "" {
		return Message{}, errBadRequest("sms.missing_field", "from", "")
	}
	text := strings.TrimSpace(cleanText(f.Get("message")))
	if text == "" {
		return Message{}, errBadRequest("sms.missing_field", "message", "")
	}
	m := Message{
		Channel:  ChannelSMS,
		FromRaw:  fromRaw,
		Text:     text,
		Gateway:  gateway,
		Received: now,
		At:       now,
		ID:       strings.TrimSpace(cleanText(f.Get("message_id"))),
	}
	if e, ok := NormalizePhone(fromRaw, cfg.DefaultCC); ok {
		m.From = e
	} else {
		m.From = cleanSender(fromRaw)
	}
	if m.From == "" {
		return Message{}, errBadRequest("sms.bad_sender", "from", "")
	}
	if to := cleanText(f.Get("sent_to")); strings.TrimSpace(to) != "" {
		m.ToRaw = to
		if e, ok := NormalizePhone(to, cfg.DefaultCC); ok {
			m.To = e
		} else {
			m.To = cleanSender(to)
		}
	}
	if at, ok := sentTimestamp(f.Get("sent_timestamp"), now); ok {
		m.At = at
	}
	return m, nil
}

// sentTimestamp reads SMSSync's milliseconds since the epoch. Values below
// 1e11 are taken as seconds (some forks send those; as milliseconds they would
// fall in 1973). A time before 2000 or more than a day ahead of now is a
// phone with a wrong clock: the report is kept, stamped with now instead.
func sentTimestamp(s string, now time.Time) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return time.Time{}, false
	}
	var t time.Time
	if n < 1e11 {
		t = time.Unix(n, 0)
	} else {
		t = time.UnixMilli(n)
	}
	t = t.UTC()
	if t.Year() < 2000 || t.After(now.Add(24*time.Hour)) {
		return time.Time{}, false
	}
	return t, true
}

// cleanText makes gateway text valid UTF-8 with \n line ends and no NULs.
func cleanText(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.ReplaceAll(s, "\x00", "")
}

// SecretEqual compares a presented secret with the configured one in time
// that does not depend on where they differ, nor on their lengths (both are
// hashed first). An empty configured secret never matches.
func SecretEqual(got, want string) bool {
	if want == "" {
		return false
	}
	g := sha256.Sum256([]byte(got))
	w := sha256.Sum256([]byte(want))
	return subtle.ConstantTimeCompare(g[:], w[:]) == 1
}

// smsReply is the JSON both SMSSync and FrontlineSMS read back.
type smsReply struct {
	Payload struct {
		Success bool    `json:"success"`
		Error   *string `json:"error"`
	} `json:"payload"`
}

// WriteSMSReply answers a gateway: with err nil, 200 and
// {"payload":{"success":true,"error":null}}; otherwise the *Error's status
// (500 for any other error) and success false with the error code, which
// SMSSync shows on the phone and retries on.
func WriteSMSReply(w http.ResponseWriter, err error) {
	var rep smsReply
	status := http.StatusOK
	rep.Payload.Success = err == nil
	if err != nil {
		code := "sms.internal"
		status = http.StatusInternalServerError
		var e *Error
		if errors.As(err, &e) {
			code, status = e.Code, e.Status
		}
		rep.Payload.Error = &code
	}
	b, _ := json.Marshal(rep)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
