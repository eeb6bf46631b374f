package dialogue

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode"

	"entente.example/entente/core"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store"
)

// TypeSummary is the envelope of a rapporteur's summary sent to the host.
const TypeSummary = "dialogue.summary"

// Draft is the rapporteur's working text, kept on the rapporteur's node.
type Draft struct {
	Text      string    `json:"text" db:"text"`
	Lang      string    `json:"lang" db:"lang"`
	UpdatedAt time.Time `json:"updated_at" db:"updated_at"`
}

// Draft returns the actor's organisation's draft of the summary.
func (s *Service) Draft(ctx context.Context, id string) (Draft, error) {
	v, err := s.Get(ctx, id)
	if err != nil {
		return Draft{}, err
	}
	if len(v.Seat.Reports) == 0 {
		return Draft{}, errOp("summary", core.KindForbidden, "err.dlg_rapporteur_only")
	}
	var dr Draft
	err = s.db.R().Get(ctx, &dr, `SELECT text, lang, updated_at FROM dlg_drafts WHERE dialogue_id = ? AND org = ?`, id, v.Seat.Reports[0])
	if core.KindOf(err) == core.KindNotFound {
		return Draft{Lang: v.D.Lang}, nil
	}
	return dr, core.Wrap("dialogue: draft", err)
}

// SummaryInput is the rapporteur's text; Publish sends it to be published.
type SummaryInput struct {
	Text    string `json:"text"`
	Lang    string `json:"lang"`
	Publish bool   `json:"publish"`
}

type summaryAct struct {
	Dialogue string    `json:"dialogue"`
	By       string    `json:"by"`
	Text     string    `json:"text"`
	Lang     string    `json:"lang"`
	At       time.Time `json:"at"`
}

// SaveSummary keeps the rapporteur's draft and, when asked, publishes it:
// here, or through the host's node. Under the Chatham House Rule the host
// refuses a summary that names a contributor or a participating
// organisation.
func (s *Service) SaveSummary(ctx context.Context, id string, in SummaryInput) error {
	v, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	if len(v.Seat.Reports) == 0 {
		return errOp("summary", core.KindForbidden, "err.dlg_rapporteur_only")
	}
	p := core.Problems{}
	in.Text = strings.TrimSpace(in.Text)
	checkText(p, "text", in.Text, in.Publish, maxSummary)
	if in.Lang == "" {
		in.Lang = v.D.Lang
	}
	if in.Lang != "en" && in.Lang != "id" {
		p.Add("lang", "err.lang")
	}
	if len(p) > 0 {
		return p.Err("dialogue: summary")
	}
	a := core.ActorFrom(ctx)
	by := v.Seat.Reports[0]
	// The draft is kept first, on its own: a summary refused for naming
	// someone is still the rapporteur's work to correct.
	if err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO dlg_drafts (dialogue_id, org, text, lang, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (dialogue_id, org) DO UPDATE SET text = excluded.text, lang = excluded.lang, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			id, by, in.Text, in.Lang, a.UserID, tx.Now)
		return core.Wrap("dialogue: summary", err)
	}); err != nil || !in.Publish {
		return err
	}
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		x := summaryAct{Dialogue: id, By: by, Text: in.Text, Lang: in.Lang, At: tx.Now}
		if v.Hosted {
			if key := s.namesSomeone(ctx, tx.Conn, v.D, x.Text); key != "" {
				return core.Problems{"text": key}.Err("dialogue: summary")
			}
			_, err := s.mutate(ctx, tx, id, func(d *Dialogue) error { return s.applySummary(ctx, tx, d, x) })
			return err
		}
		signed, err := s.fed.SignStatement("dialogue.summary", x)
		if err != nil {
			return err
		}
		handle, _, _ := federation.Address(by)
		_, err = s.fed.Send(ctx, tx, federation.Outgoing{Type: TypeSummary, From: handle, To: v.D.InRole(RoleHost)[0], TLP: core.TLPAmber, Payload: statement{Statement: string(signed)}})
		return err
	})
}

// applySummary publishes x in d on the host's node, or returns it with the
// reason when it names someone; participants here hear of a published one.
func (s *Service) applySummary(ctx context.Context, tx *store.Tx, d *Dialogue, x summaryAct) error {
	if key := s.namesSomeone(ctx, tx.Conn, d, x.Text); key != "" {
		// A refused new version leaves the published one standing; only
		// the rapporteur's page says why the new one did not replace it.
		if d.Summary.Status == SummaryPublished {
			d.Summary.Reason = key
			return nil
		}
		d.Summary = Summary{Status: SummaryReturned, Reason: key, At: tx.Now}
		return nil
	}
	again := d.Summary.Status == SummaryPublished
	d.Summary = Summary{Status: SummaryPublished, Text: x.Text, Lang: x.Lang, At: tx.Now}
	if again {
		return nil // a corrected version: everyone was told of the first
	}
	return s.tellSummary(ctx, tx, d)
}

// The reasons a summary is returned for (message keys).
var summaryReasons = []string{"err.dlg_summary_names_org", "err.dlg_summary_returned_by_moderator"}

// namesSomeone returns a message key when text, under the Chatham House
// Rule, names a participating organisation. It looks only at what every
// participant sees (the participant list): a check against who
// contributed would answer "did this person speak?" to whoever probes it.
// Names of people are the moderators' to catch (contributorsNamed).
func (s *Service) namesSomeone(_ context.Context, _ store.Conn, d *Dialogue, text string) string {
	if !d.Rule.Anonymous() {
		return ""
	}
	for _, p := range d.Parties {
		if mentions(text, p.Name) {
			return "err.dlg_summary_names_org"
		}
		if p.Role == RoleHost {
			continue // the host is shown on every page; its acronym is the forum's name
		}
		// The handle (kemlu, dfat-au) and its first part (dfat) are how
		// people write an organisation's name in a hurry.
		h, _, _ := federation.Address(p.Addr)
		first, _, _ := strings.Cut(h, "-")
		if mentions(text, h) || (len([]rune(first)) >= 4 && mentions(text, first)) {
			return "err.dlg_summary_names_org"
		}
	}
	return ""
}

// ContributorsNamed lists the contributors a published summary names (in
// full, or by a name of four letters or more), for the host's moderators
// only: they decide whether to return it.
func (s *Service) ContributorsNamed(ctx context.Context, v View) ([]string, error) {
	if !v.Hosted || !v.Seat.Moderator() || !v.D.Rule.Anonymous() || v.D.Summary.Text == "" {
		return nil, nil
	}
	var names []string
	if err := s.db.R().Select(ctx, &names, `SELECT DISTINCT author_name FROM dlg_contributions WHERE dialogue_id = ? AND author_name <> '' ORDER BY author_name`, v.D.ID); err != nil {
		return nil, core.Wrap("dialogue: summary", err)
	}
	var out []string
	for _, n := range names {
		hit := mentions(v.D.Summary.Text, n)
		for _, part := range strings.Fields(n) {
			hit = hit || (len([]rune(part)) >= 4 && mentions(v.D.Summary.Text, part))
		}
		if hit {
			out = append(out, n)
		}
	}
	return out, nil
}

// ReturnSummary takes a published summary back, with the moderator's
// reason: its text leaves every copy, and the rapporteur is asked for
// another.
func (s *Service) ReturnSummary(ctx context.Context, id, note string) error {
	note = strings.TrimSpace(note)
	p := core.Problems{}
	checkText(p, "note", note, true, maxReason)
	if len(p) > 0 {
		return p.Err("dialogue: return summary")
	}
	_, err := s.update(ctx, id, func(tx *store.Tx, d *Dialogue) error {
		st := s.seat(core.ActorFrom(ctx), d)
		if !st.Reads {
			return errNotFound
		}
		if !st.Moderator() {
			return errOp("summary", core.KindForbidden, "err.dlg_moderator_only")
		}
		if d.Summary.Status != SummaryPublished {
			return core.Problems{"note": "err.dlg_summary_not_published"}.Err("dialogue: return summary")
		}
		d.Summary = Summary{Status: SummaryReturned, Reason: "err.dlg_summary_returned_by_moderator", Note: note, At: tx.Now}
		return audit.Record(ctx, tx, "dialogue.summary_returned", "dlg_dialogue", id, s.orgID(ctx, tx.Conn, st.Moderates[0]), note)
	})
	return err
}

// mentions reports whether name occurs in text as whole words, ignoring
// case and runs of spaces.
func mentions(text, name string) bool {
	norm := func(s string) string {
		return strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }), " ")
	}
	n := norm(name)
	if len([]rune(n)) < 3 {
		return false
	}
	t := " " + norm(text) + " "
	return strings.Contains(t, " "+n+" ")
}

// wellFormed checks a summary a rapporteur's node sent: for the
// organisation that sent it, with text in a language of the node.
func (x *summaryAct) wellFormed(from string) error {
	if x.By != from {
		return forbidden("a summary for another organisation")
	}
	p := core.Problems{}
	checkText(p, "text", x.Text, true, maxSummary)
	if x.Lang != "en" && x.Lang != "id" {
		p.Add("lang", "err.lang")
	}
	if len(p) > 0 {
		return p.Err("dialogue: receive summary")
	}
	return nil
}

// receiveSummary takes a rapporteur's summary from its node.
func (s *Service) receiveSummary(ctx context.Context, tx *store.Tx, env federation.Envelope, payload []byte) error {
	_, host, _ := federation.Address(env.From)
	var x summaryAct
	if _, err := s.openStatement(ctx, "dialogue.summary", payload, host, &x); err != nil {
		return err
	}
	if err := x.wellFormed(env.From); err != nil {
		return err
	}
	_, err := s.mutate(ctx, tx, x.Dialogue, func(d *Dialogue) error {
		if !d.Has(x.By, RoleRapporteur) || env.To != d.InRole(RoleHost)[0] {
			return forbidden("not the rapporteur")
		}
		return s.applySummary(ctx, tx, d, x)
	})
	return err
}

// tellSummary e-mails this node's participants that the summary is out.
func (s *Service) tellSummary(ctx context.Context, tx *store.Tx, d *Dialogue) error {
	if s.notify == nil {
		return nil
	}
	var seen []string
	for _, p := range d.Parties {
		if slices.Contains(seen, p.Addr) {
			continue
		}
		seen = append(seen, p.Addr)
		if id := s.orgID(ctx, tx.Conn, p.Addr); id != "" {
			if err := s.notify.NotifyOrg(ctx, tx, id, readRoles, notify.DialogueSummary, "/dialogue/"+d.ID+"/summary", notify.Args{"dialogue": d.Title}); err != nil {
				return err
			}
		}
	}
	return nil
}

// readRoles are the roles told of a dialogue's news.
var readRoles = []core.Role{core.RoleAdmin, core.RoleOfficer, core.RoleAnalyst, core.RoleInvestigator, core.RoleAuthority, core.RoleMember}

// tellInvitedHere e-mails the people of this node's organisations named in
// a dialogue's first copy.
func (s *Service) tellInvitedHere(ctx context.Context, tx *store.Tx, d *Dialogue) error {
	if s.notify == nil {
		return nil
	}
	var seen []string
	for _, p := range d.Parties {
		if slices.Contains(seen, p.Addr) {
			continue
		}
		seen = append(seen, p.Addr)
		if id := s.orgID(ctx, tx.Conn, p.Addr); id != "" {
			if err := s.notify.NotifyOrg(ctx, tx, id, readRoles, notify.DialogueInvite, "/dialogue/"+d.ID, notify.Args{"dialogue": d.Title}); err != nil {
				return err
			}
		}
	}
	return nil
}
