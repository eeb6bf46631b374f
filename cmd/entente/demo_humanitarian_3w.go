package main

import (
	"context"
	"fmt"
	"time"

	"entente.example/entente/modules/humanitarian"
)

// demoThreeW is the emergency's who does what where as BNPB's information
// manager keeps it: BNPB coordinates and reports each line, the
// organisation doing the work is its partner (the Indonesian Red Cross,
// UNICEF, WFP, IOM and Muhammadiyah's disaster centre, none of them on
// Entente in the demo), and Kemlu funds the AHA Centre's logistics. No
// WASH partner works in Banawa, where reports say the water is gone: the
// gaps show it.
func demoThreeW(ctx context.Context, n *node, e humanitarian.Emergency) error {
	as, err := actorFor(ctx, n, "lina@bnpb.demo")
	if err != nil {
		return err
	}
	now := n.db.Clock().Now().UTC()
	day := func(d int) string { return now.AddDate(0, 0, d).Format(time.DateOnly) }
	num := func(v int64) *int64 { return &v }
	people := func(total, women, men, girls, boys int64) humanitarian.People {
		if women+men+girls+boys == 0 {
			return humanitarian.People{Total: total}
		}
		return humanitarian.People{Total: total, Women: num(women), Men: num(men), Girls: num(girls), Boys: num(boys)}
	}
	type line struct {
		org, role, partner, partnerRole, sector, what, place, status string
		start, end                                                   int
		targeted, reached                                            humanitarian.People
	}
	lines := []line{
		{"bnpb", humanitarian.RoleAppealing, "Palang Merah Indonesia (PMI)", humanitarian.RoleImplementing, "wash", "Water trucking and tanks at displacement sites", "Palu Selatan", humanitarian.ActivityOngoing, -1, 30,
			people(6000, 1900, 1700, 1250, 1150), people(2400, 760, 680, 500, 460)},
		{"bnpb", humanitarian.RoleAppealing, "Palang Merah Indonesia (PMI)", humanitarian.RoleImplementing, "health", "Mobile first-aid posts and referral to field hospitals", "Sigi Biromaru", humanitarian.ActivityOngoing, -2, 21,
			people(3000, 0, 0, 0, 0), people(1150, 0, 0, 0, 0)},
		{"bnpb", humanitarian.RoleAppealing, "UNICEF Indonesia", humanitarian.RoleImplementing, "wash", "Hygiene kits and latrines for families in camps", "Palu Timur", humanitarian.ActivityOngoing, -1, 45,
			people(4000, 1200, 1000, 950, 850), people(900, 270, 230, 210, 190)},
		{"bnpb", humanitarian.RoleAppealing, "UNICEF Indonesia", humanitarian.RoleImplementing, "protection", "Child-friendly spaces and family tracing", "Palu Utara", humanitarian.ActivityPlanned, 2, 60,
			people(800, 0, 0, 420, 380), people(0, 0, 0, 0, 0)},
		{"bnpb", humanitarian.RoleAppealing, "World Food Programme", humanitarian.RoleImplementing, "food-security", "Rice and canned food distributions", "Dolo", humanitarian.ActivityOngoing, -1, 30,
			people(12000, 3800, 3600, 2400, 2200), people(5200, 1650, 1560, 1040, 950)},
		{"bnpb", humanitarian.RoleAppealing, "World Food Programme", humanitarian.RoleImplementing, "logistics", "Logistics hub at Mutiara SIS Al-Jufri airport", "Kota Palu", humanitarian.ActivityOngoing, -1, 90,
			people(0, 0, 0, 0, 0), people(0, 0, 0, 0, 0)},
		{"bnpb", humanitarian.RoleAppealing, "International Organization for Migration", humanitarian.RoleImplementing, "cccm", "Site management of displacement camps", "Palu Barat", humanitarian.ActivityOngoing, 0, 90,
			people(9000, 0, 0, 0, 0), people(3100, 0, 0, 0, 0)},
		{"bnpb", humanitarian.RoleAppealing, "International Organization for Migration", humanitarian.RoleImplementing, "shelter", "Tents and tarpaulins", "Tatanga", humanitarian.ActivityCompleted, -2, -1,
			people(1500, 0, 0, 0, 0), people(1500, 0, 0, 0, 0)},
		{"bnpb", humanitarian.RoleAppealing, "Muhammadiyah Disaster Management Center", humanitarian.RoleImplementing, "shelter", "Shelter kits and emergency shelters", "Banawa", humanitarian.ActivityOngoing, -1, 60,
			people(2500, 800, 700, 520, 480), people(600, 190, 170, 125, 115)},
		{"bnpb", humanitarian.RoleImplementing, "", "", "telecom", "Satellite telephones for district command posts", "Sigi", humanitarian.ActivityCompleted, -2, -1,
			people(0, 0, 0, 0, 0), people(0, 0, 0, 0, 0)},
	}
	for _, l := range lines {
		a := humanitarian.Activity{Role: l.role, Partner: l.partner, PartnerRole: l.partnerRole, Sector: l.sector, Activity: l.what, Place: l.place,
			Status: l.status, StartOn: day(l.start), EndOn: day(l.end), Targeted: l.targeted, Reached: l.reached}
		if _, err := n.svcs.Humanitarian.CreateActivity(as, e.ID, l.org, a); err != nil {
			return fmt.Errorf("demo 3W: %s: %w", l.what, err)
		}
	}
	// Kemlu funds the AHA Centre's logistics support: its own line.
	if kemlu, err := actorFor(ctx, n, "bima@kemlu.demo"); err == nil {
		a := humanitarian.Activity{Role: humanitarian.RoleFunding, Partner: "AHA Centre (ASEAN-ERAT)", PartnerRole: humanitarian.RoleImplementing, Sector: "logistics",
			Activity: "ASEAN Emergency Response and Assessment Team deployment", Place: "Kota Palu", Status: humanitarian.ActivityCompleted, StartOn: day(-2), EndOn: day(0)}
		if _, err := n.svcs.Humanitarian.CreateActivity(kemlu, e.ID, "kemlu", a); err != nil {
			return fmt.Errorf("demo 3W: Kemlu: %w", err)
		}
	}
	return nil
}
