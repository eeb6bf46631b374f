package publicdiplomacy

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/notify"
	"entente.example/entente/internal/store"
)

// caseCols selects a case with its organisation's handle, names and
// website (ClaimReview's author).
const caseCols = `c.id, c.org_id, o.handle AS org, o.name_en AS org_name, o.name_id AS org_name_id, o.website AS org_website,
	c.language, c.title, c.claim, c.summary, c.disproof, c.verdict, c.first_seen, c.claim_author, c.claim_author_type,
	c.appearances, c.outlets, c.languages, c.countries, c.keywords, c.state, c.created_by, c.created_by_name, c.edited_by, c.edited_by_name,
	c.submitted_at, c.published_by, c.published_by_name, c.published_at, c.first_published_at, c.withdrawn_at, c.withdrawn_by_name, c.withdrawn_reason,
	c.version, c.created_at, c.updated_at, c.tr_language, c.tr_title, c.tr_claim, c.tr_summary, c.tr_disproof`

const caseFrom = ` FROM pd_cases c JOIN organisations o ON o.id = c.org_id `

func (s *Service) loadCase(ctx context.Context, id string) (Case, error) {
	var c Case
	if !core.ValidID(id) {
		return c, errNotFound
	}
	if err := s.db.R().Get(ctx, &c, `SELECT `+caseCols+caseFrom+`WHERE c.id = ?`, id); err != nil {
		if core.KindOf(err) == core.KindNotFound {
			return c, errNotFound
		}
		return c, core.Wrap("publicdiplomacy: case", err)
	}
	return c, c.decode()
}

// Case returns a case as its reader may see it: any state to the people
// of its organisation, and only once published to anyone else. A case
// the reader may not see does not exist for them.
func (s *Service) Case(ctx context.Context, id string) (Case, error) {
	c, err := s.loadCase(ctx, id)
	if err != nil {
		return c, err
	}
	if c.State != CasePublished && may(ctx, access.PDRead, c.OrgID) != nil {
		return Case{}, errNotFound
	}
	return c, nil
}

// PublishedCase returns a case of the public fact-check database.
func (s *Service) PublishedCase(ctx context.Context, id string) (Case, error) {
	c, err := s.loadCase(ctx, id)
	if err != nil {
		return c, err
	}
	if c.State != CasePublished {
		return Case{}, errNotFound
	}
	return c, nil
}

// CaseOrgs are the organisations the actor may write cases for: the
// choices of the form's owner.
func CaseOrgs(a core.Actor) []core.OrgRef { return orgsFor(a, access.PDWrite) }

// CreateCase records a draft case for one of the writer's organisations.
func (s *Service) CreateCase(ctx context.Context, in CaseInput) (Case, error) {
	a := core.ActorFrom(ctx)
	orgs := CaseOrgs(a)
	if len(orgs) == 0 {
		return Case{}, may(ctx, access.PDWrite, "")
	}
	p := in.normalize(s.Now())
	var org core.OrgRef
	for _, o := range orgs {
		if o.Handle == in.Org {
			org = o
		}
	}
	switch {
	case in.Org == "" && len(orgs) == 1:
		org = orgs[0]
	case in.Org == "":
		p.Add("org", "err.required")
	case org.ID == "":
		p.Add("org", "err.pd_case_org")
	}
	if err := p.Err("publicdiplomacy: case"); err != nil {
		return Case{}, err
	}
	var id string
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		id = core.NewID(tx.Now)
		if _, err := tx.Exec(ctx, `INSERT INTO pd_cases (id, org_id, state, title, created_by, created_by_name, created_at, updated_at) VALUES (?, ?, 'draft', ?, ?, ?, ?, ?)`,
			id, org.ID, in.Title, a.UserID, a.Name, tx.Now, tx.Now); err != nil {
			return err
		}
		if err := writeCase(ctx, tx, id, in); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "publicdiplomacy.case_create", "pd_case", id, org.ID, firstLine(in.Title))
	})
	if err != nil {
		return Case{}, core.Wrap("publicdiplomacy: create case", err)
	}
	return s.Case(ctx, id)
}

// writeCase sets a case's content and its terms (the values it is
// filtered by) from a normalized input.
func writeCase(ctx context.Context, tx *store.Tx, id string, in CaseInput) error {
	js := func(v any) string { b, _ := json.Marshal(v); return string(b) }
	var first any
	if t, ok := caseDate(in.FirstSeen); ok {
		first = t
	}
	if _, err := tx.Exec(ctx, `UPDATE pd_cases SET language = ?, title = ?, claim = ?, summary = ?, disproof = ?, verdict = ?, first_seen = ?, claim_author = ?, claim_author_type = ?,
		appearances = ?, outlets = ?, languages = ?, countries = ?, keywords = ?, search = ?,
		tr_language = ?, tr_title = ?, tr_claim = ?, tr_summary = ?, tr_disproof = ? WHERE id = ?`,
		append([]any{in.Language, in.Title, in.Claim, in.Summary, in.Disproof, in.Verdict, first, in.ClaimAuthor, in.ClaimAuthorType,
			js(nonNilAppearances(in.Appearances)), js(in.Outlets), js(in.Languages), js(in.Countries), js(in.Keywords), in.searchText()},
			append(in.translationColumns(), id)...)...); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM pd_case_terms WHERE case_id = ?`, id); err != nil {
		return err
	}
	seen := map[[2]string]bool{}
	for _, t := range []struct {
		kind  string
		items []string
	}{{"country", in.Countries}, {"language", in.Languages}, {"keyword", in.Keywords}, {"outlet", in.Outlets}} {
		for _, v := range t.items {
			k := [2]string{t.kind, termValue(t.kind, v)}
			if seen[k] {
				continue
			}
			seen[k] = true
			if _, err := tx.Exec(ctx, `INSERT INTO pd_case_terms (case_id, kind, value) VALUES (?, ?, ?)`, id, k[0], k[1]); err != nil {
				return err
			}
		}
	}
	return nil
}

// termValue is how a value is kept for filtering: country codes in
// capitals, everything else in lower case.
func termValue(kind, v string) string {
	if kind == "country" {
		return strings.ToUpper(strings.TrimSpace(v))
	}
	return strings.ToLower(strings.TrimSpace(v))
}

func nonNilAppearances(l []Appearance) []Appearance {
	if l == nil {
		return []Appearance{}
	}
	return l
}

// EditCase changes a case that is not published. What was under review,
// or withdrawn, goes back to draft: what is reviewed is what is there.
func (s *Service) EditCase(ctx context.Context, id string, in CaseInput) (Case, error) {
	cur, err := s.Case(ctx, id)
	if err != nil {
		return Case{}, err
	}
	if err := may(ctx, access.PDWrite, cur.OrgID); err != nil {
		return Case{}, err
	}
	if !cur.Editable() {
		return cur, conflict("err.pd_case_published")
	}
	if in.Version != 0 && in.Version != cur.Version {
		return cur, conflict("err.pd_case_changed")
	}
	p := in.normalize(s.Now())
	if err := p.Err("publicdiplomacy: case"); err != nil {
		return cur, err
	}
	a := core.ActorFrom(ctx)
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		n, err := tx.Exec(ctx, `UPDATE pd_cases SET state = 'draft', submitted_at = NULL, edited_by = ?, edited_by_name = ?, version = version + 1, updated_at = ?
			WHERE id = ? AND version = ? AND state <> 'published'`, a.UserID, a.Name, tx.Now, id, cur.Version)
		if err != nil {
			return err
		}
		if n != 1 {
			return conflict("err.pd_case_changed")
		}
		if err := writeCase(ctx, tx, id, in); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "publicdiplomacy.case_edit", "pd_case", id, cur.OrgID, firstLine(in.Title))
	})
	if err != nil {
		return cur, core.Wrap("publicdiplomacy: edit case", err)
	}
	return s.Case(ctx, id)
}

// caseStep moves a case from one of states under act, in one transaction
// that holds it to the version its actor saw (0: the current one). f
// makes the change and is given the case as read.
func (s *Service) caseStep(ctx context.Context, id string, version int, act access.Action, states []CaseState, what string, f func(*store.Tx, Case) error) (Case, error) {
	cur, err := s.Case(ctx, id)
	if err != nil {
		return Case{}, err
	}
	if err := may(ctx, act, cur.OrgID); err != nil {
		return cur, err
	}
	if !slices.Contains(states, cur.State) {
		return cur, conflict("err.pd_case_state")
	}
	if version != 0 && version != cur.Version {
		return cur, conflict("err.pd_case_changed")
	}
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		var v int
		if err := tx.Get(ctx, &v, `SELECT version FROM pd_cases WHERE id = ?`, id); err != nil {
			return err
		}
		if v != cur.Version {
			return conflict("err.pd_case_changed")
		}
		if err := f(tx, cur); err != nil {
			return err
		}
		return audit.Record(ctx, tx, what, "pd_case", id, cur.OrgID, firstLine(cur.Title))
	})
	if err != nil {
		return cur, core.Wrap("publicdiplomacy: "+what, err)
	}
	return s.Case(ctx, id)
}

// SubmitCase asks for a complete case's review; the organisation's
// approvers are told by e-mail and on their home page.
func (s *Service) SubmitCase(ctx context.Context, id string, version int) (Case, error) {
	a := core.ActorFrom(ctx)
	return s.caseStep(ctx, id, version, access.PDWrite, []CaseState{CaseDraft}, "publicdiplomacy.case_submit", func(tx *store.Tx, c Case) error {
		if err := c.complete().Err("publicdiplomacy: submit case"); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE pd_cases SET state = 'review', submitted_at = ?, version = version + 1, updated_at = ? WHERE id = ?`, tx.Now, tx.Now, id); err != nil {
			return err
		}
		if s.opt.Notify == nil {
			return nil
		}
		return s.opt.Notify.NotifyOrg(ctx, tx, c.OrgID, approverRoles(), notify.PDCaseReview, "/disinfo/"+id, notify.Args{"title": c.Title, "by": a.Name})
	})
}

// ReturnCase sends a case under review back to its writers.
func (s *Service) ReturnCase(ctx context.Context, id string, version int) (Case, error) {
	return s.caseStep(ctx, id, version, access.PDApprove, []CaseState{CaseReview}, "publicdiplomacy.case_return", func(tx *store.Tx, c Case) error {
		_, err := tx.Exec(ctx, `UPDATE pd_cases SET state = 'draft', submitted_at = NULL, version = version + 1, updated_at = ? WHERE id = ?`, tx.Now, id)
		return err
	})
}

// PublishCase is the second pair of eyes: someone who neither wrote the
// case nor last changed it publishes it to the fact-check database.
func (s *Service) PublishCase(ctx context.Context, id string, version int) (Case, error) {
	a := core.ActorFrom(ctx)
	return s.caseStep(ctx, id, version, access.PDApprove, []CaseState{CaseReview}, "publicdiplomacy.case_publish", func(tx *store.Tx, c Case) error {
		if c.CreatedBy == a.UserID || c.EditedBy == a.UserID {
			return &core.Error{Kind: core.KindForbidden, Op: "publicdiplomacy: publish case", Message: "err.pd_case_four_eyes"}
		}
		if err := c.complete().Err("publicdiplomacy: publish case"); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `UPDATE pd_cases SET state = 'published', published_by = ?, published_by_name = ?, published_at = ?,
			first_published_at = COALESCE(first_published_at, ?), withdrawn_at = NULL, withdrawn_by_name = '', withdrawn_reason = '',
			version = version + 1, updated_at = ? WHERE id = ?`, a.UserID, a.Name, tx.Now, tx.Now, tx.Now, id)
		return err
	})
}

// WithdrawCase takes a case off the public database (or abandons a draft),
// saying why; the reason stays with the organisation.
func (s *Service) WithdrawCase(ctx context.Context, id string, version int, reason string) (Case, error) {
	reason = strings.TrimSpace(reason)
	p := core.Problems{}
	switch {
	case reason == "":
		p.Add("reason", "err.required")
	case utf8.RuneCountInString(reason) > maxWithdrawNote:
		p.Add("reason", "err.too_long")
	case core.CheckText(reason) != "":
		p.Add("reason", core.CheckText(reason))
	}
	if err := p.Err("publicdiplomacy: withdraw case"); err != nil {
		return Case{}, err
	}
	a := core.ActorFrom(ctx)
	return s.caseStep(ctx, id, version, access.PDApprove, []CaseState{CaseDraft, CaseReview, CasePublished}, "publicdiplomacy.case_withdraw", func(tx *store.Tx, c Case) error {
		_, err := tx.Exec(ctx, `UPDATE pd_cases SET state = 'withdrawn', withdrawn_at = ?, withdrawn_by_name = ?, withdrawn_reason = ?, version = version + 1, updated_at = ? WHERE id = ?`,
			tx.Now, a.Name, reason, tx.Now, id)
		return err
	})
}

// approverRoles are the roles that may publish a case, as access decides.
func approverRoles() []core.Role {
	var out []core.Role
	for _, r := range core.Roles {
		a := core.Actor{UserID: "u", Memberships: []core.Membership{{Org: core.OrgRef{ID: "o"}, Role: r}}}
		if access.Check(a, access.PDApprove, access.Resource{OrgID: "o"}) == nil {
			out = append(out, r)
		}
	}
	return out
}

// CaseAnswer is a published post of the newsroom that answers a case.
type CaseAnswer struct {
	ID          string     `db:"id"`
	Username    string     `db:"username"`
	Language    string     `db:"language"`
	Content     string     `db:"content"`
	PublishedAt *time.Time `db:"published_at"`
	URL         string     `db:"-"`
}

// CaseAnswers lists the published posts that answer a case, newest
// first, for whoever may see the case.
func (s *Service) CaseAnswers(ctx context.Context, id string) ([]CaseAnswer, error) {
	var out []CaseAnswer
	// Only public posts of the case's own organisation: a case page is
	// public, and another organisation cannot attach its posts to it.
	if err := s.db.R().Select(ctx, &out, `SELECT p.id, a.username, p.language, p.content, p.published_at FROM pd_posts p JOIN pd_accounts a ON a.id = p.account_id
		JOIN pd_cases c ON c.id = p.case_id AND c.org_id = a.org_id
		WHERE p.case_id = ? AND p.state = 'published' AND p.visibility IN ('public', 'unlisted') ORDER BY p.published_at DESC, p.id DESC LIMIT 50`, id); err != nil {
		return nil, core.Wrap("publicdiplomacy: case answers", err)
	}
	for i := range out {
		out[i].URL = s.PostURL(out[i].Username, out[i].ID)
	}
	return out, nil
}

// CasesToReview are the cases of the actor's organisations waiting for
// a publisher the actor may be: under review, written and last changed
// by someone else. Oldest first.
func (s *Service) CasesToReview(ctx context.Context) ([]Case, error) {
	a := core.ActorFrom(ctx)
	orgs := access.Orgs(a, access.PDApprove)
	if len(orgs) == 0 {
		return nil, nil
	}
	args := []any{a.UserID, a.UserID}
	for _, o := range orgs {
		args = append(args, o)
	}
	var out []Case
	if err := s.db.R().Select(ctx, &out, `SELECT `+caseCols+caseFrom+`WHERE c.state = 'review' AND c.created_by <> ? AND c.edited_by <> ? AND c.org_id IN (`+caseMarks(len(orgs))+`)
		ORDER BY c.submitted_at, c.id LIMIT 20`, args...); err != nil {
		return nil, core.Wrap("publicdiplomacy: cases to review", err)
	}
	for i := range out {
		if err := out[i].decode(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func caseMarks(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }
