package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"entente.example/entente/modules/publicdiplomacy"
)

// demoPublic gives the demo its voices on the fediverse: the Indonesian
// MFA and its embassy in Canberra, with DFAT and the ASEAN Secretariat
// (on another node in the three-node demo) following them. The MFA has
// published a bilingual post (written by Bima, approved by Sari), has one
// scheduled for tomorrow and one waiting for Sari's approval; the public's
// replies, a question and a direct message wait in its web-care queue;
// its fact-check database has three cases and its monitoring three feeds.
func demoPublic(ctx context.Context, nodes []*node) error {
	where, err := orgNodes(ctx, nodes)
	if err != nil {
		return err
	}
	id, au, asean := where["kemlu"], where["dfat-au"], where["asean"]
	if id == nil || au == nil || asean == nil {
		return nil
	}
	as := func(n *node, email string) context.Context {
		c, e := actorFor(ctx, n, email)
		if e != nil && err == nil {
			err = e
		}
		return c
	}
	sari, bima, olivia, maria := as(id, "sari@kemlu.demo"), as(id, "bima@kemlu.demo"), as(au, "olivia@dfat-au.demo"), as(asean, "maria@asean.demo")
	if err != nil {
		return err
	}
	if err := demoCases(ctx, id.svcs.Public, id); err != nil {
		return err
	}
	if err := demoFeeds(ctx, id.svcs.Public, id); err != nil {
		return err
	}
	exchange := func() error {
		for range 3 {
			for _, n := range []*node{id, au, asean} {
				if err := n.svcs.Public.DeliverNow(ctx); err != nil {
					return err
				}
			}
		}
		return nil
	}
	account := func(c context.Context, n *node, in publicdiplomacy.AccountInput) (publicdiplomacy.Account, error) {
		a, err := n.svcs.Public.CreateAccount(c, in)
		if err != nil {
			return a, fmt.Errorf("demo public diplomacy: account %s: %w", in.Username, err)
		}
		return a, nil
	}
	kemlu, err := account(sari, id, publicdiplomacy.AccountInput{Org: "kemlu", Username: "kemlu", DisplayName: "Kemlu RI — MFA Indonesia", Language: "id",
		Summary: "Akun resmi Kementerian Luar Negeri Republik Indonesia.\n\nOfficial account of the Ministry of Foreign Affairs of the Republic of Indonesia.",
		Fields:  []publicdiplomacy.Field{{Name: "Website", Value: "https://kemlu.go.id"}, {Name: "Fact checks", Value: id.baseURL + "/factchecks"}}})
	if err != nil {
		return err
	}
	kbri, err := account(sari, id, publicdiplomacy.AccountInput{Org: "kemlu", Username: "kbri_canberra", DisplayName: "KBRI Canberra — Embassy of Indonesia", Language: "en",
		Summary: "Embassy of the Republic of Indonesia in Canberra, Australia.", Fields: []publicdiplomacy.Field{{Name: "Website", Value: "https://kemlu.go.id/canberra"}}})
	if err != nil {
		return err
	}
	dfat, err := account(olivia, au, publicdiplomacy.AccountInput{Org: "dfat-au", Username: "dfat", DisplayName: "DFAT Australia", Language: "en",
		Summary: "Australia's Department of Foreign Affairs and Trade: cyber affairs and critical technology."})
	if err != nil {
		return err
	}
	asec, err := account(maria, asean, publicdiplomacy.AccountInput{Org: "asean", Username: "asean", DisplayName: "ASEAN Secretariat", Language: "en"})
	if err != nil {
		return err
	}
	for _, f := range []struct {
		c    context.Context
		n    *node
		acc  publicdiplomacy.Account
		acct string
	}{{olivia, au, dfat, "kemlu@" + id.svcs.Public.Host()}, {olivia, au, dfat, "kbri_canberra@" + id.svcs.Public.Host()}, {maria, asean, asec, "kemlu@" + id.svcs.Public.Host()},
		{sari, id, kbri, "dfat@" + au.svcs.Public.Host()}} {
		if _, err := f.n.svcs.Public.Follow(f.c, f.acc.ID, f.acct); err != nil {
			return fmt.Errorf("demo public diplomacy: follow %s: %w", f.acct, err)
		}
	}
	if err := exchange(); err != nil {
		return err
	}
	publish := func(acc publicdiplomacy.Account, at *time.Time, approve bool, ts ...publicdiplomacy.Translation) ([]publicdiplomacy.Post, error) {
		g, err := id.svcs.Public.CreateDraft(bima, publicdiplomacy.Draft{AccountID: acc.ID, ScheduledAt: at, Translations: ts})
		if err != nil {
			return nil, fmt.Errorf("demo public diplomacy: draft: %w", err)
		}
		if g, err = id.svcs.Public.Submit(bima, g[0].GroupID); err != nil || !approve {
			return g, err
		}
		return id.svcs.Public.Approve(sari, g[0].GroupID)
	}
	if _, err := publish(kemlu, nil, true,
		publicdiplomacy.Translation{Language: "id", Content: "Indonesia menyambut baik peta jalan ASEAN untuk penerapan norma perilaku negara yang bertanggung jawab di ruang siber. Kerja sama kawasan membuat ruang siber lebih aman bagi semua. #ASEAN #DiplomasiSiber"},
		publicdiplomacy.Translation{Language: "en", Content: "Indonesia welcomes ASEAN's roadmap for implementing the norms of responsible state behaviour in cyberspace. Regional cooperation makes cyberspace safer for all. #ASEAN #CyberDiplomacy"}); err != nil {
		return err
	}
	if _, err := publish(kbri, nil, true,
		publicdiplomacy.Translation{Language: "en", Content: "Applications for the 2027 Indonesia–Australia cyber policy fellowship are open until 31 January. Early-career officials from both countries are welcome. https://kemlu.go.id/canberra"},
		publicdiplomacy.Translation{Language: "id", Content: "Pendaftaran beasiswa kebijakan siber Indonesia–Australia 2027 dibuka hingga 31 Januari. https://kemlu.go.id/canberra"}); err != nil {
		return err
	}
	if _, err := id.svcs.Public.PublishDue(ctx); err != nil {
		return err
	}
	if err := exchange(); err != nil {
		return err
	}
	tomorrow := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, 1).Add(2 * time.Hour) // 09:00 in Jakarta
	if _, err := publish(kemlu, &tomorrow, true,
		publicdiplomacy.Translation{Language: "id", Content: "Besok, Indonesia menjadi tuan rumah dialog regional tentang perlindungan infrastruktur informasi kritis. #ASEAN"},
		publicdiplomacy.Translation{Language: "en", Content: "Tomorrow Indonesia hosts a regional dialogue on protecting critical information infrastructure. #ASEAN"}); err != nil {
		return err
	}
	if _, err := publish(kemlu, nil, false,
		publicdiplomacy.Translation{Language: "id", Content: "Waspadai pesan palsu yang mengatasnamakan Kementerian Luar Negeri tentang lowongan kerja di luar negeri. Informasi resmi hanya di kemlu.go.id."},
		publicdiplomacy.Translation{Language: "en", Content: "Beware of fake messages using the Ministry's name to offer jobs abroad. Official information is only on kemlu.go.id."}); err != nil {
		return err
	}
	// The public answers: DFAT replies to the MFA, the ASEAN Secretariat
	// asks the embassy a question, and DFAT writes to the MFA directly.
	got, err := au.svcs.Public.Timeline(olivia, dfat.ID)
	if err != nil {
		return err
	}
	for _, it := range got {
		if it.Language == "en" && it.ActorHandle == "kemlu@"+id.svcs.Public.Host() {
			if _, err := au.svcs.Public.Answer(olivia, it.ID, publicdiplomacy.Translation{Language: "en", Content: "Australia looks forward to working with Indonesia and all ASEAN members on the roadmap."}); err != nil {
				return fmt.Errorf("demo public diplomacy: reply: %w", err)
			}
		}
	}
	if _, err := asean.svcs.Public.Mention(maria, asec.ID, publicdiplomacy.VisPublic, "@kbri_canberra@"+id.svcs.Public.Host()+" Will the fellowship be open to officials of other ASEAN member states?"); err != nil {
		return fmt.Errorf("demo public diplomacy: mention: %w", err)
	}
	if _, err := au.svcs.Public.Mention(olivia, dfat.ID, publicdiplomacy.VisDirect, "@kemlu@"+id.svcs.Public.Host()+" Could your cyber desk share a contact for next week's consultations?"); err != nil {
		return fmt.Errorf("demo public diplomacy: direct: %w", err)
	}
	if err := exchange(); err != nil {
		return err
	}
	// DFAT and the ASEAN Secretariat boost the MFA's post; the embassy
	// answers the Secretariat's question (the queue's figures then have an
	// answer to time); the press office has saved answers to start from.
	for _, b := range []struct {
		n   *node
		c   context.Context
		acc publicdiplomacy.Account
	}{{au, olivia, dfat}, {asean, maria, asec}} {
		items, err := b.n.svcs.Public.Timeline(b.c, b.acc.ID)
		if err != nil {
			return err
		}
		for _, it := range items {
			if it.Kind == publicdiplomacy.ItemTimeline && it.Language == "en" && it.ActorHandle == "kemlu@"+id.svcs.Public.Host() && !strings.HasPrefix(it.Text, "@") {
				if err := b.n.svcs.Public.Boost(b.c, b.acc.ID, it.URI); err != nil {
					return fmt.Errorf("demo public diplomacy: boost: %w", err)
				}
			}
		}
	}
	queue, err := id.svcs.Public.Queue(sari, publicdiplomacy.QueueFilter{})
	if err != nil {
		return err
	}
	for _, it := range queue {
		if it.Username == "kbri_canberra" && it.Kind == publicdiplomacy.ItemMention {
			if _, err := id.svcs.Public.Answer(sari, it.ID, publicdiplomacy.Translation{Language: "en", Content: "Yes: officials of every ASEAN member state may apply. Details on our website."}); err != nil {
				return fmt.Errorf("demo public diplomacy: answer: %w", err)
			}
		}
	}
	for _, a := range []publicdiplomacy.SavedAnswerInput{
		{Org: "kemlu", Language: "en", Title: "Thanks, we will follow up", Body: "Thank you for writing to us. Our team will look into this and come back to you."},
		{Org: "kemlu", Language: "id", Title: "Terima kasih, akan kami tindak lanjuti", Body: "Terima kasih telah menghubungi kami. Tim kami akan menelaahnya dan menghubungi Anda kembali."},
		{Org: "kemlu", Language: "en", Title: "Official information only on kemlu.go.id", Body: "Official information of the Ministry is published only on kemlu.go.id and on this account."},
		{Org: "kemlu", Language: "id", Title: "Informasi resmi hanya di kemlu.go.id", Body: "Informasi resmi Kementerian hanya diterbitkan di kemlu.go.id dan di akun ini."},
	} {
		if _, err := id.svcs.Public.CreateSavedAnswer(bima, a); err != nil {
			return fmt.Errorf("demo public diplomacy: saved answer: %w", err)
		}
	}
	return exchange()
}
