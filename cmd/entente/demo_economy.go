package main

import (
	"context"
	"fmt"
	"strings"

	"entente.example/entente/core"
	"entente.example/entente/modules/capacity"
	"entente.example/entente/modules/dialogue"
	"entente.example/entente/modules/economy"
)

// demoEconomy gives the demo Indonesia's and Singapore's commitments under
// DEPA and ASEAN DEFA, kept by Kemlu and CSA on whichever node holds them:
// Indonesia's CSIRT cooperation under DEFA's cybersecurity provision is
// past its deadline (its people see it under "Needs your attention"), and
// Kemlu posts the public capacity need that would help meet it, linked to
// the commitment. Kemlu's ASEAN–Australia digital trade forum (demoEvents,
// which runs before this) is linked to ASEAN DEFA: the forum stays an
// event, and the agreement's page points to it. Deadlines are relative to
// the node's clock, so the overdue one stays overdue.
func demoEconomy(ctx context.Context, nodes []*node) error {
	where, err := orgNodes(ctx, nodes)
	if err != nil {
		return err
	}
	add := func(n *node, email string, ins ...economy.CommitmentInput) ([]economy.Commitment, error) {
		as, err := actorFor(ctx, n, email)
		if err != nil {
			return nil, err
		}
		ms := core.ActorFrom(as).Memberships
		if len(ms) == 0 {
			return nil, fmt.Errorf("demo economy: %s has no organisation", email)
		}
		var out []economy.Commitment
		for _, in := range ins {
			in.Org = ms[0].Org.ID
			c, err := n.svcs.Economy.CreateCommitment(as, in)
			if err != nil {
				return nil, fmt.Errorf("demo economy: %s: %w", in.What, err)
			}
			out = append(out, c)
		}
		return out, nil
	}
	id, sg := where["kemlu"], where["csa-sg"]
	day := func(n *node, days int) string {
		return n.db.Clock().Now().AddDate(0, 0, days).UTC().Format("2006-01-02")
	}
	if id != nil {
		cs, err := add(id, "bima@kemlu.demo",
			economy.CommitmentInput{Agreement: "defa", Provision: "defa.cyber", What: "Stand up a national CSIRT able to cooperate with ASEAN partners on threats to the digital economy",
				Deadline: day(id, -45), Status: economy.InProgress, Notes: "Needs trained incident handlers and a coordination platform: see the capacity need linked here.", Shared: true},
			economy.CommitmentInput{Agreement: "defa", Provision: "defa.einvoicing", What: "Adopt an e-invoicing standard interoperable with ASEAN partners",
				Deadline: day(id, 270), Status: economy.NotStarted, Shared: true},
			economy.CommitmentInput{Agreement: "defa", Provision: "defa.personal", What: "Bring personal data protection rules in line with the Personal Data Protection Law's implementing regulation",
				Deadline: day(id, 120), Status: economy.InProgress, Notes: "Internal: the regulation's draft is with the ministries.", Shared: false},
		)
		if err != nil {
			return err
		}
		if err := demoEconomyLinks(ctx, id, cs[0]); err != nil {
			return err
		}
	}
	if sg != nil {
		if _, err := add(sg, "weiming@csa-sg.demo",
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

// demoEconomyLinks posts Kemlu's capacity need behind Indonesia's
// cybersecurity commitment and links the two, and links Kemlu's digital
// trade forum to ASEAN DEFA, as Kemlu's officer would on the pages.
func demoEconomyLinks(ctx context.Context, n *node, cyber economy.Commitment) error {
	if n.svcs.Links == nil || n.svcs.Capacity == nil {
		return nil
	}
	bima, err := actorFor(ctx, n, "bima@kemlu.demo")
	if err != nil {
		return err
	}
	day := func(days int) string { return n.db.Clock().Now().AddDate(0, 0, days).UTC().Format("2006-01-02") }
	need, err := n.svcs.Capacity.PostNeed(bima, "kemlu", capacity.Need{Title: "Incident handlers and a coordination platform for ASEAN DEFA's cybersecurity cooperation",
		Description: "To meet its commitment under ASEAN DEFA's cybersecurity provision, Indonesia needs incident handlers trained for cross-border cases " +
			"with ASEAN partners and a platform to coordinate them with the region's CSIRTs. " +
			"Untuk memenuhi komitmennya pada ketentuan keamanan siber ASEAN DEFA, Indonesia membutuhkan penanganan insiden yang terlatih untuk kasus lintas batas " +
			"bersama mitra ASEAN dan platform untuk berkoordinasi dengan CSIRT di kawasan.",
		Topics: []string{"incident-response", "workforce"}, Country: "ID", Priority: capacity.High, Languages: []string{"id", "en"},
		From: day(14), To: day(380), Visibility: capacity.Public})
	if err != nil {
		return fmt.Errorf("demo economy: Kemlu's need: %w", err)
	}
	if err := n.svcs.Links.Link(bima, economy.LinkRef(cyber), capacity.NeedRef(need.ID)); err != nil {
		return fmt.Errorf("demo economy: link the need: %w", err)
	}
	if n.svcs.Events == nil {
		return nil
	}
	evs, err := n.svcs.Events.List(bima, dialogue.EventListFilter{Org: "kemlu"})
	if err != nil {
		return fmt.Errorf("demo economy: events: %w", err)
	}
	for _, e := range evs {
		if strings.Contains(e.Title, "Digital Trade and Investment Forum") {
			defa := economy.AgreementRef(economy.Agreement{ID: "defa"})
			if err := n.svcs.Links.Link(bima, defa, core.Ref{Module: "events", Kind: "event", ID: e.ID}); err != nil {
				return fmt.Errorf("demo economy: link the forum: %w", err)
			}
		}
	}
	return nil
}
