package ledger

import (
	"encoding/base64"
	"errors"
	"fmt"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// OpenCheckpoint checks a signed checkpoint against the log's verifier key and
// returns its contents. Everything about it comes from outside: a peer's
// answer, a file someone hands over.
func OpenCheckpoint(signed []byte, vkey string) (Checkpoint, error) {
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return Checkpoint{}, fmt.Errorf("ledger: verifier key: %w", err)
	}
	n, err := note.Open(signed, note.VerifierList(v))
	if err != nil {
		return Checkpoint{}, fmt.Errorf("ledger: checkpoint signature: %w", err)
	}
	origin, size, root, err := ParseBody(n.Text)
	if err != nil {
		return Checkpoint{}, err
	}
	if origin != v.Name() {
		return Checkpoint{}, fmt.Errorf("ledger: checkpoint origin %q, want %q", origin, v.Name())
	}
	return Checkpoint{Size: size, Root: root, Note: signed}, nil
}

func decodeHashes(in []string) ([]tlog.Hash, error) {
	if len(in) > 64 {
		return nil, errors.New("ledger: proof too long")
	}
	out := make([]tlog.Hash, len(in))
	for i, s := range in {
		b, err := base64.StdEncoding.DecodeString(s)
		if err != nil || len(b) != tlog.HashSize {
			return nil, fmt.Errorf("ledger: proof hash %d is not a base64 SHA-256", i)
		}
		copy(out[i][:], b)
	}
	return out, nil
}

// VerifyInclusion checks that the entry of kind and digest is at index in the
// tree of the checkpoint.
func VerifyInclusion(cp Checkpoint, index int64, kind, digestHex string, p Proof) error {
	if p.Size != cp.Size || p.Index != index {
		return errors.New("ledger: the proof is for another tree or entry")
	}
	hs, err := decodeHashes(p.Hashes)
	if err != nil {
		return err
	}
	if err := tlog.CheckRecord(hs, cp.Size, cp.Root, index, tlog.RecordHash(LeafData(kind, digestHex))); err != nil {
		return fmt.Errorf("ledger: entry %d is not in the tree of size %d: %w", index, cp.Size, err)
	}
	return nil
}

// VerifyConsistency checks that the tree of old is a prefix of the tree of cp:
// the log did not rewrite history between the two.
func VerifyConsistency(old, cp Checkpoint, p Proof) error {
	if p.Size != cp.Size || p.Old != old.Size {
		return errors.New("ledger: the proof is for other trees")
	}
	hs, err := decodeHashes(p.Hashes)
	if err != nil {
		return err
	}
	if err := tlog.CheckTree(hs, cp.Size, cp.Root, old.Size, old.Root); err != nil {
		return fmt.Errorf("ledger: checkpoints of size %d and %d are inconsistent: %w", old.Size, cp.Size, err)
	}
	return nil
}
