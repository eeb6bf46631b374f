package negotiation

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/ledger"
	"entente.example/entente/internal/store"
)

// Act kinds: what a delegation or a stakeholder does at the table.
const (
	ActAmend       = "amend"
	ActPosition    = "position"
	ActCosponsor   = "cosponsor"
	ActUncosponsor = "uncosponsor"
	ActObject      = "object"
	ActContribute  = "contribute"
)

// Act is one act of a party. Its node signs it; on the chair's node the
// same rules apply to it whether it was made there or arrived from a peer.
type Act struct {
	ID       string    `json:"id"`
	Kind     string    `json:"kind"`
	Process  string    `json:"process"`
	Text     string    `json:"text,omitempty"`
	By       string    `json:"by"`
	Person   string    `json:"person"`
	At       time.Time `json:"at"`
	Amend    *Amend    `json:"amend,omitempty"`
	Position *Stance   `json:"position,omitempty"`
	Silence  string    `json:"silence,omitempty"`
	Reason   string    `json:"reason,omitempty"`
	Title    string    `json:"title,omitempty"`
	Body     string    `json:"body,omitempty"`
}

// Amend is a proposed amendment.
type Amend struct {
	Para          string `json:"para"`
	Kind          string `json:"kind"`
	Option        int    `json:"option"`
	Proposed      string `json:"proposed"`
	Justification string `json:"justification"`
}

// Stance is a position on a paragraph (p:<id>) or an amendment (a:<id>).
type Stance struct {
	Target string `json:"target"`
	Stance string `json:"stance"`
	Note   string `json:"note"`
}

// maxOpenAmendments bounds one delegation's undecided amendments on a text:
// enough for a long reading, not enough to bury the table.
const maxOpenAmendments = 200

// TypeAct is the envelope type of acts sent to a chair's node.
const TypeAct = "negotiation.act"

// check validates an act's own fields, before any process is consulted.
func (a *Act) check() core.Problems {
	pr := core.Problems{}
	a.Reason, a.Title, a.Body = strings.TrimSpace(a.Reason), strings.TrimSpace(a.Title), strings.TrimSpace(a.Body)
	switch a.Kind {
	case ActAmend:
		if a.Amend == nil {
			pr.Add("kind", "err.invalid")
			break
		}
		m := a.Amend
		m.Proposed, m.Justification = strings.Join(strings.Fields(m.Proposed), " "), strings.TrimSpace(m.Justification)
		if !slices.Contains(AmendKinds, m.Kind) {
			pr.Add("amend_kind", "err.invalid")
		}
		if m.Kind != AmendReplace {
			m.Option = 0
		}
		if m.Kind == AmendDelete {
			m.Proposed = ""
		} else {
			if msg := checkWording(m.Proposed); msg != "" {
				pr.Add("proposed", msg)
			}
		}
		if m.Justification == "" {
			pr.Add("justification", "err.required")
		} else if len(m.Justification) > 2000 {
			pr.Add("justification", "err.too_long")
		}
	case ActPosition:
		if a.Position == nil || !slices.Contains(Stances, a.Position.Stance) {
			pr.Add("stance", "err.invalid")
		} else if len(a.Position.Note) > 1000 {
			pr.Add("note", "err.too_long")
		}
	case ActObject:
		if a.Reason == "" {
			pr.Add("reason", "err.reason_required")
		} else if len(a.Reason) > 4000 {
			pr.Add("reason", "err.too_long")
		}
	case ActContribute:
		if a.Title == "" {
			pr.Add("title", "err.required")
		} else if len(a.Title) > 300 {
			pr.Add("title", "err.too_long")
		}
		if a.Body == "" {
			pr.Add("body", "err.required")
		} else if len(a.Body) > 8000 {
			pr.Add("body", "err.too_long")
		}
	case ActCosponsor, ActUncosponsor:
	default:
		pr.Add("kind", "err.invalid")
	}
	return pr
}

// apply makes an act part of the process. It is the one place the rules of
// a delegation's acts live: the chair's node runs it for local acts and for
// acts arriving from peers; a participating node runs it on a copy to
// refuse early what the chair's node would refuse.
func apply(p *Process, a Act, now time.Time, statement, signedBy string) error {
	role := RoleDelegation
	if a.Kind == ActContribute {
		role = RoleStakeholder
	}
	if _, ok := p.Party(a.By, role); !ok {
		return errOp("act", core.KindForbidden, "err.not_party")
	}
	if a.Kind == ActContribute {
		if slices.ContainsFunc(p.Contributions, func(c Contribution) bool { return c.By == a.By && c.Origin == a.ID }) {
			return nil
		}
		p.Contributions = append(p.Contributions, Contribution{ID: "c" + itoa(len(p.Contributions)+1), Origin: a.ID, By: a.By, Name: p.Name(a.By), Person: a.Person, Title: a.Title, Body: a.Body, At: now})
		return nil
	}
	t, ok := p.Text(a.Text)
	if !ok {
		return errNotFound
	}
	if t.State == TextAdopted {
		return errOp("act", core.KindConflict, "err.text_adopted")
	}
	switch a.Kind {
	case ActAmend:
		if t.State == TextSilence {
			return errOp("act", core.KindConflict, "err.text_in_silence")
		}
		if slices.ContainsFunc(t.Amendments, func(x Amendment) bool { return x.By == a.By && x.Origin == a.ID }) {
			return nil
		}
		open := 0
		for _, x := range t.Amendments {
			if x.By == a.By && x.State == AmendProposed {
				open++
			}
		}
		if open >= maxOpenAmendments {
			return core.Problems{"proposed": "err.too_many_amendments"}.Err("negotiation: amend")
		}
		m := a.Amend
		i := t.Para(m.Para)
		if i < 0 {
			return core.Problems{"para": "err.not_found"}.Err("negotiation: amend")
		}
		para := t.Paragraphs[i]
		base := strings.Join(para.Options, " / ")
		switch m.Kind {
		case AmendReplace:
			if m.Option < 0 || m.Option >= len(para.Options) {
				return core.Problems{"option": "err.invalid"}.Err("negotiation: amend")
			}
			base = para.Options[m.Option]
			if base == m.Proposed {
				return core.Problems{"proposed": "err.amendment_same"}.Err("negotiation: amend")
			}
		case AmendOption:
			if len(para.Options) >= maxOptions {
				return core.Problems{"kind": "err.too_many_options"}.Err("negotiation: amend")
			}
		}
		t.Amendments = append(t.Amendments, Amendment{ID: "A" + itoa(len(t.Amendments)+1), Origin: a.ID, Para: m.Para, Kind: m.Kind, Option: m.Option,
			Base: base, Proposed: m.Proposed, Justification: m.Justification, By: a.By, Person: a.Person, At: now, State: AmendProposed, SignedBy: signedBy})
	case ActPosition:
		target := a.Position.Target
		kind, id, _ := strings.Cut(target, ":")
		if (kind != "p" || t.Para(id) < 0) && (kind != "a" || !slices.ContainsFunc(t.Amendments, func(x Amendment) bool { return x.ID == id })) {
			return core.Problems{"target": "err.not_found"}.Err("negotiation: position")
		}
		pos := Position{By: a.By, Target: target, Stance: a.Position.Stance, Note: strings.TrimSpace(a.Position.Note), Person: a.Person, At: now}
		if i := slices.IndexFunc(t.Positions, func(x Position) bool { return x.By == a.By && x.Target == target }); i >= 0 {
			t.Positions[i] = pos
		} else {
			t.Positions = append(t.Positions, pos)
		}
	case ActCosponsor:
		if !t.IsCosponsor(a.By) {
			t.Cosponsors = append(t.Cosponsors, Cosponsor{By: a.By, Person: a.Person, At: now})
		}
	case ActUncosponsor:
		t.Cosponsors = slices.DeleteFunc(t.Cosponsors, func(c Cosponsor) bool { return c.By == a.By })
	case ActObject:
		sil := t.Silence()
		if sil == nil || sil.ID != a.Silence {
			if last := t.LastSilence(); last != nil && last.ID == a.Silence && last.Objection != nil && last.Objection.By == a.By && last.Objection.Reason == a.Reason {
				return nil // the same objection again
			}
			return core.Problems{"reason": "err.silence_not_running"}.Err("negotiation: object")
		}
		if now.After(sil.Deadline) {
			return core.Problems{"reason": "err.silence_over"}.Err("negotiation: object")
		}
		ended := now
		sil.State, sil.Ended = SilenceBroken, &ended
		sil.Objection = &Objection{By: a.By, Person: a.Person, Reason: a.Reason, At: now, Statement: statement, SignedBy: signedBy}
		t.State = TextNegotiating
	}
	t.Updated = now
	return nil
}

// ActInput is what a person asks for; Do fills in the rest.
type ActInput struct {
	Kind     string  `json:"kind"`
	Text     string  `json:"text"`
	By       string  `json:"by"` // the delegation's address; defaults to the actor's first
	Amend    *Amend  `json:"amend,omitempty"`
	Position *Stance `json:"position,omitempty"`
	Silence  string  `json:"silence,omitempty"`
	Reason   string  `json:"reason,omitempty"`
	Title    string  `json:"title,omitempty"`
	Body     string  `json:"body,omitempty"`
}

// Do performs a delegation's or a stakeholder's act. On the chair's node it
// applies at once; elsewhere it is checked against this node's copy, signed
// and sent to the chair's node, and shows once the next copy comes back.
func (s *Service) Do(ctx context.Context, pid string, in ActInput) (Act, error) {
	a := core.ActorFrom(ctx)
	act := Act{Kind: in.Kind, Process: pid, Text: in.Text, By: in.By, Person: a.Name, Amend: in.Amend, Position: in.Position, Silence: in.Silence, Reason: in.Reason, Title: in.Title, Body: in.Body}
	if pr := act.check(); len(pr) > 0 {
		return act, pr.Err("negotiation: " + in.Kind)
	}
	p, _, err := s.load(ctx, s.db.R(), pid)
	if err != nil {
		return act, err
	}
	st := s.seat(a, p)
	if !st.Any {
		return act, errNotFound
	}
	mine := st.Acts
	need := access.NegotiationAct
	switch act.Kind {
	case ActContribute:
		mine, need = st.Consult, access.NegotiationConsult
	case ActObject:
		need = access.NegotiationObject
	}
	if act.By == "" && len(mine) > 0 {
		act.By = mine[0]
	}
	if !slices.Contains(mine, act.By) || !s.allowed(a, need, act.By) {
		if !st.Reads && act.Kind != ActContribute {
			return act, errNotFound
		}
		return act, errOp(act.Kind, core.KindForbidden, "err.not_party")
	}
	for range 4 {
		if err = s.do(ctx, p, &act); !errors.Is(err, errChanged) {
			break
		}
	}
	return act, err
}

// do signs the act and applies it here, or sends it to the chair's node.
func (s *Service) do(ctx context.Context, p *Process, act *Act) error {
	pid := p.ID
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		act.ID, act.At = core.NewID(tx.Now), tx.Now
		signed, err := s.fed.SignStatement("negotiation.act", *act)
		if err != nil {
			return err
		}
		if p.Host == s.fed.Host() {
			_, err := s.mutate(ctx, tx, pid, func(p *Process) error { return s.applyAct(ctx, tx, p, *act, signed, s.fed.Fingerprint()) })
			return err
		}
		// Check against the copy first, so a delegation learns at once what
		// the chair's node would refuse.
		probe := *p
		probe.Texts = slices.Clone(p.Texts)
		for i := range probe.Texts {
			tt := &probe.Texts[i]
			tt.Amendments, tt.Positions, tt.Silences, tt.Cosponsors = slices.Clone(tt.Amendments), slices.Clone(tt.Positions), slices.Clone(tt.Silences), slices.Clone(tt.Cosponsors)
		}
		if err := apply(&probe, *act, tx.Now, "", ""); err != nil {
			return err
		}
		handle, _, _ := federation.Address(act.By)
		env, err := s.fed.Send(ctx, tx, federation.Outgoing{Type: TypeAct, From: handle, To: p.Chair(), TLP: core.TLPAmber, Payload: actPayload{Statement: string(signed)}})
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO neg_sent (id, process_id, text_id, kind, by_addr, person, envelope_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			act.ID, pid, act.Text, act.Kind, act.By, act.Person, env, tx.Now)
		return core.Wrap("negotiation: send act", err)
	})
}

// allowed checks the policy for the local organisation behind an address.
func (s *Service) allowed(a core.Actor, act access.Action, addr string) bool {
	for _, m := range a.Memberships {
		if m.Org.Handle+"@"+s.fed.Host() == addr {
			return access.Check(a, act, access.Resource{OrgID: m.Org.ID}) == nil
		}
	}
	return false
}

// applyAct applies an act on the chair's node and records what must be
// provable: an objection goes into the ledger.
func (s *Service) applyAct(ctx context.Context, tx *store.Tx, p *Process, act Act, signed []byte, fp string) error {
	if err := apply(p, act, tx.Now, string(signed), fp); err != nil {
		return err
	}
	if err := s.tellChair(ctx, tx, p, act); err != nil {
		return err
	}
	if act.Kind == ActObject {
		_, err := s.ledger.Append(ctx, tx, ledger.Entry{Kind: ledger.KindObjection, Ref: "negotiation:" + p.ID + ":" + act.Text, Digest: ledger.Digest(signed)})
		return err
	}
	return nil
}

type actPayload struct {
	Statement string `json:"statement"`
}

// receiveAct applies an act a peer's delegation sent. The sender speaks only
// for its own organisations: the act's author must be the envelope's.
func (s *Service) receiveAct(ctx context.Context, tx *store.Tx, env federation.Envelope, payload []byte) error {
	var pl actPayload
	if err := json.Unmarshal(payload, &pl); err != nil {
		return malformed("act payload")
	}
	_, host, _ := federation.Address(env.From)
	body, fp, err := s.fed.OpenStatement(ctx, "negotiation.act", []byte(pl.Statement), host)
	if err != nil {
		return &core.Error{Kind: core.KindInvalid, Message: "err.form", Err: err}
	}
	var act Act
	if err := json.Unmarshal(body, &act); err != nil || act.ID == "" {
		return malformed("act")
	}
	if act.By != env.From {
		return &core.Error{Kind: core.KindForbidden, Message: "err.forbidden", Err: errors.New("an act for another organisation")}
	}
	if pr := act.check(); len(pr) > 0 {
		return pr.Err("negotiation: receive act")
	}
	res, err := tx.Exec(ctx, `INSERT INTO neg_acts (process_id, by_addr, act_id, received_at) SELECT ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM neg_acts WHERE process_id = ? AND by_addr = ? AND act_id = ?)`,
		act.Process, act.By, act.ID, tx.Now, act.Process, act.By, act.ID)
	if err != nil {
		return core.Wrap("negotiation: receive act", err)
	}
	if res == 0 {
		return nil // applied before
	}
	_, err = s.mutate(ctx, tx, act.Process, func(p *Process) error {
		if p.Chair() != env.To {
			return errNotFound
		}
		return s.applyAct(ctx, tx, p, act, []byte(pl.Statement), fp)
	})
	return err
}

func malformed(what string) error {
	return &core.Error{Kind: core.KindInvalid, Message: "err.form", Err: errors.New("malformed " + what)}
}
