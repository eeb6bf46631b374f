package intel

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"entente.example/entente/core"
)

// STIX 2.1 expresses TLP 2.0 as marking definitions with fixed ids, published
// by OASIS with the TLP 2.0 extension. TLP 1.0's ids (in the STIX 2.1 text
// itself) are read too, WHITE as CLEAR, so that older feeds keep their labels.
var tlpMarkings = map[string]core.TLP{
	"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487": core.TLPClear,
	"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb": core.TLPGreen,
	"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421": core.TLPAmber,
	"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003": core.TLPAmberStrict,
	"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1": core.TLPRed,
	// TLP 1.0
	"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": core.TLPClear,
	"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": core.TLPGreen,
	"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": core.TLPAmber,
	"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": core.TLPRed,
}

// TLPMarking returns the TLP 2.0 marking definition id of a label.
func TLPMarking(t core.TLP) string {
	for id, l := range tlpMarkings {
		if l == t && !strings.HasPrefix(id, "marking-definition--613f") && !strings.HasPrefix(id, "marking-definition--34098") &&
			!strings.HasPrefix(id, "marking-definition--f88d") && !strings.HasPrefix(id, "marking-definition--5e57") {
			return id
		}
	}
	return ""
}

// observableTypes are the cyber-observable types STIX 2.1 defines: they
// have no created or modified and cannot be versioned.
var observableTypes = map[string]bool{
	"artifact": true, "autonomous-system": true, "directory": true, "domain-name": true, "email-addr": true,
	"email-message": true, "file": true, "ipv4-addr": true, "ipv6-addr": true, "mac-addr": true, "mutex": true,
	"network-traffic": true, "process": true, "software": true, "url": true, "user-account": true,
	"windows-registry-key": true, "x509-certificate": true,
}

// object is what the store reads out of a STIX object: the exact bytes and
// the properties it indexes. Nothing else of the object is interpreted.
type object struct {
	Raw         []byte
	Type        string
	ID          string
	SpecVersion string
	Version     string // the modified, else created timestamp, normalised; "" for an observable
	Name        string
	Labels      []string
	Sectors     []string
	Refs        []string // what a relationship, sighting or report points to
	TLP         core.TLP // the most restrictive TLP marking, "" if none
	Markings    []string // every marking reference, TLP or not
	CreatedBy   string
	Revoked     bool
}

// header is the subset of STIX properties the store looks at.
type header struct {
	Type              string   `json:"type"`
	ID                string   `json:"id"`
	SpecVersion       string   `json:"spec_version"`
	Created           string   `json:"created"`
	Modified          string   `json:"modified"`
	CreatedByRef      string   `json:"created_by_ref"`
	Revoked           bool     `json:"revoked"`
	Labels            []string `json:"labels"`
	Name              string   `json:"name"`
	Value             string   `json:"value"`
	Sectors           []string `json:"sectors"`
	ObjectMarkingRefs []string `json:"object_marking_refs"`
	GranularMarkings  []struct {
		MarkingRef string `json:"marking_ref"`
	} `json:"granular_markings"`
	SourceRef     string   `json:"source_ref"`
	TargetRef     string   `json:"target_ref"`
	SightingOfRef string   `json:"sighting_of_ref"`
	WhereSighted  []string `json:"where_sighted_refs"`
	ObjectRefs    []string `json:"object_refs"`
	ValidFrom     string   `json:"valid_from"`
	Pattern       string   `json:"pattern"`
	PatternType   string   `json:"pattern_type"`
	ValidUntil    string   `json:"valid_until"`
	FirstSeen     string   `json:"first_seen"`
	LastSeen      string   `json:"last_seen"`
	FirstObserved string   `json:"first_observed"`
	LastObserved  string   `json:"last_observed"`
}

var idRE = regexp.MustCompile(`^([a-z][a-z0-9-]*[a-z0-9])--[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}$`)

// maxObject bounds one object: STIX has no limit, but an indicator or report
// of several megabytes is an attack or a mistake, not intelligence.
const maxObject = 1 << 20

// parseObject reads and checks one STIX 2.1 object: its identity, the
// official schema of its type, and the rules of the specification that the
// schemas cannot express. The error names the property and the reason.
func parseObject(raw []byte) (object, error) {
	if len(raw) > maxObject {
		return object{}, problem("(object)", "is larger than %d bytes", maxObject)
	}
	if err := checkJSON(raw); err != nil {
		return object{}, err
	}
	var h header
	if err := json.Unmarshal(raw, &h); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return object{}, problem(te.Field, "has the wrong JSON type (%s, expected %s)", te.Value, te.Type)
		}
		return object{}, problem("(object)", "is not a JSON object: %v", err)
	}
	if h.Type == "" {
		return object{}, problem("type", "is required")
	}
	if h.ID == "" {
		return object{}, problem("id", "is required")
	}
	m := idRE.FindStringSubmatch(h.ID)
	if m == nil {
		return object{}, problem("id", "must be the type, two hyphens and a UUID (%q)", h.ID)
	}
	if m[1] != h.Type {
		return object{}, problem("id", "starts with %q but the type is %q", m[1], h.Type)
	}
	if h.Type == "bundle" {
		return object{}, problem("type", "a bundle cannot be stored inside a collection; send its objects")
	}
	observable := observableTypes[h.Type] || (!isKnownSDO(h.Type) && h.Created == "" && h.Modified == "")
	switch {
	case h.SpecVersion == "2.1":
	case h.SpecVersion == "" && observable:
	case h.SpecVersion == "":
		return object{}, problem("spec_version", "is required and must be \"2.1\"")
	default:
		return object{}, problem("spec_version", "is %q; this node stores STIX 2.1 only", h.SpecVersion)
	}
	v, err := stixValidator()
	if err != nil {
		return object{}, err
	}
	if err := v.validate(h.Type, raw, observable); err != nil {
		return object{}, err
	}
	o := object{Raw: raw, Type: h.Type, ID: h.ID, SpecVersion: "2.1", CreatedBy: h.CreatedByRef, Revoked: h.Revoked, Labels: h.Labels}
	if err := rules(h, &o); err != nil {
		return object{}, err
	}
	o.Name = h.Name
	if o.Name == "" {
		o.Name = h.Value
	}
	o.Sectors = sectorsOf(h)
	for _, r := range []string{h.SourceRef, h.TargetRef, h.SightingOfRef} {
		if r != "" {
			o.Refs = append(o.Refs, r)
		}
	}
	o.Refs = append(o.Refs, h.ObjectRefs...)
	o.Markings = slices.Clone(h.ObjectMarkingRefs)
	for _, g := range h.GranularMarkings {
		if g.MarkingRef != "" {
			o.Markings = append(o.Markings, g.MarkingRef)
		}
	}
	for _, id := range o.Markings {
		if t, ok := tlpMarkings[id]; ok && (o.TLP == "" || t.Rank() > o.TLP.Rank()) {
			o.TLP = t
		}
	}
	return o, nil
}

// rules are the specification's requirements the JSON schemas leave out.
func rules(h header, o *object) error {
	var created, modified time.Time
	var err error
	if h.Created != "" {
		if created, err = parseStamp("created", h.Created); err != nil {
			return err
		}
	}
	if h.Modified != "" {
		if modified, err = parseStamp("modified", h.Modified); err != nil {
			return err
		}
		if h.Created != "" && modified.Before(created) {
			return problem("modified", "is before created (%s < %s)", h.Modified, h.Created)
		}
		o.Version = stamp(modified)
	} else if h.Created != "" {
		o.Version = stamp(created)
	}
	for _, p := range [][3]string{
		{"valid_from", "valid_until", h.ValidFrom + "|" + h.ValidUntil},
		{"first_seen", "last_seen", h.FirstSeen + "|" + h.LastSeen},
		{"first_observed", "last_observed", h.FirstObserved + "|" + h.LastObserved},
	} {
		from, until, _ := strings.Cut(p[2], "|")
		if from == "" || until == "" {
			continue
		}
		a, err := parseStamp(p[0], from)
		if err != nil {
			return err
		}
		b, err := parseStamp(p[1], until)
		if err != nil {
			return err
		}
		// The specification asks valid_until to be later than valid_from, and
		// last_seen not earlier than first_seen.
		if b.Before(a) || (p[1] == "valid_until" && b.Equal(a)) {
			return problem(p[1], "must be later than %s", p[0])
		}
	}
	if h.Type == "indicator" && h.PatternType == "stix" {
		if err := CheckPattern(h.Pattern); err != nil {
			return problem("pattern", "%s", strings.TrimPrefix(err.Error(), "pattern: "))
		}
	}
	if h.Type == "sighting" {
		if t, _, _ := strings.Cut(h.SightingOfRef, "--"); observableTypes[t] || t == "relationship" || t == "sighting" {
			return problem("sighting_of_ref", "must point to a domain object, not a %s", t)
		}
	}
	if h.Type == "relationship" {
		for f, ref := range map[string]string{"source_ref": h.SourceRef, "target_ref": h.TargetRef} {
			if t, _, _ := strings.Cut(ref, "--"); t == "relationship" || t == "sighting" || t == "marking-definition" || t == "bundle" {
				return problem(f, "cannot point to a %s", t)
			}
		}
	}
	if h.Type == "marking-definition" && strings.HasPrefix(h.ID, "marking-definition--") {
		if _, ok := tlpMarkings[h.ID]; ok {
			// The TLP definitions are fixed by OASIS: accepted, never redefined.
			return nil
		}
	}
	return nil
}

// parseStamp reads a STIX timestamp: RFC 3339 in UTC with a Z.
func parseStamp(field, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil || !strings.HasSuffix(s, "Z") {
		return time.Time{}, problem(field, "is not a STIX timestamp (like 2026-11-25T04:43:00.000Z): %q", s)
	}
	return t.UTC(), nil
}

// stampLayout keeps microseconds, fixed width, so that stored versions and
// dates sort as text in SQL the same way they sort in time.
const stampLayout = "2006-01-02T15:04:05.000000Z"

func stamp(t time.Time) string { return t.UTC().Format(stampLayout) }

// showStamp writes a stored timestamp the way STIX and TAXII show it: with
// milliseconds, and microseconds only when there are some.
func showStamp(s string) string {
	if len(s) == len(stampLayout) && strings.HasSuffix(s, "000Z") {
		return s[:len(s)-4] + "Z"
	}
	return s
}

// STIXTime formats t with exactly millisecond precision, as STIX requires of
// created and modified (Go's RFC3339Nano would drop trailing zeros).
func STIXTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

func isKnownSDO(t string) bool {
	switch t {
	case "attack-pattern", "campaign", "course-of-action", "grouping", "identity", "incident", "indicator",
		"infrastructure", "intrusion-set", "location", "malware", "malware-analysis", "note", "observed-data",
		"opinion", "report", "threat-actor", "tool", "vulnerability", "relationship", "sighting",
		"marking-definition", "extension-definition", "language-content":
		return true
	}
	return false
}

// NewSTIXID returns a new id of the type with a random (version 4) UUID.
func NewSTIXID(typ string) string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%s--%x-%x-%x-%x-%x", typ, b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
