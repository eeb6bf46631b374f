package cybercrime

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"io"
	"slices"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/keys"
	"entente.example/entente/internal/ledger"
	"entente.example/entente/internal/store"
)

// PackageFormat names the evidence package's layout, so that a verifier
// knows what it reads.
const PackageFormat = "entente-evidence-package/1"

// The package's entries besides the files (under files/<sha256>).
const (
	pkgReadme   = "README.txt"
	pkgManifest = "manifest.json"
	pkgCustody  = "custody.json"
	pkgNodes    = "nodes.json"
	pkgLedger   = "ledger.json"
	pkgFiles    = "files/"
)

// PackageManifest is manifest.json: what the request was, and each file
// with its hash, size and where it is in the archive.
type PackageManifest struct {
	Format     string         `json:"format"`
	ExportedBy string         `json:"exported_by"` // the node's host
	ExportedAt time.Time      `json:"exported_at"`
	Request    PackageRequest `json:"request"`
	Files      []PackageFile  `json:"files"`
}

// PackageRequest is the request a package's evidence belongs to.
type PackageRequest struct {
	OriginID    string     `json:"origin_id"`
	Kind        Kind       `json:"kind"`
	Basis       string     `json:"basis"`
	From        string     `json:"from"`
	To          string     `json:"to"`
	FromCountry string     `json:"from_country"`
	ToCountry   string     `json:"to_country"`
	Reference   string     `json:"reference,omitempty"`
	SentAt      *time.Time `json:"sent_at,omitempty"`
}

// PackageFile is one file in a package.
type PackageFile struct {
	Evidence    string `json:"evidence"` // its origin id, as the custody statements name it
	Path        string `json:"path"`
	Name        string `json:"name"`
	SHA256      string `json:"sha256"`
	Size        int64  `json:"size"`
	ContentType string `json:"content_type"`
}

// PackageCustody is custody.json: every custody statement, from both
// nodes, as each node signed it.
type PackageCustody struct {
	Statements []json.RawMessage `json:"statements"`
}

// PackageLedger is ledger.json: for the statements the exporting node
// made, proof that each is an entry of its transparency log, against a
// checkpoint it signed at export. Anyone checks it offline with the node's
// key: the checkpoint's verifier key is derived from it.
type PackageLedger struct {
	Logs []PackageLog `json:"logs"`
}

// PackageLog is one node's log in ledger.json.
type PackageLog struct {
	Node        string         `json:"node"`
	VerifierKey string         `json:"verifier_key"` // the checkpoint's note verifier key
	Checkpoint  string         `json:"checkpoint"`   // the signed C2SP checkpoint
	Entries     []PackageEntry `json:"entries"`
}

// PackageEntry is one statement's place in a log: the leaf is
// "entente-ledger/v1\ncustody\n" and the statement's SHA-256.
type PackageEntry struct {
	Statement string       `json:"statement"` // its SHA-256, as custody chains name it
	Proof     ledger.Proof `json:"proof"`
}

// PackageNodes is nodes.json: each node's key as the exporting node
// verified it. A verifier should prefer keys it got from the nodes'
// operators themselves.
type PackageNodes struct {
	Nodes []PackageNode `json:"nodes"`
}

// PackageNode is one node of nodes.json.
type PackageNode struct {
	Host        string `json:"host"`
	Name        string `json:"name,omitempty"`
	SigningKey  []byte `json:"signing_key"` // Ed25519 public key, base64 in JSON
	Fingerprint string `json:"fingerprint"`
}

const packageReadme = `ENTENTE EVIDENCE PACKAGE

This archive holds the evidence files of one request for cooperation, and
the proof of what happened to each file from the moment it was uploaded.

  manifest.json  the request (who asked whom, of which kind, under which
                 legal basis) and, for each file, its SHA-256 hash, size,
                 name and where it is in this archive (files/<hash>)
  custody.json   the chain of custody: every event (created, sent,
                 received, opened, exported, handed over), each one a
                 statement signed with the Ed25519 key of the node where it
                 happened, naming who, when and where
  nodes.json     the public key of each node, as the exporting node knew it
  ledger.json    proof that each event the exporting node signed is an
                 entry of its transparency log (a checkpoint it signed at
                 export, and an inclusion proof for each event)
  files/         the files, each named by its SHA-256 hash

HOW TO VERIFY, offline, without access to either node:

  entente verify PACKAGE.zip --key HOST=FINGERPRINT --key HOST=FINGERPRINT

Ask each node's operator for its key fingerprint yourself (as the node's
operator reads it to you, spaces optional): the key in nodes.json must
match it, or the check fails naming the node. A node's base64 key given
with --key instead is used in place of nodes.json's. The report says which
key checked each node's statements. The check recomputes each file's
SHA-256 and compares it with the manifest and with the signed "created"
event; checks every statement's signature; and checks that each node's
statements on a file follow one another without a gap (each names the hash
of the one before). Any change to a file, to a statement or to the order of
events makes it fail, and it says what failed.

Without the entente program: a file's hash is "sha256sum files/<hash>"; a
statement is {"body": …, "signature": …} where the signature is Ed25519 over
the bytes "entente/cybercrime-custody/v1\n" followed by the body exactly as
it appears in custody.json.
`

// ExportPackage writes a request's evidence package as a ZIP to w, the
// files streamed from the blob store one after another (never whole in
// memory), after recording an "exported" custody event on each file. start
// is called once the package is sure to be written, before its first byte,
// so that the caller can send its headers.
func (s *Service) ExportPackage(ctx context.Context, id string, start func(name string), w io.Writer) error {
	if err := s.evidenceReady(); err != nil {
		return err
	}
	a := core.ActorFrom(ctx)
	r, err := s.readable(ctx, id)
	if err != nil {
		return err
	}
	files, err := s.EvidenceOf(ctx, r)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return errOp("package", core.KindNotFound, "err.cyb_evidence_none")
	}
	for _, f := range files {
		if !f.Stored {
			return errOp("package", core.KindConflict, "err.cyb_evidence_pending")
		}
	}
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		for _, f := range files {
			if _, err := s.custody(ctx, tx, f, Custody{Event: CustodyExported, Actor: a.Name, ActorAddr: r.mine()}); err != nil {
				return err
			}
			if err := s.tellCustody(ctx, tx, r, f); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, "cybercrime.evidence.export", "cyb_request", r.ID, r.OrgID, "")
	})
	if err != nil {
		return err
	}
	recs, err := s.custodyLog(ctx, r.From, r.OriginID)
	if err != nil {
		return err
	}
	m := PackageManifest{Format: PackageFormat, ExportedBy: s.fed.Host(), ExportedAt: s.db.Clock().Now().UTC(),
		Request: PackageRequest{OriginID: r.OriginID, Kind: r.Kind, Basis: r.Basis, From: r.From, To: r.To, FromCountry: r.FromCountry, ToCountry: r.ToCountry,
			Reference: r.Reference, SentAt: r.SentAt}}
	for _, f := range files {
		m.Files = append(m.Files, PackageFile{Evidence: f.OriginID, Path: pkgFiles + f.SHA256, Name: f.Name, SHA256: f.SHA256, Size: f.Size, ContentType: f.ContentType})
	}
	cust := PackageCustody{Statements: []json.RawMessage{}}
	var hosts []string
	for _, c := range recs {
		cust.Statements = append(cust.Statements, c.Statement)
		if !slices.Contains(hosts, c.Node) {
			hosts = append(hosts, c.Node)
		}
	}
	nodes := PackageNodes{Nodes: []PackageNode{}}
	for _, h := range hosts {
		key, err := s.ev.Fed.PeerKey(ctx, h)
		if err != nil {
			continue // the verifier will say that this node's statements have no key
		}
		n := PackageNode{Host: h, SigningKey: key, Fingerprint: keys.Fingerprint(key), Name: s.ev.NodeName}
		if h != s.fed.Host() {
			if p, err := s.ev.Fed.PeerByHost(ctx, h); err == nil {
				n.Name = p.Name
			}
		}
		nodes.Nodes = append(nodes.Nodes, n)
	}
	proofs, err := s.ledgerProofs(ctx, recs)
	if err != nil {
		return err
	}
	if start != nil {
		start("evidence-" + safeFileName(r.Reference, r.OriginID) + ".zip")
	}
	return writePackage(ctx, w, m, cust, nodes, proofs, func(sum string) (io.ReadCloser, error) {
		rc, _, err := s.ev.Blobs.Open(ctx, sum)
		return rc, err
	})
}

// ledgerProofs proves that this node's statements are in its log, against
// a checkpoint signed now (so that it covers the "exported" events just
// made).
func (s *Service) ledgerProofs(ctx context.Context, recs []CustodyRecord) (PackageLedger, error) {
	out := PackageLedger{Logs: []PackageLog{}}
	var rows []struct {
		Hash  string `db:"hash"`
		Index *int64 `db:"ledger_index"`
	}
	mine := map[string]bool{}
	for _, c := range recs {
		if c.Node == s.fed.Host() {
			mine[c.Hash] = true
		}
	}
	if len(mine) == 0 || len(recs) == 0 {
		return out, nil
	}
	if err := s.db.R().Select(ctx, &rows, `SELECT hash, ledger_index FROM cyb_custody WHERE request_from = ? AND request_origin = ? AND node = ? AND ledger_index IS NOT NULL ORDER BY ledger_index`,
		recs[0].RequestFrom, recs[0].Request, s.fed.Host()); err != nil {
		return out, core.Wrap("cybercrime: ledger proofs", err)
	}
	cp, err := s.ev.Ledger.Sign(ctx)
	if err != nil {
		return out, err
	}
	log := PackageLog{Node: s.fed.Host(), VerifierKey: s.ev.Ledger.VerifierKey(), Checkpoint: string(cp.Note)}
	for _, r := range rows {
		if !mine[r.Hash] || *r.Index >= cp.Size {
			continue
		}
		p, err := s.ev.Ledger.ProveInclusion(ctx, *r.Index, cp.Size)
		if err != nil {
			return out, err
		}
		hashes := make([]string, len(p))
		for i, h := range p {
			hashes[i] = base64.StdEncoding.EncodeToString(h[:])
		}
		log.Entries = append(log.Entries, PackageEntry{Statement: r.Hash, Proof: ledger.Proof{Index: *r.Index, Size: cp.Size, Hashes: hashes}})
	}
	out.Logs = append(out.Logs, log)
	return out, nil
}

// safeFileName is a download's name: the reference when it is plain, else
// the origin id.
func safeFileName(ref, fallback string) string {
	if ref == "" || len(ref) > 60 || strings.Trim(ref, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") != "" {
		return fallback
	}
	return ref
}

// writePackage writes the archive. Files are stored, not compressed:
// evidence is often compressed already, and deflating gigabytes would cost
// minutes of the node's CPU for little.
func writePackage(ctx context.Context, w io.Writer, m PackageManifest, c PackageCustody, n PackageNodes, l PackageLedger, open func(sum string) (io.ReadCloser, error)) error {
	zw := zip.NewWriter(w)
	put := func(name string, method uint16, b []byte) error {
		f, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: method, Modified: m.ExportedAt})
		if err != nil {
			return err
		}
		_, err = f.Write(b)
		return err
	}
	mb, _ := json.MarshalIndent(m, "", " ")
	// The statements go in as the bytes that were signed: re-encoding
	// (indenting, escaping) would break their signatures.
	raws := make([][]byte, len(c.Statements))
	for i, st := range c.Statements {
		raws[i] = st
	}
	cb := append(append([]byte("{\"statements\": [\n"), bytes.Join(raws, []byte(",\n"))...), "\n]}\n"...)
	nb, _ := json.MarshalIndent(n, "", " ")
	lb, _ := json.MarshalIndent(l, "", " ")
	for _, e := range []struct {
		name string
		b    []byte
	}{{pkgReadme, []byte(packageReadme)}, {pkgManifest, mb}, {pkgCustody, cb}, {pkgNodes, nb}, {pkgLedger, lb}} {
		if err := put(e.name, zip.Deflate, e.b); err != nil {
			return err
		}
	}
	for _, f := range m.Files {
		if err := ctx.Err(); err != nil {
			return err
		}
		rc, err := open(f.SHA256)
		if err != nil {
			return err
		}
		hw, err := zw.CreateHeader(&zip.FileHeader{Name: f.Path, Method: zip.Store, Modified: m.ExportedAt})
		if err == nil {
			_, err = io.Copy(hw, rc)
		}
		rc.Close()
		if err != nil {
			return err
		}
	}
	return zw.Close()
}

// nodeKeys reads the keys nodes.json gives.
func (n PackageNodes) keys() map[string]ed25519.PublicKey {
	out := map[string]ed25519.PublicKey{}
	for _, x := range n.Nodes {
		if len(x.SigningKey) == ed25519.PublicKeySize {
			out[x.Host] = x.SigningKey
		}
	}
	return out
}
