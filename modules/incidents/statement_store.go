package incidents

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/keys"
	"entente.example/entente/internal/ledger"
	"entente.example/entente/internal/store"
)

var errStmtNotFound = &core.Error{Kind: core.KindNotFound, Op: "statements", Message: "err.not_found"}

const statementColumns = `id, origin_id, initiator, initiator_name, country, org_id, title, body, language, tr_language, tr_title, tr_body, actor, incident,
	state, publish_mode, publish_at, text, sha256, created_by, created_at, opened_at, published_at, bundle, publication, publication_index, updated_at`

const signerColumns = `statement_id, signer, org_id, name, country, node, state, cosign, ledger_index, ledger, signed_at, sent_at, updated_at`

func insertStatement(ctx context.Context, tx *store.Tx, st Statement) error {
	_, err := tx.Exec(ctx, `INSERT INTO inc_statements (`+statementColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		st.ID, st.OriginID, st.Initiator, st.InitiatorName, st.Country, st.OrgID, st.Title, st.Body, st.Language, st.TrLanguage, st.TrTitle, st.TrBody, st.Actor, st.Incident,
		st.State, st.PublishMode, st.PublishAt, st.Text, st.SHA256, st.CreatedBy, st.CreatedAt, st.OpenedAt, st.PublishedAt, st.Bundle, st.Publication, st.PublicationIndex, st.UpdatedAt)
	return core.Wrap("statements: insert", err)
}

func insertSigner(ctx context.Context, tx *store.Tx, g Signer) error {
	_, err := tx.Exec(ctx, `INSERT INTO inc_statement_signers (`+signerColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		g.StatementID, g.Signer, g.OrgID, g.Name, g.Country, g.Node, g.State, g.Cosign, g.LedgerIndex, g.Ledger, g.SignedAt, g.SentAt, tx.Now)
	return core.Wrap("statements: insert signer", err)
}

// load reads a statement and its signers, the initiator first.
func (s *Statements) load(ctx context.Context, q store.Conn, id string) (Statement, error) {
	var st Statement
	if !core.ValidID(id) {
		return st, errStmtNotFound
	}
	if err := q.Get(ctx, &st, `SELECT `+statementColumns+` FROM inc_statements WHERE id = ?`, id); err != nil {
		if core.KindOf(err) == core.KindNotFound {
			return st, errStmtNotFound
		}
		return st, core.Wrap("statements: load", err)
	}
	if err := q.Select(ctx, &st.Signers, `SELECT `+signerColumns+` FROM inc_statement_signers WHERE statement_id = ? ORDER BY CASE WHEN signer = ? THEN 0 ELSE 1 END, signer`, id, st.Initiator); err != nil {
		return st, core.Wrap("statements: signers", err)
	}
	return st, nil
}

// byOrigin finds this node's copy of a statement by its identity.
func (s *Statements) byOrigin(ctx context.Context, q store.Conn, initiator, origin string) (Statement, error) {
	var id string
	if err := q.Get(ctx, &id, `SELECT id FROM inc_statements WHERE initiator = ? AND origin_id = ?`, initiator, origin); err != nil {
		if core.KindOf(err) == core.KindNotFound {
			return Statement{}, errStmtNotFound
		}
		return Statement{}, core.Wrap("statements: find", err)
	}
	return s.load(ctx, q, id)
}

// StatementRow is a statement in a list.
type StatementRow struct {
	ID            string `db:"id"`
	Title         string `db:"title"`
	Initiator     string `db:"initiator"`
	InitiatorName string `db:"initiator_name"`
	Actor         string `db:"actor"`
	State         string `db:"state"`
	// Waiting is set when one of the viewer's organisations is invited and
	// has not answered.
	Waiting bool `db:"waiting"`
}

// List returns the statements of the viewer's organisations (initiated or
// invited), newest first, and the published ones this node holds.
func (s *Statements) List(ctx context.Context) (mine, published []StatementRow, err error) {
	a := core.ActorFrom(ctx)
	orgs := access.Orgs(a, access.StatementRead)
	signable := access.Orgs(a, access.StatementSign)
	if len(orgs) > 0 {
		signable = append(signable, "")
		q := `SELECT s.id, s.title, s.initiator, s.initiator_name, s.actor, s.state,
			EXISTS (SELECT 1 FROM inc_statement_signers w WHERE w.statement_id = s.id AND w.state = 'invited' AND s.state = 'open' AND w.signer <> s.initiator AND w.org_id IN (` + marks(len(signable)) + `)) AS waiting
			FROM inc_statements s WHERE EXISTS (SELECT 1 FROM inc_statement_signers g WHERE g.statement_id = s.id AND g.org_id IN (` + marks(len(orgs)) + `)) ORDER BY s.id DESC LIMIT 200`
		var args []any
		for _, o := range append(signable, orgs...) {
			args = append(args, o)
		}
		if err := s.db.R().Select(ctx, &mine, q, args...); err != nil {
			return nil, nil, core.Wrap("statements: list", err)
		}
	}
	err = s.db.R().Select(ctx, &published, `SELECT id, title, initiator, initiator_name, actor, state, FALSE AS waiting FROM inc_statements WHERE state = 'published' ORDER BY published_at DESC LIMIT 200`)
	return mine, published, core.Wrap("statements: published", err)
}

// marks is n placeholders for an IN list.
func marks(n int) string { return strings.TrimSuffix(strings.Repeat("?,", n), ",") }

// SignerProof is what this node finds of one co-signature: its key's
// fingerprint, whether its signature and ledger proof check out, and with
// which key: one this node holds for the signing node (its own, or a
// verified peer's), or only the one the initiator's publication gives.
type SignerProof struct {
	Signer
	Fingerprint string
	Verified    bool // the signature, over this text, by that node, with a key this node verified
	// Vouched says the signature checks with the key the initiator's
	// publication gives for a node this one has not verified as a peer:
	// the initiator vouches for that key, this node does not.
	Vouched  bool
	InLedger bool // and its inclusion proof against that node's checkpoint
}

// Proofs checks each signature a statement holds, as its page shows them.
func (s *Statements) Proofs(ctx context.Context, st Statement) []SignerProof {
	out := make([]SignerProof, 0, len(st.Signers))
	var bundle *StatementBundle
	for _, g := range st.Signers {
		p := SignerProof{Signer: g}
		if g.Cosign != "" && g.State == SignerSigned {
			if key, err := s.fed.PeerKey(ctx, g.Node); err == nil {
				p.Fingerprint = keys.Fingerprint(key)
				p.Verified, p.InLedger = checkCosign(st, g, key)
			} else if st.Bundle != "" {
				// A node this one does not peer with: its key only as the
				// initiator's node gave it in the bundle.
				if bundle == nil {
					if bu, err := ParseBundle([]byte(st.Bundle)); err == nil {
						bundle = &bu
					} else {
						bundle = &StatementBundle{}
					}
				}
				for _, n := range bundle.Nodes {
					if n.Host == g.Node && len(n.SigningKey) == ed25519.PublicKeySize {
						p.Fingerprint = keys.Fingerprint(n.SigningKey)
						p.Vouched, p.InLedger = checkCosign(st, g, n.SigningKey)
					}
				}
			}
		}
		out = append(out, p)
	}
	return out
}

// checkCosign checks g's signature over st's text, and its ledger proof,
// with key.
func checkCosign(st Statement, g Signer, key ed25519.PublicKey) (signed, inLedger bool) {
	body, err := federation.VerifyStatement(CosignContext, []byte(g.Cosign), key)
	if err != nil {
		return false, false
	}
	var c Cosign
	if strictDecode(body, &c) != nil || c.Statement != st.SHA256 || c.Signer != g.Signer {
		return false, false
	}
	var lp LedgerProof
	if g.Ledger != "" && json.Unmarshal([]byte(g.Ledger), &lp) == nil {
		inLedger = verifyProof(lp, g.Node, key, ledger.KindCosign, ledger.Digest([]byte(g.Cosign))) == nil
	}
	return true, inLedger
}

// Waiting lists the open statements that invite one of the actor's
// organisations for which it may sign, and that it has not answered.
func (s *Statements) Waiting(ctx context.Context) ([]StatementRow, error) {
	orgs := access.Orgs(core.ActorFrom(ctx), access.StatementSign)
	if len(orgs) == 0 {
		return nil, nil
	}
	var args []any
	for _, o := range orgs {
		args = append(args, o)
	}
	var out []StatementRow
	err := s.db.R().Select(ctx, &out, `SELECT s.id, s.title, s.initiator, s.initiator_name, s.actor, s.state, TRUE AS waiting FROM inc_statements s
		WHERE s.state = 'open' AND EXISTS (SELECT 1 FROM inc_statement_signers g WHERE g.statement_id = s.id AND g.state = 'invited' AND g.signer <> s.initiator AND g.org_id IN (`+marks(len(orgs))+`))
		ORDER BY s.id DESC LIMIT 50`, args...)
	return out, core.Wrap("statements: waiting", err)
}

// Index is the signature's entry in its node's ledger.
func (p SignerProof) Index() int64 {
	if p.LedgerIndex == nil {
		return -1
	}
	return *p.LedgerIndex
}
