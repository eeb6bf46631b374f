package main

import (
	"context"
	"fmt"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/modules/humanitarian"
)

// demoHumanitarian gives the demo an earthquake in Central Sulawesi, two
// days old on the node's clock, led by BNPB on Indonesia's node: reports
// from the public form, by SMS and by e-mail, most verified by BNPB's
// information manager, one rejected as a duplicate, a few still waiting
// (her "Needs your attention"). The emergency is invented for the demo;
// its places are real, from the shipped gazetteer.
func demoHumanitarian(ctx context.Context, nodes []*node) (*humanitarian.Emergency, error) {
	where, err := orgNodes(ctx, nodes)
	if err != nil {
		return nil, err
	}
	n := where["bnpb"]
	if n == nil {
		return nil, nil
	}
	lead, err := actorFor(ctx, n, "yusuf@bnpb.demo")
	if err != nil {
		return nil, err
	}
	now := n.db.Clock().Now().UTC()
	e, err := n.svcs.Humanitarian.CreateEmergency(lead, "bnpb", humanitarian.Emergency{
		Title: "Gempa Sulawesi Tengah (demo)", Kind: "earthquake", Country: "ID", Areas: []string{"ID7271", "ID7210", "ID7205"},
		StartedOn: now.AddDate(0, 0, -2).Format(time.DateOnly), Languages: []string{"id", "en"}, SMSNumber: "+62 811 4500 112",
		Summary: "A magnitude 7.4 earthquake (a demo scenario) struck near Donggala in the evening, followed by a tsunami in Palu Bay and liquefaction in Petobo and Balaroa. BNPB leads the response; the AHA Centre supports it.",
	})
	if err != nil {
		return nil, fmt.Errorf("demo humanitarian: emergency: %w", err)
	}
	type rep struct {
		channel, text, category, place string
		lat, lon                       float64
		hoursAgo                       int
		contact                        string
		verdict, reason                string
	}
	reports := []rep{
		{humanitarian.ChannelSMS, "3 orang terjebak di reruntuhan rumah, Jl. Sungai Manonda, Palu Barat", "trapped", "Palu Barat", 0, 0, 40, "+6281100009101", "verified", ""},
		{humanitarian.ChannelWeb, "Jembatan Ponulele di Teluk Palu runtuh, jalan pesisir terputus", "damage", "", -0.8846, 119.8566, 39, "", "verified", ""},
		{humanitarian.ChannelWeb, "Puluhan keluarga mengungsi di halaman Masjid Agung, butuh tenda dan terpal", "shelter", "Palu Timur", 0, 0, 36, "ratna.s@mail.demo", "verified", ""},
		{humanitarian.ChannelSMS, "air bersih habis di posko Petobo, 200 orang", "water", "Palu Selatan", 0, 0, 34, "+6281100009102", "verified", ""},
		{humanitarian.ChannelSMS, "banyak luka-luka di Sigi Biromaru, puskesmas rusak", "injured", "Sigi Biromaru", 0, 0, 33, "+6281100009103", "verified", ""},
		{humanitarian.ChannelEmail, "Village of Balaroa: homes swallowed by liquefaction, families missing. Photos to follow.", "missing", "", -0.9091, 119.8424, 31, "relawan@ngo.demo", "verified", ""},
		{humanitarian.ChannelWeb, "Jalan Palu–Kulawi tertutup longsor di Gumbasa", "access", "Gumbasa", 0, 0, 30, "", "verified", ""},
		{humanitarian.ChannelSMS, "makanan habis di pengungsian Dolo, anak-anak lapar", "food", "Dolo", 0, 0, 28, "+6281100009104", "verified", ""},
		{humanitarian.ChannelWeb, "Rumah sakit Undata retak, pasien dirawat di tenda", "health", "Palu Selatan", 0, 0, 26, "", "verified", ""},
		{humanitarian.ChannelSMS, "3 orang terjebak Jl Sungai Manonda Palu Barat", "trapped", "Palu Barat", 0, 0, 25, "+6281100009105", "rejected", "Duplicate of the first report from Jl. Sungai Manonda; the SAR team is there."},
		{humanitarian.ChannelWeb, "Listrik padam di seluruh Banawa, warga butuh genset untuk pompa air", "water", "Banawa", 0, 0, 22, "", "verified", ""},
		{humanitarian.ChannelSMS, "pengungsi di lapangan Vatulemo butuh selimut dan popok bayi", "shelter", "Palu Timur", 0, 0, 18, "+6281100009106", "verified", ""},
		{humanitarian.ChannelWeb, "Penjarahan toko di Tatanga malam ini, warga takut", "safety", "Tatanga", 0, 0, 14, "", "verified", ""},
		{humanitarian.ChannelSMS, "perahu nelayan hancur di Labuan, 40 keluarga tanpa penghasilan", "other", "Labuan", 0, 0, 10, "+6281100009107", "verified", ""},
		{humanitarian.ChannelWeb, "Sumur warga di Sindue keruh setelah gempa, perlu tes air", "water", "Sindue", 0, 0, 6, "", "", ""},
		{humanitarian.ChannelSMS, "ibu hamil butuh bidan di posko Marawola", "health", "Marawola", 0, 0, 3, "+6281100009108", "", ""},
		{humanitarian.ChannelWeb, "Anak terpisah dari orang tua di posko Palu Utara, nama Rizki 7 tahun", "missing", "Palu Utara", 0, 0, 1, "", "", ""},
	}
	coord, err := actorFor(ctx, n, "lina@bnpb.demo")
	if err != nil {
		return nil, err
	}
	for i, r := range reports {
		in := humanitarian.ReportInput{EmergencyID: e.ID, Channel: r.channel, Text: r.text, Category: r.category, Place: r.place,
			OccurredAt: now.Add(-time.Duration(r.hoursAgo) * time.Hour), Contact: r.contact, Lang: "id"}
		if r.lat != 0 {
			lat, lon := r.lat, r.lon
			in.Lat, in.Lon = &lat, &lon
		}
		if r.channel != humanitarian.ChannelWeb {
			in.MsgID = fmt.Sprintf("demo-%d", i+1)
		}
		ip := fmt.Sprintf("198.51.100.%d", i+1)
		got, err := n.svcs.Humanitarian.Submit(core.WithRequest(context.Background(), core.RequestInfo{ID: "demo", IP: ip}), in)
		if err != nil {
			return nil, fmt.Errorf("demo humanitarian: report %d: %w", i+1, err)
		}
		if r.verdict != "" {
			if _, err := n.svcs.Humanitarian.Decide(coord, got.ID, r.verdict, r.reason); err != nil {
				return nil, fmt.Errorf("demo humanitarian: decide report %d: %w", i+1, err)
			}
		}
	}
	// Shelters, hotlines, advice and the SMS gateway, for the people
	// affected and their public page.
	if err := n.svcs.Humanitarian.DemoInfo(coord, e); err != nil {
		return nil, fmt.Errorf("demo humanitarian: information: %w", err)
	}
	if err := demoThreeW(ctx, n, e); err != nil {
		return nil, err
	}
	if err := demoHumanitarianFunding(ctx, nodes, &e); err != nil {
		return nil, err
	}
	return &e, nil
}
