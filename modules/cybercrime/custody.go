package cybercrime

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"entente.example/entente/core"
	"entente.example/entente/internal/federation"
)

// CustodyContext is the context string of custody statements' signatures,
// so that a custody statement's signature is never valid for another kind
// of document, nor another's for it.
const CustodyContext = "cybercrime-custody"

// The custody events: a file is created (uploaded), sent to the other
// side's node, received there (fetched and its hash checked), opened
// (downloaded by a person), exported (in an evidence package) and handed
// over (to a court or a third party, as a person records it).
const (
	CustodyCreated    = "created"
	CustodySent       = "sent"
	CustodyReceived   = "received"
	CustodyOpened     = "opened"
	CustodyExported   = "exported"
	CustodyHandedOver = "handed_over"
)

// CustodyEvents lists the events in the order of a file's life.
var CustodyEvents = []string{CustodyCreated, CustodySent, CustodyReceived, CustodyOpened, CustodyExported, CustodyHandedOver}

// Custody is one custody event as the acting node signs it. Each node
// chains its own statements on a file: Seq counts them from 1, Prev is the
// SHA-256 of the statement before (empty for the first), and After, when
// set, is the SHA-256 of the other node's latest statement this node knew
// of, which ties the two nodes' chains together.
type Custody struct {
	Request     string    `json:"request"`      // the request's origin id
	RequestFrom string    `json:"request_from"` // the requesting organisation's address
	Evidence    string    `json:"evidence"`     // the file's origin id
	SHA256      string    `json:"sha256"`
	Size        int64     `json:"size"`
	Name        string    `json:"name"`
	Seq         int       `json:"seq"`
	Event       string    `json:"event"`
	Actor       string    `json:"actor"`      // the person, or the node itself
	ActorAddr   string    `json:"actor_addr"` // the organisation acting
	Node        string    `json:"node"`       // the host whose key signs
	Place       string    `json:"place,omitempty"`
	To          string    `json:"to,omitempty"` // handed over to whom
	Note        string    `json:"note,omitempty"`
	At          time.Time `json:"at"`
	Prev        string    `json:"prev"`
	After       string    `json:"after,omitempty"`
}

// Limits on what a custody statement holds.
const (
	maxCustodyText = 500
	maxStatement   = 16 << 10
)

// CustodyRecord is a signed custody statement: its exact bytes, what they
// say, their SHA-256, and whether the signature was checked against the
// key this node (or the verifier) holds for the node that made it.
type CustodyRecord struct {
	Custody
	Statement json.RawMessage
	Hash      string
	Verified  bool
	Problem   string // why it did not verify
}

// StatementHash returns the hex SHA-256 of a statement's bytes, the link
// the next statement's Prev or After carries.
func StatementHash(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// ParseCustody reads a signed custody statement without checking its
// signature (the caller then checks it with the key of the node it names):
// it refuses keys given twice, unknown keys, NUL and invalid UTF-8, and a
// statement whose fields are out of shape.
func ParseCustody(b []byte) (Custody, error) {
	if len(b) > maxStatement {
		return Custody{}, errors.New("custody: statement too large")
	}
	if err := core.CheckJSON(b); err != nil {
		return Custody{}, fmt.Errorf("custody: %w", err)
	}
	var s struct {
		Body      json.RawMessage `json:"body"`
		Signature []byte          `json:"signature"`
	}
	if err := strictJSON(b, &s); err != nil {
		return Custody{}, fmt.Errorf("custody: %w", err)
	}
	if len(s.Signature) != ed25519.SignatureSize {
		return Custody{}, errors.New("custody: no Ed25519 signature")
	}
	var c Custody
	if err := strictJSON(s.Body, &c); err != nil {
		return Custody{}, fmt.Errorf("custody: %w", err)
	}
	return c, c.check()
}

// VerifyCustody checks a statement's signature with the key of the node
// it names and returns what it says.
func VerifyCustody(b []byte, pub ed25519.PublicKey) (Custody, error) {
	c, err := ParseCustody(b)
	if err != nil {
		return c, err
	}
	if _, err := federation.VerifyStatement(CustodyContext, b, pub); err != nil {
		return c, fmt.Errorf("custody: %s's statement %d on %s: the signature does not verify", c.Node, c.Seq, c.Name)
	}
	return c, nil
}

func strictJSON(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("data after the JSON value")
	}
	return nil
}

func hex64(s string) bool { return len(s) == 64 && strings.Trim(s, "0123456789abcdef") == "" }

// check holds a statement to the shape this node writes, so that what a
// peer sends is what a page can show and a store can keep on both engines.
func (c Custody) check() error {
	bad := func(what string) error { return fmt.Errorf("custody: %s", what) }
	switch {
	case !slices.Contains(CustodyEvents, c.Event):
		return fmt.Errorf("custody: unknown event %q", c.Event)
	case c.Request == "" || c.Evidence == "" || c.RequestFrom == "" || c.Node == "":
		return bad("request, evidence, request_from and node are required")
	case !hex64(c.SHA256):
		return bad("sha256 is not a hex SHA-256")
	case c.Size < 0:
		return bad("negative size")
	case c.Seq < 1:
		return bad("seq starts at 1")
	case c.Seq == 1 && c.Prev != "" || c.Seq > 1 && !hex64(c.Prev):
		return bad("prev must be empty for the first statement and a hex SHA-256 after")
	case c.After != "" && !hex64(c.After):
		return bad("after is not a hex SHA-256")
	case c.At.IsZero():
		return bad("no time")
	}
	for name, v := range map[string]string{"request": c.Request, "request_from": c.RequestFrom, "evidence": c.Evidence, "name": c.Name, "actor": c.Actor,
		"actor_addr": c.ActorAddr, "node": c.Node, "place": c.Place, "to": c.To, "note": c.Note} {
		if p := core.CheckText(v); p != "" {
			return bad(name + ": " + p)
		}
		if utf8.RuneCountInString(v) > maxCustodyText {
			return bad(name + " too long")
		}
	}
	return nil
}

// checkChains checks the links between statements: for each file and each
// node, seq runs 1, 2, 3… without a gap or a repeat, each Prev is the hash
// of the statement before, each After names a statement that is there, and
// every statement on a file agrees on its hash and size. It returns each
// problem in words.
func checkChains(recs []CustodyRecord) []string {
	var problems []string
	byHash := map[string]bool{}
	type chainKey struct{ evidence, node string }
	chains := map[chainKey][]CustodyRecord{}
	file := map[string]CustodyRecord{}
	for _, r := range recs {
		byHash[r.Hash] = true
		k := chainKey{r.Evidence, r.Node}
		chains[k] = append(chains[k], r)
		if f, ok := file[r.Evidence]; !ok {
			file[r.Evidence] = r
		} else if f.SHA256 != r.SHA256 || f.Size != r.Size {
			problems = append(problems, fmt.Sprintf("%s's statement %d on %s names another file (sha-256 %s) than an earlier one (%s)", r.Node, r.Seq, r.Name, r.SHA256, f.SHA256))
		}
	}
	keys := make([]chainKey, 0, len(chains))
	for k := range chains {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b chainKey) int { return strings.Compare(a.evidence+" "+a.node, b.evidence+" "+b.node) })
	for _, k := range keys {
		c := chains[k]
		slices.SortFunc(c, func(a, b CustodyRecord) int { return a.Seq - b.Seq })
		prev := ""
		for i, r := range c {
			if r.Seq != i+1 {
				problems = append(problems, fmt.Sprintf("%s's chain on %s: statement %d is missing or given twice (found %d)", k.node, r.Name, i+1, r.Seq))
				break
			}
			if r.Prev != prev {
				problems = append(problems, fmt.Sprintf("%s's chain on %s: statement %d does not follow statement %d (prev hash differs)", k.node, r.Name, r.Seq, r.Seq-1))
			}
			if r.After != "" && !byHash[r.After] {
				problems = append(problems, fmt.Sprintf("%s's statement %d on %s follows a statement that is not in the log", k.node, r.Seq, r.Name))
			}
			prev = r.Hash
		}
	}
	return problems
}
