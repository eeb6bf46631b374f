package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/modules/intel"
)

// demoIntel gives the demo a small threat picture on Indonesia's CERT
// (BSSN): a fictional intrusion set, its malware, indicators and a report,
// spread over TLP labels and a sharing group, with a sighting. On the
// three-node demo, Singapore's agency subscribes to the collection and pulls
// what BSSN's policy lets it have.
func demoIntel(ctx context.Context, nodes []*node) error {
	where, err := orgNodes(ctx, nodes)
	if err != nil {
		return err
	}
	addr := func(org string) string { return org + "@" + where[org].fed.Host() }
	home := where["bssn"]
	svc := home.svcs.Intel
	root := core.Actor{UserID: "demo", Name: "demo", NodeAdmin: true}
	c, err := svc.CreateCollection(ctx, root, intel.NewCollection{Alias: "ci-threats", Title: "Threats to critical infrastructure",
		Description: "Indicators and reports on campaigns against energy, water and finance operators in the region.", DefaultTLP: core.TLPGreen})
	if err != nil {
		return fmt.Errorf("demo intel: %w", err)
	}
	for _, r := range []intel.Right{
		{Org: addr("bssn"), Read: true, Write: true}, {Org: addr("kemlu"), Read: true}, {Org: addr("nusantara-cloud"), Read: true},
		{Org: addr("csa-sg"), Read: true},
	} {
		if err := svc.SetRight(ctx, root, c.ID, r); err != nil {
			return fmt.Errorf("demo intel: right: %w", err)
		}
	}
	agus, err := actorFor(ctx, home, "agus@bssn.demo")
	if err != nil {
		return err
	}
	g, err := svc.CreateGroup(ctx, core.ActorFrom(agus), addr("bssn"), "ASEAN energy ISAC", []string{addr("csa-sg"), addr("nusantara-cloud")})
	if err != nil {
		return fmt.Errorf("demo intel: group: %w", err)
	}
	const (
		set    = "intrusion-set--3b1f6e2a-7c55-4b8e-9d1a-0a6f2c9e4d11"
		mal    = "malware--5d2c8f41-2a9b-4c7e-8f3d-6b1e0c7a9f22"
		c2     = "indicator--7e4a1c93-5b2d-4f8a-9c6e-1d3b5a7f9e33"
		phish  = "indicator--8f5b2da4-6c3e-4a9b-8d7f-2e4c6b8a0f44"
		hash   = "indicator--9a6c3eb5-7d4f-4bac-9e8a-3f5d7c9b1a55"
		source = "indicator--0b7d4fc6-8e5a-4cbd-8f9b-4a6e8dac2b66"
		uses   = "relationship--1c8e5ad7-9f6b-4dce-9a0c-5b7f9ebd3c77"
		ind    = "relationship--2d9f6be8-a07c-4edf-8b1d-6c8a0fce4d88"
		report = "report--3ea07cf9-b18d-4fa0-9c2e-7d9b1adf5e99"
	)
	ident := fmt.Sprintf(`"created_by_ref":%q`, identityOf(addr("bssn")))
	ts := `"created":"2026-11-18T02:00:00.000Z","modified":"2026-11-18T02:00:00.000Z"`
	amberGroup := fmt.Sprintf(`"object_marking_refs":[%q,%q]`, intel.TLPMarking(core.TLPAmber), g.ID)
	mark := func(t core.TLP) string { return fmt.Sprintf(`"object_marking_refs":[%q]`, intel.TLPMarking(t)) }
	objs := []string{
		`{"type":"intrusion-set","spec_version":"2.1","id":"` + set + `",` + ts + `,` + ident + `,"name":"KRAKATAU SPIDER (fictional)","description":"A fictional actor that targets grid operators' remote-access gateways.","first_seen":"2026-09-01T00:00:00Z","goals":["disruption of electricity distribution"],"labels":["sector:energy"],` + mark(core.TLPGreen) + `}`,
		`{"type":"malware","spec_version":"2.1","id":"` + mal + `",` + ts + `,` + ident + `,"name":"GridLock loader (fictional)","is_family":true,"malware_types":["remote-access-trojan"],"labels":["sector:energy","sector:utilities"],` + mark(core.TLPGreen) + `}`,
		`{"type":"indicator","spec_version":"2.1","id":"` + c2 + `",` + ts + `,` + ident + `,"name":"GridLock command-and-control server","pattern":"[ipv4-addr:value = '203.0.113.77']","pattern_type":"stix","valid_from":"2026-11-18T02:00:00Z","indicator_types":["malicious-activity"],"labels":["sector:energy"],` + amberGroup + `}`,
		`{"type":"indicator","spec_version":"2.1","id":"` + phish + `",` + ts + `,` + ident + `,"name":"Phishing domain posing as the grid regulator","pattern":"[domain-name:value = 'esdm-portal.example']","pattern_type":"stix","valid_from":"2026-11-18T02:00:00Z","indicator_types":["malicious-activity"],"labels":["sector:energy","sector:government"],` + mark(core.TLPGreen) + `}`,
		`{"type":"indicator","spec_version":"2.1","id":"` + hash + `",` + ts + `,` + ident + `,"name":"GridLock loader, SHA-256","pattern":"[file:hashes.'SHA-256' = '4bf5e0b1d2c3a4958677f8e9d0c1b2a3948576e5f4d3c2b1a09f8e7d6c5b4a39']","pattern_type":"stix","valid_from":"2026-11-18T02:00:00Z","indicator_types":["malicious-activity"],"labels":["sector:energy"],` + mark(core.TLPClear) + `}`,
		`{"type":"indicator","spec_version":"2.1","id":"` + source + `",` + ts + `,` + ident + `,"name":"Staging host named by a confidential source","pattern":"[domain-name:value = 'staging.example.net']","pattern_type":"stix","valid_from":"2026-11-18T02:00:00Z","labels":["sector:energy"],` + mark(core.TLPRed) + `}`,
		`{"type":"relationship","spec_version":"2.1","id":"` + uses + `",` + ts + `,` + ident + `,"relationship_type":"uses","source_ref":"` + set + `","target_ref":"` + mal + `",` + mark(core.TLPGreen) + `}`,
		`{"type":"relationship","spec_version":"2.1","id":"` + ind + `",` + ts + `,` + ident + `,"relationship_type":"indicates","source_ref":"` + hash + `","target_ref":"` + mal + `",` + mark(core.TLPClear) + `}`,
		`{"type":"report","spec_version":"2.1","id":"` + report + `",` + ts + `,` + ident + `,"name":"GridLock campaign against regional grid operators","description":"BSSN's assessment of the campaign, for the ISAC's members.","published":"2026-11-18T02:00:00.000Z","report_types":["threat-report","campaign"],"object_refs":["` + set + `","` + mal + `","` + c2 + `","` + hash + `"],"labels":["sector:energy"],` + amberGroup + `}`,
	}
	raws := make([]json.RawMessage, len(objs))
	for i, o := range objs {
		raws[i] = json.RawMessage(o)
	}
	st, err := svc.PostObjects(ctx, []string{addr("bssn")}, c.ID, raws)
	if err != nil {
		return fmt.Errorf("demo intel: %w", err)
	}
	if st.FailureCount > 0 {
		full, _ := svc.Status(ctx, []string{addr("bssn")}, st.ID)
		var why []string
		for _, f := range full.Failures {
			why = append(why, f.ID+": "+f.Message)
		}
		return fmt.Errorf("demo intel: refused: %s", strings.Join(why, "; "))
	}
	rina, err := actorFor(ctx, home, "rina@bssn.demo")
	if err != nil {
		return err
	}
	if _, err := svc.Sight(ctx, core.ActorFrom(rina), c.ID, addr("bssn"), phish, false, "Seen in mail to two distribution companies.", intel.Sharing{}); err != nil {
		return fmt.Errorf("demo intel: sighting: %w", err)
	}
	sg := where["csa-sg"]
	if sg == home {
		return nil
	}
	local, err := sg.svcs.Intel.CreateCollection(ctx, root, intel.NewCollection{Alias: "from-bssn", Title: "From Indonesia's BSSN", DefaultTLP: core.TLPRed})
	if err != nil {
		return fmt.Errorf("demo intel: %w", err)
	}
	sub, err := sg.svcs.Intel.Subscribe(ctx, root, intel.NewSubscription{Peer: home.fed.Host(), Remote: "ci-threats", Collection: local.ID, Org: addr("csa-sg")})
	if err != nil {
		return fmt.Errorf("demo intel: subscribe: %w", err)
	}
	if _, err := sg.svcs.Intel.Sync(ctx, sub.ID); err != nil {
		return fmt.Errorf("demo intel: sync: %w", err)
	}
	return nil
}

// identityOf is the identity id Entente writes for an organisation.
func identityOf(addr string) string { return intel.IdentityFor(addr) }
