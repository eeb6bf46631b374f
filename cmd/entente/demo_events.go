package main

import (
	"context"
	"fmt"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/modules/dialogue"
)

// demoEvents gives the demo three events of Kemlu's, in Canberra's time:
// a public cultural evening of the embassy (KBRI Canberra) that anyone
// may register for without an account; the ASEAN–Australia Digital Trade
// and Investment Forum, with its few places taken and a waiting list;
// and a past briefing with its minutes and outcomes. Times are relative
// to the node's clock, so the demo's events are always to come.
func demoEvents(ctx context.Context, nodes []*node) error {
	where, err := orgNodes(ctx, nodes)
	if err != nil {
		return err
	}
	id := where["kemlu"]
	if id == nil {
		return nil
	}
	ev := id.svcs.Events
	sari, err := actorFor(ctx, id, "sari@kemlu.demo")
	if err != nil {
		return err
	}
	bima, err := actorFor(ctx, id, "bima@kemlu.demo")
	if err != nil {
		return err
	}
	dewi, err := actorFor(ctx, id, "dewi@kemlu.demo")
	if err != nil {
		return err
	}
	syd, err := time.LoadLocation("Australia/Sydney")
	if err != nil {
		return err
	}
	now := id.db.Clock().Now().In(syd)
	day := func(days, hour, minute int) time.Time {
		d := now.AddDate(0, 0, days)
		return time.Date(d.Year(), d.Month(), d.Day(), hour, minute, 0, 0, syd).UTC()
	}
	embassy := "Embassy of the Republic of Indonesia (KBRI Canberra)"
	address := "8 Darwin Avenue, Yarralumla ACT 2600, Australia"
	create := func(in dialogue.Event) (dialogue.Event, error) {
		e, err := ev.Create(bima, "kemlu", in)
		if err != nil {
			return e, fmt.Errorf("demo events: %s: %w", in.Title, err)
		}
		return e, nil
	}
	evening, err := create(dialogue.Event{Kind: "public", Title: "Malam Budaya Indonesia — An Evening of Indonesian Culture",
		Description: "Gamelan, Balinese dance and Indonesian food at the embassy, with a short talk on Indonesia–Australia people-to-people ties. " +
			"Gamelan, tari Bali dan kuliner Indonesia di KBRI, dengan bincang singkat tentang hubungan antarmasyarakat Indonesia–Australia.",
		Languages: []string{"en", "id"}, VenueName: embassy, VenueAddress: address, Zone: "Australia/Sydney",
		Start: day(10, 18, 30), End: day(10, 21, 0), Capacity: 120, RegistrationOpen: true, Audience: dialogue.EventPublic,
		Agenda: []dialogue.EventAgendaItem{{Time: "18:30", Title: "Welcome", Speaker: "Ambassador of Indonesia to Australia"},
			{Time: "18:45", Title: "Gamelan ensemble"}, {Time: "19:15", Title: "Balinese dance: Tari Pendet"}, {Time: "19:45", Title: "Indonesian dinner"}},
		Speakers: []dialogue.EventSpeaker{{Name: "Ambassador of Indonesia to Australia", Affiliation: "KBRI Canberra"}}})
	if err != nil {
		return err
	}
	forum, err := create(dialogue.Event{Kind: "forum", Title: "ASEAN–Australia Digital Trade and Investment Forum",
		Description: "E-commerce and cross-border investment after the ASEAN Digital Economy Framework Agreement: payments, data flows, " +
			"consumer protection online, and where Australian investors meet Indonesian platforms.",
		Languages: []string{"en"}, VenueName: embassy, VenueAddress: address, OnlineURL: "https://meet.kemlu.example/asean-australia-digital-forum",
		Zone: "Australia/Sydney", Start: day(21, 9, 0), End: day(21, 13, 0), Capacity: 5, RegistrationOpen: true, Audience: dialogue.EventPublic,
		InviteEmails: []string{"trade@austrade.example", "digital@kadin.example"},
		Agenda: []dialogue.EventAgendaItem{{Time: "09:00", Title: "Opening remarks", Speaker: "Sari Wulandari"},
			{Time: "09:20", Title: "Panel: cross-border e-commerce and payments", Speaker: "Dewi Lestari"},
			{Time: "10:30", Title: "Panel: investing in Indonesia's digital economy"},
			{Time: "12:00", Title: "Business matching", Speaker: ""}},
		Speakers: []dialogue.EventSpeaker{{Name: "Sari Wulandari", Affiliation: "Kemlu", Bio: "Director, International Security."},
			{Name: "Dewi Lestari", Affiliation: "Kemlu", Bio: "Policy analyst on the digital economy."}}})
	if err != nil {
		return err
	}
	if _, err := ev.Register(sari, forum.ID); err != nil {
		return fmt.Errorf("demo events: register: %w", err)
	}
	if _, err := ev.Register(dewi, forum.ID); err != nil {
		return fmt.Errorf("demo events: register: %w", err)
	}
	public := core.WithRequest(ctx, core.RequestInfo{ID: "demo"})
	for _, p := range [][2]string{{"Liam Nguyen", "liam@fintech.example"}, {"Putri Anggraini", "putri@marketplace.example"},
		{"Hannah Walsh", "hannah@investor.example"}, {"Rizky Pratama", "rizky@logistics.example"}, {"Grace Lim", "grace@payments.example"}} {
		if _, _, err := ev.RegisterPublic(public, forum.ID, p[0], p[1], "en"); err != nil {
			return fmt.Errorf("demo events: register %s: %w", p[1], err)
		}
	}
	if _, _, err := ev.RegisterPublic(public, evening.ID, "Budi Santoso", "budi@canberra.example", "id"); err != nil {
		return fmt.Errorf("demo events: register: %w", err)
	}
	past, err := create(dialogue.Event{Kind: "briefing", Title: "Briefing on the ASEAN Digital Economy Framework Agreement",
		Description: "Where the negotiations stand, for the ministry's desks.", Languages: []string{"id"},
		OnlineURL: "https://meet.kemlu.example/defa-briefing", Zone: "Asia/Jakarta",
		Start: day(-7, 12, 0), End: day(-7, 13, 0), Audience: dialogue.EventOrg})
	if err != nil {
		return err
	}
	if _, err := ev.Record(bima, past.ID, "Ringkasan posisi perundingan DEFA: bab pembayaran lintas batas hampir selesai; bab aliran data masih terbuka.",
		"Desk ASEAN menyiapkan catatan posisi sebelum putaran berikutnya."); err != nil {
		return fmt.Errorf("demo events: minutes: %w", err)
	}
	return nil
}
