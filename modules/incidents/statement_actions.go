package incidents

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/jobs"
	"entente.example/entente/internal/keys"
	"entente.example/entente/internal/ledger"
	"entente.example/entente/internal/store"
)

// Sign co-signs an open statement for a local invited organisation (addr,
// or the first the actor may sign for): its node signs the text's hash,
// records it in its ledger, and sends the signature with its proof to the
// initiator.
func (s *Statements) Sign(ctx context.Context, id, addr string) (Statement, error) {
	return s.answer(ctx, id, addr, SignerSigned)
}

// Decline tells the initiator that the organisation will not co-sign.
func (s *Statements) Decline(ctx context.Context, id, addr string) (Statement, error) {
	return s.answer(ctx, id, addr, SignerDeclined)
}

// Withdraw takes back a co-signature before the statement is published.
func (s *Statements) Withdraw(ctx context.Context, id, addr string) (Statement, error) {
	return s.answer(ctx, id, addr, SignerWithdrawn)
}

func (s *Statements) answer(ctx context.Context, id, addr, to string) (Statement, error) {
	st, err := s.load(ctx, s.db.R(), id)
	if err != nil {
		return st, err
	}
	g, err := st.mine(core.ActorFrom(ctx), access.StatementSign, addr)
	if err != nil {
		return st, err
	}
	if g.Signer == st.Initiator {
		// The initiator signs by opening and takes its statement back as a
		// whole (Retract).
		return st, stmtErr("answer", core.KindConflict, "err.stmt_initiator")
	}
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		cur, err := s.load(ctx, tx.Conn, id)
		if err != nil {
			return err
		}
		if cur.State != StatementOpen {
			return stmtErr("answer", core.KindConflict, "err.stmt_not_open")
		}
		var now Signer
		for _, x := range cur.Signers {
			if x.Signer == g.Signer {
				now = x
			}
		}
		allowed := map[string][]string{SignerSigned: {SignerInvited, SignerDeclined, SignerWithdrawn}, SignerDeclined: {SignerInvited}, SignerWithdrawn: {SignerSigned}}[to]
		if !contains(allowed, now.State) {
			return stmtErr("answer", core.KindConflict, "err.stmt_answered")
		}
		// Who answered, for which of its organisations, in the audit trail.
		verb := map[string]string{SignerSigned: "sign", SignerDeclined: "decline", SignerWithdrawn: "withdraw"}[to]
		if err := audit.Record(ctx, tx, "statements."+verb, "inc_statement", id, g.OrgID, g.Signer); err != nil {
			return err
		}
		if to == SignerSigned {
			return s.cosign(ctx, tx, cur, g.Signer, cur.SHA256)
		}
		if _, err := tx.Exec(ctx, `UPDATE inc_statement_signers SET state = ?, updated_at = ? WHERE statement_id = ? AND signer = ?`, to, tx.Now, id, g.Signer); err != nil {
			return core.Wrap("statements: answer", err)
		}
		if cur.Local() {
			return nil // the initiator is on this node and sees the answer as it is
		}
		handle, _, _ := federation.Address(g.Signer)
		typ := map[string]string{SignerDeclined: TypeStmtDecline, SignerWithdrawn: TypeStmtWithdraw}[to]
		_, err = s.fed.Send(ctx, tx, federation.Outgoing{Type: typ, From: handle, To: cur.Initiator, TLP: core.TLPAmber,
			Payload: answerWire{Origin: cur.OriginID, Initiator: cur.Initiator, SHA256: cur.SHA256}})
		return err
	})
	if err != nil {
		return st, err
	}
	if to == SignerSigned {
		if err := s.finish(ctx, id, g.Signer); err != nil {
			return st, err
		}
	}
	return s.load(ctx, s.db.R(), id)
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// Retract takes a statement back, by its initiator, before publication:
// every invited node is told and shows it withdrawn.
func (s *Statements) Retract(ctx context.Context, id string) (Statement, error) {
	st, err := s.initiated(ctx, id, "retract")
	if err != nil {
		return st, err
	}
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		cur, err := s.load(ctx, tx.Conn, id)
		if err != nil {
			return err
		}
		if cur.State != StatementOpen && cur.State != StatementDraft {
			return stmtErr("retract", core.KindConflict, "err.stmt_not_open")
		}
		if _, err := tx.Exec(ctx, `UPDATE inc_statements SET state = ?, updated_at = ? WHERE id = ?`, StatementWithdrawn, tx.Now, id); err != nil {
			return core.Wrap("statements: retract", err)
		}
		if err := audit.Record(ctx, tx, "statements.retract", "inc_statement", id, cur.OrgID, cur.State); err != nil {
			return err
		}
		if cur.State == StatementDraft {
			return nil
		}
		handle, _, _ := federation.Address(cur.Initiator)
		for _, g := range cur.Invitees() {
			if !s.remote(g) {
				continue
			}
			if _, err := s.fed.Send(ctx, tx, federation.Outgoing{Type: TypeStmtRetract, From: handle, To: g.Signer, TLP: core.TLPAmber,
				Payload: answerWire{Origin: cur.OriginID, Initiator: cur.Initiator, SHA256: cur.SHA256}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return st, err
	}
	return s.load(ctx, s.db.R(), id)
}

// Publish publishes an open statement with every co-signature it holds
// (its initiator's at least): the initiator's node signs a publication
// listing them, records it in its ledger, and sends the whole bundle to
// every invited node, which verifies it before showing it.
func (s *Statements) Publish(ctx context.Context, id string) (Statement, error) {
	st, err := s.initiated(ctx, id, "publish")
	if err != nil {
		return st, err
	}
	return s.publish(ctx, id)
}

func (s *Statements) publish(ctx context.Context, id string) (Statement, error) {
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		cur, err := s.load(ctx, tx.Conn, id)
		if err != nil {
			return err
		}
		if cur.State != StatementOpen {
			return stmtErr("publish", core.KindConflict, "err.stmt_not_open")
		}
		pub := Publication{Statement: cur.SHA256, Origin: cur.OriginID, Initiator: cur.Initiator, PublishedAt: tx.Now.UTC(), Signatures: []Listed{}}
		for _, g := range cur.Signers {
			if g.State == SignerSigned && g.Ledger != "" {
				pub.Signatures = append(pub.Signatures, Listed{Signer: g.Signer, Node: g.Node, Digest: ledger.Digest([]byte(g.Cosign))})
			}
		}
		if !containsListed(pub.Signatures, cur.Initiator) {
			return stmtErr("publish", core.KindConflict, "err.stmt_unproven")
		}
		raw, err := s.fed.SignStatement(PublishContext, pub)
		if err != nil {
			return err
		}
		idx, err := s.log.Append(ctx, tx, ledger.Entry{Kind: ledger.KindPublished, Ref: cur.ID, Digest: ledger.Digest(raw)})
		if err != nil {
			return err
		}
		if _, err = tx.Exec(ctx, `UPDATE inc_statements SET state = ?, published_at = ?, publication = ?, publication_index = ?, updated_at = ? WHERE id = ?`,
			StatementPublished, tx.Now, string(raw), idx[0], tx.Now, id); err != nil {
			return core.Wrap("statements: publish", err)
		}
		// The periodic check publishes at the set time with no one in
		// the context: the trail names no person then.
		return audit.Record(ctx, tx, "statements.publish", "inc_statement", id, cur.OrgID, fmt.Sprintf("%d signatures", len(pub.Signatures)))
	})
	if err != nil {
		return Statement{}, err
	}
	if err := s.sendPublication(ctx, id); err != nil {
		return Statement{}, err
	}
	return s.load(ctx, s.db.R(), id)
}

func containsListed(ls []Listed, signer string) bool {
	for _, l := range ls {
		if l.Signer == signer {
			return true
		}
	}
	return false
}

// sendPublication proves the publication, makes the bundle and sends it
// to every invited node; idempotent (a bundle made is not made again).
func (s *Statements) sendPublication(ctx context.Context, id string) error {
	st, err := s.load(ctx, s.db.R(), id)
	if err != nil || st.Bundle != "" || st.PublicationIndex == nil {
		return err
	}
	p, err := s.proof(ctx, *st.PublicationIndex)
	if err != nil {
		return err
	}
	b, err := s.bundle(ctx, st, p)
	if err != nil {
		return err
	}
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		n, err := tx.Exec(ctx, `UPDATE inc_statements SET bundle = ?, updated_at = ? WHERE id = ? AND bundle = ''`, string(b), tx.Now, id)
		if err != nil || n == 0 {
			return core.Wrap("statements: publication", err)
		}
		handle, _, _ := federation.Address(st.Initiator)
		for _, g := range st.Invitees() {
			if !s.remote(g) {
				continue
			}
			if _, err := s.fed.Send(ctx, tx, federation.Outgoing{Type: TypeStmtPublish, From: handle, To: g.Signer, TLP: core.TLPClear,
				Payload: publishWire{Origin: st.OriginID, Initiator: st.Initiator, Bundle: json.RawMessage(b)}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil && s.published != nil {
		s.published(st.OriginID)
	}
	return err
}

// bundle assembles the published statement for offline verification.
func (s *Statements) bundle(ctx context.Context, st Statement, pubProof LedgerProof) ([]byte, error) {
	var pub Publication
	body, err := federation.VerifyStatement(PublishContext, []byte(st.Publication), s.fed.SigningKey())
	if err != nil || json.Unmarshal(body, &pub) != nil {
		return nil, fmt.Errorf("statements: own publication unreadable: %v", err)
	}
	b := StatementBundle{Format: BundleFormat, Text: st.Text, SHA256: st.SHA256, Publication: json.RawMessage(st.Publication), PubLedger: &pubProof, Signatures: []Signature{}, Nodes: []BundleNode{}}
	hosts := []string{}
	for _, g := range st.Signers {
		if !containsListed(pub.Signatures, g.Signer) {
			continue
		}
		var p LedgerProof
		if err := json.Unmarshal([]byte(g.Ledger), &p); err != nil {
			return nil, fmt.Errorf("statements: proof of %s: %w", g.Signer, err)
		}
		b.Signatures = append(b.Signatures, Signature{Signer: g.Signer, Node: g.Node, Statement: json.RawMessage(g.Cosign), Ledger: &p})
		if !contains(hosts, g.Node) {
			hosts = append(hosts, g.Node)
		}
	}
	for _, h := range hosts {
		key := s.fed.SigningKey()
		if h != s.fed.Host() {
			if key, err = s.fed.PeerKey(ctx, h); err != nil {
				return nil, err
			}
		}
		b.Nodes = append(b.Nodes, BundleNode{Host: h, SigningKey: key, Fingerprint: keys.Fingerprint(key)})
	}
	return json.Marshal(b)
}

// jobStatements is the periodic work of statements.
const jobStatements = "statements.checks"

// Schedule runs the checks every minute.
func (s *Statements) Schedule(q *jobs.Queue) {
	q.Register(jobs.Kind{Name: jobStatements, Handle: func(ctx context.Context, _ []byte) error { return s.Checks(ctx) }})
	q.Every(jobStatements, time.Minute)
}

// Checks publishes the statements whose set time has come, and finishes
// what a crash left half done: signatures made but not sent, publications
// signed but not sent.
func (s *Statements) Checks(ctx context.Context) error {
	now := s.db.Clock().Now()
	var due []string
	if err := s.db.R().Select(ctx, &due, `SELECT id FROM inc_statements WHERE state = 'open' AND publish_mode = 'at' AND publish_at <= ? AND org_id <> '' ORDER BY id LIMIT 100`, now); err != nil {
		return core.Wrap("statements: checks", err)
	}
	for _, id := range due {
		if _, err := s.publish(ctx, id); err != nil && core.KindOf(err) != core.KindConflict {
			return err
		}
	}
	var unsent []struct {
		ID     string `db:"statement_id"`
		Signer string `db:"signer"`
	}
	if err := s.db.R().Select(ctx, &unsent, `SELECT statement_id, signer FROM inc_statement_signers WHERE state = 'signed' AND sent_at IS NULL AND org_id <> '' ORDER BY statement_id LIMIT 100`); err != nil {
		return core.Wrap("statements: checks", err)
	}
	for _, u := range unsent {
		if err := s.finish(ctx, u.ID, u.Signer); err != nil {
			return err
		}
	}
	var pubs []string
	if err := s.db.R().Select(ctx, &pubs, `SELECT id FROM inc_statements WHERE state = 'published' AND bundle = '' AND org_id <> '' ORDER BY id LIMIT 100`); err != nil {
		return core.Wrap("statements: checks", err)
	}
	for _, id := range pubs {
		if err := s.sendPublication(ctx, id); err != nil {
			return err
		}
	}
	return nil
}
