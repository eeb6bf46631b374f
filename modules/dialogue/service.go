package dialogue

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
	"entente.example/entente/internal/jobs"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store"
)

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

// Notifier e-mails a local organisation's people, or one person.
type Notifier interface {
	NotifyOrg(ctx context.Context, tx *store.Tx, orgID string, roles []core.Role, k notify.Kind, path string, args notify.Args) error
	Notify(ctx context.Context, tx *store.Tx, userID string, k notify.Kind, path string, args notify.Args) error
}

// Service is the use cases of dialogues.
type Service struct {
	db     *store.DB
	fed    Fed
	jobs   *jobs.Queue
	notify Notifier // may be nil: no e-mail
	tr     notify.Translator
}

// Job kinds.
const (
	jobPublish = "dialogue.publish"
	jobDigest  = "dialogue.digest"
)

// NewService returns the service and registers its jobs and envelopes.
func NewService(db *store.DB, f Fed, q *jobs.Queue) *Service {
	s := &Service{db: db, fed: f, jobs: q}
	q.Register(jobs.Kind{Name: jobPublish, MaxAttempts: 12, Handle: s.publishJob})
	q.Register(jobs.Kind{Name: jobDigest, MaxAttempts: 4, Handle: s.digestJob})
	f.Handle("dialogue", s)
	return s
}

// UseNotifier sets how people are e-mailed, and the catalogue their
// digests are written from. Without one, nobody is.
func (s *Service) UseNotifier(n Notifier, tr notify.Translator) { s.notify, s.tr = n, tr }

func errOp(op string, kind core.Kind, msg string) error {
	return &core.Error{Kind: kind, Op: "dialogue: " + op, Message: msg}
}

var errNotFound = errOp("find", core.KindNotFound, "err.not_found")

// errChanged is returned when another change landed between read and write;
// update retries it.
var errChanged = errOp("update", core.KindConflict, "err.changed_meanwhile")

// hostTag ends every dialogue id: a peer is believed only about dialogues
// whose id carries its own tag.
func hostTag(host string) string { return federation.HostTag(host) }

func taggedBy(id, host string) bool { return federation.TaggedBy(id, host) }

// hostedID reports whether id has the shape of an id made on host
// (dialogues and contributions).
func hostedID(id, host string) bool { return federation.HostedID(id, host) }

// newHostedID makes an id that says which node made it.
func newHostedID(now time.Time, host string) string { return federation.NewHostedID(now, host) }

// Seat is what an actor is in a dialogue.
type Seat struct {
	Reads       bool     // takes part: reads the dialogue and sees its participants
	Runs        []string // host addresses it may run the dialogue for
	Moderates   []string // moderator addresses it may moderate for (on the host's node only)
	Contributes []string // party addresses it may contribute for
	Reports     []string // rapporteur addresses it may write the summary for
}

// Moderator reports whether the actor moderates (and so, on the host's
// node, sees who wrote what).
func (s Seat) Moderator() bool { return len(s.Moderates) > 0 }

// seat works out, through the access policy, what the actor may do in d:
// the parties are data, the rights of each role are the policy's. Node
// administrators get no pass.
func (s *Service) seat(a core.Actor, d *Dialogue) Seat {
	var st Seat
	for _, m := range a.Memberships {
		addr := m.Org.Handle + "@" + s.fed.Host()
		res := access.Resource{OrgID: m.Org.ID}
		for _, x := range d.Parties {
			if x.Addr != addr || access.Check(a, access.DialogueRead, res) != nil {
				continue
			}
			st.Reads = true
			add := func(list *[]string, act access.Action) {
				if access.Check(a, act, res) == nil && !slices.Contains(*list, addr) {
					*list = append(*list, addr)
				}
			}
			add(&st.Contributes, access.DialogueContribute)
			switch x.Role {
			case RoleHost:
				add(&st.Runs, access.DialogueRun)
			case RoleModerator:
				if d.Host == s.fed.Host() {
					add(&st.Moderates, access.DialogueModerate)
				}
			case RoleRapporteur:
				add(&st.Reports, access.DialogueReport)
			}
		}
	}
	return st
}

func (s *Service) load(ctx context.Context, q store.Conn, id string) (*Dialogue, error) {
	var doc string
	if err := q.Get(ctx, &doc, `SELECT doc FROM dlg_dialogues WHERE id = ?`, id); err != nil {
		if core.KindOf(core.Wrap("", err)) == core.KindNotFound {
			return nil, errNotFound
		}
		return nil, core.Wrap("dialogue: load", err)
	}
	var d Dialogue
	if err := json.Unmarshal([]byte(doc), &d); err != nil {
		return nil, core.Wrap("dialogue: load", err)
	}
	return &d, nil
}

// bump takes the dialogue's next rev, in tx: every change that a
// participating node must hear of carries one.
func bump(ctx context.Context, tx *store.Tx, id string) (int64, error) {
	var rev int64
	err := tx.Get(ctx, &rev, `UPDATE dlg_dialogues SET rev = rev + 1 WHERE id = ? RETURNING rev`, id)
	return rev, core.Wrap("dialogue: rev", err)
}

// mutate applies fn to a dialogue this node hosts, in tx, and schedules
// the copies for the other participating nodes.
func (s *Service) mutate(ctx context.Context, tx *store.Tx, id string, fn func(d *Dialogue) error) (*Dialogue, error) {
	// Take the dialogue's row before reading it: a change applied from a
	// peer's envelope runs in the inbox's transaction and cannot retry, so
	// no other change may land between this read and the write.
	if _, err := tx.Exec(ctx, `UPDATE dlg_dialogues SET rev = rev WHERE id = ?`, id); err != nil {
		return nil, core.Wrap("dialogue: update", err)
	}
	var ver int
	if err := tx.Get(ctx, &ver, `SELECT version FROM dlg_dialogues WHERE id = ?`, id); err != nil {
		if core.KindOf(core.Wrap("", err)) == core.KindNotFound {
			return nil, errNotFound
		}
		return nil, core.Wrap("dialogue: update", err)
	}
	d, err := s.load(ctx, tx.Conn, id)
	if err != nil {
		return nil, err
	}
	if d.Host != s.fed.Host() {
		return nil, errOp("update", core.KindForbidden, "err.not_hosted_here")
	}
	if err := fn(d); err != nil {
		return nil, err
	}
	d.Version = ver + 1
	d.Updated = tx.Now
	doc, err := json.Marshal(d)
	if err != nil {
		return nil, err
	}
	n, err := tx.Exec(ctx, `UPDATE dlg_dialogues SET doc = ?, version = ?, title = ?, rule = ?, status = ?, updated_at = ? WHERE id = ? AND version = ?`,
		string(doc), d.Version, d.Title, string(d.Rule), d.Status, tx.Now, id, ver)
	if err != nil {
		return nil, core.Wrap("dialogue: update", err)
	}
	if n == 0 {
		return nil, errChanged
	}
	rev, err := bump(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	if _, err := tx.Exec(ctx, `UPDATE dlg_dialogues SET doc_rev = ? WHERE id = ?`, rev, id); err != nil {
		return nil, core.Wrap("dialogue: update", err)
	}
	if err := setParties(ctx, tx, d); err != nil {
		return nil, err
	}
	return d, s.changed(ctx, tx, id)
}

// update runs mutate in its own transaction, again if another change landed
// first.
func (s *Service) update(ctx context.Context, id string, fn func(tx *store.Tx, d *Dialogue) error) (*Dialogue, error) {
	var out *Dialogue
	var err error
	for range 4 {
		err = s.db.WithTx(ctx, func(tx *store.Tx) error {
			var err error
			out, err = s.mutate(ctx, tx, id, func(d *Dialogue) error { return fn(tx, d) })
			return err
		})
		if !errors.Is(err, errChanged) {
			break
		}
	}
	return out, err
}

func setParties(ctx context.Context, tx *store.Tx, d *Dialogue) error {
	if _, err := tx.Exec(ctx, `DELETE FROM dlg_parties WHERE dialogue_id = ?`, d.ID); err != nil {
		return core.Wrap("dialogue: parties", err)
	}
	for _, p := range d.Parties {
		if _, err := tx.Exec(ctx, `INSERT INTO dlg_parties (dialogue_id, addr, role) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, d.ID, p.Addr, string(p.Role)); err != nil {
			return core.Wrap("dialogue: parties", err)
		}
	}
	return nil
}

// party resolves an address (or a local handle) to a party, checking the
// organisation exists here or on a verified peer. Moderators sit on the
// host's node: under the Chatham House Rule who wrote what never leaves it,
// and moderating means seeing it.
func (s *Service) party(ctx context.Context, q store.Conn, addr string, role Role) (Party, string) {
	addr = strings.TrimSpace(addr)
	handle, host, ok := federation.Address(addr)
	if !ok {
		handle, host = addr, s.fed.Host()
	}
	x := Party{Addr: handle + "@" + host, Role: role}
	if host == s.fed.Host() {
		var o struct {
			Kind string `db:"kind"`
			Name string `db:"name_en"`
		}
		if err := q.Get(ctx, &o, `SELECT kind, name_en FROM organisations WHERE handle = ?`, handle); err != nil {
			return x, "err.unknown_org"
		}
		x.Name, x.Kind = o.Name, o.Kind
	} else {
		orgs, err := s.fed.RemoteOrgs(ctx)
		if err != nil {
			return x, "err.unknown_org"
		}
		i := slices.IndexFunc(orgs, func(o federation.RemoteOrg) bool { return o.Address() == x.Addr })
		if i < 0 {
			return x, "err.unknown_org"
		}
		x.Name, x.Kind = orgs[i].NameEN, orgs[i].Kind
	}
	switch role {
	case RoleHost, RoleModerator:
		if host != s.fed.Host() {
			return x, "err.dlg_moderator_local"
		}
	case RoleParticipant, RoleRapporteur:
	default:
		return x, "err.choice"
	}
	return x, ""
}

// Input is what opens a dialogue.
type Input struct {
	Host         string `json:"host"` // the host organisation's handle on this node
	Title        string `json:"title"`
	Purpose      string `json:"purpose"`
	Rule         Rule   `json:"rule"`
	Lang         string `json:"lang"`
	Premoderated bool   `json:"premoderated"`
}

func (in *Input) problems() core.Problems {
	p := core.Problems{}
	in.Title, in.Purpose = strings.TrimSpace(in.Title), strings.TrimSpace(in.Purpose)
	checkText(p, "title", in.Title, true, maxTitle)
	checkText(p, "purpose", in.Purpose, false, maxPurpose)
	if !in.Rule.Valid() {
		p.Add("rule", "err.choice")
	}
	if in.Lang == "" {
		in.Lang = "en"
	}
	if in.Lang != "en" && in.Lang != "id" {
		p.Add("lang", "err.lang")
	}
	if strings.TrimSpace(in.Host) == "" {
		p.Add("host", "err.required")
	}
	return p
}

// Create opens a dialogue hosted by one of the actor's organisations here;
// the host moderates too until it names other moderators.
func (s *Service) Create(ctx context.Context, in Input) (*Dialogue, error) {
	a := core.ActorFrom(ctx)
	if pr := in.problems(); len(pr) > 0 {
		return nil, pr.Err("dialogue: create")
	}
	var d *Dialogue
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		host, msg := s.party(ctx, tx.Conn, in.Host, RoleHost)
		if msg != "" {
			return core.Problems{"host": msg}.Err("dialogue: create")
		}
		var orgID string
		if err := tx.Get(ctx, &orgID, `SELECT id FROM organisations WHERE handle = ?`, strings.TrimSuffix(host.Addr, "@"+s.fed.Host())); err != nil {
			return core.Wrap("dialogue: create", err)
		}
		if err := access.Check(a, access.DialogueCreate, access.Resource{OrgID: orgID}); err != nil {
			return err
		}
		mod := host
		mod.Role = RoleModerator
		d = &Dialogue{ID: newHostedID(tx.Now, s.fed.Host()), Host: s.fed.Host(), Title: in.Title, Purpose: in.Purpose,
			Rule: in.Rule, Lang: in.Lang, Status: StatusOpen, Premoderated: in.Premoderated, Parties: []Party{host, mod},
			Version: 1, Created: tx.Now, Updated: tx.Now}
		doc, err := json.Marshal(d)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO dlg_dialogues (id, host, title, rule, status, version, doc, rev, doc_rev, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, 1, ?)`,
			d.ID, d.Host, d.Title, string(d.Rule), d.Status, d.Version, string(doc), tx.Now); err != nil {
			return core.Wrap("dialogue: create", err)
		}
		return setParties(ctx, tx, d)
	})
	return d, err
}

// runs checks that the actor may run d.
func (s *Service) runs(ctx context.Context, d *Dialogue) error {
	st := s.seat(core.ActorFrom(ctx), d)
	if !st.Reads {
		return errNotFound
	}
	if len(st.Runs) == 0 {
		return errOp("run", core.KindForbidden, "err.dlg_host_only")
	}
	return nil
}

// AddParty invites an organisation (here or on a verified peer) in a role.
func (s *Service) AddParty(ctx context.Context, id, addr string, role Role) error {
	_, err := s.update(ctx, id, func(tx *store.Tx, d *Dialogue) error {
		if err := s.runs(ctx, d); err != nil {
			return err
		}
		if !slices.Contains(Roles, role) {
			return core.Problems{"role": "err.choice"}.Err("dialogue: invite")
		}
		if strings.TrimSpace(addr) == "" {
			return core.Problems{"addr": "err.required"}.Err("dialogue: invite")
		}
		x, msg := s.party(ctx, tx.Conn, addr, role)
		if msg != "" {
			return core.Problems{"addr": msg}.Err("dialogue: invite")
		}
		if d.Has(x.Addr, role) {
			return core.Problems{"addr": "err.already_party"}.Err("dialogue: invite")
		}
		if len(d.Parties) >= maxParties {
			return core.Problems{"addr": "err.too_many"}.Err("dialogue: invite")
		}
		d.Parties = append(d.Parties, x)
		return s.tellInvited(ctx, tx, d, x)
	})
	return err
}

// RemoveParty takes a role away. The host's own roles stay.
func (s *Service) RemoveParty(ctx context.Context, id, addr string, role Role) error {
	_, err := s.update(ctx, id, func(tx *store.Tx, d *Dialogue) error {
		if err := s.runs(ctx, d); err != nil {
			return err
		}
		if role == RoleHost {
			return core.Problems{"role": "err.choice"}.Err("dialogue: remove")
		}
		i := slices.IndexFunc(d.Parties, func(p Party) bool { return p.Addr == addr && p.Role == role })
		if i < 0 {
			return errNotFound
		}
		d.Parties = slices.Delete(d.Parties, i, i+1)
		if len(d.InRole(RoleModerator)) == 0 {
			return core.Problems{"role": "err.dlg_last_moderator"}.Err("dialogue: remove")
		}
		return nil
	})
	return err
}

// SessionInput adds a session.
type SessionInput struct {
	Title  string `json:"title"`
	Agenda string `json:"agenda"`
	Starts string `json:"starts"` // RFC 3339, or a form's local date-time in UTC; may be empty
}

// AddSession adds a session with its agenda.
func (s *Service) AddSession(ctx context.Context, id string, in SessionInput) (Session, error) {
	var out Session
	_, err := s.update(ctx, id, func(tx *store.Tx, d *Dialogue) error {
		if err := s.runs(ctx, d); err != nil {
			return err
		}
		p := core.Problems{}
		in.Title, in.Agenda = strings.TrimSpace(in.Title), strings.TrimSpace(in.Agenda)
		checkText(p, "title", in.Title, true, maxTitle)
		checkText(p, "agenda", in.Agenda, false, maxPurpose)
		starts, ok := parseWhen(in.Starts)
		if !ok {
			p.Add("starts", "err.datetime")
		}
		if len(d.Sessions) >= maxSessions {
			p.Add("title", "err.too_many")
		}
		if len(p) > 0 {
			return p.Err("dialogue: session")
		}
		out = Session{ID: core.NewID(tx.Now), Title: in.Title, Agenda: in.Agenda, Starts: starts}
		d.Sessions = append(d.Sessions, out)
		return nil
	})
	return out, err
}

// SetStatus closes a dialogue to contributions, or opens it again.
func (s *Service) SetStatus(ctx context.Context, id, status string) error {
	_, err := s.update(ctx, id, func(tx *store.Tx, d *Dialogue) error {
		if err := s.runs(ctx, d); err != nil {
			return err
		}
		if status != StatusOpen && status != StatusClosed {
			return core.Problems{"status": "err.choice"}.Err("dialogue: status")
		}
		d.Status = status
		return nil
	})
	return err
}

// SetSession closes a session to contributions, or opens it again.
func (s *Service) SetSession(ctx context.Context, id, sid string, closed bool) error {
	_, err := s.update(ctx, id, func(tx *store.Tx, d *Dialogue) error {
		if err := s.runs(ctx, d); err != nil {
			return err
		}
		i := slices.IndexFunc(d.Sessions, func(x Session) bool { return x.ID == sid })
		if i < 0 {
			return errNotFound
		}
		d.Sessions[i].Closed = closed
		return nil
	})
	return err
}
