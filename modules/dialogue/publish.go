package dialogue

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/jobs"
	"entente.example/entente/internal/store"
)

// TypeCopy is the envelope of a dialogue's signed copy.
const TypeCopy = "dialogue.copy"

// copyBatch is what the host's node signs and sends a participating node:
// the dialogue (when it changed) and the contributions that changed after
// the rev the node was last sent. Under the Chatham House Rule the
// contributions carry no author: who wrote what never leaves the host.
type copyBatch struct {
	Dialogue      *Dialogue     `json:"dialogue"`
	Contributions []contribCopy `json:"contributions,omitempty"`
	Rev           int64         `json:"rev"` // the highest rev this batch brings the node to
}

type contribCopy struct {
	ID         string    `json:"id"`
	Session    string    `json:"session,omitempty"`
	Parent     string    `json:"parent,omitempty"`
	Seq        int64     `json:"seq"`
	Body       string    `json:"body,omitempty"`
	Lang       string    `json:"lang,omitempty"`
	State      string    `json:"state"`
	Reason     string    `json:"reason,omitempty"`
	Closed     bool      `json:"closed,omitempty"`
	At         time.Time `json:"at"`
	Rev        int64     `json:"rev"`
	ActID      string    `json:"act,omitempty"`
	AuthorName string    `json:"author_name,omitempty"`
	AuthorOrg  string    `json:"author_org,omitempty"`
}

// batchSize bounds the contributions of one envelope, and maxBatchBytes
// their encoded size: the signed statement escapes them once more and the
// sealed envelope is base64, so 1 MiB here stays well under the 4 MiB an
// envelope may be.
const (
	batchSize     = 200
	maxBatchBytes = 1 << 20
)

// copySize is a contribution's size in a batch.
func copySize(c contribCopy) int {
	b, _ := json.Marshal(c)
	return len(b)
}

// publishSlot gathers changes into one run of the copies: a quarter of a
// second keeps a conversation live and a burst of moderation in one batch.
const publishSlot = 250 * time.Millisecond

// changed schedules the copies. The changes of one slot make one run.
// Callers have taken the dialogue's rev (and so hold its row): the slot is
// counted from now, not from tx.Now, because a transaction that waited for
// that row may have begun in a slot whose run has already read — its change
// would join a run that is over, and reach no node until the next change.
func (s *Service) changed(ctx context.Context, tx *store.Tx, id string) error {
	slot := s.db.Clock().Now().UTC().Truncate(publishSlot).Add(publishSlot)
	return s.jobs.Enqueue(ctx, tx, jobPublish, publishJob{Dialogue: id},
		jobs.Options{RunAt: slot, UniqueKey: jobPublish + ":" + id + ":" + slot.Format(time.RFC3339Nano)})
}

type publishJob struct {
	Dialogue string `json:"dialogue"`
}

func (s *Service) publishJob(ctx context.Context, b []byte) error {
	var j publishJob
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	for {
		more := false
		err := s.db.WithTx(ctx, func(tx *store.Tx) error {
			var err error
			more, err = s.publish(ctx, tx, j.Dialogue)
			return err
		})
		if core.KindOf(err) == core.KindNotFound {
			return nil
		}
		if err != nil || !more {
			return err
		}
	}
}

// publish sends every participating node what changed since it was last
// sent, signed, and a node no longer taking part the dialogue without it
// (so it drops its copy). It reports whether more remains to send.
func (s *Service) publish(ctx context.Context, tx *store.Tx, id string) (bool, error) {
	// Wait for the changes that scheduled this run and have not committed
	// yet: they hold the dialogue's row from the moment they took a rev.
	if _, err := tx.Exec(ctx, `UPDATE dlg_dialogues SET rev = rev WHERE id = ?`, id); err != nil {
		return false, core.Wrap("dialogue: publish", err)
	}
	d, err := s.load(ctx, tx.Conn, id)
	if err != nil {
		return false, err
	}
	if d.Host != s.fed.Host() {
		return false, nil
	}
	var head struct {
		DocRev int64 `db:"doc_rev"`
	}
	if err := tx.Get(ctx, &head, `SELECT doc_rev FROM dlg_dialogues WHERE id = ?`, id); err != nil {
		return false, core.Wrap("dialogue: publish", err)
	}
	var sent []struct {
		Host string `db:"host"`
		Addr string `db:"addr"`
		Rev  int64  `db:"rev"`
	}
	if err := tx.Select(ctx, &sent, `SELECT host, addr, rev FROM dlg_delivered WHERE dialogue_id = ?`, id); err != nil {
		return false, core.Wrap("dialogue: publish", err)
	}
	delivered, formerly := map[string]int64{}, map[string]string{}
	for _, x := range sent {
		delivered[x.Host], formerly[x.Host] = x.Rev, x.Addr
	}
	hosts := d.Hosts()[1:]
	from, _, _ := federation.Address(d.InRole(RoleHost)[0])
	more := false
	for _, host := range hosts {
		r0 := delivered[host]
		var rows []row
		if err := tx.Select(ctx, &rows, `SELECT `+contributionColumns+` FROM dlg_contributions WHERE dialogue_id = ? AND rev > ? ORDER BY rev LIMIT `+itoa(batchSize+1), id, r0); err != nil {
			return false, core.Wrap("dialogue: publish", err)
		}
		full := len(rows) > batchSize
		if full {
			rows = rows[:batchSize]
		}
		b := copyBatch{Dialogue: d, Rev: max(r0, head.DocRev)}
		size := 0
		for _, r := range rows {
			c := toCopy(d, r, host)
			// An envelope has a size limit (federation.MaxEnvelope): long
			// contributions go in more batches, never in one refused.
			if size += copySize(c); size > maxBatchBytes && len(b.Contributions) > 0 {
				full = true
				break
			}
			b.Contributions = append(b.Contributions, c)
			b.Rev = max(b.Rev, r.Rev)
		}
		if len(b.Contributions) == 0 && head.DocRev <= r0 {
			continue
		}
		if full {
			// The document's rev may be past the last contribution sent:
			// bring the node only as far as what it got.
			b.Rev = b.Contributions[len(b.Contributions)-1].Rev
		}
		to := d.partyOn(host)
		if err := s.sendCopy(ctx, tx, from, to, b); err != nil {
			if errors.Is(err, federation.ErrPeerNotVerified) {
				continue // it gets everything once it is verified again
			}
			return false, err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO dlg_delivered (dialogue_id, host, addr, rev) VALUES (?, ?, ?, ?) ON CONFLICT (dialogue_id, host) DO UPDATE SET rev = excluded.rev, addr = excluded.addr`, id, host, to, b.Rev); err != nil {
			return false, core.Wrap("dialogue: publish", err)
		}
		// Only a node that took a batch can take the next one now: a node
		// not verified waits for a later change, without this run spinning.
		more = more || full
	}
	// Nodes that no longer take part get the dialogue without them, once.
	for h := range delivered {
		if slices.Contains(hosts, h) {
			continue
		}
		// It learns only that it is out: not who takes part now, nor
		// the sessions or the summary since.
		gone := &Dialogue{ID: d.ID, Host: d.Host, Title: d.Title, Rule: d.Rule, Lang: d.Lang, Status: d.Status, Version: d.Version,
			Created: d.Created, Updated: d.Updated}
		for _, p := range d.Parties {
			if p.Role == RoleHost {
				gone.Parties = append(gone.Parties, p)
			}
		}
		if err := s.sendCopy(ctx, tx, from, formerly[h], copyBatch{Dialogue: gone, Rev: head.DocRev}); err != nil {
			if errors.Is(err, federation.ErrPeerNotVerified) {
				continue // told on a later change, once it is verified again
			}
			return false, err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM dlg_delivered WHERE dialogue_id = ? AND host = ?`, id, h); err != nil {
			return false, core.Wrap("dialogue: publish", err)
		}
	}
	return more, nil
}

// toCopy is a stored contribution as the node host may receive it: the
// author only outside the Chatham House Rule; the text of a held or hidden
// one never; the id of the act only on the author's node, which knows its
// own by it — anywhere else its time (or, for one written on the host's
// node, its nearness to the contribution's id) would tell where it was
// written.
func toCopy(d *Dialogue, r row, host string) contribCopy {
	c := contribCopy{ID: r.ID, Session: r.Session, Parent: r.Parent, Seq: r.Seq, Body: r.Body, Lang: r.Lang, State: r.State,
		Reason: r.Reason, Closed: r.Closed, At: r.At, Rev: r.Rev}
	if _, h, _ := federation.Address(r.AuthorOrg); h == host {
		c.ActID = r.ActID
	}
	if r.State != StateVisible {
		c.Body = ""
	}
	if !d.Rule.Anonymous() {
		c.AuthorName, c.AuthorOrg = r.AuthorName, r.AuthorOrg
	}
	return c
}

// partyOn returns the first party address on host.
func (d *Dialogue) partyOn(host string) string {
	for _, p := range d.Parties {
		if _, h, _ := federation.Address(p.Addr); h == host {
			return p.Addr
		}
	}
	return ""
}

func (s *Service) sendCopy(ctx context.Context, tx *store.Tx, from, to string, b copyBatch) error {
	signed, err := s.fed.SignStatement("dialogue.copy", b)
	if err != nil {
		return err
	}
	_, err = s.fed.Send(ctx, tx, federation.Outgoing{Type: TypeCopy, From: from, To: to, TLP: core.TLPAmber, Payload: statement{Statement: string(signed)}})
	return err
}
