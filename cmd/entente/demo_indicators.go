package main

import (
	"context"
	"fmt"

	"entente.example/entente/modules/capacity"
)

// demoIndicatorImporters are who imports the sample on each node: the
// first of them whose organisation the node hosts (Kemlu's analyst on
// Indonesia's node, CSA's on Singapore's, the ASEAN secretariat on its).
var demoIndicatorImporters = []struct{ email, org string }{
	{"dewi@kemlu.demo", "kemlu"}, {"weiming@csa-sg.demo", "csa-sg"}, {"maria@asean.demo", "asean"},
	{"olivia@dfat-au.demo", "dfat-au"}, {"ana@mnec-tl.demo", "mnec-tl"},
}

// demoIndicators imports the shipped sample of indicators (ITU's GCI 2024
// and IDI, the NCSI, BPS's national ICT index) on every node, so that
// each node's profiles show Indonesia's and Singapore's indicators and
// suggest a need from the Philippines' weakest values.
func demoIndicators(ctx context.Context, nodes []*node) error {
	where, err := orgNodes(ctx, nodes)
	if err != nil {
		return err
	}
	for _, n := range nodes {
		for _, im := range demoIndicatorImporters {
			if where[im.org] != n {
				continue
			}
			actx, err := actorFor(ctx, n, im.email)
			if err != nil {
				return err
			}
			if _, err := n.svcs.Capacity.ImportIndicators(actx, im.org, capacity.SampleIndicators); err != nil {
				return fmt.Errorf("demo indicators: %s: %w", im.org, err)
			}
			break
		}
	}
	return nil
}
