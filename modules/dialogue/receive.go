package dialogue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"entente.example/entente/core"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/store"
)

// Receive implements federation.Handler for the dialogue's envelopes.
func (s *Service) Receive(ctx context.Context, tx *store.Tx, env federation.Envelope, payload []byte) error {
	switch env.Type {
	case TypeCopy:
		return s.receiveCopy(ctx, tx, env, payload)
	case TypeAct:
		return s.receiveAct(ctx, tx, env, payload)
	case TypeSummary:
		return s.receiveSummary(ctx, tx, env, payload)
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

// openStatement checks a signed statement in an envelope from host over
// the exact bytes received.
func (s *Service) openStatement(ctx context.Context, context string, payload []byte, host string, v any) (string, error) {
	return openStatement(ctx, s.fed, context, payload, host, v)
}

// statementOpener is the federation's check of a peer's signed statement.
type statementOpener interface {
	OpenStatement(ctx context.Context, context string, b []byte, host string) (json.RawMessage, string, error)
}

// openStatement is the check of a signed statement that dialogues and
// events share.
func openStatement(ctx context.Context, f statementOpener, context string, payload []byte, host string, v any) (string, error) {
	var pl statement
	if err := json.Unmarshal(payload, &pl); err != nil {
		return "", malformed("payload")
	}
	body, _, err := f.OpenStatement(ctx, context, []byte(pl.Statement), host)
	if err != nil {
		return "", &core.Error{Kind: core.KindInvalid, Message: "err.form", Err: err}
	}
	if err := core.CheckJSON(body); err != nil {
		return "", &core.Error{Kind: core.KindInvalid, Message: "err.form", Err: err}
	}
	if err := json.Unmarshal(body, v); err != nil {
		return "", malformed(context)
	}
	return pl.Statement, nil
}

// wellFormed checks a peer's copy for what pages and rules rely on.
func (d *Dialogue) wellFormed(host string) error {
	if d.Host != host || !hostedID(d.ID, host) {
		return errors.New("a dialogue hosted elsewhere")
	}
	p := core.Problems{}
	checkText(p, "title", d.Title, true, maxTitle)
	checkText(p, "purpose", d.Purpose, false, maxPurpose)
	checkText(p, "summary", d.Summary.Text, false, maxSummary)
	checkText(p, "note", d.Summary.Note, false, maxReason)
	if r := d.Summary.Reason; r != "" && !slices.Contains(summaryReasons, r) {
		p.Add("reason", "err.choice")
	}
	if len(p) > 0 || !d.Rule.Valid() || (d.Status != StatusOpen && d.Status != StatusClosed) || d.Version < 1 {
		return errors.New("fields out of range")
	}
	if len(d.Parties) > maxParties || len(d.Sessions) > maxSessions {
		return errors.New("too many parties or sessions")
	}
	hosts := 0
	for _, x := range d.Parties {
		_, h, ok := federation.Address(x.Addr)
		switch {
		case !ok:
			return errors.New("a party without an address")
		case (x.Role == RoleHost || x.Role == RoleModerator) && h != host:
			return errors.New("a host or moderator on another node")
		case !slices.Contains(append(Roles, RoleHost), x.Role):
			return errors.New("an unknown role")
		}
		if k := core.CheckText(x.Name); k != "" || len(x.Name) > 400 {
			return errors.New("a party's name")
		}
		if x.Role == RoleHost {
			hosts++
		}
	}
	if hosts != 1 {
		return errors.New("not one host")
	}
	for _, ss := range d.Sessions {
		p := core.Problems{}
		checkText(p, "title", ss.Title, true, maxTitle)
		checkText(p, "agenda", ss.Agenda, false, maxPurpose)
		if len(p) > 0 || !core.ValidID(ss.ID) {
			return errors.New("a session")
		}
	}
	return nil
}

// receiveCopy keeps the host's signed copy. The sender is believed only
// about dialogues it hosts, and only if one of this node's organisations
// takes part; a copy that no longer names any drops the node's copy.
func (s *Service) receiveCopy(ctx context.Context, tx *store.Tx, env federation.Envelope, payload []byte) error {
	_, host, _ := federation.Address(env.From)
	var raw json.RawMessage
	signed, err := s.openStatement(ctx, "dialogue.copy", payload, host, &raw)
	if err != nil {
		return err
	}
	b, err := decodeCopy(raw, host)
	if err != nil {
		return err
	}
	d := b.Dialogue
	var cur struct {
		Host    string `db:"host"`
		Version int    `db:"version"`
	}
	err = tx.Get(ctx, &cur, `SELECT host, version FROM dlg_dialogues WHERE id = ?`, d.ID)
	exists := err == nil
	if err != nil && core.KindOf(err) != core.KindNotFound {
		return core.Wrap("dialogue: receive", err)
	}
	if exists && cur.Host != host {
		return forbidden("a dialogue hosted elsewhere")
	}
	local := slices.ContainsFunc(d.Parties, func(x Party) bool {
		_, h, _ := federation.Address(x.Addr)
		return h == s.fed.Host()
	})
	if !local {
		if exists && cur.Version < d.Version {
			_, err := tx.Exec(ctx, `DELETE FROM dlg_dialogues WHERE id = ?`, d.ID)
			return core.Wrap("dialogue: receive", err)
		}
		return nil
	}
	if !exists || cur.Version < d.Version {
		was := SummaryNone
		if exists {
			if old, err := s.load(ctx, tx.Conn, d.ID); err == nil {
				was = old.Summary.Status
			}
		}
		doc, err := json.Marshal(d)
		if err != nil {
			return err
		}
		q := `UPDATE dlg_dialogues SET title = ?, rule = ?, status = ?, version = ?, doc = ?, signed = ?, signed_by = ?, updated_at = ?, host = ? WHERE id = ?`
		if !exists {
			q = `INSERT INTO dlg_dialogues (title, rule, status, version, doc, signed, signed_by, updated_at, host, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
		}
		if _, err := tx.Exec(ctx, q, d.Title, string(d.Rule), d.Status, d.Version, string(doc), signed, host, tx.Now, host, d.ID); err != nil {
			if !exists && core.KindOf(err) == core.KindConflict {
				// Another batch of the same dialogue stored it at the same
				// moment (PostgreSQL, two envelopes delivered at once): try
				// again, and find it held. Refused, this batch's
				// contributions would never come again.
				return &core.Error{Kind: core.KindUnavailable, Message: "err.conflict", Err: fmt.Errorf("dialogue %s stored concurrently: %w", d.ID, err)}
			}
			return core.Wrap("dialogue: receive", err)
		}
		if err := setParties(ctx, tx, d); err != nil {
			return err
		}
		if !exists {
			if err := s.tellInvitedHere(ctx, tx, d); err != nil {
				return err
			}
		}
		if was != SummaryPublished && d.Summary.Status == SummaryPublished {
			if err := s.tellSummary(ctx, tx, d); err != nil {
				return err
			}
		}
	}
	for _, c := range b.Contributions {
		if _, err := tx.Exec(ctx, `INSERT INTO dlg_contributions (`+contributionColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', ?)
			ON CONFLICT (id) DO UPDATE SET body = excluded.body, state = excluded.state, reason = excluded.reason, closed = excluded.closed, rev = excluded.rev,
			author_name = excluded.author_name, author_org = excluded.author_org WHERE dlg_contributions.rev < excluded.rev AND dlg_contributions.dialogue_id = excluded.dialogue_id`,
			c.ID, d.ID, c.Session, c.Parent, c.Seq, c.Body, c.Lang, c.State, c.Reason, c.Closed, c.At, c.Rev, c.AuthorName, c.AuthorOrg, c.ActID); err != nil {
			return core.Wrap("dialogue: receive", err)
		}
	}
	_, err = tx.Exec(ctx, `UPDATE dlg_dialogues SET rev = ? WHERE id = ? AND rev < ?`, b.Rev, d.ID, b.Rev)
	return core.Wrap("dialogue: receive", err)
}

// decodeCopy parses the signed body of a copy from host and checks it
// whole, before anything of it is stored. Under the Chatham House Rule it
// drops any author: a host that sends them anyway is not believed.
func decodeCopy(body []byte, host string) (copyBatch, error) {
	var b copyBatch
	if err := json.Unmarshal(body, &b); err != nil {
		return b, malformed("dialogue.copy")
	}
	if b.Dialogue == nil {
		return b, malformed("copy without its dialogue")
	}
	if err := b.Dialogue.wellFormed(host); err != nil {
		return b, forbidden(err.Error())
	}
	for i, c := range b.Contributions {
		if err := checkCopy(c, host); err != nil {
			return b, malformed("contribution: " + err.Error())
		}
		if b.Dialogue.Rule.Anonymous() {
			b.Contributions[i].AuthorName, b.Contributions[i].AuthorOrg = "", ""
		}
	}
	return b, nil
}

// checkCopy checks one contribution of a peer's copy. Its id (and its
// parent's) carries the host's tag: a host cannot name a contribution of
// another host's dialogue and so push it out of this node's copy.
func checkCopy(c contribCopy, host string) error {
	p := core.Problems{}
	checkText(p, "body", c.Body, false, maxBody)
	checkText(p, "reason", c.Reason, false, maxReason)
	checkText(p, "author_name", c.AuthorName, false, 400)
	checkText(p, "author_org", c.AuthorOrg, false, 400)
	switch {
	case len(p) > 0:
		return errors.New("text")
	case !hostedID(c.ID, host) || (c.Parent != "" && !hostedID(c.Parent, host)) || (c.Session != "" && !core.ValidID(c.Session)):
		return errors.New("an id")
	case c.State != StateVisible && c.State != StateHeld && c.State != StateHidden:
		return errors.New("a state")
	case c.Seq < 1 || c.Rev < 1:
		return errors.New("a number")
	case c.Lang != "" && c.Lang != "en" && c.Lang != "id":
		return errors.New("a language")
	case len(c.ActID) > 64 || core.CheckText(c.ActID) != "":
		return errors.New("an act")
	}
	return nil
}

// wellFormed checks what a participant's node sent, before anything is
// looked up: an act for the organisation that sent it, with an id and the
// name of its author for the moderators. The contribution itself goes
// through checkAct against the dialogue.
func (x *act) wellFormed(from string) error {
	if x.By != from || !core.ValidID(x.ID) {
		return forbidden("an act for another organisation")
	}
	p := core.Problems{}
	checkText(p, "person", x.Person, true, 400)
	if len(p) > 0 {
		return p.Err("dialogue: receive act")
	}
	return nil
}

// receiveAct takes a contribution from a participant's node. The node must
// speak for a party; the contribution goes through the same checks as one
// made here.
func (s *Service) receiveAct(ctx context.Context, tx *store.Tx, env federation.Envelope, payload []byte) error {
	_, host, _ := federation.Address(env.From)
	var x act
	if _, err := s.openStatement(ctx, "dialogue.act", payload, host, &x); err != nil {
		return err
	}
	if err := x.wellFormed(env.From); err != nil {
		return err
	}
	d, err := s.load(ctx, tx.Conn, x.Dialogue)
	if err != nil {
		return err
	}
	if d.Host != s.fed.Host() || !slices.ContainsFunc(d.Parties, func(p Party) bool { return p.Addr == x.By }) || env.To != d.InRole(RoleHost)[0] {
		return forbidden("not a party")
	}
	n, err := tx.Exec(ctx, `INSERT INTO dlg_acts (dialogue_id, by_addr, act_id, received_at) SELECT ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM dlg_acts WHERE dialogue_id = ? AND by_addr = ? AND act_id = ?)`,
		d.ID, x.By, x.ID, tx.Now, d.ID, x.By, x.ID)
	if err != nil {
		return core.Wrap("dialogue: receive act", err)
	}
	if n == 0 {
		return nil // applied before
	}
	if pr := s.checkAct(ctx, tx.Conn, d, &x); len(pr) > 0 {
		// Refused here: the dialogue closed, or the thread did, while it
		// travelled. Its author sees it stay unsent; retrying will not help.
		return nil
	}
	return s.add(ctx, tx, d, x, "")
}
