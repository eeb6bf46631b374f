package main

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/internal/config"
	"entente.example/entente/internal/federation"
	"entente.example/entente/modules/all"
	"entente.example/entente/modules/correspondence"
)

// demoNodes is the multi-node demo world: Indonesia runs its own node,
// Singapore its own, and the ASEAN Secretariat hosts a node that carries
// several states that do not run one.
var demoNodes = []struct {
	name string
	orgs []string
}{
	{"indonesia", []string{"kemlu", "bssn", "polri-siber", "nusantara-cloud", "ruang-digital", "univ-nusantara", "bnpb"}},
	{"singapore", []string{"csa-sg", "agc-sg"}},
	{"asean", []string{"asean", "unoda", "kln-my", "dfat-au", "mofa-jp", "mnec-tl", "afp", "npa-jp", "harbour-cloud", "aha-centre"}},
}

// demo runs three nodes on loopback, peered and verified, with threads that
// crossed them, so a newcomer can watch a message go from one node to another
// and see its receipts.
func (e env) demo(ctx context.Context, args []string) int {
	fs := e.newFlagSet("demo", "demo [--data DIR] [--port N]")
	data := fs.String("data", "./entente-demo", "directory for the three nodes' data")
	port := fs.Int("port", 8080, "port of the first node; the others take the next ones")
	if code := parse(fs, args); code >= 0 {
		return code
	}
	if err := e.runDemo(ctx, *data, *port); err != nil {
		fmt.Fprintf(e.stderr, "entente demo: %v\n", err)
		return 1
	}
	return 0
}

func (e env) runDemo(ctx context.Context, data string, port int) error {
	if err := prepareData(data); err != nil {
		return err
	}
	password, err := demoPassword(data)
	if err != nil {
		return err
	}
	var nodes []*node
	defer func() {
		for _, n := range nodes {
			n.close()
		}
	}()
	fresh := false
	for i, spec := range demoNodes {
		cfg := config.Defaults()
		cfg.Addr = net.JoinHostPort("127.0.0.1", strconv.Itoa(port+i))
		cfg.DataDir = filepath.Join(data, spec.name)
		cfg.AllowPrivatePeers = true
		cfg.Name, cfg.Operator = "Demo node: "+spec.name, spec.orgs[0]
		cfg.LogLevel = "warn"
		if err := cfg.Validate(); err != nil {
			return err
		}
		n, err := e.build(ctx, cfg)
		if err != nil {
			return fmt.Errorf("%s: %w", spec.name, err)
		}
		nodes = append(nodes, n)
		logins, err := loadDemoOrgs(ctx, n, password, spec.orgs)
		if err != nil {
			return fmt.Errorf("%s: %w", spec.name, err)
		}
		fresh = fresh || logins > 0
	}
	var stops []func() error
	for _, n := range nodes {
		stops = append(stops, n.start(ctx))
	}
	defer func() {
		for _, stop := range stops {
			stop()
		}
	}()
	if fresh {
		if err := peerAll(ctx, nodes); err != nil {
			return err
		}
		if err := demoThreads(ctx, nodes); err != nil {
			return err
		}
		if err := demoNetworks(ctx, nodes); err != nil {
			return err
		}
		if err := demoNegotiation(ctx, nodes); err != nil {
			return err
		}
		if err := demoReports(ctx, nodes); err != nil {
			return err
		}
		if err := demoIntel(ctx, nodes); err != nil {
			return err
		}
		if err := demoCybercrime(ctx, nodes); err != nil {
			return err
		}
		if err := demoIncidents(ctx, nodes); err != nil {
			return err
		}
		if err := demoLinks(ctx, nodes); err != nil {
			return err
		}
		if err := demoStatements(ctx, nodes); err != nil {
			return err
		}
		if err := demoPublic(ctx, nodes); err != nil {
			return err
		}
		if err := demoEvents(ctx, nodes); err != nil {
			return err
		}
		if err := demoDialogue(ctx, nodes); err != nil {
			return err
		}
		if err := demoEconomy(ctx, nodes); err != nil {
			return err
		}
		if err := demoCapacity(ctx, nodes); err != nil {
			return err
		}
		if err := demoIndicators(ctx, nodes); err != nil {
			return err
		}
		if _, err := demoHumanitarian(ctx, nodes); err != nil {
			return err
		}
	}
	fmt.Fprintf(e.stdout, "\nThree Entente nodes are running, peered and verified. Every demo account uses the password:\n\n  %s\n\n", password)
	for i, spec := range demoNodes {
		fmt.Fprintf(e.stdout, "  %-10s %s   organisations: %s\n", spec.name, nodes[i].baseURL, strings.Join(spec.orgs, ", "))
	}
	fmt.Fprintf(e.stdout, `
Try: sign in on %[1]s as bima@kemlu.demo and open Correspondence; sign in on
%[2]s as weiming@csa-sg.demo to see the same thread arrive, acknowledge it,
and watch the acknowledgment and the signed receipts appear on %[1]s.
Public diplomacy: on %[1]s, bima@kemlu.demo writes in the Newsroom and
sari@kemlu.demo approves; Web-care holds the public's replies; without signing
in, %[1]s/social and %[1]s/factchecks are what citizens see.
Events: as bima@kemlu.demo, %[1]s/events lists KBRI Canberra's cultural evening
and the ASEAN–Australia digital trade forum; each public event's own page needs
no sign-in; Kemlu's public calendar feed is
%[1]s/event-feeds/orgs/kemlu/calendar.ics.
Expert dialogue: the ransomware dialogue runs under the Chatham House Rule;
bima@kemlu.demo on %[1]s reads it without names, maria@asean.demo (its
moderator) on %[3]s sees who wrote what.
Clearing House across nodes: agus@bssn.demo on %[1]s finds DFAT's offer for
BSSN's sector CSIRTs under Needs your attention, proposed by
olivia@dfat-au.demo from %[3]s; accepting it makes the project on both nodes.
Each node's administrator is admin@node.demo (peers under Administration).
Press Ctrl-C to stop.
`, nodes[0].baseURL, nodes[1].baseURL, nodes[2].baseURL)
	<-ctx.Done()
	return nil
}

func loadDemoOrgs(ctx context.Context, n *node, password string, orgs []string) (int, error) {
	logins, err := all.LoadDemo(ctx, n.deps, password, orgs...)
	return len(logins), err
}

func peerAll(ctx context.Context, nodes []*node) error {
	actx := operatorCtx(ctx)
	for _, a := range nodes {
		for _, b := range nodes {
			if a == b {
				continue
			}
			p, err := a.fed.AddPeer(actx, b.baseURL)
			if err != nil {
				return fmt.Errorf("peer %s → %s: %w", a.baseURL, b.baseURL, err)
			}
			if err := a.fed.SetPeerStatus(actx, p.ID, federation.PeerVerified); err != nil {
				return err
			}
		}
	}
	// Now that everyone trusts everyone, learn each other's organisations.
	for _, a := range nodes {
		if err := a.fed.RefreshDirectories(ctx); err != nil {
			return err
		}
	}
	return nil
}

// actorFor signs in a demo person without a password, for set-up only.
func actorFor(ctx context.Context, n *node, email string) (context.Context, error) {
	var u struct {
		ID   string `db:"id"`
		Name string `db:"name"`
	}
	if err := n.db.R().Get(ctx, &u, `SELECT id, name FROM users WHERE email = ?`, email); err != nil {
		return nil, fmt.Errorf("demo: %s: %w", email, err)
	}
	ms, err := n.svcs.Directory.Memberships(ctx, u.ID)
	if err != nil {
		return nil, err
	}
	return core.WithRequest(core.WithActor(ctx, core.Actor{UserID: u.ID, Name: u.Name, Email: email, Memberships: ms}), core.RequestInfo{ID: "demo", IP: "local"}), nil
}

// demoThreads sends a few messages across the nodes, in both languages, and
// acknowledges one, then waits until every one is delivered.
func demoThreads(ctx context.Context, nodes []*node) error {
	id, sg, asean := nodes[0], nodes[1], nodes[2]
	host := func(n *node) string { return n.fed.Host() }
	sends := []struct {
		n  *node
		as string
		c  correspondence.Compose
	}{
		{id, "bima@kemlu.demo", correspondence.Compose{From: "kemlu", To: []string{"csa-sg@" + host(sg)}, TLP: core.TLPAmber,
			Subject: "Request for consultation: phishing campaign against foreign ministries",
			Body:    "Dear colleagues,\n\nBSSN has observed a phishing campaign targeting the foreign ministries of several ASEAN member states since 20 November. We propose a consultation between our points of contact this week, in the spirit of OSCE CBM 3 and the ASEAN POC network.\n\nIndicators will follow through the CERT channel.\n\nKemlu RI, Directorate of International Security"}},
		{asean, "maria@asean.demo", correspondence.Compose{From: "asean", To: []string{"kemlu@" + host(id), "csa-sg@" + host(sg), "kln-my"}, TLP: core.TLPGreen,
			Subject: "Undangan: uji komunikasi jaringan titik kontak ASEAN",
			Body:    "Yth. para titik kontak,\n\nSekretariat ASEAN akan melaksanakan uji komunikasi (ping) jaringan titik kontak pada 2 Desember 2026 pukul 09.00 WIB. Mohon konfirmasi penerimaan pesan ini.\n\nHormat kami,\nSekretariat ASEAN"}},
		{sg, "weiming@csa-sg.demo", correspondence.Compose{From: "csa-sg", To: []string{"mofa-jp@" + host(asean)}, TLP: core.TLPAmberStrict, Classification: "RESTRICTED",
			Subject: "Exercise planning: ASEAN-Japan cyber tabletop",
			Body:    "Following our meeting in Tokyo, we share the draft scenario outline for the joint tabletop exercise. Comments by 5 December would be welcome."}},
	}
	for _, s := range sends {
		actx, err := actorFor(ctx, s.n, s.as)
		if err != nil {
			return err
		}
		if _, err := s.n.svcs.Correspondence.Send(actx, s.c); err != nil {
			return fmt.Errorf("demo message %q: %w", s.c.Subject, err)
		}
	}
	// Wait for the deliveries, then acknowledge the invitation on Indonesia's node.
	deadline := time.Now().Add(30 * time.Second)
	for _, n := range nodes {
		for time.Now().Before(deadline) {
			var q int
			if err := n.db.R().Get(ctx, &q, `SELECT COUNT(*) FROM outbox WHERE state = 'queued'`); err != nil {
				return err
			}
			if q == 0 {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	actx, err := actorFor(ctx, id, "sari@kemlu.demo")
	if err != nil {
		return err
	}
	ms, _, err := id.svcs.Correspondence.List(actx, "in", core.Page{Limit: 10})
	if err != nil {
		return err
	}
	for _, m := range ms {
		if strings.HasPrefix(m.Subject, "Undangan") {
			return id.svcs.Correspondence.Acknowledge(actx, m.ID)
		}
	}
	return nil
}

// localThreads gives a single demo node some correspondence between its own
// organisations: a request from the MFA to the national CSIRT, its reply in
// the same thread, and an acknowledgment.
func localThreads(ctx context.Context, n *node) error {
	bima, err := actorFor(ctx, n, "bima@kemlu.demo")
	if err != nil {
		return err
	}
	by := time.Now().Add(72 * time.Hour)
	m, err := n.svcs.Correspondence.Send(bima, correspondence.Compose{From: "kemlu", To: []string{"bssn"}, TLP: core.TLPAmber, Format: "markdown", AckBy: &by,
		Subject: "Permintaan masukan: laporan implementasi norma (h) dan (k)",
		Body:    "Rekan-rekan BSSN,\n\nUntuk laporan implementasi nasional, mohon masukan mengenai:\n\n- norma **(h)**: tanggapan atas permintaan bantuan;\n- norma **(k)**: perlindungan CSIRT.\n\nTerima kasih."})
	if err != nil {
		return err
	}
	agus, err := actorFor(ctx, n, "agus@bssn.demo")
	if err != nil {
		return err
	}
	if _, err := n.svcs.Correspondence.Get(agus, m.ID); err != nil {
		return err
	}
	if err := n.svcs.Correspondence.Acknowledge(agus, m.ID); err != nil {
		return err
	}
	_, err = n.svcs.Correspondence.Send(agus, correspondence.Compose{From: "bssn", To: []string{"kemlu"}, ThreadID: m.ThreadID, TLP: core.TLPAmber,
		Subject: "Re: Permintaan masukan: laporan implementasi norma (h) dan (k)",
		Body:    "Masukan kami terlampir minggu ini. Gov-CSIRT menangani 14 permintaan bantuan lintas batas pada 2026."})
	return err
}

// demoPassword is the password of every demo account: made once per data
// directory and kept there (owner-only), so a restarted demo prints the same
// logins; there is no built-in password.
func demoPassword(dir string) (string, error) {
	file := filepath.Join(dir, "demo-password")
	pw, err := os.ReadFile(file)
	if err == nil {
		return strings.TrimSpace(string(pw)), nil
	}
	b := make([]byte, 10)
	rand.Read(b)
	p := "demo-" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
	return p, os.WriteFile(file, []byte(p), 0o600)
}
