package correspondence

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/ledger"
)

// ReceiptCheck is what a recipient's signed receipt proves, checked by this
// node: the signature against the key it verified for the receiving node,
// and the entry against that node's public log.
type ReceiptCheck struct {
	Message   Message
	Recipient Recipient
	Raw       string // the receipt, as received
	// Statement is what the receipt says; read before any check, so the
	// page can say what a receipt that fails claims.
	Statement   federation.Receipt
	Peer        federation.Peer
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
// node's known key, for this envelope, and not contradicted by its log.
func (c ReceiptCheck) Verified() bool { return c.Signed && c.Problem != "receipt.err_proof" }

// NodeLabel names the receiving node: its name and host, or its host.
func (c ReceiptCheck) NodeLabel() string {
	if c.Peer.Name != "" && c.Peer.Name != c.Statement.Node {
		return "“" + c.Peer.Name + "” (" + c.Statement.Node + ")"
	}
	return c.Statement.Node
}

// receiptTimeout bounds the look-ups at the receiving node a page waits for.
const receiptTimeout = 5 * time.Second

// CheckReceipt returns the receipt of a message's recipient (its address,
// to) and what checking it found. The actor must be able to read the
// message; a message is not marked read by looking at its receipts.
func (s *Service) CheckReceipt(ctx context.Context, id, to string) (ReceiptCheck, error) {
	m, err := s.Read(ctx, id, false)
	if err != nil {
		return ReceiptCheck{}, err
	}
	c := ReceiptCheck{Message: m}
	found := false
	for _, r := range m.Recipients {
		if r.To == to && r.Receipt != "" {
			c.Recipient, c.Raw, found = r, r.Receipt, true
		}
	}
	if !found {
		return ReceiptCheck{}, &core.Error{Kind: core.KindNotFound, Op: "correspondence: receipt", Message: "err.not_found"}
	}
	ctx, cancel := context.WithTimeout(ctx, receiptTimeout)
	defer cancel()
	s.checkReceipt(ctx, &c)
	return c, nil
}

// checkReceipt fills in what the checks found; a failed check is a finding,
// not an error.
func (s *Service) checkReceipt(ctx context.Context, c *ReceiptCheck) {
	var env struct {
		Body json.RawMessage `json:"body"`
	}
	if json.Unmarshal([]byte(c.Raw), &env) != nil || json.Unmarshal(env.Body, &c.Statement) != nil {
		c.Problem = "receipt.err_format"
		return
	}
	host, err := federation.ReceiptNode([]byte(c.Raw))
	if err != nil {
		c.Problem, c.Detail = "receipt.err_format", err.Error()
		return
	}
	if _, rhost, _ := federation.Address(c.Recipient.To); rhost != host {
		c.Problem, c.Detail = "receipt.err_node", host
		return
	}
	c.Peer, err = s.fed.PeerByHost(ctx, host)
	if err != nil {
		c.Problem = "receipt.err_unknown_peer"
		return
	}
	if c.Peer.Status != federation.PeerVerified {
		c.Problem = "receipt.err_peer_unverified"
		return
	}
	c.Fingerprint = c.Peer.Fingerprint()
	rc, err := federation.OpenReceipt([]byte(c.Raw), c.Peer.SigningKey)
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
	if rc.Envelope != c.Recipient.EnvelopeID || rc.Node != host {
		c.Problem = "receipt.err_envelope"
		return
	}
	c.Signed = true
	s.checkInclusion(ctx, c, rc)
}

func (s *Service) openRotated(ctx context.Context, c *ReceiptCheck) (federation.Receipt, error) {
	b, err := s.fed.Get(ctx, c.Peer.Host, "/.well-known/entente")
	if err != nil {
		return federation.Receipt{}, errors.New("the signature does not verify with the node's key")
	}
	d, err := federation.OpenDescriptor(b)
	if err != nil || !bytes.Equal(d.SigningKey, c.Peer.SigningKey) {
		return federation.Receipt{}, errors.New("the signature does not verify with the node's key")
	}
	return federation.OpenReceiptOf([]byte(c.Raw), d)
}

// checkInclusion asks the receiving node for its signed checkpoint and a
// proof that the receipt's entry is in it. A node that cannot be reached
// leaves the receipt verified by its signature alone, and says so; a proof
// that fails means the log contradicts the receipt.
func (s *Service) checkInclusion(ctx context.Context, c *ReceiptCheck, rc federation.Receipt) {
	raw, err := s.fed.Get(ctx, c.Peer.Host, "/ledger/checkpoint")
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
	pb, err := s.fed.Get(ctx, c.Peer.Host, fmt.Sprintf("/ledger/proof/inclusion?index=%d&size=%d", rc.Index, cp.Size))
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
