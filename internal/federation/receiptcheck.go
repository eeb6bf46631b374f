package federation

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"entente.example/entente/internal/ledger"
)

// ReceiptCheck is what a peer's signed receipt proves, checked by this node:
// the signature against the key it verified for the receiving node, and the
// entry against that node's public log. Every module that shows a receipt
// (a message's, a request's) shows this.
type ReceiptCheck struct {
	Raw string // the receipt, as received
	// Statement is what the receipt says; read before any check, so the
	// page can say what a receipt that fails claims.
	Statement   Receipt
	Peer        Peer
	Fingerprint string // of the key the receipt was checked with
	Signed      bool   // the signature verifies with the receiving node's key
	Included    bool   // an inclusion proof from its log verifies against its signed checkpoint
	Checkpoint  int64  // the size of that checkpoint
	// Problem is the message key of why the receipt is not verified, or,
	// when Signed, why its inclusion could not be checked; Detail says more.
	Problem string
	Detail  string
}

// Verified reports whether the receipt checks: signed by the receiving
// node's known key, for this envelope, and not contradicted by its log. A
// log whose checkpoint does not verify with the node's known key contradicts
// as much as a failed proof does; a node out of reach contradicts nothing.
func (c ReceiptCheck) Verified() bool {
	return c.Signed && c.Problem != "receipt.err_proof" && c.Problem != "receipt.err_checkpoint"
}

// NodeLabel names the receiving node: its name and host, or its host.
func (c ReceiptCheck) NodeLabel() string {
	if c.Peer.Name != "" && c.Peer.Name != c.Statement.Node {
		return "“" + c.Peer.Name + "” (" + c.Statement.Node + ")"
	}
	return c.Statement.Node
}

// receiptTimeout bounds the look-ups at the receiving node a page waits for.
const receiptTimeout = 5 * time.Second

// CheckReceipt checks raw, the receipt host's node gave for the envelope
// envelopeID. A failed check is a finding in the result, not an error.
func (s *Service) CheckReceipt(ctx context.Context, raw, envelopeID, host string) ReceiptCheck {
	ctx, cancel := context.WithTimeout(ctx, receiptTimeout)
	defer cancel()
	c := ReceiptCheck{Raw: raw}
	s.checkReceipt(ctx, &c, envelopeID, host)
	return c
}

func (s *Service) checkReceipt(ctx context.Context, c *ReceiptCheck, envelopeID, want string) {
	var env struct {
		Body json.RawMessage `json:"body"`
	}
	if json.Unmarshal([]byte(c.Raw), &env) != nil || json.Unmarshal(env.Body, &c.Statement) != nil {
		c.Problem = "receipt.err_format"
		return
	}
	host, err := ReceiptNode([]byte(c.Raw))
	if err != nil {
		c.Problem, c.Detail = "receipt.err_format", err.Error()
		return
	}
	if host != want {
		c.Problem, c.Detail = "receipt.err_node", host
		return
	}
	c.Peer, err = s.PeerByHost(ctx, host)
	if err != nil {
		c.Problem = "receipt.err_unknown_peer"
		return
	}
	if c.Peer.Status != PeerVerified {
		c.Problem = "receipt.err_peer_unverified"
		return
	}
	c.Fingerprint = c.Peer.Fingerprint()
	rc, err := OpenReceipt([]byte(c.Raw), c.Peer.SigningKey)
	if err != nil {
		// Signed before the node rotated its key: its descriptor, signed by
		// the key this node verified, proves the older key was its own.
		rc, err = s.openRotated(ctx, c)
	}
	if err != nil {
		c.Problem, c.Detail = "receipt.err_signature", err.Error()
		return
	}
	c.Statement = rc
	if rc.Envelope != envelopeID || rc.Node != host {
		c.Problem = "receipt.err_envelope"
		return
	}
	c.Signed = true
	s.checkInclusion(ctx, c, rc)
}

func (s *Service) openRotated(ctx context.Context, c *ReceiptCheck) (Receipt, error) {
	b, err := s.Get(ctx, c.Peer.Host, "/.well-known/entente")
	if err != nil {
		return Receipt{}, errors.New("the signature does not verify with the node's key")
	}
	d, err := OpenDescriptor(b)
	if err != nil || !bytes.Equal(d.SigningKey, c.Peer.SigningKey) {
		return Receipt{}, errors.New("the signature does not verify with the node's key")
	}
	return OpenReceiptOf([]byte(c.Raw), d)
}

// checkInclusion asks the receiving node for its signed checkpoint and a
// proof that the receipt's entry is in it. A node that cannot be reached
// leaves the receipt verified by its signature alone, and says so; a proof
// that fails means the log contradicts the receipt.
func (s *Service) checkInclusion(ctx context.Context, c *ReceiptCheck, rc Receipt) {
	raw, err := s.Get(ctx, c.Peer.Host, "/ledger/checkpoint")
	if err != nil {
		c.Problem, c.Detail = "receipt.unreachable", err.Error()
		return
	}
	cp, err := ledger.OpenCheckpoint(raw, c.Peer.LedgerKey)
	if err != nil {
		c.Problem, c.Detail = "receipt.err_checkpoint", err.Error()
		return
	}
	c.Checkpoint = cp.Size
	if rc.Index >= cp.Size {
		c.Problem = "receipt.pending"
		return
	}
	pb, err := s.Get(ctx, c.Peer.Host, fmt.Sprintf("/ledger/proof/inclusion?index=%d&size=%d", rc.Index, cp.Size))
	if err != nil {
		c.Problem, c.Detail = "receipt.unreachable", err.Error()
		return
	}
	var p ledger.Proof
	if err := json.Unmarshal(pb, &p); err != nil {
		c.Problem, c.Detail = "receipt.err_proof", err.Error()
		return
	}
	if err := ledger.VerifyInclusion(cp, rc.Index, rc.Kind, rc.Digest, p); err != nil {
		c.Problem, c.Detail = "receipt.err_proof", err.Error()
		return
	}
	c.Included = true
}

// ReceiptFile is the receipt as a file anyone can check with `entente
// verify`: the signed receipt with the receiving node's base URL beside it
// (not signed: verify checks that the node there is the one the receipt
// names, and its key).
func ReceiptFile(raw, nodeURL string) []byte {
	raw = strings.TrimSpace(raw)
	if nodeURL == "" || !strings.HasSuffix(raw, "}") {
		return []byte(raw + "\n")
	}
	u, _ := json.Marshal(nodeURL)
	return []byte(raw[:len(raw)-1] + `,"node_url":` + string(u) + "}\n")
}
