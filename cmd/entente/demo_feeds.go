package main

import (
	"context"
	"fmt"
	"time"

	"entente.example/entente/modules/publicdiplomacy"
)

// demoFeeds gives the Indonesian MFA's press office its media monitoring:
// four keywords in English and Indonesian ("disinformation", "ASEAN",
// "hoaks", "siber") and three feeds, one of each format, with the items
// they would have brought in the last days. The outlets are invented and
// their addresses are example domains: each feed is named as sample data
// and paused, so the demo works offline and never asks those addresses.
// Bima (officer) sets it up.
func demoFeeds(ctx context.Context, svc *publicdiplomacy.Service, n *node) error {
	bima, err := actorFor(ctx, n, "bima@kemlu.demo")
	if err != nil {
		return err
	}
	for _, k := range []publicdiplomacy.KeywordInput{
		{Org: "kemlu", Word: "disinformation", Language: "en"},
		{Org: "kemlu", Word: "ASEAN", Language: "en"},
		{Org: "kemlu", Word: "hoaks", Language: "id"},
		{Org: "kemlu", Word: "siber", Language: "id"},
	} {
		if _, err := svc.AddKeyword(bima, k); err != nil {
			return fmt.Errorf("demo feeds: keyword %s: %w", k.Word, err)
		}
	}
	now := time.Now().UTC()
	ago := func(h int) time.Time { return now.Add(-time.Duration(h) * time.Hour) }
	feeds := []struct {
		in     publicdiplomacy.FeedInput
		format string
		items  []publicdiplomacy.SampleItem
	}{{
		publicdiplomacy.FeedInput{Org: "kemlu", URL: "https://warta-nusantara.example/rss/nasional.xml", Title: "Warta Nusantara — Nasional (sample data / data contoh)", Language: "id", IntervalMinutes: 15},
		"rss",
		[]publicdiplomacy.SampleItem{
			{Title: "Kemlu bantah hoaks soal pencabutan bebas visa ASEAN", Link: "https://warta-nusantara.example/nasional/kemlu-bantah-hoaks-visa",
				Summary: "<p>Kementerian Luar Negeri menegaskan tidak ada perubahan aturan bebas visa kunjungan singkat bagi warga negara ASEAN. Pesan berantai yang menyebut pencabutan itu adalah hoaks.</p>", Published: ago(3)},
			{Title: "Serangan siber lumpuhkan layanan perizinan di tiga kabupaten", Link: "https://warta-nusantara.example/nasional/serangan-siber-perizinan",
				Summary: "Layanan perizinan daring terhenti sejak Senin pagi. BSSN membantu pemulihan dan meminta warga mewaspadai tautan palsu.", Published: ago(9)},
			{Title: "Video lama unjuk rasa di depan kedutaan beredar sebagai kejadian baru", Link: "https://warta-nusantara.example/nasional/video-lama-kedutaan",
				Summary: "Rekaman tahun 2019 dibagikan ulang dengan keterangan yang menyesatkan; pemeriksa fakta menyebutnya hoaks.", Published: ago(20)},
			{Title: "Harga beras stabil menjelang libur akhir tahun", Link: "https://warta-nusantara.example/ekonomi/harga-beras-stabil",
				Summary: "Pasokan dari sentra produksi di Jawa dan Sulawesi mencukupi kebutuhan hingga Januari.", Published: ago(30)},
		},
	}, {
		publicdiplomacy.FeedInput{Org: "kemlu", URL: "https://security-wire.example/asia-pacific.atom", Title: "Regional Security Wire (sample data / data contoh)", Language: "en", IntervalMinutes: 30},
		"atom",
		[]publicdiplomacy.SampleItem{
			{Title: "ASEAN ministers agree to coordinate responses to cross-border disinformation", Link: "https://security-wire.example/2026/asean-disinformation-response",
				Summary: "Officials agreed to share early warnings of coordinated campaigns and to publish their fact checks in each other's languages.", Published: ago(5)},
			{Title: "Phishing campaign impersonates embassy visa services", Link: "https://security-wire.example/2026/embassy-visa-phishing",
				Summary: "Messages offering fast-track visas for a fee link to look-alike domains; several embassies have warned applicants.", Published: ago(14)},
			{Title: "Undersea cable repair completed in the Java Sea", Link: "https://security-wire.example/2026/cable-repair-java-sea",
				Summary: "Traffic between Jakarta and Singapore is back on its usual route after a ten-day repair.", Published: ago(40)},
		},
	}, {
		publicdiplomacy.FeedInput{Org: "kemlu", URL: "https://factcheck-digest.example/feed.json", Title: "Pacific Fact Check Digest (sample data / data contoh)", Language: "en", IntervalMinutes: 60},
		"json",
		[]publicdiplomacy.SampleItem{
			{Title: "Fabricated quote attributed to Indonesia's foreign minister spreads on messaging apps", Link: "https://factcheck-digest.example/checks/fabricated-minister-quote",
				Summary: "No speech, transcript or recording contains the quote; the image imitates a news site's layout. A textbook disinformation pattern: a real face, invented words.", Published: ago(7)},
			{Title: "No, the regional data-protection pact does not let foreign states read citizens' messages", Link: "https://factcheck-digest.example/checks/data-pact-misread",
				Summary: "The agreement covers cooperation between regulators; it creates no access to communications.", Published: ago(26)},
		},
	}}
	for _, f := range feeds {
		if _, err := svc.AddSampleFeed(bima, f.in, f.format, f.items); err != nil {
			return fmt.Errorf("demo feeds: %s: %w", f.in.URL, err)
		}
	}
	return nil
}
