package directory

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/ledger"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store"
)

// Nominate records a focal point's nomination, change or withdrawal of a
// point of contact as a statement signed by this node, records it in the
// ledger and sends it to the secretariat, who publishes it once accepted.
func (s *Networks) Nominate(ctx context.Context, networkID string, in NominationInput) (Nomination, error) {
	a := core.ActorFrom(ctx)
	n, err := s.network(ctx, s.db.R(), networkID)
	if err != nil {
		return Nomination{}, err
	}
	if in.Action == "" {
		in.Action = NominateAdd
	}
	in.Member = strings.ToLower(strings.TrimSpace(in.Member))
	in.Contact.Normalize()
	var org Organisation
	if in.Member != "" {
		org, err = orgByHandle(ctx, s.db.R(), in.Member)
		if err != nil && core.KindOf(err) != core.KindNotFound {
			return Nomination{}, err
		}
	}
	// Only the member's own focal point: decided before anything else is
	// looked at, so nobody learns about the directory by trying.
	if err := access.Check(a, access.Nominate, access.Resource{OrgID: org.ID}); err != nil || org.ID == "" {
		if err == nil {
			err = core.Problems{"member": "err.org_unknown"}.Err("directory: nominate")
		}
		return Nomination{}, err
	}
	memberAddr := s.addr(org.Handle)
	var isMember int
	if err := s.db.R().Get(ctx, &isMember, `SELECT COUNT(*) FROM poc_members WHERE network_id = ? AND addr = ?`, n.ID, memberAddr); err != nil {
		return Nomination{}, core.Wrap("directory: nominate", err)
	}
	p := in.validate(n)
	if isMember == 0 {
		p.Add("member", "err.not_network_member")
	}
	if in.EntryID != "" {
		var owner string
		if err := s.db.R().Get(ctx, &owner, `SELECT member_addr FROM poc_entries WHERE id = ? AND network_id = ?`, in.EntryID, n.ID); err != nil || owner != memberAddr {
			p.Add("entry_id", "err.not_found")
		}
	}
	if in.Action != NominateRemove {
		var person struct {
			Name  string `db:"name"`
			Email string `db:"email"`
			Title string `db:"title"`
		}
		if in.PersonID == "" {
			p.Add("person_id", "err.required")
		} else if err := s.db.R().Get(ctx, &person, `SELECT u.name, u.email, u.title FROM users u JOIN memberships m ON m.user_id = u.id WHERE u.id = ? AND m.org_id = ?`, in.PersonID, org.ID); err != nil {
			p.Add("person_id", "err.person_not_member")
		} else {
			// The nominee's account fills what the focal point left empty.
			if in.Name == "" {
				in.Name = person.Name
				delete(p, "name")
			}
			if in.Email == "" {
				in.Email = person.Email
				delete(p, "email")
			}
			if in.Position == "" {
				in.Position = person.Title
			}
			if in.Institution == "" {
				in.Institution = org.NameEN
			}
		}
	}
	if err := p.Err("directory: nominate"); err != nil {
		return Nomination{}, err
	}
	var out Nomination
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		st := Statement{ID: core.NewID(tx.Now), Network: n.ID, NetworkHost: n.Host, Member: memberAddr, Action: in.Action, EntryID: in.EntryID, FocalPoint: a.Name, At: tx.Now}
		if in.Action != NominateRemove {
			c := in.Contact
			st.Category, st.Deputy, st.PersonRef, st.Contact = in.Category, in.Deputy, in.PersonID, &c
		}
		signed, err := s.fed.SignStatement("directory.nomination", st)
		if err != nil {
			return err
		}
		out = Nomination{ID: st.ID, NetworkID: n.ID, OriginID: st.ID, Member: memberAddr, Action: st.Action, EntryID: st.EntryID, Category: st.Category,
			FocalPoint: a.Name, Statement: string(signed), SignedBy: s.fed.Fingerprint(), Status: NominationPending, SubmittedAt: tx.Now}
		if st.Contact != nil {
			out.Name = st.Contact.Name
		} else if err := tx.Get(ctx, &out.Name, `SELECT name FROM poc_entries WHERE network_id = ? AND id = ?`, n.ID, in.EntryID); err != nil {
			return core.Wrap("directory: nominate", err)
		}
		if err := insertNomination(ctx, tx, out); err != nil {
			return err
		}
		if _, err := s.ledger.Append(ctx, tx, ledger.Entry{Kind: ledger.KindNomination, Ref: "nomination:" + out.ID, Digest: ledger.Digest(signed)}); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, "directory.nomination."+in.Action, "nomination", out.ID, org.ID, n.ID); err != nil {
			return err
		}
		if s.Hosted(n) {
			return s.tellSecretariat(ctx, tx, n, out)
		}
		_, err = s.fed.Send(ctx, tx, federation.Outgoing{Type: TypeNomination, From: org.Handle, To: n.Secretariat, TLP: core.TLPAmber, Payload: nominationPayload{Statement: string(signed)}})
		return err
	})
	return out, err
}

type nominationPayload struct {
	Statement string `json:"statement"`
}

func insertNomination(ctx context.Context, tx *store.Tx, o Nomination) error {
	_, err := tx.Exec(ctx, `INSERT INTO poc_nominations (`+nominationColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		o.ID, o.NetworkID, o.OriginID, o.Member, o.Action, o.EntryID, o.Category, o.Name, o.FocalPoint, o.Statement, o.SignedBy, o.Status, o.SubmittedAt, o.DecidedAt, o.DecidedBy, o.Reason)
	return core.Wrap("directory: nomination", err)
}

// tellSecretariat e-mails the secretariat's admins that a nomination waits.
func (s *Networks) tellSecretariat(ctx context.Context, tx *store.Tx, n Network, o Nomination) error {
	sec, err := s.secretariatOrg(ctx, tx.Conn, n)
	if err != nil {
		return err
	}
	return s.people.NotifyOrg(ctx, tx, sec.ID, []core.Role{core.RoleAdmin}, notify.Nomination, "/networks/"+n.ID+"#pending", notify.Args{"network": n.NameEN, "network@id": n.NameID, "member": o.Member})
}

// actors are the roles that act on an organisation's requests, and so are
// told when one arrives, moves on or falls due.
var actors = []core.Role{core.RoleAdmin, core.RoleOfficer}

// receiveNomination keeps a nomination from a member's node for the
// secretariat to decide on. The statement must be signed by the sender's
// node and speak for the sending organisation only.
func (s *Networks) receiveNomination(ctx context.Context, tx *store.Tx, env federation.Envelope, payload []byte) error {
	var p nominationPayload
	if err := json.Unmarshal(payload, &p); err != nil {
		return malformed("nomination payload")
	}
	_, senderHost, _ := federation.Address(env.From)
	body, fp, err := s.fed.OpenStatement(ctx, "directory.nomination", []byte(p.Statement), senderHost)
	if err != nil {
		return &core.Error{Kind: core.KindInvalid, Message: "err.form", Err: err}
	}
	var st Statement
	if err := json.Unmarshal(body, &st); err != nil || st.ID == "" {
		return malformed("nomination")
	}
	if st.Member != env.From {
		return &core.Error{Kind: core.KindForbidden, Message: "err.forbidden", Err: errors.New("a nomination for another member")}
	}
	n, err := s.network(ctx, tx.Conn, st.Network)
	if err != nil || !s.Hosted(n) || n.Secretariat != env.To {
		return &core.Error{Kind: core.KindNotFound, Message: "err.not_found", Err: errors.New("no such network here")}
	}
	var isMember int
	if err := tx.Get(ctx, &isMember, `SELECT COUNT(*) FROM poc_members WHERE network_id = ? AND addr = ?`, n.ID, env.From); err != nil || isMember == 0 {
		return &core.Error{Kind: core.KindForbidden, Message: "err.not_network_member", Err: errors.New("not a member")}
	}
	in := NominationInput{Member: "x", Action: st.Action, EntryID: st.EntryID, Category: st.Category}
	if st.Contact != nil {
		in.Contact = *st.Contact
	}
	if len(in.validate(n)) > 0 {
		return malformed("nomination fields")
	}
	o := Nomination{ID: core.NewID(tx.Now), NetworkID: n.ID, OriginID: st.ID, Member: env.From, Action: st.Action, EntryID: st.EntryID, Category: st.Category,
		FocalPoint: trunc(st.FocalPoint, 120), Statement: p.Statement, SignedBy: fp, Status: NominationPending, SubmittedAt: tx.Now}
	if st.Contact != nil {
		o.Name = st.Contact.Name
	}
	var seen int
	if err := tx.Get(ctx, &seen, `SELECT COUNT(*) FROM poc_nominations WHERE member_addr = ? AND origin_id = ?`, o.Member, o.OriginID); err != nil {
		return core.Wrap("directory: receive nomination", err)
	}
	if seen > 0 {
		return nil
	}
	if err := insertNomination(ctx, tx, o); err != nil {
		return err
	}
	if _, err := s.ledger.Append(ctx, tx, ledger.Entry{Kind: ledger.KindNomination, Ref: "nomination:" + o.ID, Digest: ledger.Digest([]byte(p.Statement))}); err != nil {
		return err
	}
	return s.tellSecretariat(ctx, tx, n, o)
}

// Nominations lists a network's nominations: for the secretariat all of
// them, for a member's focal point its own.
func (s *Networks) Nominations(ctx context.Context, networkID, status string) ([]Nomination, error) {
	a := core.ActorFrom(ctx)
	n, err := s.network(ctx, s.db.R(), networkID)
	if err != nil {
		return nil, err
	}
	where, args := "network_id = ?", []any{n.ID}
	if s.checkManage(ctx, n) != nil {
		var addrs []string
		var rows []NetworkMember
		if err := s.db.R().Select(ctx, &rows, `SELECT network_id, addr, org_id, name_en, name_id, country, joined_at, 0 AS entries, NULL AS confirmed_at FROM poc_members WHERE network_id = ? AND org_id <> ''`, n.ID); err != nil {
			return nil, core.Wrap("directory: nominations", err)
		}
		for _, m := range rows {
			if access.Check(a, access.Nominate, access.Resource{OrgID: m.OrgID}) == nil {
				addrs = append(addrs, m.Addr)
			}
		}
		if len(addrs) == 0 {
			return nil, errOp("nominations", core.KindForbidden, "err.forbidden")
		}
		where += " AND member_addr IN (" + strings.TrimSuffix(strings.Repeat("?,", len(addrs)), ",") + ")"
		for _, ad := range addrs {
			args = append(args, ad)
		}
	}
	if status != "" {
		where += " AND status = ?"
		args = append(args, status)
	}
	var out []Nomination
	err = s.db.R().Select(ctx, &out, `SELECT `+nominationColumns+` FROM poc_nominations WHERE `+where+` ORDER BY submitted_at DESC, id DESC LIMIT 500`, args...)
	return out, core.Wrap("directory: nominations", err)
}

// Decide accepts or rejects a pending nomination. Accepting changes the
// directory and publishes a new version to every member node.
func (s *Networks) Decide(ctx context.Context, nominationID string, accept bool, reason string) error {
	a := core.ActorFrom(ctx)
	var o Nomination
	if err := s.db.R().Get(ctx, &o, `SELECT `+nominationColumns+` FROM poc_nominations WHERE id = ?`, nominationID); err != nil {
		return core.Wrap("directory: decide nomination", err)
	}
	n, err := s.network(ctx, s.db.R(), o.NetworkID)
	if err != nil {
		return err
	}
	if err := s.checkManage(ctx, n); err != nil {
		return err
	}
	reason = strings.TrimSpace(reason)
	if !accept && reason == "" {
		return core.Problems{"reason": "err.required"}.Err("directory: decide nomination")
	}
	if len(reason) > 2000 {
		return core.Problems{"reason": "err.too_long"}.Err("directory: decide nomination")
	}
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		status := NominationRejected
		if accept {
			status = NominationAccepted
		}
		c, err := tx.Exec(ctx, `UPDATE poc_nominations SET status = ?, decided_at = ?, decided_by = ?, reason = ? WHERE id = ? AND status = 'pending'`, status, tx.Now, a.Name, reason, o.ID)
		if err != nil {
			return core.Wrap("directory: decide nomination", err)
		}
		if c == 0 {
			return errOp("decide nomination", core.KindConflict, "err.already_decided")
		}
		sec, _ := s.secretariatOrg(ctx, tx.Conn, n)
		if err := audit.Record(ctx, tx, "directory.nomination."+status, "nomination", o.ID, sec.ID, o.Member); err != nil {
			return err
		}
		if accept {
			if err := s.apply(ctx, tx, n, o); err != nil {
				return err
			}
			if err := s.changed(ctx, tx, n.ID); err != nil {
				return err
			}
		}
		if s.local(o.Member) {
			return nil // the member's node is this one: the row is shared
		}
		from, _, _ := federation.Address(n.Secretariat)
		_, err = s.fed.Send(ctx, tx, federation.Outgoing{Type: TypeDecision, From: from, To: o.Member, TLP: core.TLPAmber,
			Payload: decisionPayload{OriginID: o.OriginID, Status: status, Reason: reason, By: a.Name, At: tx.Now}})
		return err
	})
}

// apply changes the directory as an accepted nomination says.
func (s *Networks) apply(ctx context.Context, tx *store.Tx, n Network, o Nomination) error {
	var body struct {
		Body json.RawMessage `json:"body"`
	}
	if err := json.Unmarshal([]byte(o.Statement), &body); err != nil {
		return core.Wrap("directory: apply nomination", err)
	}
	var st Statement
	if err := json.Unmarshal(body.Body, &st); err != nil {
		return core.Wrap("directory: apply nomination", err)
	}
	// The directory must stay one the members' nodes accept: a nomination
	// from a member since removed, or for a category since dropped, is stale.
	var isMember int
	if err := tx.Get(ctx, &isMember, `SELECT COUNT(*) FROM poc_members WHERE network_id = ? AND addr = ?`, n.ID, o.Member); err != nil {
		return core.Wrap("directory: apply nomination", err)
	}
	if isMember == 0 || (st.Action != NominateRemove && !n.HasCategory(st.Category)) {
		return errOp("apply nomination", core.KindConflict, "err.nomination_stale")
	}
	switch st.Action {
	case NominateRemove:
		_, err := tx.Exec(ctx, `DELETE FROM poc_entries WHERE id = ? AND network_id = ? AND member_addr = ?`, st.EntryID, n.ID, o.Member)
		return core.Wrap("directory: apply nomination", err)
	case NominateChange:
		c := st.Contact
		res, err := tx.Exec(ctx, `UPDATE poc_entries SET category = ?, deputy = ?, person_ref = ?, name = ?, position = ?, institution = ?, email = ?, phone = ?, secure_addr = ?,
			languages = ?, hours = ?, confirmed_at = ?, nomination = ?, signed_by = ? WHERE id = ? AND network_id = ? AND member_addr = ?`,
			st.Category, st.Deputy, st.PersonRef, c.Name, c.Position, c.Institution, c.Email, c.Phone, c.SecureAddr, c.Languages, c.Hours, tx.Now, o.Statement, o.SignedBy, st.EntryID, n.ID, o.Member)
		if err != nil {
			return core.Wrap("directory: apply nomination", err)
		}
		if res > 0 {
			return nil
		}
		// The entry was withdrawn meanwhile: the change becomes a nomination.
	}
	e := Entry{ID: core.NewID(tx.Now), Member: o.Member, Category: st.Category, Deputy: st.Deputy, PersonRef: st.PersonRef, Contact: *st.Contact,
		NominatedAt: tx.Now, ConfirmedAt: tx.Now, Nomination: o.Statement, SignedBy: o.SignedBy}
	return insertEntry(ctx, tx, n.ID, e)
}

type decisionPayload struct {
	OriginID string    `json:"origin_id"`
	Status   string    `json:"status"`
	Reason   string    `json:"reason,omitempty"`
	By       string    `json:"by"`
	At       time.Time `json:"at"`
}

// receiveDecision records the secretariat's answer to a nomination this node
// sent. Only the network's secretariat can decide.
func (s *Networks) receiveDecision(ctx context.Context, tx *store.Tx, env federation.Envelope, payload []byte) error {
	var p decisionPayload
	if err := json.Unmarshal(payload, &p); err != nil || (p.Status != NominationAccepted && p.Status != NominationRejected) {
		return malformed("decision")
	}
	var networkID string
	if err := tx.Get(ctx, &networkID, `SELECT network_id FROM poc_nominations WHERE member_addr = ? AND origin_id = ?`, env.To, p.OriginID); err != nil {
		return &core.Error{Kind: core.KindNotFound, Message: "err.not_found", Err: errors.New("no such nomination")}
	}
	n, err := s.network(ctx, tx.Conn, networkID)
	if err != nil || n.Secretariat != env.From {
		return &core.Error{Kind: core.KindForbidden, Message: "err.forbidden", Err: errors.New("not the network's secretariat")}
	}
	_, err = tx.Exec(ctx, `UPDATE poc_nominations SET status = ?, decided_at = ?, decided_by = ?, reason = ? WHERE member_addr = ? AND origin_id = ? AND status = 'pending'`,
		p.Status, p.At.UTC(), trunc(p.By, 120), trunc(p.Reason, 2000), env.To, p.OriginID)
	return core.Wrap("directory: receive decision", err)
}
