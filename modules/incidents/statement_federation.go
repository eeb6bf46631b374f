package incidents

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/ledger"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store"
)

// The statements' envelope types.
const (
	TypeStmtInvite   = "statements.invite"   // initiator → each invited organisation
	TypeStmtSign     = "statements.sign"     // co-signer → initiator
	TypeStmtDecline  = "statements.decline"  // co-signer → initiator
	TypeStmtWithdraw = "statements.withdraw" // co-signer → initiator
	TypeStmtRetract  = "statements.retract"  // initiator → each invited organisation
	TypeStmtPublish  = "statements.publish"  // initiator → each invited organisation
)

// inviteWire carries the exact text, its hash, who else is invited, and
// the initiator's own signature with its ledger proof.
type inviteWire struct {
	Text          string          `json:"text"`
	SHA256        string          `json:"sha256"`
	InitiatorName string          `json:"initiator_name"`
	Invited       []invitee       `json:"invited"`
	PublishMode   string          `json:"publish_mode"`
	PublishAt     *time.Time      `json:"publish_at,omitempty"`
	Cosign        json.RawMessage `json:"cosign"`
	Ledger        LedgerProof     `json:"ledger"`
}

type invitee struct {
	Signer  string `json:"signer"`
	Name    string `json:"name"`
	Country string `json:"country"`
}

// signWire is a co-signature with its ledger proof.
type signWire struct {
	Origin    string          `json:"origin"`
	Initiator string          `json:"initiator"`
	SHA256    string          `json:"sha256"`
	Cosign    json.RawMessage `json:"cosign"`
	Ledger    LedgerProof     `json:"ledger"`
}

// answerWire names a statement for a decline, a withdrawal or a retraction.
type answerWire struct {
	Origin    string `json:"origin"`
	Initiator string `json:"initiator"`
	SHA256    string `json:"sha256"`
}

// publishWire carries the published bundle.
type publishWire struct {
	Origin    string          `json:"origin"`
	Initiator string          `json:"initiator"`
	Bundle    json.RawMessage `json:"bundle"`
}

func malformedStmt(what string) error {
	return &core.Error{Kind: core.KindInvalid, Op: "statements: receive", Message: "err.form", Err: errors.New("malformed " + what)}
}

// invite sends the invitations, in the transaction that records the
// initiator's proven signature.
func (s *Statements) invite(ctx context.Context, tx *store.Tx, st Statement, g Signer, p LedgerProof) error {
	w := inviteWire{Text: st.Text, SHA256: st.SHA256, InitiatorName: st.InitiatorName, PublishMode: st.PublishMode, PublishAt: st.PublishAt,
		Cosign: json.RawMessage(g.Cosign), Ledger: p}
	for _, i := range st.Invitees() {
		w.Invited = append(w.Invited, invitee{Signer: i.Signer, Name: i.Name, Country: i.Country})
	}
	handle, _, _ := federation.Address(st.Initiator)
	for _, i := range st.Invitees() {
		if !s.remote(i) {
			if s.notify != nil && i.OrgID != "" {
				if err := s.notify.NotifyOrg(ctx, tx, i.OrgID, []core.Role{core.RoleAdmin}, notify.StatementInvited, "/statements/"+st.ID,
					notify.Args{"from": st.InitiatorName, "title": st.Title}); err != nil {
					return err
				}
			}
			continue
		}
		if _, err := s.fed.Send(ctx, tx, federation.Outgoing{Type: TypeStmtInvite, From: handle, To: i.Signer, TLP: core.TLPAmber, Payload: w}); err != nil {
			return err
		}
	}
	return nil
}

// Receive implements federation.Handler. A node speaks only for its own
// organisations: an invitation, a retraction and a publication are
// believed only from the initiator's node, a signature or an answer only
// from the invited organisation's.
func (s *Statements) Receive(ctx context.Context, tx *store.Tx, env federation.Envelope, payload []byte) error {
	switch env.Type {
	case TypeStmtInvite:
		var w inviteWire
		if err := strictDecode(payload, &w); err != nil {
			return malformedStmt("invitation")
		}
		return s.receiveInvite(ctx, tx, env, w)
	case TypeStmtSign:
		var w signWire
		if err := strictDecode(payload, &w); err != nil {
			return malformedStmt("signature")
		}
		return s.receiveSign(ctx, tx, env, w)
	case TypeStmtDecline, TypeStmtWithdraw, TypeStmtRetract:
		var w answerWire
		if err := strictDecode(payload, &w); err != nil {
			return malformedStmt("answer")
		}
		return s.receiveAnswer(ctx, tx, env, w)
	case TypeStmtPublish:
		var w publishWire
		if err := strictDecode(payload, &w); err != nil {
			return malformedStmt("publication")
		}
		return s.receivePublish(ctx, tx, env, w)
	}
	return malformedStmt("type " + env.Type)
}

var _ federation.Handler = (*Statements)(nil)

// checkCosign verifies a co-signature by signer over sum with the key this
// node holds for the signer's node, and its ledger proof.
func (s *Statements) checkCosign(ctx context.Context, raw []byte, p LedgerProof, signer, sum string) (Cosign, error) {
	var c Cosign
	_, host, ok := federation.Address(signer)
	if !ok {
		return c, malformedStmt("signer")
	}
	key, err := s.fed.PeerKey(ctx, host)
	if err != nil {
		return c, err
	}
	body, err := federation.VerifyStatement(CosignContext, raw, key)
	if err != nil || strictDecode(body, &c) != nil {
		return c, malformedStmt("co-signature")
	}
	if c.Statement != sum || c.Signer != signer || c.Node != host {
		return c, malformedStmt("co-signature's text or signer")
	}
	if err := verifyProof(p, host, key, ledger.KindCosign, ledger.Digest(raw)); err != nil {
		return c, malformedStmt("co-signature's ledger proof: " + err.Error())
	}
	return c, nil
}

func (s *Statements) receiveInvite(ctx context.Context, tx *store.Tx, env federation.Envelope, w inviteWire) error {
	t, err := ParseText([]byte(w.Text))
	if err != nil {
		return malformedStmt("text: " + err.Error())
	}
	sum := TextHash([]byte(w.Text))
	if sum != w.SHA256 || t.Initiator != env.From || !core.ValidID(t.Origin) || len(w.Invited) == 0 || len(w.Invited) > 200 {
		return malformedStmt("invitation's text, hash or initiator")
	}
	if !slices.ContainsFunc(w.Invited, func(i invitee) bool { return i.Signer == env.To }) {
		return malformedStmt("invitation's addressee")
	}
	toHandle, _, _ := federation.Address(env.To)
	to, err := s.localOrg(ctx, tx.Conn, toHandle)
	if err != nil {
		return &core.Error{Kind: core.KindNotFound, Message: "err.recipient_unknown"}
	}
	c, err := s.checkCosign(ctx, w.Cosign, w.Ledger, t.Initiator, sum)
	if err != nil {
		return err
	}
	if w.PublishMode != PublishByInitiator && w.PublishMode != PublishAt {
		return malformedStmt("publish mode")
	}
	st, err := s.byOrigin(ctx, tx.Conn, t.Initiator, t.Origin)
	switch {
	case err == nil:
		if st.SHA256 != sum {
			return malformedStmt("invitation: another text under the same id")
		}
		_, err = tx.Exec(ctx, `UPDATE inc_statement_signers SET org_id = ?, updated_at = ? WHERE statement_id = ? AND signer = ?`, to.ID, tx.Now, st.ID, env.To)
		if err != nil {
			return core.Wrap("statements: invite", err)
		}
	case core.KindOf(err) == core.KindNotFound:
		st = Statement{ID: core.NewID(tx.Now), OriginID: t.Origin, Initiator: t.Initiator, InitiatorName: w.InitiatorName, Country: t.Country,
			Title: t.Title, Body: t.Body, Language: t.Language, Actor: t.Actor, State: StatementOpen, PublishMode: w.PublishMode, PublishAt: w.PublishAt,
			Text: w.Text, SHA256: sum, CreatedAt: tx.Now, OpenedAt: &env.Created, UpdatedAt: tx.Now}
		if t.Incident != nil {
			st.Incident = t.Incident.String()
		}
		if tr := t.Translation; tr != nil {
			st.TrLanguage, st.TrTitle, st.TrBody = tr.Language, tr.Title, tr.Body
		}
		if err := insertStatement(ctx, tx, st); err != nil {
			return err
		}
		pj, _ := json.Marshal(w.Ledger)
		_, host, _ := federation.Address(t.Initiator)
		idx := w.Ledger.Index
		if err := insertSigner(ctx, tx, Signer{StatementID: st.ID, Signer: t.Initiator, Name: c.Name, Country: c.Country, Node: host, State: SignerSigned,
			Cosign: string(w.Cosign), LedgerIndex: &idx, Ledger: string(pj), SignedAt: &c.SignedAt}); err != nil {
			return err
		}
		for _, i := range w.Invited {
			_, h, ok := federation.Address(i.Signer)
			if !ok || i.Signer == t.Initiator {
				return malformedStmt("invited address")
			}
			g := Signer{StatementID: st.ID, Signer: i.Signer, Name: i.Name, Country: i.Country, Node: h, State: SignerInvited}
			if i.Signer == env.To {
				g.OrgID = to.ID
			}
			if err := insertSigner(ctx, tx, g); err != nil {
				return err
			}
		}
	default:
		return err
	}
	// The incident it names, if this node holds it and the invited
	// organisation may see it, is linked to it (once: a second invitation
	// of another organisation here may see what the first did not).
	if err := s.linkIncident(ctx, tx, st, to); err != nil {
		return err
	}
	if s.notify == nil {
		return nil
	}
	return s.notify.NotifyOrg(ctx, tx, to.ID, []core.Role{core.RoleAdmin}, notify.StatementInvited, "/statements/"+st.ID,
		notify.Args{"from": w.InitiatorName, "title": t.Title})
}

func (s *Statements) receiveSign(ctx context.Context, tx *store.Tx, env federation.Envelope, w signWire) error {
	st, err := s.byOrigin(ctx, tx.Conn, env.To, w.Origin)
	if err != nil || !st.Local() || w.Initiator != st.Initiator || w.SHA256 != st.SHA256 {
		return malformedStmt("signature's statement")
	}
	i := slices.IndexFunc(st.Signers, func(g Signer) bool { return g.Signer == env.From })
	if i < 0 || env.From == st.Initiator {
		return malformedStmt("signature's signer")
	}
	if st.State != StatementOpen {
		return nil // too late: the statement was published or taken back without it
	}
	c, err := s.checkCosign(ctx, w.Cosign, w.Ledger, env.From, st.SHA256)
	if err != nil {
		return err
	}
	pj, _ := json.Marshal(w.Ledger)
	if _, err := tx.Exec(ctx, `UPDATE inc_statement_signers SET state = ?, cosign = ?, ledger_index = ?, ledger = ?, signed_at = ?, name = ?, updated_at = ? WHERE statement_id = ? AND signer = ?`,
		SignerSigned, string(w.Cosign), w.Ledger.Index, string(pj), c.SignedAt, c.Name, tx.Now, st.ID, env.From); err != nil {
		return core.Wrap("statements: receive signature", err)
	}
	if s.notify == nil {
		return nil
	}
	return s.notify.NotifyOrg(ctx, tx, st.OrgID, []core.Role{core.RoleAdmin, core.RoleOfficer}, notify.StatementAnswered, "/statements/"+st.ID,
		notify.Args{"by": c.Name, "title": st.Title})
}

func (s *Statements) receiveAnswer(ctx context.Context, tx *store.Tx, env federation.Envelope, w answerWire) error {
	if env.Type == TypeStmtRetract {
		st, err := s.byOrigin(ctx, tx.Conn, env.From, w.Origin)
		if err != nil || w.Initiator != env.From || st.Local() {
			return malformedStmt("retraction's statement")
		}
		if st.State == StatementOpen {
			_, err = tx.Exec(ctx, `UPDATE inc_statements SET state = ?, updated_at = ? WHERE id = ?`, StatementWithdrawn, tx.Now, st.ID)
		}
		return core.Wrap("statements: retraction", err)
	}
	st, err := s.byOrigin(ctx, tx.Conn, env.To, w.Origin)
	if err != nil || !st.Local() || w.SHA256 != st.SHA256 {
		return malformedStmt("answer's statement")
	}
	i := slices.IndexFunc(st.Signers, func(g Signer) bool { return g.Signer == env.From })
	if i < 0 || env.From == st.Initiator {
		return malformedStmt("answer's signer")
	}
	if st.State != StatementOpen {
		return nil
	}
	to := map[string]string{TypeStmtDecline: SignerDeclined, TypeStmtWithdraw: SignerWithdrawn}[env.Type]
	// A withdrawn signature is no longer the initiator's to publish.
	_, err = tx.Exec(ctx, `UPDATE inc_statement_signers SET state = ?, cosign = CASE WHEN ? THEN '' ELSE cosign END, ledger = CASE WHEN ? THEN '' ELSE ledger END, updated_at = ? WHERE statement_id = ? AND signer = ?`,
		to, to == SignerWithdrawn, to == SignerWithdrawn, tx.Now, st.ID, env.From)
	if err != nil {
		return core.Wrap("statements: answer", err)
	}
	if s.notify == nil {
		return nil
	}
	return s.notify.NotifyOrg(ctx, tx, st.OrgID, []core.Role{core.RoleAdmin, core.RoleOfficer}, notify.StatementAnswered, "/statements/"+st.ID,
		notify.Args{"by": st.Signers[i].Name, "title": st.Title})
}

// receivePublish verifies the bundle with the keys this node holds for
// the nodes it names (those it does not know rest on the initiator's
// node, which verified them) before it shows the statement as published.
func (s *Statements) receivePublish(ctx context.Context, tx *store.Tx, env federation.Envelope, w publishWire) error {
	st, err := s.byOrigin(ctx, tx.Conn, env.From, w.Origin)
	if err != nil || w.Initiator != env.From || st.Local() {
		return malformedStmt("publication's statement")
	}
	bu, err := ParseBundle(w.Bundle)
	if err != nil {
		return malformedStmt("bundle: " + err.Error())
	}
	given := map[string]ed25519.PublicKey{}
	for _, n := range bu.Nodes {
		if k, err := s.fed.PeerKey(ctx, n.Host); err == nil {
			given[n.Host] = k
		}
	}
	_, initHost, _ := federation.Address(st.Initiator)
	if given[initHost] == nil {
		return malformedStmt("publication: the initiator's node is not a verified peer")
	}
	rep := VerifyBundle(w.Bundle, given)
	if !rep.OK() || bu.SHA256 != st.SHA256 {
		return malformedStmt("publication: the bundle does not verify")
	}
	if st.State == StatementPublished {
		return nil
	}
	var pub Publication
	body, _ := federation.VerifyStatement(PublishContext, bu.Publication, given[initHost])
	_ = json.Unmarshal(body, &pub)
	if _, err := tx.Exec(ctx, `UPDATE inc_statements SET state = ?, published_at = ?, bundle = ?, publication = ?, updated_at = ? WHERE id = ?`,
		StatementPublished, pub.PublishedAt, string(w.Bundle), string(bu.Publication), tx.Now, st.ID); err != nil {
		return core.Wrap("statements: publication", err)
	}
	// Each co-signature as published, with its proof: this node's page then
	// shows the same signatures as the initiator's.
	for _, c := range rep.Signers {
		for _, sig := range bu.Signatures {
			if sig.Signer != c.Signer || sig.Ledger == nil {
				continue
			}
			pj, _ := json.Marshal(sig.Ledger)
			if _, err := tx.Exec(ctx, `UPDATE inc_statement_signers SET state = ?, cosign = ?, ledger = ?, ledger_index = ?, signed_at = ?, updated_at = ? WHERE statement_id = ? AND signer = ?`,
				SignerSigned, string(compact(sig.Statement)), string(pj), sig.Ledger.Index, c.SignedAt, tx.Now, st.ID, c.Signer); err != nil {
				return core.Wrap("statements: publication", err)
			}
		}
	}
	if s.published != nil {
		origin := st.OriginID
		tx.AfterCommit(func() { s.published(origin) })
	}
	return nil
}
