package federation

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/ledger"
	"entente.example/entente/internal/store"
)

// Descriptor returns this node's signed descriptor. Its created is the time
// its content last changed, kept in the database: the same after a restart,
// later when a key, a name or an endpoint changes. If the database cannot
// say, the descriptor goes out dated 1970 (which no peer takes over one it
// holds) and is built again at the next call.
func (s *Service) Descriptor() []byte {
	s.descMu.Lock()
	defer s.descMu.Unlock()
	if s.desc != nil {
		return s.desc
	}
	d := Descriptor{
		Name: s.opt.Name, Operator: s.opt.Operator, Country: s.opt.Country, BaseURL: s.opt.BaseURL,
		Inbox: s.opt.BaseURL + "/federation/v1/inbox", Directory: s.opt.BaseURL + "/federation/v1/directory", Ledger: s.opt.BaseURL + "/ledger/",
		SigningKey: s.keys.Signing.Public().(ed25519.PublicKey), HPKEKey: s.keys.HPKE.PublicKey().Bytes(),
		LedgerKey: s.ledger.VerifierKey(), Software: "entente " + s.opt.Version, Created: time.Unix(0, 0).UTC(),
		Rotations: s.opt.Rotations,
	}
	created, err := s.descriptorCreated(context.Background(), d)
	if err == nil {
		d.Created = created
	} else {
		s.log.Error("federation: descriptor", "err", err)
	}
	b, serr := signJSON("descriptor", d, s.keys.Signing)
	if serr != nil {
		panic(serr) // a Descriptor always marshals
	}
	if err == nil {
		s.desc = b
	}
	return b
}

// descriptorCreated returns when the content of d (all but its created)
// last changed, recording now as that time if it differs from what was
// recorded.
func (s *Service) descriptorCreated(ctx context.Context, d Descriptor) (time.Time, error) {
	d.Created = time.Time{}
	content, err := json.Marshal(d)
	if err != nil {
		return time.Time{}, err
	}
	digest := ledger.Digest(content)
	var created time.Time
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		var cur struct {
			Digest  string    `db:"digest"`
			Created time.Time `db:"created"`
		}
		err := tx.Get(ctx, &cur, `SELECT digest, created FROM node_descriptor WHERE id = 1`)
		switch {
		case err == nil && cur.Digest == digest:
			created = cur.Created
			return nil
		case err == nil:
			_, err = tx.Exec(ctx, `UPDATE node_descriptor SET digest = ?, created = ? WHERE id = 1`, digest, tx.Now)
		case core.KindOf(err) == core.KindNotFound:
			// Two replicas starting at once: the second finds the first's row.
			_, err = tx.Exec(ctx, `INSERT INTO node_descriptor (id, digest, created) VALUES (1, ?, ?) ON CONFLICT (id) DO NOTHING`, digest, tx.Now)
		}
		if err != nil {
			return err
		}
		return tx.Get(ctx, &created, `SELECT created FROM node_descriptor WHERE id = 1`)
	})
	return created.UTC(), core.Wrap("federation: descriptor", err)
}

// olderThanHeld refuses a peer's descriptor older than the one held for it:
// an old descriptor replayed (by a stale replica, a cache, or someone who
// kept it) must not bring back keys or endpoints the peer has left.
func olderThanHeld(d Descriptor, heldRaw string) error {
	held, err := OpenDescriptor([]byte(heldRaw))
	if err != nil || !d.Created.Before(held.Created) {
		return nil // nothing comparable held, or not older
	}
	return fmt.Errorf("descriptor: created %s, older than the one held (created %s)", d.Created.UTC().Format(time.RFC3339), held.Created.UTC().Format(time.RFC3339))
}
