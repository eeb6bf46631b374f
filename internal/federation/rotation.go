package federation

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/keys"
	"entente.example/entente/internal/store"
)

// Key rotation: a node that replaces its signing key announces the new key in
// a statement signed by the old one, and keeps every such statement in its
// descriptor. A peer that trusted the old key follows the chain to the new
// key and stays verified; a new key without an unbroken chain from the one a
// peer verified is not taken on trust: the peer goes back to pending until
// people compare fingerprints again.

// Rotation says that the node's signing key Old is replaced by New.
type Rotation struct {
	Old []byte    `json:"old"`
	New []byte    `json:"new"`
	At  time.Time `json:"at"`
}

const rotationsFile = "rotations.json"

// LoadRotations reads the node's signed rotation statements, oldest first.
func LoadRotations(dataDir string) ([]json.RawMessage, error) {
	b, err := os.ReadFile(filepath.Join(dataDir, "keys", rotationsFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []json.RawMessage
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("keys: %s: %w", rotationsFile, err)
	}
	return out, nil
}

// RotateKey replaces the node's signing key with a new one and records the
// statement, signed by the old key, that announces it. The node must be
// stopped; it presents the new key and the statement when it starts.
func RotateKey(dataDir string, now time.Time) (old, new ed25519.PublicKey, err error) {
	k, _, err := keys.LoadOrCreate(dataDir)
	if err != nil {
		return nil, nil, err
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	old, new = k.Signing.Public().(ed25519.PublicKey), priv.Public().(ed25519.PublicKey)
	st, err := signJSON("rotation", Rotation{Old: old, New: new, At: now.UTC()}, k.Signing)
	if err != nil {
		return nil, nil, err
	}
	list, err := LoadRotations(dataDir)
	if err != nil {
		return nil, nil, err
	}
	list = append(list, st)
	b, err := json.Marshal(list)
	if err != nil {
		return nil, nil, err
	}
	// The statement is written before the key changes: a crash in between
	// leaves a statement for a key nobody uses, never a key nobody announced.
	tmp := filepath.Join(dataDir, "keys", rotationsFile+".tmp")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return nil, nil, err
	}
	if err := os.Rename(tmp, filepath.Join(dataDir, "keys", rotationsFile)); err != nil {
		return nil, nil, err
	}
	if err := keys.ReplaceSigning(dataDir, priv, now); err != nil {
		return nil, nil, err
	}
	return old, new, nil
}

// followRotations walks the statements from the key a peer trusted to the key
// its descriptor now shows, each statement verified with the key before it.
func followRotations(trusted, current []byte, statements []json.RawMessage) bool {
	key := trusted
	for range statements {
		if bytes.Equal(key, current) {
			return true
		}
		advanced := false
		for _, st := range statements {
			body, err := openSigned("rotation", st, key)
			if err != nil {
				continue
			}
			var r Rotation
			if strictUnmarshal(body, &r) != nil || !bytes.Equal(r.Old, key) || len(r.New) != ed25519.PublicKeySize {
				continue
			}
			key, advanced = r.New, true
			break
		}
		if !advanced {
			return false
		}
	}
	return bytes.Equal(key, current)
}

// KnownKeys returns every signing key a descriptor's rotation chain names,
// for checking receipts signed before a rotation.
func KnownKeys(d Descriptor) [][]byte {
	keys := [][]byte{d.SigningKey}
	for _, st := range d.Rotations {
		var s signed
		var r Rotation
		if json.Unmarshal(st, &s) == nil && strictUnmarshal(s.Body, &r) == nil {
			keys = append(keys, r.Old)
		}
	}
	return keys
}

// RefreshPeer fetches a known peer's descriptor again and takes what changed:
// new encryption and ledger keys under the same signing key; a new signing key
// only through a chain of rotation statements from the key that was verified.
// Anything else sends the peer back to pending.
func (s *Service) RefreshPeer(ctx context.Context, p Peer) error {
	b, err := s.fetch(ctx, p.BaseURL+"/.well-known/entente", false)
	if err != nil {
		return fmt.Errorf("federation: descriptor of %s: %w", p.Host, err)
	}
	d, err := OpenDescriptor(b)
	if err != nil || d.Host() != p.Host {
		return fmt.Errorf("federation: descriptor of %s: not valid (%v)", p.Host, err)
	}
	same := bytes.Equal(d.SigningKey, p.SigningKey)
	if same && bytes.Equal(d.HPKEKey, p.HPKEKey) && d.LedgerKey == p.LedgerKey {
		return nil
	}
	status, action := p.Status, "federation.peer.keys_updated"
	if !same {
		if followRotations(p.SigningKey, d.SigningKey, d.Rotations) {
			action = "federation.peer.key_rotated"
		} else {
			status, action = PeerPending, "federation.peer.key_unannounced"
		}
	}
	ctx = core.WithActor(ctx, core.Actor{Name: "federation"})
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE peers SET signing_key = ?, hpke_key = ?, ledger_key = ?, descriptor = ?, status = ?, updated_at = ? WHERE id = ?`,
			d.SigningKey, d.HPKEKey, d.LedgerKey, string(b), status, tx.Now, p.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, action, "peer", p.ID, "", p.Host+" "+keys.Fingerprint(d.SigningKey))
	})
}

// refreshPeers re-reads every non-pending peer's descriptor.
func (s *Service) refreshPeers(ctx context.Context) {
	ps, err := s.Peers(ctx)
	if err != nil {
		return
	}
	for _, p := range ps {
		if p.Status == PeerPending {
			continue
		}
		if err := s.RefreshPeer(ctx, p); err != nil {
			s.log.Debug("federation: refresh peer", "peer", p.Host, "err", err)
		}
	}
}
