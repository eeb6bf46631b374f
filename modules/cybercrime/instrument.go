package cybercrime

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"time"

	"entente.example/entente/internal/names"
)

// Fact is where a fact comes from and whether anyone checked it there.
// Facts shipped without a source we could read are marked unverified and
// shown so until the node administrator confirms them.
type Fact struct {
	Source   string `json:"source"`
	Verified bool   `json:"verified"`
	Note     string `json:"note,omitempty"`
	// ConfirmedBy and ConfirmedAt say who on this node confirmed the fact
	// or entered it, and when; empty for facts as shipped.
	ConfirmedBy string    `json:"confirmed_by,omitempty"`
	ConfirmedAt time.Time `json:"confirmed_at,omitzero"`
	// Key names the fact for a confirmation: see FactKey.
	Key string `json:"-"`
}

// Date is a calendar day (a treaty binds a state from a day, not an
// instant); the zero Date is "none". It is written 2006-01-02.
type Date struct{ time.Time }

const dateLayout = "2006-01-02"

// ParseDate reads a day; the empty string is the zero Date.
func ParseDate(s string) (Date, error) {
	if s == "" {
		return Date{}, nil
	}
	t, err := time.Parse(dateLayout, s)
	return Date{t}, err
}

// String writes the day, or "" for the zero Date.
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.Format(dateLayout)
}

// MarshalJSON writes the day as a string.
func (d Date) MarshalJSON() ([]byte, error) { return json.Marshal(d.String()) }

// UnmarshalJSON reads a day written as a string.
func (d *Date) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	v, err := ParseDate(s)
	*d = v
	return err
}

// reached reports whether the day has begun at on (read in UTC: a request's
// date is its sending day in UTC, whatever the sender's zone).
func (d Date) reached(on time.Time) bool {
	return !d.IsZero() && !on.UTC().Before(d.Time)
}

// Status is whether an instrument is in force, and since when.
type Status struct {
	InForce bool `json:"in_force"`
	Since   Date `json:"since,omitzero"`
	Fact
}

// KindRule is one kind an instrument allows: the article, and where the
// article's refusal grounds differ from the kind's (Specs), the instrument's
// own: Grounds replaces them, GroundsAdd extends them.
type KindRule struct {
	Kind            Kind     `json:"kind"`
	Article         string   `json:"article"`
	Grounds         []string `json:"grounds,omitempty"`
	GroundsAdd      []string `json:"grounds_add,omitempty"`
	GroundsSource   string   `json:"grounds_source,omitempty"`
	GroundsVerified bool     `json:"grounds_verified,omitempty"`
	// Removed is a node's word that the instrument does not allow the kind
	// after all; it hides a shipped rule.
	Removed bool `json:"-"`
	Fact
}

// Party is a state's place in an instrument. Bound is the day the
// instrument entered into force for it; a signatory or a state that has
// ratified an instrument not yet in force has none.
type Party struct {
	Country  string `json:"country"`
	Signed   Date   `json:"signed,omitzero"`
	Ratified Date   `json:"ratified,omitzero"`
	Bound    Date   `json:"bound,omitzero"`
	Fact
}

// Reservation effects.
const (
	EffectRemoves   = "removes"   // the kind cannot be asked of (or by) the state
	EffectRestricts = "restricts" // it can, with a condition the page must say
)

// Reservation is a reservation or declaration of one state that changes what
// a request may ask, in force From (and Until, when withdrawn).
type Reservation struct {
	ID      string `json:"id"`
	Country string `json:"country"`
	Kinds   []Kind `json:"kinds"`
	Effect  string `json:"effect"`
	Text    string `json:"text"`
	From    Date   `json:"from,omitzero"`
	Until   Date   `json:"until,omitzero"`
	Fact
}

// applies reports whether the reservation is in effect on the day.
func (r Reservation) applies(on time.Time) bool {
	return (r.From.IsZero() || r.From.reached(on)) && (r.Until.IsZero() || !r.Until.reached(on))
}

// The 24/7 networks an instrument's urgent requests travel through.
const (
	NetworkBudapest = "budapest"
	NetworkUN       = "un"
	NetworkNone     = "none"
)

// Instrument is a legal basis for requests: a convention, a protocol, a
// treaty (shipped, or added by the node: a bilateral treaty), or no treaty
// at all (reciprocity, where AllStates says every state takes part).
type Instrument struct {
	ID           string        `json:"id"`
	NameEN       string        `json:"name_en"`
	NameID       string        `json:"name_id"`
	Short        string        `json:"short"`
	Source       string        `json:"source"`
	Network      string        `json:"network"`
	AllStates    bool          `json:"all_states,omitempty"`
	Status       Status        `json:"status"`
	Kinds        []KindRule    `json:"kinds"`
	Parties      []Party       `json:"parties,omitempty"`
	Reservations []Reservation `json:"reservations,omitempty"`
	// Local says the node added the instrument (a bilateral treaty).
	Local bool `json:"local,omitempty"`
}

// Name returns the instrument's name in lang.
func (in Instrument) Name(lang string) string {
	if lang == "id" && in.NameID != "" {
		return in.NameID
	}
	return in.NameEN
}

// Rule returns the instrument's rule for a kind, if it allows the kind.
func (in Instrument) Rule(k Kind) (KindRule, bool) {
	for _, r := range in.Kinds {
		if r.Kind == k && !r.Removed {
			return r, true
		}
	}
	return KindRule{}, false
}

// Party returns a state's place in the instrument, as listed. (Under
// AllStates every state takes part whether listed or not: see Bases.)
func (in Instrument) Party(country string) (Party, bool) {
	for _, p := range in.Parties {
		if p.Country == country {
			return p, true
		}
	}
	return Party{}, false
}

// InForceOn reports whether the instrument is in force on the day.
func (in Instrument) InForceOn(on time.Time) bool {
	return in.Status.InForce && (in.Status.Since.IsZero() || in.Status.Since.reached(on))
}

// Unverified lists the facts of the instrument no one has verified, for the
// page's "confirm" markers.
func (in Instrument) Unverified() []Fact {
	var out []Fact
	add := func(f Fact) {
		if !f.Verified {
			out = append(out, f)
		}
	}
	add(in.Status.Fact)
	for _, r := range in.Kinds {
		add(r.Fact)
	}
	for _, p := range in.Parties {
		add(p.Fact)
	}
	for _, r := range in.Reservations {
		add(r.Fact)
	}
	return out
}

// FactKey names one fact of an instrument, so that a confirmation can point
// at it: "status:budapest", "kind:un2024:preservation", "party:asean_mlat:ID",
// "reservation:cets224:jp-7-9-a".
func FactKey(what, instrument, item string) string {
	if item == "" {
		return what + ":" + instrument
	}
	return what + ":" + instrument + ":" + item
}

// keyFacts fills in every fact's Key.
func (in *Instrument) keyFacts() {
	in.Status.Key = FactKey("status", in.ID, "")
	for i := range in.Kinds {
		in.Kinds[i].Key = FactKey("kind", in.ID, string(in.Kinds[i].Kind))
	}
	for i := range in.Parties {
		in.Parties[i].Key = FactKey("party", in.ID, in.Parties[i].Country)
	}
	for i := range in.Reservations {
		in.Reservations[i].Key = FactKey("reservation", in.ID, in.Reservations[i].ID)
	}
}

// Validate checks an instrument: known kinds and effects, real countries,
// a source for every fact, http(s) sources, no party or kind twice.
func (in Instrument) Validate() error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("instrument %q: "+format, append([]any{in.ID}, args...)...)
	}
	if !validID(in.ID) {
		return bad("id must be lower-case letters, digits and _")
	}
	if in.NameEN == "" {
		return bad("no English name")
	}
	if !slices.Contains([]string{NetworkBudapest, NetworkUN, NetworkNone}, in.Network) {
		return bad("unknown network %q", in.Network)
	}
	if err := checkSource(in.Source); err != nil {
		return bad("source: %v", err)
	}
	if err := checkSource(in.Status.Source); err != nil {
		return bad("status source: %v", err)
	}
	seen := map[string]bool{}
	for _, r := range in.Kinds {
		if !r.Kind.Valid() {
			return bad("unknown kind %q", r.Kind)
		}
		if seen["k"+string(r.Kind)] {
			return bad("kind %s twice", r.Kind)
		}
		seen["k"+string(r.Kind)] = true
		if err := checkSource(r.Source); err != nil {
			return bad("kind %s: %v", r.Kind, err)
		}
	}
	for _, p := range in.Parties {
		if !ValidCountry(p.Country) {
			return bad("party %q is not an ISO 3166-1 alpha-2 country", p.Country)
		}
		if seen["p"+p.Country] {
			return bad("party %s twice", p.Country)
		}
		seen["p"+p.Country] = true
		if err := checkSource(p.Source); err != nil {
			return bad("party %s: %v", p.Country, err)
		}
	}
	for _, r := range in.Reservations {
		switch {
		case r.ID == "" || seen["r"+r.ID]:
			return bad("reservation without an id, or with one used twice (%q)", r.ID)
		case !ValidCountry(r.Country):
			return bad("reservation %s: %q is not an ISO 3166-1 alpha-2 country", r.ID, r.Country)
		case r.Effect != EffectRemoves && r.Effect != EffectRestricts:
			return bad("reservation %s: unknown effect %q", r.ID, r.Effect)
		case len(r.Kinds) == 0:
			return bad("reservation %s names no kind", r.ID)
		}
		seen["r"+r.ID] = true
		for _, k := range r.Kinds {
			if !k.Valid() {
				return bad("reservation %s: unknown kind %q", r.ID, k)
			}
		}
		if err := checkSource(r.Source); err != nil {
			return bad("reservation %s: %v", r.ID, err)
		}
	}
	return nil
}

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

// checkSource wants an absolute http(s) URL: the page shows it as a link,
// and a javascript: or relative one must never get there.
func checkSource(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("source %q is not an http(s) URL", s)
	}
	return nil
}

// ValidCountry reports whether code is an ISO 3166-1 alpha-2 country code.
// (The directory has the same check; a module does not import another.)
func ValidCountry(code string) bool { return names.ValidCountry(code) }

// CountryName names an ISO 3166-1 alpha-2 code in lang ("en" or "id").
func CountryName(code, lang string) string { return names.Country(code, lang) }

//go:embed instruments.json
var instrumentsJSON []byte

// Shipped returns the instruments Entente ships, checked. The file is
// embedded, so an error here is a bad build: callers panic at start-up
// (MustShipped) and a test loads it.
func Shipped() ([]Instrument, error) {
	return decodeInstruments(instrumentsJSON)
}

// MustShipped is Shipped for start-up, where a bad file must stop the node.
func MustShipped() []Instrument {
	ins, err := Shipped()
	if err != nil {
		panic("cybercrime: instruments.json: " + err.Error())
	}
	return ins
}

func decodeInstruments(b []byte) ([]Instrument, error) {
	var file struct {
		Instruments []Instrument `json:"instruments"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields() // a misspelt field would silently drop a fact
	if err := dec.Decode(&file); err != nil {
		return nil, err
	}
	ids := map[string]bool{}
	for i := range file.Instruments {
		in := &file.Instruments[i]
		if err := in.Validate(); err != nil {
			return nil, err
		}
		if ids[in.ID] {
			return nil, fmt.Errorf("instrument %q twice", in.ID)
		}
		ids[in.ID] = true
		in.keyFacts()
	}
	return file.Instruments, nil
}
