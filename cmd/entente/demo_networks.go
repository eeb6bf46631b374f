package main

import (
	"context"
	"fmt"
	"slices"
	"time"

	"entente.example/entente/core"
	"entente.example/entente/modules/directory"
)

// demoNetworks gives the demo world its points-of-contact networks: the UN
// directory kept by UNODA and the ASEAN network kept by the ASEAN
// Secretariat, on the node that holds them; states on every node nominate
// (Japan never did, as in life some states have not); one communication
// check finished with mixed results; two requests are open. nodes holds the
// demo's nodes (one, or three), each with its organisations.
func demoNetworks(ctx context.Context, nodes []*node) error {
	where, err := orgNodes(ctx, nodes)
	if err != nil {
		return err
	}
	addr := func(handle string) string { return handle + "@" + where[handle].fed.Host() }
	as := func(email string, n *node) (context.Context, error) { return actorFor(ctx, n, email) }

	defs := map[string]directory.NetworkInput{}
	for _, d := range directory.Definitions() {
		defs[d.Slug] = d
	}
	type net struct {
		def       string
		sec, who  string
		members   []string
		pingRound bool
	}
	nets := []net{
		{"un-poc", "unoda", "elena@unoda.demo", []string{"kemlu", "csa-sg", "kln-my", "dfat-au", "mofa-jp"}, true},
		{"asean-poc", "asean", "maria@asean.demo", []string{"kemlu", "csa-sg", "kln-my"}, false},
	}
	ids := map[string]string{}
	for _, d := range nets {
		host := where[d.sec]
		actx, err := as(d.who, host)
		if err != nil {
			return err
		}
		in := defs[d.def]
		in.Secretariat, in.Transparency = d.sec, true
		n, err := host.svcs.Networks.CreateNetwork(actx, in)
		if err != nil {
			return fmt.Errorf("demo network %s: %w", d.def, err)
		}
		ids[d.def] = n.ID
		for _, m := range d.members {
			if err := host.svcs.Networks.AddMember(actx, n.ID, addr(m)); err != nil {
				return fmt.Errorf("demo network %s member %s: %w", d.def, m, err)
			}
		}
	}
	// Every member node must hold the networks before its focal points
	// nominate.
	if err := demoWait(ctx, "the networks on every member node", func() (bool, error) {
		for _, n := range nodes {
			var k int
			if err := n.db.R().Get(ctx, &k, `SELECT COUNT(*) FROM poc_networks`); err != nil || (k < len(nets) && n != where["unoda"]) {
				return false, err
			}
		}
		return true, nil
	}); err != nil {
		return err
	}

	// The focal points nominate. Indonesia names a deputy for its technical
	// contact, who receives the escalations.
	type nomination struct {
		network, member, focal, nominee, category string
		deputy                                    bool
		phone, hours                              string
	}
	noms := []nomination{
		{"un-poc", "kemlu", "sari@kemlu.demo", "sari@kemlu.demo", "diplomatic", false, "+62 21 344 1508", "Mon–Fri 08:00–16:00 WIB"},
		{"un-poc", "kemlu", "sari@kemlu.demo", "bima@kemlu.demo", "technical", false, "+62 811 000 0101", "24/7"},
		{"un-poc", "kemlu", "sari@kemlu.demo", "dewi@kemlu.demo", "technical", true, "+62 811 000 0102", "24/7"},
		{"un-poc", "csa-sg", "weiming@csa-sg.demo", "weiming@csa-sg.demo", "technical", false, "+65 6323 5000", "24/7"},
		{"un-poc", "kln-my", "nurul@kln-my.demo", "nurul@kln-my.demo", "diplomatic", false, "+60 3 8000 8000", "Mon–Fri 08:00–17:00 MYT"},
		{"un-poc", "dfat-au", "olivia@dfat-au.demo", "olivia@dfat-au.demo", "diplomatic", false, "+61 2 6261 1111", "Mon–Fri 09:00–17:00 AEDT"},
		{"asean-poc", "kemlu", "sari@kemlu.demo", "bima@kemlu.demo", "foreign-affairs", false, "+62 811 000 0101", "24/7"},
		{"asean-poc", "csa-sg", "weiming@csa-sg.demo", "weiming@csa-sg.demo", "technical", false, "+65 6323 5000", "24/7"},
	}
	for _, nm := range noms {
		n := where[nm.member]
		actx, err := as(nm.focal, n)
		if err != nil {
			return err
		}
		var person string
		if err := n.db.R().Get(ctx, &person, `SELECT id FROM users WHERE email = ?`, nm.nominee); err != nil {
			return fmt.Errorf("demo nominee %s: %w", nm.nominee, err)
		}
		_, err = n.svcs.Networks.Nominate(actx, ids[nm.network], directory.NominationInput{Member: nm.member, Category: nm.category, Deputy: nm.deputy, PersonID: person,
			Contact: directory.Contact{Phone: nm.phone, Hours: nm.hours, Languages: "en, id", SecureAddr: addr(nm.member)}})
		if err != nil {
			return fmt.Errorf("demo nomination %s %s: %w", nm.member, nm.nominee, err)
		}
	}
	// The secretariats accept them as they arrive.
	for _, d := range nets {
		host := where[d.sec]
		actx, err := as(d.who, host)
		if err != nil {
			return err
		}
		want := 0
		for _, nm := range noms {
			if nm.network == d.def {
				want++
			}
		}
		var pending []directory.Nomination
		if err := demoWait(ctx, "the nominations for "+d.def, func() (bool, error) {
			var err error
			pending, err = host.svcs.Networks.Nominations(actx, ids[d.def], directory.NominationPending)
			return len(pending) == want, err
		}); err != nil {
			return err
		}
		for _, p := range pending {
			if err := host.svcs.Networks.Decide(actx, p.ID, true, ""); err != nil {
				return err
			}
		}
	}

	// A communication check of the UN directory, finished: Indonesia,
	// Singapore and Australia answer; Malaysia's contact does not.
	un := where["unoda"]
	elena, err := as("elena@unoda.demo", un)
	if err != nil {
		return err
	}
	if err := demoWait(ctx, "the directory on every member node", func() (bool, error) {
		for _, h := range []string{"kemlu", "csa-sg", "dfat-au"} {
			var k int
			if err := where[h].db.R().Get(ctx, &k, `SELECT COUNT(*) FROM poc_entries WHERE network_id = ?`, ids["un-poc"]); err != nil || k < 5 {
				return false, err
			}
		}
		return true, nil
	}); err != nil {
		return err
	}
	ping, err := un.svcs.Networks.StartPing(elena, ids["un-poc"], directory.PingInput{Deadline: time.Now().Add(3 * time.Second)})
	if err != nil {
		return err
	}
	for _, who := range []struct{ email, member string }{{"bima@kemlu.demo", "kemlu"}, {"weiming@csa-sg.demo", "csa-sg"}, {"olivia@dfat-au.demo", "dfat-au"}} {
		n := where[who.member]
		actx, err := as(who.email, n)
		if err != nil {
			return err
		}
		if err := demoWait(ctx, "the ping for "+who.email, func() (bool, error) {
			ps, err := n.svcs.Networks.MyPings(actx)
			if err != nil {
				return false, err
			}
			i := slices.IndexFunc(ps, func(p directory.ReceivedView) bool { return p.CanAck && p.PingID == ping.ID })
			if i < 0 {
				return false, nil
			}
			// A confirmation past the deadline is refused; on a slow machine
			// the demo's short check may end first, and the demo goes on.
			if err := n.svcs.Networks.AckPing(actx, ps[i].ID); core.KindOf(err) != core.KindConflict {
				return true, err
			}
			return true, nil
		}); err != nil {
			return err
		}
	}
	// Settle it at its deadline rather than wait for the job (the single
	// node's queue is not running yet).
	time.Sleep(time.Until(ping.Deadline))
	if err := demoWait(ctx, "the ping to finish", func() (bool, error) {
		if err := un.svcs.Networks.Settle(ctx, ping.ID); err != nil {
			return false, err
		}
		v, err := un.svcs.Networks.PingResult(elena, ping.ID)
		return v.State == directory.PingFinished, err
	}); err != nil {
		return err
	}

	// Two open requests: Indonesia asks Singapore for assistance (in
	// progress there), Australia asks Indonesia for information.
	reqs := []struct {
		from, who, to string
		in            directory.RequestInput
		step          string
		stepBy        string
	}{
		{"kemlu", "bima@kemlu.demo", "csa-sg", directory.RequestInput{Type: "assistance", Urgency: "high", Subject: "Phishing campaign against foreign ministries",
			Description: "Since 20 November BSSN has seen spear-phishing e-mails imitating ASEAN meeting invitations, sent to the foreign ministries of several member states. Two mailboxes were compromised.",
			Sector:      "government", Systems: "Ministry e-mail (Microsoft 365), VPN gateway", Asked: "Check whether the sending infrastructure is hosted in Singapore and, if so, help take it down.",
			Indicators: "Indicator bundle to follow through the CERT channel (TLP:AMBER).", FollowUp: "Bima Prasetyo, +62 811 000 0101", TLP: core.TLPAmber}, directory.ActProgress, "weiming@csa-sg.demo"},
		{"dfat-au", "olivia@dfat-au.demo", "kemlu", directory.RequestInput{Type: "information", Urgency: "routine", Subject: "Permintaan informasi: rencana latihan siber ASEAN 2027",
			Description: "Australia would welcome information on the timing of the 2027 ASEAN CERT Incident Drill, to align its regional exercise calendar.",
			Asked:       "Planned dates and the contact in charge.", TLP: core.TLPGreen}, "", ""},
	}
	for _, rq := range reqs {
		n := where[rq.from]
		actx, err := as(rq.who, n)
		if err != nil {
			return err
		}
		rq.in.Network, rq.in.From, rq.in.To = ids["un-poc"], rq.from, addr(rq.to)
		sent, err := n.svcs.Networks.SendRequest(actx, rq.in)
		if err != nil {
			return fmt.Errorf("demo request %q: %w", rq.in.Subject, err)
		}
		if rq.step == "" {
			continue
		}
		rn := where[rq.to]
		ractx, err := as(rq.stepBy, rn)
		if err != nil {
			return err
		}
		if err := demoWait(ctx, "the request on "+rq.to, func() (bool, error) {
			rs, _, err := rn.svcs.Networks.Requests(ractx, "in", core.Page{Limit: 20})
			if err != nil {
				return false, err
			}
			for _, r := range rs {
				if r.Subject == sent.Subject {
					if _, err := rn.svcs.Networks.UpdateRequest(ractx, r.ID, directory.ActAcknowledge, ""); err != nil {
						return false, err
					}
					_, err := rn.svcs.Networks.UpdateRequest(ractx, r.ID, rq.step, "")
					return true, err
				}
			}
			return false, nil
		}); err != nil {
			return err
		}
	}
	return nil
}

// orgNodes says which demo node holds each organisation, by handle.
func orgNodes(ctx context.Context, nodes []*node) (map[string]*node, error) {
	where := map[string]*node{}
	for _, n := range nodes {
		orgs, err := n.fed.LocalOrgs(ctx)
		if err != nil {
			return nil, err
		}
		for _, o := range orgs {
			where[o.Handle] = n
		}
	}
	return where, nil
}

// demoWait polls until ok, for up to 30 seconds.
func demoWait(ctx context.Context, what string, ok func() (bool, error)) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		done, err := ok()
		if err != nil {
			return fmt.Errorf("demo: %s: %w", what, err)
		}
		if done {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("demo: timed out waiting for %s", what)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}
