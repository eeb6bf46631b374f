package incidents_test

import (
	"strings"
	"testing"

	"entente.example/entente/core"
	"entente.example/entente/internal/links"
	"entente.example/entente/modules/incidents"
)

const sharedGood = `{"id":"01JX0000000000000000000000","origin_id":"01JX0000000000000000000000","node":"id.example","owner":"bssn@id.example","name":"x","description":"","start":"2026-10-02T00:00:00Z",` +
	`"types":["ransomware"],"receivers":[{"name":"H","country":"ID","category":"critical_infrastructure","sector":"healthcare"}],"initiator":{"name":"","category":"unknown"},` +
	`"inclusion":[],"sources":[],"impact":"","intensity":1,"determination":"successful-attempt","investigation":"open","criticality":3,"tlp":"AMBER","audience":"named","audience_refs":["csa-sg@sg.example"],` +
	`"version":2,"created_at":"2026-10-02T00:00:00Z","updated_at":"2026-10-03T00:00:00Z","exercise":false`

func withLinks(l string) string { return sharedGood + `,"links":` + l + `}` }

// TestParseSharedLinks: an envelope's links are read when each is a
// reference naming its node, and the envelope is refused otherwise.
func TestParseSharedLinks(t *testing.T) {
	_, refs, err := incidents.ParseShared([]byte(withLinks(`[{"module":"cybercrime","kind":"request","id":"r1","node":"id.example"},{"module":"norms","kind":"norm","id":"f","node":"id.example"}]`)))
	if err != nil || len(refs) != 2 || refs[0] != (core.Ref{Module: "cybercrime", Kind: "request", ID: "r1", Node: "id.example"}) {
		t.Fatalf("good links: %v %v", refs, err)
	}
	if _, refs, err := incidents.ParseShared([]byte(sharedGood + `}`)); err != nil || len(refs) != 0 {
		t.Fatalf("no links: %v %v", refs, err)
	}
	many := strings.TrimSuffix(strings.Repeat(`{"module":"m","kind":"k","id":"i","node":"n"},`, links.MaxShared+1), ",")
	for name, l := range map[string]string{
		"no node":      `[{"module":"cybercrime","kind":"request","id":"r1"}]`,
		"bad id":       `[{"module":"cybercrime","kind":"request","id":"r 1","node":"id.example"}]`,
		"bad node":     `[{"module":"cybercrime","kind":"request","id":"r1","node":"id.example/x"}]`,
		"itself":       `[{"module":"incidents","kind":"incident","id":"01JX0000000000000000000000","node":"id.example"}]`,
		"twice":        `[{"module":"a","kind":"b","id":"c","node":"d"},{"module":"a","kind":"b","id":"c","node":"d"}]`,
		"unknown key":  `[{"module":"a","kind":"b","id":"c","node":"d","title":"x"}]`,
		"not a list":   `{"module":"a"}`,
		"too many":     `[` + many + `]`,
		"empty module": `[{"module":"","kind":"b","id":"c","node":"d"}]`,
	} {
		if _, _, err := incidents.ParseShared([]byte(withLinks(l))); core.KindOf(err) != core.KindInvalid {
			t.Errorf("%s: accepted (%v)", name, err)
		}
	}
}

// FuzzParseSharedLinks: the links of a peer's incident envelope never
// panic the parser, and what it accepts is bounded, each reference one
// core.ParseRef reads back with its node, once each.
func FuzzParseSharedLinks(f *testing.F) {
	f.Add(`[{"module":"cybercrime","kind":"request","id":"r1","node":"id.example"}]`)
	f.Add(`[{"module":"intel","kind":"indicator","id":"indicator--1","node":"sg.example:8443"}]`)
	f.Add(`[{"module":"a","kind":"b","id":"c","node":"d@e"}]`)
	f.Add(`null`)
	f.Add(`[]`)
	f.Fuzz(func(t *testing.T, l string) {
		_, refs, err := incidents.ParseShared([]byte(withLinks(l)))
		if err != nil {
			return
		}
		if len(refs) > links.MaxShared {
			t.Fatalf("accepted %d links", len(refs))
		}
		seen := map[core.Ref]bool{}
		for _, r := range refs {
			p, err := core.ParseRef(r.String())
			if err != nil || p != r || r.Node == "" || seen[r] {
				t.Fatalf("accepted %#v (%v)", r, err)
			}
			seen[r] = true
		}
	})
}
