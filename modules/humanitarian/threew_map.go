package humanitarian

import (
	"fmt"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/modules/humanitarian/hxl"
)

// columnMap is where a 3W's fields are, found once per file by hashtag
// pattern, never by header text or position.
type columnMap struct {
	orgName, orgCode map[string][]int // by role
	sectorCode       []int
	sectorName       []int
	what             []int
	admCode, admName [4][]int // by level 1–3
	start, end       []int
	status           []int
	people           map[string][]int // field (targeted, targeted_women, …) → columns
	children         map[string][]int // targeted, reached → children not split by sex
}

func newColumnMap(d *hxl.Dataset) columnMap {
	find := func(p string) []int { return d.Find(hxl.MustPattern(p)) }
	m := columnMap{orgName: map[string][]int{}, orgCode: map[string][]int{}, people: map[string][]int{}, children: map[string][]int{}}
	for role, attr := range roleAttr {
		m.orgName[role] = find("#org+" + attr + "-code-id-type-acronym")
		m.orgCode[role] = append(find("#org+"+attr+"+code"), find("#org+"+attr+"+id")...)
	}
	// An #org without a role is the implementing organisation, as in most
	// 3Ws that have one organisation column.
	m.orgName[RoleImplementing] = append(m.orgName[RoleImplementing], find("#org-impl-funder-prog-code-id-type-acronym")...)
	m.sectorCode, m.sectorName = find("#sector+code"), find("#sector-code")
	m.what = find("#activity-code")
	for l := 1; l <= 3; l++ {
		tag := fmt.Sprintf("#adm%d", l)
		m.admCode[l], m.admName[l] = find(tag+"+code"), find(tag+"-code")
	}
	m.start, m.end, m.status = find("#date+start"), find("#date+end"), find("#status")
	for _, k := range []string{"targeted", "reached"} {
		m.people[k] = find("#" + k + "-f-m-children-adults-hh")
		m.people[k+"_women"] = append(find("#"+k+"+f+adults"), find("#"+k+"+f-children-adults")...)
		m.people[k+"_men"] = append(find("#"+k+"+m+adults"), find("#"+k+"+m-children-adults")...)
		m.people[k+"_girls"] = find("#" + k + "+f+children")
		m.people[k+"_boys"] = find("#" + k + "+m+children")
		m.children[k] = find("#" + k + "+children-f-m")
	}
	return m
}

// get is the first non-empty cell among the columns and its 1-based
// column (the first column when all are empty, 0 when there is none).
func get(row hxl.Row, cols []int) (string, int) {
	for _, i := range cols {
		if v := row.Values[i]; v != "" {
			return undefuse(v), i + 1
		}
	}
	if len(cols) > 0 {
		return "", cols[0] + 1
	}
	return "", 0
}

// undefuse takes off the quote a writer puts before a cell a spreadsheet
// would run as a formula, so an exported "-" text comes back as it was.
func undefuse(v string) string {
	if len(v) > 1 && v[0] == '\'' && strings.ContainsRune("=+-@\t\r", rune(v[1])) {
		return v[1:]
	}
	return v
}

// activity reads one row: the activity, whose it is, and the column each
// field came from (for problems).
//
// placeName is the name the row gives beside the P-code it is placed by,
// so that a code typed for the wrong place is caught.
func (m columnMap) activity(row hxl.Row, def core.OrgRef, writable []core.OrgRef) (a Activity, owner core.OrgRef, fields map[string]int, placeName string) {
	fields = map[string]int{}
	owner, role := def, ""
	names := map[string]string{}
	for _, r := range Roles {
		name, col := get(row, m.orgName[r])
		code, ccol := get(row, m.orgCode[r])
		names[r] = name
		if col == 0 {
			col = ccol
		}
		if role != "" {
			continue
		}
		for _, o := range writable {
			h, _, _ := strings.Cut(code, "@")
			if code != "" && strings.EqualFold(h, o.Handle) || code == "" && name != "" && strings.EqualFold(name, o.Handle) {
				owner, role = o, r
				fields["role"] = col
				break
			}
		}
	}
	if role == "" {
		role = RoleAppealing
		if names[RoleImplementing] == "" && names[RoleFunding] == "" {
			role = RoleImplementing
		}
	}
	a.Role = role
	for _, r := range []string{RoleImplementing, RoleFunding, RoleAppealing} {
		if r != role && names[r] != "" {
			a.Partner, a.PartnerRole = names[r], r
			_, fields["partner"] = get(row, m.orgName[r])
			fields["partner_role"] = fields["partner"]
			break
		}
	}
	var v string
	if v, fields["sector"] = get(row, m.sectorCode); v == "" {
		v, fields["sector"] = get(row, m.sectorName)
	}
	if a.Sector = lookup(sectorIndex, v); a.Sector == "" {
		a.Sector = v // refused by Validate, with its column
	}
	a.Activity, fields["activity"] = get(row, m.what)
	for l := 3; l >= 1 && a.Place == ""; l-- {
		if a.Place, fields["place"] = get(row, m.admCode[l]); a.Place == "" {
			a.Place, fields["place"] = get(row, m.admName[l])
		} else {
			placeName, _ = get(row, m.admName[l])
		}
	}
	if fields["place"] == 0 {
		_, fields["place"] = get(row, m.admName[1])
	}
	v, fields["start_on"] = get(row, m.start)
	a.StartOn = isoDay(v, false)
	v, fields["end_on"] = get(row, m.end)
	a.EndOn = isoDay(v, true)
	v, fields["status"] = get(row, m.status)
	if a.Status = lookup(statusIndex, v); a.Status == "" {
		a.Status = v
	}
	for _, k := range []string{"targeted", "reached"} {
		p := People{}
		total, col := m.count(row, k, fields)
		for i, ptr := range []**int64{&p.Women, &p.Men, &p.Girls, &p.Boys} {
			if n, ok := m.countOf(row, k+"_"+partNames[i], m.people[k+"_"+partNames[i]], fields); ok {
				*ptr = &n
			}
		}
		if total != nil {
			p.Total = *total
		} else if c, ok := m.countOf(row, k, m.children[k], fields); ok {
			// Children not split by sex count in the total only.
			p.Total = c
			for _, v := range p.parts() {
				if v != nil {
					p.Total += *v
				}
			}
		}
		if fields[k] == 0 {
			fields[k] = col
		}
		if k == "targeted" {
			a.Targeted = p
		} else {
			a.Reached = p
		}
	}
	return a, owner, fields, placeName
}

func (m columnMap) count(row hxl.Row, k string, fields map[string]int) (*int64, int) {
	n, ok := m.countOf(row, k, m.people[k], fields)
	if !ok {
		return nil, fields[k]
	}
	return &n, fields[k]
}

// countOf reads a people count; the reader has already refused cells that
// are not counts, so a bad one here is left out.
func (m columnMap) countOf(row hxl.Row, field string, cols []int, fields map[string]int) (int64, bool) {
	v, col := get(row, cols)
	if col > 0 && fields[field] == 0 {
		fields[field] = col
	}
	if v == "" {
		return 0, false
	}
	n, err := hxl.ParseCount(v)
	return n, err == nil
}

// isoDay turns an HXL date into a day: the first of a month or year for a
// start, the last for an end; "" or an unreadable date comes back as typed
// so that Validate names it.
func isoDay(s string, end bool) string {
	if s == "" {
		return ""
	}
	d, err := hxl.ParseDate(s)
	if err != nil {
		return s
	}
	switch {
	case d.Month == 0 && end:
		d.Month, d.Day = 12, 31
	case d.Month == 0:
		d.Month, d.Day = 1, 1
	case d.Day == 0 && end:
		d.Day = [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[d.Month]
		if d.Month == 2 && (d.Year%4 == 0 && d.Year%100 != 0 || d.Year%400 == 0) {
			d.Day = 29
		}
	case d.Day == 0:
		d.Day = 1
	}
	return d.String()
}
