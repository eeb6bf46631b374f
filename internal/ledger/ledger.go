package ledger

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"entente.example/entente/core"
	"entente.example/entente/internal/store"
)

//go:embed schema/*.sql
var schemaFS embed.FS

// Migrations returns the ledger's schema.
func Migrations() store.Migrations { return store.Embedded("ledger", schemaFS) }

// Kinds of entries.
const (
	KindSent         = "sent"
	KindReceived     = "received"
	KindReceipt      = "receipt"
	KindAcknowledged = "acknowledged"
	KindPublished    = "published"
	KindNomination   = "nomination"
	KindObjection    = "objection"
	KindAdoption     = "adoption"
	KindCustody      = "custody" // a custody event on an evidence file, signed by this node
	KindCosign       = "cosign"  // this node's co-signature of a joint statement's text
)

// LeafData is the bytes of a log entry: a version line, the kind and the hex
// digest. Anyone holding a receipt can rebuild it and check its inclusion.
func LeafData(kind, digestHex string) []byte {
	return []byte("entente-ledger/v1\n" + kind + "\n" + digestHex + "\n")
}

// Digest returns the hex SHA-256 of b, the form digests take in the log.
func Digest(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// Log is one node's ledger.
type Log struct {
	db     *store.DB
	origin string // the checkpoint's origin line, and the note key name
	key    ed25519.PrivateKey
	signer note.Signer
	vkey   string
	mu     sync.Mutex // serialises checkpoint signing in this process
}

// New returns the log of the node named origin (its host, e.g.
// "entente.kemlu.go.id"), signing checkpoints with key.
func New(db *store.DB, origin string, key ed25519.PrivateKey) (*Log, error) {
	if origin == "" || strings.ContainsAny(origin, "+ \t\n") {
		return nil, fmt.Errorf("ledger: origin %q: must be non-empty without spaces or '+'", origin)
	}
	pub := key.Public().(ed25519.PublicKey)
	vkey, err := note.NewEd25519VerifierKey(origin, pub)
	if err != nil {
		return nil, fmt.Errorf("ledger: %w", err)
	}
	return &Log{db: db, origin: origin, key: key, signer: ed25519Signer{name: origin, key: key}, vkey: vkey}, nil
}

// Origin returns the checkpoint origin.
func (l *Log) Origin() string { return l.origin }

// VerifierKey returns the note verifier key of this log's checkpoints.
func (l *Log) VerifierKey() string { return l.vkey }

// ed25519Signer signs notes with the node's key (note.NewSigner wants the key
// in its own text form; the node keeps a PKCS#8 file).
type ed25519Signer struct {
	name string
	key  ed25519.PrivateKey
}

func (s ed25519Signer) Name() string { return s.name }

// KeyHash follows the note format: the first four bytes of
// SHA-256(name || "\n" || 0x01 || public key).
func (s ed25519Signer) KeyHash() uint32 {
	h := sha256.New()
	h.Write([]byte(s.name + "\n"))
	h.Write([]byte{1})
	h.Write(s.key.Public().(ed25519.PublicKey))
	return binary.BigEndian.Uint32(h.Sum(nil))
}

func (s ed25519Signer) Sign(msg []byte) ([]byte, error) { return ed25519.Sign(s.key, msg), nil }

// lockKey serialises appends across PostgreSQL replicas for the length of the
// appending transaction; SQLite's single writer does the same there.
const lockKey = 7436111

// hashReader reads stored hashes inside a transaction or from the reader pool.
type hashReader struct {
	ctx context.Context
	q   store.Conn
}

func (r hashReader) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	if len(indexes) == 0 {
		return out, nil
	}
	// Small batches: tlog asks for a handful of hashes per call.
	args := make([]any, len(indexes))
	marks := make([]string, len(indexes))
	for i, ix := range indexes {
		args[i], marks[i] = ix, "?"
	}
	var rows []struct {
		ID   int64  `db:"id"`
		Hash []byte `db:"hash"`
	}
	if err := r.q.Select(r.ctx, &rows, `SELECT id, hash FROM ledger_hashes WHERE id IN (`+strings.Join(marks, ",")+`)`, args...); err != nil {
		return nil, err
	}
	byID := make(map[int64][]byte, len(rows))
	for _, row := range rows {
		byID[row.ID] = row.Hash
	}
	for i, ix := range indexes {
		h, ok := byID[ix]
		if !ok || len(h) != tlog.HashSize {
			return nil, fmt.Errorf("ledger: stored hash %d missing", ix)
		}
		copy(out[i][:], h)
	}
	return out, nil
}

// Entry is one record to append.
type Entry struct {
	Kind   string
	Ref    string // private: what the entry is about (an envelope id), kept in this node's database only
	Digest string // hex SHA-256 of the record
}

// Append adds entries to the log inside tx and returns the index of each. It
// runs in the caller's transaction so an entry exists exactly when the change
// it records does.
func (l *Log) Append(ctx context.Context, tx *store.Tx, entries ...Entry) ([]int64, error) {
	if len(entries) == 0 {
		return nil, nil
	}
	if tx.Engine() == store.Postgres {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(?)`, lockKey); err != nil {
			return nil, core.Wrap("ledger: lock", err)
		}
	}
	var n int64
	if err := tx.Get(ctx, &n, `SELECT COALESCE(MAX(idx) + 1, 0) FROM ledger_entries`); err != nil {
		return nil, core.Wrap("ledger: size", err)
	}
	hr := hashReader{ctx: ctx, q: tx.Conn}
	out := make([]int64, len(entries))
	for i, e := range entries {
		if _, err := hex.DecodeString(e.Digest); err != nil || len(e.Digest) != 64 {
			return nil, fmt.Errorf("ledger: digest %q is not a hex SHA-256", e.Digest)
		}
		hashes, err := tlog.StoredHashes(n, LeafData(e.Kind, e.Digest), hr)
		if err != nil {
			return nil, fmt.Errorf("ledger: hashes: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO ledger_entries (idx, kind, ref, digest, created_at) VALUES (?, ?, ?, ?, ?)`, n, e.Kind, e.Ref, e.Digest, tx.Now); err != nil {
			return nil, core.Wrap("ledger: append", err)
		}
		base := tlog.StoredHashIndex(0, n)
		for j, h := range hashes {
			if _, err := tx.Exec(ctx, `INSERT INTO ledger_hashes (id, hash) VALUES (?, ?)`, base+int64(j), h[:]); err != nil {
				return nil, core.Wrap("ledger: append", err)
			}
		}
		out[i] = n
		n++
	}
	return out, nil
}

// Size returns the number of entries.
func (l *Log) Size(ctx context.Context) (int64, error) {
	var n int64
	err := l.db.R().Get(ctx, &n, `SELECT COALESCE(MAX(idx) + 1, 0) FROM ledger_entries`)
	return n, core.Wrap("ledger: size", err)
}

// Checkpoint is a signed statement of the log's size and root.
type Checkpoint struct {
	Size int64
	Root tlog.Hash
	Note []byte // the signed note, as served
}

// Body returns the C2SP checkpoint body for an origin, size and root.
func Body(origin string, size int64, root tlog.Hash) string {
	return origin + "\n" + strconv.FormatInt(size, 10) + "\n" + base64.StdEncoding.EncodeToString(root[:]) + "\n"
}

// ParseBody reads a C2SP checkpoint body.
func ParseBody(text string) (origin string, size int64, root tlog.Hash, err error) {
	lines := strings.SplitN(text, "\n", 4)
	if len(lines) < 4 {
		return "", 0, root, errors.New("ledger: checkpoint: want origin, size and root lines")
	}
	origin = lines[0]
	size, err = strconv.ParseInt(lines[1], 10, 64)
	if err != nil || size < 0 || strconv.FormatInt(size, 10) != lines[1] {
		return "", 0, root, fmt.Errorf("ledger: checkpoint: bad size %q", lines[1])
	}
	b, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(b) != tlog.HashSize {
		return "", 0, root, fmt.Errorf("ledger: checkpoint: bad root hash %q", lines[2])
	}
	copy(root[:], b)
	if origin == "" {
		return "", 0, root, errors.New("ledger: checkpoint: empty origin")
	}
	return origin, size, root, nil
}

// Sign signs a checkpoint of the current tree unless the latest checkpoint
// already covers it, and returns the latest checkpoint either way.
func (l *Log) Sign(ctx context.Context) (Checkpoint, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	size, err := l.Size(ctx)
	if err != nil {
		return Checkpoint{}, err
	}
	latest, err := l.Latest(ctx)
	if err == nil && latest.Size >= size {
		if _, verr := OpenCheckpoint(latest.Note, l.vkey); verr == nil {
			return latest, nil
		}
		// Signed with a key this node has since rotated away: sign the same
		// tree again with the current one, so peers holding the new key can
		// check it without waiting for the log to grow.
	}
	if err != nil && core.KindOf(err) != core.KindNotFound {
		return Checkpoint{}, err
	}
	root, err := tlog.TreeHash(size, hashReader{ctx: ctx, q: l.db.R()})
	if err != nil {
		return Checkpoint{}, fmt.Errorf("ledger: tree hash: %w", err)
	}
	signed, err := SignCheckpoint(l.origin, l.key, size, root)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("ledger: sign: %w", err)
	}
	cp := Checkpoint{Size: size, Root: root, Note: signed}
	err = l.db.WithTx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO ledger_checkpoints (size, root, note, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (size) DO UPDATE SET note = excluded.note`, size, root[:], string(signed), tx.Now)
		return err
	})
	return cp, core.Wrap("ledger: store checkpoint", err)
}

// Latest returns the newest signed checkpoint.
func (l *Log) Latest(ctx context.Context) (Checkpoint, error) {
	var row struct {
		Size int64  `db:"size"`
		Root []byte `db:"root"`
		Note string `db:"note"`
	}
	if err := l.db.R().Get(ctx, &row, `SELECT size, root, note FROM ledger_checkpoints ORDER BY size DESC LIMIT 1`); err != nil {
		return Checkpoint{}, core.Wrap("ledger: latest checkpoint", err)
	}
	cp := Checkpoint{Size: row.Size, Note: []byte(row.Note)}
	copy(cp.Root[:], row.Root)
	return cp, nil
}

// Run signs a checkpoint every interval while the log grows, until ctx ends.
func (l *Log) Run(ctx context.Context, interval time.Duration, onErr func(error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := l.Sign(ctx); err != nil && ctx.Err() == nil {
			onErr(err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Reader returns a tlog.HashReader over the stored tree.
func (l *Log) Reader(ctx context.Context) tlog.HashReader { return hashReader{ctx: ctx, q: l.db.R()} }

// ProveInclusion returns the proof that entry index is in the tree of size.
func (l *Log) ProveInclusion(ctx context.Context, index, size int64) (tlog.RecordProof, error) {
	if index < 0 || index >= size {
		return nil, &core.Error{Kind: core.KindInvalid, Message: "err.form", Fields: core.Problems{"index": "err.ledger_index"}}
	}
	return tlog.ProveRecord(size, index, l.Reader(ctx))
}

// ProveConsistency returns the proof that the tree of size old is a prefix of
// the tree of size size.
func (l *Log) ProveConsistency(ctx context.Context, old, size int64) (tlog.TreeProof, error) {
	if old < 0 || old > size {
		return nil, &core.Error{Kind: core.KindInvalid, Message: "err.form", Fields: core.Problems{"old": "err.ledger_index"}}
	}
	return tlog.ProveTree(size, old, l.Reader(ctx))
}

// Entries returns the leaf data of entries [start, end).
func (l *Log) Entries(ctx context.Context, start, end int64) ([][]byte, error) {
	var rows []struct {
		Kind   string `db:"kind"`
		Digest string `db:"digest"`
	}
	if err := l.db.R().Select(ctx, &rows, `SELECT kind, digest FROM ledger_entries WHERE idx >= ? AND idx < ? ORDER BY idx`, start, end); err != nil {
		return nil, core.Wrap("ledger: entries", err)
	}
	out := make([][]byte, len(rows))
	for i, r := range rows {
		out[i] = LeafData(r.Kind, r.Digest)
	}
	return out, nil
}

// SignCheckpoint signs a C2SP checkpoint of a tree as the log named origin.
func SignCheckpoint(origin string, key ed25519.PrivateKey, size int64, root tlog.Hash) ([]byte, error) {
	return note.Sign(&note.Note{Text: Body(origin, size, root)}, ed25519Signer{name: origin, key: key})
}
