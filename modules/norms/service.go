package norms

import (
	"context"
	"embed"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/ledger"
	"entente.example/entente/internal/store"
)

//go:embed schema/*.sql
var schemaFS embed.FS

// Migrations returns the module's schema.
func Migrations() store.Migrations { return store.Embedded("norms", schemaFS) }

// Fed is what the module needs of federation: signing and checking
// publications, the peers' organisations, and sending envelopes.
type Fed interface {
	SignStatement(context string, v any) ([]byte, error)
	OpenStatement(ctx context.Context, context string, b []byte, host string) (json.RawMessage, string, error)
	Fingerprint() string
	Host() string
	Send(ctx context.Context, tx *store.Tx, o federation.Outgoing) (string, error)
	RemoteOrgs(ctx context.Context) ([]federation.RemoteOrg, error)
	Handle(prefix string, h federation.Handler)
}

// Service is the use cases of norms and national reports.
type Service struct {
	db     *store.DB
	ledger *ledger.Log
	sign   Fed
	fw     Framework
	notify Notifier // may be nil: no e-mail
	chain  Chain    // records linked to norms by typed links; may be nil
}

// NewService returns the service and registers it for the norms' envelopes.
func NewService(db *store.DB, l *ledger.Log, f Fed) *Service {
	s := &Service{db: db, ledger: l, sign: f, fw: Load()}
	f.Handle("norms", s)
	return s
}

// Framework returns the framework; it is public.
func (s *Service) Framework() Framework { return s.fw }

func errOp(op string, kind core.Kind, msg string) error {
	return &core.Error{Kind: kind, Op: "norms: " + op, Message: msg}
}

// public reports whether a published report is for the actor without
// looking further: one for everyone, or for anyone signed in. A network's
// reports are for its members' people (sees).
func public(a core.Actor, r Report) bool {
	return (r.Status == StatusPublished || r.Status == StatusSuperseded) && (r.Audience == "public" || r.Audience == "signed-in" && !a.Anonymous())
}

// canRead decides one report: a published one by its audience, a draft by
// its organisation's people only. A copy from a peer belongs to no
// organisation here, and an empty OrgID would ask access whether the person
// has the role in any organisation at all: so a copy is read by its
// audience only (and a network's by its members, in sees).
func canRead(a core.Actor, r Report) bool {
	if public(a, r) {
		return true
	}
	if r.Received() || r.OrgID == "" {
		return false
	}
	return access.Check(a, access.ReportRead, access.Resource{OrgID: r.OrgID}) == nil
}

// report finds a report of this node's states or a copy received from a
// peer; a copy has no organisation here, so no one here may change it.
func (s *Service) report(ctx context.Context, q store.Conn, id string) (Report, error) {
	var r Report
	err := q.Get(ctx, &r, `SELECT `+reportColumns+` FROM norm_reports r JOIN organisations o ON o.id = r.org_id WHERE r.id = ?`, id)
	if core.KindOf(err) == core.KindNotFound {
		err = q.Get(ctx, &r, `SELECT `+copyColumns+` FROM norm_copies r WHERE r.id = ?`, id)
	}
	return r, core.Wrap("norms: report", err)
}

func (s *Service) answers(ctx context.Context, q store.Conn, r *Report) error {
	table := "norm_answers"
	if r.Received() {
		table = "norm_copy_answers"
	}
	return core.Wrap("norms: answers", q.Select(ctx, &r.Answers, `SELECT part, norm, measures, challenges, gaps, links, updated_at, updated_by FROM `+table+` WHERE report_id = ? ORDER BY part, norm`, r.ID))
}

// Report returns a report with its answers. Someone who may not read it
// learns nothing, not even that it exists.
func (s *Service) Report(ctx context.Context, id string) (Report, error) {
	r, err := s.report(ctx, s.db.R(), id)
	if err != nil {
		return r, err
	}
	if !s.sees(ctx, core.ActorFrom(ctx), r) {
		return Report{}, errOp("report", core.KindNotFound, "err.not_found")
	}
	if n := r.Network(); n != "" {
		var names struct {
			EN string `db:"name_en"`
			ID string `db:"name_id"`
		}
		if s.db.R().Get(ctx, &names, `SELECT name_en, name_id FROM poc_networks WHERE id = ?`, n) == nil {
			r.networkName = [2]string{names.EN, names.ID}
		}
	}
	return r, s.answers(ctx, s.db.R(), &r)
}

// ReportFilter narrows the list of reports.
type ReportFilter struct {
	Norm    string // reports that say something about this norm
	Q       string // words in any answer
	Country string
}

// Reports lists the current publication of every report the actor may see,
// this node's and those received from peers, filtered, and the actor's own
// organisations' reports in progress.
func (s *Service) Reports(ctx context.Context, f ReportFilter) (published, mine []Report, err error) {
	a := core.ActorFrom(ctx)
	nets, err := s.networks(ctx, a)
	if err != nil {
		return nil, nil, err
	}
	local, largs := listWhere(a, f, nets, "norm_answers")
	copies, cargs := listWhere(a, f, nets, "norm_copy_answers")
	if err := s.db.R().Select(ctx, &published, `SELECT * FROM (SELECT `+reportColumns+` FROM norm_reports r JOIN organisations o ON o.id = r.org_id WHERE `+local+`
		UNION ALL SELECT `+copyColumns+` FROM norm_copies r WHERE `+copies+`) x ORDER BY country, org_handle, title LIMIT 500`, append(largs, cargs...)...); err != nil {
		return nil, nil, core.Wrap("norms: reports", err)
	}
	orgs := access.Orgs(a, access.ReportRead)
	if len(orgs) == 0 {
		return published, nil, nil
	}
	var args []any
	for _, o := range orgs {
		args = append(args, o)
	}
	err = s.db.R().Select(ctx, &mine, `SELECT `+reportColumns+` FROM norm_reports r JOIN organisations o ON o.id = r.org_id
		WHERE r.status IN ('draft', 'in_review', 'approved') AND r.org_id IN (`+marks(len(orgs))+`) ORDER BY r.updated_at DESC`, args...)
	return published, mine, core.Wrap("norms: reports", err)
}

func marks(n int) string { return strings.TrimSuffix(strings.Repeat("?,", n), ",") }

// listWhere is the condition on current publications (r) the actor may see,
// with answers in the table named.
func listWhere(a core.Actor, f ReportFilter, nets []string, answers string) (string, []any) {
	where, args := []string{"r.status = 'published'"}, []any{}
	aud := []string{"r.audience = 'public'"}
	if !a.Anonymous() {
		aud = append(aud, "r.audience = 'signed-in'")
	}
	for _, n := range nets {
		aud = append(aud, "r.audience = ?")
		args = append(args, AudienceNetwork+n)
	}
	if orgs := access.Orgs(a, access.ReportRead); len(orgs) > 0 && answers == "norm_answers" {
		aud = append(aud, "r.org_id IN ("+marks(len(orgs))+")")
		for _, o := range orgs {
			args = append(args, o)
		}
	}
	where = append(where, "("+strings.Join(aud, " OR ")+")")
	if f.Country != "" {
		where = append(where, "r.country = ?")
		args = append(args, strings.ToUpper(f.Country))
	}
	if f.Norm != "" || f.Q != "" {
		sub := []string{"a.report_id = r.id"}
		if f.Norm != "" {
			sub = append(sub, "a.part = 'norms' AND a.norm = ?")
			args = append(args, f.Norm)
		}
		if f.Q != "" {
			l := store.Like(f.Q)
			sub = append(sub, `(LOWER(a.measures) LIKE ? ESCAPE '\' OR LOWER(a.challenges) LIKE ? ESCAPE '\' OR LOWER(a.gaps) LIKE ? ESCAPE '\')`)
			args = append(args, l, l, l)
		} else {
			sub = append(sub, "(a.measures <> '' OR a.challenges <> '' OR a.gaps <> '')")
		}
		where = append(where, "EXISTS (SELECT 1 FROM "+answers+" a WHERE "+strings.Join(sub, " AND ")+")")
	}
	return strings.Join(where, " AND "), args
}

// Create starts a new report of a state: a series of its own, at version 1.
// The next version of a published report is NewVersion, never this.
func (s *Service) Create(ctx context.Context, in ReportInput) (Report, error) {
	a := core.ActorFrom(ctx)
	in.Org, in.Title = strings.ToLower(strings.TrimSpace(in.Org)), strings.TrimSpace(in.Title)
	if in.Audience == "" {
		in.Audience = "public"
	}
	var org struct {
		ID      string       `db:"id"`
		Kind    core.OrgKind `db:"kind"`
		Country string       `db:"country"`
	}
	if in.Org != "" {
		if err := s.db.R().Get(ctx, &org, `SELECT id, kind, country FROM organisations WHERE handle = ?`, in.Org); err != nil && core.KindOf(err) != core.KindNotFound {
			return Report{}, core.Wrap("norms: create report", err)
		}
	}
	if err := access.Check(a, access.ReportEdit, access.Resource{OrgID: org.ID}); err != nil {
		return Report{}, err
	}
	p := in.validate()
	if in.Org != "" && org.ID == "" {
		p.Add("organisation", "err.org_unknown")
	} else if org.ID != "" && !org.Kind.State() {
		p.Add("organisation", "err.report_state_only")
	}
	if n, ok := strings.CutPrefix(in.Audience, AudienceNetwork); ok && org.ID != "" {
		var member int
		if err := s.db.R().Get(ctx, &member, `SELECT COUNT(*) FROM poc_members WHERE network_id = ? AND org_id = ?`, n, org.ID); err != nil {
			return Report{}, core.Wrap("norms: create report", err)
		}
		if member == 0 {
			p.Add("audience", "err.report_network")
		}
	}
	if err := p.Err("norms: create report"); err != nil {
		return Report{}, err
	}
	var id string
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		id = core.NewID(tx.Now)
		if _, err := tx.Exec(ctx, `INSERT INTO norm_reports (id, series_id, org_id, country, title, version, status, audience, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 1, 'draft', ?, ?, ?, ?)`,
			id, id, org.ID, org.Country, in.Title, in.Audience, a.Name, tx.Now, tx.Now); err != nil {
			return core.Wrap("norms: create report", err)
		}
		return audit.Record(ctx, tx, "norms.report.create", "report", id, org.ID, in.Title)
	})
	if err != nil {
		return Report{}, err
	}
	return s.report(ctx, s.db.R(), id)
}

// SaveAnswer writes one section of a draft, and records who changed which
// fields.
func (s *Service) SaveAnswer(ctx context.Context, id string, ans Answer) error {
	a := core.ActorFrom(ctx)
	r, err := s.report(ctx, s.db.R(), id)
	if err != nil {
		return err
	}
	if !canRead(a, r) {
		return errOp("save answer", core.KindNotFound, "err.not_found")
	}
	if r.Received() {
		return errOp("save answer", core.KindForbidden, "err.report_received")
	}
	if err := access.Check(a, access.ReportEdit, access.Resource{OrgID: r.OrgID}); err != nil {
		return err
	}
	if r.Status != StatusDraft {
		return errOp("save answer", core.KindConflict, "err.report_not_draft")
	}
	for _, p := range []*string{&ans.Measures, &ans.Challenges, &ans.Gaps, &ans.Links} {
		*p = strings.TrimSpace(strings.ReplaceAll(*p, "\r\n", "\n"))
	}
	if ans.Part != "norms" {
		ans.Norm = ""
	}
	if err := ans.validate(s.fw).Err("norms: save answer"); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		var status string
		if err := tx.Get(ctx, &status, `SELECT status FROM norm_reports WHERE id = ?`, id); err != nil || status != StatusDraft {
			return errOp("save answer", core.KindConflict, "err.report_not_draft")
		}
		var old Answer
		err := tx.Get(ctx, &old, `SELECT part, norm, measures, challenges, gaps, links, updated_at, updated_by FROM norm_answers WHERE report_id = ? AND part = ? AND norm = ?`, id, ans.Part, ans.Norm)
		if err != nil && core.KindOf(err) != core.KindNotFound {
			return core.Wrap("norms: save answer", err)
		}
		var what []string
		for _, f := range []struct{ name, was, is string }{{"measures", old.Measures, ans.Measures}, {"challenges", old.Challenges, ans.Challenges},
			{"capacity_gaps", old.Gaps, ans.Gaps}, {"links", old.Links, ans.Links}} {
			if f.was != f.is {
				what = append(what, f.name)
			}
		}
		if len(what) == 0 {
			return nil
		}
		if _, err := tx.Exec(ctx, `INSERT INTO norm_answers (report_id, part, norm, measures, challenges, gaps, links, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (report_id, part, norm) DO UPDATE SET measures = excluded.measures, challenges = excluded.challenges, gaps = excluded.gaps, links = excluded.links,
			updated_at = excluded.updated_at, updated_by = excluded.updated_by`, id, ans.Part, ans.Norm, ans.Measures, ans.Challenges, ans.Gaps, ans.Links, tx.Now, a.Name); err != nil {
			return core.Wrap("norms: save answer", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO norm_changes (id, report_id, part, norm, at, by_name, what) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			core.NewID(tx.Now), id, ans.Part, ans.Norm, tx.Now, a.Name, strings.Join(what, ",")); err != nil {
			return core.Wrap("norms: save answer", err)
		}
		_, err = tx.Exec(ctx, `UPDATE norm_reports SET updated_at = ? WHERE id = ?`, tx.Now, id)
		return core.Wrap("norms: save answer", err)
	})
}

// History lists who changed which section of a report, newest first.
func (s *Service) History(ctx context.Context, id string) ([]Change, error) {
	if _, err := s.Report(ctx, id); err != nil {
		return nil, err
	}
	var out []Change
	err := s.db.R().Select(ctx, &out, `SELECT part, norm, at, by_name, what FROM norm_changes WHERE report_id = ? ORDER BY at DESC, id DESC LIMIT 500`, id)
	return out, core.Wrap("norms: history", err)
}

// Report transitions.
const (
	ActSubmit  = "submit"
	ActReturn  = "return"
	ActApprove = "approve"
	ActPublish = "publish"
)

// Transition moves a report through review: submit (the drafters), return
// to draft or approve (the focal point), publish (the focal point, signed
// and recorded in the ledger).
func (s *Service) Transition(ctx context.Context, id, action string) (Report, error) {
	a := core.ActorFrom(ctx)
	r, err := s.report(ctx, s.db.R(), id)
	if err != nil {
		return r, err
	}
	if !canRead(a, r) {
		return Report{}, errOp("report", core.KindNotFound, "err.not_found")
	}
	steps := map[string]struct {
		act      access.Action
		from, to string
	}{
		ActSubmit:  {access.ReportEdit, StatusDraft, StatusInReview},
		ActReturn:  {access.ReportApprove, StatusInReview, StatusDraft},
		ActApprove: {access.ReportApprove, StatusInReview, StatusApproved},
		ActPublish: {access.ReportPublish, StatusApproved, StatusPublished},
	}
	st, ok := steps[action]
	if !ok {
		return r, core.Problems{"action": "err.choice"}.Err("norms: transition")
	}
	if err := access.Check(a, st.act, access.Resource{OrgID: r.OrgID}); err != nil {
		return r, err
	}
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		n, err := tx.Exec(ctx, `UPDATE norm_reports SET status = ?, updated_at = ? WHERE id = ? AND status = ?`, st.to, tx.Now, id, st.from)
		if err != nil {
			return core.Wrap("norms: transition", err)
		}
		if n == 0 {
			return errOp("transition", core.KindConflict, "err.report_step")
		}
		switch action {
		case ActSubmit:
			if err := s.tellApprovers(ctx, tx, r, a.Name); err != nil {
				return err
			}
		case ActApprove:
			if _, err := tx.Exec(ctx, `UPDATE norm_reports SET approved_by = ?, approved_at = ? WHERE id = ?`, a.Name, tx.Now, id); err != nil {
				return core.Wrap("norms: approve", err)
			}
		case ActPublish:
			if err := s.publish(ctx, tx, r, a.Name); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, "norms.report."+action, "report", id, r.OrgID, st.to)
	})
	if err != nil {
		return r, err
	}
	return s.Report(ctx, id)
}

// Publication is what a state's node signs when its focal point publishes
// a report: the report whole, so the signature proves every word.
type Publication struct {
	Report       string    `json:"report"`
	Series       string    `json:"series"`
	Organisation string    `json:"organisation"` // handle@host
	NameEN       string    `json:"organisation_name"`
	NameID       string    `json:"organisation_name_id,omitempty"`
	Country      string    `json:"country"`
	Title        string    `json:"title"`
	Version      int       `json:"version"`
	Audience     string    `json:"audience"`
	PublishedBy  string    `json:"published_by"`
	At           time.Time `json:"at"`
	Answers      []Answer  `json:"answers"`
}

func (s *Service) publish(ctx context.Context, tx *store.Tx, r Report, by string) error {
	if err := s.answers(ctx, tx.Conn, &r); err != nil {
		return err
	}
	pub := Publication{Report: r.ID, Series: r.SeriesID, Organisation: r.OrgHandle + "@" + s.sign.Host(), NameEN: r.OrgName, NameID: r.OrgNameID, Country: r.Country,
		Title: r.Title, Version: r.Version, Audience: r.Audience, PublishedBy: by, At: tx.Now, Answers: r.Answers}
	if pub.Answers == nil {
		pub.Answers = []Answer{}
	}
	signed, err := s.sign.SignStatement("norms.report", pub)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `UPDATE norm_reports SET published_by = ?, published_at = ?, statement = ?, signed_by = ? WHERE id = ?`, by, tx.Now, string(signed), s.sign.Fingerprint(), r.ID); err != nil {
		return core.Wrap("norms: publish", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE norm_reports SET status = 'superseded' WHERE series_id = ? AND status = 'published' AND id <> ?`, r.SeriesID, r.ID); err != nil {
		return core.Wrap("norms: publish", err)
	}
	if _, err = s.ledger.Append(ctx, tx, ledger.Entry{Kind: ledger.KindPublished, Ref: "report:" + r.ID, Digest: ledger.Digest(signed)}); err != nil {
		return err
	}
	return s.distribute(ctx, tx, r, TypeReport, signed)
}

// Compare returns up to three published reports side by side.
func (s *Service) Compare(ctx context.Context, ids []string) ([]Report, error) {
	a := core.ActorFrom(ctx)
	p := core.Problems{}
	if len(ids) < 1 || len(ids) > 3 {
		p.Add("r", "err.compare_count")
	}
	if err := p.Err("norms: compare"); err != nil {
		return nil, err
	}
	var out []Report
	for _, id := range ids {
		r, err := s.report(ctx, s.db.R(), id)
		if err != nil || r.Status != StatusPublished && r.Status != StatusSuperseded || !s.sees(ctx, a, r) {
			return nil, errOp("compare", core.KindNotFound, "err.not_found")
		}
		if err := s.answers(ctx, s.db.R(), &r); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// NormAnswer is what one state's current publication says on a norm.
type NormAnswer struct {
	Report
	Answer Answer
}

// OnNorm lists what the current publications say about a norm, and the
// records linked to it that the actor may see.
func (s *Service) OnNorm(ctx context.Context, code string) ([]NormAnswer, []Link, error) {
	a := core.ActorFrom(ctx)
	if _, ok := s.fw.Norm(code); !ok {
		return nil, nil, errOp("norm", core.KindNotFound, "err.not_found")
	}
	published, _, err := s.Reports(ctx, ReportFilter{Norm: code})
	if err != nil {
		return nil, nil, err
	}
	var out []NormAnswer
	for _, r := range published {
		var ans Answer
		table := "norm_answers"
		if r.Received() {
			table = "norm_copy_answers"
		}
		if err := s.db.R().Get(ctx, &ans, `SELECT part, norm, measures, challenges, gaps, links, updated_at, updated_by FROM `+table+` WHERE report_id = ? AND part = 'norms' AND norm = ?`, r.ID, code); err != nil {
			continue
		}
		out = append(out, NormAnswer{Report: r, Answer: ans})
	}
	var links []Link
	if err := s.db.R().Select(ctx, &links, `SELECT id, norm, kind, ref, title, url, tlp, org_id, created_at FROM norm_links WHERE norm = ? ORDER BY created_at DESC LIMIT 200`, code); err != nil {
		return nil, nil, core.Wrap("norms: links", err)
	}
	links = slices.DeleteFunc(links, func(l Link) bool { return !access.SeesTLP(a, l.TLP, []string{l.OrgID}) })
	typed, err := s.implicating(ctx, code)
	if err != nil {
		return nil, nil, err
	}
	return out, append(typed, links...), nil
}

// AddLink records a typed reference from another record to a norm; the
// modules that hold incidents or requests call it in their transaction.
func (s *Service) AddLink(ctx context.Context, tx *store.Tx, l Link) error {
	if _, ok := s.fw.Norm(l.Norm); !ok || l.Kind == "" || l.Ref == "" || l.Title == "" || !l.TLP.Valid() {
		return core.Problems{"norm": "err.choice"}.Err("norms: link")
	}
	_, err := tx.Exec(ctx, `INSERT INTO norm_links (id, norm, kind, ref, title, url, tlp, org_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (norm, kind, ref) DO NOTHING`,
		core.NewID(tx.Now), l.Norm, l.Kind, l.Ref, l.Title, l.URL, string(l.TLP), l.OrgID, tx.Now)
	return core.Wrap("norms: link", err)
}
