package core

import (
	"errors"
	"fmt"
)

// Kind is the closed set of error categories. The web layer maps each to one HTTP
// status in one place, and the federation client maps statuses back.
type Kind string

// The kinds of error. The zero Kind is treated as KindInternal.
const (
	KindInvalid         Kind = "invalid"
	KindUnauthenticated Kind = "unauthenticated"
	KindForbidden       Kind = "forbidden"
	KindNotFound        Kind = "not_found"
	KindConflict        Kind = "conflict"
	KindTooLarge        Kind = "too_large"
	KindRateLimited     Kind = "rate_limited"
	KindUnavailable     Kind = "unavailable"
	KindInternal        Kind = "internal"
)

// Error is an error with a kind, a user-facing message key and optional
// per-field problems. Message and Fields hold message keys (translated by the web
// layer into the user's language), never internal details; Err holds the cause
// for the log.
type Error struct {
	Kind    Kind
	Op      string            // where it happened, for the log: "directory: create organisation"
	Message string            // message key shown to the user
	Fields  map[string]string // field name → message key
	Err     error             // underlying cause, logged, never shown
}

func (e *Error) Error() string {
	msg := string(e.Kind)
	if e.Message != "" {
		msg += ": " + e.Message
	}
	if e.Op != "" {
		msg = e.Op + ": " + msg
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// E builds an Error of the given kind with a user-facing message key.
func E(kind Kind, op, message string) *Error {
	return &Error{Kind: kind, Op: op, Message: message}
}

// Wrap builds an internal Error around err unless err already carries a kind, in
// which case it is returned with op prefixed to its trail.
func Wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	var ce *Error
	if errors.As(err, &ce) {
		return fmt.Errorf("%s: %w", op, err)
	}
	return &Error{Kind: KindInternal, Op: op, Err: err}
}

// KindOf returns the kind of err, KindInternal when it has none.
func KindOf(err error) Kind {
	var ce *Error
	if errors.As(err, &ce) && ce.Kind != "" {
		return ce.Kind
	}
	return KindInternal
}

// AsError returns the *Error in err's chain, or nil.
func AsError(err error) *Error {
	var ce *Error
	if errors.As(err, &ce) {
		return ce
	}
	return nil
}

// Problems collects per-field validation problems as message keys.
type Problems map[string]string

// Add records the first problem for field; later problems for the same field are
// dropped so the user sees one clear reason per field.
func (p Problems) Add(field, key string) {
	if _, ok := p[field]; !ok {
		p[field] = key
	}
}

// AddEntry records a problem with one entry of a list (an address among
// several), so the person is told which: the value is the key, a space and
// the entry, and the key's message takes the entry as its argument.
func (p Problems) AddEntry(field, key, entry string) {
	p.Add(field, key+" "+entry)
}

// Err returns nil when there are no problems, otherwise an invalid Error.
func (p Problems) Err(op string) error {
	if len(p) == 0 {
		return nil
	}
	return &Error{Kind: KindInvalid, Op: op, Message: "err.form", Fields: p}
}
