package economy

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"entente.example/entente/internal/names"
)

// Fact is where a fact comes from and whether anyone checked it there.
// Shipped facts we could not check are unverified, and the pages say so.
type Fact struct {
	Source   string `json:"source"`
	Verified bool   `json:"verified"`
	Note     string `json:"note,omitempty"`
	// ConfirmedBy and ConfirmedAt say who checked the fact against Source
	// and when: set only by ConfirmFact, so "verified" always has a
	// person and a day behind it on this node.
	ConfirmedBy string     `json:"confirmed_by,omitempty"`
	ConfirmedAt *time.Time `json:"confirmed_at,omitempty"`
}

// Day is a date written as precisely as it is known: "2020", "2020-06" or
// "2020-06-12". A treaty's date copied without its day must not gain one.
type Day string

// Valid reports whether the day is a year, a month or a calendar day.
func (d Day) Valid() bool {
	s := string(d)
	ok := func(layout string) bool {
		if len(s) != len(layout) {
			return false
		}
		for i, c := range layout {
			if c == '9' && (s[i] < '0' || s[i] > '9') || c == '-' && s[i] != '-' {
				return false
			}
		}
		return true
	}
	switch {
	case ok("9999"):
		return true
	case ok("9999-99"):
		return s[5:7] >= "01" && s[5:7] <= "12"
	case ok("9999-99-99"):
		return s[5:7] >= "01" && s[5:7] <= "12" && s[8:10] >= "01" && s[8:10] <= "31"
	}
	return false
}

// Party statuses, in the order a state passes through them.
const (
	StatusNegotiating = "negotiating"
	StatusSigned      = "signed"
	StatusInForce     = "in_force"
	StatusAcceded     = "acceded"
	StatusWithdrawn   = "withdrawn"
)

// PartyStatuses lists the statuses a party may have.
var PartyStatuses = []string{StatusNegotiating, StatusSigned, StatusInForce, StatusAcceded, StatusWithdrawn}

// Step is one change of a party's status, from a day.
type Step struct {
	Status string `json:"status"`
	On     Day    `json:"on"`
	Fact
}

// Party is a state in an agreement, with its status over time (oldest
// first).
type Party struct {
	Country string `json:"country"`
	History []Step `json:"history"`
}

// Now is the party's latest status.
func (p Party) Now() Step {
	if len(p.History) == 0 {
		return Step{}
	}
	return p.History[len(p.History)-1]
}

// Part is a module of an agreement (DEPA's sixteen modules, a chapter).
type Part struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	TitleID string `json:"title_id,omitempty"` // in Bahasa Indonesia
}

// Name returns the module's title in lang (English when it has none
// there).
func (p Part) Name(lang string) string { return inLang(lang, p.Title, p.TitleID) }

// Label is how a page heads the module: "4. Data issues" where modules
// are numbered (DEPA's), the title alone where their ids are words.
func (p Part) Label(lang string) string {
	if _, err := strconv.Atoi(p.ID); err == nil {
		return p.ID + ". " + p.Name(lang)
	}
	return p.Name(lang)
}

func inLang(lang, en, id string) string {
	if lang == "id" && id != "" {
		return id
	}
	return en
}

// Provision is one rule of an agreement, summarised in our own words;
// Topic (see Topics) is what the tracker compares agreements by.
type Provision struct {
	ID      string `json:"id"`
	Module  string `json:"module"`
	Topic   string `json:"topic,omitempty"`
	Title   string `json:"title"`
	TitleID string `json:"title_id,omitempty"` // in Bahasa Indonesia
	Summary string `json:"summary"`
	// SummaryID is the summary in Bahasa Indonesia, in our own words too.
	SummaryID string `json:"summary_id,omitempty"`
	Fact
}

// Text returns the provision's summary in lang (English when it has none
// there).
func (p Provision) Text(lang string) string { return inLang(lang, p.Summary, p.SummaryID) }

// Name returns the provision's title in lang (English when it has none
// there).
func (p Provision) Name(lang string) string { return inLang(lang, p.Title, p.TitleID) }

// Topics are the themes the tracker compares agreements on; each is a
// catalogue key "eco.topic.<topic>".
var Topics = []string{"paperless_trading", "e_invoicing", "e_payments", "data_flows", "personal_data", "digital_identity", "consumer_protection", "customs_duties", "cybersecurity", "smes"}

// Agreement kinds.
var Kinds = []string{"plurilateral", "regional", "bilateral"}

// Agreement is a digital-economy agreement: shipped, or added on this
// node (Local) by an organisation (OrgID) or the node administrator.
type Agreement struct {
	ID         string      `json:"id"`
	NameEN     string      `json:"name_en"`
	NameID     string      `json:"name_id"`
	Short      string      `json:"short"`
	Kind       string      `json:"kind"`
	Source     string      `json:"source"`
	Note       string      `json:"note,omitempty"`
	Partial    bool        `json:"partial,omitempty"` // the parties listed are some of them
	Modules    []Part      `json:"modules"`
	Provisions []Provision `json:"provisions"`
	Parties    []Party     `json:"parties"`
	Local      bool        `json:"local,omitempty"`
	OrgID      string      `json:"org_id,omitempty"`
	// Corrected says this node changed a shipped agreement's facts.
	Corrected bool `json:"corrected,omitempty"`
}

// Name returns the agreement's name in lang.
func (a Agreement) Name(lang string) string { return inLang(lang, a.NameEN, a.NameID) }

// clone copies the agreement deeply: the shipped agreements are shared by
// every request, and a confirmation changes its copy's facts in place.
func (a Agreement) clone() Agreement {
	a.Modules = slices.Clone(a.Modules)
	a.Provisions = slices.Clone(a.Provisions)
	a.Parties = slices.Clone(a.Parties)
	for i := range a.Parties {
		a.Parties[i].History = slices.Clone(a.Parties[i].History)
	}
	return a
}

// Provision returns the agreement's provision with the id.
func (a Agreement) Provision(id string) (Provision, bool) {
	for _, p := range a.Provisions {
		if p.ID == id {
			return p, true
		}
	}
	return Provision{}, false
}

// Party returns the country's place in the agreement.
func (a Agreement) Party(country string) (Party, bool) {
	for _, p := range a.Parties {
		if p.Country == country {
			return p, true
		}
	}
	return Party{}, false
}

// Unverified counts the agreement's facts nobody verified.
func (a Agreement) Unverified() int {
	n := 0
	for _, p := range a.Provisions {
		if !p.Verified {
			n++
		}
	}
	for _, p := range a.Parties {
		for _, s := range p.History {
			if !s.Verified {
				n++
			}
		}
	}
	return n
}

// Validate checks an agreement, naming the first thing wrong by its
// field: known kind and statuses, real countries, http(s) sources, no id
// twice, each party's history in date order.
func (a Agreement) Validate() error {
	bad := func(field, key, format string, args ...any) error {
		return &FieldError{Field: field, Key: key, Msg: fmt.Sprintf("agreement %q: ", a.ID) + fmt.Sprintf(format, args...)}
	}
	if !validID(a.ID) {
		return bad("id", "err.eco_id", "id must be 1–40 lower-case letters, digits and _")
	}
	if strings.TrimSpace(a.NameEN) == "" {
		return bad("name_en", "err.required", "no English name")
	}
	if !slices.Contains(Kinds, a.Kind) {
		return bad("kind", "err.choice", "unknown kind %q", a.Kind)
	}
	if err := checkSource(a.Source); err != nil {
		return bad("source", "err.url", "%v", err)
	}
	mods := map[string]bool{}
	for _, m := range a.Modules {
		if m.ID == "" || mods[m.ID] || m.Title == "" {
			return bad("modules", "err.eco_modules", "module %q without an id or title, or twice", m.ID)
		}
		mods[m.ID] = true
	}
	seen := map[string]bool{}
	for _, p := range a.Provisions {
		switch {
		case p.ID == "" || len(p.ID) > 60 || seen[p.ID]:
			return bad("provisions", "err.eco_provision_id", "provision %q without an id, or twice", p.ID)
		case !mods[p.Module]:
			return bad("provisions", "err.eco_provision_module", "provision %s: unknown module %q", p.ID, p.Module)
		case p.Topic != "" && !slices.Contains(Topics, p.Topic):
			return bad("provisions", "err.eco_topic", "provision %s: unknown topic %q", p.ID, p.Topic)
		case p.Title == "":
			return bad("provisions", "err.eco_provision_title", "provision %s has no title", p.ID)
		}
		seen[p.ID] = true
		if err := checkSource(p.Source); err != nil {
			return bad("provisions", "err.url", "provision %s: %v", p.ID, err)
		}
	}
	countries := map[string]bool{}
	for _, p := range a.Parties {
		if !names.ValidCountry(p.Country) {
			return bad("parties", "err.eco_country", "party %q is not an ISO 3166-1 alpha-2 country", p.Country)
		}
		if countries[p.Country] {
			return bad("parties", "err.eco_party_twice", "party %s twice", p.Country)
		}
		countries[p.Country] = true
		if len(p.History) == 0 {
			return bad("parties", "err.eco_party_history", "party %s has no status", p.Country)
		}
		for i, s := range p.History {
			if !slices.Contains(PartyStatuses, s.Status) {
				return bad("parties", "err.eco_party_status", "party %s: unknown status %q", p.Country, s.Status)
			}
			if !s.On.Valid() {
				return bad("parties", "err.eco_day", "party %s: %q is not a date (2020, 2020-06 or 2020-06-12)", p.Country, s.On)
			}
			// "2021" sorts before "2021-01": a coarser date is the start
			// of its period, which keeps the order a day-by-day one.
			if i > 0 && s.On < p.History[i-1].On {
				return bad("parties", "err.eco_history_order", "party %s: status %s on %s is before the one it follows", p.Country, s.Status, s.On)
			}
			if err := checkSource(s.Source); err != nil {
				return bad("parties", "err.url", "party %s: %v", p.Country, err)
			}
		}
	}
	return nil
}

// FieldError is a problem with one field of an agreement: Key says what
// in the catalogue's words (what the API answers), Msg names the provision
// or party at fault in the validator's (what the page shows beside it).
type FieldError struct{ Field, Key, Msg string }

func (e *FieldError) Error() string { return e.Msg }

func validID(s string) bool {
	if s == "" || len(s) > 40 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// checkSource wants an absolute http(s) URL: pages show it as a link, and
// a javascript: or relative one must never get there.
func checkSource(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("source %q is not an http(s) URL", s)
	}
	return nil
}

//go:embed agreements.json
var agreementsJSON []byte

// Shipped returns the agreements Entente ships, checked. The file is
// embedded, so an error is a bad build: a test loads it.
func Shipped() ([]Agreement, error) { return DecodeAgreements(agreementsJSON) }

// DecodeAgreements reads a file of agreements ({"agreements": [...]}),
// refusing unknown fields (a misspelt field would silently drop a fact)
// and checking each agreement.
func DecodeAgreements(b []byte) ([]Agreement, error) {
	var file struct {
		Note       string      `json:"note"`
		Agreements []Agreement `json:"agreements"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&file); err != nil {
		return nil, fmt.Errorf("economy: agreements: %w", err)
	}
	ids := map[string]bool{}
	for _, a := range file.Agreements {
		if err := a.Validate(); err != nil {
			return nil, err
		}
		if ids[a.ID] {
			return nil, fmt.Errorf("economy: agreement %q twice", a.ID)
		}
		ids[a.ID] = true
	}
	return file.Agreements, nil
}

// decodeAgreement reads one agreement as a person or program sent it.
func decodeAgreement(b []byte) (Agreement, error) {
	var a Agreement
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		return a, &FieldError{Field: "agreement", Key: "err.json", Msg: err.Error()}
	}
	return a, a.Validate()
}
