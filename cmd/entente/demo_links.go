package main

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/modules/cybercrime"
	"entente.example/entente/modules/directory"
	"entente.example/entente/modules/incidents"
	"entente.example/entente/modules/intel"
	"entente.example/entente/modules/norms"
)

// demoLinks gives the hospital incident its chain, each link made by a
// person who may see both records, as the pages would: BSSN's analyst
// links BSSN's indicators (one of them for a sharing group Kemlu is not
// in, so Kemlu's people see the chain without it) and norm (f); Kemlu's
// officer links the POC request Kemlu sent to Singapore; BSSN names
// Polri's cybercrime unit in the incident's audience, and Polri's
// investigator links its request to Singapore's Attorney-General's
// Chambers. It runs after the incidents and cybercrime demos, on the node
// that holds the incident.
func demoLinks(ctx context.Context, nodes []*node) error {
	where, err := orgNodes(ctx, nodes)
	if err != nil {
		return err
	}
	n := where["bssn"]
	if n == nil || n.svcs.Links == nil {
		return nil
	}
	rina, err := actorFor(ctx, n, "rina@bssn.demo")
	if err != nil {
		return err
	}
	found, _, err := n.svcs.Incidents.List(rina, incidents.Filter{Words: "hospital Surabaya"})
	if err != nil || len(found) == 0 {
		return fmt.Errorf("demo links: the hospital incident: %v", err)
	}
	inc := found[0]
	ref := n.svcs.Incidents.LinkRef(inc)
	link := func(who context.Context, to core.Ref) error {
		if err := n.svcs.Links.Link(who, ref, to); err != nil {
			return fmt.Errorf("demo links: %s: %w", to, err)
		}
		return nil
	}

	objs, _, err := n.svcs.Intel.Objects(rina, n.svcs.Intel.Readers(core.ActorFrom(rina)), intel.Query{Types: []string{"indicator"}})
	if err != nil {
		return fmt.Errorf("demo links: indicators: %w", err)
	}
	for _, o := range objs {
		if strings.Contains(o.Name, "command-and-control") || strings.Contains(o.Name, "SHA-256") {
			if err := link(rina, intel.LinkRef(o)); err != nil {
				return err
			}
		}
	}
	if err := link(rina, norms.NormRef("f")); err != nil {
		return err
	}

	if where["kemlu"] == n {
		bima, err := actorFor(ctx, n, "bima@kemlu.demo")
		if err != nil {
			return err
		}
		rs, _, err := n.svcs.Networks.Requests(bima, "out", core.Page{Limit: 50})
		if err != nil {
			return fmt.Errorf("demo links: POC requests: %w", err)
		}
		if i := slices.IndexFunc(rs, func(r directory.Request) bool { return strings.Contains(r.To, "csa-sg@") }); i >= 0 {
			if err := link(bima, n.svcs.Networks.LinkRef(rs[i])); err != nil {
				return err
			}
		}
	}

	if where["polri-siber"] == n {
		// The police investigate the case: BSSN lets them see the incident.
		inc, err := n.svcs.Incidents.Get(rina, inc.ID)
		if err != nil {
			return err
		}
		inc.AudienceRefs = append(inc.AudienceRefs, "polri-siber@"+n.fed.Host())
		if _, err := n.svcs.Incidents.Update(rina, inc.ID, inc); err != nil {
			return fmt.Errorf("demo links: audience: %w", err)
		}
		hendra, err := actorFor(ctx, n, "hendra@polri.demo")
		if err != nil {
			return err
		}
		rs, _, err := n.svcs.Cybercrime.Requests(hendra, cybercrime.Filter{Box: "out", Page: core.Page{Limit: 50}})
		if err != nil {
			return fmt.Errorf("demo links: cybercrime requests: %w", err)
		}
		if i := slices.IndexFunc(rs, func(r cybercrime.Request) bool { return strings.Contains(r.To, "agc-sg@") }); i >= 0 {
			if err := link(hendra, n.svcs.Cybercrime.LinkRef(rs[i])); err != nil {
				return err
			}
		}
	}
	chain, err := n.svcs.Links.Chain(rina, ref)
	if err != nil {
		return err
	}
	if len(chain) < 3 {
		return fmt.Errorf("demo links: the hospital incident's chain holds %d records for BSSN", len(chain))
	}
	return nil
}
