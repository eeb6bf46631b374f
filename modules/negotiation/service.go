package negotiation

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/jobs"
	"entente.example/entente/internal/ledger"
	"entente.example/entente/internal/store"
)

//go:embed schema/*.sql
var schemaFS embed.FS

// Migrations returns the module's schema.
func Migrations() store.Migrations { return store.Embedded("negotiation", schemaFS) }

// Fed is what the module needs of federation: signing and checking
// statements, and sending envelopes.
type Fed interface {
	SignStatement(context string, v any) ([]byte, error)
	OpenStatement(ctx context.Context, context string, b []byte, host string) (json.RawMessage, string, error)
	Fingerprint() string
	Host() string
	Send(ctx context.Context, tx *store.Tx, o federation.Outgoing) (string, error)
	RemoteOrgs(ctx context.Context) ([]federation.RemoteOrg, error)
	Handle(prefix string, h federation.Handler)
}

// Service is the use cases of the negotiating table.
type Service struct {
	db     *store.DB
	fed    Fed
	ledger *ledger.Log
	jobs   *jobs.Queue
	notify Notifier // may be nil: no e-mail
}

// Job kinds.
const (
	jobPublish = "negotiation.publish"
	jobSilence = "negotiation.silence"
)

// NewService returns the service and registers its jobs.
func NewService(db *store.DB, f Fed, l *ledger.Log, q *jobs.Queue) *Service {
	s := &Service{db: db, fed: f, ledger: l, jobs: q}
	q.Register(jobs.Kind{Name: jobPublish, MaxAttempts: 8, Handle: s.publishJob})
	// A silence must end: its job keeps trying (backing off to hourly)
	// rather than leave a text frozen under silence.
	q.Register(jobs.Kind{Name: jobSilence, MaxAttempts: 1000, Handle: s.silenceJob})
	q.Register(jobs.Kind{Name: jobSilenceEnding, MaxAttempts: 8, Handle: s.silenceEndingJob})
	f.Handle("negotiation", s)
	return s
}

func errOp(op string, kind core.Kind, msg string) error {
	return &core.Error{Kind: kind, Op: "negotiation: " + op, Message: msg}
}

var errNotFound = errOp("find", core.KindNotFound, "err.not_found")

// Seat is what an actor is in a process.
type Seat struct {
	Chair   []string // chair or secretariat addresses it may run the table for
	Reads   bool     // may read the state texts
	Acts    []string // delegations it may act for
	Consult []string // stakeholders it may contribute for
	Any     bool     // takes part at all
}

// Delegate is the first delegation the actor acts for, or "".
func (s Seat) Delegate() string {
	if len(s.Acts) > 0 {
		return s.Acts[0]
	}
	return ""
}

// Runs reports whether the actor may run the table.
func (s Seat) Runs() bool { return len(s.Chair) > 0 }

// seat works out, through the access policy, what the actor may do in p:
// the parties are data, the rights of each role are the policy's.
func (s *Service) seat(a core.Actor, p *Process) Seat {
	var st Seat
	for _, m := range a.Memberships {
		addr := m.Org.Handle + "@" + s.fed.Host()
		res := access.Resource{OrgID: m.Org.ID}
		for _, x := range p.Parties {
			if x.Addr != addr {
				continue
			}
			switch x.Role {
			case RoleChair, RoleSecretariat, RoleDelegation:
				// A delegation is a state: a copy from a peer naming a
				// company as one does not open the texts to its people.
				if access.Check(a, access.NegotiationRead, res) != nil || (x.Role == RoleDelegation && !m.Kind.State()) {
					continue
				}
				st.Reads, st.Any = true, true
				if x.Role == RoleDelegation && access.Check(a, access.NegotiationAct, res) == nil && !slices.Contains(st.Acts, addr) {
					st.Acts = append(st.Acts, addr)
				}
				if x.Role != RoleDelegation && access.Check(a, access.NegotiationChair, res) == nil && !slices.Contains(st.Chair, addr) {
					st.Chair = append(st.Chair, addr)
				}
			case RoleStakeholder:
				if access.Check(a, access.NegotiationConsult, res) == nil {
					st.Any = true
					st.Consult = append(st.Consult, addr)
				}
			}
		}
	}
	return st
}

// addrs lists the actor's organisations as addresses on this node.
func (s *Service) addrs(a core.Actor) []string {
	var out []string
	for _, m := range a.Memberships {
		out = append(out, m.Org.Handle+"@"+s.fed.Host())
	}
	return out
}

func (s *Service) load(ctx context.Context, q store.Conn, id string) (*Process, int, error) {
	var row struct {
		Doc     string `db:"doc"`
		Version int    `db:"version"`
	}
	if err := q.Get(ctx, &row, `SELECT doc, version FROM neg_processes WHERE id = ?`, id); err != nil {
		if core.KindOf(core.Wrap("", err)) == core.KindNotFound {
			return nil, 0, errNotFound
		}
		return nil, 0, core.Wrap("negotiation: load", err)
	}
	var p Process
	if err := json.Unmarshal([]byte(row.Doc), &p); err != nil {
		return nil, 0, core.Wrap("negotiation: load", err)
	}
	return &p, row.Version, nil
}

// errChanged is returned when another change landed between read and write;
// update retries it.
var errChanged = errOp("update", core.KindConflict, "err.changed_meanwhile")

// mutate applies fn to a process this node hosts, in tx, and schedules a
// signed copy for the other participating nodes.
func (s *Service) mutate(ctx context.Context, tx *store.Tx, id string, fn func(p *Process) error) (*Process, error) {
	p, ver, err := s.load(ctx, tx.Conn, id)
	if err != nil {
		return nil, err
	}
	if p.Host != s.fed.Host() {
		return nil, errOp("update", core.KindForbidden, "err.not_hosted_here")
	}
	known := runningSilences(p)
	if err := fn(p); err != nil {
		return nil, err
	}
	// The change may have opened a silence: this node's delegations hear now.
	if err := s.tellNewSilences(ctx, tx, p, known); err != nil {
		return nil, err
	}
	p.Version = ver + 1
	p.Updated = tx.Now
	doc, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	res, err := tx.Exec(ctx, `UPDATE neg_processes SET doc = ?, version = ?, title = ?, forum = ?, updated_at = ? WHERE id = ? AND version = ?`, string(doc), p.Version, p.Title, p.Forum, tx.Now, id, ver)
	if err != nil {
		return nil, core.Wrap("negotiation: update", err)
	}
	if res == 0 {
		return nil, errChanged
	}
	return p, s.changed(ctx, tx, id)
}

// update runs mutate in its own transaction, again if another change landed
// first.
func (s *Service) update(ctx context.Context, id string, fn func(tx *store.Tx, p *Process) error) (*Process, error) {
	var out *Process
	var err error
	for range 4 {
		err = s.db.WithTx(ctx, func(tx *store.Tx) error {
			var err error
			out, err = s.mutate(ctx, tx, id, func(p *Process) error { return fn(tx, p) })
			return err
		})
		if !errors.Is(err, errChanged) {
			break
		}
	}
	return out, err
}

func setParties(ctx context.Context, tx *store.Tx, p *Process) error {
	if _, err := tx.Exec(ctx, `DELETE FROM neg_parties WHERE process_id = ?`, p.ID); err != nil {
		return core.Wrap("negotiation: parties", err)
	}
	for _, x := range p.Parties {
		if _, err := tx.Exec(ctx, `INSERT INTO neg_parties (process_id, addr, role) VALUES (?, ?, ?)`, p.ID, x.Addr, x.Role); err != nil {
			return core.Wrap("negotiation: parties", err)
		}
	}
	return nil
}

// View is a process as one actor may see it.
type View struct {
	P      *Process
	Seat   Seat
	Hosted bool
	Sent   []Sent // this node's acts on their way to the chair's node
}

// Process returns a process for someone taking part in it; stakeholders get
// it without the state texts. Anyone else learns nothing.
func (s *Service) Process(ctx context.Context, id string) (View, error) {
	p, _, err := s.load(ctx, s.db.R(), id)
	if err != nil {
		return View{}, err
	}
	v := View{P: p, Seat: s.seat(core.ActorFrom(ctx), p), Hosted: p.Host == s.fed.Host()}
	if !v.Seat.Any {
		return View{}, errNotFound
	}
	if !v.Seat.Reads {
		p.Texts = nil
	}
	if mine := append(slices.Clone(v.Seat.Acts), v.Seat.Consult...); !v.Hosted && len(mine) > 0 {
		args := []any{id}
		for _, a := range mine {
			args = append(args, a)
		}
		err = s.db.R().Select(ctx, &v.Sent, `SELECT id, text_id, kind, by_addr, person, envelope_id, created_at FROM neg_sent WHERE process_id = ? AND by_addr IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(mine)), ", ")+`) ORDER BY created_at DESC LIMIT 20`, args...)
		// What the chair's node changed after an act was sent has taken it in
		// (or refused it); only the newer ones are still on their way.
		v.Sent = slices.DeleteFunc(v.Sent, func(x Sent) bool { return !x.At.After(p.Updated) })
	}
	return v, core.Wrap("negotiation: process", err)
}

// Text returns a process and one of its texts, for those who may read the
// state texts.
func (s *Service) Text(ctx context.Context, pid, tid string) (View, *Text, error) {
	v, err := s.Process(ctx, pid)
	if err != nil {
		return v, nil, err
	}
	t, ok := v.P.Text(tid)
	if !v.Seat.Reads || !ok {
		return v, nil, errNotFound
	}
	return v, t, nil
}

// Summary is a process in a list.
type Summary struct {
	ID      string    `db:"id" json:"id"`
	Title   string    `db:"title" json:"title"`
	Forum   string    `db:"forum" json:"forum"`
	Host    string    `db:"host" json:"host"`
	Role    string    `db:"role" json:"role"`
	Updated time.Time `db:"updated_at" json:"updated"`
}

// Processes lists the processes the actor's organisations take part in,
// filtered in SQL by their addresses; each row once, with the actor's
// first role in it.
func (s *Service) Processes(ctx context.Context) ([]Summary, error) {
	addrs := s.addrs(core.ActorFrom(ctx))
	if len(addrs) == 0 {
		return nil, nil
	}
	args := make([]any, len(addrs))
	for i, a := range addrs {
		args[i] = a
	}
	var rows []Summary
	err := s.db.R().Select(ctx, &rows, `SELECT p.id, p.title, p.forum, p.host, x.role, p.updated_at FROM neg_processes p JOIN neg_parties x ON x.process_id = p.id
		WHERE x.addr IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(addrs)), ", ")+`) ORDER BY p.updated_at DESC, p.id, x.role`, args...)
	if err != nil {
		return nil, core.Wrap("negotiation: processes", err)
	}
	var out []Summary
	for _, r := range rows {
		if n := len(out); n > 0 && out[n-1].ID == r.ID {
			continue
		}
		// The role is re-checked against the policy on the process itself.
		v, err := s.Process(ctx, r.ID)
		if err != nil {
			continue
		}
		if v.Seat.Reads {
			r.Role = RoleDelegation
			if v.Seat.Runs() {
				r.Role = RoleChair
			}
		} else {
			r.Role = RoleStakeholder
		}
		out = append(out, r)
	}
	return out, nil
}

// Revision returns the paragraphs of an issued revision, or of the working
// text for n = 0.
func (s *Service) Revision(ctx context.Context, pid, tid string, n int) ([]Paragraph, error) {
	_, t, err := s.Text(ctx, pid, tid)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return t.Paragraphs, nil
	}
	var b string
	if err := s.db.R().Get(ctx, &b, `SELECT paragraphs FROM neg_revisions WHERE process_id = ? AND text_id = ? AND n = ?`, pid, tid, n); err != nil {
		if core.KindOf(core.Wrap("", err)) == core.KindNotFound {
			return nil, errNotFound
		}
		return nil, core.Wrap("negotiation: revision", err)
	}
	var ps []Paragraph
	return ps, core.Wrap("negotiation: revision", json.Unmarshal([]byte(b), &ps))
}

// Sent is an act sent to the chair's node.
type Sent struct {
	ID         string    `db:"id" json:"id"`
	TextID     string    `db:"text_id" json:"text_id"`
	Kind       string    `db:"kind" json:"kind"`
	By         string    `db:"by_addr" json:"by"`
	Person     string    `db:"person" json:"person"`
	EnvelopeID string    `db:"envelope_id" json:"envelope_id"`
	At         time.Time `db:"created_at" json:"at"`
}

// CompareRevisions compares two versions of a text (0 is the working text).
func (s *Service) CompareRevisions(ctx context.Context, pid, tid string, a, b int) ([]ParaDiff, error) {
	pa, err := s.Revision(ctx, pid, tid, a)
	if err != nil {
		return nil, err
	}
	pb, err := s.Revision(ctx, pid, tid, b)
	if err != nil {
		return nil, err
	}
	return Compare(pa, pb), nil
}
