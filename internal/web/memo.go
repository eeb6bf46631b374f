package web

import (
	"sync"
	"time"
)

// Memo keeps values computed for a key for a while: figures a page computes
// by reading every record they count, which a page people reload, or that
// many open at once, should not pay each time. Concurrent asks for the same
// key wait for one computation; an error is not kept. The caller builds the
// key from everything the value depends on, the reader's scope included,
// and checks access on every call: Memo only remembers.
type Memo[T any] struct {
	ttl time.Duration
	max int
	now func() time.Time
	mu  sync.Mutex
	m   map[string]*memoEntry[T]
}

type memoEntry[T any] struct {
	done chan struct{}
	at   time.Time
	v    T
	err  error
}

// NewMemo returns a memo keeping values for ttl, at most max keys, with
// now telling the time (the store's clock, so tests can move it).
func NewMemo[T any](ttl time.Duration, max int, now func() time.Time) *Memo[T] {
	return &Memo[T]{ttl: ttl, max: max, now: now, m: map[string]*memoEntry[T]{}}
}

// Get returns the value for key, computed at most ttl ago, or computes it.
func (m *Memo[T]) Get(key string, compute func() (T, error)) (T, error) {
	now := m.now()
	m.mu.Lock()
	e, ok := m.m[key]
	if ok && e.at.Add(m.ttl).After(now) {
		m.mu.Unlock()
		<-e.done
		return e.v, e.err
	}
	if len(m.m) >= m.max {
		// Expired entries go first; if that is not enough, any do.
		for k, old := range m.m {
			if !old.at.Add(m.ttl).After(now) || len(m.m) >= m.max {
				delete(m.m, k)
			}
		}
	}
	e = &memoEntry[T]{done: make(chan struct{}), at: now}
	m.m[key] = e
	m.mu.Unlock()
	e.v, e.err = compute()
	if e.err != nil {
		m.mu.Lock()
		if m.m[key] == e {
			delete(m.m, key)
		}
		m.mu.Unlock()
	}
	close(e.done)
	return e.v, e.err
}
