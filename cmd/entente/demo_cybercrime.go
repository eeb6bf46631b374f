package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/modules/cybercrime"
)

// demoCybercrime gives the demo its cooperation on cybercrime: Australia
// asks Japan to preserve data under the Budapest Convention (preserved 53
// days ago, so its clock is near its end) and drafts the request for mutual
// assistance that follows it; Indonesia asks Singapore's central authority
// for stored data under the ASEAN MLA Treaty, across nodes, and it is
// executed; and Australia asks a provider in the United States for an
// emergency disclosure under a bilateral agreement the node administrator
// added.
func demoCybercrime(ctx context.Context, nodes []*node) error {
	where, err := orgNodes(ctx, nodes)
	if err != nil {
		return err
	}
	addr := func(handle string) string { return handle + "@" + where[handle].fed.Host() }
	as := func(email, org string) (context.Context, error) { return actorFor(ctx, where[org], email) }
	step := func(n *node, who context.Context, id string, st cybercrime.Step) error {
		_, err := n.svcs.Cybercrime.Act(who, id, st)
		return err
	}

	// Australia → Japan: a preservation, sent, acknowledged and preserved.
	au := where["afp"]
	liam, err := as("liam@afp.demo", "afp")
	if err != nil {
		return err
	}
	grace, err := as("grace@afp.demo", "afp")
	if err != nil {
		return err
	}
	pres, err := au.svcs.Cybercrime.Create(liam, cybercrime.Input{From: "afp", To: addr("npa-jp"), Kind: cybercrime.KindPreservation, Basis: "budapest",
		Language: "en", Reference: "AFP-CYB-2026-0412", Fields: map[string]string{
			"authority":   "Australian Federal Police, Cybercrime Operations, Canberra",
			"offence":     "Unauthorised access with intent to commit a serious offence (Criminal Code Act 1995, s. 477.1); blackmail",
			"facts":       "On 2 October 2026 patient records of a Perth hospital were copied by intruders and offered for sale; the ransom note named a server hosted in Japan.",
			"data":        "Stored content and connection logs of the virtual server at 198.51.100.23, 25 September – 5 October 2026.",
			"relation":    "The stolen records were staged on this server before they were offered for sale.",
			"custodian":   "A hosting company in Osaka (named in the annex held by the NPA's 24/7 point of contact).",
			"necessity":   "The provider deletes connection logs after 30 days; the server's lease ends in November.",
			"mla_follows": "yes",
			"purpose":     "To identify those responsible and to recover the stolen records.",
		}})
	if err != nil {
		return fmt.Errorf("demo cybercrime: preservation: %w", err)
	}
	for _, act := range []cybercrime.Action{cybercrime.ActApprove, cybercrime.ActSend} {
		if err := step(au, grace, pres.ID, cybercrime.Step{Action: act}); err != nil {
			return fmt.Errorf("demo cybercrime: %s: %w", act, err)
		}
	}
	jp := where["npa-jp"]
	haruto, err := as("haruto@npa.demo", "npa-jp")
	if err != nil {
		return err
	}
	in, err := demoIncoming(ctx, jp, haruto, addr("afp"), pres.OriginID)
	if err != nil {
		return err
	}
	if err := step(jp, haruto, in, cybercrime.Step{Action: cybercrime.ActAcknowledge}); err != nil {
		return err
	}
	until := time.Now().UTC().Add(60 * 24 * time.Hour).Truncate(time.Hour)
	if err := step(jp, haruto, in, cybercrime.Step{Action: cybercrime.ActPreserve, Until: &until,
		Note: "Logs and the server's disk image are preserved by the provider under order 2026-OSK-311."}); err != nil {
		return err
	}
	// The story is seven weeks old: move its dates back on every copy, so
	// the clock shows a preservation a week from its end.
	if err := demoBackdate(ctx, nodes, pres.OriginID, 53*24*time.Hour); err != nil {
		return err
	}
	// The request for mutual assistance that follows it, drafted.
	if _, err := au.svcs.Cybercrime.Create(liam, cybercrime.Input{From: "afp", To: addr("npa-jp"), Kind: cybercrime.KindStoredData, Basis: "budapest",
		Language: "en", Reference: "AFP-CYB-2026-0412/MLA", Follows: pres.ID, Fields: map[string]string{
			"authority": "Attorney-General's Department, International Crime Cooperation Central Authority, on behalf of the AFP",
			"offence":   "Unauthorised access with intent to commit a serious offence (s. 477.1); blackmail",
			"facts":     "See the preservation request AFP-CYB-2026-0412: patient records of a Perth hospital, staged on a server in Osaka.",
			"data":      "The preserved connection logs and disk image of the server at 198.51.100.23.",
			"relation":  "The records were staged on this server.",
			"custodian": "The hosting company in Osaka that preserved the data (order 2026-OSK-311).",
			"measures":  "Production of the preserved data by the provider; a certificate of authenticity.",
			"purpose":   "Evidence for prosecution in the Supreme Court of Western Australia.",
		}}); err != nil {
		return fmt.Errorf("demo cybercrime: mutual assistance: %w", err)
	}

	// Indonesia → Singapore: stored data under the ASEAN MLA Treaty.
	id := where["polri-siber"]
	hendra, err := as("hendra@polri.demo", "polri-siber")
	if err != nil {
		return err
	}
	dimas, err := as("dimas@polri.demo", "polri-siber")
	if err != nil {
		return err
	}
	mla, err := id.svcs.Cybercrime.Create(hendra, cybercrime.Input{From: "polri-siber", To: addr("agc-sg"), Kind: cybercrime.KindStoredData, Basis: "asean_mlat",
		Language: "id", Reference: "B/1187/XI/2026/Dittipidsiber", Fields: map[string]string{
			"authority":        "Direktorat Tindak Pidana Siber Bareskrim Polri, Jakarta",
			"offence":          "Akses ilegal dan pencurian data (UU ITE pasal 30 dan 32)",
			"facts":            "Pada 14 Oktober 2026 data 2,1 juta pelanggan sebuah bank daerah dicuri; pembayaran tebusan dikirim ke rekening aset kripto pada bursa di Singapura.",
			"data":             "Data identitas dan riwayat transaksi pemilik akun bursa dengan alamat dompet yang tercantum dalam lampiran.",
			"relation":         "Tebusan diterima di akun tersebut.",
			"custodian":        "Sebuah bursa aset kripto berlisensi di Singapura (disebutkan dalam lampiran).",
			"measures":         "Perintah penyerahan (production order) kepada bursa dan sertifikat keaslian catatan.",
			"purpose":          "Mengidentifikasi pelaku untuk penyidikan dan penuntutan.",
			"urgency":          "Bursa menyimpan data transaksi selama lima tahun; tidak mendesak.",
			"translation_lang": "en",
			"translation":      "Unlawful access and theft of data of 2.1 million customers of a regional bank on 14 October 2026; the ransom was paid into an account on a crypto-asset exchange in Singapore. Requested: the account holder's identity and transactions, by production order, with a certificate of authenticity.",
		}})
	if err != nil {
		return fmt.Errorf("demo cybercrime: ASEAN request: %w", err)
	}
	for _, act := range []cybercrime.Action{cybercrime.ActApprove, cybercrime.ActSend} {
		if err := step(id, dimas, mla.ID, cybercrime.Step{Action: act}); err != nil {
			return fmt.Errorf("demo cybercrime: %s: %w", act, err)
		}
	}
	sg := where["agc-sg"]
	priya, err := as("priya@agc-sg.demo", "agc-sg")
	if err != nil {
		return err
	}
	sgIn, err := demoIncoming(ctx, sg, priya, addr("polri-siber"), mla.OriginID)
	if err != nil {
		return err
	}
	if err := step(sg, priya, sgIn, cybercrime.Step{Action: cybercrime.ActAcknowledge, Note: "Received by the Central Authority; passed to the Singapore Police Force for a production order."}); err != nil {
		return err
	}
	if _, err := sg.svcs.Cybercrime.AddEvidence(priya, sgIn, cybercrime.Upload{Name: "exchange-records-certified.csv", ContentType: "text/csv",
		Place: "Attorney-General's Chambers, International Affairs Division, Singapore", Body: strings.NewReader(demoExchangeRecords)}); err != nil {
		return fmt.Errorf("demo cybercrime: evidence: %w", err)
	}
	if err := step(sg, priya, sgIn, cybercrime.Step{Action: cybercrime.ActExecute, Note: "The exchange's records are produced with a certificate of authenticity; see the evidence."}); err != nil {
		return err
	}
	// Indonesia's node fetches the file, and the investigator hands it to
	// the prosecutor: the custody log shows every step on both nodes.
	var evID string
	if err := demoWait(ctx, "the evidence on Indonesia's node", func() (bool, error) {
		err := id.db.R().Get(ctx, &evID, `SELECT id FROM cyb_evidence WHERE stored = TRUE AND request_origin = ?`, mla.OriginID)
		if core.KindOf(core.Wrap("", err)) == core.KindNotFound {
			return false, nil
		}
		return err == nil, err
	}); err != nil {
		return err
	}
	if err := id.svcs.Cybercrime.RecordHandOver(hendra, mla.ID, evID, cybercrime.HandOver{To: "Kejaksaan Negeri Jakarta Selatan (public prosecutor)",
		Place: "Bareskrim Polri, Jakarta", Note: "Handed over on a sealed USB drive with the package's manifest printed and signed."}); err != nil {
		return fmt.Errorf("demo cybercrime: hand-over: %w", err)
	}

	// Australia → a provider in the United States: an emergency disclosure
	// under the bilateral agreement the hosted node's administrator added.
	hosted := where["harbour-cloud"]
	admin, err := demoAdmin(ctx, hosted)
	if err != nil {
		return err
	}
	if _, err := hosted.svcs.Instruments.AddTreaty(admin, cybercrime.TreatyInput{ID: "au_us_cloud", NameEN: "Australia–United States Agreement on Access to Electronic Data for the Purpose of Countering Serious Crime",
		NameID: "Perjanjian Australia–Amerika Serikat tentang Akses Data Elektronik untuk Menanggulangi Kejahatan Serius", Short: "AU–US CLOUD Act Agreement",
		Source: "https://www.dfat.gov.au/about-us/publications/international-relations/australia-united-states-cloud-act-agreement", PartyA: "AU", PartyB: "US", Since: "2024-01-31",
		Article: "art. 3", Kinds: []cybercrime.Kind{cybercrime.KindEmergencyDisclosure, cybercrime.KindSubscriber}}); err != nil {
		return fmt.Errorf("demo cybercrime: bilateral: %w", err)
	}
	emg, err := au.svcs.Cybercrime.Create(liam, cybercrime.Input{From: "afp", To: addr("harbour-cloud"), Kind: cybercrime.KindEmergencyDisclosure, Basis: "au_us_cloud",
		Language: "en", Reference: "AFP-CYB-2026-0533", Fields: map[string]string{
			"authority": "Australian Federal Police, Cybercrime Operations (24/7)",
			"offence":   "Using a carriage service to make threats to kill (Criminal Code s. 474.15)",
			"facts":     "A message sent from an account of your service threatens to attack a school in Brisbane tomorrow morning.",
			"emergency": "A specific threat to the lives of children, within hours.",
			"data":      "Subscriber details and the last five login IP addresses of the account named in the annex.",
			"custodian": "Harbour Cloud Inc., law-enforcement response team",
			"purpose":   "To locate the author before the threatened attack.",
		}})
	if err != nil {
		return fmt.Errorf("demo cybercrime: emergency: %w", err)
	}
	for _, act := range []cybercrime.Action{cybercrime.ActApprove, cybercrime.ActSend} {
		if err := step(au, grace, emg.ID, cybercrime.Step{Action: act}); err != nil {
			return fmt.Errorf("demo cybercrime: %s: %w", act, err)
		}
	}
	return nil
}

// demoExchangeRecords is the file Singapore's central authority produces:
// invented records of an invented exchange.
const demoExchangeRecords = `record,account,holder,wallet,time_utc,asset,amount
1,ACC-55210,"Tan B. (demo)",0x4b1f0c2ad9e1c7f93a5b,2026-10-14T03:12:09Z,USDT,48000.00
2,ACC-55210,"Tan B. (demo)",0x4b1f0c2ad9e1c7f93a5b,2026-10-14T03:40:51Z,BTC,0.5100
3,ACC-55210,"Tan B. (demo)",0x9e03aa71c4d2b8e6f015,2026-10-15T11:02:33Z,USDT,-47500.00
certificate,"Certified a true copy of the exchange's business records (demo), 2 December 2026"
`

// demoIncoming waits for a request to arrive on the requested node and
// returns its id there.
func demoIncoming(ctx context.Context, n *node, who context.Context, from, origin string) (string, error) {
	var id string
	err := demoWait(ctx, "a cybercrime request on "+n.baseURL, func() (bool, error) {
		err := n.db.R().Get(ctx, &id, `SELECT id FROM cyb_requests WHERE from_addr = ? AND origin_id = ? AND direction = 'in'`, from, origin)
		if core.KindOf(core.Wrap("", err)) == core.KindNotFound {
			return false, nil
		}
		return err == nil, err
	})
	return id, err
}

// demoBackdate moves every date of a request (both sides' copies, once the
// last step has arrived) back by d.
func demoBackdate(ctx context.Context, nodes []*node, origin string, d time.Duration) error {
	return demoWait(ctx, "the preservation on both sides", func() (bool, error) {
		var n int
		for _, nd := range nodes {
			var k int
			if err := nd.db.R().Get(ctx, &k, `SELECT COUNT(*) FROM cyb_requests WHERE origin_id = ? AND state = 'preserved'`, origin); err != nil {
				return false, err
			}
			n += k
		}
		if n < 2 {
			return false, nil
		}
		for _, nd := range nodes {
			if err := cybercrime.Backdate(ctx, nd.db, origin, d); err != nil {
				return false, err
			}
		}
		return true, nil
	})
}

// demoAdmin is the node administrator, for set-up only.
func demoAdmin(ctx context.Context, n *node) (context.Context, error) {
	var u struct {
		ID   string `db:"id"`
		Name string `db:"name"`
	}
	if err := n.db.R().Get(ctx, &u, `SELECT id, name FROM users WHERE email = 'admin@node.demo'`); err != nil {
		return nil, fmt.Errorf("demo: admin: %w", err)
	}
	return core.WithRequest(core.WithActor(ctx, core.Actor{UserID: u.ID, Name: u.Name, Email: "admin@node.demo", NodeAdmin: true}), core.RequestInfo{ID: "demo", IP: "local"}), nil
}
