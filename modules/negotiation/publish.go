package negotiation

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/jobs"
	"entente.example/entente/internal/ledger"
	"entente.example/entente/internal/store"
)

// TypeProcess is the envelope type of a process's signed copy.
const TypeProcess = "negotiation.process"

// snapshot is the signed copy a chair's node sends: the process and the
// paragraphs of every issued revision, so members can compare any two.
type snapshot struct {
	Process   Process           `json:"process"`
	Revisions []revisionPayload `json:"revisions,omitempty"`
}

type revisionPayload struct {
	Text       string      `json:"text"`
	N          int         `json:"n"`
	At         time.Time   `json:"at"`
	Paragraphs []Paragraph `json:"paragraphs"`
}

// changed schedules a signed copy. The changes of one second make one copy:
// a chair deciding twenty amendments sends each node a few, not twenty.
func (s *Service) changed(ctx context.Context, tx *store.Tx, id string) error {
	slot := tx.Now.Truncate(time.Second).Add(time.Second)
	return s.jobs.Enqueue(ctx, tx, jobPublish, publishJob{Process: id},
		jobs.Options{RunAt: slot, UniqueKey: jobPublish + ":" + id + ":" + slot.Format(time.RFC3339)})
}

type publishJob struct {
	Process string `json:"process"`
}

func (s *Service) publishJob(ctx context.Context, b []byte) error {
	var j publishJob
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	err := s.db.WithTx(ctx, func(tx *store.Tx) error { return s.publish(ctx, tx, j.Process) })
	if core.KindOf(err) == core.KindNotFound {
		return nil
	}
	return err
}

// publish signs the current version, records it in the ledger and sends it
// to every other participating node. A node that holds only stakeholders
// gets the process without its texts: the state text never reaches it.
func (s *Service) publish(ctx context.Context, tx *store.Tx, id string) error {
	p, ver, err := s.load(ctx, tx.Conn, id)
	if err != nil {
		return err
	}
	var published int
	if err := tx.Get(ctx, &published, `SELECT published FROM neg_processes WHERE id = ?`, id); err != nil {
		return core.Wrap("negotiation: publish", err)
	}
	if p.Host != s.fed.Host() || published >= ver {
		return nil
	}
	full := snapshot{Process: *p}
	var rows []struct {
		Text       string    `db:"text_id"`
		N          int       `db:"n"`
		At         time.Time `db:"issued_at"`
		Paragraphs string    `db:"paragraphs"`
	}
	if err := tx.Select(ctx, &rows, `SELECT text_id, n, issued_at, paragraphs FROM neg_revisions WHERE process_id = ? ORDER BY text_id, n`, id); err != nil {
		return core.Wrap("negotiation: publish", err)
	}
	for _, r := range rows {
		rp := revisionPayload{Text: r.Text, N: r.N, At: r.At}
		if err := json.Unmarshal([]byte(r.Paragraphs), &rp.Paragraphs); err != nil {
			return core.Wrap("negotiation: publish", err)
		}
		full.Revisions = append(full.Revisions, rp)
	}
	signed, err := s.fed.SignStatement("negotiation.process", full)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE neg_processes SET published = ?, signed = ?, signed_by = ? WHERE id = ?`, ver, string(signed), s.fed.Fingerprint(), id); err != nil {
		return core.Wrap("negotiation: publish", err)
	}
	if _, err := s.ledger.Append(ctx, tx, ledger.Entry{Kind: ledger.KindPublished, Ref: "negotiation:" + id + ":v" + itoa(ver), Digest: ledger.Digest(signed)}); err != nil {
		return err
	}
	var stripped []byte
	from := p.InRole(RoleSecretariat)[0].Addr
	handle, _, _ := federation.Address(from)
	sent := map[string]bool{s.fed.Host(): true}
	for _, x := range p.Parties {
		_, host, _ := federation.Address(x.Addr)
		if sent[host] {
			continue
		}
		sent[host] = true
		body := signed
		if !slices.ContainsFunc(p.Parties, func(y Party) bool {
			_, h, _ := federation.Address(y.Addr)
			return h == host && y.Role != RoleStakeholder
		}) {
			if stripped == nil {
				c := *p
				c.Texts, c.Stripped = nil, true
				if stripped, err = s.fed.SignStatement("negotiation.process", snapshot{Process: c}); err != nil {
					return err
				}
			}
			body = stripped
		}
		if _, err := s.fed.Send(ctx, tx, federation.Outgoing{Type: TypeProcess, From: handle, To: x.Addr, TLP: core.TLPAmber, Payload: actPayload{Statement: string(body)}}); err != nil {
			// A peer no longer verified gets the next version once it is.
			if core.KindOf(err) == core.KindInvalid {
				continue
			}
			return err
		}
	}
	return nil
}

// receiveProcess keeps a peer's signed copy of a process it hosts. The
// sender is believed only about processes it hosts (the id carries its
// tag) and only if one of this node's organisations takes part.
func (s *Service) receiveProcess(ctx context.Context, tx *store.Tx, env federation.Envelope, payload []byte) error {
	var pl actPayload
	if err := json.Unmarshal(payload, &pl); err != nil {
		return malformed("process payload")
	}
	_, host, _ := federation.Address(env.From)
	body, fp, err := s.fed.OpenStatement(ctx, "negotiation.process", []byte(pl.Statement), host)
	if err != nil {
		return &core.Error{Kind: core.KindInvalid, Message: "err.form", Err: err}
	}
	var sn snapshot
	if err := json.Unmarshal(body, &sn); err != nil {
		return malformed("process")
	}
	p := &sn.Process
	if p.Host != host || len(p.ID) < 9 || p.ID[len(p.ID)-8:] != hostTag(host) {
		return &core.Error{Kind: core.KindForbidden, Message: "err.forbidden", Err: errors.New("a process hosted elsewhere")}
	}
	if p.Stripped && len(p.Texts) > 0 {
		return malformed("stakeholders' copy with texts")
	}
	if err := p.wellFormed(host); err != nil {
		return malformed("process: " + err.Error())
	}
	// This node's organisations must be what the copy says they are: a
	// delegation a state, a stakeholder not. A node holding only
	// stakeholders keeps no texts, whatever the host sent.
	local, reads := false, false
	for _, x := range p.Parties {
		h, hh, _ := federation.Address(x.Addr)
		if hh != s.fed.Host() {
			continue
		}
		var kind string
		if err := tx.Get(ctx, &kind, `SELECT kind FROM organisations WHERE handle = ?`, h); err != nil {
			if core.KindOf(err) == core.KindNotFound {
				continue
			}
			return core.Wrap("negotiation: receive", err)
		}
		if (x.Role == RoleDelegation) != core.OrgKind(kind).State() {
			return &core.Error{Kind: core.KindForbidden, Message: "err.forbidden", Err: errors.New("a local organisation in a role it cannot hold")}
		}
		local, reads = true, reads || x.Role == RoleDelegation
	}
	if !local {
		return &core.Error{Kind: core.KindForbidden, Message: "err.not_party", Err: errors.New("no organisation of this node takes part")}
	}
	if !reads {
		p.Texts, p.Stripped, sn.Revisions = nil, true, nil
	}
	var cur struct {
		Host    string `db:"host"`
		Version int    `db:"version"`
	}
	err = tx.Get(ctx, &cur, `SELECT host, version FROM neg_processes WHERE id = ?`, p.ID)
	switch {
	case err == nil && cur.Host != host:
		return &core.Error{Kind: core.KindForbidden, Message: "err.forbidden", Err: errors.New("a process hosted elsewhere")}
	case err == nil && cur.Version >= p.Version:
		return nil // an older copy arriving late
	case err != nil && core.KindOf(err) != core.KindNotFound:
		return core.Wrap("negotiation: receive", err)
	}
	// Delegations here learn of a silence the chair opened from the copy
	// that carries it.
	known, kerr := s.storedSilences(ctx, tx, p.ID)
	if kerr != nil {
		return kerr
	}
	q := `UPDATE neg_processes SET title = ?, forum = ?, version = ?, doc = ?, published = ?, signed = ?, signed_by = ?, updated_at = ?, host = ? WHERE id = ? AND version < ` + itoa(p.Version)
	if err != nil {
		q = `INSERT INTO neg_processes (title, forum, version, doc, published, signed, signed_by, updated_at, host, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	}
	if _, err := tx.Exec(ctx, q, p.Title, p.Forum, p.Version, string(mustJSON(p)), p.Version, pl.Statement, fp, tx.Now, host, p.ID); err != nil {
		return core.Wrap("negotiation: receive", err)
	}
	for _, r := range sn.Revisions {
		if _, ok := p.Text(r.Text); !ok {
			continue
		}
		if _, err := tx.Exec(ctx, `INSERT INTO neg_revisions (process_id, text_id, n, issued_at, paragraphs) SELECT ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM neg_revisions WHERE process_id = ? AND text_id = ? AND n = ?)`,
			p.ID, r.Text, r.N, r.At, string(mustJSON(r.Paragraphs)), p.ID, r.Text, r.N); err != nil {
			return core.Wrap("negotiation: receive", err)
		}
	}
	if err := s.tellNewSilences(ctx, tx, p, known); err != nil {
		return err
	}
	return setParties(ctx, tx, p)
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// Receive implements federation.Handler for the negotiation's envelopes.
func (s *Service) Receive(ctx context.Context, tx *store.Tx, env federation.Envelope, payload []byte) error {
	switch env.Type {
	case TypeProcess:
		return s.receiveProcess(ctx, tx, env, payload)
	case TypeAct:
		return s.receiveAct(ctx, tx, env, payload)
	}
	return malformed("type " + env.Type)
}

var _ federation.Handler = (*Service)(nil)

// Signed returns the signed copy of a process's latest published version,
// for someone taking part, to keep or verify.
func (s *Service) Signed(ctx context.Context, id string) ([]byte, error) {
	v, err := s.Process(ctx, id)
	if err != nil {
		return nil, err
	}
	if !v.Seat.Reads {
		return nil, errNotFound
	}
	var b string
	err = s.db.R().Get(ctx, &b, `SELECT signed FROM neg_processes WHERE id = ?`, id)
	return []byte(b), core.Wrap("negotiation: signed", err)
}

// wellFormed checks a peer's copy of a process for what the pages and the
// rules rely on: one chair and a secretariat on the host, parties with
// addresses and known roles, texts whose paragraphs have 1 to maxOptions
// wordings and whose amendments point at an option that can exist.
func (p *Process) wellFormed(host string) error {
	chairs := 0
	for _, x := range p.Parties {
		_, h, ok := federation.Address(x.Addr)
		switch {
		case !ok:
			return errors.New("a party without an address")
		case x.Role == RoleChair || x.Role == RoleSecretariat:
			if h != host {
				return errors.New("a chair or secretariat on another node")
			}
			if x.Role == RoleChair {
				chairs++
			}
		case x.Role != RoleDelegation && x.Role != RoleStakeholder:
			return errors.New("an unknown role")
		}
	}
	if chairs != 1 || len(p.InRole(RoleSecretariat)) == 0 {
		return errors.New("not one chair and a secretariat")
	}
	for _, t := range p.Texts {
		if t.ID == "" || (t.State != TextNegotiating && t.State != TextSilence && t.State != TextAdopted) {
			return errors.New("a text without id or state")
		}
		for _, para := range t.Paragraphs {
			if para.ID == "" || len(para.Options) == 0 || len(para.Options) > maxOptions {
				return errors.New("a paragraph without wording")
			}
			for _, o := range para.Options {
				if len(o) > maxWording {
					return errors.New("a wording too long")
				}
			}
		}
		for _, a := range t.Amendments {
			if a.Option < 0 || a.Option >= maxOptions || len(a.Base) > maxWording*maxOptions || len(a.Proposed) > maxWording {
				return errors.New("an amendment out of range")
			}
		}
	}
	return nil
}
