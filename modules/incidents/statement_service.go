package incidents

import (
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
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

// StatementFed is what statements need of federation.
type StatementFed interface {
	Host() string
	Send(ctx context.Context, tx *store.Tx, o federation.Outgoing) (string, error)
	RemoteOrgs(ctx context.Context) ([]federation.RemoteOrg, error)
	Handle(prefix string, h federation.Handler)
	SignStatement(context string, v any) ([]byte, error)
	PeerKey(ctx context.Context, host string) (ed25519.PublicKey, error)
	SigningKey() ed25519.PublicKey
}

// StatementNotifier e-mails an organisation's people.
type StatementNotifier interface {
	NotifyOrg(ctx context.Context, tx *store.Tx, orgID string, roles []core.Role, k notify.Kind, path string, args notify.Args) error
}

// Statements is the use cases of joint attribution statements. Its
// envelopes are of their own prefix ("statements."), so that the
// incident records' handler and this one stay apart.
type Statements struct {
	db     *store.DB
	fed    StatementFed
	log    *ledger.Log
	notify StatementNotifier
	// published, when set, is told after a statement becomes published on
	// this node (the figure "last co-signature → visible everywhere").
	published func(origin string)
	// links and incidents are the linked chain and the incident records
	// (statement_links.go); either may be nil.
	links     StatementLinker
	incidents *Service
}

// NewStatements returns the service and registers it for its envelopes.
func NewStatements(db *store.DB, f StatementFed, l *ledger.Log, n StatementNotifier) *Statements {
	s := &Statements{db: db, fed: f, log: l, notify: n}
	f.Handle("statements", s)
	return s
}

// OnPublished sets a hook called after a statement is published here.
func (s *Statements) OnPublished(f func(origin string)) { s.published = f }

// Statement is a statement as this node holds it.
type Statement struct {
	ID               string     `db:"id"`
	OriginID         string     `db:"origin_id"`
	Initiator        string     `db:"initiator"`
	InitiatorName    string     `db:"initiator_name"`
	Country          string     `db:"country"`
	OrgID            string     `db:"org_id"`
	Title            string     `db:"title"`
	Body             string     `db:"body"`
	Language         string     `db:"language"`
	TrLanguage       string     `db:"tr_language"`
	TrTitle          string     `db:"tr_title"`
	TrBody           string     `db:"tr_body"`
	Actor            string     `db:"actor"`
	Incident         string     `db:"incident"`
	State            string     `db:"state"`
	PublishMode      string     `db:"publish_mode"`
	PublishAt        *time.Time `db:"publish_at"`
	Text             string     `db:"text"`
	SHA256           string     `db:"sha256"`
	CreatedBy        string     `db:"created_by"`
	CreatedAt        time.Time  `db:"created_at"`
	OpenedAt         *time.Time `db:"opened_at"`
	PublishedAt      *time.Time `db:"published_at"`
	Bundle           string     `db:"bundle"`
	Publication      string     `db:"publication"`
	PublicationIndex *int64     `db:"publication_index"`
	UpdatedAt        time.Time  `db:"updated_at"`
	Signers          []Signer   `db:"-"`
}

// Signer is the initiator or an invited organisation, and its answer.
type Signer struct {
	StatementID string     `db:"statement_id"`
	Signer      string     `db:"signer"`
	OrgID       string     `db:"org_id"`
	Name        string     `db:"name"`
	Country     string     `db:"country"`
	Node        string     `db:"node"`
	State       string     `db:"state"`
	Cosign      string     `db:"cosign"`
	LedgerIndex *int64     `db:"ledger_index"`
	Ledger      string     `db:"ledger"`
	SignedAt    *time.Time `db:"signed_at"`
	SentAt      *time.Time `db:"sent_at"`
	UpdatedAt   time.Time  `db:"updated_at"`
}

// Local reports whether this node holds the initiating organisation.
func (st Statement) Local() bool { return st.OrgID != "" }

// remote reports whether a signer is on another node than this one.
func (s *Statements) remote(g Signer) bool { return g.Node != s.fed.Host() }

// Invitees are the signers other than the initiator.
func (st Statement) Invitees() []Signer {
	var out []Signer
	for _, g := range st.Signers {
		if g.Signer != st.Initiator {
			out = append(out, g)
		}
	}
	return out
}

// text is the statement's text as it is (or will be) signed.
func (st Statement) text() Text {
	t := Text{Format: TextFormat, Origin: st.OriginID, Initiator: st.Initiator, Country: st.Country, Language: st.Language,
		Title: st.Title, Body: st.Body, Actor: st.Actor}
	if r, err := core.ParseRef(st.Incident); err == nil && st.Incident != "" {
		t.Incident = &r
	}
	if st.TrLanguage != "" {
		t.Translation = &Translation{Language: st.TrLanguage, Title: st.TrTitle, Body: st.TrBody}
	}
	return t
}

// StatementInput is a draft as the form gives it.
type StatementInput struct {
	From        string // the initiating organisation's handle
	Title       string
	Body        string
	Language    string
	TrLanguage  string
	TrTitle     string
	TrBody      string
	Actor       string
	Incident    string // a core.Ref to an incident, or empty
	Invited     []string
	PublishMode string
	PublishAt   *time.Time
}

// Invitable is an organisation a statement may invite: a state body on a
// verified peer, as its node's directory says.
type Invitable struct {
	Addr    string
	Name    string
	Country string
	orgID   string // set for an organisation of this node
}

// Invitable lists the state organisations of this node and of verified
// peers: addresses are chosen, not typed. (A node hosting several states
// has co-signers on itself: the same statement row, no envelope.)
func (s *Statements) Invitable(ctx context.Context) ([]Invitable, error) {
	remote, err := s.fed.RemoteOrgs(ctx)
	if err != nil {
		return nil, err
	}
	var local []localOrg
	if err := s.db.R().Select(ctx, &local, `SELECT id, handle, kind, country, name_en FROM organisations WHERE kind LIKE 'state\_%' ESCAPE '\' ORDER BY country, handle`); err != nil {
		return nil, core.Wrap("statements: invitable", err)
	}
	var out []Invitable
	for _, o := range local {
		out = append(out, Invitable{Addr: o.Handle + "@" + s.fed.Host(), Name: o.Name, Country: o.Country, orgID: o.ID})
	}
	for _, r := range remote {
		if core.OrgKind(r.Kind).State() {
			out = append(out, Invitable{Addr: r.Address(), Name: r.NameEN, Country: r.Country})
		}
	}
	return out, nil
}

// localOrg is one of this node's organisations.
type localOrg struct {
	ID      string `db:"id"`
	Handle  string `db:"handle"`
	Kind    string `db:"kind"`
	Country string `db:"country"`
	Name    string `db:"name_en"`
}

func (s *Statements) localOrg(ctx context.Context, q store.Conn, handle string) (localOrg, error) {
	var o localOrg
	err := q.Get(ctx, &o, `SELECT id, handle, kind, country, name_en FROM organisations WHERE handle = ?`, handle)
	return o, err
}

// Initiators lists the organisations for which the actor may draft: state
// bodies where it is an admin or officer.
func (s *Statements) Initiators(ctx context.Context) ([]localOrg, error) {
	a := core.ActorFrom(ctx)
	var out []localOrg
	for _, m := range a.Memberships {
		if m.Kind.State() && access.Can(a, access.StatementDraft, access.Resource{OrgID: m.Org.ID}) {
			o, err := s.localOrg(ctx, s.db.R(), m.Org.Handle)
			if err != nil {
				return nil, core.Wrap("statements: initiators", err)
			}
			out = append(out, o)
		}
	}
	return out, nil
}

func stmtErr(op string, kind core.Kind, msg string) error {
	return &core.Error{Kind: kind, Op: "statements: " + op, Message: msg}
}

// Draft saves a new statement, not yet sent to anyone.
func (s *Statements) Draft(ctx context.Context, in StatementInput) (Statement, error) {
	a := core.ActorFrom(ctx)
	p := core.Problems{}
	o, err := s.localOrg(ctx, s.db.R(), in.From)
	if err != nil || !core.OrgKind(o.Kind).State() {
		p["from"] = "err.stmt_from"
	} else if err := access.Check(a, access.StatementDraft, access.Resource{OrgID: o.ID}); err != nil {
		return Statement{}, err
	}
	st := Statement{Title: strings.TrimSpace(in.Title), Body: strings.TrimSpace(in.Body), Language: in.Language, Actor: strings.TrimSpace(in.Actor),
		TrLanguage: in.TrLanguage, TrTitle: strings.TrimSpace(in.TrTitle), TrBody: strings.TrimSpace(in.TrBody), Incident: strings.TrimSpace(in.Incident),
		PublishMode: in.PublishMode, PublishAt: in.PublishAt, Initiator: in.From + "@" + s.fed.Host(), InitiatorName: o.Name, Country: o.Country, OrgID: o.ID}
	if st.Incident != "" {
		// The text names the incident with its node, so that every node
		// reads the same reference; the author names only one they see.
		r, err := core.ParseRef(st.Incident)
		if r.Node == "" {
			r.Node = s.fed.Host()
		}
		if err == nil && r.Module == "incidents" && r.Kind == "incident" {
			ok, cerr := s.checkIncident(ctx, r)
			if cerr != nil {
				return Statement{}, cerr
			}
			if !ok {
				err = errStmtNotFound
			}
		}
		if err != nil {
			p["incident"] = "err.stmt_incident"
		} else {
			st.Incident = r.String()
		}
	}
	if st.TrLanguage == "" && (st.TrTitle != "" || st.TrBody != "") {
		p["tr_language"] = "err.stmt_lang"
	}
	if p["incident"] == "" {
		for k, v := range st.text().problems() {
			p[k] = v
		}
	}
	now := s.db.Clock().Now()
	switch st.PublishMode {
	case PublishByInitiator:
		st.PublishAt = nil
	case PublishAt:
		if st.PublishAt != nil {
			// To the minute, as the form gives it: every node holds the same time.
			t := st.PublishAt.UTC().Truncate(time.Minute)
			st.PublishAt = &t
		}
		if st.PublishAt == nil || !st.PublishAt.After(now) {
			p["publish_at"] = "err.deadline_past"
		}
	default:
		p["publish_mode"] = "err.choice"
	}
	invitable, err := s.Invitable(ctx)
	if err != nil {
		return Statement{}, err
	}
	var invited []Invitable
	for _, addr := range in.Invited {
		i := slices.IndexFunc(invitable, func(x Invitable) bool { return x.Addr == addr })
		if i < 0 {
			p["invited"] = "err.stmt_invited"
			continue
		}
		if addr == in.From+"@"+s.fed.Host() {
			p["invited"] = "err.stmt_invited_self"
			continue
		}
		if !slices.ContainsFunc(invited, func(x Invitable) bool { return x.Addr == addr }) {
			invited = append(invited, invitable[i])
		}
	}
	if len(invited) == 0 && p["invited"] == "" {
		p["invited"] = "err.stmt_invited_none"
	}
	if len(p) > 0 {
		return Statement{}, p.Err("statements: draft")
	}
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		st.ID = core.NewID(tx.Now)
		st.OriginID = st.ID
		st.State = StatementDraft
		st.CreatedBy = a.Name
		st.CreatedAt, st.UpdatedAt = tx.Now, tx.Now
		if err := insertStatement(ctx, tx, st); err != nil {
			return err
		}
		signers := []Signer{{Signer: st.Initiator, OrgID: o.ID, Name: o.Name, Country: o.Country, Node: s.fed.Host(), State: SignerInvited}}
		for _, i := range invited {
			_, host, _ := federation.Address(i.Addr)
			signers = append(signers, Signer{Signer: i.Addr, OrgID: i.orgID, Name: i.Name, Country: i.Country, Node: host, State: SignerInvited})
		}
		for _, g := range signers {
			g.StatementID = st.ID
			if err := insertSigner(ctx, tx, g); err != nil {
				return err
			}
		}
		if err := s.linkIncident(ctx, tx, st); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "statements.draft", "inc_statement", st.ID, o.ID, st.Title)
	})
	return st, err
}

// Statement returns a statement with its signers, for someone who may see
// it: anyone once it is published; before, the people of its initiating
// or an invited organisation of this node. To anyone else, signed in or
// not, a statement they may not see is not found, as one that does not
// exist is (as incidents are): the answer is no oracle of what exists.
func (s *Statements) Statement(ctx context.Context, id string) (Statement, error) {
	st, err := s.load(ctx, s.db.R(), id)
	if err != nil {
		return Statement{}, err
	}
	if st.State == StatementPublished {
		return st, nil
	}
	if access.CheckAny(core.ActorFrom(ctx), access.StatementRead, st.orgs()) != nil {
		return Statement{}, errStmtNotFound
	}
	return st, nil
}

// orgs are this node's organisations among the statement's parties.
func (st Statement) orgs() []string {
	var out []string
	for _, g := range st.Signers {
		if g.OrgID != "" {
			out = append(out, g.OrgID)
		}
	}
	return out
}

// mine returns the statement for a party's action: the signer row of the
// local organisation addr (or, with addr empty, the first the actor may
// act for) after checking act for it.
func (st Statement) mine(a core.Actor, act access.Action, addr string) (Signer, error) {
	for _, g := range st.Signers {
		if g.OrgID == "" || (addr != "" && g.Signer != addr) {
			continue
		}
		if access.Can(a, act, access.Resource{OrgID: g.OrgID}) {
			return g, nil
		}
	}
	if a.Anonymous() {
		return Signer{}, access.Check(a, act, access.Resource{OrgID: "-"})
	}
	return Signer{}, &core.Error{Kind: core.KindForbidden, Message: "err.forbidden"}
}

// Open freezes the text, signs it for the initiator and invites the
// co-signers: the invitation carries the exact text and its hash, and the
// initiator's signature with its ledger proof.
func (s *Statements) Open(ctx context.Context, id string) (Statement, error) {
	st, err := s.initiated(ctx, id, "open")
	if err != nil {
		return st, err
	}
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		cur, err := s.load(ctx, tx.Conn, id)
		if err != nil {
			return err
		}
		if cur.State != StatementDraft {
			return stmtErr("open", core.KindConflict, "err.stmt_not_draft")
		}
		text := cur.text().Canonical()
		if _, err := tx.Exec(ctx, `UPDATE inc_statements SET state = ?, text = ?, sha256 = ?, opened_at = ?, updated_at = ? WHERE id = ?`,
			StatementOpen, string(text), TextHash(text), tx.Now, tx.Now, id); err != nil {
			return core.Wrap("statements: open", err)
		}
		// A draft made before its incident was on this node is linked now.
		if err := s.linkIncident(ctx, tx, cur); err != nil {
			return err
		}
		if err := s.cosign(ctx, tx, cur, cur.Initiator, TextHash(text)); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "statements.open", "inc_statement", id, cur.OrgID, TextHash(text))
	})
	if err != nil {
		return st, err
	}
	if err := s.finish(ctx, id, st.Initiator); err != nil {
		return st, err
	}
	return s.load(ctx, s.db.R(), id)
}

// cosign signs the text's hash for a local organisation, in this node's
// ledger, in tx. The signature is proven and sent by finish, after the
// commit (a checkpoint can only cover what is committed).
func (s *Statements) cosign(ctx context.Context, tx *store.Tx, st Statement, signer, sum string) error {
	i := slices.IndexFunc(st.Signers, func(g Signer) bool { return g.Signer == signer })
	if i < 0 {
		return errStmtNotFound
	}
	g := st.Signers[i]
	c := Cosign{Statement: sum, Signer: signer, Name: g.Name, Country: g.Country, Node: s.fed.Host(), SignedAt: tx.Now.UTC()}
	raw, err := s.fed.SignStatement(CosignContext, c)
	if err != nil {
		return err
	}
	idx, err := s.log.Append(ctx, tx, ledger.Entry{Kind: ledger.KindCosign, Ref: st.ID, Digest: ledger.Digest(raw)})
	if err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `UPDATE inc_statement_signers SET state = ?, cosign = ?, ledger_index = ?, ledger = '', signed_at = ?, sent_at = NULL, updated_at = ? WHERE statement_id = ? AND signer = ?`,
		SignerSigned, string(raw), idx[0], tx.Now, tx.Now, st.ID, signer)
	return core.Wrap("statements: sign", err)
}

// proof proves the ledger entry index against a checkpoint signed now.
func (s *Statements) proof(ctx context.Context, index int64) (LedgerProof, error) {
	cp, err := s.log.Sign(ctx)
	if err != nil {
		return LedgerProof{}, err
	}
	if index >= cp.Size {
		return LedgerProof{}, fmt.Errorf("statements: entry %d not yet in a checkpoint of size %d", index, cp.Size)
	}
	p, err := s.log.ProveInclusion(ctx, index, cp.Size)
	if err != nil {
		return LedgerProof{}, err
	}
	hs := make([]string, len(p))
	for i, h := range p {
		hs[i] = base64.StdEncoding.EncodeToString(h[:])
	}
	return LedgerProof{VerifierKey: s.log.VerifierKey(), Checkpoint: string(cp.Note), Index: index, Size: cp.Size, Hashes: hs}, nil
}

// finish proves a local signature made and not yet sent, and sends it: the
// initiator's as the invitations, a co-signer's to the initiator. It is
// idempotent, and the periodic check calls it for any left unsent (a
// crash between signing and sending).
func (s *Statements) finish(ctx context.Context, id, signer string) error {
	st, err := s.load(ctx, s.db.R(), id)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(st.Signers, func(g Signer) bool { return g.Signer == signer })
	if i < 0 || st.Signers[i].State != SignerSigned || st.Signers[i].SentAt != nil || st.Signers[i].LedgerIndex == nil {
		return nil
	}
	g := st.Signers[i]
	p, err := s.proof(ctx, *g.LedgerIndex)
	if err != nil {
		return err
	}
	pj, _ := json.Marshal(p)
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		n, err := tx.Exec(ctx, `UPDATE inc_statement_signers SET ledger = ?, sent_at = ?, updated_at = ? WHERE statement_id = ? AND signer = ? AND sent_at IS NULL AND cosign = ?`,
			string(pj), tx.Now, tx.Now, id, signer, g.Cosign)
		if err != nil {
			return core.Wrap("statements: finish", err)
		}
		if n == 0 {
			return nil // another call finished it
		}
		handle, _, _ := federation.Address(signer)
		if signer == st.Initiator {
			return s.invite(ctx, tx, st, g, p)
		}
		if st.State != StatementOpen || st.Local() {
			return nil // a co-signer on the initiator's own node: nothing to send
		}
		_, err = s.fed.Send(ctx, tx, federation.Outgoing{Type: TypeStmtSign, From: handle, To: st.Initiator, TLP: core.TLPAmber,
			Payload: signWire{Origin: st.OriginID, Initiator: st.Initiator, SHA256: st.SHA256, Cosign: json.RawMessage(g.Cosign), Ledger: p}})
		return err
	})
}

// initiated loads a statement for a step only its initiator takes (open,
// publish, retract): it must be this node's, and the actor one who drafts
// for the initiating organisation.
func (s *Statements) initiated(ctx context.Context, id, op string) (Statement, error) {
	st, err := s.load(ctx, s.db.R(), id)
	if err != nil {
		return st, err
	}
	if !st.Local() {
		return st, stmtErr(op, core.KindForbidden, "err.forbidden")
	}
	return st, access.Check(core.ActorFrom(ctx), access.StatementDraft, access.Resource{OrgID: st.OrgID})
}
