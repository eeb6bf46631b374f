package federation

import (
	"bytes"
	"context"
	"crypto/ecdh"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/keys"
)

// signed is a JSON document with a detached signature over the exact bytes of
// its body, with a context string so a signature for one kind of document is
// never valid for another.
type signed struct {
	Body      json.RawMessage `json:"body"`
	Signature []byte          `json:"signature"`
}

func signJSON(context string, v any, key ed25519.PrivateKey) ([]byte, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return json.Marshal(signed{Body: body, Signature: ed25519.Sign(key, append([]byte("entente/"+context+"/v1\n"), body...))})
}

// openSigned checks the signature and returns the body. The body is parsed
// by the caller from the very bytes that were signed.
func openSigned(context string, b []byte, pub ed25519.PublicKey) (json.RawMessage, error) {
	s, err := decodeSigned(context, b)
	if err != nil {
		return nil, err
	}
	if len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, append([]byte("entente/"+context+"/v1\n"), s.Body...), s.Signature) {
		return nil, fmt.Errorf("%s: the signature does not verify", context)
	}
	return s.Body, nil
}

// VerifyStatement checks a statement against a known key and returns its
// body: for anyone holding a signed record (an adopted text, a nomination)
// and the signing node's key, without a running node.
func VerifyStatement(context string, b []byte, pub ed25519.PublicKey) (json.RawMessage, error) {
	return openSigned(context, b, pub)
}

// decodeSigned parses a signed document, refusing one that could mean two
// things: a key given twice (encoding/json keeps the last, another reader
// the first, so one signature would cover two meanings), a NUL or bytes that
// are not UTF-8.
func decodeSigned(context string, b []byte) (signed, error) {
	var s signed
	if err := core.CheckJSON(b); err != nil {
		return s, fmt.Errorf("%s: %s", context, jsonReason(err))
	}
	if err := json.Unmarshal(b, &s); err != nil {
		return s, fmt.Errorf("%s: %w", context, err)
	}
	return s, nil
}

// jsonReason says in words, for a peer's operator, what core.CheckJSON found.
func jsonReason(err error) string {
	p := core.AsJSONProblem(err)
	if p == nil {
		return err.Error()
	}
	what := map[string]string{
		core.ProblemDuplicate: "key given twice",
		core.ProblemNUL:       "NUL character",
		core.ProblemUTF8:      "not valid UTF-8",
	}[p.Problem]
	if what == "" {
		what = p.Problem
	}
	if p.Path == "" {
		return what
	}
	return p.Path + ": " + what
}

func strictUnmarshal(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// Descriptor is what a node says about itself at /.well-known/entente.
type Descriptor struct {
	Name       string    `json:"name"`
	Operator   string    `json:"operator"` // the operating organisation's handle
	Country    string    `json:"country,omitempty"`
	BaseURL    string    `json:"base_url"`
	Inbox      string    `json:"inbox"`
	Directory  string    `json:"directory"`
	Ledger     string    `json:"ledger"`
	SigningKey []byte    `json:"signing_key"` // Ed25519 public key
	HPKEKey    []byte    `json:"hpke_key"`    // X25519 public key, for DHKEM(X25519)
	LedgerKey  string    `json:"ledger_key"`  // note verifier key of the ledger's checkpoints
	Software   string    `json:"software"`
	Created    time.Time `json:"created"`
	// Rotations are the node's key rotation statements, oldest first, each
	// signed by the key it retires.
	Rotations []json.RawMessage `json:"rotations,omitempty"`
}

// Host is the node's name in addresses: the host (and port) of its base URL.
func (d Descriptor) Host() string {
	u, err := url.Parse(d.BaseURL)
	if err != nil {
		return ""
	}
	return u.Host
}

// OpenDescriptor parses a signed descriptor and checks that it is signed by
// the key it announces. That proves only self-consistency: trust comes from
// people comparing the fingerprint out of band.
func OpenDescriptor(b []byte) (Descriptor, error) {
	s, err := decodeSigned("descriptor", b)
	if err != nil {
		return Descriptor{}, err
	}
	var d Descriptor
	if err := strictUnmarshal(s.Body, &d); err != nil {
		return Descriptor{}, fmt.Errorf("descriptor: %w", err)
	}
	if len(d.SigningKey) != ed25519.PublicKeySize {
		return Descriptor{}, errors.New("descriptor: signing_key is not an Ed25519 key")
	}
	if _, err := ecdh.X25519().NewPublicKey(d.HPKEKey); err != nil {
		return Descriptor{}, errors.New("descriptor: hpke_key is not an X25519 key")
	}
	if _, err := openSigned("descriptor", b, d.SigningKey); err != nil {
		return Descriptor{}, err
	}
	if d.Host() == "" {
		return Descriptor{}, errors.New("descriptor: base_url is not a URL")
	}
	return d, nil
}

// Receipt is the receiving node's signed statement that it stored an
// envelope and recorded it in its ledger.
type Receipt struct {
	Envelope string    `json:"envelope"` // envelope id
	Digest   string    `json:"digest"`   // hex SHA-256 of the envelope bytes received
	Received time.Time `json:"received"`
	Index    int64     `json:"index"` // position in the receiver's ledger
	Node     string    `json:"node"`  // the receiver's host
	Kind     string    `json:"kind"`  // ledger entry kind
}

// OpenReceipt checks a receipt's signature with the receiving node's key.
func OpenReceipt(b []byte, pub ed25519.PublicKey) (Receipt, error) {
	body, err := openSigned("receipt", b, pub)
	if err != nil {
		return Receipt{}, err
	}
	var r Receipt
	if err := strictUnmarshal(body, &r); err != nil {
		return Receipt{}, fmt.Errorf("receipt: %w", err)
	}
	return r, nil
}

// ReceiptNode returns the node a receipt names, without checking its
// signature: the caller then fetches that node's key and checks it.
func ReceiptNode(b []byte) (string, error) {
	s, err := decodeSigned("receipt", b)
	if err != nil {
		return "", err
	}
	var r Receipt
	if err := strictUnmarshal(s.Body, &r); err != nil || r.Node == "" {
		return "", fmt.Errorf("receipt: not an Entente receipt")
	}
	return r.Node, nil
}

// SignStatement signs a document with this node's key, for records that must
// stay provable long after the request that carried them: a POC nomination
// (the digital note verbale), a version of a network's directory.
func (s *Service) SignStatement(context string, v any) ([]byte, error) {
	return signJSON(context, v, s.keys.Signing)
}

// OpenStatement checks a statement signed by the node host (this node, or a
// verified peer) and returns its body, parsed by the caller from the bytes
// that were signed, and the fingerprint of the key that signed it.
func (s *Service) OpenStatement(ctx context.Context, context string, b []byte, host string) (json.RawMessage, string, error) {
	pub := s.keys.Signing.Public().(ed25519.PublicKey)
	if host != s.host {
		p, err := s.PeerByHost(ctx, host)
		if err != nil {
			return nil, "", err
		}
		if p.Status != PeerVerified {
			return nil, "", fmt.Errorf("%s: peer %s is not verified", context, host)
		}
		pub = p.SigningKey
	}
	body, err := openSigned(context, b, pub)
	if err != nil {
		return nil, "", err
	}
	return body, keys.Fingerprint(pub), nil
}
