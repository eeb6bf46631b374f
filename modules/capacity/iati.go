package capacity

import (
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"time"
)

// IATI activity XML, version 2.03 of the aid-transparency standard. The
// codes are IATI's codelists: ActivityStatus, ActivityDateType,
// OrganisationRole, SectorVocabulary, BudgetType and BudgetStatus.

type iatiActivities struct {
	XMLName   xml.Name       `xml:"iati-activities"`
	Version   string         `xml:"version,attr"`
	Generated string         `xml:"generated-datetime,attr"`
	Activity  []iatiActivity `xml:"iati-activity"`
}

type iatiNarrative struct {
	Lang string `xml:"xml:lang,attr,omitempty"`
	Text string `xml:",chardata"`
}

type iatiText struct {
	Narrative []iatiNarrative `xml:"narrative"`
}

type iatiDescription struct {
	Type      string          `xml:"type,attr"`
	Narrative []iatiNarrative `xml:"narrative"`
}

type iatiOrg struct {
	Ref       string          `xml:"ref,attr,omitempty"`
	Type      string          `xml:"type,attr,omitempty"`
	Role      string          `xml:"role,attr,omitempty"`
	Narrative []iatiNarrative `xml:"narrative"`
}

type iatiCode struct {
	Code string `xml:"code,attr"`
}

type iatiDate struct {
	Type string `xml:"type,attr"`
	Date string `xml:"iso-date,attr"`
}

type iatiCountry struct {
	Code       string `xml:"code,attr"`
	Percentage string `xml:"percentage,attr"`
}

type iatiSector struct {
	Vocabulary    string          `xml:"vocabulary,attr"`
	VocabularyURI string          `xml:"vocabulary-uri,attr,omitempty"`
	Code          string          `xml:"code,attr"`
	Percentage    string          `xml:"percentage,attr,omitempty"`
	Narrative     []iatiNarrative `xml:"narrative"`
}

type iatiISODate struct {
	Date string `xml:"iso-date,attr"`
}

type iatiValue struct {
	Currency  string `xml:"currency,attr,omitempty"`
	ValueDate string `xml:"value-date,attr"`
	Amount    int64  `xml:",chardata"`
}

type iatiBudget struct {
	Type   string      `xml:"type,attr"`
	Status string      `xml:"status,attr"`
	Start  iatiISODate `xml:"period-start"`
	End    iatiISODate `xml:"period-end"`
	Value  iatiValue   `xml:"value"`
}

type iatiContact struct {
	Type         string    `xml:"type,attr"`
	Organisation *iatiText `xml:"organisation,omitempty"`
	PersonName   *iatiText `xml:"person-name,omitempty"`
	Email        string    `xml:"email,omitempty"`
}

type iatiActivity struct {
	Updated         string            `xml:"last-updated-datetime,attr"`
	Lang            string            `xml:"xml:lang,attr"`
	DefaultCurrency string            `xml:"default-currency,attr,omitempty"`
	Identifier      string            `xml:"iati-identifier"`
	Reporting       iatiOrg           `xml:"reporting-org"`
	Title           iatiText          `xml:"title"`
	Description     []iatiDescription `xml:"description"`
	Participating   []iatiOrg         `xml:"participating-org"`
	Status          iatiCode          `xml:"activity-status"`
	Dates           []iatiDate        `xml:"activity-date"`
	Contact         []iatiContact     `xml:"contact-info"`
	Countries       []iatiCountry     `xml:"recipient-country"`
	Sectors         []iatiSector      `xml:"sector"`
	Budgets         []iatiBudget      `xml:"budget"`
}

// iatiStatus maps a status to IATI's ActivityStatus code: 1 pipeline, 2
// implementation, 4 closed, 5 cancelled.
var iatiStatus = map[Status]string{Planned: "1", Ongoing: "2", Completed: "4", Cancelled: "5"}

// ThemesURI is where the GFCE themes' codes are described, for IATI's
// reporting-organisation sector vocabulary (99), which needs a URI.
const ThemesURI = "https://thegfce.org/global-cyber-expertise-agenda/"

// Reporter is the organisation that publishes the activities. Ref is its
// IATI organisation identifier (its address when it has none); Type is
// IATI's OrganisationType code (10 government, 40 multilateral, 21 NGO…).
type Reporter struct {
	Ref  string
	Type string
	Name string
}

// WriteIATI writes projects as an iati-activities 2.03 document, its
// English narratives only (the projects are written in one language).
// now is the document's generated-datetime.
func WriteIATI(w io.Writer, rep Reporter, projects []Project, now time.Time) error {
	doc := iatiActivities{Version: "2.03", Generated: now.UTC().Format(time.RFC3339)}
	for _, p := range projects {
		doc.Activity = append(doc.Activity, iatiFrom(rep, p))
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", " ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("capacity: iati: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func narr(s string) []iatiNarrative { return []iatiNarrative{{Text: s}} }

func iatiFrom(rep Reporter, p Project) iatiActivity {
	ref := rep.Ref
	if ref == "" {
		ref = p.Owner
	}
	typ := rep.Type
	if typ == "" {
		typ = "10"
	}
	name := rep.Name
	if name == "" {
		name = p.Owner
	}
	act := iatiActivity{Updated: p.UpdatedAt.UTC().Format(time.RFC3339), Lang: "en", DefaultCurrency: p.Currency,
		Identifier: ref + "-" + p.ID, Reporting: iatiOrg{Ref: ref, Type: typ, Narrative: narr(name)},
		Title: iatiText{Narrative: narr(p.Title)}, Status: iatiCode{Code: iatiStatus[p.Status]}}
	summary := p.Summary
	if summary == "" {
		summary = p.Title // IATI requires a description with a narrative
	}
	act.Description = []iatiDescription{{Type: "1", Narrative: narr(summary)}}
	if len(p.Outputs) > 0 {
		// Description type 2 is the activity's objectives.
		for _, o := range p.Outputs {
			act.Description = append(act.Description, iatiDescription{Type: "2", Narrative: narr(o)})
		}
	}
	for _, f := range p.Funders {
		act.Participating = append(act.Participating, iatiOrg{Role: "1", Narrative: narr(f)})
	}
	for _, im := range p.Implementers {
		act.Participating = append(act.Participating, iatiOrg{Role: "4", Narrative: narr(im)})
	}
	if len(act.Participating) == 0 {
		// The schema asks for at least one; the reporter then implements.
		act.Participating = []iatiOrg{{Ref: ref, Role: "4", Narrative: narr(name)}}
	}
	act.Dates = iatiDates(p)
	if p.Contact != "" {
		c := iatiContact{Type: "1"}
		if validEmail(p.Contact) {
			c.Email = p.Contact
		} else {
			c.PersonName = &iatiText{Narrative: narr(p.Contact)}
		}
		act.Contact = []iatiContact{c}
	}
	for i, pc := range shares(len(p.Countries)) {
		act.Countries = append(act.Countries, iatiCountry{Code: p.Countries[i], Percentage: pc})
	}
	// Two vocabularies, each summing to 100: the OECD DAC purpose codes
	// that IATI readers classify by, and the GFCE themes as the reporting
	// organisation's own (99).
	var dac []string
	for _, t := range p.Themes {
		if th, ok := Themes.Theme(t); ok && !slices.Contains(dac, th.DAC) {
			dac = append(dac, th.DAC)
		}
	}
	for i, pc := range shares(len(dac)) {
		act.Sectors = append(act.Sectors, iatiSector{Vocabulary: "1", Code: dac[i], Percentage: pc})
	}
	for i, pc := range shares(len(p.Themes)) {
		act.Sectors = append(act.Sectors, iatiSector{Vocabulary: "99", VocabularyURI: ThemesURI, Code: p.Themes[i], Percentage: pc,
			Narrative: narr(Themes.ThemeName(p.Themes[i], "en"))})
	}
	if p.Budget > 0 && p.Start != "" && p.End != "" {
		// One original budget (type 1), indicative (status 1), over the
		// project's whole span.
		act.Budgets = []iatiBudget{{Type: "1", Status: "1", Start: iatiISODate{p.Start}, End: iatiISODate{p.End},
			Value: iatiValue{Currency: p.Currency, ValueDate: p.Start, Amount: p.Budget}}}
	}
	return act
}

// iatiDates gives the start and end as planned (1, 3) or actual (2, 4)
// dates by the status; the schema needs one date at least, so a project
// without dates reports the day it was recorded as its planned start.
func iatiDates(p Project) []iatiDate {
	var out []iatiDate
	if p.Start != "" {
		t := "1"
		if p.Status == Ongoing || p.Status == Completed {
			t = "2"
		}
		out = append(out, iatiDate{Type: t, Date: p.Start})
	}
	if p.End != "" {
		t := "3"
		if p.Status == Completed {
			t = "4"
		}
		out = append(out, iatiDate{Type: t, Date: p.End})
	}
	if len(out) == 0 {
		out = []iatiDate{{Type: "1", Date: p.CreatedAt.UTC().Format(time.DateOnly)}}
	}
	return out
}

// shares splits 100 among n as whole percentages that add up to 100 (the
// first ones take the remainder).
func shares(n int) []string {
	out := make([]string, n)
	for i := range out {
		v := 100 / n
		if i < 100%n {
			v++
		}
		out[i] = fmt.Sprint(v)
	}
	return out
}

func validEmail(s string) bool {
	at := 0
	for i, c := range s {
		if c == '@' {
			at = i
		}
		if c == ' ' {
			return false
		}
	}
	return at > 0 && at < len(s)-1
}
