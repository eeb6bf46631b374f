package humanitarian

import (
	"context"
	"time"
)

const activityCols = `a.id, a.emergency_id, a.org_id, a.org_handle, a.role, a.partner, a.partner_role, a.sector, a.activity,
	a.pcode, a.level, a.start_on, a.end_on, a.status, a.targeted, a.targeted_women, a.targeted_men, a.targeted_girls, a.targeted_boys,
	a.reached, a.reached_women, a.reached_men, a.reached_girls, a.reached_boys, a.created_at, a.updated_at`

type activityRow struct {
	ID            string    `db:"id"`
	EmergencyID   string    `db:"emergency_id"`
	OrgID         string    `db:"org_id"`
	OrgHandle     string    `db:"org_handle"`
	Role          string    `db:"role"`
	Partner       string    `db:"partner"`
	PartnerRole   string    `db:"partner_role"`
	Sector        string    `db:"sector"`
	Activity      string    `db:"activity"`
	PCode         string    `db:"pcode"`
	Level         int       `db:"level"`
	StartOn       string    `db:"start_on"`
	EndOn         string    `db:"end_on"`
	Status        string    `db:"status"`
	Targeted      int64     `db:"targeted"`
	TargetedWomen *int64    `db:"targeted_women"`
	TargetedMen   *int64    `db:"targeted_men"`
	TargetedGirls *int64    `db:"targeted_girls"`
	TargetedBoys  *int64    `db:"targeted_boys"`
	Reached       int64     `db:"reached"`
	ReachedWomen  *int64    `db:"reached_women"`
	ReachedMen    *int64    `db:"reached_men"`
	ReachedGirls  *int64    `db:"reached_girls"`
	ReachedBoys   *int64    `db:"reached_boys"`
	CreatedAt     time.Time `db:"created_at"`
	UpdatedAt     time.Time `db:"updated_at"`
}

func (r activityRow) activity(host string) Activity {
	return Activity{ID: r.ID, EmergencyID: r.EmergencyID, OrgID: r.OrgID, Org: r.OrgHandle + "@" + host, Role: r.Role,
		Partner: r.Partner, PartnerRole: r.PartnerRole, Sector: r.Sector, Activity: r.Activity, PCode: r.PCode, Level: r.Level,
		StartOn: r.StartOn, EndOn: r.EndOn, Status: r.Status,
		Targeted:  People{Total: r.Targeted, Women: r.TargetedWomen, Men: r.TargetedMen, Girls: r.TargetedGirls, Boys: r.TargetedBoys},
		Reached:   People{Total: r.Reached, Women: r.ReachedWomen, Men: r.ReachedMen, Girls: r.ReachedGirls, Boys: r.ReachedBoys},
		CreatedAt: r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC()}
}

// Activity returns an activity. Activities are public, as OCHA publishes
// its 3W: the counts of people are aggregates.
func (s *Service) Activity(ctx context.Context, id string) (Activity, error) {
	var r activityRow
	if err := s.db.R().Get(ctx, &r, `SELECT `+activityCols+` FROM hum_activities a WHERE a.id = ?`, id); err != nil {
		return Activity{}, err
	}
	return r.activity(s.node.Host()), nil
}

// ActivityFilter narrows a list of activities; empty fields match all.
type ActivityFilter struct {
	Sector string
	Area   string // a P-code: activities in it or inside it
	Org    string // the organisation's handle, or a partner's name
	Status string
}

// maxActivities bounds what one emergency's list reads, as the import
// bounds what one file adds.
const maxActivities = 50_000

// Activities lists an emergency's activities by sector, place and
// organisation.
func (s *Service) Activities(ctx context.Context, e Emergency, f ActivityFilter) ([]Activity, error) {
	q, args := ` WHERE a.emergency_id = ?`, []any{e.ID}
	if f.Sector != "" {
		q, args = q+` AND a.sector = ?`, append(args, f.Sector)
	}
	if f.Status != "" {
		q, args = q+` AND a.status = ?`, append(args, f.Status)
	}
	if f.Org != "" {
		q, args = q+` AND (a.org_handle = ? OR a.partner = ?)`, append(args, f.Org, f.Org)
	}
	var rows []activityRow
	if err := s.db.R().Select(ctx, &rows, `SELECT `+activityCols+` FROM hum_activities a`+q+
		` ORDER BY a.sector, a.pcode, a.org_handle, a.id LIMIT ?`, append(args, maxActivities)...); err != nil {
		return nil, err
	}
	out := make([]Activity, 0, len(rows))
	for _, r := range rows {
		// Areas nest by the gazetteer's parents, which SQL cannot follow.
		if f.Area != "" && !s.places.Within(r.PCode, f.Area) {
			continue
		}
		out = append(out, r.activity(s.node.Host()))
	}
	return out, nil
}

// ActivityOrgs lists the organisations named in an emergency's activities
// (handles and partners), for the filter.
func (s *Service) ActivityOrgs(ctx context.Context, e Emergency) ([]string, error) {
	var out []string
	err := s.db.R().Select(ctx, &out, `SELECT org_handle FROM hum_activities WHERE emergency_id = ?
		UNION SELECT partner FROM hum_activities WHERE emergency_id = ? AND partner <> '' ORDER BY 1`, e.ID, e.ID)
	return out, err
}
