package main

import (
	"context"
	"fmt"

	"entente.example/entente/core"
	"entente.example/entente/modules/economy"
)

// demoEconomy gives the demo Indonesia's and Singapore's commitments under
// DEPA and ASEAN DEFA, kept by Kemlu and CSA on whichever node holds them:
// Indonesia's national CSIRT capacity under DEFA's cybersecurity provision
// is past its deadline (its people see it under "Needs your attention"),
// and is the commitment a capacity need will link to. Deadlines are
// relative to the node's clock, so the overdue one stays overdue.
func demoEconomy(ctx context.Context, nodes []*node) error {
	where, err := orgNodes(ctx, nodes)
	if err != nil {
		return err
	}
	add := func(n *node, email string, ins ...economy.CommitmentInput) error {
		if n == nil {
			return nil
		}
		as, err := actorFor(ctx, n, email)
		if err != nil {
			return err
		}
		ms := core.ActorFrom(as).Memberships
		if len(ms) == 0 {
			return fmt.Errorf("demo economy: %s has no organisation", email)
		}
		for _, in := range ins {
			in.Org = ms[0].Org.ID
			if _, err := n.svcs.Economy.CreateCommitment(as, in); err != nil {
				return fmt.Errorf("demo economy: %s: %w", in.What, err)
			}
		}
		return nil
	}
	id, sg := where["kemlu"], where["csa-sg"]
	day := func(n *node, days int) string {
		return n.db.Clock().Now().AddDate(0, 0, days).UTC().Format("2006-01-02")
	}
	if id != nil {
		if err := add(id, "bima@kemlu.demo",
			economy.CommitmentInput{Agreement: "defa", Provision: "defa.cyber", What: "Stand up a national CSIRT able to cooperate with ASEAN partners on threats to the digital economy",
				Deadline: day(id, -45), Status: economy.InProgress, Notes: "Needs trained incident handlers and a coordination platform: see the capacity need linked here.", Shared: true},
			economy.CommitmentInput{Agreement: "defa", Provision: "defa.einvoicing", What: "Adopt an e-invoicing standard interoperable with ASEAN partners",
				Deadline: day(id, 270), Status: economy.NotStarted, Shared: true},
			economy.CommitmentInput{Agreement: "defa", Provision: "defa.personal", What: "Bring personal data protection rules in line with the Personal Data Protection Law's implementing regulation",
				Deadline: day(id, 120), Status: economy.InProgress, Notes: "Internal: the regulation's draft is with the ministries.", Shared: false},
		); err != nil {
			return err
		}
	}
	if sg != nil {
		if err := add(sg, "weiming@csa-sg.demo",
			economy.CommitmentInput{Agreement: "depa", Provision: "depa.5.cyber", What: "Exchange of threat information between CERT teams of DEPA parties",
				Deadline: day(sg, -200), Status: economy.Implemented, Shared: true},
			economy.CommitmentInput{Agreement: "depa", Provision: "depa.7.identity", What: "Pilot mutual recognition of digital identities with a DEPA partner",
				Deadline: day(sg, 180), Status: economy.InProgress, Shared: true},
			economy.CommitmentInput{Agreement: "defa", Provision: "defa.flows", What: "Propose model contractual clauses for cross-border data flows in DEFA",
				Deadline: day(sg, 90), Status: economy.InProgress, Shared: true},
		); err != nil {
			return err
		}
	}
	return nil
}
