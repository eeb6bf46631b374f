package incidents

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"

	"golang.org/x/mod/sumdb/note"

	"entente.example/entente/core"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/keys"
	"entente.example/entente/internal/ledger"
)

// maxBundle bounds what a verifier or a peer's publication may hold.
const maxBundle = 4 << 20

// BundleReport is what VerifyBundle found, in lines a person reads, and
// each failure named.
type BundleReport struct {
	Text     Text
	Lines    []string
	Failures []string
	// Signers are the co-signatures that verified, in the bundle's order.
	Signers []Cosign
}

// OK reports whether nothing failed.
func (r BundleReport) OK() bool { return len(r.Failures) == 0 }

func (r *BundleReport) say(format string, args ...any) {
	r.Lines = append(r.Lines, fmt.Sprintf(format, args...))
}

func (r *BundleReport) fail(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	r.Failures = append(r.Failures, msg)
	r.Lines = append(r.Lines, "FAILED: "+msg)
}

// IsBundle reports whether b is a statement bundle, by its format field.
func IsBundle(b []byte) bool {
	var v struct {
		Format string `json:"format"`
	}
	return json.Unmarshal(b, &v) == nil && v.Format == BundleFormat
}

// ParseBundle reads a bundle strictly: no key twice, no unknown field, no
// NUL, valid UTF-8, bounded.
func ParseBundle(b []byte) (StatementBundle, error) {
	var bu StatementBundle
	if len(b) > maxBundle {
		return bu, errors.New("the bundle is larger than 4 MiB")
	}
	if err := core.CheckJSON(b); err != nil {
		return bu, fmt.Errorf("the bundle is not clean JSON: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&bu); err != nil {
		return bu, fmt.Errorf("the bundle cannot be read: %v", err)
	}
	if bu.Format != BundleFormat {
		return bu, fmt.Errorf("format %q, not %q", bu.Format, BundleFormat)
	}
	return bu, nil
}

// VerifyBundle checks a published statement offline: the text against its
// SHA-256; the initiator's signed publication (with the initiator node's
// key) and that it names the same text; each co-signature against the key
// of the node that made it, over that same hash, by an organisation of
// that node; each ledger proof against a checkpoint signed with that
// node's key; and that the publication's list and the bundle's signatures
// are the same, one for one. given keys (by host) are used before those in
// the bundle's nodes.
func VerifyBundle(b []byte, given map[string]ed25519.PublicKey) BundleReport {
	return VerifyBundlePinned(b, keys.PinKeys(given))
}

// VerifyBundlePinned is VerifyBundle with each node's key given as a pin: a
// key, used instead of the bundle's, or a fingerprint, which the bundle's
// key for that node must have.
func VerifyBundlePinned(b []byte, given keys.Pins) BundleReport {
	var rep BundleReport
	bu, err := ParseBundle(b)
	if err != nil {
		rep.fail("%v", err)
		return rep
	}
	keyOf := bundleKeys(&rep, bu.Nodes, given)
	// The signed documents were made compact (encoding/json): a bundle
	// pretty-printed by a reader's tool is compacted back before checking.
	bu.Publication = compact(bu.Publication)
	for i := range bu.Signatures {
		bu.Signatures[i].Statement = compact(bu.Signatures[i].Statement)
	}

	text := []byte(bu.Text)
	sum := TextHash(text)
	// What was signed is checked against the hash the bundle names. When
	// the text no longer matches it, that is the root cause, said first;
	// the signatures over the original are then said once to be so, not
	// each reported as over another text, missing or removed — a
	// signature really removed or forged is still reported.
	signed, changedAt := sum, -1
	if sum != bu.SHA256 {
		rep.fail("the text's SHA-256 is %s, the bundle says %s: the text was changed", sum, bu.SHA256)
		signed, changedAt = bu.SHA256, len(rep.Failures)
	}
	t, err := ParseText(text)
	if err != nil {
		rep.fail("text: %v", err)
	}
	rep.Text = t
	rep.say("Statement %q by %s, attributing to %s; text SHA-256 %s.", t.Title, t.Initiator, t.Actor, sum)
	_, initHost, _ := federation.Address(t.Initiator)

	// The publication, signed by the initiator's node.
	var pub Publication
	pubKey := keyOf[initHost]
	switch body, err := federation.VerifyStatement(PublishContext, bu.Publication, pubKey); {
	case pubKey == nil:
		rep.fail("publication: no key for the initiator's node %s", initHost)
	case err != nil:
		rep.fail("publication: the signature does not verify with the key of %s", initHost)
	case strictDecode(body, &pub) != nil:
		rep.fail("publication: cannot be read")
	case pub.Statement != signed || pub.Initiator != t.Initiator || pub.Origin != t.Origin:
		rep.fail("publication: it names another text (%s) than the bundle's (%s)", pub.Statement, signed)
	default:
		rep.say("Published %s by %s, signed by its node %s.", pub.PublishedAt.UTC().Format("2 January 2006 15:04 MST"), pub.Initiator, initHost)
		if bu.PubLedger == nil {
			rep.fail("publication: no ledger proof")
		} else if err := verifyProof(*bu.PubLedger, initHost, keyOf[initHost], ledger.KindPublished, ledger.Digest(bu.Publication)); err != nil {
			rep.fail("publication: %v", err)
		} else {
			rep.say("  in the ledger of %s, entry %d", initHost, bu.PubLedger.Index)
		}
	}

	// The co-signatures.
	seen := map[string]bool{}
	for i, s := range bu.Signatures {
		what := fmt.Sprintf("signature %d (%s)", i+1, s.Signer)
		key := keyOf[s.Node]
		if key == nil {
			rep.fail("%s: no key for node %s", what, s.Node)
			continue
		}
		body, err := federation.VerifyStatement(CosignContext, s.Statement, key)
		if err != nil {
			rep.fail("%s: the signature does not verify with the key of %s", what, s.Node)
			continue
		}
		var c Cosign
		if err := strictDecode(body, &c); err != nil {
			rep.fail("%s: cannot be read", what)
			continue
		}
		_, host, _ := federation.Address(c.Signer)
		switch {
		case c.Statement != signed:
			rep.fail("%s: signed another text (%s), not this one", what, c.Statement)
			continue
		case c.Signer != s.Signer || c.Node != s.Node || host != s.Node:
			// A node speaks only for its own organisations.
			rep.fail("%s: signed by node %s for %s, which is not one of its organisations", what, c.Node, c.Signer)
			continue
		case seen[c.Signer]:
			rep.fail("%s: %s signs twice", what, c.Signer)
			continue
		}
		seen[c.Signer] = true
		line := fmt.Sprintf("Signed by %s (%s, %s) on node %s at %s, key %s", c.Name, c.Signer, c.Country, c.Node, c.SignedAt.UTC().Format("2006-01-02 15:04:05Z"), keys.Fingerprint(key))
		if s.Ledger == nil {
			rep.fail("%s: no ledger proof", what)
		} else if err := verifyProof(*s.Ledger, s.Node, key, ledger.KindCosign, ledger.Digest(s.Statement)); err != nil {
			rep.fail("%s: %v", what, err)
		} else {
			line += fmt.Sprintf("; entry %d of its ledger", s.Ledger.Index)
		}
		rep.say("%s", line)
		if !slices.ContainsFunc(pub.Signatures, func(l Listed) bool { return l.Signer == c.Signer && l.Digest == ledger.Digest(s.Statement) }) {
			rep.fail("%s: the publication does not list it", what)
			continue
		}
		rep.Signers = append(rep.Signers, c)
	}
	for _, l := range pub.Signatures {
		if !seen[l.Signer] {
			rep.fail("the publication lists the signature of %s, which the bundle does not hold (removed?)", l.Signer)
		}
	}
	if !seen[t.Initiator] && t.Initiator != "" {
		rep.fail("the initiator %s has not signed", t.Initiator)
	}
	if changedAt >= 0 && (pub.Statement == signed || len(seen) > 0) {
		// Right after the root cause, before what else failed.
		msg := "the signatures sign the original text, not this one"
		rep.Failures = slices.Insert(rep.Failures, changedAt, msg)
		rep.Lines = append(rep.Lines, "FAILED: "+msg)
	}
	rep.say("%d signature(s).", len(rep.Signers))
	return rep
}

// bundleKeys picks each node's key: the one given on the command line,
// else the bundle's, said so, and checked when its fingerprint was given.
func bundleKeys(rep *BundleReport, nodes []BundleNode, given keys.Pins) map[string]ed25519.PublicKey {
	inBundle := map[string]ed25519.PublicKey{}
	for _, n := range nodes {
		if len(n.SigningKey) == ed25519.PublicKeySize {
			inBundle[n.Host] = n.SigningKey
		}
	}
	hosts := slices.Sorted(maps.Keys(inBundle))
	for h := range given {
		if _, ok := inBundle[h]; !ok {
			hosts = append(hosts, h)
		}
	}
	slices.Sort(hosts)
	out := map[string]ed25519.PublicKey{}
	for _, h := range hosts {
		pin, ok := given[h]
		bk, inB := inBundle[h]
		switch {
		case ok && pin.Key == nil && !inB:
			rep.fail("node %s: you gave its key's fingerprint (%s), but the bundle holds no key for it", h, pin.Shown())
		case ok && pin.Key == nil && !pin.Matches(bk):
			// Its signatures are still checked with it, so the report
			// says what else holds; the bundle does not verify.
			out[h] = bk
			rep.fail("node %s: the key in the bundle (%s) does not match the fingerprint you were given (%s)", h, keys.Fingerprint(bk), pin.Shown())
		case ok && pin.Key == nil:
			out[h] = bk
			rep.say("Node %s: key from the bundle (%s), checked against the fingerprint you gave.", h, keys.Fingerprint(bk))
		case ok:
			out[h] = pin.Key
			rep.say("Node %s: key given on the command line (%s).", h, keys.Fingerprint(pin.Key))
		default:
			out[h] = bk
			rep.say("Node %s: key from the bundle (%s); give --key %s=FINGERPRINT (as the node's operator reads it to you) to check it.", h, keys.Fingerprint(bk), h)
		}
	}
	return out
}

// verifyProof checks that the entry (kind, digest) is in the log of host,
// against a checkpoint signed with that node's own key.
func verifyProof(p LedgerProof, host string, key ed25519.PublicKey, kind, digest string) error {
	want, err := note.NewEd25519VerifierKey(host, key)
	if err != nil || want != p.VerifierKey {
		return fmt.Errorf("the ledger of %s is not signed with that node's key", host)
	}
	cp, err := ledger.OpenCheckpoint([]byte(p.Checkpoint), p.VerifierKey)
	if err != nil {
		return fmt.Errorf("the checkpoint of %s does not verify", host)
	}
	if err := ledger.VerifyInclusion(cp, p.Index, kind, digest, ledger.Proof{Index: p.Index, Size: p.Size, Hashes: p.Hashes}); err != nil {
		return fmt.Errorf("not in the ledger of %s: %v", host, err)
	}
	return nil
}

func strictDecode(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

func compact(b json.RawMessage) json.RawMessage {
	var buf bytes.Buffer
	if json.Compact(&buf, b) != nil {
		return b
	}
	return buf.Bytes()
}
