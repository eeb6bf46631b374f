package core

import (
	"crypto/rand"
	"encoding/binary"
	"strings"
	"sync"
	"time"
)

// crockford is the Crockford base32 alphabet: no I, L, O or U, so IDs read aloud
// or copied by hand are not mistaken.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

var (
	idMu   sync.Mutex
	idLast [16]byte
)

// NewID returns a 26-character identifier that sorts by creation time (48 bits of
// milliseconds) followed by 80 random bits. Sortable IDs let cursor pagination
// use the primary key on both SQLite and PostgreSQL. Within one millisecond the
// process increments the random part instead of drawing a new one, so IDs made
// one after the other also sort in the order they were made (newest-first
// lists such as the audit trail depend on it).
func NewID(now time.Time) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(now.UnixMilli())<<16)
	idMu.Lock()
	if [6]byte(b[:6]) == [6]byte(idLast[:6]) {
		b = idLast
		for i := 15; i >= 6; i-- { // add one to the 80-bit random part
			b[i]++
			if b[i] != 0 {
				break
			}
		}
	} else {
		rand.Read(b[6:])
	}
	idLast = b
	idMu.Unlock()
	// Encode 128 bits as 26 base32 digits, most significant first.
	hi := binary.BigEndian.Uint64(b[:8])
	lo := binary.BigEndian.Uint64(b[8:])
	var out [26]byte
	for i := 25; i >= 0; i-- {
		out[i] = crockford[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	return string(out[:])
}

// ValidID reports whether s has the shape of an ID made by NewID.
func ValidID(s string) bool {
	if len(s) != 26 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !strings.ContainsRune(crockford, rune(s[i])) {
			return false
		}
	}
	return s[0] <= '7' // 128 bits in 130: the first digit carries only 3 bits
}

// IDTime returns when an ID made by NewID was made (to the millisecond).
func IDTime(s string) (time.Time, error) {
	if !ValidID(s) {
		return time.Time{}, E(KindInvalid, "core: id time", "err.form")
	}
	// The first digit carries 3 bits and the next nine 5 each: the 48
	// bits of milliseconds.
	var v uint64
	for i := 0; i < 10; i++ {
		v = v<<5 | uint64(strings.IndexByte(crockford, s[i]))
	}
	return time.UnixMilli(int64(v)).UTC(), nil
}
