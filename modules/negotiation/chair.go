package negotiation

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/ledger"
	"entente.example/entente/internal/store"
)

// ProcessInput opens a process.
type ProcessInput struct {
	Title        string `json:"title"`
	Forum        string `json:"forum"`
	Secretariat  string `json:"secretariat"` // local organisation handle
	Chair        string `json:"chair"`       // local organisation handle
	Consultation string `json:"consultation"`
}

func (in ProcessInput) problems() core.Problems {
	pr := core.Problems{}
	for f, v := range map[string]string{"title": in.Title, "forum": in.Forum, "secretariat": in.Secretariat, "chair": in.Chair} {
		if strings.TrimSpace(v) == "" {
			pr.Add(f, "err.required")
		}
	}
	if len(in.Title) > 300 {
		pr.Add("title", "err.too_long")
	}
	if len(in.Forum) > 120 {
		pr.Add("forum", "err.too_long")
	}
	if len(in.Consultation) > 4000 {
		pr.Add("consultation", "err.too_long")
	}
	return pr
}

// hostTag ties an id to the node that made it, so no peer can send a copy
// under the id of a process hosted elsewhere.
func hostTag(host string) string {
	h := sha256.Sum256([]byte(host))
	return strings.ToLower(base32.StdEncoding.EncodeToString(h[:5]))
}

type localOrg struct {
	ID      string `db:"id"`
	Handle  string `db:"handle"`
	Kind    string `db:"kind"`
	Country string `db:"country"`
	NameEN  string `db:"name_en"`
}

// party resolves an address (a local handle, or handle@host of a peer's
// organisation) into a party, refusing roles the organisation cannot hold.
func (s *Service) party(ctx context.Context, q store.Conn, addr, role string) (Party, string) {
	handle, host, ok := federation.Address(addr)
	if !ok {
		handle, host = addr, s.fed.Host()
	}
	var kind core.OrgKind
	x := Party{Addr: handle + "@" + host, Role: role}
	if host == s.fed.Host() {
		var o localOrg
		if err := q.Get(ctx, &o, `SELECT id, handle, kind, country, name_en FROM organisations WHERE handle = ?`, handle); err != nil {
			return x, "err.unknown_org"
		}
		x.Name, x.Country, kind = o.NameEN, o.Country, core.OrgKind(o.Kind)
	} else {
		orgs, err := s.fed.RemoteOrgs(ctx)
		if err != nil {
			return x, "err.unknown_org"
		}
		i := slices.IndexFunc(orgs, func(o federation.RemoteOrg) bool { return o.Address() == x.Addr })
		if i < 0 {
			return x, "err.unknown_org"
		}
		x.Name, x.Country, kind = orgs[i].NameEN, orgs[i].Country, core.OrgKind(orgs[i].Kind)
	}
	switch role {
	case RoleDelegation:
		if !kind.State() {
			return x, "err.delegation_not_state"
		}
	case RoleStakeholder:
		if kind.State() {
			return x, "err.stakeholder_is_state"
		}
	case RoleChair, RoleSecretariat:
		if host != s.fed.Host() {
			return x, "err.chair_not_local"
		}
	default:
		return x, "err.invalid"
	}
	return x, ""
}

// Create opens a process on this node. The actor must be an admin of the
// secretariat; the chair is an organisation on this node too, since the
// text lives on the chair's node.
func (s *Service) Create(ctx context.Context, in ProcessInput) (*Process, error) {
	a := core.ActorFrom(ctx)
	in.Title, in.Forum = strings.TrimSpace(in.Title), strings.TrimSpace(in.Forum)
	pr := in.problems()
	if len(pr) > 0 {
		return nil, pr.Err("negotiation: create")
	}
	var p *Process
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		sec, msg := s.party(ctx, tx.Conn, in.Secretariat, RoleSecretariat)
		if msg != "" {
			return core.Problems{"secretariat": msg}.Err("negotiation: create")
		}
		var orgID string
		if err := tx.Get(ctx, &orgID, `SELECT id FROM organisations WHERE handle = ?`, strings.TrimSuffix(sec.Addr, "@"+s.fed.Host())); err != nil {
			return err
		}
		if err := access.Check(a, access.NegotiationCreate, access.Resource{OrgID: orgID}); err != nil {
			return err
		}
		chair, msg := s.party(ctx, tx.Conn, in.Chair, RoleChair)
		if msg != "" {
			return core.Problems{"chair": msg}.Err("negotiation: create")
		}
		sec.Joined, chair.Joined = tx.Now, tx.Now
		p = &Process{ID: core.NewID(tx.Now) + "-" + hostTag(s.fed.Host()), Host: s.fed.Host(), Title: in.Title, Forum: in.Forum,
			Consultation: strings.TrimSpace(in.Consultation), Parties: []Party{chair, sec}, Version: 1, Created: tx.Now, Updated: tx.Now}
		doc, err := json.Marshal(p)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO neg_processes (id, host, title, forum, version, doc, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)`, p.ID, p.Host, p.Title, p.Forum, p.Version, string(doc), tx.Now); err != nil {
			return core.Wrap("negotiation: create", err)
		}
		return setParties(ctx, tx, p)
	})
	return p, err
}

// runs checks that the actor may run the table of p.
func (s *Service) runs(ctx context.Context, p *Process) (string, error) {
	st := s.seat(core.ActorFrom(ctx), p)
	if !st.Any {
		return "", errNotFound
	}
	if !st.Runs() {
		return "", errOp("chair", core.KindForbidden, "err.chair_only")
	}
	return core.ActorFrom(ctx).Name, nil
}

// AddParty seats an organisation as a delegation or a stakeholder.
func (s *Service) AddParty(ctx context.Context, pid, addr, role string) error {
	_, err := s.update(ctx, pid, func(tx *store.Tx, p *Process) error {
		if _, err := s.runs(ctx, p); err != nil {
			return err
		}
		if role != RoleDelegation && role != RoleStakeholder {
			return core.Problems{"role": "err.invalid"}.Err("negotiation: add party")
		}
		x, msg := s.party(ctx, tx.Conn, strings.TrimSpace(addr), role)
		if msg != "" {
			return core.Problems{"addr": msg}.Err("negotiation: add party")
		}
		if _, ok := p.Party(x.Addr, role); ok {
			return core.Problems{"addr": "err.already_party"}.Err("negotiation: add party")
		}
		x.Joined = tx.Now
		p.Parties = append(p.Parties, x)
		return setParties(ctx, tx, p)
	})
	return err
}

// RemoveParty unseats a delegation or a stakeholder; what it said stays.
func (s *Service) RemoveParty(ctx context.Context, pid, addr, role string) error {
	_, err := s.update(ctx, pid, func(tx *store.Tx, p *Process) error {
		if _, err := s.runs(ctx, p); err != nil {
			return err
		}
		if role != RoleDelegation && role != RoleStakeholder {
			return core.Problems{"role": "err.invalid"}.Err("negotiation: remove party")
		}
		n := len(p.Parties)
		p.Parties = slices.DeleteFunc(p.Parties, func(x Party) bool { return x.Addr == addr && x.Role == role })
		if len(p.Parties) == n {
			return errNotFound
		}
		return setParties(ctx, tx, p)
	})
	return err
}

// TextInput starts a text: paragraphs separated by blank lines.
type TextInput struct {
	Title     string `json:"title"`
	Kind      string `json:"kind"`
	Preamble  string `json:"preamble"`
	Operative string `json:"operative"`
}

// splitParagraphs cuts a block at blank lines.
func splitParagraphs(s string) []string {
	var out []string
	for _, b := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n\n") {
		if b = strings.TrimSpace(b); b != "" {
			out = append(out, strings.Join(strings.Fields(b), " "))
		}
	}
	return out
}

// AddText puts a new text on the table.
func (s *Service) AddText(ctx context.Context, pid string, in TextInput) (*Text, error) {
	pr := core.Problems{}
	in.Title = strings.TrimSpace(in.Title)
	if in.Title == "" {
		pr.Add("title", "err.required")
	} else if len(in.Title) > 300 {
		pr.Add("title", "err.too_long")
	}
	if !slices.Contains(TextKinds, in.Kind) {
		pr.Add("kind", "err.invalid")
	}
	var ps []Paragraph
	for _, f := range []struct{ field, part, body string }{{"preamble", PartPreamble, in.Preamble}, {"operative", PartOperative, in.Operative}} {
		for _, w := range splitParagraphs(f.body) {
			if msg := checkWording(w); msg != "" {
				pr.Add(f.field, msg)
			}
			ps = append(ps, Paragraph{Part: f.part, Options: []string{w}})
		}
	}
	if len(ps) == 0 && len(pr) == 0 {
		pr.Add("operative", "err.required")
	}
	if len(ps) > 1000 {
		pr.Add("operative", "err.too_long")
	}
	if len(pr) > 0 {
		return nil, pr.Err("negotiation: add text")
	}
	var t *Text
	_, err := s.update(ctx, pid, func(tx *store.Tx, p *Process) error {
		if _, err := s.runs(ctx, p); err != nil {
			return err
		}
		p.Texts = append(p.Texts, Text{ID: "t" + itoa(len(p.Texts)+1), Title: in.Title, Kind: in.Kind, State: TextNegotiating, Dirty: true, Created: tx.Now, Updated: tx.Now})
		t = &p.Texts[len(p.Texts)-1]
		for _, para := range ps {
			para.ID = t.next("p")
			t.Paragraphs = append(t.Paragraphs, para)
		}
		c := *t
		t = &c
		return nil
	})
	return t, err
}

// textFor finds a text still open to change.
func textFor(p *Process, tid string) (*Text, error) {
	t, ok := p.Text(tid)
	if !ok {
		return nil, errNotFound
	}
	switch t.State {
	case TextAdopted:
		return nil, errOp("change", core.KindConflict, "err.text_adopted")
	case TextSilence:
		return nil, errOp("change", core.KindConflict, "err.text_in_silence")
	}
	return t, nil
}

// ParagraphInput is the chair's edit of a paragraph.
type ParagraphInput struct {
	Part    string   `json:"part"`
	Options []string `json:"options"`
	Agreed  string   `json:"agreed"` // "", adref or agreed
}

func (in *ParagraphInput) check() core.Problems {
	pr := core.Problems{}
	var opts []string
	for _, o := range in.Options {
		if o = strings.TrimSpace(o); o != "" {
			opts = append(opts, o)
		}
	}
	in.Options = opts
	if in.Part != PartPreamble && in.Part != PartOperative {
		pr.Add("part", "err.invalid")
	}
	if len(opts) == 0 {
		pr.Add("options", "err.required")
	}
	if len(opts) > maxOptions {
		pr.Add("options", "err.too_many_options")
	}
	for _, o := range opts {
		if msg := checkWording(o); msg != "" {
			pr.Add("options", msg)
		}
	}
	switch in.Agreed {
	case "", StatusAdRef, StatusAgreed:
	default:
		pr.Add("agreed", "err.invalid")
	}
	if len(pr) == 0 && in.Agreed != "" && !(Paragraph{Options: opts}).Settled() {
		pr.Add("agreed", "err.agreed_with_brackets")
	}
	return pr
}

// EditParagraph changes a paragraph's wording, options or status. The chair
// may declare it agreed (ad ref or final) only once no brackets or options
// remain; any change of wording withdraws an earlier agreement unless the
// chair declares it again.
func (s *Service) EditParagraph(ctx context.Context, pid, tid, para string, in ParagraphInput) error {
	if pr := in.check(); len(pr) > 0 {
		return pr.Err("negotiation: edit paragraph")
	}
	_, err := s.update(ctx, pid, func(tx *store.Tx, p *Process) error {
		if _, err := s.runs(ctx, p); err != nil {
			return err
		}
		t, err := textFor(p, tid)
		if err != nil {
			return err
		}
		i := t.Para(para)
		if i < 0 {
			return errNotFound
		}
		old := t.Paragraphs[i]
		t.Paragraphs[i] = Paragraph{ID: old.ID, Part: in.Part, Options: in.Options, Agreed: in.Agreed}
		if !slices.Equal(old.Options, in.Options) || old.Part != in.Part || old.Agreed != in.Agreed {
			t.Dirty, t.Updated = true, tx.Now
		}
		return nil
	})
	return err
}

// InsertParagraph adds the chair's own paragraph after another ("" puts it
// first).
func (s *Service) InsertParagraph(ctx context.Context, pid, tid, after string, in ParagraphInput) (string, error) {
	if pr := in.check(); len(pr) > 0 {
		return "", pr.Err("negotiation: insert paragraph")
	}
	var id string
	_, err := s.update(ctx, pid, func(tx *store.Tx, p *Process) error {
		if _, err := s.runs(ctx, p); err != nil {
			return err
		}
		t, err := textFor(p, tid)
		if err != nil {
			return err
		}
		at := 0
		if after != "" {
			if at = t.Para(after) + 1; at == 0 {
				return errNotFound
			}
		}
		id = t.next("p")
		t.Paragraphs = slices.Insert(t.Paragraphs, at, Paragraph{ID: id, Part: in.Part, Options: in.Options, Agreed: in.Agreed})
		t.Dirty, t.Updated = true, tx.Now
		return nil
	})
	return id, err
}

// DecisionInput is the chair's answer to an amendment.
type DecisionInput struct {
	Verdict string `json:"verdict"` // accept, reject or merge
	Reason  string `json:"reason"`
	Into    string `json:"into"` // merge: the wording that goes in
}

// Decide accepts, rejects or merges an amendment. Accepting writes the
// proposal into the working text and needs the paragraph unchanged since
// it was proposed; a merge writes the chair's own wording, which is how
// several proposals on one paragraph are reconciled.
func (s *Service) Decide(ctx context.Context, pid, tid, aid string, in DecisionInput) error {
	in.Reason, in.Into = strings.TrimSpace(in.Reason), strings.TrimSpace(in.Into)
	pr := core.Problems{}
	switch in.Verdict {
	case "accept":
	case "reject":
		if in.Reason == "" {
			pr.Add("reason", "err.reason_required")
		}
	case "merge":
		if msg := checkWording(in.Into); msg != "" {
			pr.Add("into", msg)
		}
	default:
		pr.Add("verdict", "err.invalid")
	}
	if len(in.Reason) > 2000 {
		pr.Add("reason", "err.too_long")
	}
	if len(pr) > 0 {
		return pr.Err("negotiation: decide")
	}
	_, err := s.update(ctx, pid, func(tx *store.Tx, p *Process) error {
		person, err := s.runs(ctx, p)
		if err != nil {
			return err
		}
		t, err := textFor(p, tid)
		if err != nil {
			return err
		}
		am, ok := t.Amendment(aid)
		if !ok {
			return errNotFound
		}
		if am.State != AmendProposed {
			return errOp("decide", core.KindConflict, "err.amendment_decided")
		}
		d := &Decision{By: s.seat(core.ActorFrom(ctx), p).Chair[0], Person: person, At: tx.Now, Reason: in.Reason}
		if in.Verdict == "reject" {
			am.State, am.Decision = AmendRejected, d
			return nil
		}
		wording := am.Proposed
		if in.Verdict == "merge" {
			if am.Kind == AmendDelete {
				return core.Problems{"verdict": "err.merge_delete"}.Err("negotiation: decide")
			}
			wording, d.Into = in.Into, in.Into
		}
		i := t.Para(am.Para)
		if i < 0 {
			return errOp("decide", core.KindConflict, "err.paragraph_gone")
		}
		para := &t.Paragraphs[i]
		switch am.Kind {
		case AmendReplace:
			if am.Option >= len(para.Options) || (in.Verdict == "accept" && para.Options[am.Option] != am.Base) {
				return errOp("decide", core.KindConflict, "err.amendment_outdated")
			}
			para.Options[am.Option], para.Agreed = wording, ""
		case AmendOption:
			if in.Verdict == "accept" && strings.Join(para.Options, " / ") != am.Base {
				return errOp("decide", core.KindConflict, "err.amendment_outdated")
			}
			if len(para.Options) >= maxOptions {
				return core.Problems{"verdict": "err.too_many_options"}.Err("negotiation: decide")
			}
			para.Options, para.Agreed = append(para.Options, wording), ""
		case AmendInsert:
			t.Paragraphs = slices.Insert(t.Paragraphs, i+1, Paragraph{ID: t.next("p"), Part: para.Part, Options: []string{wording}})
		case AmendDelete:
			if strings.Join(para.Options, " / ") != am.Base {
				return errOp("decide", core.KindConflict, "err.amendment_outdated")
			}
			t.Paragraphs = slices.Delete(t.Paragraphs, i, i+1)
		}
		am.State, am.Decision = AmendAccepted, d
		if in.Verdict == "merge" {
			am.State = AmendMerged
		}
		t.Dirty, t.Updated = true, tx.Now
		return nil
	})
	return err
}

// IssueRevision freezes the working text as the next revision (Rev.1,
// Rev.2 …) so delegations can cite and compare it.
func (s *Service) IssueRevision(ctx context.Context, pid, tid, note string) (int, error) {
	note = strings.TrimSpace(note)
	if len(note) > 2000 {
		return 0, core.Problems{"note": "err.too_long"}.Err("negotiation: revision")
	}
	var n int
	_, err := s.update(ctx, pid, func(tx *store.Tx, p *Process) error {
		person, err := s.runs(ctx, p)
		if err != nil {
			return err
		}
		t, err := textFor(p, tid)
		if err != nil {
			return err
		}
		if !t.Dirty {
			return errOp("revision", core.KindConflict, "err.revision_unchanged")
		}
		b, err := json.Marshal(t.Paragraphs)
		if err != nil {
			return err
		}
		n = t.Rev() + 1
		if _, err := tx.Exec(ctx, `INSERT INTO neg_revisions (process_id, text_id, n, issued_at, paragraphs) VALUES (?, ?, ?, ?, ?)`, p.ID, t.ID, n, tx.Now, string(b)); err != nil {
			return core.Wrap("negotiation: revision", err)
		}
		t.Revisions = append(t.Revisions, Revision{N: n, At: tx.Now, Person: person, Note: note, Paragraphs: len(t.Paragraphs), Digest: ledger.Digest(b)})
		for i := range t.Amendments {
			if d := t.Amendments[i].Decision; d != nil && d.Rev == 0 && t.Amendments[i].State != AmendRejected {
				d.Rev = n
			}
		}
		t.Dirty, t.Updated = false, tx.Now
		return nil
	})
	return n, err
}

type silenceJob struct {
	Process string `json:"process"`
	Text    string `json:"text"`
	Silence string `json:"silence"`
}

// adoptionStatement is what the chair's node signs when silence passes.
type adoptionStatement struct {
	Process    string      `json:"process"`
	Host       string      `json:"host"`
	Text       string      `json:"text"`
	Title      string      `json:"title"`
	Rev        int         `json:"rev"`
	Silence    string      `json:"silence"`
	Deadline   time.Time   `json:"deadline"`
	AdoptedAt  time.Time   `json:"adopted_at"`
	Paragraphs []Paragraph `json:"paragraphs"`
}

// silenceJob runs at a deadline: a silence still unbroken adopts the text,
// signed by this node and recorded in its ledger.
func (s *Service) silenceJob(ctx context.Context, b []byte) error {
	var j silenceJob
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	_, err := s.update(ctx, j.Process, func(tx *store.Tx, p *Process) error {
		t, ok := p.Text(j.Text)
		if !ok {
			return nil
		}
		sil := t.Silence()
		if sil == nil || sil.ID != j.Silence {
			return nil // broken, or already settled
		}
		if tx.Now.Before(sil.Deadline) {
			return errOp("silence", core.KindConflict, "err.too_early") // the job runs again
		}
		// The signed statement carries the statuses the adoption makes true.
		open, pending := settleAdoption(t)
		st := adoptionStatement{Process: p.ID, Host: p.Host, Text: t.ID, Title: t.Title, Rev: sil.Rev, Silence: sil.ID, Deadline: sil.Deadline, AdoptedAt: tx.Now, Paragraphs: t.Paragraphs}
		signed, err := s.fed.SignStatement("negotiation.adoption", st)
		if err != nil {
			return err
		}
		if _, err := s.ledger.Append(ctx, tx, ledger.Entry{Kind: ledger.KindAdoption, Ref: "negotiation:" + p.ID + ":" + t.ID, Digest: ledger.Digest(signed)}); err != nil {
			return err
		}
		now := tx.Now
		sil.State, sil.Ended = SilencePassed, &now
		t.State, t.Updated = TextAdopted, tx.Now
		t.Adoption = &Adoption{Rev: sil.Rev, At: tx.Now, Statement: string(signed), SignedBy: s.fed.Fingerprint(), Digest: ledger.Digest(signed), Open: open, Pending: pending}
		return nil
	})
	if core.KindOf(err) == core.KindNotFound {
		return nil
	}
	return err
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}
