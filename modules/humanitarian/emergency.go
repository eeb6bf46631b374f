package humanitarian

import (
	"slices"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/names"
)

// Kinds of emergency, as GLIDE names hazards (its two-letter codes in
// comments): the ones the region meets.
var Kinds = []string{
	"earthquake", // EQ
	"tsunami",    // TS
	"flood",      // FL
	"landslide",  // LS
	"volcano",    // VO
	"cyclone",    // TC
	"fire",       // WF
	"drought",    // DR
	"epidemic",   // EP
	"conflict",   // OT (complex emergency)
	"other",
}

// Emergency statuses.
const (
	StatusActive = "active"
	StatusClosed = "closed"
)

// Languages the public pages of an emergency may be written in. The node's
// pages are in English and Bahasa Indonesia; an emergency's information for
// the people affected is in the languages it names, of these.
var Languages = []string{"id", "en"}

// Emergency is a disaster or crisis that reports, activities, appeals and
// public information belong to. Its lead organisation is on this node; its
// coordinators (the lead and the organisations named) verify reports.
type Emergency struct {
	ID        string   `json:"id"`
	OrgID     string   `json:"-"`
	Lead      string   `json:"lead"` // the lead organisation's address, handle@host
	Title     string   `json:"title"`
	Kind      string   `json:"kind"`
	Glide     string   `json:"glide,omitempty"` // GLIDE number, such as EQ-2018-000156-IDN
	Country   string   `json:"country"`         // ISO 3166-1 alpha-2
	Areas     []string `json:"areas"`           // P-codes of the affected areas
	Box       Box      `json:"box"`             // what the map frames
	StartedOn string   `json:"started_on"`
	EndedOn   string   `json:"ended_on,omitempty"`
	Languages []string `json:"languages"`
	Summary   string   `json:"summary,omitempty"`
	Status    string   `json:"status"`
	// Coordinators are the ids of the organisations on this node that
	// verify reports besides the lead.
	Coordinators []string  `json:"-"`
	SMSNumber    string    `json:"sms_number,omitempty"` // the number people text reports to
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Box is a longitude and latitude box in degrees.
type Box struct {
	West  float64 `json:"west"`
	South float64 `json:"south"`
	East  float64 `json:"east"`
	North float64 `json:"north"`
}

// Contains reports whether the position is inside the box.
func (b Box) Contains(lat, lon float64) bool {
	return lat >= b.South && lat <= b.North && lon >= b.West && lon <= b.East
}

// CoordinatorOrgs are the organisations on this node that coordinate the
// emergency: its lead and those it names.
func (e Emergency) CoordinatorOrgs() []string {
	return append([]string{e.OrgID}, e.Coordinators...)
}

// Open reports whether the emergency still takes reports.
func (e Emergency) Open() bool { return e.Status == StatusActive }

const (
	maxTitle   = 200
	maxText    = 4000
	maxEntries = 50
)

// text checks a free-text field: valid text, within max runes, and present
// when required.
func text(pr core.Problems, field, s string, max int, required bool) {
	if p := core.CheckText(s); p != "" {
		pr.Add(field, p)
		return
	}
	if required && strings.TrimSpace(s) == "" {
		pr.Add(field, "err.required")
		return
	}
	if len([]rune(s)) > max {
		pr.Add(field, "err.too_long")
	}
}

func validDate(s string) bool {
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}

// Normalize trims what a form sends.
func (e *Emergency) Normalize() {
	e.Title, e.Summary, e.Glide = strings.TrimSpace(e.Title), strings.TrimSpace(e.Summary), strings.ToUpper(strings.TrimSpace(e.Glide))
	e.Country = strings.ToUpper(strings.TrimSpace(e.Country))
	e.SMSNumber = strings.TrimSpace(e.SMSNumber)
	if e.Status == "" {
		e.Status = StatusActive
	}
	var areas []string
	for _, a := range e.Areas {
		if a = strings.ToUpper(strings.TrimSpace(a)); a != "" && !slices.Contains(areas, a) {
			areas = append(areas, a)
		}
	}
	e.Areas = areas
	if e.Languages == nil {
		e.Languages = []string{}
	}
}

// Validate checks an emergency and frames its map on its areas when no box
// is given.
func (e *Emergency) Validate(g *Gazetteer) core.Problems {
	e.Normalize()
	pr := core.Problems{}
	text(pr, "title", e.Title, maxTitle, true)
	text(pr, "summary", e.Summary, maxText, false)
	text(pr, "sms_number", e.SMSNumber, 40, false)
	if !slices.Contains(Kinds, e.Kind) {
		pr.Add("kind", "err.hum_kind")
	}
	if !names.ValidCountry(e.Country) {
		pr.Add("country", "err.country")
	}
	if e.Glide != "" && !validGlide(e.Glide) {
		pr.Add("glide", "err.hum_glide")
	}
	switch {
	case strings.TrimSpace(e.StartedOn) == "":
		pr.Add("started_on", "err.required")
	case !validDate(e.StartedOn):
		pr.Add("started_on", "err.date")
	}
	if e.SMSNumber != "" && strings.Trim(e.SMSNumber, "+0123456789 -().") != "" {
		pr.Add("sms_number", "err.hum_phone")
	}
	if e.EndedOn != "" && (!validDate(e.EndedOn) || e.EndedOn < e.StartedOn) {
		pr.Add("ended_on", "err.hum_end_date")
	}
	if e.Status != StatusActive && e.Status != StatusClosed {
		pr.Add("status", "err.hum_status")
	}
	if len(e.Languages) == 0 {
		pr.Add("languages", "err.required")
	}
	for _, l := range e.Languages {
		if !slices.Contains(Languages, l) {
			pr.AddEntry("languages", "err.hum_language", l)
		}
	}
	if len(e.Areas) > maxEntries {
		pr.Add("areas", "err.too_many")
	}
	// Every unknown code is named at once, and an area of another country
	// than the emergency's is refused: a P-code starts with its country.
	var box Box
	var unknown, foreign []string
	for _, a := range e.Areas {
		p, ok := g.Get(a)
		switch {
		case !ok:
			unknown = append(unknown, a)
			continue
		case !strings.HasPrefix(p.PCode, e.Country):
			foreign = append(foreign, a)
		}
		if box == (Box{}) {
			box = p.Box()
		} else {
			box = box.Union(p.Box())
		}
	}
	if len(unknown) > 0 {
		pr.AddEntry("areas", "err.hum_pcode", strings.Join(unknown, ", "))
	} else if len(foreign) > 0 {
		pr.AddEntry("areas", "err.hum_area_country", strings.Join(foreign, ", "))
	}
	if e.Box == (Box{}) {
		e.Box = box
	}
	if e.Box == (Box{}) && pr["areas"] == "" {
		pr.Add("areas", "err.required")
	}
	if b := e.Box; b.West < -180 || b.East > 180 || b.South < -90 || b.North > 90 || b.West >= b.East || b.South >= b.North {
		pr.Add("areas", "err.hum_box")
	}
	return pr
}

// Union is the smallest box holding both.
func (b Box) Union(o Box) Box {
	return Box{West: min(b.West, o.West), South: min(b.South, o.South), East: max(b.East, o.East), North: max(b.North, o.North)}
}

// validGlide checks the shape of a GLIDE number: hazard code, year, six
// digits and the ISO 3166-1 alpha-3 country, such as EQ-2018-000156-IDN.
func validGlide(s string) bool {
	p := strings.Split(s, "-")
	if len(p) != 4 || len(p[0]) != 2 || len(p[1]) != 4 || len(p[2]) != 6 || len(p[3]) != 3 {
		return false
	}
	for _, part := range p {
		for _, r := range part {
			if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
				return false
			}
		}
	}
	return true
}
