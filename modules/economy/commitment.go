package economy

import (
	"context"
	"slices"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/store"
)

// Implementation statuses of a commitment.
const (
	NotStarted    = "not_started"
	InProgress    = "in_progress"
	Implemented   = "implemented"
	NotApplicable = "not_applicable"
)

// Statuses lists a commitment's implementation statuses.
var Statuses = []string{NotStarted, InProgress, Implemented, NotApplicable}

// Commitment is a state's commitment under a provision: what it will do,
// by when, and how far it has got.
type Commitment struct {
	ID          string    `db:"id" json:"id"`
	OrgID       string    `db:"org_id" json:"org_id"`
	Country     string    `db:"country" json:"country"`
	AgreementID string    `db:"agreement_id" json:"agreement"`
	ProvisionID string    `db:"provision_id" json:"provision"`
	What        string    `db:"what" json:"what"`
	Deadline    string    `db:"deadline" json:"deadline,omitempty"`
	Status      string    `db:"status" json:"status"`
	Notes       string    `db:"notes" json:"notes,omitempty"`
	Shared      bool      `db:"shared" json:"shared"`
	CreatedAt   time.Time `db:"created_at" json:"created_at"`
	UpdatedAt   time.Time `db:"updated_at" json:"updated_at"`
}

// Overdue reports whether the deadline has passed on the day today
// (YYYY-MM-DD) with the work not done.
func (c Commitment) Overdue(today string) bool {
	return c.Deadline != "" && c.Deadline < today && (c.Status == NotStarted || c.Status == InProgress)
}

// CommitmentInput is a commitment as a form or the API sends it. Org is
// the organisation that keeps it (its id), on create only.
type CommitmentInput struct {
	Org       string `json:"org"`
	Agreement string `json:"agreement"`
	Provision string `json:"provision"`
	What      string `json:"what"`
	Deadline  string `json:"deadline"`
	Status    string `json:"status"`
	Notes     string `json:"notes"`
	Shared    bool   `json:"shared"`
}

const commitmentColumns = `c.id, c.org_id, c.country, c.agreement_id, c.provision_id, c.what, c.deadline, c.status, c.notes, c.shared, c.created_at, c.updated_at`

// Filter narrows the commitments listed, and pages them.
type Filter struct {
	Country   string
	Agreement string
	// Overdue keeps those past their deadline and not done.
	Overdue bool
	// Page counts from 0; Limit is the page's size (PageSize when 0, at
	// most MaxPage).
	Page, Limit int
}

// PageSize and MaxPage bound a page of commitments: a state commits to
// tens of provisions per agreement, so a page is rarely the last one only
// for a desk that keeps several agreements.
const (
	PageSize = 50
	MaxPage  = 500
)

// Commitments lists the commitments the actor may read, by deadline
// (none last), one page of them, and whether more follow.
func (s *Service) Commitments(ctx context.Context, f Filter) ([]Commitment, bool, error) {
	a := core.ActorFrom(ctx)
	if err := access.Check(a, access.EconomyRead, access.Resource{}); err != nil {
		return nil, false, err
	}
	cond, args := access.CommitmentFilter(a)
	if f.Country != "" {
		cond += " AND c.country = ?"
		args = append(args, f.Country)
	}
	if f.Agreement != "" {
		cond += " AND c.agreement_id = ?"
		args = append(args, f.Agreement)
	}
	if f.Overdue {
		cond += " AND c.deadline <> '' AND c.deadline < ? AND c.status IN ('not_started', 'in_progress')"
		args = append(args, s.Today())
	}
	if f.Limit <= 0 {
		f.Limit = PageSize
	}
	f.Limit = min(f.Limit, MaxPage)
	f.Page = max(f.Page, 0)
	var out []Commitment
	err := s.db.R().Select(ctx, &out, `SELECT `+commitmentColumns+` FROM eco_commitments c WHERE `+cond+
		` ORDER BY CASE WHEN c.deadline = '' THEN 1 ELSE 0 END, c.deadline, c.id LIMIT ? OFFSET ?`, append(args, f.Limit+1, f.Page*f.Limit)...)
	if err != nil {
		return nil, false, core.Wrap("economy: commitments", err)
	}
	more := len(out) > f.Limit
	if more {
		out = out[:f.Limit]
	}
	return out, more, nil
}

// Commitment returns one commitment the actor may read; one they may not
// is not found, the same as one that does not exist.
func (s *Service) Commitment(ctx context.Context, id string) (Commitment, error) {
	a := core.ActorFrom(ctx)
	if err := access.Check(a, access.EconomyRead, access.Resource{}); err != nil {
		return Commitment{}, err
	}
	cond, args := access.CommitmentFilter(a)
	var out []Commitment
	if err := s.db.R().Select(ctx, &out, `SELECT `+commitmentColumns+` FROM eco_commitments c WHERE c.id = ? AND `+cond, append([]any{id}, args...)...); err != nil {
		return Commitment{}, core.Wrap("economy: commitment", err)
	}
	if len(out) == 0 {
		return Commitment{}, errNoCommitment
	}
	return out[0], nil
}

var errNoCommitment = core.E(core.KindNotFound, "economy", "err.not_found")

// CanWrite reports whether the actor writes the commitment.
func CanWrite(a core.Actor, c Commitment) bool {
	return access.Can(a, access.EconomyCommit, access.Resource{OrgID: c.OrgID})
}

// check validates input against the agreements, naming each field.
func (s *Service) check(ctx context.Context, in *CommitmentInput, country string) error {
	p := core.Problems{}
	for field, v := range map[string]string{"what": in.What, "notes": in.Notes, "deadline": in.Deadline, "agreement": in.Agreement, "provision": in.Provision} {
		if k := core.CheckText(v); k != "" {
			p.Add(field, k)
		}
	}
	in.What, in.Notes, in.Deadline = strings.TrimSpace(in.What), strings.TrimSpace(in.Notes), strings.TrimSpace(in.Deadline)
	if in.What == "" {
		p.Add("what", "err.required")
	} else if len(in.What) > 2000 {
		p.Add("what", "err.too_long")
	}
	if len(in.Notes) > 4000 {
		p.Add("notes", "err.too_long")
	}
	if in.Deadline != "" {
		if _, err := time.Parse("2006-01-02", in.Deadline); err != nil {
			p.Add("deadline", "err.date")
		}
	}
	if !slices.Contains(Statuses, in.Status) {
		p.Add("status", "err.choice")
	}
	ag, err := s.Agreement(ctx, in.Agreement)
	switch {
	case err != nil && core.KindOf(err) != core.KindNotFound:
		return err
	case err != nil:
		p.Add("agreement", "err.choice")
	default:
		if _, ok := ag.Provision(in.Provision); !ok {
			p.Add("provision", "err.choice")
		}
		if _, ok := ag.Party(country); !ok && country != "" {
			p.Add("agreement", "err.eco_not_party")
		}
	}
	return p.Err("economy: commitment")
}

// CreateCommitment records a commitment kept by the organisation in.Org,
// for the country it represents, which must be a party to the agreement.
func (s *Service) CreateCommitment(ctx context.Context, in CommitmentInput) (Commitment, error) {
	a := core.ActorFrom(ctx)
	if err := access.Check(a, access.EconomyCommit, access.Resource{OrgID: in.Org}); err != nil || in.Org == "" {
		if err == nil {
			p := core.Problems{}
			p.Add("org", "err.required")
			err = p.Err("economy: commitment")
		}
		return Commitment{}, err
	}
	country, err := s.countryOf(ctx, in.Org)
	if err != nil {
		return Commitment{}, err
	}
	if country == "" {
		p := core.Problems{}
		p.Add("org", "err.eco_no_country")
		return Commitment{}, p.Err("economy: commitment")
	}
	if err := s.check(ctx, &in, country); err != nil {
		return Commitment{}, err
	}
	var c Commitment
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		c = Commitment{ID: core.NewID(tx.Now), OrgID: in.Org, Country: country, AgreementID: in.Agreement, ProvisionID: in.Provision,
			What: in.What, Deadline: in.Deadline, Status: in.Status, Notes: in.Notes, Shared: in.Shared, CreatedAt: tx.Now, UpdatedAt: tx.Now}
		if _, err := tx.Exec(ctx, `INSERT INTO eco_commitments (id, org_id, country, agreement_id, provision_id, what, deadline, status, notes, shared, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.ID, c.OrgID, c.Country, c.AgreementID, c.ProvisionID, c.What, c.Deadline, c.Status, c.Notes, c.Shared, a.UserID, tx.Now, tx.Now); err != nil {
			return err
		}
		if err := recordChange(ctx, tx, c); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "economy.commitment.create", "commitment", c.ID, c.OrgID, c.AgreementID+" "+c.ProvisionID)
	})
	return c, core.Wrap("economy: create commitment", err)
}

// UpdateCommitment changes a commitment: its organisation's writers only.
// The organisation and country stay; the provision may change within the
// agreement.
func (s *Service) UpdateCommitment(ctx context.Context, id string, in CommitmentInput) (Commitment, error) {
	a := core.ActorFrom(ctx)
	c, err := s.Commitment(ctx, id)
	if err != nil {
		return c, err
	}
	if err := access.Check(a, access.EconomyCommit, access.Resource{OrgID: c.OrgID}); err != nil {
		return c, err
	}
	in.Org = c.OrgID
	if err := s.check(ctx, &in, c.Country); err != nil {
		return c, err
	}
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		changed := c.Status != in.Status || c.Deadline != in.Deadline
		c.AgreementID, c.ProvisionID, c.What, c.Deadline, c.Status, c.Notes, c.Shared, c.UpdatedAt = in.Agreement, in.Provision, in.What, in.Deadline, in.Status, in.Notes, in.Shared, tx.Now
		if _, err := tx.Exec(ctx, `UPDATE eco_commitments SET agreement_id = ?, provision_id = ?, what = ?, deadline = ?, status = ?, notes = ?, shared = ?, updated_at = ? WHERE id = ?`,
			c.AgreementID, c.ProvisionID, c.What, c.Deadline, c.Status, c.Notes, c.Shared, tx.Now, c.ID); err != nil {
			return err
		}
		if changed {
			if err := recordChange(ctx, tx, c); err != nil {
				return err
			}
		}
		return audit.Record(ctx, tx, "economy.commitment.update", "commitment", c.ID, c.OrgID, c.Status)
	})
	return c, core.Wrap("economy: update commitment", err)
}

// Overdue lists the commitments past their deadline and not done that the
// actor's organisations keep and the actor writes: their "Needs your
// attention".
func (s *Service) Overdue(ctx context.Context) ([]Commitment, error) {
	a := core.ActorFrom(ctx)
	orgs := access.Orgs(a, access.EconomyCommit)
	if len(orgs) == 0 {
		return nil, nil
	}
	today := s.db.Clock().Now().UTC().Format("2006-01-02")
	args := []any{today}
	for _, o := range orgs {
		args = append(args, o)
	}
	var out []Commitment
	err := s.db.R().Select(ctx, &out, `SELECT `+commitmentColumns+` FROM eco_commitments c WHERE c.deadline <> '' AND c.deadline < ? AND c.status IN ('not_started', 'in_progress')
		AND c.org_id IN (`+strings.TrimSuffix(strings.Repeat("?, ", len(orgs)), ", ")+`) ORDER BY c.deadline, c.id LIMIT 50`, args...)
	return out, core.Wrap("economy: overdue", err)
}

// Today is the node's day, for the pages' "overdue".
func (s *Service) Today() string { return s.db.Clock().Now().UTC().Format("2006-01-02") }
