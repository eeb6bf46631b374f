package incidents

import (
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"entente.example/entente/core"
)

// The codebook's vocabularies, modelled on EuRepoC's. Each value is a
// catalogue key under inc.<vocabulary>.<value> in both languages.
var (
	// Types are what the operation did.
	Types = []string{"data_theft", "data_theft_doxing", "disruption", "hijacking_misuse", "hijacking_no_misuse", "ransomware", "espionage", "other"}
	// ReceiverCategories are what kind of target was hit.
	ReceiverCategories = []string{"state_institutions", "critical_infrastructure", "international_org", "social_groups", "end_users", "corporate", "media", "science", "unknown"}
	// Sectors are critical-infrastructure sectors, after the STIX industry
	// vocabulary.
	Sectors = []string{"energy", "water", "finance", "healthcare", "transportation", "telecommunications", "government-national", "government-local", "defense", "education", "food", "chemical", "manufacturing", "technology", "space", "other"}
	// InitiatorCategories are who is behind it, as far as known.
	InitiatorCategories = []string{"state", "state_affiliated", "non_state_political", "non_state_criminal", "individual", "unknown"}
	// Inclusion are the reasons an incident belongs in the record.
	Inclusion = []string{"political_target", "ci_target", "state_actor", "political_non_state", "non_political"}
	// Determinations and investigation states are the STIX Incident Core
	// Extension's (extension-definition--ef765651-680c-498d-9894-99799f2fa126),
	// so an incident exports to STIX without translation.
	Determinations = []string{"suspected", "successful-attempt", "failed-attempt", "blocked", "low-value", "false-positive"}
	Investigations = []string{"new", "open", "closed"}
	// Audiences say who beyond the TLP label may see an incident: the
	// organisation only, named organisations (here or on peers), a POC
	// network's members, or the public.
	Audiences = []string{AudienceOrg, AudienceNamed, AudienceNetwork, AudiencePublic}
)

// The audiences.
const (
	AudienceOrg     = "org"
	AudienceNamed   = "named"
	AudienceNetwork = "network"
	AudiencePublic  = "public"
)

// Receiver is one target of an incident.
type Receiver struct {
	Name     string `json:"name"`
	Country  string `json:"country"`  // ISO 3166-1 alpha-2
	Category string `json:"category"` // ReceiverCategories
	Sector   string `json:"sector,omitempty"`
}

// Initiator is who is behind an incident, as the record's owner codes it;
// attributions (who says so publicly) are separate.
type Initiator struct {
	Name     string `json:"name"`
	Country  string `json:"country,omitempty"`
	Category string `json:"category"` // InitiatorCategories
}

// Incident is one incident record. OriginID and Node identify it across
// nodes (the node that owns it); OrgID is the owning organisation on this
// node, empty for a copy from a peer.
type Incident struct {
	ID          string     `db:"id" json:"id"`
	OriginID    string     `db:"origin_id" json:"origin_id"`
	Node        string     `db:"node" json:"node"`
	OrgID       string     `db:"org_id" json:"-"`
	Owner       string     `db:"owner" json:"owner"` // handle@host of the owning organisation
	Name        string     `db:"name" json:"name"`
	Description string     `db:"description" json:"description"`
	Start       time.Time  `db:"start_at" json:"start"`
	End         *time.Time `db:"end_at" json:"end,omitempty"`
	// Coded fields, stored as JSON text.
	TypesJSON     string     `db:"types" json:"-"`
	ReceiversJSON string     `db:"receivers" json:"-"`
	InitiatorJSON string     `db:"initiator" json:"-"`
	InclusionJSON string     `db:"inclusion" json:"-"`
	SourcesJSON   string     `db:"sources" json:"-"`
	Types         []string   `db:"-" json:"types"`
	Receivers     []Receiver `db:"-" json:"receivers"`
	Initiator     Initiator  `db:"-" json:"initiator"`
	Inclusion     []string   `db:"-" json:"inclusion"`
	Sources       []string   `db:"-" json:"sources"`
	Impact        string     `db:"impact" json:"impact"`
	// Intensity is 0 (none) to 5 (severe), the record owner's judgement.
	Intensity     int    `db:"intensity" json:"intensity"`
	Determination string `db:"determination" json:"determination"`
	Investigation string `db:"investigation" json:"investigation"`
	// Criticality is 0–100, as in the STIX Incident Core Extension.
	Criticality int      `db:"criticality" json:"criticality"`
	TLP         core.TLP `db:"tlp" json:"tlp"`
	Audience    string   `db:"audience" json:"audience"`
	// AudienceRefs are the named organisations' addresses, or the
	// network's id, as JSON text.
	AudienceJSON string    `db:"audience_refs" json:"-"`
	AudienceRefs []string  `db:"-" json:"audience_refs,omitempty"`
	Version      int       `db:"version" json:"version"`
	CreatedAt    time.Time `db:"created_at" json:"created_at"`
	UpdatedAt    time.Time `db:"updated_at" json:"updated_at"`
	// Exercise marks an incident of an exercise: never counted in figures.
	Exercise bool `db:"exercise" json:"exercise"`

	Attributions []Attribution `db:"-" json:"attributions,omitempty"`
	Responses    []Response    `db:"-" json:"responses,omitempty"`
}

const incidentColumns = `id, origin_id, node, org_id, owner, name, description, start_at, end_at, types, receivers, initiator, inclusion, sources, impact,
	intensity, determination, investigation, criticality, tlp, audience, audience_refs, version, created_at, updated_at, exercise`

// Copy reports whether this is a peer's incident held here.
func (i Incident) Copy() bool { return i.OrgID == "" }

// Attribution is one actor's public attribution of an incident.
type Attribution struct {
	ID          string    `db:"id" json:"id"`
	IncidentID  string    `db:"incident_id" json:"-"`
	OriginID    string    `db:"origin_id" json:"origin_id"`
	By          string    `db:"by_name" json:"by"`              // who attributes
	ByCategory  string    `db:"by_category" json:"by_category"` // AttributorCategories
	ByCountry   string    `db:"by_country" json:"by_country,omitempty"`
	At          time.Time `db:"at" json:"at"`
	Basis       string    `db:"basis" json:"basis"` // AttributionBases
	To          string    `db:"to_name" json:"to"`  // the actor attributed
	ToCountry   string    `db:"to_country" json:"to_country,omitempty"`
	Confidence  string    `db:"confidence" json:"confidence"` // Confidences
	Note        string    `db:"note" json:"note,omitempty"`
	SourcesJSON string    `db:"sources" json:"-"`
	Sources     []string  `db:"-" json:"sources"`
}

// Response is a political or legal response to an incident.
type Response struct {
	ID          string    `db:"id" json:"id"`
	IncidentID  string    `db:"incident_id" json:"-"`
	OriginID    string    `db:"origin_id" json:"origin_id"`
	Kind        string    `db:"kind" json:"kind"` // ResponseKinds
	By          string    `db:"by_name" json:"by"`
	ByCountry   string    `db:"by_country" json:"by_country,omitempty"`
	At          time.Time `db:"at" json:"at"`
	Description string    `db:"description" json:"description"`
	SourcesJSON string    `db:"sources" json:"-"`
	Sources     []string  `db:"-" json:"sources"`
}

// Vocabularies of attributions and responses.
var (
	AttributorCategories = []string{"state", "industry", "third_party", "media"}
	AttributionBases     = []string{"technical", "intelligence", "political", "legal", "unclear"}
	Confidences          = []string{"low", "moderate", "high"}
	// ResponseKinds: the political ones first, then the legal ones.
	ResponseKinds = []string{"statement", "demarche", "expulsion", "sanctions", "countermeasures", "indictment", "arrest", "extradition", "other_legal"}
)

// Legal reports whether a response kind is a legal one.
func Legal(kind string) bool {
	return slices.Index(ResponseKinds, kind) >= slices.Index(ResponseKinds, "indictment")
}

// Limits.
const (
	maxName   = 300
	maxText   = 20000
	maxList   = 50
	maxSource = 2000
)

// Validate checks an incident as its owner writes it, and returns the
// problems by field as catalogue keys.
func (i *Incident) Validate() core.Problems {
	p := core.Problems{}
	i.Name, i.Description, i.Impact = strings.TrimSpace(i.Name), strings.TrimSpace(i.Description), strings.TrimSpace(i.Impact)
	switch {
	case i.Name == "":
		p.Add("name", "err.required")
	case utf8.RuneCountInString(i.Name) > maxName:
		p.Add("name", "err.too_long")
	}
	checkLine(p, "name", i.Name)
	checkLine(p, "initiator_name", i.Initiator.Name)
	if utf8.RuneCountInString(i.Description) > maxText {
		p.Add("description", "err.too_long")
	}
	if utf8.RuneCountInString(i.Impact) > maxText {
		p.Add("impact", "err.too_long")
	}
	if i.Start.IsZero() {
		p.Add("start", "err.required")
	}
	if i.End != nil && i.End.Before(i.Start) {
		p.Add("end", "err.inc_end_before_start")
	}
	checkDate(p, "start", i.Start)
	if i.End != nil {
		checkDate(p, "end", *i.End)
	}
	if len(i.Types) == 0 {
		p.Add("types", "err.required")
	}
	for _, t := range i.Types {
		if !slices.Contains(Types, t) {
			p.Add("types", "err.inc_vocab")
		}
	}
	if len(i.Receivers) == 0 {
		p.Add("receivers", "err.required")
	}
	if len(i.Receivers) > maxList || len(i.Sources) > maxList || len(i.Types) > maxList || len(i.Inclusion) > maxList {
		p.Add("receivers", "err.too_long")
	}
	for _, r := range i.Receivers {
		if r.Country != "" && !validCountry(r.Country) {
			p.Add("receivers", "err.country")
		}
		if !slices.Contains(ReceiverCategories, r.Category) || r.Sector != "" && !slices.Contains(Sectors, r.Sector) {
			p.Add("receivers", "err.inc_vocab")
		}
		if utf8.RuneCountInString(r.Name) > maxName {
			p.Add("receivers", "err.too_long")
		}
		checkLine(p, "receivers", r.Name)
	}
	if i.Initiator.Category == "" {
		i.Initiator.Category = "unknown"
	}
	if !slices.Contains(InitiatorCategories, i.Initiator.Category) {
		p.Add("initiator_category", "err.inc_vocab")
	}
	if i.Initiator.Country != "" && !validCountry(i.Initiator.Country) {
		p.Add("initiator_country", "err.country")
	}
	for _, c := range i.Inclusion {
		if !slices.Contains(Inclusion, c) {
			p.Add("inclusion", "err.inc_vocab")
		}
	}
	for _, s := range i.Sources {
		if !validSource(s) {
			p.Add("sources", "err.inc_source")
		}
	}
	if i.Intensity < 0 || i.Intensity > 5 {
		p.Add("intensity", "err.inc_range")
	}
	if i.Criticality < 0 || i.Criticality > 100 {
		p.Add("criticality", "err.inc_range")
	}
	if i.Determination == "" {
		i.Determination = "suspected"
	}
	if !slices.Contains(Determinations, i.Determination) {
		p.Add("determination", "err.inc_vocab")
	}
	if i.Investigation == "" {
		i.Investigation = "open"
	}
	if !slices.Contains(Investigations, i.Investigation) {
		p.Add("investigation", "err.inc_vocab")
	}
	if !i.TLP.Valid() {
		p.Add("tlp", "err.required")
	}
	if !slices.Contains(Audiences, i.Audience) {
		p.Add("audience", "err.required")
	}
	if (i.Audience == AudienceNamed || i.Audience == AudienceNetwork) && len(i.AudienceRefs) == 0 {
		p.Add("audience_refs", "err.required")
	}
	// A public audience with a label that forbids it would be two answers
	// to one question: the label wins, and the owner is told.
	if i.Audience == AudiencePublic && i.TLP != core.TLPClear {
		p.Add("audience", "err.inc_public_tlp")
	}
	return p
}

// validSource accepts an http(s) URL or a short citation.
func validSource(s string) bool {
	if s == "" || utf8.RuneCountInString(s) > maxSource {
		return false
	}
	if strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") {
		u, err := url.Parse(s)
		return err == nil && u.Host != ""
	}
	return true
}

func validCountry(c string) bool {
	if len(c) != 2 {
		return false
	}
	return c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z'
}
