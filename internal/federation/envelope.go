package federation

import (
	"bytes"
	"crypto/ecdh"
	"crypto/hpke"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"entente.example/entente/core"
)

// Envelope is one message between nodes. Everything but the payload is in
// clear so the receiver can route and refuse before decrypting; the payload
// is sealed to the receiving node's HPKE key, with the clear fields bound into
// the seal so none can be changed in transit.
type Envelope struct {
	ID      string    `json:"id"`
	Type    string    `json:"type"`
	From    string    `json:"from"` // organisation handle @ node host
	To      string    `json:"to"`
	Created time.Time `json:"created"`
	TLP     core.TLP  `json:"tlp"`
	Sealed  []byte    `json:"sealed"` // HPKE encapsulated key || ciphertext
}

// The HPKE suite: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305.
var (
	kdf  = hpke.HKDFSHA256()
	aead = hpke.ChaCha20Poly1305()
)

// info binds the clear fields into the key schedule.
func (e Envelope) info() []byte {
	return []byte("entente-envelope/v1\n" + e.ID + "\n" + e.Type + "\n" + e.From + "\n" + e.To + "\n" + e.Created.UTC().Format(time.RFC3339Nano) + "\n" + string(e.TLP))
}

// Seal encrypts payload to the receiving node's X25519 public key.
func (e *Envelope) Seal(to *ecdh.PublicKey, payload []byte) error {
	pk, err := hpke.NewDHKEMPublicKey(to)
	if err != nil {
		return fmt.Errorf("federation: seal: %w", err)
	}
	e.Sealed, err = hpke.Seal(pk, kdf, aead, e.info(), payload)
	return err
}

// Open decrypts the payload with this node's key.
func (e Envelope) Open(k *ecdh.PrivateKey) ([]byte, error) {
	sk, err := hpke.NewDHKEMPrivateKey(k)
	if err != nil {
		return nil, fmt.Errorf("federation: open: %w", err)
	}
	p, err := hpke.Open(sk, kdf, aead, e.info(), e.Sealed)
	if err != nil {
		return nil, errors.New("federation: the payload does not open with this node's key, or the envelope was changed")
	}
	return p, nil
}

// Address splits "handle@host".
func Address(a string) (handle, host string, ok bool) {
	handle, host, ok = strings.Cut(a, "@")
	return handle, host, ok && handle != "" && host != "" && !strings.ContainsAny(a, " \t\r\n/")
}

// MaxEnvelope is the largest envelope a node accepts.
const MaxEnvelope = 4 << 20

// DecodeEnvelope parses an envelope strictly: unknown fields, trailing data,
// missing fields and malformed addresses are refused with the reason.
func DecodeEnvelope(b []byte) (Envelope, error) {
	var e Envelope
	if len(b) > MaxEnvelope {
		return e, errors.New("envelope: too large")
	}
	// A key twice would let the envelope mean one thing here and another to
	// a reader that keeps the first; NUL and bad UTF-8 would be stored by
	// SQLite and refused by PostgreSQL. All three are refused, for good.
	if err := core.CheckJSON(b); err != nil {
		return e, fmt.Errorf("envelope: %s", jsonReason(err))
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil {
		return e, fmt.Errorf("envelope: %w", err)
	}
	if dec.More() {
		return e, errors.New("envelope: trailing data")
	}
	switch {
	case !core.ValidID(e.ID):
		return e, errors.New("envelope: id: not a valid id")
	case e.Type == "" || len(e.Type) > 64 || strings.ContainsAny(e.Type, " \n"):
		return e, errors.New("envelope: type: missing or malformed")
	case e.Created.IsZero():
		return e, errors.New("envelope: created: missing")
	case len(e.Sealed) < 32:
		return e, errors.New("envelope: sealed: missing")
	}
	if _, _, ok := Address(e.From); !ok {
		return e, errors.New("envelope: from: want handle@host")
	}
	if _, _, ok := Address(e.To); !ok {
		return e, errors.New("envelope: to: want handle@host")
	}
	switch e.TLP {
	case core.TLPClear, core.TLPGreen, core.TLPAmber, core.TLPAmberStrict, core.TLPRed:
	default:
		return e, fmt.Errorf("envelope: tlp: %q is not a TLP 2.0 label", e.TLP)
	}
	return e, nil
}
