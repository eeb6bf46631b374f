package dialogue

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store"
)

// formLayout is what an <input type="datetime-local"> sends; the forms
// say the time is UTC.
const formLayout = "2006-01-02T15:04"

func parseWhen(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, true
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t.UTC(), true
	}
	t, err := time.Parse(formLayout, s)
	return t.UTC(), err == nil
}

// View is a dialogue as the actor sees it.
type View struct {
	D      *Dialogue
	Seat   Seat
	Hosted bool // hosted on this node
	// Identities is true when the reader sees who wrote what: always
	// outside the Chatham House Rule, and under it only a moderator on the
	// host's node.
	Identities bool
	Held       int // contributions waiting for a moderator (moderators only)
}

// Get returns the dialogue if the actor takes part in it. To anyone else it
// does not exist.
func (s *Service) Get(ctx context.Context, id string) (View, error) {
	d, err := s.load(ctx, s.db.R(), id)
	if err != nil {
		return View{}, err
	}
	st := s.seat(core.ActorFrom(ctx), d)
	if !st.Reads {
		return View{}, errNotFound
	}
	v := View{D: d, Seat: st, Hosted: d.Host == s.fed.Host()}
	v.Identities = !d.Rule.Anonymous() || (v.Hosted && st.Moderator())
	if v.Hosted && st.Moderator() {
		if err := s.db.R().Get(ctx, &v.Held, `SELECT COUNT(*) FROM dlg_contributions WHERE dialogue_id = ? AND state = 'held'`, id); err != nil {
			return v, core.Wrap("dialogue: get", err)
		}
	}
	return v, nil
}

// Item is a dialogue in a list.
type Item struct {
	ID      string    `json:"id" db:"id"`
	Title   string    `json:"title" db:"title"`
	Rule    Rule      `json:"rule" db:"rule"`
	Status  string    `json:"status" db:"status"`
	Host    string    `json:"host" db:"host"`
	Updated time.Time `json:"updated" db:"updated_at"`
}

// List returns the dialogues the actor's organisations take part in.
func (s *Service) List(ctx context.Context) ([]Item, error) {
	a := core.ActorFrom(ctx)
	var addrs []any
	for _, m := range a.Memberships {
		if access.Check(a, access.DialogueRead, access.Resource{OrgID: m.Org.ID}) == nil {
			addrs = append(addrs, m.Org.Handle+"@"+s.fed.Host())
		}
	}
	if len(addrs) == 0 {
		return nil, nil
	}
	var out []Item
	err := s.db.R().Select(ctx, &out, `SELECT id, title, rule, status, host, updated_at FROM dlg_dialogues WHERE id IN (SELECT dialogue_id FROM dlg_parties WHERE addr IN (`+marks(len(addrs))+`)) ORDER BY updated_at DESC, id LIMIT 500`, addrs...)
	return out, core.Wrap("dialogue: list", err)
}

func marks(n int) string { return strings.TrimSuffix(strings.Repeat("?,", n), ",") }

// contributionColumns are read for every reader; redact decides what of
// them the reader gets.
const contributionColumns = `id, dialogue_id, session_id, parent_id, seq, body, lang, state, reason, closed, created_at, rev, author_name, author_org, author_person, act_id`

type row struct {
	Contribution
	AuthorPerson string `db:"author_person"`
}

// redact turns stored rows into what the reader may see: no identities
// unless v.Identities, no text of a hidden contribution but to its
// moderators, held ones only for moderators and their authors.
func (s *Service) redact(ctx context.Context, v View, rows []row) ([]Contribution, error) {
	a := core.ActorFrom(ctx)
	// On a participant's node the reader's own contributions are known by
	// the acts this node sent for them, with their text: a copy of one
	// held or hidden carries none, and its author still sees what they wrote.
	mine := map[string]string{}
	if !v.Hosted {
		var acts []struct {
			ID   string `db:"act_id"`
			Body string `db:"body"`
		}
		if err := s.db.R().Select(ctx, &acts, `SELECT act_id, body FROM dlg_sent WHERE dialogue_id = ? AND person = ?`, v.D.ID, a.UserID); err != nil {
			return nil, core.Wrap("dialogue: contributions", err)
		}
		for _, x := range acts {
			mine[x.ID] = x.Body
		}
	}
	mod := v.Hosted && v.Seat.Moderator()
	out := make([]Contribution, 0, len(rows))
	for _, r := range rows {
		c := r.Contribution
		sent, ok := mine[c.ActID]
		c.Mine = (v.Hosted && r.AuthorPerson == a.UserID) || (c.ActID != "" && ok)
		if c.State == StateHeld && !mod && !c.Mine {
			continue
		}
		if c.State == StateHidden && !mod && !c.Mine {
			c.Body = ""
		}
		if c.Mine && c.Body == "" {
			c.Body = sent
		}
		if !v.Identities {
			c.AuthorName, c.AuthorOrg = "", ""
		}
		c.ActID = ""
		out = append(out, c)
	}
	return out, nil
}

// Thread is a page of threads: top-level contributions in order, each with
// its replies.
type Thread struct {
	Threads []Contribution
	Pending []Pending // the reader's own, sent to the host and not yet back
	Next    int64     // the seq to start the next page after, 0 at the end
}

// Pending is a contribution of the reader's on its way to the host.
type Pending struct {
	Body    string    `json:"body" db:"body"`
	Session string    `json:"session,omitempty" db:"session_id"`
	At      time.Time `json:"at" db:"created_at"`
}

// ThreadPage is how many threads a page shows: with their replies, a page
// a moderator reads stays within the page budget.
const ThreadPage = 40

// Threads returns up to ThreadPage threads of a session ("" for all)
// starting after seq.
func (s *Service) Threads(ctx context.Context, v View, session string, after int64) (Thread, error) {
	var out Thread
	args := []any{v.D.ID, after}
	q := `SELECT ` + contributionColumns + ` FROM dlg_contributions WHERE dialogue_id = ? AND parent_id = '' AND seq > ?`
	if session != "" {
		q += ` AND session_id = ?`
		args = append(args, session)
	}
	var roots []row
	if err := s.db.R().Select(ctx, &roots, q+` ORDER BY seq LIMIT `+itoa(ThreadPage+1), args...); err != nil {
		return out, core.Wrap("dialogue: threads", err)
	}
	if len(roots) > ThreadPage {
		roots = roots[:ThreadPage]
		out.Next = roots[len(roots)-1].Seq
	}
	if len(roots) > 0 {
		ids := make([]any, 0, len(roots)+1)
		ids = append(ids, v.D.ID)
		for _, r := range roots {
			ids = append(ids, r.ID)
		}
		var replies []row
		if err := s.db.R().Select(ctx, &replies, `SELECT `+contributionColumns+` FROM dlg_contributions WHERE dialogue_id = ? AND parent_id IN (`+marks(len(ids)-1)+`) ORDER BY seq`, ids...); err != nil {
			return out, core.Wrap("dialogue: threads", err)
		}
		all, err := s.redact(ctx, v, append(roots, replies...))
		if err != nil {
			return out, err
		}
		byID := map[string]int{}
		for _, c := range all {
			if c.Parent == "" {
				byID[c.ID] = len(out.Threads)
				out.Threads = append(out.Threads, c)
			}
		}
		for _, c := range all {
			if i, ok := byID[c.Parent]; ok && c.Parent != "" {
				out.Threads[i].Replies = append(out.Threads[i].Replies, c)
			}
		}
	}
	if !v.Hosted {
		if err := s.db.R().Select(ctx, &out.Pending, `SELECT body, session_id, created_at FROM dlg_sent s WHERE dialogue_id = ? AND person = ?
			AND NOT EXISTS (SELECT 1 FROM dlg_contributions c WHERE c.dialogue_id = s.dialogue_id AND c.act_id = s.act_id) ORDER BY created_at`, v.D.ID, core.ActorFrom(ctx).UserID); err != nil {
			return out, core.Wrap("dialogue: threads", err)
		}
	}
	return out, nil
}

// One returns one contribution as the reader may see it.
func (s *Service) One(ctx context.Context, v View, cid string) (Contribution, error) {
	var rows []row
	if err := s.db.R().Select(ctx, &rows, `SELECT `+contributionColumns+` FROM dlg_contributions WHERE dialogue_id = ? AND id = ?`, v.D.ID, cid); err != nil {
		return Contribution{}, core.Wrap("dialogue: contribution", err)
	}
	out, err := s.redact(ctx, v, rows)
	if err != nil || len(out) == 0 {
		return Contribution{}, errNotFound
	}
	return out[0], nil
}

// All returns every contribution the reader may see, in order (for exports).
func (s *Service) All(ctx context.Context, v View) ([]Contribution, error) {
	var rows []row
	if err := s.db.R().Select(ctx, &rows, `SELECT `+contributionColumns+` FROM dlg_contributions WHERE dialogue_id = ? ORDER BY seq`, v.D.ID); err != nil {
		return nil, core.Wrap("dialogue: contributions", err)
	}
	return s.redact(ctx, v, rows)
}

// ContributionInput is a contribution as written.
type ContributionInput struct {
	By      string `json:"by"` // the party address it is made for; default the first the actor may
	Session string `json:"session"`
	Parent  string `json:"parent"`
	Body    string `json:"body"`
	Lang    string `json:"lang"`
}

// act is what a participant's node sends the host: the contribution and,
// for the moderators there, who wrote it.
type act struct {
	ID       string    `json:"id"`
	Dialogue string    `json:"dialogue"`
	By       string    `json:"by"`
	Person   string    `json:"person"`
	Session  string    `json:"session,omitempty"`
	Parent   string    `json:"parent,omitempty"`
	Body     string    `json:"body"`
	Lang     string    `json:"lang,omitempty"`
	At       time.Time `json:"at"`
}

// TypeAct is the envelope of a contribution sent to the host.
const TypeAct = "dialogue.act"

// Contribute adds a contribution (or a reply) here, or sends it to the
// host's node.
func (s *Service) Contribute(ctx context.Context, id string, in ContributionInput) error {
	a := core.ActorFrom(ctx)
	v, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	if in.By == "" && len(v.Seat.Contributes) > 0 {
		in.By = v.Seat.Contributes[0]
	}
	if !slices.Contains(v.Seat.Contributes, in.By) {
		return errOp("contribute", core.KindForbidden, "err.forbidden")
	}
	x := act{Dialogue: id, By: in.By, Person: a.Name, Session: in.Session, Parent: in.Parent, Body: strings.TrimSpace(in.Body), Lang: in.Lang}
	if pr := s.checkAct(ctx, s.db.R(), v.D, &x); len(pr) > 0 {
		return pr.Err("dialogue: contribute")
	}
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		x.ID, x.At = core.NewID(tx.Now), tx.Now
		if v.Hosted {
			return s.add(ctx, tx, v.D, x, a.UserID)
		}
		signed, err := s.fed.SignStatement("dialogue.act", x)
		if err != nil {
			return err
		}
		handle, _, _ := federation.Address(x.By)
		if _, err := s.fed.Send(ctx, tx, federation.Outgoing{Type: TypeAct, From: handle, To: v.D.InRole(RoleHost)[0], TLP: core.TLPAmber, Payload: statement{Statement: string(signed)}}); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO dlg_sent (act_id, dialogue_id, person, session_id, parent_id, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			x.ID, id, a.UserID, x.Session, x.Parent, x.Body, tx.Now)
		return core.Wrap("dialogue: contribute", err)
	})
}

// statement carries a signed statement in an envelope.
type statement struct {
	Statement string `json:"statement"`
}

// checkAct checks a contribution against the dialogue as this node holds
// it: open, a known open session, a visible thread open to replies. A
// reply to a reply joins its thread.
func (s *Service) checkAct(ctx context.Context, q store.Conn, d *Dialogue, x *act) core.Problems {
	p := core.Problems{}
	checkText(p, "body", x.Body, true, maxBody)
	if x.Lang != "" && x.Lang != "en" && x.Lang != "id" {
		p.Add("lang", "err.lang")
	}
	if d.Status != StatusOpen {
		p.Add("body", "err.dlg_closed")
	}
	if x.Session != "" {
		if ss, ok := d.Session(x.Session); !ok {
			p.Add("session", "err.choice")
		} else if ss.Closed {
			p.Add("session", "err.dlg_session_closed")
		}
	}
	if x.Parent != "" {
		var par struct {
			Parent string `db:"parent_id"`
			State  string `db:"state"`
			Closed bool   `db:"closed"`
		}
		if err := q.Get(ctx, &par, `SELECT parent_id, state, closed FROM dlg_contributions WHERE dialogue_id = ? AND id = ?`, d.ID, x.Parent); err != nil {
			p.Add("parent", "err.not_found")
			return p
		}
		if par.Parent != "" {
			x.Parent = par.Parent
			if err := q.Get(ctx, &par, `SELECT parent_id, state, closed FROM dlg_contributions WHERE dialogue_id = ? AND id = ?`, d.ID, x.Parent); err != nil {
				p.Add("parent", "err.not_found")
				return p
			}
		}
		if par.State != StateVisible || par.Closed {
			p.Add("parent", "err.dlg_thread_closed")
		}
	}
	return p
}

// add stores a contribution on the host's node: numbered, held when the
// dialogue is premoderated, and scheduled for the other nodes.
func (s *Service) add(ctx context.Context, tx *store.Tx, d *Dialogue, x act, person string) error {
	var seq int64
	if err := tx.Get(ctx, &seq, `UPDATE dlg_dialogues SET next_seq = next_seq + 1 WHERE id = ? RETURNING next_seq`, d.ID); err != nil {
		return core.Wrap("dialogue: contribute", err)
	}
	rev, err := bump(ctx, tx, d.ID)
	if err != nil {
		return err
	}
	state := StateVisible
	if d.Premoderated {
		state = StateHeld
	}
	if _, err := tx.Exec(ctx, `INSERT INTO dlg_contributions (`+contributionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', FALSE, ?, ?, ?, ?, ?, ?)`,
		newHostedID(tx.Now, d.Host), d.ID, x.Session, x.Parent, seq, x.Body, x.Lang, state, tx.Now, rev, x.Person, x.By, person, x.ID); err != nil {
		return core.Wrap("dialogue: contribute", err)
	}
	if state == StateHeld {
		if err := s.tellModerators(ctx, tx, d); err != nil {
			return err
		}
	}
	return s.changed(ctx, tx, d.ID)
}

// Moderation actions.
const (
	ModHold    = "hold"
	ModRelease = "release"
	ModHide    = "hide"
	ModClose   = "close"
	ModReopen  = "reopen"
)

// Moderate holds, releases, hides (with a reason), closes or reopens a
// contribution. Only the host's node moderates.
func (s *Service) Moderate(ctx context.Context, id, cid, action, reason string) error {
	v, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	if !v.Hosted || !v.Seat.Moderator() {
		return errOp("moderate", core.KindForbidden, "err.dlg_moderator_only")
	}
	reason = strings.TrimSpace(reason)
	p := core.Problems{}
	switch action {
	case ModHide:
		checkText(p, "reason", reason, true, maxReason)
	case ModHold, ModRelease, ModClose, ModReopen:
		reason = ""
	default:
		p.Add("action", "err.choice")
	}
	if len(p) > 0 {
		return p.Err("dialogue: moderate")
	}
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		var c struct {
			Parent string `db:"parent_id"`
			State  string `db:"state"`
		}
		if err := tx.Get(ctx, &c, `SELECT parent_id, state FROM dlg_contributions WHERE dialogue_id = ? AND id = ?`, id, cid); err != nil {
			return errNotFound
		}
		rev, err := bump(ctx, tx, id)
		if err != nil {
			return err
		}
		q := `UPDATE dlg_contributions SET state = ?, reason = ?, rev = ? WHERE id = ?`
		args := []any{StateVisible, "", rev, cid}
		switch action {
		case ModHold:
			args[0] = StateHeld
		case ModHide:
			args[0], args[1] = StateHidden, reason
		case ModClose, ModReopen:
			if c.Parent != "" {
				return core.Problems{"action": "err.dlg_close_root"}.Err("dialogue: moderate")
			}
			q, args = `UPDATE dlg_contributions SET closed = ?, rev = ? WHERE id = ?`, []any{action == ModClose, rev, cid}
		}
		if _, err := tx.Exec(ctx, q, args...); err != nil {
			return core.Wrap("dialogue: moderate", err)
		}
		org := ""
		if ms := v.Seat.Moderates; len(ms) > 0 {
			org = s.orgID(ctx, tx.Conn, ms[0])
		}
		// The trail says a moderator acted on a contribution, never whose it was.
		if err := audit.Record(ctx, tx, "dialogue.moderate", "dlg_contribution", cid, org, action); err != nil {
			return err
		}
		return s.changed(ctx, tx, id)
	})
}

// orgID returns the id of a local organisation by its address, or "".
func (s *Service) orgID(ctx context.Context, q store.Conn, addr string) string {
	h, host, ok := federation.Address(addr)
	if !ok || host != s.fed.Host() {
		return ""
	}
	var id string
	_ = q.Get(ctx, &id, `SELECT id FROM organisations WHERE handle = ?`, h)
	return id
}

// tellModerators e-mails the host's moderators that something waits.
func (s *Service) tellModerators(ctx context.Context, tx *store.Tx, d *Dialogue) error {
	if s.notify == nil {
		return nil
	}
	for _, m := range d.InRole(RoleModerator) {
		if id := s.orgID(ctx, tx.Conn, m); id != "" {
			if err := s.notify.NotifyOrg(ctx, tx, id, []core.Role{core.RoleAdmin, core.RoleOfficer}, notify.DialogueHeld, "/dialogue/"+d.ID+"#held", notify.Args{"dialogue": d.Title}); err != nil {
				return err
			}
		}
	}
	return nil
}

// tellInvited e-mails the people of a newly invited local organisation; a
// peer's people hear from their own node when the copy arrives.
func (s *Service) tellInvited(ctx context.Context, tx *store.Tx, d *Dialogue, x Party) error {
	if s.notify == nil {
		return nil
	}
	if id := s.orgID(ctx, tx.Conn, x.Addr); id != "" {
		return s.notify.NotifyOrg(ctx, tx, id, readRoles, notify.DialogueInvite, "/dialogue/"+d.ID, notify.Args{"dialogue": d.Title})
	}
	return nil
}

func itoa(n int) string { return strconv.Itoa(n) }

// VisibleTitle returns a dialogue's title when the actor takes part in it,
// for an event linked to it: to anyone else the link names nothing.
func (s *Service) VisibleTitle(ctx context.Context, id string) (string, bool) {
	v, err := s.Get(ctx, id)
	if err != nil {
		return "", false
	}
	return v.D.Title, true
}
