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
	// A statement left by a rotation that crashed before the key changed
	// announces a key nobody uses: drop it.
	for len(list) > 0 {
		var s signed
		var r Rotation
		if json.Unmarshal(list[len(list)-1], &s) != nil || strictUnmarshal(s.Body, &r) != nil || !bytes.Equal(r.Old, old) {
			break
		}
		list = list[:len(list)-1]
	}
	if len(list) >= maxRotations {
		return nil, nil, fmt.Errorf("keys: %d rotations already; peers accept at most %d", len(list), maxRotations)
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

// maxRotations bounds the statements a descriptor may carry, and so the work
// of walking them.
const maxRotations = 64

// rotationsByOld indexes the statements that verify with the key they name
// as retired.
func rotationsByOld(statements []json.RawMessage) map[string][]Rotation {
	out := map[string][]Rotation{}
	if len(statements) > maxRotations {
		return out
	}
	for _, st := range statements {
		var s signed
		var r Rotation
		if json.Unmarshal(st, &s) != nil || strictUnmarshal(s.Body, &r) != nil || len(r.New) != ed25519.PublicKeySize {
			continue
		}
		if _, err := openSigned("rotation", st, r.Old); err != nil {
			continue
		}
		out[string(r.Old)] = append(out[string(r.Old)], r)
	}
	return out
}

// followRotations reports whether the statements lead, each signed by the
// key before it, from the key a peer trusted to the key it now shows. It
// searches every path: a statement for a rotation that never happened does
// not hide one that did.
func followRotations(trusted, current []byte, statements []json.RawMessage) bool {
	next := rotationsByOld(statements)
	seen := map[string]bool{}
	queue := [][]byte{trusted}
	for len(queue) > 0 {
		k := queue[0]
		queue = queue[1:]
		if bytes.Equal(k, current) {
			return true
		}
		if seen[string(k)] {
			continue
		}
		seen[string(k)] = true
		for _, r := range next[string(k)] {
			queue = append(queue, r.New)
		}
	}
	return false
}

// RetiredKey is a key a node used before a rotation, valid for what it signed
// before Until.
type RetiredKey struct {
	Key   ed25519.PublicKey
	Until time.Time
}

// RetiredKeys walks back from the descriptor's key through verified
// statements: each retired key, and when it stopped being the node's key.
func RetiredKeys(d Descriptor) []RetiredKey {
	byNew := map[string]Rotation{}
	for _, rs := range rotationsByOld(d.Rotations) {
		for _, r := range rs {
			byNew[string(r.New)] = r
		}
	}
	var out []RetiredKey
	seen := map[string]bool{}
	for k := string(d.SigningKey); !seen[k]; {
		seen[k] = true
		r, ok := byNew[k]
		if !ok {
			break
		}
		out = append(out, RetiredKey{Key: r.Old, Until: r.At})
		k = string(r.Old)
	}
	return out
}

// OpenReceiptOf checks a receipt against a node's current key, or against a
// key it retired if the receipt is from before that key was retired: a key
// is often retired because it leaked, and what it signs afterwards is not
// the node's word.
func OpenReceiptOf(b []byte, d Descriptor) (Receipt, error) {
	if r, err := OpenReceipt(b, d.SigningKey); err == nil {
		return r, nil
	}
	for _, k := range RetiredKeys(d) {
		if r, err := OpenReceipt(b, k.Key); err == nil {
			if !r.Received.Before(k.Until) {
				return Receipt{}, errors.New("receipt: signed with a key the node had already retired")
			}
			return r, nil
		}
	}
	return Receipt{}, errors.New("receipt: the signature does not verify with the node's keys")
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
	var held string
	if err := s.db.R().Get(ctx, &held, `SELECT descriptor FROM peers WHERE id = ?`, p.ID); err != nil {
		return fmt.Errorf("federation: descriptor of %s: %w", p.Host, err)
	}
	if err := olderThanHeld(d, held); err != nil {
		return fmt.Errorf("federation: descriptor of %s: %w", p.Host, err)
	}
	same := bytes.Equal(d.SigningKey, p.SigningKey)
	if same && bytes.Equal(d.HPKEKey, p.HPKEKey) && d.LedgerKey == p.LedgerKey {
		// Nothing to take, but the newest descriptor is the one to hold, so
		// that an older one replayed later is refused.
		if held == string(b) {
			return nil
		}
		return s.db.WithTx(ctx, func(tx *store.Tx) error {
			_, err := tx.Exec(ctx, `UPDATE peers SET descriptor = ? WHERE id = ? AND signing_key = ?`, string(b), p.ID, p.SigningKey)
			return err
		})
	}
	ctx = core.WithActor(ctx, core.Actor{Name: "federation"})
	if !same && !followRotations(p.SigningKey, d.SigningKey, d.Rotations) {
		// A key that the trusted one retired is a stale replica or an old
		// backup answering: ignore it.
		if stored, err := s.storedDescriptor(ctx, p.ID); err == nil {
			for _, k := range RetiredKeys(stored) {
				if bytes.Equal(k.Key, d.SigningKey) {
					return nil
				}
			}
		}
		// Anything else is not taken on trust: the peer waits, keeping the
		// key people verified, until they compare fingerprints again and an
		// administrator adds it anew.
		return s.db.WithTx(ctx, func(tx *store.Tx) error {
			if _, err := tx.Exec(ctx, `UPDATE peers SET status = 'pending', updated_at = ? WHERE id = ? AND signing_key = ?`, tx.Now, p.ID, p.SigningKey); err != nil {
				return err
			}
			return audit.Record(ctx, tx, "federation.peer.key_unannounced", "peer", p.ID, "", p.Host+" now shows "+keys.Fingerprint(d.SigningKey))
		})
	}
	action := "federation.peer.keys_updated"
	if !same {
		action = "federation.peer.key_rotated"
	}
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		// Only if nobody changed the peer's key meanwhile; its status, which
		// an administrator may have changed, is left alone.
		n, err := tx.Exec(ctx, `UPDATE peers SET signing_key = ?, hpke_key = ?, ledger_key = ?, descriptor = ?, updated_at = ? WHERE id = ? AND signing_key = ?`,
			d.SigningKey, d.HPKEKey, d.LedgerKey, string(b), tx.Now, p.ID, p.SigningKey)
		if err != nil || n == 0 {
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

func (s *Service) storedDescriptor(ctx context.Context, peerID string) (Descriptor, error) {
	var raw string
	if err := s.db.R().Get(ctx, &raw, `SELECT descriptor FROM peers WHERE id = ?`, peerID); err != nil {
		return Descriptor{}, err
	}
	return OpenDescriptor([]byte(raw))
}
