package inbound

import (
	"fmt"
	"net/http"
	"time"
)

// Channel names how a message reached the node.
const (
	ChannelSMS   = "sms"
	ChannelEmail = "email"
)

// Gateway names, recorded in Message.Gateway so a coordinator can tell which
// path a report took (and which gateway to suspect when one misbehaves).
const (
	GatewaySMSSync      = "smssync"
	GatewayFrontlineSMS = "frontlinesms"
	GatewayEmailUpload  = "eml_upload"
	GatewayMailHook     = "mail_hook"
)

// Message is one inbound report, whatever channel carried it.
//
// From and To hold the E.164 form of a phone number when it could be
// normalised (or the e-mail address for mail); FromRaw and ToRaw keep exactly
// what the gateway sent, because alphanumeric senders and local numbers
// cannot always be normalised and a coordinator may need the original.
type Message struct {
	Channel  string    // ChannelSMS or ChannelEmail
	From     string    // E.164 phone number, cleaned sender, or e-mail address
	FromRaw  string    // the sender exactly as delivered
	FromName string    // display name of an e-mail sender, if any
	To       string    // E.164 number or address the message was sent to, if known
	ToRaw    string    // the recipient exactly as delivered
	Subject  string    // e-mail subject; empty for SMS
	Text     string    // the body as plain UTF-8 text
	At       time.Time // when it was sent, per the gateway or Date header; else Received
	Received time.Time // when this node parsed it
	Gateway  string    // one of the Gateway* names
	ID       string    // the gateway's message id (SMSSync message_id, Message-ID)
	Photos   []Attachment
	// Skipped lists attachments left out (too large, not an image, too many),
	// so the reporter can be told rather than the whole report being refused.
	Skipped []Skipped
}

// Attachment is an image carried by a message. ContentType is sniffed from
// the bytes, never taken from the sender's header.
type Attachment struct {
	Filename    string
	ContentType string // image/jpeg, image/png or image/webp
	Data        []byte
}

// Skipped names an attachment that was not kept and why, as a stable code
// ("email.photo_too_large", "email.not_an_image", "email.too_many_photos").
type Skipped struct {
	Filename string
	Code     string
	Size     int
}

// Error is a parse failure a gateway or a person will see. Code is stable
// (the module translates it); Field names the form field or header concerned;
// Status is the HTTP status the webhook should answer with.
type Error struct {
	Code   string
	Field  string
	Status int
	Detail string // a value or limit that helps explain the code; may be empty
}

// Error reports the code, field and detail for logs.
func (e *Error) Error() string {
	s := "inbound: " + e.Code
	if e.Field != "" {
		s += " (" + e.Field + ")"
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	return s
}

func errBadRequest(code, field, detail string) *Error {
	return &Error{Code: code, Field: field, Status: http.StatusBadRequest, Detail: detail}
}

func errTooLarge(code string, limit int64) *Error {
	return &Error{Code: code, Status: http.StatusRequestEntityTooLarge, Detail: fmt.Sprintf("limit %d bytes", limit)}
}
