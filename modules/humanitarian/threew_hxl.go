package humanitarian

import (
	"context"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/internal/access"
	"entente.example/entente/internal/audit"
	"entente.example/entente/internal/store"
	"entente.example/entente/modules/humanitarian/hxl"
)

// The HXL 3W columns, with the hashtags and attributes of the HXL 1.1
// dictionary (hxlstandard.org/standard/1-1final/dictionary): #org with
// +impl (implementing), +funder and +prog (the programme or appealing
// organisation), each +name and +code; #sector+cluster; #activity;
// #adm1–#adm3 +name and +code (P-codes); #date +start and +end; #status;
// #targeted and #reached, +ind for the total and +f/+m with
// +adults/+children for women, men, girls and boys.
var threewColumns = []struct{ spec, header string }{
	{"#org+impl+name", "org_impl"}, {"#org+impl+code", "org_impl_code"},
	{"#org+funder+name", "org_funder"}, {"#org+funder+code", "org_funder_code"},
	{"#org+prog+name", "org_prog"}, {"#org+prog+code", "org_prog_code"},
	{"#sector+cluster+name", "sector"}, {"#sector+cluster+code", "sector_code"},
	{"#activity+name", "activity"},
	{"#adm1+name", "adm1"}, {"#adm1+code", "adm1_code"},
	{"#adm2+name", "adm2"}, {"#adm2+code", "adm2_code"},
	{"#adm3+name", "adm3"}, {"#adm3+code", "adm3_code"},
	{"#date+start", "start"}, {"#date+end", "end"}, {"#status", "status"},
	{"#targeted+ind", "targeted"}, {"#targeted+f+adults", "targeted_women"}, {"#targeted+m+adults", "targeted_men"},
	{"#targeted+f+children", "targeted_girls"}, {"#targeted+m+children", "targeted_boys"},
	{"#reached+ind", "reached"}, {"#reached+f+adults", "reached_women"}, {"#reached+m+adults", "reached_men"},
	{"#reached+f+children", "reached_girls"}, {"#reached+m+children", "reached_boys"},
}

// roleAttr is the #org attribute of each role.
var roleAttr = map[string]string{RoleImplementing: "impl", RoleFunding: "funder", RoleAppealing: "prog"}

// sectorNames are the names a sheet may give a cluster, English first (the
// name exported), then Indonesian and the usual short forms, folded.
var sectorNames = map[string][]string{
	"cccm":           {"Camp Coordination and Camp Management", "CCCM", "Koordinasi dan Manajemen Kamp", "Camp Management"},
	"early-recovery": {"Early Recovery", "ER", "Pemulihan Dini"},
	"education":      {"Education", "EDU", "Pendidikan"},
	"shelter":        {"Emergency Shelter and NFI", "Shelter", "ES/NFI", "Shelter and NFI", "Emergency Shelter", "NFI", "Hunian Darurat dan NFI", "Hunian", "Pengungsian"},
	"telecom":        {"Emergency Telecommunications", "ETC", "Telecommunications", "Telekomunikasi Darurat"},
	"food-security":  {"Food Security", "FSC", "Food", "Ketahanan Pangan", "Pangan"},
	"health":         {"Health", "Kesehatan"},
	"logistics":      {"Logistics", "LOG", "Logistik"},
	"nutrition":      {"Nutrition", "NUT", "Gizi", "Nutrisi"},
	"protection":     {"Protection", "PRO", "Child Protection", "GBV", "Perlindungan"},
	"wash":           {"WASH", "Water, Sanitation and Hygiene", "Water Sanitation Hygiene", "Air, Sanitasi dan Kebersihan", "Air Bersih dan Sanitasi"},
}

var statusNames = map[string][]string{
	ActivityPlanned:   {"Planned", "Pipeline", "Direncanakan", "Rencana"},
	ActivityOngoing:   {"Ongoing", "Active", "In progress", "Sedang berjalan", "Berjalan", "Berlangsung"},
	ActivityCompleted: {"Completed", "Complete", "Finished", "Done", "Selesai"},
}

// sectorIndex and statusIndex map folded names to codes, built once: a
// 20,000-row import looks a name up twice a row.
var sectorIndex, statusIndex = nameIndex(sectorNames), nameIndex(statusNames)

func nameIndex(names map[string][]string) map[string]string {
	out := map[string]string{}
	for code, ns := range names {
		out[foldName(code)] = code
		for _, n := range ns {
			out[foldName(n)] = code
		}
	}
	return out
}

// lookup finds a code by itself or one of its names, ignoring case, spaces
// and punctuation.
func lookup(index map[string]string, s string) string {
	return index[foldName(s)]
}

func foldName(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127 {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// ExportActivities writes an emergency's activities as HXL CSV; header
// gives each column's text header (hum.3w.col.*) in the reader's language.
func (s *Service) ExportActivities(ctx context.Context, e Emergency, f ActivityFilter, w io.Writer, header func(key string) string) error {
	list, err := s.Activities(ctx, e, f)
	if err != nil {
		return err
	}
	cols := make([]hxl.Column, len(threewColumns))
	for i, c := range threewColumns {
		cols[i], _ = hxl.ParseColumn(c.spec)
		cols[i].Header = header("hum.3w.col." + c.header)
	}
	wr, err := hxl.NewWriter(w, cols)
	if err != nil {
		return err
	}
	for _, a := range list {
		if err := wr.Write(s.threewRow(a)); err != nil {
			return err
		}
	}
	return wr.Flush()
}

func (s *Service) threewRow(a Activity) []string {
	row := make([]string, 0, len(threewColumns))
	for _, role := range Roles {
		switch role {
		case a.Role:
			row = append(row, a.Handle(), a.Org)
		case a.PartnerRole:
			row = append(row, a.Partner, "")
		default:
			row = append(row, "", "")
		}
	}
	row = append(row, sectorNames[a.Sector][0], a.Sector, a.Activity)
	var adm [4]string
	for p, ok := s.places.Get(a.PCode); ok && p.Level > 0; p, ok = s.places.byCode[p.Parent] {
		if p.Level <= 3 {
			adm[p.Level] = p.PCode
		}
	}
	for l := 1; l <= 3; l++ {
		name := ""
		if p, ok := s.places.Get(adm[l]); ok {
			name = p.Name
		}
		row = append(row, name, adm[l])
	}
	row = append(row, a.StartOn, a.EndOn, statusNames[a.Status][0])
	for _, p := range []People{a.Targeted, a.Reached} {
		row = append(row, strconv.FormatInt(p.Total, 10))
		for _, v := range p.parts() {
			if v == nil {
				row = append(row, "")
			} else {
				row = append(row, strconv.FormatInt(*v, 10))
			}
		}
	}
	return row
}

// Import limits: a national 3W is some thousands of rows.
const (
	ImportMaxBytes = 4 << 20
	ImportMaxRows  = 20_000
	maxProblems    = 200
)

// ImportProblem is why a row (or the file, Row 0) was refused: Code is a
// message key, Column 1-based (0: the whole row or file).
type ImportProblem struct {
	Row    int    `json:"row"`
	Column int    `json:"column,omitempty"`
	Tag    string `json:"tag,omitempty"`
	Code   string `json:"code"`
	Value  string `json:"value,omitempty"`
}

// ImportResult is what an import did: the activities added, or the
// problems that refused the file (then nothing was added).
type ImportResult struct {
	Imported int             `json:"imported"`
	Problems []ImportProblem `json:"problems"`
}

// errImportRefused is returned with the problems of a refused file.
func errImportRefused() error {
	return core.E(core.KindInvalid, "humanitarian: import activities", "err.hum_3w_import_refused")
}

// ImportActivities reads an HXL 3W and adds its rows as activities of the
// emergency, all or none. A row whose #org+…+code names an organisation
// the actor writes for (handle or handle@host) is that organisation's, in
// that role; any other row is org's (a handle), in the role of the column
// that names it, or as the appealing organisation with the row's
// implementing (or else funding) organisation as its partner.
func (s *Service) ImportActivities(ctx context.Context, emergencyID, org string, r io.Reader) (ImportResult, error) {
	actor := core.ActorFrom(ctx)
	if err := access.Check(actor, access.HumWrite, access.Resource{}); err != nil {
		return ImportResult{}, err
	}
	e, err := s.Emergency(ctx, emergencyID)
	if err != nil {
		return ImportResult{}, err
	}
	o, ok := writerOrg(actor, org)
	if !ok {
		return ImportResult{}, core.Problems{"org": "err.org_unknown"}.Err("humanitarian: import activities")
	}
	list, problems := s.parseThreeW(r, e, o, Writable(actor))
	if len(problems) > 0 {
		return ImportResult{Problems: problems}, errImportRefused()
	}
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		batch := make([]Activity, len(list))
		for i := range list {
			s.stamp(tx, &list[i].a, e, list[i].org)
			batch[i] = list[i].a
		}
		if err := insertActivities(ctx, tx, batch); err != nil {
			return err
		}
		return audit.Record(ctx, tx, "humanitarian.activity.import", "hum_emergency", e.ID, o.ID, strconv.Itoa(len(list)))
	})
	if err != nil {
		return ImportResult{}, err
	}
	return ImportResult{Imported: len(list), Problems: []ImportProblem{}}, nil
}

type ownedActivity struct {
	a   Activity
	org core.OrgRef
}

// parseThreeW reads and checks every row without writing anything.
func (s *Service) parseThreeW(r io.Reader, e Emergency, def core.OrgRef, writable []core.OrgRef) ([]ownedActivity, []ImportProblem) {
	d, err := hxl.Read(r, hxl.Options{MaxBytes: ImportMaxBytes, MaxRows: ImportMaxRows, MaxProblems: maxProblems})
	if err != nil {
		var p *hxl.Problem
		if errors.As(err, &p) {
			return nil, []ImportProblem{{Row: p.Row, Column: p.Column, Code: hxlKey(p.Code)}}
		}
		return nil, []ImportProblem{{Code: "err.hum_3w_hxl_bad_csv"}}
	}
	var problems []ImportProblem
	for _, need := range []string{"#sector", "#activity"} {
		if !d.Has(hxl.MustPattern(need)) {
			problems = append(problems, ImportProblem{Code: "err.hum_3w_missing_column", Tag: need})
		}
	}
	if !d.Has(hxl.MustPattern("#adm1")) && !d.Has(hxl.MustPattern("#adm2")) && !d.Has(hxl.MustPattern("#adm3")) {
		problems = append(problems, ImportProblem{Code: "err.hum_3w_missing_column", Tag: "#adm1"})
	}
	if len(problems) > 0 {
		return nil, problems
	}
	reported := map[[2]int]bool{}
	for _, p := range d.Problems {
		if p.Code == hxl.CodeBadTag {
			continue // an untagged column is ignored, as HXL says
		}
		reported[[2]int{p.Row, p.Column}] = true
		problems = append(problems, ImportProblem{Row: p.Row, Column: p.Column, Tag: p.Tag, Code: hxlKey(p.Code), Value: p.Value})
	}
	cm := newColumnMap(d)
	out := make([]ownedActivity, 0, len(d.Rows))
	for _, row := range d.Rows {
		if len(problems) >= maxProblems {
			break
		}
		a, org, fields, placeName := cm.activity(row, def, writable)
		pr := a.Validate(s.places, e)
		if pr["place"] == "" && placeName != "" && !s.places.Names(a.PCode, placeName) {
			pr.Add("place", "err.hum_3w_place_mismatch")
		}
		for field, key := range pr {
			col := fields[field]
			if reported[[2]int{row.Number, col}] {
				continue
			}
			ip := ImportProblem{Row: row.Number, Column: col, Code: strings.Fields(key)[0]}
			if col > 0 {
				ip.Tag, ip.Value = d.Columns[col-1].Spec(), cellValue(row, col)
			}
			problems = append(problems, ip)
		}
		out = append(out, ownedActivity{a: a, org: org})
	}
	slices.SortStableFunc(problems, func(a, b ImportProblem) int {
		if a.Row != b.Row {
			return a.Row - b.Row
		}
		return a.Column - b.Column
	})
	return out, problems
}

func cellValue(row hxl.Row, col int) string {
	v := row.Values[col-1]
	if r := []rune(v); len(r) > 80 {
		v = string(r[:80]) + "…"
	}
	return v
}

// hxlKey is the message key of an hxl problem code.
func hxlKey(code string) string {
	if k, ok := hxlKeys[code]; ok {
		return k
	}
	return "err.hum_3w_hxl_bad_csv"
}

// hxlKeys names each problem of the hxl package by its message key, in
// full, so that every key a page may show is written where a reader (and
// the catalogues' test) can find it.
var hxlKeys = map[string]string{
	hxl.CodeNoHashtagRow:   "err.hum_3w_hxl_no_hashtag_row",
	hxl.CodeBadTag:         "err.hum_3w_hxl_bad_tag",
	hxl.CodeBadPattern:     "err.hum_3w_hxl_bad_pattern",
	hxl.CodeBadCSV:         "err.hum_3w_hxl_bad_csv",
	hxl.CodeBadNumber:      "err.hum_3w_hxl_bad_number",
	hxl.CodeBadCount:       "err.hum_3w_hxl_bad_count",
	hxl.CodeBadDate:        "err.hum_3w_hxl_bad_date",
	hxl.CodeBadLatitude:    "err.hum_3w_hxl_bad_latitude",
	hxl.CodeBadLongitude:   "err.hum_3w_hxl_bad_longitude",
	hxl.CodeTooLarge:       "err.hum_3w_hxl_too_large",
	hxl.CodeTooManyRows:    "err.hum_3w_hxl_too_many_rows",
	hxl.CodeTooManyColumns: "err.hum_3w_hxl_too_many_columns",
	hxl.CodeColumnCount:    "err.hum_3w_hxl_column_count",
}
