package humanitarian

import (
	"context"
	"slices"
)

// CategorySector is the cluster that answers each category of report, for
// the gaps. Injuries are health's; missing people are protection's (family
// tracing); damaged homes are shelter's; blocked access is logistics'.
// "trapped" has none on purpose: search and rescue teams coordinate through
// INSARAG and the local emergency operations centre, not a cluster, and
// calling a trapped person a logistics gap would send the wrong people.
// "other" says nothing of a sector.
var CategorySector = map[string]string{
	"water":   "wash",
	"food":    "food-security",
	"shelter": "shelter",
	"damage":  "shelter",
	"health":  "health",
	"injured": "health",
	"missing": "protection",
	"safety":  "protection",
	"access":  "logistics",
}

// Cell is one sector in one area: how many organisations implement there
// (the 3W's presence: who does the work, not who funds or appeals for it,
// each once) and how many people they reached. Reported tells a reached
// figure of 0 from none given: an activity gives one when its total or any
// of its parts is set.
type Cell struct {
	Orgs     int   `json:"orgs"`
	Reached  int64 `json:"reached"`
	Reported bool  `json:"reached_reported"`
}

// implementer is who does an activity's work, as presence counts it: the
// organisation when it implements, else its partner when the partner
// does; "" when neither (an appeal, or funding alone).
func implementer(a Activity) string {
	switch {
	case a.Role == RoleImplementing:
		return "@" + a.Org
	case a.Partner != "" && a.PartnerRole == RoleImplementing:
		return a.Partner
	}
	return ""
}

// reachedGiven reports whether the activity says how many it reached.
func reachedGiven(p People) bool {
	return p.Total > 0 || slices.ContainsFunc(p.parts(), func(v *int64) bool { return v != nil })
}

// MatrixRow is one area of the matrix, its cells in Clusters' order.
type MatrixRow struct {
	Area  string `json:"area"` // P-code
	Cells []Cell `json:"cells"`
}

// Matrix is the sector × area view of an emergency's 3W.
type Matrix struct {
	Level   int         `json:"admin_level"`
	Sectors []string    `json:"sectors"`
	Rows    []MatrixRow `json:"rows"`
}

// rollUp is the area of the given level holding pcode, or pcode itself when
// it is above that level (a province-wide activity gets its own row).
func (g *Gazetteer) rollUp(pcode string, level int) string {
	for p, ok := g.Get(pcode); ok; p, ok = g.byCode[p.Parent] {
		if p.Level <= level {
			return p.PCode
		}
	}
	return pcode
}

// Names reports whether name is one of the place's names (its name or
// another, compared as Resolve compares them).
func (g *Gazetteer) Names(pcode, name string) bool {
	p, ok := g.Get(pcode)
	if !ok {
		return false
	}
	k := fold(name)
	for _, n := range append([]string{p.Name}, p.Alt...) {
		if fold(n) == k {
			return true
		}
	}
	return false
}

// areas lists the emergency's areas at a level (2 or 3), in the gazetteer's
// order.
func (s *Service) areas(e Emergency, level int) []string {
	var out []string
	for _, p := range s.places.Places() {
		if p.Level == level && len(e.Areas) > 0 && e.covers(s.places, p.PCode) {
			out = append(out, p.PCode)
		}
	}
	return out
}

// ActivityMatrix counts presence and people reached by area (admin level 2
// or 3) and sector. Completed activities count: they were present.
// Presence is OCHA's: the implementing organisations, so a national agency
// that appeals for every sector is not "present" everywhere.
func (s *Service) ActivityMatrix(ctx context.Context, e Emergency, level int) (Matrix, error) {
	if level != 3 {
		level = 2
	}
	list, err := s.Activities(ctx, e, ActivityFilter{})
	if err != nil {
		return Matrix{}, err
	}
	m := Matrix{Level: level, Sectors: Clusters, Rows: []MatrixRow{}}
	index := map[string]int{}
	add := func(area string) int {
		if i, ok := index[area]; ok {
			return i
		}
		index[area] = len(m.Rows)
		m.Rows = append(m.Rows, MatrixRow{Area: area, Cells: make([]Cell, len(Clusters))})
		return len(m.Rows) - 1
	}
	for _, a := range s.areas(e, level) {
		add(a)
	}
	orgs := map[[3]string]bool{}
	for _, a := range list {
		row, col := add(s.places.rollUp(a.PCode, level)), slices.Index(Clusters, a.Sector)
		if col < 0 {
			continue
		}
		c := &m.Rows[row].Cells[col]
		c.Reached += a.Reached.Total
		c.Reported = c.Reported || reachedGiven(a.Reached)
		if o := implementer(a); o != "" {
			if k := [3]string{m.Rows[row].Area, a.Sector, o}; !orgs[k] {
				orgs[k] = true
				c.Orgs++
			}
		}
	}
	return m, nil
}

// Gap is an area and sector where verified reports show a need that no
// planned or ongoing activity answers.
type Gap struct {
	Area    string `json:"area"` // P-code
	Sector  string `json:"sector"`
	Reports int    `json:"reports"` // verified reports of the need
}

// ActivityGaps lists the needs without presence, at admin level 2 or 3,
// most reported first. An activity answers a need in its area, inside it,
// or around it (a province-wide distribution covers its districts).
func (s *Service) ActivityGaps(ctx context.Context, e Emergency, level int) ([]Gap, error) {
	if level != 3 {
		level = 2
	}
	var needs []struct {
		Category string `db:"category"`
		PCode    string `db:"pcode"`
		N        int    `db:"n"`
	}
	if err := s.db.R().Select(ctx, &needs, `SELECT category, pcode, COUNT(*) AS n FROM hum_reports
		WHERE emergency_id = ? AND status = ? AND pcode <> '' GROUP BY category, pcode`, e.ID, ReportVerified); err != nil {
		return nil, err
	}
	list, err := s.Activities(ctx, e, ActivityFilter{})
	if err != nil {
		return nil, err
	}
	count := map[[2]string]int{}
	for _, n := range needs {
		if sector := CategorySector[n.Category]; sector != "" {
			count[[2]string{s.places.rollUp(n.PCode, level), sector}] += n.N
		}
	}
	var out []Gap
	for k, n := range count {
		covered := slices.ContainsFunc(list, func(a Activity) bool {
			return a.Sector == k[1] && a.Status != ActivityCompleted &&
				(s.places.Within(a.PCode, k[0]) || s.places.Within(k[0], a.PCode))
		})
		if !covered {
			out = append(out, Gap{Area: k[0], Sector: k[1], Reports: n})
		}
	}
	slices.SortFunc(out, func(a, b Gap) int {
		if a.Reports != b.Reports {
			return b.Reports - a.Reports
		}
		if a.Area != b.Area {
			if a.Area < b.Area {
				return -1
			}
			return 1
		}
		return slices.Index(Clusters, a.Sector) - slices.Index(Clusters, b.Sector)
	})
	return out, nil
}
