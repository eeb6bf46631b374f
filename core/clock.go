package core

import "time"

// Clock tells the time. Tests pass a fixed or stepping clock; nothing else in
// Entente calls time.Now directly for decisions that matter.
type Clock interface {
	Now() time.Time
}

// SystemClock is the real clock, in UTC.
type SystemClock struct{}

// Now returns the current time in UTC.
func (SystemClock) Now() time.Time { return time.Now().UTC() }

// Page asks for one page of a list: at most Limit items after Cursor.
type Page struct {
	Cursor string
	Limit  int
}

// Normalize clamps Limit to [1, max], defaulting to def.
func (p Page) Normalize(def, max int) Page {
	if p.Limit <= 0 {
		p.Limit = def
	}
	if p.Limit > max {
		p.Limit = max
	}
	return p
}
