package main

import (
	"context"
	"fmt"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/store"
	"entente.example/entente/modules/norms"
)

// demoReports publishes two national implementation reports (Indonesia's
// and Singapore's, each on the node that holds the state, Indonesia's in two
// versions), leaves Malaysia's in draft, and links two incidents to norm (f).
// Every node receives the signed copies, so each compares the two states.
func demoReports(ctx context.Context, nodes []*node) error {
	where, err := orgNodes(ctx, nodes)
	if err != nil {
		return err
	}
	reports := []struct {
		org, drafter, focal, title string
		publish                    bool
		answers                    []norms.Answer
	}{
		{"kemlu", "dewi@kemlu.demo", "sari@kemlu.demo", "Survei nasional pelaksanaan norma 2026", true, []norms.Answer{
			{Section: norms.Section{Part: "international-law"}, Measures: "Indonesia's position paper on the application of international law to cyberspace is in preparation with BSSN and the Ministry of Law.", Gaps: "Training for legal advisers on state responsibility."},
			{Section: norms.Section{Part: "norms", Norm: "f"}, Measures: "Critical information infrastructure protection regulation (Perpres 82/2022) designates operators and sets incident reporting.", Links: "https://peraturan.bpk.go.id/Details/221325/perpres-no-82-tahun-2022"},
			{Section: norms.Section{Part: "norms", Norm: "g"}, Measures: "Sectoral CSIRTs for energy, finance and health coordinate with the national CSIRT.", Challenges: "Uneven maturity across provinces.", Gaps: "Exercises for operators outside Java."},
			{Section: norms.Section{Part: "norms", Norm: "h"}, Measures: "The national CSIRT answers requests for assistance through the ASEAN and UN points-of-contact networks."},
			{Section: norms.Section{Part: "cbms"}, Measures: "Diplomatic and technical points of contact nominated to the UN and ASEAN directories; communication checks answered."},
			{Section: norms.Section{Part: "capacity-building"}, Measures: "Hosts regional trainings for ASEAN CERTs.", Gaps: "Cyber diplomacy curriculum for junior diplomats."},
		}},
		{"csa-sg", "weiming@csa-sg.demo", "weiming@csa-sg.demo", "National survey of implementation 2026", true, []norms.Answer{
			{Section: norms.Section{Part: "norms", Norm: "f"}, Measures: "The Cybersecurity Act designates critical information infrastructure and duties of its owners."},
			{Section: norms.Section{Part: "norms", Norm: "j"}, Measures: "A vulnerability disclosure programme for government systems.", Links: "https://www.csa.gov.sg"},
			{Section: norms.Section{Part: "cbms"}, Measures: "Points of contact nominated in the UN, ASEAN and bilateral networks."},
		}},
		{"kln-my", "nurul@kln-my.demo", "nurul@kln-my.demo", "National survey 2026 (draft)", false, []norms.Answer{
			{Section: norms.Section{Part: "norms", Norm: "a"}, Measures: "Draft: cooperation through the ASEAN Ministerial Conference on Cybersecurity."},
		}},
	}
	for _, d := range reports {
		n := where[d.org]
		drafter, err := actorFor(ctx, n, d.drafter)
		if err != nil {
			return err
		}
		r, err := n.svcs.Norms.Create(drafter, norms.ReportInput{Org: d.org, Title: d.title, Audience: "public"})
		if err != nil {
			return fmt.Errorf("demo report %s: %w", d.org, err)
		}
		for _, a := range d.answers {
			if err := n.svcs.Norms.SaveAnswer(drafter, r.ID, a); err != nil {
				return fmt.Errorf("demo report %s: %w", d.org, err)
			}
		}
		if !d.publish {
			continue
		}
		focal, err := actorFor(ctx, n, d.focal)
		if err != nil {
			return err
		}
		if _, err := n.svcs.Norms.Transition(drafter, r.ID, norms.ActSubmit); err != nil {
			return err
		}
		for _, act := range []string{norms.ActApprove, norms.ActPublish} {
			if _, err := n.svcs.Norms.Transition(focal, r.ID, act); err != nil {
				return fmt.Errorf("demo report %s %s: %w", d.org, act, err)
			}
		}
	}
	if err := demoReportVersion(ctx, where["kemlu"]); err != nil {
		return err
	}
	if err := waitReportCopies(ctx, nodes, 2); err != nil {
		return err
	}
	// Incidents implicating norm (f), as an incident register will record
	// them: one public, one for Indonesia's organisations only.
	n := where["kemlu"]
	var kemlu string
	if err := n.db.R().Get(ctx, &kemlu, `SELECT id FROM organisations WHERE handle = 'kemlu'`); err != nil {
		return err
	}
	return n.db.WithTx(ctx, func(tx *store.Tx) error {
		if err := n.svcs.Norms.AddLink(ctx, tx, norms.Link{Norm: "f", Kind: "incident", Ref: "demo-1", Title: "Ransomware at a regional port operator (public summary)", TLP: core.TLPClear}); err != nil {
			return err
		}
		return n.svcs.Norms.AddLink(ctx, tx, norms.Link{Norm: "f", Kind: "incident", Ref: "demo-2", Title: "Intrusion at a power distribution company", TLP: core.TLPAmber, OrgID: kemlu})
	})
}

// demoReportVersion publishes the next version of Indonesia's report: it
// supersedes the first on every node, and both stay on the report's page.
func demoReportVersion(ctx context.Context, n *node) error {
	drafter, err := actorFor(ctx, n, "dewi@kemlu.demo")
	if err != nil {
		return err
	}
	focal, err := actorFor(ctx, n, "sari@kemlu.demo")
	if err != nil {
		return err
	}
	pub, _, err := n.svcs.Norms.Reports(ctx, norms.ReportFilter{Country: "ID"})
	if err != nil || len(pub) == 0 {
		return fmt.Errorf("demo report version: %v", err)
	}
	r, err := n.svcs.Norms.NewVersion(drafter, pub[0].ID)
	if err != nil {
		return fmt.Errorf("demo report version: %w", err)
	}
	if err := n.svcs.Norms.SaveAnswer(drafter, r.ID, norms.Answer{Section: norms.Section{Part: "norms", Norm: "f"},
		Measures:   "Critical information infrastructure protection regulation (Perpres 82/2022) designates operators and sets incident reporting; sector regulators issued implementing rules in 2026.",
		Challenges: "Smaller operators lack security staff.", Links: "https://peraturan.bpk.go.id/Details/221325/perpres-no-82-tahun-2022"}); err != nil {
		return fmt.Errorf("demo report version: %w", err)
	}
	if _, err := n.svcs.Norms.Transition(drafter, r.ID, norms.ActSubmit); err != nil {
		return err
	}
	for _, act := range []string{norms.ActApprove, norms.ActPublish} {
		if _, err := n.svcs.Norms.Transition(focal, r.ID, act); err != nil {
			return fmt.Errorf("demo report version %s: %w", act, err)
		}
	}
	return nil
}

// waitReportCopies waits until every node lists the public reports of at
// least states different states, its own and the copies its peers sent.
func waitReportCopies(ctx context.Context, nodes []*node, states int) error {
	deadline := time.Now().Add(30 * time.Second)
	for _, n := range nodes {
		for {
			pub, _, err := n.svcs.Norms.Reports(ctx, norms.ReportFilter{})
			if err != nil {
				return err
			}
			seen := map[string]bool{}
			for _, r := range pub {
				seen[r.Country] = true
			}
			if len(seen) >= states {
				break
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("demo reports: %s lists %d states, want %d", n.baseURL, len(seen), states)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	return nil
}
