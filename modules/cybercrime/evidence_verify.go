package cybercrime

import (
	"archive/zip"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"entente.example/entente/internal/keys"
	"entente.example/entente/internal/ledger"
)

// maxPackageJSON bounds what a verifier reads of a package's JSON entries.
const maxPackageJSON = 32 << 20

// PackageReport is what VerifyPackage found: what it checked, in lines a
// person reads, and each failure.
type PackageReport struct {
	Lines    []string
	Failures []string
}

// OK reports whether nothing failed.
func (r PackageReport) OK() bool { return len(r.Failures) == 0 }

func (r *PackageReport) say(format string, args ...any) {
	r.Lines = append(r.Lines, fmt.Sprintf(format, args...))
}

func (r *PackageReport) fail(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	r.Failures = append(r.Failures, msg)
	r.Lines = append(r.Lines, "FAILED: "+msg)
}

// IsPackage reports whether a ZIP archive is an evidence package, by its
// content: a manifest.json of the package's format.
func IsPackage(ra io.ReaderAt, size int64) bool {
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return false
	}
	for _, f := range zr.File {
		if f.Name == pkgManifest {
			b, err := readEntry(f, maxPackageJSON)
			if err != nil {
				return false
			}
			var m struct {
				Format string `json:"format"`
			}
			return json.Unmarshal(b, &m) == nil && m.Format == PackageFormat
		}
	}
	return false
}

func readEntry(f *zip.File, limit int64) ([]byte, error) {
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(io.LimitReader(rc, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes", f.Name, limit)
	}
	return b, nil
}

// VerifyPackage checks an evidence package offline: each file's SHA-256
// and size against the manifest, each custody statement's signature
// against the key of the node that made it (given keys, by host, before
// those of nodes.json), each node's chain on each file, that each file has
// a signed "created" event naming its hash, and that the manifest, the
// statements and the files agree. It needs no node and no network.
func VerifyPackage(ra io.ReaderAt, size int64, given map[string]ed25519.PublicKey) PackageReport {
	return VerifyPackagePinned(ra, size, keys.PinKeys(given))
}

// VerifyPackagePinned is VerifyPackage with each node's key given as a pin:
// a key, used instead of nodes.json's, or a fingerprint, which nodes.json's
// key for that node must have.
func VerifyPackagePinned(ra io.ReaderAt, size int64, given keys.Pins) PackageReport {
	var rep PackageReport
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		rep.fail("not a ZIP archive: %v", err)
		return rep
	}
	entries := map[string]*zip.File{}
	for _, f := range zr.File {
		if entries[f.Name] != nil {
			rep.fail("the archive holds %q twice", f.Name)
			return rep
		}
		entries[f.Name] = f
	}
	var m PackageManifest
	var cust PackageCustody
	var nodes PackageNodes
	for _, e := range []struct {
		name string
		v    any
	}{{pkgManifest, &m}, {pkgCustody, &cust}, {pkgNodes, &nodes}} {
		f := entries[e.name]
		if f == nil {
			rep.fail("%s is missing", e.name)
			return rep
		}
		b, err := readEntry(f, maxPackageJSON)
		if err == nil {
			err = strictJSON(b, e.v)
		}
		if err != nil {
			rep.fail("%s cannot be read: %v", e.name, err)
			return rep
		}
	}
	var logs PackageLedger
	if f := entries[pkgLedger]; f != nil {
		b, err := readEntry(f, maxPackageJSON)
		if err == nil {
			err = strictJSON(b, &logs)
		}
		if err != nil {
			rep.fail("%s cannot be read: %v", pkgLedger, err)
			return rep
		}
	}
	if m.Format != PackageFormat {
		rep.fail("manifest.json: format %q, not %q", m.Format, PackageFormat)
		return rep
	}
	rep.say("Request %s: %s from %s (%s) to %s (%s) under %s; package made by %s at %s.", m.Request.OriginID, m.Request.Kind, m.Request.From, m.Request.FromCountry,
		m.Request.To, m.Request.ToCountry, m.Request.Basis, m.ExportedBy, m.ExportedAt.UTC().Format("2 January 2006 15:04 MST"))

	// Keys: the verifier's own first.
	inPackage := nodes.keys()
	keyOf := map[string]ed25519.PublicKey{}
	hosts := map[string]bool{}
	for h := range inPackage {
		hosts[h] = true
	}
	for h := range given {
		hosts[h] = true
	}
	for _, h := range sortedKeys(hosts) {
		pin, ok := given[h]
		pk, inPkg := inPackage[h]
		switch {
		case ok && pin.Key == nil && !inPkg:
			rep.fail("node %s: you gave its key's fingerprint (%s), but nodes.json holds no key for it", h, pin.Shown())
		case ok && pin.Key == nil && !pin.Matches(pk):
			// Its statements are still checked with it, so the report
			// says what else holds; the package does not verify.
			keyOf[h] = pk
			rep.fail("node %s: the key in nodes.json (%s) does not match the fingerprint you were given (%s)", h, keys.Fingerprint(pk), pin.Shown())
		case ok && pin.Key == nil:
			keyOf[h] = pk
			rep.say("Node %s: key from nodes.json (%s), checked against the fingerprint you gave.", h, keys.Fingerprint(pk))
		case ok:
			keyOf[h] = pin.Key
			if inPkg && !pk.Equal(pin.Key) {
				rep.say("Node %s: key given on the command line (%s); nodes.json gives another key (%s), not used.", h, keys.Fingerprint(pin.Key), keys.Fingerprint(pk))
			} else {
				rep.say("Node %s: key given on the command line (%s).", h, keys.Fingerprint(pin.Key))
			}
		default:
			keyOf[h] = inPackage[h]
			rep.say("Node %s: key from nodes.json (%s), as the exporting node knew it; give --key %s=FINGERPRINT (as the node's operator reads it to you) to check it.", h, keys.Fingerprint(inPackage[h]), h)
		}
	}

	// Statements.
	_, fromHost, _ := strings.Cut(m.Request.From, "@")
	_, toHost, _ := strings.Cut(m.Request.To, "@")
	var recs []CustodyRecord
	for i, raw := range cust.Statements {
		c, err := ParseCustody(raw)
		if err != nil {
			rep.fail("custody statement %d: %v", i+1, err)
			continue
		}
		key := keyOf[c.Node]
		if key == nil {
			rep.fail("custody statement %d (%s on %s by node %s): no key for that node", i+1, c.Event, c.Name, c.Node)
			continue
		}
		if _, err := VerifyCustody(raw, key); err != nil {
			rep.fail("custody statement %d (%s on %s by node %s): the signature does not verify with that node's key", i+1, c.Event, c.Name, c.Node)
			continue
		}
		if c.Request != m.Request.OriginID || c.RequestFrom != m.Request.From {
			rep.fail("custody statement %d (%s on %s by node %s) is about another request", i+1, c.Event, c.Name, c.Node)
			continue
		}
		if c.Node != fromHost && c.Node != toHost {
			// Only the two sides' nodes hold the files: a statement by any
			// other, signed with a key that came in nodes.json, is made up.
			rep.fail("custody statement %d (%s on %s by node %s): that node is neither side of the request", i+1, c.Event, c.Name, c.Node)
			continue
		}
		recs = append(recs, CustodyRecord{Custody: c, Statement: raw, Hash: StatementHash(raw), Verified: true})
	}
	for _, p := range checkChains(recs) {
		rep.fail("%s", p)
	}
	inLog := verifyLedger(&rep, logs, recs, keyOf)

	// Files.
	listed := map[string]bool{pkgReadme: true, pkgManifest: true, pkgCustody: true, pkgNodes: true, pkgLedger: true}
	inManifest := map[string]bool{}
	for _, f := range m.Files {
		inManifest[f.Evidence] = true
		listed[f.Path] = true
		rep.say("")
		rep.say("File %q (%s, %d bytes, sha-256 %s):", f.Name, f.ContentType, f.Size, f.SHA256)
		if f.Path != pkgFiles+f.SHA256 {
			rep.fail("%q: its path in the archive is %q, not files/ and its hash", f.Name, f.Path)
		}
		verifyFileBytes(&rep, f, entries[f.Path])
		var created bool
		var events []CustodyRecord
		for _, c := range recs {
			if c.Evidence != f.Evidence {
				continue
			}
			events = append(events, c)
			if c.SHA256 != f.SHA256 || c.Size != f.Size {
				rep.fail("%q: %s's statement %d names sha-256 %s and %d bytes, the manifest %s and %d bytes", f.Name, c.Node, c.Seq, c.SHA256, c.Size, f.SHA256, f.Size)
			}
			created = created || c.Event == CustodyCreated
		}
		if !created {
			rep.fail("%q: no signed \"created\" event", f.Name)
		}
		sort.SliceStable(events, func(i, j int) bool { return events[i].At.Before(events[j].At) })
		for _, c := range events {
			line := custodyLine(c.Custody)
			if where, ok := inLog[c.Hash]; ok {
				line += "; " + where
			}
			rep.say("  %s  %s", c.At.UTC().Format("2006-01-02 15:04:05Z"), line)
		}
	}
	for _, c := range recs {
		if !inManifest[c.Evidence] {
			rep.fail("%s's statement %d names a file (%s) that the manifest does not list", c.Node, c.Seq, c.Name)
		}
	}
	for name := range entries {
		if !listed[name] && !strings.HasSuffix(name, "/") {
			rep.fail("the archive holds %q, which the manifest does not list", name)
		}
	}
	rep.say("")
	rep.say("%d file(s), %d custody statement(s) signed by %d node(s).", len(m.Files), len(recs), len(keyOf))
	return rep
}

func verifyFileBytes(rep *PackageReport, f PackageFile, zf *zip.File) {
	if zf == nil {
		rep.fail("%q: not in the archive (%s)", f.Name, f.Path)
		return
	}
	rc, err := zf.Open()
	if err != nil {
		rep.fail("%q: cannot be read: %v", f.Name, err)
		return
	}
	defer rc.Close()
	h := sha256.New()
	n, err := io.Copy(h, rc)
	// archive/zip checks the entry's CRC-32 at its end: a changed byte in
	// the archive fails here too, but the hash is what proves the file.
	if err != nil && !errors.Is(err, zip.ErrChecksum) {
		rep.fail("%q: cannot be read: %v", f.Name, err)
		return
	}
	sum := hex.EncodeToString(h.Sum(nil))
	switch {
	case sum != f.SHA256:
		rep.fail("%q: its SHA-256 is %s, the manifest says %s: the file was changed", f.Name, sum, f.SHA256)
	case n != f.Size:
		rep.fail("%q: %d bytes, the manifest says %d", f.Name, n, f.Size)
	default:
		rep.say("  bytes: SHA-256 matches the manifest and the signed statements")
	}
}

// custodyLine says a custody event in plain English, for the verifier's
// report (pages say it in the reader's language).
func custodyLine(c Custody) string {
	who := c.Actor
	if c.ActorAddr != "" {
		who += " (" + c.ActorAddr + ")"
	}
	s := map[string]string{
		CustodyCreated:    "created (uploaded) by " + who,
		CustodySent:       "sent by " + who + " to " + c.To,
		CustodyReceived:   "received, its hash checked, by " + who,
		CustodyOpened:     "opened by " + who,
		CustodyExported:   "exported in a package by " + who,
		CustodyHandedOver: "handed over by " + who + " to " + c.To,
	}[c.Event]
	if c.Place != "" {
		s += ", at " + c.Place
	}
	if c.Note != "" {
		s += " (" + c.Note + ")"
	}
	return s + " — on node " + c.Node + ", signature verified"
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// verifyLedger checks ledger.json: each log's checkpoint verifies with a
// key derived from the node's own (so it needs no other trust), each entry
// is included in that checkpoint's tree, and every statement of a node
// whose log is given is among its entries. It returns, by statement hash,
// where in which log it is.
func verifyLedger(rep *PackageReport, logs PackageLedger, recs []CustodyRecord, keyOf map[string]ed25519.PublicKey) map[string]string {
	where := map[string]string{}
	byHash := map[string]CustodyRecord{}
	for _, c := range recs {
		byHash[c.Hash] = c
	}
	for _, lg := range logs.Logs {
		key := keyOf[lg.Node]
		if key == nil {
			rep.fail("ledger.json: no key for node %s", lg.Node)
			continue
		}
		want, err := note.NewEd25519VerifierKey(lg.Node, key)
		if err != nil || want != lg.VerifierKey {
			rep.fail("ledger.json: the log of %s is not signed with that node's key", lg.Node)
			continue
		}
		cp, err := ledger.OpenCheckpoint([]byte(lg.Checkpoint), lg.VerifierKey)
		if err != nil {
			rep.fail("ledger.json: the checkpoint of %s does not verify: %v", lg.Node, err)
			continue
		}
		rep.say("Ledger of %s: checkpoint of %d entries, signed with that node's key.", lg.Node, cp.Size)
		for _, e := range lg.Entries {
			c, ok := byHash[e.Statement]
			if !ok || c.Node != lg.Node {
				rep.fail("ledger.json: an entry of %s's log names a statement of that node that custody.json does not hold", lg.Node)
				continue
			}
			if err := ledger.VerifyInclusion(cp, e.Proof.Index, ledger.KindCustody, e.Statement, e.Proof); err != nil {
				rep.fail("%s's statement %d on %s: not in its ledger: %v", c.Node, c.Seq, c.Name, err)
				continue
			}
			where[e.Statement] = fmt.Sprintf("entry %d of its ledger", e.Proof.Index)
		}
		for _, c := range recs {
			if c.Node == lg.Node && where[c.Hash] == "" {
				rep.fail("%s's statement %d on %s (%s) is not among its ledger's entries", c.Node, c.Seq, c.Name, c.Event)
			}
		}
	}
	return where
}
