package main

import (
	"context"
	"fmt"
	"time"

	"entente.example/entente/modules/publicdiplomacy"
)

// demoCases gives the Indonesian MFA's fact-check database three
// disinformation cases of the kinds a foreign ministry answers: a claimed
// secret deal over Indonesian territory, a visa scam passed off as an
// embassy's, and a regional agreement misread. Dewi (analyst) writes each,
// Bima (officer) publishes it: the second pair of eyes. The outlets and
// addresses are invented (example domains); the facts of the disproofs
// are the public ones they cite. Each carries its text in the node's other
// language, so a reader finds it by "sewa" as well as by "lease".
func demoCases(ctx context.Context, svc *publicdiplomacy.Service, n *node) error {
	dewi, err := actorFor(ctx, n, "dewi@kemlu.demo")
	if err != nil {
		return err
	}
	bima, err := actorFor(ctx, n, "bima@kemlu.demo")
	if err != nil {
		return err
	}
	now := time.Now().UTC()
	day := func(ago int) string { return now.AddDate(0, 0, -ago).Format("2006-01-02") }
	stamp := func(ago int) string { return now.AddDate(0, 0, -ago).Format("20060102") + "093000" }
	cases := []publicdiplomacy.CaseInput{{
		Org: "kemlu", Language: "en",
		Title: "No, Indonesia has not secretly leased the Natuna Islands to a foreign power",
		Claim: "Indonesia secretly leased the Natuna Islands to a foreign state",
		Summary: "Videos and posts claimed that the government had signed a secret 99-year lease handing the Natuna Islands, and the waters around them, " +
			"to a foreign state in exchange for debt relief. Some versions showed a \"leaked\" signing page with the Ministry's letterhead.\n\n" +
			"The claim spread in Bahasa Indonesia and English and was picked up by accounts in Malaysia.",
		Disproof: "There is no such agreement. Under Law No. 24 of 2000 on International Agreements, an agreement concerning the territory of the state " +
			"must be ratified by the House of Representatives (DPR) by law; no such bill has been submitted, and the Ministry's public treaty database lists none.\n\n" +
			"The \"leaked\" page reuses the letterhead of a 2019 note verbale on fisheries cooperation; its text, date and signature block were altered.\n\n" +
			"The Natuna Islands are part of Riau Islands Province and of Indonesia's territory under the 1982 UN Convention on the Law of the Sea. " +
			"Treaty database: https://treaty.kemlu.go.id/",
		Verdict: "false", FirstSeen: day(38),
		Appearances: []publicdiplomacy.Appearance{
			{URL: "https://video.example.com/watch/natuna-dijual", Outlet: "Saluran Berita Nusantara (video channel)", Language: "id", Date: day(38),
				Archive: "https://web.archive.org/web/" + stamp(38) + "/https://video.example.com/watch/natuna-dijual"},
			{URL: "https://www.suara-rakyat.example/2026/natuna-sewa-99-tahun", Outlet: "Suara Rakyat Online", Language: "id", Date: day(36),
				Archive: "https://archive.ph/n4tUn"},
			{URL: "https://asia-truth.example.net/indonesia-leases-natuna", Outlet: "Asia Truth Network", Language: "en", Date: day(33),
				Archive: "https://web.archive.org/web/" + stamp(33) + "/https://asia-truth.example.net/indonesia-leases-natuna"},
		},
		Countries: []string{"ID", "MY"}, Keywords: []string{"Natuna", "sovereignty", "forged document", "treaties"},
		Translation: &publicdiplomacy.CaseTranslation{Language: "id",
			Title: "Hoaks: Indonesia tidak menyewakan Kepulauan Natuna secara diam-diam kepada negara asing",
			Claim: "Indonesia diam-diam menyewakan Kepulauan Natuna kepada negara asing",
			Summary: "Video dan unggahan menyebut pemerintah telah menandatangani perjanjian sewa rahasia selama 99 tahun yang menyerahkan Kepulauan Natuna " +
				"dan perairan di sekitarnya kepada negara asing sebagai ganti keringanan utang. Sebagian versi menampilkan halaman penandatanganan \"bocoran\" " +
				"berkop surat Kementerian.\n\nKlaim ini menyebar dalam bahasa Indonesia dan Inggris dan diangkat oleh akun-akun di Malaysia.",
			Disproof: "Tidak ada perjanjian semacam itu. Menurut Undang-Undang No. 24 Tahun 2000 tentang Perjanjian Internasional, perjanjian mengenai wilayah negara " +
				"harus disahkan oleh Dewan Perwakilan Rakyat (DPR) dengan undang-undang; tidak ada rancangan undang-undang seperti itu, dan basis data perjanjian " +
				"Kementerian tidak mencantumkannya.\n\n" +
				"Halaman \"bocoran\" itu memakai kop surat sebuah nota diplomatik tahun 2019 tentang kerja sama perikanan; teks, tanggal, dan blok tanda tangannya diubah.\n\n" +
				"Kepulauan Natuna adalah bagian dari Provinsi Kepulauan Riau dan wilayah Indonesia menurut Konvensi PBB tentang Hukum Laut 1982. " +
				"Basis data perjanjian: https://treaty.kemlu.go.id/",
		},
	}, {
		Org: "kemlu", Language: "id",
		Title: "Bukan dari KBRI Canberra: tawaran visa kerja Australia gratis lewat WhatsApp",
		Claim: "KBRI Canberra membagikan visa kerja Australia gratis lewat WhatsApp",
		Summary: "Pesan berantai dan unggahan media sosial menyebut KBRI Canberra membuka \"program visa kerja gratis\" ke Australia bagi 5.000 pekerja. " +
			"Pendaftar diminta mengirim foto paspor lewat WhatsApp dan membayar \"biaya administrasi\" Rp2,5 juta ke rekening pribadi.",
		Disproof: "KBRI Canberra tidak menerbitkan visa Australia dan tidak memiliki program semacam itu. Visa Australia hanya diterbitkan oleh pemerintah Australia " +
			"(Department of Home Affairs) melalui layanan resminya.\n\n" +
			"KBRI tidak pernah meminta pembayaran ke rekening pribadi atau pengiriman dokumen lewat WhatsApp. Nomor yang tercantum dalam pesan itu bukan nomor KBRI.\n\n" +
			"Jangan kirim data paspor atau uang. Laporkan penipuan seperti ini ke https://patrolisiber.id/ dan periksa informasi resmi di https://kemlu.go.id/canberra",
		Verdict: "false", FirstSeen: day(19),
		Appearances: []publicdiplomacy.Appearance{
			{URL: "https://social.example.org/@infoloker/112233", Outlet: "Info Loker Luar Negeri (akun media sosial)", Language: "id", Date: day(19),
				Archive: "https://archive.ph/v1s4k"},
			{URL: "https://kerja-australia.example.id/daftar", Outlet: "kerja-australia.example.id", Language: "id", Date: day(17),
				Archive: "https://web.archive.org/web/" + stamp(17) + "/https://kerja-australia.example.id/daftar"},
		},
		Countries: []string{"ID", "AU"}, Languages: []string{"id"}, Keywords: []string{"visa", "penipuan", "KBRI Canberra", "pekerja migran"},
		ClaimAuthor: "Info Loker Luar Negeri", ClaimAuthorType: "organization",
		Translation: &publicdiplomacy.CaseTranslation{Language: "en",
			Title: "Not from the Embassy in Canberra: free Australian work visas offered over WhatsApp",
			Claim: "The Indonesian Embassy in Canberra is giving away free Australian work visas over WhatsApp",
			Summary: "Chain messages and social media posts said the Indonesian Embassy in Canberra had opened a \"free work visa programme\" to Australia " +
				"for 5,000 workers. Applicants were asked to send a photo of their passport over WhatsApp and pay an \"administration fee\" of Rp2.5 million " +
				"into a personal bank account.",
			Disproof: "The Embassy in Canberra does not issue Australian visas and has no such programme. Australian visas are issued only by the Australian " +
				"government (Department of Home Affairs) through its official services.\n\n" +
				"The Embassy never asks for payment into a personal account or for documents over WhatsApp. The number in the message is not the Embassy's.\n\n" +
				"Do not send passport details or money. Report scams like this to https://patrolisiber.id/ and check official information at https://kemlu.go.id/canberra",
		},
	}, {
		Org: "kemlu", Language: "en",
		Title: "ASEAN's digital economy talks do not create a single digital ID run by a foreign company",
		Claim: "ASEAN DEFA will force citizens onto one digital ID run by a foreign firm",
		Summary: "Articles and posts claimed that the ASEAN Digital Economy Framework Agreement (DEFA) would replace national identity cards with a single " +
			"regional digital ID, stored and run by a foreign technology company, and that citizens who refuse would lose access to public services.",
		Disproof: "DEFA, launched under Indonesia's ASEAN chairmanship in 2023, is still being negotiated. Its digital identity chapter concerns how member states' own " +
			"systems can recognise each other's electronic identities and signatures (interoperability); it does not create a regional ID, nor hand any " +
			"identity system to a company.\n\n" +
			"Identity documents remain a matter for each member state's law: in Indonesia, the population administration law and the Personal Data " +
			"Protection Law (Law No. 27 of 2022) govern them.\n\n" +
			"The claim takes a real negotiation and leaves out what its text is about. ASEAN's page on DEFA: https://asean.org/",
		Verdict: "missing_context", FirstSeen: day(9),
		Appearances: []publicdiplomacy.Appearance{
			{URL: "https://borderless-news.example.com/asean-digital-id-takeover", Outlet: "Borderless News", Language: "en", Date: day(9),
				Archive: "https://web.archive.org/web/" + stamp(9) + "/https://borderless-news.example.com/asean-digital-id-takeover"},
			{URL: "https://berita-kini.example.co/defa-ktp-digital-asing", Outlet: "Berita Kini", Language: "id", Date: day(8),
				Archive: "https://archive.ph/d3fA1"},
		},
		Countries: []string{"ID", "MY", "PH", "TH"}, Keywords: []string{"DEFA", "ASEAN", "digital identity", "personal data"},
		Translation: &publicdiplomacy.CaseTranslation{Language: "id",
			Title: "Perundingan ekonomi digital ASEAN tidak menciptakan satu identitas digital yang dikelola perusahaan asing",
			Claim: "DEFA ASEAN akan memaksa warga memakai satu identitas digital yang dikelola perusahaan asing",
			Summary: "Artikel dan unggahan menyebut Perjanjian Kerangka Ekonomi Digital ASEAN (DEFA) akan menggantikan kartu identitas nasional dengan satu " +
				"identitas digital regional yang disimpan dan dikelola perusahaan teknologi asing, dan warga yang menolak akan kehilangan akses ke layanan publik.",
			Disproof: "DEFA, yang diluncurkan pada masa keketuaan Indonesia di ASEAN tahun 2023, masih dirundingkan. Bab identitas digitalnya mengatur cara sistem " +
				"masing-masing negara anggota saling mengakui identitas dan tanda tangan elektronik (interoperabilitas); bab itu tidak menciptakan identitas regional " +
				"dan tidak menyerahkan sistem identitas apa pun kepada perusahaan.\n\n" +
				"Dokumen identitas tetap diatur oleh hukum tiap negara anggota: di Indonesia, oleh undang-undang administrasi kependudukan dan Undang-Undang " +
				"Pelindungan Data Pribadi (UU No. 27 Tahun 2022).\n\n" +
				"Klaim ini mengambil perundingan yang nyata dan menghilangkan isi teksnya. Halaman ASEAN tentang DEFA: https://asean.org/",
		},
	}}
	for _, in := range cases {
		c, err := svc.CreateCase(dewi, in)
		if err == nil {
			c, err = svc.SubmitCase(dewi, c.ID, c.Version)
		}
		if err == nil {
			_, err = svc.PublishCase(bima, c.ID, c.Version)
		}
		if err != nil {
			return fmt.Errorf("demo cases: %q: %w", in.Title, err)
		}
	}
	return nil
}
