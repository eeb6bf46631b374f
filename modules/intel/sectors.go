package intel

import (
	"slices"
	"strings"
)

// Sectors is STIX 2.1's industry-sector-ov vocabulary (with legal, which
// Errata 01 added), the standard list of
// sectors that critical-infrastructure sharing tags objects with. Identities
// carry it in sectors; other objects in labels written "sector:energy".
var Sectors = []string{
	"agriculture", "aerospace", "automotive", "chemical", "commercial", "communications", "construction",
	"defense", "education", "energy", "entertainment", "financial-services", "government", "emergency-services",
	"government-local", "government-national", "government-public-services", "government-regional", "healthcare",
	"hospitality-leisure", "infrastructure", "dams", "nuclear", "water", "insurance", "legal", "manufacturing",
	"mining", "non-profit", "pharmaceuticals", "retail", "technology", "telecommunications", "transportation",
	"utilities",
}

// SectorLabel is the label that tags an object with a sector.
func SectorLabel(s string) string { return "sector:" + s }

// IsSector reports whether s is in the vocabulary.
func IsSector(s string) bool { return slices.Contains(Sectors, s) }

// sectorsOf collects an object's sectors from both places, in vocabulary
// terms only: an open vocabulary may hold anything, the index only these.
func sectorsOf(h header) []string {
	var out []string
	add := func(s string) {
		if IsSector(s) && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	for _, s := range h.Sectors {
		add(s)
	}
	for _, l := range h.Labels {
		if s, ok := strings.CutPrefix(l, "sector:"); ok {
			add(s)
		}
	}
	slices.Sort(out)
	return out
}
