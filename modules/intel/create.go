package intel

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/modules/intel/misp"
)

// Objects written by hand or recorded from a page: the service builds the
// STIX JSON and stores it through the same ingest as TAXII, so a form can
// never write what a TAXII client could not.

// Sharing says how a new object is shared: its TLP and, if any, the sharing
// group it is for.
type Sharing struct {
	TLP   core.TLP
	Group string
}

func (sh Sharing) markings() []string {
	var out []string
	if sh.TLP != "" {
		out = append(out, TLPMarking(sh.TLP))
	}
	if sh.Group != "" {
		out = append(out, sh.Group)
	}
	return out
}

// NewIndicator is an indicator written in a form.
type NewIndicator struct {
	Collection  string
	Org         string
	Name        string
	Description string
	Pattern     string
	PatternType string
	ValidFrom   string // empty: now
	Types       []string
	Labels      []string
	Sectors     []string
	Sharing
}

// NewReport is a report written in a form.
type NewReport struct {
	Collection  string
	Org         string
	Name        string
	Description string
	Published   string // empty: now
	ObjectRefs  []string
	Labels      []string
	Sectors     []string
	Sharing
}

// IdentityFor returns the id of the STIX identity that stands for a local
// organisation, for code that writes objects in its name.
func IdentityFor(addr string) string { return identityFor(addr) }

// identityFor is the STIX identity that stands for a local organisation in
// what it writes: its id is derived from its address, so every object the
// organisation writes names the same author.
func identityFor(addr string) string {
	return "identity--" + misp.NameUUID("entente-org:"+addr)
}

func identityObject(addr string) map[string]any {
	return map[string]any{
		"type": "identity", "spec_version": "2.1", "id": identityFor(addr),
		"created": "2020-01-01T00:00:00.000Z", "modified": "2020-01-01T00:00:00.000Z",
		"name": addr, "identity_class": "organization",
	}
}

func labelsWithSectors(labels, sectors []string, p core.Problems) []string {
	out := slices.Clone(labels)
	for _, s := range sectors {
		if !IsSector(s) {
			p.Add("sectors", "err.intel.sector")
			continue
		}
		out = append(out, SectorLabel(s))
	}
	return out
}

func (s *Service) checkSharing(sh Sharing, p core.Problems) {
	if sh.TLP != "" && !sh.TLP.Valid() {
		p.Add("tlp", "err.intel.tlp")
	}
	if sh.Group != "" && !strings.HasPrefix(sh.Group, "marking-definition--") {
		p.Add("group", "err.intel.group")
	}
}

// CreateIndicator writes an indicator for one of the actor's organisations.
func (s *Service) CreateIndicator(ctx context.Context, a core.Actor, n NewIndicator) (Stored, error) {
	p := core.Problems{}
	if !slices.Contains(s.Writers(a), n.Org) {
		p.Add("org", "err.intel.no_write")
	}
	n.Name, n.Pattern = strings.TrimSpace(n.Name), strings.TrimSpace(n.Pattern)
	if n.Name == "" {
		p.Add("name", "err.required")
	}
	if n.Pattern == "" {
		p.Add("pattern", "err.required")
	} else if n.PatternType == "stix" || n.PatternType == "" {
		if err := CheckPattern(n.Pattern); err != nil {
			p.Add("pattern", "err.intel.pattern")
		}
	}
	now := s.db.Clock().Now()
	validFrom := STIXTime(now)
	if n.ValidFrom != "" {
		t, err := time.Parse("2006-01-02", n.ValidFrom)
		if err != nil {
			p.Add("valid_from", "err.intel.date")
		}
		validFrom = STIXTime(t)
	}
	labels := labelsWithSectors(n.Labels, n.Sectors, p)
	s.checkSharing(n.Sharing, p)
	if err := p.Err("intel: create indicator"); err != nil {
		return Stored{}, err
	}
	if n.PatternType == "" {
		n.PatternType = "stix"
	}
	o := map[string]any{
		"type": "indicator", "spec_version": "2.1", "id": NewSTIXID("indicator"),
		"created": STIXTime(now), "modified": STIXTime(now), "created_by_ref": identityFor(n.Org),
		"name": n.Name, "pattern": n.Pattern, "pattern_type": n.PatternType, "valid_from": validFrom,
	}
	if n.Description != "" {
		o["description"] = n.Description
	}
	if len(n.Types) > 0 {
		o["indicator_types"] = n.Types
	}
	return s.createOne(ctx, n.Collection, n.Org, o, labels, n.Sharing, false)
}

// CreateReport writes a report for one of the actor's organisations.
func (s *Service) CreateReport(ctx context.Context, a core.Actor, n NewReport) (Stored, error) {
	p := core.Problems{}
	if !slices.Contains(s.Writers(a), n.Org) {
		p.Add("org", "err.intel.no_write")
	}
	n.Name = strings.TrimSpace(n.Name)
	if n.Name == "" {
		p.Add("name", "err.required")
	}
	var refs []string
	for _, r := range n.ObjectRefs {
		if r = strings.TrimSpace(r); r != "" {
			if !idRE.MatchString(r) {
				p.Add("object_refs", "err.intel.ref")
			}
			refs = append(refs, r)
		}
	}
	if len(refs) == 0 {
		p.Add("object_refs", "err.intel.refs_required")
	}
	now := s.db.Clock().Now()
	published := STIXTime(now)
	if n.Published != "" {
		t, err := time.Parse("2006-01-02", n.Published)
		if err != nil {
			p.Add("published", "err.intel.date")
		}
		published = STIXTime(t)
	}
	labels := labelsWithSectors(n.Labels, n.Sectors, p)
	s.checkSharing(n.Sharing, p)
	if err := p.Err("intel: create report"); err != nil {
		return Stored{}, err
	}
	o := map[string]any{
		"type": "report", "spec_version": "2.1", "id": NewSTIXID("report"),
		"created": STIXTime(now), "modified": STIXTime(now), "created_by_ref": identityFor(n.Org),
		"name": n.Name, "published": published, "object_refs": refs, "report_types": []string{"threat-report"},
	}
	if n.Description != "" {
		o["description"] = n.Description
	}
	return s.createOne(ctx, n.Collection, n.Org, o, labels, n.Sharing, false)
}

// Sight records that the organisation saw an object (a sighting), or that
// it judged it a false positive (an opinion that strongly disagrees, the
// STIX way to say an indicator is wrong).
func (s *Service) Sight(ctx context.Context, a core.Actor, collection, org, target string, falsePositive bool, note string, sh Sharing) (Stored, error) {
	if !slices.Contains(s.Writers(a), org) {
		return Stored{}, core.Problems{"org": "err.intel.no_write"}.Err("intel: sighting")
	}
	// The target must be visible to the organisation that sights it.
	rows, _, err := s.Objects(ctx, []string{org}, Query{Collection: collection, IDs: []string{target}, Limit: 1})
	if err != nil {
		return Stored{}, err
	}
	if len(rows) == 0 {
		return Stored{}, errOp("sighting", core.KindNotFound, "err.not_found")
	}
	// What is said about an object goes no further than the object: the
	// note names it and tells that the organisation met it. So the sighting
	// takes the target's TLP at least, its sharing group, and stays with
	// its owner where the target does.
	seen := rows[0]
	if sh.TLP == "" || sh.TLP.Rank() < seen.TLP.Rank() {
		sh.TLP = seen.TLP
	}
	if seen.Group != "" {
		sh.Group = seen.Group
	}
	private := seen.Audience == "owner"
	now := STIXTime(s.db.Clock().Now())
	var o map[string]any
	if falsePositive {
		o = map[string]any{"type": "opinion", "spec_version": "2.1", "id": NewSTIXID("opinion"), "created": now, "modified": now,
			"created_by_ref": identityFor(org), "opinion": "strongly-disagree", "object_refs": []string{target},
			"explanation": strings.TrimSpace("False positive. " + note), "labels": []string{"false-positive"}}
	} else {
		o = map[string]any{"type": "sighting", "spec_version": "2.1", "id": NewSTIXID("sighting"), "created": now, "modified": now,
			"created_by_ref": identityFor(org), "sighting_of_ref": target, "count": 1, "first_seen": now, "last_seen": now,
			"where_sighted_refs": []string{identityFor(org)}}
		if note != "" {
			o["description"] = note
		}
	}
	return s.createOne(ctx, collection, org, o, nil, sh, private)
}

// createOne stores the organisation's identity (once) and the object;
// private keeps the object with the organisation whatever its label.
func (s *Service) createOne(ctx context.Context, collection, org string, o map[string]any, labels []string, sh Sharing, private bool) (Stored, error) {
	if len(labels) > 0 {
		o["labels"] = labels
	}
	if m := sh.markings(); len(m) > 0 {
		o["object_marking_refs"] = m
	}
	obj, err := json.Marshal(o)
	if err != nil {
		return Stored{}, err
	}
	ident, _ := json.Marshal(identityObject(org))
	c, author, err := s.writerFor(ctx, []string{org}, collection)
	if err != nil {
		return Stored{}, err
	}
	author.Private = private
	st, err := s.ingestAll(ctx, c, author, []json.RawMessage{ident, obj})
	if err != nil {
		return Stored{}, err
	}
	full, err := s.Status(ctx, []string{org}, st.ID)
	if err != nil {
		return Stored{}, err
	}
	for _, f := range full.Failures {
		return Stored{}, &core.Error{Kind: core.KindInvalid, Op: "intel: create", Message: f.Message}
	}
	rows, _, err := s.Objects(ctx, []string{org}, Query{Collection: c.ID, IDs: []string{o["id"].(string)}, Limit: 1})
	if err != nil || len(rows) == 0 {
		return Stored{}, errOp("create", core.KindInternal, "err.internal")
	}
	return rows[0], nil
}
