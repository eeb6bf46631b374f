package incidents

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"entente.example/entente/core"
)

// STIX 2.1 export: each incident becomes an `incident` with the Incident
// Core Extension, its receivers `identity` objects it "targets", and each
// attribution a "attributed-to" relationship to the actor named, created by
// the identity of who attributed. Every object carries the incident's TLP
// 2.0 marking, since each says something about the incident.

// IncidentCoreExt is the Incident Core Extension's id (OASIS,
// cti-stix-common-objects, extension-definition-specifications/incident-core).
const IncidentCoreExt = "extension-definition--ef765651-680c-498d-9894-99799f2fa126"

// incidentCoreDefinition is the extension-definition object as OASIS
// publishes it: a bundle that uses an extension carries its definition, so
// a consumer that never saw it can still read what it is.
var incidentCoreDefinition = map[string]any{
	"type": "extension-definition", "spec_version": "2.1", "id": IncidentCoreExt,
	"name":        "Incident Core Extension",
	"description": "A core extension of the Incident object to allow core details of the Incident to be shared while tracking major details tied to the incident's timeline.",
	"created":     "2020-10-19T20:51:00.000Z", "modified": "2022-10-27T15:09:00.000Z",
	"created_by_ref":  "identity--8ce3f695-d5a4-4dc8-9e93-a65af453a31a",
	"schema":          "https://github.com/oasis-open/cti-stix-common-objects/tree/main/extension-definition-specifications/incident-core",
	"version":         "1.1.0",
	"extension_types": []string{"property-extension"},
}

// tlpMarkings are the TLP 2.0 marking definitions' fixed ids, as OASIS
// published them with the TLP 2.0 extension (the intel module holds the
// same table; modules do not import each other).
var tlpMarkings = map[core.TLP]string{
	core.TLPClear:       "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
	core.TLPGreen:       "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
	core.TLPAmber:       "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
	core.TLPAmberStrict: "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
	core.TLPRed:         "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}

// stixTime is a STIX timestamp with exactly millisecond precision, which
// created and modified must have.
func stixTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000Z") }

// stixNamespace is the UUIDv5 namespace of the ids this export derives: the
// same incident, on any node, at any time, exports under the same ids, so a
// consumer updates an object instead of collecting duplicates.
var stixNamespace = uuidV5([16]byte{0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}, "urn:entente:stix") // RFC 4122's URL namespace

// uuidV5 is RFC 4122's name-based UUID (SHA-1).
func uuidV5(ns [16]byte, name string) [16]byte {
	h := sha1.New()
	h.Write(ns[:])
	h.Write([]byte(name))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return u
}

func uuidString(u [16]byte) string {
	s := hex.EncodeToString(u[:])
	return s[:8] + "-" + s[8:12] + "-" + s[12:16] + "-" + s[16:20] + "-" + s[20:]
}

// stixID derives the id of an object of type typ from the parts that make
// it what it is.
func stixID(typ string, parts ...string) string {
	return typ + "--" + uuidString(uuidV5(stixNamespace, typ+"\x00"+strings.Join(parts, "\x00")))
}

// IncidentSTIXID is an incident's STIX id: from the owning node and the
// incident's id there, so every copy exports under the same one.
func IncidentSTIXID(i Incident) string { return stixID("incident", i.Node, i.OriginID) }

// stixTypes maps the codebook's types to the extension's incident-type-ov
// where one means the other; the others stay as they are (the vocabulary
// is open), spelled as STIX spells values.
var stixTypes = map[string]string{
	"data_theft":          "unauthorized-access",
	"data_theft_doxing":   "unauthorized-release",
	"disruption":          "denial-of-service",
	"hijacking_misuse":    "unauthorized-use",
	"hijacking_no_misuse": "compromised-system",
}

func incidentTypes(types []string) []string {
	var out []string
	for _, t := range types {
		if t == "other" {
			continue // says nothing a consumer can use
		}
		s, ok := stixTypes[t]
		if !ok {
			s = strings.ReplaceAll(t, "_", "-")
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// stixSectors maps the record's sectors to industry-sector-ov; food keeps
// its name (the vocabulary is open), other says nothing.
var stixSectors = map[string]string{"finance": "financial-services", "space": "aerospace", "food": "food", "other": ""}

func sectorOV(s string) string {
	if v, ok := stixSectors[s]; ok {
		return v
	}
	return s
}

// identityClass is the identity-class-ov word for a receiver's category.
func identityClass(category string) string {
	switch category {
	case "social_groups":
		return "group"
	case "end_users":
		return "class"
	case "unknown":
		return "unknown"
	}
	return "organization"
}

// threatActorTypes says what kind of actor an initiator category is, in
// threat-actor-type-ov.
var threatActorTypes = map[string]string{
	"state": "nation-state", "state_affiliated": "nation-state", "non_state_political": "activist",
	"non_state_criminal": "crime-syndicate", "individual": "hacker", "unknown": "unknown",
}

// confidences are the attribution's confidence on STIX's 0–100 scale, the
// middle of each band of the Low/Med/High mapping (STIX 2.1 Appendix A).
var confidences = map[string]int{"low": 15, "moderate": 50, "high": 85}

// IncidentObjects returns the STIX objects of one incident, the incident
// first. The extension definition is added once per bundle (Bundle).
func IncidentObjects(i Incident) []map[string]any {
	id := IncidentSTIXID(i)
	marking := []string{tlpMarkings[i.TLP]}
	created, modified := stixTime(i.CreatedAt), stixTime(i.UpdatedAt)
	// The owner's identity is the incident's own (its id derives from the
	// incident): one object per organisation would need one creation time
	// that every export of every incident agrees on, which none has.
	owner := map[string]any{"type": "identity", "spec_version": "2.1", "id": stixID("identity", i.Node, i.OriginID, "owner"), "created": created, "modified": modified,
		"name": i.Owner, "identity_class": "organization", "object_marking_refs": marking}
	ext := map[string]any{"extension_type": "property-extension", "determination": i.Determination, "investigation_status": i.Investigation,
		"criticality": i.Criticality}
	if t := incidentTypes(i.Types); len(t) > 0 {
		ext["incident_types"] = t
	}
	counts := map[string]int{}
	for _, r := range i.Receivers {
		counts[identityClass(r.Category)]++
	}
	if len(counts) > 0 {
		ext["impacted_entity_counts"] = counts
	}
	inc := map[string]any{"type": "incident", "spec_version": "2.1", "id": id, "created": created, "modified": modified, "name": i.Name,
		"created_by_ref": owner["id"], "object_marking_refs": marking, "extensions": map[string]any{IncidentCoreExt: ext}}
	if i.Description != "" {
		inc["description"] = i.Description
	}
	// The codebook's own words travel as labels, so that nothing the
	// vocabularies could not say is lost on the way.
	var labels []string
	for _, t := range i.Types {
		labels = append(labels, "type:"+t)
	}
	for _, c := range i.Inclusion {
		labels = append(labels, "inclusion:"+c)
	}
	labels = append(labels, "initiator:"+i.Initiator.Category, fmt.Sprintf("intensity:%d", i.Intensity))
	if i.Exercise {
		labels = append(labels, "exercise")
	}
	inc["labels"] = labels
	if refs := externalRefs(i.Sources); len(refs) > 0 {
		inc["external_references"] = refs
	}
	out := []map[string]any{inc, owner}
	rel := func(typ, src, dst string, at time.Time, parts ...string) map[string]any {
		return map[string]any{"type": "relationship", "spec_version": "2.1", "id": stixID("relationship", append([]string{i.Node, i.OriginID, typ}, parts...)...),
			"created": stixTime(at), "modified": stixTime(at), "relationship_type": typ, "source_ref": src, "target_ref": dst, "object_marking_refs": marking}
	}
	for k, r := range i.Receivers {
		who := map[string]any{"type": "identity", "spec_version": "2.1", "id": stixID("identity", i.Node, i.OriginID, "receiver", fmt.Sprint(k)),
			"created": created, "modified": modified, "name": receiverName(r), "identity_class": identityClass(r.Category),
			"labels": []string{"category:" + r.Category}, "object_marking_refs": marking}
		if r.Country != "" {
			who["labels"] = append(who["labels"].([]string), "country:"+r.Country)
		}
		if s := sectorOV(r.Sector); s != "" {
			who["sectors"] = []string{s}
		}
		out = append(out, who, rel("targets", id, who["id"].(string), i.CreatedAt, fmt.Sprint(k)))
	}
	for _, a := range i.Attributions {
		to := map[string]any{"type": "threat-actor", "spec_version": "2.1", "id": stixID("threat-actor", i.Node, i.OriginID, a.To, a.ToCountry),
			"created": stixTime(a.At), "modified": stixTime(a.At), "name": a.To, "object_marking_refs": marking}
		if a.To == i.Initiator.Name && i.Initiator.Name != "" {
			to["threat_actor_types"] = []string{threatActorTypes[i.Initiator.Category]}
		}
		if a.ToCountry != "" {
			to["labels"] = []string{"country:" + a.ToCountry}
		}
		by := map[string]any{"type": "identity", "spec_version": "2.1", "id": stixID("identity", i.Node, i.OriginID, "attributor", a.By, a.ByCountry),
			"created": stixTime(a.At), "modified": stixTime(a.At), "name": a.By, "identity_class": "organization",
			"labels": []string{"attributor:" + a.ByCategory}, "object_marking_refs": marking}
		if a.ByCategory == "state" {
			by["sectors"] = []string{"government-national"}
		}
		if a.ByCountry != "" {
			by["labels"] = append(by["labels"].([]string), "country:"+a.ByCountry)
		}
		r := rel("attributed-to", id, to["id"].(string), a.At, a.OriginID)
		r["created_by_ref"], r["confidence"] = by["id"], confidences[a.Confidence]
		r["description"] = a.By + " (" + a.ByCategory + ", " + a.Basis + ")"
		if a.Note != "" {
			r["description"] = r["description"].(string) + ": " + a.Note
		}
		if refs := externalRefs(a.Sources); len(refs) > 0 {
			r["external_references"] = refs
		}
		out = appendNew(out, to, by)
		out = append(out, r)
	}
	return out
}

// appendNew adds the objects whose id is not in l yet: two attributions
// by the same state, or to the same actor, share one object.
func appendNew(l []map[string]any, objs ...map[string]any) []map[string]any {
	for _, o := range objs {
		if !slices.ContainsFunc(l, func(x map[string]any) bool { return x["id"] == o["id"] }) {
			l = append(l, o)
		}
	}
	return l
}

func receiverName(r Receiver) string {
	if r.Name != "" {
		return r.Name
	}
	return r.Category // a receiver coded without a name is still one
}

// externalRefs are sources as STIX external references: a web address as
// its url, a citation as its description.
func externalRefs(sources []string) []map[string]any {
	var out []map[string]any
	for _, s := range sources {
		if strings.HasPrefix(s, "https://") || strings.HasPrefix(s, "http://") {
			out = append(out, map[string]any{"source_name": "source", "url": s})
		} else {
			out = append(out, map[string]any{"source_name": "citation", "description": s})
		}
	}
	return out
}

// STIXBundle is a STIX 2.1 bundle of incidents and the extension they use.
// Its id is derived from the incidents and their versions: the same export
// is the same bundle.
func STIXBundle(incs []Incident) ([]byte, error) {
	objs := []map[string]any{incidentCoreDefinition}
	var parts []string
	for _, i := range incs {
		objs = append(objs, IncidentObjects(i)...) // each id derives from its incident: none repeats
		parts = append(parts, i.Node, i.OriginID, fmt.Sprint(i.Version))
	}
	b := map[string]any{"type": "bundle", "id": stixID("bundle", parts...), "objects": objs}
	out, err := json.MarshalIndent(b, "", " ")
	if err != nil {
		return nil, fmt.Errorf("incidents: stix: %w", err)
	}
	return append(out, '\n'), nil
}
