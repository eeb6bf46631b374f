package main

import (
	"context"
	"fmt"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/modules/humanitarian"
)

// demoHumanitarianFunding gives the demo earthquake BNPB's flash appeal
// and four contributions to it, each showing one thing the funding pages
// must show: Australia's payment, confirmed as received with the same
// figures; Japan's commitment, which BNPB confirmed with a smaller amount
// (a difference both nodes show); the AHA Centre's pledge, which is not
// counted as funding; and Kemlu's payment in rupiah at a rate, which
// still waits for BNPB's confirmation (the one item of funding under
// BNPB's "Needs your attention") and so is shown apart, as reported, not
// counted. Donors on another node than BNPB's
// report through federation, and the demo waits for each claim and
// confirmation to cross; on a single node everything stays local.
func demoHumanitarianFunding(ctx context.Context, nodes []*node, e *humanitarian.Emergency) error {
	where, err := orgNodes(ctx, nodes)
	if err != nil {
		return err
	}
	n := where["bnpb"]
	if n == nil || e == nil {
		return nil
	}
	fail := func(what string, err error) error { return fmt.Errorf("demo humanitarian funding: %s: %w", what, err) }
	yusuf, err := actorFor(ctx, n, "yusuf@bnpb.demo")
	if err != nil {
		return err
	}
	lina, err := actorFor(ctx, n, "lina@bnpb.demo")
	if err != nil {
		return err
	}
	now := n.db.Clock().Now().UTC()
	day := func(days int) string { return now.AddDate(0, 0, days).Format(time.DateOnly) }
	const usd = 100_000_000 // a rate of 1, in 10^-8
	appeal, err := n.svcs.Humanitarian.CreateAppeal(yusuf, e.ID, "bnpb", humanitarian.Appeal{
		Title: "Central Sulawesi earthquake: BNPB flash appeal (demo)", Currency: "USD", RateE8: usd, StartsOn: e.StartedOn, EndsOn: day(180),
		Summary: "What BNPB needs for the first six months of the response to the demo earthquake, by sector, in US dollars. " +
			"Give through the official channels below only; nothing is paid through this node.",
		Needs: []humanitarian.Requirement{
			{Sector: "shelter", Amount: 4_500_000_00}, {Sector: "wash", Amount: 2_000_000_00}, {Sector: "health", Amount: 1_800_000_00},
			{Sector: "food-security", Amount: 3_000_000_00}, {Sector: "logistics", Amount: 1_200_000_00},
		},
		Channels: []humanitarian.Channel{
			{Name: "BNPB disaster relief account (demo)", Details: "A demo entry: the national disaster management agency's public donation account would be given here, with its bank and account number."},
			{Name: "Palang Merah Indonesia (Indonesian Red Cross)", URL: "https://pmi.or.id", Details: "An example of a national society's donation page."},
		},
	})
	if err != nil {
		return fail("appeal", err)
	}
	type contribution struct {
		donor, as, sector, amount, currency, rate, status, date, description string
		confirm                                                              *humanitarian.ConfirmInput
	}
	list := []contribution{
		{"dfat-au", "olivia@dfat-au.demo", "shelter", "500,000", "USD", "", humanitarian.FlowPaid, day(-1),
			"Emergency shelter kits and tarpaulins for families displaced in Palu and Sigi.",
			&humanitarian.ConfirmInput{Sector: "shelter", Amount: "500,000", Currency: "USD", Status: humanitarian.FlowPaid, Date: day(0),
				Note: "Received in full."}},
		{"mofa-jp", "kenji@mofa-jp.demo", "health", "1,000,000", "USD", "", humanitarian.FlowCommitted, day(-1),
			"Emergency grant aid for field hospitals and medical supplies.",
			&humanitarian.ConfirmInput{Sector: "health", Amount: "800,000", Currency: "USD", Status: humanitarian.FlowCommitted, Date: day(0),
				Note: "The grant agreement BNPB signed is for USD 800,000; the rest goes through the Japanese Red Cross."}},
		{"aha-centre", "mai@aha.demo", "logistics", "250,000", "USD", "", humanitarian.FlowPledged, day(-1),
			"Relief items from the DELSA stockpile and their transport to Palu.",
			&humanitarian.ConfirmInput{Sector: "logistics", Amount: "250,000", Currency: "USD", Status: humanitarian.FlowPledged, Date: day(0),
				Note: "Pledge noted; the items are expected next week."}},
		// 4.8 billion rupiah at 16,000 to the dollar is USD 300,000.
		{"kemlu", "bima@kemlu.demo", "food-security", "4,800,000,000", "IDR", "0.0000625", humanitarian.FlowPaid, day(0),
			"Food parcels for evacuation sites, from the foreign ministry's humanitarian budget.", nil},
	}
	for _, c := range list {
		dn := where[c.donor]
		if dn == nil {
			continue
		}
		donor, err := actorFor(ctx, dn, c.as)
		if err != nil {
			return err
		}
		in := humanitarian.FlowInput{Donor: c.donor, Recipient: "bnpb@" + n.fed.Host(), Sector: c.sector, Amount: c.amount, Currency: c.currency,
			Rate: c.rate, Status: c.status, Date: c.date, Description: c.description}
		if dn == n {
			in.EmergencyID, in.AppealID = e.ID, appeal.ID
		} else {
			in.RefURL, in.RefTitle = n.baseURL+"/humanitarian/appeals/"+appeal.ID, appeal.Title
		}
		f, err := dn.svcs.Humanitarian.ReportFlow(donor, in)
		if err != nil {
			return fail(c.donor+"'s contribution", err)
		}
		if dn != n {
			if err := demoWait(ctx, c.donor+"'s contribution on BNPB's node", func() (bool, error) {
				_, err := n.svcs.Humanitarian.Flow(ctx, f.ID)
				if core.KindOf(err) == core.KindNotFound {
					return false, nil
				}
				return err == nil, err
			}); err != nil {
				return err
			}
		}
		if c.confirm == nil {
			continue
		}
		if _, err := n.svcs.Humanitarian.Confirm(lina, f.ID, *c.confirm); err != nil {
			return fail("BNPB's confirmation of "+c.donor+"'s contribution", err)
		}
		if dn != n {
			if err := demoWait(ctx, "BNPB's confirmation on "+c.donor+"'s node", func() (bool, error) {
				got, err := dn.svcs.Humanitarian.Flow(ctx, f.ID)
				return err == nil && got.Confirmation != nil, err
			}); err != nil {
				return err
			}
		}
	}
	return nil
}
