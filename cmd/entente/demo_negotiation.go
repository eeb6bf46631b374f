package main

import (
	"context"
	"fmt"
	"time"

	"entente.example/entente/modules/negotiation"
)

// demoNegotiation puts an ASEAN statement on the table of the node that
// holds Malaysia (the chair) and the ASEAN Secretariat: Indonesia and
// Singapore amend it from their own nodes, the chair decides, two revisions
// are issued, and a second, clean text is under silence procedure.
func demoNegotiation(ctx context.Context, nodes []*node) error {
	where, err := orgNodes(ctx, nodes)
	if err != nil {
		return err
	}
	addr := func(org string) string { return org + "@" + where[org].fed.Host() }
	host := where["kln-my"]
	as := func(org, email string) (context.Context, error) { return actorFor(ctx, where[org], email) }
	maria, err := as("asean", "maria@asean.demo")
	if err != nil {
		return err
	}
	chair, err := as("kln-my", "nurul@kln-my.demo")
	if err != nil {
		return err
	}
	bima, err := as("kemlu", "bima@kemlu.demo")
	if err != nil {
		return err
	}
	weiming, err := as("csa-sg", "weiming@csa-sg.demo")
	if err != nil {
		return err
	}
	svc := host.svcs.Negotiation
	p, err := svc.Create(maria, negotiation.ProcessInput{Title: "ASEAN Leaders' Statement on Responsible State Behaviour in Cyberspace", Forum: "ASEAN",
		Secretariat: "asean", Chair: "kln-my", Consultation: "How should ASEAN support capacity building for critical infrastructure operators and civil society?"})
	if err != nil {
		return fmt.Errorf("demo negotiation: %w", err)
	}
	for _, x := range []struct{ org, role string }{{"kln-my", negotiation.RoleDelegation}, {"kemlu", negotiation.RoleDelegation}, {"csa-sg", negotiation.RoleDelegation}, {"ruang-digital", negotiation.RoleStakeholder}} {
		if err := svc.AddParty(chair, p.ID, addr(x.org), x.role); err != nil {
			return fmt.Errorf("demo negotiation: seat %s: %w", x.org, err)
		}
	}
	t, err := svc.AddText(chair, p.ID, negotiation.TextInput{Title: "Draft ASEAN Leaders' Statement on Responsible State Behaviour in Cyberspace", Kind: "chairs-draft",
		Preamble: "Recalling the eleven voluntary, non-binding norms of responsible state behaviour in the use of ICTs,\n\n" +
			"Recognising that malicious ICT activity against critical infrastructure [poses a grave threat to] [affects] the security and prosperity of the region,\n\n" +
			"Welcoming the ASEAN Regional Computer Emergency Response Team,",
		Operative: "Reaffirm our commitment to act in accordance with international law, in particular the Charter of the United Nations, in our use of ICTs;\n\n" +
			"Commit to respond to appropriate requests for assistance from another Member State whose critical infrastructure is subject to malicious ICT acts [in a timely manner];\n\n" +
			"Encourage Member States to designate points of contact at the diplomatic and technical levels and to keep their details current in the ASEAN directory;\n\n" +
			"Task the ASEAN Secretariat to report on implementation [annually] [every two years] to the ASEAN Ministerial Conference on Cybersecurity;\n\n" +
			"Decide to review this statement at the next ASEAN Summit."})
	if err != nil {
		return fmt.Errorf("demo negotiation: text: %w", err)
	}
	para := func(i int) string { return t.Paragraphs[i].ID }
	// The second text: short, clean, circulated under silence.
	tor, err := svc.AddText(chair, p.ID, negotiation.TextInput{Title: "Terms of reference of the ASEAN cyber points-of-contact check", Kind: "clean-text",
		Operative: "The ASEAN Secretariat conducts a communication check of the ASEAN points-of-contact directory every six months.\n\n" +
			"Member States acknowledge a check within 48 hours; the Secretariat reports the results to Member States only."})
	if err != nil {
		return err
	}
	if _, err := svc.IssueRevision(chair, p.ID, tor.ID, "Circulated for adoption."); err != nil {
		return err
	}
	if err := svc.Circulate(chair, p.ID, tor.ID, negotiation.SilenceInput{Deadline: time.Now().Add(72 * time.Hour), AsIs: true}); err != nil {
		return fmt.Errorf("demo negotiation: silence: %w", err)
	}
	if _, err := svc.IssueRevision(chair, p.ID, t.ID, "Chair's first draft."); err != nil {
		return err
	}
	// Delegations on other nodes act once their copy has arrived.
	for _, org := range []string{"kemlu", "csa-sg"} {
		n := where[org]
		if err := demoWait(ctx, "the negotiation's copy on "+org+"'s node", func() (bool, error) {
			_, err := n.svcs.Negotiation.Process(map[string]context.Context{"kemlu": bima, "csa-sg": weiming}[org], p.ID)
			return err == nil, nil
		}); err != nil {
			return err
		}
	}
	acts := []struct {
		who context.Context
		org string
		in  negotiation.ActInput
	}{
		{bima, "kemlu", negotiation.ActInput{Kind: negotiation.ActAmend, Text: t.ID, Amend: &negotiation.Amend{Para: para(4), Kind: negotiation.AmendReplace,
			Proposed: "Commit to respond to appropriate requests for assistance from another Member State whose critical infrastructure is subject to malicious ICT acts without undue delay;", Justification: "\"Without undue delay\" is the language of the 2021 report of the Open-Ended Working Group."}}},
		{weiming, "csa-sg", negotiation.ActInput{Kind: negotiation.ActAmend, Text: t.ID, Amend: &negotiation.Amend{Para: para(1), Kind: negotiation.AmendOption,
			Proposed: "Recognising that malicious ICT activity against critical information infrastructure threatens the security and prosperity of the region,", Justification: "Aligns with the term used in our national law."}}},
		{bima, "kemlu", negotiation.ActInput{Kind: negotiation.ActAmend, Text: t.ID, Amend: &negotiation.Amend{Para: para(5), Kind: negotiation.AmendInsert,
			Proposed: "Encourage regular exercises among national CERTs to test cooperation under this statement;", Justification: "Exercises keep points of contact reachable."}}},
		{weiming, "csa-sg", negotiation.ActInput{Kind: negotiation.ActAmend, Text: t.ID, Amend: &negotiation.Amend{Para: para(7), Kind: negotiation.AmendDelete, Justification: "Review is already provided for in the ASEAN Charter process."}}},
		{bima, "kemlu", negotiation.ActInput{Kind: negotiation.ActCosponsor, Text: t.ID}},
		{weiming, "csa-sg", negotiation.ActInput{Kind: negotiation.ActCosponsor, Text: t.ID}},
	}
	// One after another, so the amendments are numbered A1–A4 in this order
	// whichever node is quicker.
	for i, a := range acts {
		if _, err := where[a.org].svcs.Negotiation.Do(a.who, p.ID, a.in); err != nil {
			return fmt.Errorf("demo negotiation: %s %s: %w", a.org, a.in.Kind, err)
		}
		if err := demoWait(ctx, "the delegations' acts at the chair's node", func() (bool, error) {
			_, cur, err := svc.Text(chair, p.ID, t.ID)
			return err == nil && len(cur.Amendments)+len(cur.Cosponsors) == i+1, err
		}); err != nil {
			return err
		}
	}
	for _, org := range []string{"kemlu", "csa-sg"} {
		who := map[string]context.Context{"kemlu": bima, "csa-sg": weiming}[org]
		if err := demoWait(ctx, "the amendments in "+org+"'s copy", func() (bool, error) {
			_, cur, err := where[org].svcs.Negotiation.Text(who, p.ID, t.ID)
			return err == nil && len(cur.Amendments) == 4, nil
		}); err != nil {
			return err
		}
	}
	// Positions on the amendments; the chair decides two and issues Rev.2.
	for _, a := range []struct {
		who    context.Context
		org    string
		target string
		stance string
	}{{weiming, "csa-sg", "a:A1", "live"}, {bima, "kemlu", "a:A2", "reserve"}, {bima, "kemlu", "a:A4", "oppose"}} {
		if _, err := where[a.org].svcs.Negotiation.Do(a.who, p.ID, negotiation.ActInput{Kind: negotiation.ActPosition, Text: t.ID, Position: &negotiation.Stance{Target: a.target, Stance: a.stance}}); err != nil {
			return fmt.Errorf("demo negotiation: position: %w", err)
		}
	}
	if err := svc.Decide(chair, p.ID, t.ID, "A1", negotiation.DecisionInput{Verdict: "accept"}); err != nil {
		return err
	}
	if err := svc.Decide(chair, p.ID, t.ID, "A3", negotiation.DecisionInput{Verdict: "merge", Into: "Encourage regular exercises among national CERTs and points of contact to test cooperation under this statement;"}); err != nil {
		return err
	}
	if err := svc.EditParagraph(chair, p.ID, t.ID, para(0), negotiation.ParagraphInput{Part: negotiation.PartPreamble, Options: t.Paragraphs[0].Options, Agreed: negotiation.StatusAgreed}); err != nil {
		return err
	}
	if err := svc.EditParagraph(chair, p.ID, t.ID, para(3), negotiation.ParagraphInput{Part: negotiation.PartOperative, Options: t.Paragraphs[3].Options, Agreed: negotiation.StatusAdRef}); err != nil {
		return err
	}
	if _, err := svc.IssueRevision(chair, p.ID, t.ID, "After the second reading: A1 accepted, A3 merged."); err != nil {
		return err
	}
	ayu, err := as("ruang-digital", "ayu@ruangdigital.demo")
	if err != nil {
		return err
	}
	_, err = where["ruang-digital"].svcs.Negotiation.Do(ayu, p.ID, negotiation.ActInput{Kind: negotiation.ActContribute, Title: "Include civil society in capacity building",
		Body: "National CERT trainings should be open to civil-society organisations that run helplines for victims of online harm."})
	return err
}
