package main

import (
	"context"
	"fmt"

	"entente.example/entente/core"
	"entente.example/entente/modules/capacity"
)

// demoCapacity gives the demo Timor-Leste's need for a national CSIRT
// (posted by its foreign ministry, MNEC), offers from Australia's DFAT and
// Japan's MOFA that the need's page suggests with their reasons, DFAT's
// and Japan's past projects, both proposals, and DFAT's accepted: the
// project it became. The three organisations are on the same node (the
// ASEAN node in the three-node demo). Then the Clearing House across
// nodes: Indonesia's BSSN posts a public need on its own node, and DFAT
// proposes its offer for it from the ASEAN node, where the need arrived
// as a copy; the proposal waits on Indonesia's node under BSSN's "Needs
// your attention". Dates are relative to the node's clock.
func demoCapacity(ctx context.Context, nodes []*node) error {
	where, err := orgNodes(ctx, nodes)
	if err != nil {
		return err
	}
	n := where["mnec-tl"]
	if n == nil || where["dfat-au"] != n || where["mofa-jp"] != n {
		return nil
	}
	auOffer, err := demoCapacityTL(ctx, n)
	if err != nil {
		return err
	}
	if id := where["bssn"]; id != nil {
		return demoCapacityAcross(ctx, id, n, auOffer)
	}
	return nil
}

// demoCapacityTL is Timor-Leste's need matched, on one node; it returns
// DFAT's offer.
func demoCapacityTL(ctx context.Context, n *node) (capacity.Offer, error) {
	svc := n.svcs.Capacity
	tl, err := actorFor(ctx, n, "ana@mnec-tl.demo")
	if err != nil {
		return capacity.Offer{}, err
	}
	au, err := actorFor(ctx, n, "olivia@dfat-au.demo")
	if err != nil {
		return capacity.Offer{}, err
	}
	jp, err := actorFor(ctx, n, "kenji@mofa-jp.demo")
	if err != nil {
		return capacity.Offer{}, err
	}
	day := func(days int) string { return n.db.Clock().Now().AddDate(0, 0, days).UTC().Format("2006-01-02") }
	fail := func(what string, err error) error { return fmt.Errorf("demo capacity: %s: %w", what, err) }
	if _, err := svc.Create(au, "dfat-au", capacity.Project{Title: "Pacific and South-East Asia CERT development", Summary: "Mentoring and tooling for young national CERTs.",
		Topics: []string{"csirt", "incident-response"}, Funders: []string{"dfat-au@" + n.fed.Host()}, Implementers: []string{"CERT Australia", "APNIC"},
		Countries: []string{"TL", "FJ", "PG"}, Regions: []string{"pacific"}, Budget: 2400000, Currency: "AUD", Start: day(-900), End: day(-120), Status: capacity.Completed,
		Outputs: []string{"Three national CERTs mentored", "Incident-handling playbooks"}, Contact: "cyber.affairs@dfat.example", Visibility: capacity.Public}); err != nil {
		return capacity.Offer{}, fail("DFAT's project", err)
	}
	if _, err := svc.Create(jp, "mofa-jp", capacity.Project{Title: "ASEAN-Japan Cybersecurity Capacity Building Centre courses", Summary: "Hands-on incident-response and exercise courses for ASEAN member states.",
		Topics: []string{"exercises", "workforce"}, Funders: []string{"mofa-jp@" + n.fed.Host()}, Implementers: []string{"AJCCBC"},
		Countries: []string{"ID", "KH", "LA", "MM", "VN"}, Regions: []string{"southeast-asia"}, Budget: 900000000, Currency: "JPY", Start: day(-400), End: day(330),
		Status: capacity.Ongoing, Visibility: capacity.Public}); err != nil {
		return capacity.Offer{}, fail("Japan's project", err)
	}
	need, err := svc.PostNeed(tl, "mnec-tl", capacity.Need{Title: "A national CSIRT for Timor-Leste",
		Description: "Timor-Leste has no national CSIRT yet. It needs help to set one up: mandate, staff, training of its first incident handlers, and a link to regional CERT networks.",
		Topics:      []string{"csirt", "incident-response"}, Country: "TL", Priority: capacity.High, Languages: []string{"en", "pt", "tet"}, From: day(60), To: day(425),
		Visibility: capacity.Public})
	if err != nil {
		return capacity.Offer{}, fail("Timor-Leste's need", err)
	}
	auOffer, err := svc.PostOffer(au, "dfat-au", capacity.Offer{Title: "Cyber and Critical Technology Cooperation: CSIRT development",
		Description: "Advisers and mentoring for states setting up a national CSIRT.", Topics: []string{"csirt", "incident-response"},
		Regions: []string{"southeast-asia", "pacific"}, Languages: []string{"en"}, From: day(0), To: day(730), BudgetMin: 200000, BudgetMax: 1500000, Currency: "AUD",
		Visibility: capacity.Public})
	if err != nil {
		return capacity.Offer{}, fail("DFAT's offer", err)
	}
	jpOffer, err := svc.PostOffer(jp, "mofa-jp", capacity.Offer{Title: "Incident-handler training at the AJCCBC",
		Description: "Places on the Centre's incident-response and exercise courses.", Topics: []string{"csirt", "exercises", "workforce"},
		Countries: []string{"TL", "KH", "LA", "MM", "VN"}, Languages: []string{"en", "ja"}, From: day(120), To: day(480), Visibility: capacity.Public})
	if err != nil {
		return capacity.Offer{}, fail("Japan's offer", err)
	}
	p, err := svc.Propose(au, need.ID, auOffer.ID, "We can send two advisers in the first quarter and fund the CSIRT's first year.")
	if err != nil {
		return capacity.Offer{}, fail("DFAT's proposal", err)
	}
	if _, err := svc.Propose(jp, need.ID, jpOffer.ID, "Places for four incident handlers on next year's courses."); err != nil {
		return capacity.Offer{}, fail("Japan's proposal", err)
	}
	if _, err := svc.Decide(tl, need.ID, p.ID, true); err != nil {
		return capacity.Offer{}, fail("accepting DFAT's proposal", err)
	}
	return auOffer, nil
}

// demoCapacityAcross has BSSN post a public need on Indonesia's node (id)
// and DFAT propose its offer for it from its own node (au), once the
// need's copy is there; it returns when the proposal waits on id for
// BSSN's decision. On a single node the same happens without crossing.
func demoCapacityAcross(ctx context.Context, id, au *node, offer capacity.Offer) error {
	fail := func(what string, err error) error { return fmt.Errorf("demo capacity across nodes: %s: %w", what, err) }
	agus, err := actorFor(ctx, id, "agus@bssn.demo")
	if err != nil {
		return err
	}
	olivia, err := actorFor(ctx, au, "olivia@dfat-au.demo")
	if err != nil {
		return err
	}
	day := func(days int) string { return id.db.Clock().Now().AddDate(0, 0, days).UTC().Format("2006-01-02") }
	need, err := id.svcs.Capacity.PostNeed(agus, "bssn", capacity.Need{Title: "Sector CSIRTs for Indonesia's critical infrastructure",
		Description: "BSSN is setting up CSIRTs for the energy, finance and health sectors. It needs advisers to shape their mandates and " +
			"mentor their first incident handlers, and links to the region's CERTs. " +
			"BSSN sedang membentuk CSIRT sektor energi, keuangan dan kesehatan, dan membutuhkan penasihat serta pendampingan bagi penanganan insiden pertamanya.",
		Topics: []string{"csirt", "incident-response"}, Country: "ID", Priority: capacity.High, Languages: []string{"id", "en"}, From: day(30), To: day(400),
		Visibility: capacity.Public})
	if err != nil {
		return fail("BSSN's need", err)
	}
	// The need crosses to the ASEAN node as a signed copy in its own time.
	if err := demoWait(ctx, "BSSN's need on DFAT's node", func() (bool, error) {
		_, err := au.svcs.Capacity.GetNeed(olivia, need.ID)
		if core.KindOf(err) == core.KindNotFound {
			return false, nil
		}
		return err == nil, err
	}); err != nil {
		return err
	}
	if _, err := au.svcs.Capacity.Propose(olivia, need.ID, offer.ID, "Our CSIRT advisers can work with BSSN on the three sector CSIRTs from next quarter."); err != nil {
		return fail("DFAT's proposal", err)
	}
	return demoWait(ctx, "DFAT's proposal on Indonesia's node", func() (bool, error) {
		ws, err := id.svcs.Capacity.Waiting(agus)
		for _, w := range ws {
			if w.NeedID == need.ID {
				return true, nil
			}
		}
		return false, err
	})
}
