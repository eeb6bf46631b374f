package capacity

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store"
)

// Receive implements federation.Handler for the capacity.* envelopes. A
// peer is believed only about what is its own: records whose id carries
// its tag and whose owner is the organisation that sent them, proposals
// of its own offers, decisions on its own needs.
func (s *Service) Receive(ctx context.Context, tx *store.Tx, env federation.Envelope, payload []byte) error {
	switch env.Type {
	case TypeNeed, TypeOffer, TypeProject:
		return s.receiveCopy(ctx, tx, env, payload)
	case TypeProposal:
		return s.receiveProposal(ctx, tx, env, payload)
	case TypeDecision:
		return s.receiveDecision(ctx, tx, env, payload)
	}
	return malformed("type " + env.Type)
}

var _ federation.Handler = (*Service)(nil)

func malformed(what string) error {
	return &core.Error{Kind: core.KindInvalid, Message: "err.form", Err: errors.New("malformed " + what)}
}

func forbidden(why string) error {
	return &core.Error{Kind: core.KindForbidden, Message: "err.forbidden", Err: errors.New(why)}
}

// open checks the envelope's signed statement over the exact bytes
// received, as signed by the sending node for the envelope's type. It
// returns the statement as received, its body and the sending node.
func (s *Service) open(ctx context.Context, env federation.Envelope, payload []byte) (signed string, body []byte, host string, err error) {
	_, host, _ = federation.Address(env.From)
	var pl statement
	if err := json.Unmarshal(payload, &pl); err != nil {
		return "", nil, "", malformed("payload")
	}
	body, _, err = s.fed.OpenStatement(ctx, env.Type, []byte(pl.Statement), host)
	if err != nil {
		return "", nil, "", &core.Error{Kind: core.KindInvalid, Message: "err.form", Err: err}
	}
	return pl.Statement, body, host, nil
}

// decode reads a statement's body strictly: no NUL, no invalid UTF-8, no
// key twice, no field this node does not know.
func decode(what string, body []byte, v any) error {
	if err := core.CheckJSON(body); err != nil {
		return &core.Error{Kind: core.KindInvalid, Message: "err.form", Err: err}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return malformed(what + ": " + err.Error())
	}
	if dec.More() {
		return malformed(what + ": more after the object")
	}
	return nil
}

// problems turns a record's field problems into a refusal that names them.
func problems(what string, pr core.Problems) error {
	if len(pr) == 0 {
		return nil
	}
	var fs []string
	for f := range pr {
		fs = append(fs, f)
	}
	slices.Sort(fs)
	return malformed(what + ": " + strings.Join(fs, ", "))
}

// kindOf is the kind of record an envelope type carries, and its table.
func kindOf(typ string) (kind, table string) {
	switch typ {
	case TypeOffer:
		return kindOffer, "cap_offers"
	case TypeProject:
		return kindProject, "cap_projects"
	}
	return kindNeed, "cap_needs"
}

// checkCopy reads a copy that the organisation from on the node host sent
// in an envelope of type typ, and checks all that needs no database: the
// record is the node's own (its id carries the node's tag, its owner is
// the sender) and well formed.
func checkCopy(typ, host, from string, body []byte) (recordCopy, error) {
	var c recordCopy
	if err := decode(typ, body, &c); err != nil {
		return c, err
	}
	kind, _ := kindOf(typ)
	if !federation.HostedID(c.ID, host) {
		return c, forbidden("a " + kind + " made elsewhere")
	}
	if c.Withdrawn {
		if c.Need != nil || c.Offer != nil || c.Project != nil {
			return c, malformed("a withdrawal with a record")
		}
		return c, nil
	}
	if c.Rev < 1 {
		return c, malformed("copy rev")
	}
	switch kind {
	case kindNeed:
		n := c.Need
		if n == nil || n.ID != c.ID || c.Offer != nil || c.Project != nil {
			return c, malformed("need copy")
		}
		if err := checkOwned(from, n.Owner, host); err != nil {
			return c, err
		}
		if err := problems("need", n.Validate()); err != nil {
			return c, err
		}
		if !slices.Contains([]string{NeedOpen, NeedMatched, NeedClosed}, n.Status) {
			return c, malformed("need status")
		}
		if n.ProjectID != "" && !federation.HostedID(n.ProjectID, host) {
			return c, malformed("need project")
		}
		n.OrgID, n.Origin = "", host
	case kindOffer:
		o := c.Offer
		if o == nil || o.ID != c.ID || c.Need != nil || c.Project != nil {
			return c, malformed("offer copy")
		}
		if err := checkOwned(from, o.Owner, host); err != nil {
			return c, err
		}
		if err := problems("offer", o.Validate()); err != nil {
			return c, err
		}
		o.OrgID, o.Origin = "", host
	case kindProject:
		p := c.Project
		if p == nil || p.ID != c.ID || c.Need != nil || c.Offer != nil {
			return c, malformed("project copy")
		}
		if err := checkOwned(from, p.Owner, host); err != nil {
			return c, err
		}
		if err := problems("project", p.Validate()); err != nil {
			return c, err
		}
		p.OrgID, p.Origin = "", host
	}
	return c, nil
}

// receiveCopy keeps a peer's copy of its need, offer or project, or drops
// what it withdrew.
func (s *Service) receiveCopy(ctx context.Context, tx *store.Tx, env federation.Envelope, payload []byte) error {
	_, body, host, err := s.open(ctx, env, payload)
	if err != nil {
		return err
	}
	c, err := checkCopy(env.Type, host, env.From, body)
	if err != nil {
		return err
	}
	kind, table := kindOf(env.Type)
	if err := notAhead(c.ID, tx.Now); err != nil {
		return err
	}
	// Take the row first: two copies of the record delivered at once
	// land one after the other, the newer last.
	if _, err := tx.Exec(ctx, `UPDATE `+table+` SET rev = rev WHERE id = ?`, c.ID); err != nil {
		return core.Wrap("capacity: receive copy", err)
	}
	var held struct {
		Origin string `db:"origin"`
		Rev    int64  `db:"rev"`
	}
	err = tx.Get(ctx, &held, `SELECT origin, rev FROM `+table+` WHERE id = ?`, c.ID)
	exists := err == nil
	if err != nil && core.KindOf(err) != core.KindNotFound {
		return core.Wrap("capacity: receive copy", err)
	}
	if exists && held.Origin != host {
		return forbidden("a " + kind + " of another node")
	}
	if exists && held.Rev >= c.Rev {
		return nil // a late copy: this node holds a newer one
	}
	if c.Withdrawn {
		if !exists {
			return nil
		}
		// Kept, since proposals may refer to it, but shown to no one
		// here: no organisation of this node owns it, and it is neither
		// public nor shared any more.
		if _, err := tx.Exec(ctx, `UPDATE `+table+` SET visibility = 'withdrawn', shared_with = '[]', rev = ? WHERE id = ?`, c.Rev, c.ID); err != nil {
			return core.Wrap("capacity: withdraw copy", err)
		}
		shares := map[string][2]string{kindNeed: {"cap_need_shares", "need_id"}, kindOffer: {"cap_offer_shares", "offer_id"}, kindProject: {"cap_shares", "project_id"}}[kind]
		if _, err := tx.Exec(ctx, `DELETE FROM `+shares[0]+` WHERE `+shares[1]+` = ?`, c.ID); err != nil {
			return core.Wrap("capacity: withdraw copy", err)
		}
		return nil
	}
	save := func() error {
		switch kind {
		case kindNeed:
			return saveNeed(ctx, tx, *c.Need, !exists)
		case kindOffer:
			return saveOffer(ctx, tx, *c.Offer, !exists)
		}
		return saveProject(ctx, tx, *c.Project, !exists)
	}
	if exists {
		err = save()
	} else if err = tx.Savepoint(ctx, save); core.KindOf(err) == core.KindConflict && holds(ctx, tx, table, c.ID) {
		// Another envelope (a proposal carrying the same offer) stored
		// the record between the read above and this insert: it exists
		// now, and this copy is weighed against it.
		return s.receiveCopy(ctx, tx, env, payload)
	}
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `UPDATE `+table+` SET rev = ? WHERE id = ?`, c.Rev, c.ID)
	return core.Wrap("capacity: receive copy", err)
}

// maxOpenProposals is how many proposals from one peer may wait for one
// need.
const maxOpenProposals = 20

// notAhead refuses an id made later than now (with a day's leeway for
// clocks): lists show the newest id first, and a peer's id from the
// future would stay at their top.
func notAhead(id string, now time.Time) error {
	t, err := core.IDTime(id[:min(len(id), 26)])
	if err != nil || t.After(now.Add(24*time.Hour)) {
		return malformed("an id made in the future")
	}
	return nil
}

// checkOwned wants a record's owner to be the organisation that sent it
// (from), on the sending node.
func checkOwned(from, owner, host string) error {
	if owner != from {
		return forbidden("a record owned by " + owner + " sent by " + from)
	}
	if _, h, ok := federation.Address(owner); !ok || h != host {
		return forbidden("an owner on another node")
	}
	return nil
}

// checkProposal reads a proposal that the organisation from on the node
// host sent, and checks all that needs no database: the proposal and its
// offer are the sender's own, and well formed.
func checkProposal(host, from string, body []byte) (proposalMsg, error) {
	var m proposalMsg
	if err := decode(TypeProposal, body, &m); err != nil {
		return m, err
	}
	switch {
	case !federation.HostedID(m.ID, host) || !federation.HostedID(m.Offer.ID, host):
		return m, forbidden("a proposal or offer made elsewhere")
	case m.Proposer != from:
		return m, forbidden("a proposal by " + m.Proposer + " sent by " + from)
	case m.Need == "" || len(m.Need) > 100:
		return m, malformed("proposal need")
	}
	if err := checkOwned(from, m.Offer.Owner, host); err != nil {
		return m, err
	}
	if err := problems("offer", m.Offer.Validate()); err != nil {
		return m, err
	}
	pr := core.Problems{}
	m.Note = strings.TrimSpace(m.Note)
	text(pr, "note", m.Note, maxText, false)
	return m, problems("proposal", pr)
}

// checkDecision reads a decision that the node host sent, and checks all
// that needs no database.
func checkDecision(host string, body []byte) (decisionMsg, error) {
	var m decisionMsg
	if err := decode(TypeDecision, body, &m); err != nil {
		return m, err
	}
	switch {
	case m.Status != Accepted && m.Status != Declined:
		return m, malformed("decision status")
	case m.Reason != "" && (m.Reason != ReasonMatched && m.Reason != ReasonClosed || m.Status != Declined):
		return m, malformed("decision reason")
	case (m.Status == Accepted) != (m.Project != "") || (m.Project != "" && !federation.HostedID(m.Project, host)):
		return m, malformed("decision project")
	}
	return m, nil
}

// receiveProposal records a donor's proposal for a need of this node. A
// need that is no longer open is answered at once with a decline; a need
// the donor may not see is refused, as if it did not exist.
func (s *Service) receiveProposal(ctx context.Context, tx *store.Tx, env federation.Envelope, payload []byte) error {
	signed, body, host, err := s.open(ctx, env, payload)
	if err != nil {
		return err
	}
	m, err := checkProposal(host, env.From, body)
	if err != nil {
		return err
	}
	o := m.Offer
	if err := notAhead(m.ID, tx.Now); err != nil {
		return err
	}
	if err := notAhead(o.ID, tx.Now); err != nil {
		return err
	}
	// Take the need's row first: a decision on it waits for this
	// proposal, or this one sees the need as decided.
	if _, err := tx.Exec(ctx, `UPDATE cap_needs SET rev = rev WHERE id = ? AND origin = ''`, m.Need); err != nil {
		return core.Wrap("capacity: receive proposal", err)
	}
	var r needRow
	if err := tx.Get(ctx, &r, `SELECT `+needCols+` FROM cap_needs n WHERE n.id = ? AND n.origin = '' AND (n.visibility = 'public'
		OR (n.visibility = 'shared' AND EXISTS (SELECT 1 FROM cap_need_shares s WHERE s.need_id = n.id AND s.addr = ?)))`, m.Need, m.Proposer); err != nil {
		if core.KindOf(err) == core.KindNotFound {
			return &core.Error{Kind: core.KindNotFound, Message: "err.not_found", Err: errors.New("no need " + m.Need + " that " + m.Proposer + " may see")}
		}
		return core.Wrap("capacity: receive proposal", err)
	}
	n, err := r.need()
	if err != nil {
		return err
	}
	if err := s.keepOffer(ctx, tx, o, host, n.Owner); err != nil {
		return err
	}
	// A peer's open proposals for one need are bounded: each one e-mails
	// the state's people.
	var open int
	if err := tx.Get(ctx, &open, `SELECT COUNT(*) FROM cap_proposals WHERE need_id = ? AND origin = ? AND status = 'proposed'`, n.ID, host); err != nil {
		return core.Wrap("capacity: receive proposal", err)
	}
	if open >= maxOpenProposals {
		return &core.Error{Kind: core.KindConflict, Message: "err.cap_proposed_already", Err: fmt.Errorf("%d proposals from %s wait for this need already", open, host)}
	}
	var dup int
	if err := tx.Get(ctx, &dup, `SELECT COUNT(*) FROM cap_proposals WHERE id = ? OR (need_id = ? AND offer_id = ?)`, m.ID, n.ID, o.ID); err != nil {
		return core.Wrap("capacity: receive proposal", err)
	}
	if dup > 0 {
		return &core.Error{Kind: core.KindConflict, Message: "err.cap_proposed_already", Err: errors.New("the offer was proposed for this need already")}
	}
	p := Proposal{ID: m.ID, NeedID: n.ID, OfferID: o.ID, Proposer: m.Proposer, Note: m.Note, Status: Proposed, CreatedAt: tx.Now, Origin: host, Statement: signed}
	if _, err := tx.Exec(ctx, `INSERT INTO cap_proposals (id, need_id, offer_id, org_id, proposer, note, status, created_at, origin, statement) VALUES (?, ?, ?, '', ?, ?, ?, ?, ?, ?)`,
		p.ID, p.NeedID, p.OfferID, p.Proposer, p.Note, p.Status, p.CreatedAt, p.Origin, p.Statement); err != nil {
		return core.Wrap("capacity: receive proposal", err)
	}
	if n.Status != NeedOpen {
		p.OfferTitle = o.Title
		return s.answer(ctx, tx, n, &p, Declined, ReasonClosed, "")
	}
	return s.tell(ctx, tx, n.OrgID, notify.CapacityProposal, "/capacity/needs/"+n.ID+"#proposals", notify.Args{"need": n.Title, "offer": o.Title, "from": m.Proposer})
}

// keepOffer keeps the offer that came with a proposal as its node's copy,
// seen at least by the need's organisation (whatever else it is shared
// with); a newer copy already held stays.
func (s *Service) keepOffer(ctx context.Context, tx *store.Tx, o Offer, host, needOwner string) error {
	var held struct {
		Origin string `db:"origin"`
	}
	err := tx.Get(ctx, &held, `SELECT origin FROM cap_offers WHERE id = ?`, o.ID)
	if err != nil && core.KindOf(err) != core.KindNotFound {
		return core.Wrap("capacity: keep offer", err)
	}
	if err == nil {
		if held.Origin != host {
			return forbidden("an offer of another node")
		}
		_, err := tx.Exec(ctx, `INSERT INTO cap_offer_shares (offer_id, addr) VALUES (?, ?) ON CONFLICT (offer_id, addr) DO NOTHING`, o.ID, needOwner)
		if err != nil {
			return core.Wrap("capacity: keep offer", err)
		}
		_, err = tx.Exec(ctx, `UPDATE cap_offers SET visibility = 'shared' WHERE id = ? AND visibility = 'withdrawn'`, o.ID)
		return core.Wrap("capacity: keep offer", err)
	}
	kept := o
	o.OrgID, o.Origin = "", host
	if o.Visibility != Public {
		o.Visibility = Shared
		if !slices.Contains(o.SharedWith, needOwner) {
			o.SharedWith = append(o.SharedWith, needOwner)
		}
	}
	err = tx.Savepoint(ctx, func() error { return saveOffer(ctx, tx, o, true) })
	if core.KindOf(err) == core.KindConflict && holds(ctx, tx, "cap_offers", o.ID) {
		// The offer's own copy arrived in another envelope between the
		// read above and this insert (PostgreSQL runs them side by side):
		// it is held now, and kept as held.
		return s.keepOffer(ctx, tx, kept, host, needOwner)
	}
	return err
}

// receiveDecision records the need's state's answer to a proposal this
// node sent.
func (s *Service) receiveDecision(ctx context.Context, tx *store.Tx, env federation.Envelope, payload []byte) error {
	signed, body, host, err := s.open(ctx, env, payload)
	if err != nil {
		return err
	}
	m, err := checkDecision(host, body)
	if err != nil {
		return err
	}
	var p Proposal
	err = tx.Get(ctx, &p, `SELECT `+proposalCols+` FROM cap_proposals p JOIN cap_offers o ON o.id = p.offer_id JOIN cap_needs n ON n.id = p.need_id
		WHERE p.id = ? AND p.need_id = ? AND p.origin = '' AND n.origin = ? AND n.owner = ?`, m.Proposal, m.Need, host, env.From)
	if err != nil {
		if core.KindOf(err) == core.KindNotFound {
			return forbidden("no proposal " + m.Proposal + " of this node for a need of " + env.From)
		}
		return core.Wrap("capacity: receive decision", err)
	}
	if p.Status != Proposed {
		return nil // answered already: the first answer stands
	}
	now := tx.Now
	if _, err := tx.Exec(ctx, `UPDATE cap_proposals SET status = ?, reason = ?, project_id = ?, decided_at = ?, decision_statement = ? WHERE id = ?`,
		m.Status, m.Reason, m.Project, now, signed, p.ID); err != nil {
		return core.Wrap("capacity: receive decision", err)
	}
	var need struct {
		Title string `db:"title"`
	}
	if err := tx.Get(ctx, &need, `SELECT title FROM cap_needs WHERE id = ?`, p.NeedID); err != nil {
		return core.Wrap("capacity: receive decision", err)
	}
	k, path := notify.CapacityDeclined, "/capacity/needs/"+p.NeedID+"#proposals"
	if m.Status == Accepted {
		k, path = notify.CapacityAccepted, "/capacity/projects/"+m.Project
	}
	return s.tell(ctx, tx, p.OrgID, k, path, notify.Args{"need": need.Title, "offer": p.OfferTitle})
}

// tell e-mails the writers of a local organisation, when there is one and
// a notifier.
func (s *Service) tell(ctx context.Context, tx *store.Tx, orgID string, k notify.Kind, path string, args notify.Args) error {
	if s.notify == nil || orgID == "" {
		return nil
	}
	return s.notify.NotifyOrg(ctx, tx, orgID, []core.Role{core.RoleAdmin, core.RoleOfficer, core.RoleAnalyst}, k, path, args)
}

// answer decides a proposal for a need of this node: the row, and for a
// donor on a peer the signed decision to its node; the donor's
// organisation here is told. The caller holds the need's row.
func (s *Service) answer(ctx context.Context, tx *store.Tx, n Need, p *Proposal, status, reason, project string) error {
	now := tx.Now
	p.Status, p.Reason, p.ProjectID, p.DecidedAt = status, reason, project, &now
	owed := 0
	if p.Origin != "" {
		m := decisionMsg{Proposal: p.ID, Need: n.ID, Status: status, Reason: reason, Project: project}
		signed, err := s.signedStatement(TypeDecision, m)
		if err != nil {
			return err
		}
		p.Decision = signed
		from, _, _ := federation.Address(n.Owner)
		err = s.sendStatement(ctx, tx, TypeDecision, from, p.Proposer, signed)
		switch {
		case errors.Is(err, federation.ErrPeerNotVerified):
			owed = 1 // Sync sends it once the donor's node is verified again
		case err != nil:
			return err
		}
	}
	if _, err := tx.Exec(ctx, `UPDATE cap_proposals SET status = ?, reason = ?, project_id = ?, decided_at = ?, decision_statement = ?, answer_owed = ? WHERE id = ?`,
		p.Status, p.Reason, p.ProjectID, now, p.Decision, owed, p.ID); err != nil {
		return core.Wrap("capacity: decide", err)
	}
	if p.Origin != "" {
		return nil // the donor's node tells its people
	}
	k, path := notify.CapacityDeclined, "/capacity/needs/"+n.ID+"#proposals"
	if status == Accepted {
		k, path = notify.CapacityAccepted, "/capacity/projects/"+project
	}
	return s.tell(ctx, tx, p.OrgID, k, path, notify.Args{"need": n.Title, "offer": p.OfferTitle})
}

// holds reports whether the table (a caller's constant) holds the record
// now: after a conflicting insert, whether another envelope stored it, so
// that receiving again takes the path for a held record, once.
func holds(ctx context.Context, tx *store.Tx, table, id string) bool {
	var n int
	return tx.Get(ctx, &n, `SELECT COUNT(*) FROM `+table+` WHERE id = ?`, id) == nil && n == 1
}
