package main

import (
	"context"
	"fmt"
	"slices"

	"entente.example/entente/modules/dialogue"
)

// demoDialogue opens two expert dialogues. The first is an ASEAN–Australia
// Track 1.5 dialogue on ransomware under the Chatham House Rule, hosted by
// the ASEAN Secretariat, with participants on all three demo nodes
// (Indonesia's MFA, BSSN and a civil-society group; Singapore's CSA;
// Australia's DFAT and AFP beside the host), Nusantara University as
// rapporteur, two sessions, threads with replies, one contribution hidden by
// the moderator and a published summary. The second is a small public–private
// roundtable on the record, hosted by BSSN, so the difference shows: there,
// everyone sees who said what. On a single node the same dialogues run with
// every organisation on that node.
func demoDialogue(ctx context.Context, nodes []*node) error {
	where, err := orgNodes(ctx, nodes)
	if err != nil {
		return err
	}
	if err := demoRansomware(ctx, where); err != nil {
		return fmt.Errorf("demo dialogue: %w", err)
	}
	if err := demoRoundtable(ctx, where); err != nil {
		return fmt.Errorf("demo roundtable: %w", err)
	}
	return nil
}

// dlgDemo is one demo dialogue being played: who sits where, and the host's
// moderator, through whom the demo sees what has arrived.
type dlgDemo struct {
	ctx   context.Context
	where map[string]*node
	host  *node
	mod   context.Context // a moderator on the host's node
	id    string
	sess  int // sessions every node must hold before anyone speaks
}

func (d *dlgDemo) addr(org string) string { return org + "@" + d.where[org].fed.Host() }

func (d *dlgDemo) as(org, email string) (context.Context, error) {
	return actorFor(d.ctx, d.where[org], email)
}

// find returns the id of the contribution with this text as who sees it
// on n, or "" while it has not arrived.
func (d *dlgDemo) find(n *node, who context.Context, body string) (string, error) {
	v, err := n.svcs.Dialogue.Get(who, d.id)
	if err != nil {
		return "", nil // the node's copy has not arrived yet
	}
	all, err := n.svcs.Dialogue.All(who, v)
	if err != nil {
		return "", err
	}
	for _, c := range all {
		if c.Body == body {
			return c.ID, nil
		}
	}
	return "", nil
}

// ready reports whether n holds the dialogue with its sessions and, when
// parent is set, the contribution answered: a node checks a contribution
// against its own copy before sending it.
func (d *dlgDemo) ready(n *node, who context.Context, parent string) (bool, error) {
	v, err := n.svcs.Dialogue.Get(who, d.id)
	if err != nil || len(v.D.Sessions) < d.sess {
		return false, nil
	}
	if parent == "" {
		return true, nil
	}
	all, err := n.svcs.Dialogue.All(who, v)
	for _, c := range all {
		if c.ID == parent {
			return true, err
		}
	}
	return false, err
}

// say contributes for org as email once its node is ready, and waits until
// the host has it, so the host numbers the contributions in the order
// written here whichever node is quicker. It returns the contribution's id.
func (d *dlgDemo) say(org, email string, x dialogue.ContributionInput) (string, error) {
	n := d.where[org]
	who, err := d.as(org, email)
	if err != nil {
		return "", err
	}
	if err := demoWait(d.ctx, "the dialogue on "+org+"'s node", func() (bool, error) { return d.ready(n, who, x.Parent) }); err != nil {
		return "", err
	}
	x.By = d.addr(org)
	if err := n.svcs.Dialogue.Contribute(who, d.id, x); err != nil {
		return "", fmt.Errorf("%s contributes: %w", org, err)
	}
	var id string
	err = demoWait(d.ctx, "a contribution of "+org+" at the host", func() (bool, error) {
		var err error
		id, err = d.find(d.host, d.mod, x.Body)
		return id != "", err
	})
	return id, err
}

// open creates a dialogue hosted by org as email, invites the parties and
// adds the sessions.
func (d *dlgDemo) open(org, email string, in dialogue.Input, parties []dialogue.Party, sessions []dialogue.SessionInput) ([]string, error) {
	var err error
	d.host = d.where[org]
	if d.mod, err = d.as(org, email); err != nil {
		return nil, err
	}
	in.Host = org
	dl, err := d.host.svcs.Dialogue.Create(d.mod, in)
	if err != nil {
		return nil, err
	}
	d.id = dl.ID
	for _, p := range parties {
		if err := d.host.svcs.Dialogue.AddParty(d.mod, d.id, d.addr(p.Addr), p.Role); err != nil {
			return nil, fmt.Errorf("invite %s: %w", p.Addr, err)
		}
	}
	var ids []string
	for _, s := range sessions {
		ss, err := d.host.svcs.Dialogue.AddSession(d.mod, d.id, s)
		if err != nil {
			return nil, err
		}
		ids = append(ids, ss.ID)
	}
	d.sess = len(ids)
	return ids, nil
}

func demoRansomware(ctx context.Context, where map[string]*node) error {
	d := &dlgDemo{ctx: ctx, where: where}
	ss, err := d.open("asean", "maria@asean.demo", dialogue.Input{
		Title: "ASEAN–Australia Track 1.5 Dialogue on Ransomware",
		Purpose: "Officials, CERTs, police, researchers and civil society from ASEAN Member States and Australia compare what works against ransomware " +
			"that hits hospitals and critical infrastructure, and how CERTs and police can cooperate across borders. " +
			"The dialogue informs the ASEAN Ministerial Conference on Cybersecurity; it negotiates nothing.",
		Rule: dialogue.RuleChatham, Lang: "en",
	}, []dialogue.Party{
		{Addr: "kemlu", Role: dialogue.RoleParticipant},
		{Addr: "bssn", Role: dialogue.RoleParticipant},
		{Addr: "ruang-digital", Role: dialogue.RoleParticipant},
		{Addr: "csa-sg", Role: dialogue.RoleParticipant},
		{Addr: "dfat-au", Role: dialogue.RoleParticipant},
		{Addr: "afp", Role: dialogue.RoleParticipant},
		{Addr: "univ-nusantara", Role: dialogue.RoleParticipant},
		{Addr: "univ-nusantara", Role: dialogue.RoleRapporteur},
	}, []dialogue.SessionInput{
		{Title: "Ransomware against hospitals and critical infrastructure",
			Agenda: "1. What the region's hospital incidents of the past year teach about preparedness.\n" +
				"2. Minimum expectations of hospitals, their suppliers and other operators.\n" +
				"3. Ransom payments: ban, report, or neither?\n" +
				"4. Telling patients and the public during an outage."},
		{Title: "Cooperation between CERTs and law enforcement across borders",
			Agenda: "1. Preserving logs and evidence while services are restored.\n" +
				"2. Preservation requests to providers in the first 48 hours.\n" +
				"3. Sharing decryptors and indicators with the CERTs of affected countries.\n" +
				"4. When a request meets silence: diplomatic points of contact."},
	})
	if err != nil {
		return err
	}
	s1, s2 := ss[0], ss[1]
	type line struct {
		org, email string
		in         dialogue.ContributionInput
		reply      int // 1-based index of the line answered, 0 for none
	}
	lines := []line{
		{"asean", "maria@asean.demo", dialogue.ContributionInput{Session: s1, Body: "Welcome to the first session. We meet under the Chatham House Rule: use what you hear, but do not say who said it, here or anywhere else. " +
			"Please keep to the session's questions, and answer a contribution under it so the threads stay readable."}, 0},
		{"bssn", "agus@bssn.demo", dialogue.ContributionInput{Session: s1, Body: "In the hospital incidents we handled this year, the hospitals that recovered in days rather than weeks had one thing in common: " +
			"offline backups that had been restored in a test within the last quarter. Several hospitals still run imaging systems on operating systems that no longer receive patches, " +
			"and the supplier's contract forbids the hospital to patch them. Regional guidance should address the procurement contract, not only the hospital's IT team."}, 0},
		{"dfat-au", "olivia@dfat-au.demo", dialogue.ContributionInput{Session: s1, Body: "Agreed on procurement. A practical step would be shared contract clauses for hospital-IT and medical-device suppliers: " +
			"a duty to patch, a named security contact, and notification of an incident within 24 hours. If several governments adopt the same clauses, " +
			"suppliers face one standard across the region instead of ten."}, 2},
		{"csa-sg", "weiming@csa-sg.demo", dialogue.ContributionInput{Session: s1, Body: "On payments: a blanket ban sounds firm, but in practice it pushes victims away from reporting at all. " +
			"A more useful rule is mandatory reporting of any payment within a short period, so that CERTs and police see the flows and can trace the wallets. " +
			"Has anyone seen reporting rates change after introducing such a rule?"}, 0},
		{"kemlu", "bima@kemlu.demo", dialogue.ContributionInput{Session: s1, Body: "Mandatory reporting fits the norm that states should not knowingly allow their territory to be used for malicious ICT acts: " +
			"if we do not know where payments go, we cannot act on them. A regional statement along these lines, without a ban, would find support."}, 4},
		{"ruang-digital", "ayu@ruangdigital.demo", dialogue.ContributionInput{Session: s1, Body: "From the patients' side: when a hospital is hit, people are told nothing for days. " +
			"Whatever the rule on payments, there should be a duty to tell the public which services are unavailable and where to go instead, in the local language."}, 4},
		// Hidden below: it says who said what.
		{"afp", "liam@afp.demo", dialogue.ContributionInput{Session: s1, Body: "As Mr Tan of the Cyber Security Agency of Singapore told me over coffee, their figures show reporting went up after the payment rule. " +
			"I think we should hear those figures in full."}, 4},
		{"afp", "grace@afp.demo", dialogue.ContributionInput{Session: s2, Body: "The slowest step in our cross-border cases is not the formal request for assistance; it is getting a preservation request " +
			"to the right provider in the first 48 hours, before the logs are overwritten. The 24/7 networks work when the person at the other end knows what a preservation request is. " +
			"We would propose a short joint exercise of the CERT and police points of contact of each country."}, 0},
		{"bssn", "rina@bssn.demo", dialogue.ContributionInput{Session: s2, Body: "CERTs hold much of what police need — logs, samples, ransom notes, wallet addresses — but we collect them to restore services, not as evidence. " +
			"A common checklist for preserving evidence during incident response would let us help prosecutors without slowing recovery."}, 8},
		{"csa-sg", "weiming@csa-sg.demo", dialogue.ContributionInput{Session: s2, Body: "We would join such an exercise. It should include the private sector: cloud and e-mail providers receive the preservation requests, " +
			"and in our experience their response teams are willing but need a single channel they can verify."}, 8},
		{"kemlu", "bima@kemlu.demo", dialogue.ContributionInput{Session: s2, Body: "Diplomatic channels still matter when a request meets silence. A shared list of diplomatic points of contact for cyber incidents, " +
			"kept current and tested twice a year, would let a ministry escalate within hours rather than weeks. We could offer to host the next test."}, 0},
		{"univ-nusantara", "lukas@univ.demo", dialogue.ContributionInput{Session: s2, Body: "A question for everyone: a decryptor found by one country's police is often kept for the prosecution and never reaches victims elsewhere. " +
			"Could the region agree that a decryptor is shared with the CERTs of affected countries once sharing no longer compromises the case?"}, 0},
		{"dfat-au", "olivia@dfat-au.demo", dialogue.ContributionInput{Session: s2, Body: "Yes, with a clear test of when sharing no longer compromises a case, decided by the investigating agency. " +
			"Keys have been shared through international partners before; a regional practice would make it routine rather than exceptional."}, 12},
		{"ruang-digital", "ayu@ruangdigital.demo", dialogue.ContributionInput{Session: s2, Lang: "id", Body: "Setuju. Dekriptor yang dibagikan sebaiknya disertai panduan sederhana " +
			"bagi korban kecil — puskesmas, sekolah, UMKM — yang tidak punya tim TI sendiri, dalam bahasa setempat."}, 12},
	}
	ids := make([]string, len(lines))
	for i, l := range lines {
		if l.reply > 0 {
			l.in.Parent = ids[l.reply-1]
		}
		if ids[i], err = d.say(l.org, l.email, l.in); err != nil {
			return err
		}
	}
	if err := d.host.svcs.Dialogue.Moderate(d.mod, d.id, ids[6], dialogue.ModHide,
		"It names a participant and their agency, which the Chatham House Rule does not allow. Please make the point again without saying who made it."); err != nil {
		return err
	}
	// The rapporteur writes from Nusantara University's node; the host
	// publishes the summary, or returns it if it names anyone.
	lukas, err := d.as("univ-nusantara", "lukas@univ.demo")
	if err != nil {
		return err
	}
	if err := d.where["univ-nusantara"].svcs.Dialogue.SaveSummary(lukas, d.id, dialogue.SummaryInput{Text: ransomwareSummary, Lang: "en", Publish: true}); err != nil {
		return err
	}
	// Every node that takes part holds the published summary and the hidden
	// contribution without its text before the demo is ready.
	readers := map[string]string{"asean": "maria@asean.demo", "kemlu": "bima@kemlu.demo", "csa-sg": "weiming@csa-sg.demo"}
	for org, email := range readers {
		who, err := d.as(org, email)
		if err != nil {
			return err
		}
		n := where[org]
		if err := demoWait(ctx, "the summary on "+org+"'s node", func() (bool, error) {
			v, err := n.svcs.Dialogue.Get(who, d.id)
			if err != nil {
				return false, nil
			}
			if v.D.Summary.Status == dialogue.SummaryReturned {
				return false, fmt.Errorf("the summary was returned: %s", v.D.Summary.Reason)
			}
			all, err := n.svcs.Dialogue.All(who, v)
			hidden := slices.ContainsFunc(all, func(c dialogue.Contribution) bool { return c.ID == ids[6] && c.State == dialogue.StateHidden })
			return v.D.Summary.Status == dialogue.SummaryPublished && hidden, err
		}); err != nil {
			return err
		}
	}
	return nil
}

// ransomwareSummary is the rapporteur's summary: what was said, by no one.
const ransomwareSummary = `Rapporteur's summary, under the Chatham House Rule.

Session 1 — Ransomware against hospitals and critical infrastructure

- The hospitals that recovered fastest had offline backups restored in a recent test. Many run unpatched systems because supplier contracts forbid patching.
- Shared contract clauses for hospital-IT and medical-device suppliers were proposed: a duty to patch, a named security contact, and notification within 24 hours, so that suppliers face one standard across the region.
- There was broad support for mandatory reporting of ransom payments rather than a ban, which participants felt would discourage reporting; reporting would let CERTs and police trace the flows.
- Patients should be told promptly which services are unavailable and where to go instead, in the local language.

Session 2 — Cooperation between CERTs and law enforcement across borders

- The slowest step is getting preservation requests to providers within 48 hours. A joint exercise of CERT and police points of contact was proposed, with cloud and e-mail providers taking part.
- A common checklist for preserving evidence during incident response would let CERTs help prosecutors without slowing recovery.
- A tested list of diplomatic points of contact for cyber incidents would help escalate requests that meet silence.
- Participants supported sharing decryptors with the CERTs of affected countries once sharing no longer compromises an investigation, with plain guidance for small victims without IT teams.

Next steps: drafts of the contract clauses and the evidence checklist will be circulated before the next meeting.`

// demoRoundtable is a small dialogue on the record: names and organisations
// are shown to everyone and travel with the copies and exports.
func demoRoundtable(ctx context.Context, where map[string]*node) error {
	d := &dlgDemo{ctx: ctx, where: where}
	ss, err := d.open("bssn", "agus@bssn.demo", dialogue.Input{
		Title:   "Public–private roundtable: reporting cloud incidents within 24 hours",
		Purpose: "Cloud and e-mail providers and the national CSIRT discuss what a 24-hour incident report should contain and what providers need in return. On the record: contributions may be quoted with their authors.",
		Rule:    dialogue.RuleOnRecord, Lang: "en",
	}, []dialogue.Party{
		{Addr: "nusantara-cloud", Role: dialogue.RoleParticipant},
		{Addr: "harbour-cloud", Role: dialogue.RoleParticipant},
		{Addr: "kemlu", Role: dialogue.RoleParticipant},
	}, []dialogue.SessionInput{
		{Title: "What providers need from the national CSIRT", Agenda: "1. The minimum content of a first report.\n2. One channel, verifiable by both sides.\n3. What the CSIRT gives back."},
	})
	if err != nil {
		return err
	}
	open, err := d.say("bssn", "agus@bssn.demo", dialogue.ContributionInput{Session: ss[0], Body: "A first report within 24 hours needs only four things: what is affected, since when, " +
		"whether customer data may be involved, and who we can call back. Everything else can follow in the 72-hour report."})
	if err != nil {
		return err
	}
	if _, err := d.say("harbour-cloud", "dana@harbour.demo", dialogue.ContributionInput{Session: ss[0], Parent: open, Body: "Four fields we can meet. What we need in return is one channel " +
		"we can verify — a signed request from a known address, not an e-mail from a personal account — and an acknowledgment that tells us the report was received."}); err != nil {
		return err
	}
	_, err = d.say("nusantara-cloud", "yusuf@nusantara.demo", dialogue.ContributionInput{Session: ss[0], Parent: open, Lang: "id", Body: "Kami setuju. Yang kami harapkan dari CSIRT: " +
		"indikator yang bisa langsung dipakai untuk memeriksa pelanggan lain, paling lambat satu hari setelah laporan kami."})
	return err
}
