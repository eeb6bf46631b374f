package federation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/ledger"
	"entente.example/entente/internal/store"
)

// Witnessing: every node keeps the checkpoints its verified peers showed it,
// checks that each new one extends the last (a consistency proof), and asks
// the other peers what they were shown. A node that rewrites its history, or
// shows two histories to two peers, is caught: the alarm keeps both signed
// checkpoints as evidence.

type storedCheckpoint struct {
	Size int64  `db:"size"`
	Root []byte `db:"root"`
	Note string `db:"note"`
}

func (s *Service) lastSeen(ctx context.Context, peerID string) (ledger.Checkpoint, bool, error) {
	var sc storedCheckpoint
	err := s.db.R().Get(ctx, &sc, `SELECT size, root, note FROM peer_checkpoints WHERE peer_id = ? ORDER BY size DESC LIMIT 1`, peerID)
	if core.KindOf(err) == core.KindNotFound {
		return ledger.Checkpoint{}, false, nil
	}
	if err != nil {
		return ledger.Checkpoint{}, false, err
	}
	cp := ledger.Checkpoint{Size: sc.Size, Note: []byte(sc.Note)}
	copy(cp.Root[:], sc.Root)
	return cp, true, nil
}

// errUnproven is a consistency proof that could not be had.
type errUnproven struct{ error }

// alarm records a fork with both signed checkpoints.
func (s *Service) alarm(ctx context.Context, p Peer, detail string, a, b []byte) error {
	s.log.Error("federation: LEDGER FORK", "peer", p.Host, "detail", detail)
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		var n int
		if err := tx.Get(ctx, &n, `SELECT COUNT(*) FROM ledger_alarms WHERE peer_id = ? AND evidence_a = ? AND evidence_b = ?`, p.ID, string(a), string(b)); err != nil || n > 0 {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO ledger_alarms (id, peer_id, detail, evidence_a, evidence_b, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			core.NewID(tx.Now), p.ID, detail, string(a), string(b), tx.Now)
		return err
	})
}

// consistent checks that checkpoint b extends checkpoint a (either order),
// asking the peer for the proof.
func (s *Service) consistent(ctx context.Context, p Peer, a, b ledger.Checkpoint) (bool, error) {
	if a.Size > b.Size {
		a, b = b, a
	}
	if a.Size == b.Size {
		return a.Root == b.Root, nil
	}
	if a.Size == 0 {
		return true, nil
	}
	raw, err := s.fetch(ctx, fmt.Sprintf("%s/ledger/proof/consistency?old=%d&size=%d", p.BaseURL, a.Size, b.Size), true)
	if err != nil {
		// No proof is not evidence (a proxy, an outage): try again later,
		// without storing the new checkpoint as seen.
		return false, errUnproven{err}
	}
	var pr ledger.Proof
	if err := json.Unmarshal(raw, &pr); err != nil {
		return false, errUnproven{err}
	}
	// A proof that does not verify against the two signed checkpoints is:
	// no honest log can produce two trees that fail it.
	return ledger.VerifyConsistency(a, b, pr) == nil, nil
}

// WitnessPeer fetches a peer's checkpoint, checks it against what this node
// saw before and what other peers saw, and stores it.
func (s *Service) WitnessPeer(ctx context.Context, p Peer, others []Peer) error {
	raw, err := s.fetch(ctx, p.BaseURL+"/ledger/checkpoint", true)
	if err != nil {
		return fmt.Errorf("federation: checkpoint of %s: %w", p.Host, err)
	}
	cp, err := ledger.OpenCheckpoint(raw, p.LedgerKey)
	if err != nil {
		return fmt.Errorf("federation: checkpoint of %s: %w", p.Host, err)
	}
	last, ok, err := s.lastSeen(ctx, p.ID)
	if err != nil {
		return err
	}
	if ok {
		if cp.Size < last.Size {
			return s.alarm(ctx, p, fmt.Sprintf("its log shrank from %d to %d entries", last.Size, cp.Size), last.Note, cp.Note)
		}
		good, err := s.consistent(ctx, p, last, cp)
		if err != nil {
			return err
		}
		if !good {
			return s.alarm(ctx, p, fmt.Sprintf("its checkpoint of size %d does not extend the one of size %d it showed before", cp.Size, last.Size), last.Note, cp.Note)
		}
	}
	if err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO peer_checkpoints (peer_id, size, root, note, fetched_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (peer_id, size) DO NOTHING`, p.ID, cp.Size, cp.Root[:], string(cp.Note), tx.Now)
		return err
	}); err != nil {
		return err
	}
	// Ask the other peers what they were shown.
	for _, q := range others {
		if q.ID == p.ID {
			continue
		}
		theirs, err := s.fetch(ctx, q.BaseURL+"/federation/v1/witness?host="+url.QueryEscape(p.Host), true)
		if err != nil || len(theirs) == 0 {
			continue // q may not know p, or be down
		}
		other, err := ledger.OpenCheckpoint(theirs, p.LedgerKey)
		if err != nil {
			continue // not signed by p: q's problem, not evidence against p
		}
		good, err := s.consistent(ctx, p, cp, other)
		if err != nil {
			continue
		}
		if !good {
			if err := s.alarm(ctx, p, fmt.Sprintf("it showed %s a checkpoint (size %d) that is not consistent with the one it showed this node (size %d)", q.Host, other.Size, cp.Size), cp.Note, other.Note); err != nil {
				return err
			}
		}
	}
	return nil
}

// Witness checks every verified peer's ledger, each peer on its own so that
// one that hangs holds up no other.
func (s *Service) Witness(ctx context.Context) error {
	verified, err := s.verifiedPeers(ctx)
	if err != nil {
		return err
	}
	errs := make([]error, len(verified))
	var wg sync.WaitGroup
	for i, p := range verified {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.WitnessPeer(ctx, p, verified)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// WitnessFor answers a verified peer asking which checkpoint of host this
// node holds.
func (s *Service) WitnessFor(ctx context.Context, r *http.Request) ([]byte, error) {
	if _, err := s.verifyPeerRequest(ctx, r, nil); err != nil {
		return nil, err
	}
	p, err := s.PeerByHost(ctx, r.URL.Query().Get("host"))
	if err != nil {
		return nil, &core.Error{Kind: core.KindNotFound, Message: "err.not_found"}
	}
	last, ok, err := s.lastSeen(ctx, p.ID)
	if err != nil || !ok {
		return nil, &core.Error{Kind: core.KindNotFound, Message: "err.not_found"}
	}
	return last.Note, nil
}

// Alarm is a detected fork in a peer's ledger.
type Alarm struct {
	ID        string    `db:"id" json:"id"`
	PeerHost  string    `db:"host" json:"peer"`
	Detail    string    `db:"detail" json:"detail"`
	EvidenceA string    `db:"evidence_a" json:"evidence_a"`
	EvidenceB string    `db:"evidence_b" json:"evidence_b"`
	CreatedAt time.Time `db:"created_at" json:"created_at"`
}

// Alarms lists unresolved forks.
func (s *Service) Alarms(ctx context.Context) ([]Alarm, error) {
	var as []Alarm
	err := s.db.R().Select(ctx, &as, `SELECT a.id, p.host, a.detail, a.evidence_a, a.evidence_b, a.created_at FROM ledger_alarms a JOIN peers p ON p.id = a.peer_id WHERE a.resolved_at IS NULL ORDER BY a.id DESC`)
	return as, core.Wrap("federation: alarms", err)
}
