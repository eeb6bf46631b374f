package humanitarian

import (
	"context"
	"slices"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/federation"
	"entente.example/entente/internal/store"
)

// Clusters are the IASC clusters, the sectors OCHA's 3W sheets are kept by,
// each labelled in both languages (hum.3w.sector.*). The codes are those of
// funding's sectors, so that a flow and an activity name a sector alike.
var Clusters = []string{
	"cccm",           // camp coordination and camp management
	"early-recovery", // early recovery
	"education",      // education
	"shelter",        // emergency shelter and non-food items
	"telecom",        // emergency telecommunications
	"food-security",  // food security
	"health",         // health
	"logistics",      // logistics
	"nutrition",      // nutrition
	"protection",     // protection
	"wash",           // water, sanitation and hygiene
}

// Roles an organisation plays in an activity, as OCHA's 4W names them: the
// organisation doing the work, the one paying for it, and the one that
// appeals for it and reports it to the cluster.
var Roles = []string{RoleImplementing, RoleFunding, RoleAppealing}

// Roles.
const (
	RoleImplementing = "implementing"
	RoleFunding      = "funding"
	RoleAppealing    = "appealing"
)

// Activity statuses.
const (
	ActivityPlanned   = "planned"
	ActivityOngoing   = "ongoing"
	ActivityCompleted = "completed"
)

// ActivityStatuses lists the statuses in their order.
var ActivityStatuses = []string{ActivityPlanned, ActivityOngoing, ActivityCompleted}

// People counts people targeted or reached: a total and, where the sheet
// gives them, women, men, girls and boys (nil: not given). When any part
// is given the total is at least their sum, and equals it when all four
// are; a total left at zero becomes the sum.
type People struct {
	Total int64  `json:"total"`
	Women *int64 `json:"women,omitempty"`
	Men   *int64 `json:"men,omitempty"`
	Girls *int64 `json:"girls,omitempty"`
	Boys  *int64 `json:"boys,omitempty"`
}

func (p People) parts() []*int64 { return []*int64{p.Women, p.Men, p.Girls, p.Boys} }

// partNames are the parts' names, in the order of parts, for field names.
var partNames = []string{"women", "men", "girls", "boys"}

// check validates the counts under field (targeted, reached) and fills the
// total from the parts.
func (p *People) check(pr core.Problems, field string) {
	var sum int64
	given, all := false, true
	for i, v := range p.parts() {
		if v == nil {
			all = false
			continue
		}
		if *v < 0 || *v > maxPeople {
			pr.Add(field+"_"+partNames[i], "err.hum_3w_count")
			return
		}
		given, sum = true, sum+*v
	}
	switch {
	case p.Total < 0 || p.Total > maxPeople:
		pr.Add(field, "err.hum_3w_count")
	case given && p.Total == 0:
		p.Total = sum
	case all && p.Total != sum, given && p.Total < sum:
		pr.Add(field, "err.hum_3w_total")
	}
}

// maxActivity bounds an activity's description: a 3W cell, not a report.
const maxActivity = 1000

// maxPeople bounds a count: more people than live on Earth is a typo.
const maxPeople = 10_000_000_000

// Activity is one line of a 3W: who (an organisation on this node, in a
// role, with perhaps a partner that is not on Entente), does what (a
// sector and the activity), where (a P-code), when, and for how many
// people.
type Activity struct {
	ID          string `json:"id"`
	EmergencyID string `json:"emergency_id"`
	OrgID       string `json:"-"`
	Org         string `json:"org"` // the organisation's address, handle@host
	Role        string `json:"role"`
	Partner     string `json:"partner,omitempty"`
	PartnerRole string `json:"partner_role,omitempty"`
	Sector      string `json:"sector"`
	Activity    string `json:"activity"`
	PCode       string `json:"pcode"`
	Level       int    `json:"admin_level"`
	StartOn     string `json:"start_on"`
	EndOn       string `json:"end_on,omitempty"`
	Status      string `json:"status"`
	Targeted    People `json:"targeted"`
	Reached     People `json:"reached"`
	// Place is what a form or a client typed for the location (a P-code
	// or a name); Validate resolves it into PCode.
	Place     string    `json:"-"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Handle is the organisation's handle, without the host.
func (a Activity) Handle() string { h, _, _ := strings.Cut(a.Org, "@"); return h }

// Validate checks an activity against its emergency: its place must be in
// the gazetteer and, when the emergency names areas, inside one of them.
func (a *Activity) Validate(g *Gazetteer, e Emergency) core.Problems {
	a.Partner, a.Activity = strings.TrimSpace(a.Partner), strings.TrimSpace(a.Activity)
	a.StartOn, a.EndOn = strings.TrimSpace(a.StartOn), strings.TrimSpace(a.EndOn)
	pr := core.Problems{}
	if !slices.Contains(Roles, a.Role) {
		pr.Add("role", "err.hum_3w_role")
	}
	text(pr, "partner", a.Partner, maxTitle, false)
	switch {
	case a.Partner == "":
		a.PartnerRole = ""
	case !slices.Contains(Roles, a.PartnerRole):
		pr.Add("partner_role", "err.hum_3w_role")
	case a.PartnerRole == a.Role:
		pr.Add("partner_role", "err.hum_3w_same_role")
	}
	if !slices.Contains(Clusters, a.Sector) {
		pr.Add("sector", "err.hum_3w_sector")
	}
	text(pr, "activity", a.Activity, maxActivity, true)
	if !slices.Contains(ActivityStatuses, a.Status) {
		pr.Add("status", "err.hum_3w_status")
	}
	if !validDate(a.StartOn) {
		pr.Add("start_on", "err.date")
	}
	if a.EndOn != "" && (!validDate(a.EndOn) || a.EndOn < a.StartOn) {
		pr.Add("end_on", "err.hum_end_date")
	}
	a.Targeted.check(pr, "targeted")
	a.Reached.check(pr, "reached")
	place := strings.TrimSpace(a.Place)
	if place == "" {
		place = a.PCode
	}
	p, ok := g.Get(place)
	if !ok && place != "" && core.CheckText(place) == "" {
		p, ok = g.Resolve(place)
	}
	switch {
	case strings.TrimSpace(place) == "":
		pr.Add("place", "err.required")
	case !ok || p.Level == 0:
		pr.Add("place", "err.hum_3w_place")
	case !e.covers(g, p.PCode):
		pr.Add("place", "err.hum_3w_outside")
	default:
		a.PCode, a.Level = p.PCode, p.Level
	}
	return pr
}

// covers reports whether a place lies within one of the emergency's areas;
// an emergency without areas covers anywhere.
func (e Emergency) covers(g *Gazetteer, pcode string) bool {
	if len(e.Areas) == 0 {
		return true
	}
	for _, area := range e.Areas {
		if g.Within(pcode, area) {
			return true
		}
	}
	return false
}

// CreateActivity records an activity of the emergency for the actor's
// organisation org (its handle).
func (s *Service) CreateActivity(ctx context.Context, emergencyID, org string, a Activity) (Activity, error) {
	actor := core.ActorFrom(ctx)
	if err := access.Check(actor, access.HumWrite, access.Resource{}); err != nil {
		return Activity{}, err
	}
	e, err := s.Emergency(ctx, emergencyID)
	if err != nil {
		return Activity{}, err
	}
	pr := a.Validate(s.places, e)
	o, ok := writerOrg(actor, org)
	if !ok {
		pr.Add("org", "err.org_unknown")
	}
	if err := pr.Err("humanitarian: create activity"); err != nil {
		return a, err
	}
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		s.stamp(tx, &a, e, o)
		if err := insertActivity(ctx, tx, a); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "humanitarian.activity.create", "hum_activity", a.ID, o.ID, a.Activity)
	})
	return a, err
}

// stamp gives a new activity its id, emergency, organisation and times.
func (s *Service) stamp(tx *store.Tx, a *Activity, e Emergency, o core.OrgRef) {
	a.ID, a.EmergencyID = federation.NewHostedID(tx.Now, s.node.Host()), e.ID
	a.OrgID, a.Org = o.ID, o.Handle+"@"+s.node.Host()
	a.CreatedAt, a.UpdatedAt = tx.Now, tx.Now
}

// UpdateActivity changes an activity; the writers of its organisation do.
func (s *Service) UpdateActivity(ctx context.Context, id string, a Activity) (Activity, error) {
	old, e, err := s.ownActivity(ctx, id, "humanitarian: update activity")
	if err != nil {
		return Activity{}, err
	}
	if err := a.Validate(s.places, e).Err("humanitarian: update activity"); err != nil {
		return a, err
	}
	a.ID, a.EmergencyID, a.OrgID, a.Org, a.CreatedAt = old.ID, old.EmergencyID, old.OrgID, old.Org, old.CreatedAt
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		a.UpdatedAt = tx.Now
		if _, err := tx.Exec(ctx, `DELETE FROM hum_activities WHERE id = ?`, a.ID); err != nil {
			return err
		}
		if err := insertActivity(ctx, tx, a); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "humanitarian.activity.update", "hum_activity", a.ID, a.OrgID, a.Activity)
	})
	return a, err
}

// DeleteActivity removes an activity; the writers of its organisation do.
func (s *Service) DeleteActivity(ctx context.Context, id string) (Activity, error) {
	a, _, err := s.ownActivity(ctx, id, "humanitarian: delete activity")
	if err != nil {
		return Activity{}, err
	}
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM hum_activities WHERE id = ?`, a.ID); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "humanitarian.activity.delete", "hum_activity", a.ID, a.OrgID, a.Activity)
	})
	return a, err
}

// ownActivity reads an activity that the actor writes for.
func (s *Service) ownActivity(ctx context.Context, id, op string) (Activity, Emergency, error) {
	a, err := s.Activity(ctx, id)
	if err != nil {
		return Activity{}, Emergency{}, err
	}
	if !s.CanEditActivity(ctx, a) {
		return Activity{}, Emergency{}, core.E(core.KindForbidden, op, "err.forbidden")
	}
	e, err := s.Emergency(ctx, a.EmergencyID)
	return a, e, err
}

// CanEditActivity reports whether the actor writes for the activity's
// organisation.
func (s *Service) CanEditActivity(ctx context.Context, a Activity) bool {
	return access.HumWriter(core.ActorFrom(ctx), a.OrgID)
}

func insertActivity(ctx context.Context, tx *store.Tx, a Activity) error {
	return insertActivities(ctx, tx, []Activity{a})
}

// insertBatch is how many activities one INSERT writes: an import of
// thousands of rows would otherwise spend a quarter of its time having
// SQLite parse the same statement again. 100 rows of 26 values stay well
// under both engines' limits on parameters.
const insertBatch = 100

func insertActivities(ctx context.Context, tx *store.Tx, list []Activity) error {
	const cols = `INSERT INTO hum_activities (id, emergency_id, org_id, org_handle, role, partner, partner_role, sector, activity,
		pcode, level, start_on, end_on, status, targeted, targeted_women, targeted_men, targeted_girls, targeted_boys,
		reached, reached_women, reached_men, reached_girls, reached_boys, created_at, updated_at) VALUES `
	const one = `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
	for len(list) > 0 {
		n := min(len(list), insertBatch)
		args := make([]any, 0, n*26)
		for _, a := range list[:n] {
			args = append(args, a.ID, a.EmergencyID, a.OrgID, a.Handle(), a.Role, a.Partner, a.PartnerRole, a.Sector, a.Activity,
				a.PCode, int64(a.Level), a.StartOn, a.EndOn, a.Status,
				a.Targeted.Total, arg(a.Targeted.Women), arg(a.Targeted.Men), arg(a.Targeted.Girls), arg(a.Targeted.Boys),
				a.Reached.Total, arg(a.Reached.Women), arg(a.Reached.Men), arg(a.Reached.Girls), arg(a.Reached.Boys),
				a.CreatedAt, a.UpdatedAt)
		}
		if _, err := tx.Exec(ctx, cols+strings.Repeat(one+", ", n-1)+one, args...); err != nil {
			return err
		}
		list = list[n:]
	}
	return nil
}

// arg is a count for the database: NULL when not given.
func arg(v *int64) any {
	if v == nil {
		return nil
	}
	return *v
}
